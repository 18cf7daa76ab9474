"""`flask seed-demo` gives a province someone can try at once: members, an account per role,
published news and documents, an inbox, saved documents, and a second province in its theme."""
from __future__ import annotations

import json

from core.extensions import db
from tests.plugins.support import dispose, make_app
from tests.support import Visitor


def test_seed_demo_builds_a_province_to_try(tmp_path):
    import flask_migrate

    app = make_app(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path / "instance")
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
        result = app.test_cli_runner().invoke(args=["seed-demo", "--members", "40"])
        assert result.exit_code == 0, result.output
        accounts = json.loads((tmp_path / "instance" / "demo-accounts.json").read_text())

        member = Visitor(app.test_client())
        member.login(accounts["member"])
        home = member.text("/")
        assert "Tin mới" in home and "Văn bản mới" in home and home.count('href="/c/') >= 6, \
            "the home page shows the demo's news and documents"
        assert "Chi bộ họp thường kỳ" in member.text("/inbox/"), "the inbox has the branch's notice"
        saved = member.text("/bookmarks/")
        assert saved.count('href="/c/') >= 2, "two documents are saved to read later"

        neighbour = Visitor(app.test_client())
        neighbour.login(accounts["other_province_admin"])
        assert '/a/logo.' in neighbour.text("/"), "the second province wears the Yên Bái theme"
        assert 'href="/c/' not in neighbour.text("/documents/"), "and sees none of the first's papers"
    finally:
        with app.app_context():
            db.session.remove()
        dispose(app)
