"""Helpers for plugin tests: an app with extra plugins, and per-province switches."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select

from core import create_app
from core.extensions import db
from core.org.models import Organisation, PluginState
from tests.conftest import BASE_CONFIG

FIXTURE = {"fixture": "tests.plugins.fixture_plugin"}


def make_app(db_uri: str, instance: Path, **config):
    """The test app on a copy of the demo database; `config` adds EXTRA_PLUGINS and the like."""
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": db_uri,
                       "INSTANCE_PATH": str(instance), **config})


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def org_named(app, name: str) -> Organisation:
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        db.session.expunge(org)
        return org


def province_of_role(app, accounts, role: str) -> int:
    """The province id of a demo account's organisation."""
    return org_named(app, accounts[role]["org"]).province_id


def switch(app, province_id: int, plugin: str, enabled: bool) -> None:
    """Turn `plugin` on or off for a province the way /admin/plugins does: one plugin_state row."""
    with app.app_context():
        state = db.session.get(PluginState, (province_id, plugin))
        if state is None:
            state = PluginState(province_id=province_id, plugin=plugin)
            db.session.add(state)
        state.enabled = enabled
        db.session.commit()


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "")
