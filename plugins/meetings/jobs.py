"""The meetings plugin's scheduled job: the reminder the day before a meeting.

Runs every day at 07:00 in each province's time (core.schedule), once per province where the
plugin is enabled. Safe to run twice: a meeting reminded keeps `reminded_at`, and each notice
carries a key, so a second run (or RQ delivering again) tells nobody twice."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from core.api import JobContext, Organisation, User, db, local_to_utc, notify, to_local, today_local, utcnow
from plugins.meetings.models import Meeting, MeetingStatus, Participant
from plugins.meetings.service import meeting_url

REMIND = "meetings.remind"


def tomorrow_bounds(province_id: int | None) -> tuple[datetime, datetime]:
    """Tomorrow in the province's time, as the UTC interval the database keeps."""
    day = today_local(province_id) + timedelta(days=1)
    start = local_to_utc(datetime.combine(day, time.min), province_id)
    return start, start + timedelta(days=1)


def remind_tomorrow(ctx: JobContext) -> dict:
    """Tell every invitee of tomorrow's meetings in the province (those with an account)."""
    province_id = ctx.record.province_id
    start, end = tomorrow_bounds(province_id)
    due = list(db.session.scalars(
        select(Meeting).join(Organisation, Organisation.id == Meeting.org_id)
        .where(Organisation.province_id == province_id, Meeting.status == MeetingStatus.INVITED.value,
               Meeting.reminded_at.is_(None), Meeting.starts_at >= start, Meeting.starts_at < end)
        .order_by(Meeting.id)))
    told = 0
    for number, meeting in enumerate(due, 1):
        when = to_local(meeting.starts_at, province_id)
        title = _("Reminder: %(title)s tomorrow at %(time)s", title=meeting.title, time=when.strftime("%H:%M"))
        body = meeting.place or meeting.online_url or ""
        rows = db.session.execute(select(Participant.member_id, User.id).join(
            User, User.member_id == Participant.member_id).where(
            Participant.meeting_id == meeting.id, User.is_enabled.is_(True),
            Participant.rsvp.is_distinct_from("no")))
        for member_id, user_id in rows:
            notify("meetings.invitation", title, url=meeting_url(meeting), body=body, user_id=user_id,
                   dedupe_key=f"meetings.remind:{meeting.id}:{member_id}")
            told += 1
        meeting.reminded_at = utcnow()
        ctx.progress(number * 100 // len(due))  # commits this meeting's notices with its mark
    return {"meetings": len(due), "told": told}
