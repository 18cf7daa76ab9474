"""Migrations: an empty database goes up to every head and back down, an upgrade keeps the
data, and the models agree with the migrations — on SQLite and (with DATABASE_URL) PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.extensions import db
from core.models import include_in_migrations
from core.org.models import Member, Organisation, RoleAssignment
from tests.plugins.support import dispose, make_app

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="DATABASE_URL is not set"))]


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path):
    """An app on a new, empty database of each kind (a PostgreSQL one is created and dropped)."""
    if request.param == "sqlite":
        app = make_app(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "instance")
        yield app
        dispose(app)
        return
    base = sa.engine.make_url(os.environ["DATABASE_URL"].replace(
        "postgresql://", "postgresql+psycopg://", 1))
    name = f"sotay_mig_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    app = make_app(base.set(database=name).render_as_string(hide_password=False),
                   tmp_path / "instance")
    yield app
    dispose(app)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def tables(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def at_every_head(app) -> bool:
    """Is every head (the core's and each plugin's) applied to the database?"""
    with app.app_context(), db.engine.connect() as conn:
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        current = MigrationContext.configure(conn).get_current_heads()
        applied = {rev.revision for rev in script.iterate_revisions(current, "base")}
        return set(script.get_heads()) <= applied


def snapshot(app) -> dict:
    """Row counts and a sample of members, to compare before and after an upgrade."""
    with app.app_context():
        counts = {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                  for model in (Member, Organisation, RoleAssignment)}
        sample = db.session.execute(sa.select(
            Member.id, Member.full_name, Member.card_number, Member.org_id, Member.kind,
            Member.status, Member.admission_date).order_by(Member.id).limit(25)).all()
        return {"counts": counts, "sample": [tuple(row) for row in sample]}


def test_empty_database_upgrades_to_every_head_and_back_down(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="heads")
    assert {"org", "member", "user_account", "job_record", "example_note"} <= tables(empty_app)
    assert at_every_head(empty_app)
    with empty_app.app_context():
        flask_migrate.downgrade(revision="base")
    assert tables(empty_app) == set()
    with empty_app.app_context():
        flask_migrate.upgrade(revision="heads")  # and up again
    assert "example_note" in tables(empty_app)


def test_upgrade_keeps_data(empty_app):
    from core.demo import seed

    with empty_app.app_context():
        flask_migrate.upgrade(revision="core@head")
    assert "member" in tables(empty_app) and "example_note" not in tables(empty_app)
    with empty_app.app_context():
        seed(60)
    before = snapshot(empty_app)
    assert before["counts"]["member"] > 60 and len(before["sample"]) == 25
    with empty_app.app_context():
        flask_migrate.upgrade(revision="heads")
    assert "example_note" in tables(empty_app)
    assert snapshot(empty_app) == before
    with empty_app.app_context():
        flask_migrate.downgrade(revision="_example@base")  # removing a plugin's tables only
    assert "example_note" not in tables(empty_app)
    assert snapshot(empty_app) == before


def test_models_and_migrations_agree(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": include_in_migrations})
            diff = compare_metadata(context, db.metadata)
    assert diff == [], "a model changed without a migration: flask db revision --autogenerate"


def test_flask_db_upgrade_on_an_empty_instance(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SOTAY_CONFIG")}
    env["SOTAY_INSTANCE"], env["SOTAY_CONFIG"] = str(tmp_path), "config/demo.toml"
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'sotay.db'}")
    try:
        names = set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"member", "example_note", "alembic_version"} <= names


def test_a_plugin_taken_out_of_plugins_still_upgrades(empty_app, tmp_path):
    """A database upgraded while `_example` was loaded names its revision; once the deployment
    stops loading it, `flask db upgrade` still resolves that revision, and keeps its table."""
    with empty_app.app_context():
        flask_migrate.upgrade(revision="heads")
        uri = empty_app.config["SQLALCHEMY_DATABASE_URI"]
    without = make_app(uri, tmp_path / "without", PLUGINS=[])
    try:
        assert "_example" not in without.extensions["sotay.plugins"].plugins
        result = without.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert at_every_head(without) and "example_note" in tables(without)
    finally:
        dispose(without)


def test_db_upgrade_leaves_out_installed_plugins_not_loaded(empty_app, tmp_path):
    """`flask db upgrade` brings up the core and the loaded plugins; an installed plugin this
    deployment does not load gets no tables until it is loaded."""
    uri = empty_app.config["SQLALCHEMY_DATABASE_URI"]
    without = make_app(uri, tmp_path / "without", PLUGINS=[])
    try:
        result = without.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "member" in tables(without) and "example_note" not in tables(without)
    finally:
        dispose(without)
    result = empty_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "example_note" in tables(empty_app)


def test_account_names_are_filled_and_a_phone_that_is_another_login_is_cleared(empty_app):
    """core_0005 on a database where one account's phone is another's login (a secretary typed
    it in): the login wins, the phone is cleared and the collision is in the audit log."""
    with empty_app.app_context():
        flask_migrate.upgrade(revision="core_0004")
        from datetime import datetime

        users = sa.table("user_account", sa.column("id"), sa.column("login"), sa.column("phone"),
                         sa.column("display_name"), sa.column("is_enabled"),
                         sa.column("created_at", sa.DateTime))
        now = datetime(2026, 11, 21, 9, 0)
        with db.engine.begin() as conn:
            conn.execute(users.insert(), [
                {"id": 1, "login": "99000111", "phone": "0912000111", "display_name": "Chủ thẻ",
                 "is_enabled": True, "created_at": now},
                {"id": 2, "login": "99000222", "phone": "99000111", "display_name": "Người mượn số",
                 "is_enabled": True, "created_at": now},
                {"id": 3, "login": "0933000333", "phone": "0933000333", "display_name": "Không thẻ",
                 "is_enabled": True, "created_at": now}])
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            names = dict(conn.execute(sa.text("SELECT name, user_id FROM account_name")).all())
            phones = dict(conn.execute(sa.text("SELECT id, phone FROM user_account")).all())
            audits = conn.execute(sa.text(
                "SELECT target FROM audit_log WHERE action = 'account.phone_collision'")).scalars().all()
        db.session.remove()
    assert names == {"99000111": 1, "0912000111": 1, "99000222": 2, "0933000333": 3}
    assert phones == {1: "0912000111", 2: None, 3: "0933000333"}
    assert audits == ["user:2"]
