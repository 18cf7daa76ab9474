"""Hook implementations of the example plugin (this module is what pluggy registers).

Each hook returns data and the core applies it: no hook is handed the app to change."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.api import ADMIN, SECRETARY, HomeCard, Job, NavLink, Permission, db, hookimpl
from plugins._example.models import ExampleNote
from plugins._example.views import MANAGE, bp


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission(MANAGE, _l("Archive the old notes of a branch"), (ADMIN, SECRETARY))]


@hookimpl
def register_jobs():
    return [Job("_example.archive", "plugins._example.jobs:archive_old_notes",
                title=_l("Archive old notes"))]


@hookimpl
def menu_links(user):
    if not user.is_authenticated or user.home_org_id is None:
        return []
    return [NavLink(_("My notes"), url_for("_example.index"), weight=60, icon="note")]


@hookimpl
def home_cards(user):
    if not user.is_authenticated or user.home_org_id is None:
        return []
    count = db.session.scalar(select(func.count(ExampleNote.id)).where(
        ExampleNote.org_id == user.home_org_id, ExampleNote.archived.is_(False)))
    return [HomeCard(_("Branch notes"), url_for("_example.index"), weight=60, icon="note",
                     body=_("%(count)s note(s) kept by the branch.", count=count))]
