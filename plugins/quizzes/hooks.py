"""Hook implementations of the quizzes plugin (this module is what pluggy registers)."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.api import ADMIN, HomeCard, Job, NavLink, NotificationKind, Permission, hookimpl, to_local
from plugins.quizzes import cli, importer, manage, practice, report, service, views  # noqa: F401 (they add pages)
from plugins.quizzes import demo as demo_data
from plugins.quizzes.access import ORGANISE, desks


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_permissions():
    return [Permission(ORGANISE, _l("Write question banks and run contests for the organisations below"), (ADMIN,))]


@hookimpl
def register_jobs():
    return [Job("quizzes.close_expired", "plugins.quizzes.jobs:close_expired",
                title=_l("Hand in the attempts whose time is up"), every=timedelta(minutes=5))]


@hookimpl
def register_commands():
    return [cli.group]


@hookimpl
def notification_kinds():
    return [NotificationKind("quizzes.contest", _l("New contests I may take part in"))]


@hookimpl
def menu_links(user):
    if not user.is_authenticated:
        return []
    links = []
    if not user.is_helper and user.member_id is not None:
        links.append(NavLink(_("Contests"), url_for("quizzes.index"), weight=60, icon="study"))
        links.append(NavLink(_("Practice"), url_for("quizzes.practice"), weight=61, icon="question"))
    if desks(user):
        links.append(NavLink(_("Contests and question banks"), url_for("quizzes.contests"), weight=60,
                             icon="study", section="manage",
                             description=_("Write questions, run a contest, read results and rankings")))
    return links


@hookimpl
def home_cards(user):
    """The open contests the member may take: today's business, above the tiles."""
    if not user.is_authenticated:
        return []
    running = service.contests_for(user, open_only=True)
    if not running:
        return []
    cards = []
    for contest in running[:3]:
        ends = to_local(contest.closes_at, service.province_of(contest))
        cards.append(HomeCard(_("Contest: %(title)s", title=contest.title),
                              url_for("quizzes.contest", contest_id=contest.id), weight=15, icon="study",
                              body=_("Open until %(time)s.", time=ends.strftime("%H:%M %d/%m/%Y"))))
    return cards


@hookimpl
def report_sections(org, user):
    return report.sections(org)


@hookimpl
def seed_demo(demo):
    demo_data.seed(demo)
