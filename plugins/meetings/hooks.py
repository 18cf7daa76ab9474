"""Hook implementations of the meetings plugin (this module is what pluggy registers)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from core.api import ADMIN, SECRETARY, NotificationKind, Permission, Setting, hookimpl
from plugins.meetings import hall, overview, views
from plugins.meetings.access import MANAGE, OVERSEE


@hookimpl
def register_blueprints():
    return [views.bp, hall.bp, overview.bp]


@hookimpl
def register_permissions():
    return [Permission(MANAGE, _l("Prepare branch meetings, take attendance, record votes and minutes"),
                       (ADMIN, SECRETARY)),
            Permission(OVERSEE, _l("See whether the branches below hold their meetings"), (ADMIN,))]


@hookimpl
def notification_kinds():
    return [NotificationKind("meetings.invitation", _l("Meeting invitations and reminders")),
            NotificationKind("meetings.resolution", _l("Resolutions and conclusions of meetings")),
            NotificationKind("meetings.branch_reminder", _l("Reminders to branches that have not met")),
            NotificationKind("meetings.report", _l("Meeting reports sent up by the branches below")),
            NotificationKind("meetings.confidential", _l("Invitations to meetings with confidential materials"),
                             required=True)]


@hookimpl
def register_settings():
    return [Setting("meetings.online_allowed", _l("Meetings may be held online"), type="bool", default=False),
            Setting("meetings.plan_day", _l("Day of the month by which branches plan next month's meeting"),
                    type="int", default=20, min=1, max=28, level="grassroots")]


# --- the branch's side (views.py): menu, home card, calendar, the day-before reminder; hook
# functions named by specname so that the page groups' hooks never overwrite one another

def _upcoming_statement(org_id: int, after):
    from sqlalchemy import select

    from plugins.meetings.models import Meeting, MeetingStatus

    return (select(Meeting).where(Meeting.org_id == org_id, Meeting.starts_at >= after,
                                  Meeting.status.in_((MeetingStatus.INVITED.value, MeetingStatus.HELD.value)))
            .order_by(Meeting.starts_at, Meeting.id))


@hookimpl(specname="menu_links")
def branch_menu_links(user):
    from flask import url_for
    from flask_babel import gettext as _

    from core.api import NavLink, home_of

    if not user.is_authenticated or home_of(user) is None:
        return []
    return [NavLink(_("Branch meetings"), url_for("meetings.index"), weight=30)]


@hookimpl(specname="home_cards")
def branch_home_cards(user):
    """"Cuộc họp sắp tới": the next meeting of the member's branch (one indexed query)."""
    from datetime import timedelta

    from flask import url_for
    from flask_babel import gettext as _

    from core.api import HomeCard, db, home_of, to_local, utcnow
    from plugins.meetings.models import Participant

    branch = home_of(user) if user.is_authenticated else None
    if branch is None:
        return []
    # A meeting stays "upcoming" for three hours after it starts: it is going on.
    meeting = db.session.scalar(_upcoming_statement(branch, utcnow() - timedelta(hours=3)).limit(1))
    if meeting is None:
        return []
    when = to_local(meeting.starts_at, _province_of(meeting.org_id))
    body = _("%(time)s, %(day)s — %(place)s", time=when.strftime("%H:%M"), day=when.strftime("%d/%m/%Y"),
             place=meeting.place or _("online"))
    badge = None
    if user.member_id and not user.is_helper:
        answered = db.session.scalar(db.select(Participant.rsvp).where(
            Participant.meeting_id == meeting.id, Participant.member_id == user.member_id))
        badge = _("Please answer") if answered is None and meeting.status == "invited" else None
    return [HomeCard(_("Upcoming meeting"), url_for("meetings.show", meeting_id=meeting.id),
                     body=f"{meeting.title}: {body}", weight=5, badge=badge)]


def _province_of(org_id: int):
    from sqlalchemy import select

    from core.api import Organisation, db

    return db.session.scalar(select(Organisation.province_id).where(Organisation.id == org_id))


@hookimpl(specname="calendar_entries")
def branch_calendar_entries(user, start, end):
    from datetime import timedelta

    from flask import url_for
    from sqlalchemy import select

    from core.api import CalendarEntry, db, home_of
    from plugins.meetings.models import Meeting, MeetingStatus

    branch = home_of(user) if user.is_authenticated else None
    if branch is None:
        return []
    found = db.session.scalars(select(Meeting).where(
        Meeting.org_id == branch, Meeting.starts_at >= start, Meeting.starts_at < end,
        Meeting.status.in_((MeetingStatus.INVITED.value, MeetingStatus.HELD.value,
                            MeetingStatus.REPORTED.value))).order_by(Meeting.starts_at).limit(200))
    return [CalendarEntry(m.title, m.starts_at, url_for("meetings.show", meeting_id=m.id),
                          ends_at=m.starts_at + timedelta(hours=2), location=m.place or m.online_url or "",
                          uid=f"meetings-{m.id}") for m in found]


@hookimpl(specname="register_jobs")
def branch_register_jobs():
    from datetime import time, timedelta

    from core.api import Job

    return [Job("meetings.remind", "plugins.meetings.jobs:remind_tomorrow",
                title=_l("Reminding members of tomorrow's meetings"), every=timedelta(days=1), at=time(7, 0))]


@hookimpl(specname="seed_demo")
def branch_seed_demo(demo):
    """The branch's meetings of the demo: one held ten days ago, one next week (plugins/meetings/demo.py)."""
    from plugins.meetings import demo as branch_demo

    branch_demo.seed(demo)


# --- planning and the upper levels (overview.py); hook functions named by specname so that the
# page groups' hooks of the same name never overwrite one another in this module

@hookimpl(specname="menu_links")
def overview_menu_links(user):
    """The overview for those who oversee branches; next month's plan for a branch's staff."""
    from flask import url_for
    from flask_babel import gettext as _

    from core.api import NavLink, can, has_any, home_of

    if not getattr(user, "is_authenticated", False):
        return []
    if has_any(user, OVERSEE):
        return [NavLink(_("Branch meetings below"), url_for("meetings_overview.index"), weight=45,
                        section="manage")]
    if home_of(user) is not None and can(user, MANAGE, home_of(user)):
        return [NavLink(_("Next month's meeting plan"), url_for("meetings_overview.plan"), weight=45,
                        section="manage")]
    return []


@hookimpl(specname="report_sections")
def overview_report_sections(org, user):
    """Meetings held this month, attendance and the branches not met, over `org`'s subtree."""
    from core.api import today_local
    from plugins.meetings.overview_stats import report

    return [report(org, today_local(org.province_id or org.id))]


@hookimpl(specname="seed_demo")
def seed_overview_demo(demo):
    """A year of meetings of the demo province's branches, one "on paper", next month's plans
    (only in the full demo: the tests' database stays empty of meetings)."""
    if demo.content:
        from plugins.meetings import demo_overview

        demo_overview.seed(demo)
