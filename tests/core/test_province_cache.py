"""With the per-process province cache on, a change made in this process shows at once."""
from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from core.org.models import Organisation
from tests.conftest import _new_app
from tests.support import Visitor


def test_a_toggle_takes_effect_at_once_with_the_cache_on(db_uri, tmp_path, accounts):
    app = _new_app(db_uri, tmp_path / "instance", PROVINCE_CACHE_SECONDS=60)
    with app.app_context():
        province = db.session.scalar(select(Organisation.id).where(
            Organisation.name == accounts["province_admin"]["org"]))
    member, admin = Visitor(app.test_client()), Visitor(app.test_client())
    member.login(accounts["member"])
    admin.login(accounts["province_admin"])
    assert member.get("/example/").status_code == 404  # off by default; now in the cache

    page = f"/admin/plugins/{province}"
    on = admin.submit(f"{page}/toggle", {"plugin": "_example", "enabled": "1"}, form_page=page)
    assert on.status_code == 302
    assert member.get("/example/").status_code == 200
    admin.submit(f"{page}/toggle", {"plugin": "_example", "enabled": "0"}, form_page=page)
    assert member.get("/example/").status_code == 404
