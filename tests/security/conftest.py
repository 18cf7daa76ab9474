"""One seeded world per test process: the demo database copied once, objects placed in every
relation to every role (tests/security/world.py), and a signed-in client per role.

GETs and refused POSTs change nothing the tests look at, so they share that one app; a POST
that is allowed changes things, so it runs on a fresh copy of the same world."""
from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.extensions import db
from tests.conftest import _new_app
from tests.security.plugin_parts import install
from tests.security.world import ROLES, build_world, sign_in, values_for

install()  # the plugins' own rules and objects (tests/plugins/<name>/access.py)


def _clone(template_db: dict, source_uri: str, folder: Path) -> str:
    """A new database holding what `source_uri` holds (SQLite file or PostgreSQL template)."""
    if template_db["admin"] is None:
        target = folder / f"{uuid.uuid4().hex[:8]}.db"
        with sqlite3.connect(sa.engine.make_url(source_uri).database) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"
    name = f"sotay_s_{uuid.uuid4().hex[:10]}"
    source = sa.engine.make_url(source_uri).database
    with template_db["admin"].connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    return sa.engine.make_url(template_db["uri"]).set(database=name).render_as_string(hide_password=False)


def _drop(template_db: dict, uri: str) -> None:
    if template_db["admin"] is not None:
        name = sa.engine.make_url(uri).database
        with template_db["admin"].connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def matrix_app(uri: str, instance: Path):
    """The test app with every installed plugin loaded (a new plugin is in the matrix at once)."""
    import tomllib
    from importlib.metadata import entry_points

    from core.paths import ROOT

    configured = tomllib.loads((ROOT / "config" / "default.toml").read_text())["PLUGINS"]
    plugins = sorted({ep.name for ep in entry_points(group="sotay.plugins")} | set(configured))
    return _new_app(uri, instance, PLUGINS=plugins)


@pytest.fixture(scope="session")
def world(template_db, tmp_path_factory):
    """The built world, its app, and one signed-in person per role (anonymous included)."""
    import flask_migrate

    folder = tmp_path_factory.mktemp("security")
    uri = _clone(template_db, template_db["uri"], folder)
    instance = folder / "instance"
    app = matrix_app(uri, instance)
    with app.app_context():
        flask_migrate.upgrade(revision="heads")  # tables of a plugin the demo seed did not load
        built = build_world(template_db["accounts"])
        db.session.remove()
    _dispose(app)  # PostgreSQL copies a database only while nobody is connected to it
    pristine = {"uri": _clone(template_db, uri, folder), "instance": folder / "pristine-instance"}
    shutil.copytree(instance, pristine["instance"])
    people = {role: sign_in(app, template_db["accounts"], role) for role in ROLES}
    built.app, built.people, built.pristine, built.folder = app, people, pristine, folder
    built.values = values_for(app)
    yield built
    _dispose(app)
    _drop(template_db, uri)
    _drop(template_db, pristine["uri"])


@pytest.fixture
def fresh_world(world, template_db):
    """A copy of the world as it was built (database and files), for posts that change it."""
    uri = _clone(template_db, world.pristine["uri"], world.folder)
    instance = world.folder / f"instance-{uuid.uuid4().hex[:6]}"
    shutil.copytree(world.pristine["instance"], instance)
    app = matrix_app(uri, instance)
    yield app
    _dispose(app)
    _drop(template_db, uri)


def pytest_terminal_summary(terminalreporter):
    """The matrix's figures, when this folder's tests ran (tests/security/report.py)."""
    from tests.security import report

    lines = report.summary_lines()
    if lines:
        terminalreporter.section("security figures")
        for line in lines:
            terminalreporter.write_line(line)
