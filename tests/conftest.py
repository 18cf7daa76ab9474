"""Fixtures: a seeded demo database built once through the migrations, copied for each test.

Runs on the embedded default (SQLite) or, with DATABASE_URL set, on PostgreSQL (one template
database cloned per test)."""
from __future__ import annotations

import json
import os
import sqlite3
import uuid
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import sqlalchemy as sa

from core import create_app
from core.extensions import db
from core.org.models import Organisation
from tests.support import Visitor

# The browser fixtures (live_server, browser, open_page, …) for every folder that needs them.
pytest_plugins = ["tests.browser.fixtures"]

DEMO_MEMBERS = 60
# The tests load every installed plugin (config/default.toml loads none: a deployment chooses).
INSTALLED = sorted(ep.name for ep in entry_points(group="sotay.plugins"))
# Tests change plugin_state and settings rows directly, so the per-process province cache is off
# (tests/core/test_province_cache.py turns it on).
BASE_CONFIG = {"TESTING": True, "JOBS_EAGER": True, "COMPRESS_APP": True, "REDIS_URL": "",
               "PROVINCE_CACHE_SECONDS": 0, "PLUGINS": INSTALLED}


def _pg_admin_url(url: str) -> sa.engine.URL:
    parsed = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    return parsed


def _new_app(uri: str, instance: Path, **extra):
    """With REDIS_URL set, jobs go through the real Redis and RQ, run at once on a queue of
    this test's own."""
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, "INSTANCE_PATH": str(instance),
                       "REDIS_URL": os.environ.get("REDIS_URL", ""), "JOBS_RQ_SYNC": True,
                       "JOBS_QUEUE": f"test-{uuid.uuid4().hex[:12]}", **extra})


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """Migrate an empty database to head and seed the demo into it, once per test run."""
    import flask_migrate

    from core.demo import seed

    instance = tmp_path_factory.mktemp("template")
    url = os.environ.get("DATABASE_URL")
    if url:
        base = _pg_admin_url(url)
        name = f"sotay_tpl_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        uri = base.set(database=name).render_as_string(hide_password=False)
    else:
        admin, name = None, None
        uri = f"sqlite:///{instance / 'template.db'}"
    app = _new_app(uri, instance)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        seed(DEMO_MEMBERS, content=False)  # each test publishes the content it needs
        db.session.remove()
        db.engine.dispose()
    accounts = json.loads((instance / "demo-accounts.json").read_text())
    yield {"uri": uri, "accounts": accounts, "admin": admin, "name": name, "path": instance / "template.db"}
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def db_uri(template_db, tmp_path):
    """A fresh copy of the seeded database for one test."""
    if template_db["admin"] is None:
        target = tmp_path / "test.db"
        with sqlite3.connect(template_db["path"]) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        yield f"sqlite:///{target}"
        return
    name = f"sotay_t_{uuid.uuid4().hex[:10]}"
    with template_db["admin"].connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template_db["name"]}"'))
    yield sa.engine.make_url(template_db["uri"]).set(database=name).render_as_string(hide_password=False)
    with template_db["admin"].connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def app(db_uri, tmp_path):
    app = _new_app(db_uri, tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def accounts(template_db) -> dict:
    """The demo accounts: {"ROLE": {"login", "password", "org"}}."""
    return template_db["accounts"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def visitor(app) -> Visitor:
    return Visitor(app.test_client())


@pytest.fixture
def as_role(app, accounts):
    """as_role("secretary") → a Visitor signed in with that demo account."""
    def sign_in(role: str) -> Visitor:
        person = Visitor(app.test_client())
        person.login(accounts[role])
        return person
    return sign_in


@pytest.fixture
def demo_content(app, accounts) -> None:
    """What `flask seed-demo` publishes (the test database leaves it out): news, documents,
    announcements, life sections, the demo member's saved documents, an inbox."""
    from core.demo import seed_content

    with app.app_context():
        orgs = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
        seed_content(*[orgs[accounts[role]["org"]] for role in
                       ("province_admin", "district_admin", "grassroots_admin", "secretary")], accounts)
        db.session.remove()
