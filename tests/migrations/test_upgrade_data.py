"""Upgrades keep all data: databases filled by earlier releases are upgraded to the current
schema, and every row they held is still there, unchanged, and the app serves them."""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
import pytest
import sqlalchemy as sa

from core.extensions import db
from core.text import fold
from tests.conftest import _new_app
from tests.migrations.snapshot import _decode, load
from tests.support import Visitor

SNAPSHOTS = sorted((Path(__file__).parent / "data").glob("*.json"))


@pytest.fixture
def empty_db(tmp_path):
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    base = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"sotay_up_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.parametrize("path", SNAPSHOTS, ids=[p.stem for p in SNAPSHOTS])
def test_upgrade_keeps_every_row(path, empty_db, tmp_path):
    snapshot = json.loads(path.read_text())
    app = _new_app(empty_db, tmp_path / "instance")
    with app.app_context():
        for revision in snapshot["revisions"]:
            flask_migrate.upgrade(revision=revision)
        load(db.engine, snapshot)
        flask_migrate.upgrade(revision="heads")
        meta = sa.MetaData()
        meta.reflect(db.engine)
        for name, rows in snapshot["tables"].items():
            table = meta.tables[name]
            now = {tuple(r[c.name] for c in table.primary_key): dict(r)
                   for r in db.session.execute(sa.select(table)).mappings()}
            assert len(now) == len(rows), f"{name}: {len(rows)} rows before, {len(now)} after"
            for row in rows:
                before = {k: _decode(v) for k, v in row.items()}
                after = now[tuple(before[c.name] for c in table.primary_key)]
                assert {k: after[k] for k in before} == before, f"{name} row changed"
        db.session.remove()

    # The upgraded database still serves its members: sign in with an account it had.
    person = Visitor(app.test_client())
    person.login(snapshot["accounts"]["secretary"])
    assert person.get("/members/").status_code == 200
    saved = snapshot["tables"].get("content_bookmark")
    if saved:
        # A member's saved documents are still theirs, and the search index was rebuilt for them.
        member = Visitor(app.test_client())
        member.login(snapshot["accounts"]["member"])
        assert member.text("/bookmarks/").count('href="/c/') == len(saved)
        item = next(r for r in snapshot["tables"]["content_item"] if r["id"] == saved[0]["item_id"])
        found = member.text("/search?" + urlencode({"q": fold(item["title"])}))
        assert f'href="/c/{item["id"]}"' in found, "an upgraded document is found by the search"
    with app.app_context():
        db.engine.dispose()
