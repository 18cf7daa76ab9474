"""Hook implementations of the tasks plugin (this module is what pluggy registers)."""
from __future__ import annotations

from datetime import time, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.api import (ADMIN, SECRETARY, HomeCard, Job, NavLink, NotificationKind, Permission, Setting, db,
                      has_any, hookimpl)
from plugins.tasks import assign, personal, views  # noqa: F401 (assign and personal add their pages)
from plugins.tasks.access import ASSIGN, own_member_id
from plugins.tasks.jobs import REMIND_DAYS, REMIND_SETTING
from plugins.tasks.models import OPEN, TasksRow
from plugins.tasks.service import ASSIGNED_KIND, LATE_KIND, REMINDER_KIND, REPORT_KIND, late_condition, local_now


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_permissions():
    return [Permission(ASSIGN, _l("Give tasks in one's part of the tree and follow them"), (ADMIN, SECRETARY))]


@hookimpl
def register_settings():
    return [Setting(REMIND_SETTING, _l("Days before a task's deadline when members are reminded (0: on the day)"),
                    type="int", default=REMIND_DAYS, min=0, max=14)]


@hookimpl
def notification_kinds():
    return [NotificationKind(ASSIGNED_KIND, _l("Tasks given to me and answers to my reports")),
            NotificationKind(REMINDER_KIND, _l("Reminders a few days before a task's deadline")),
            NotificationKind(LATE_KIND, _l("When a task of mine is late"), required=True),
            NotificationKind(REPORT_KIND, _l("Reports on the tasks I gave"))]


@hookimpl
def register_jobs():
    return [Job("tasks.remind", "plugins.tasks.jobs:remind", title=_l("Reminding members of tasks due and late"),
                every=timedelta(days=1), at=time(7, 0)),
            Job("tasks.repeat", "plugins.tasks.jobs:repeat", title=_l("Giving the next occurrence of repeated tasks"),
                every=timedelta(days=1), at=time(6, 30))]


@hookimpl
def menu_links(user):
    if not user.is_authenticated or user.is_helper:
        return []
    links = []
    if own_member_id(user) is not None or has_any(user, ASSIGN):
        links.append(NavLink(_("My tasks"), url_for("tasks.index"), weight=25, icon="task"))
    if has_any(user, ASSIGN):
        links.append(NavLink(_("Give and follow tasks"), url_for("tasks.given"), weight=25, icon="task",
                             section="manage", description=_("Tasks for members and branches, who is late")))
    return links


@hookimpl
def home_cards(user):
    """"Việc của tôi": how many of the member's tasks are open and late (one query)."""
    member = own_member_id(user) if user.is_authenticated else None
    if member is None or user.home_org_id is None:
        return []
    now = local_now(_province(user.home_org_id))
    open_count, late = db.session.execute(select(
        func.count(TasksRow.id), func.count(TasksRow.id).filter(late_condition(now)))
        .where(TasksRow.member_id == member, TasksRow.state.in_(OPEN))).one()
    if not open_count:
        return []
    body = (_("%(n)s task(s) to do, %(late)s late.", n=open_count, late=late) if late
            else _("%(n)s task(s) to do.", n=open_count))
    return [HomeCard(_("My tasks"), url_for("tasks.index"), body=body, weight=8 if late else 12,
                     badge=str(late) if late else None, icon="task")]


def _province(org_id: int) -> int:
    from core.api import Organisation

    return db.session.scalar(select(Organisation.province_id).where(Organisation.id == org_id)) or org_id


@hookimpl
def calendar_entries(user, start, end):
    """The member's task deadlines and own entries (meetings come from the meetings plugin)."""
    return personal.entries_for(user, start, end)


@hookimpl
def report_sections(org, user):
    """Shares of work in the subtree: done, done on time, late (one query)."""
    from plugins.tasks import report

    return report.sections(org)


@hookimpl
def page_slot(slot, user, context):
    if slot == "calendar_actions":
        return personal.actions(user)
    return None


@hookimpl
def seed_demo(demo):
    from plugins.tasks import demo as tasks_demo

    if not tasks_demo.has_data():
        tasks_demo.seed(demo)
