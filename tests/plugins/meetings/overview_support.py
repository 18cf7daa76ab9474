"""Helpers for the overview's tests: meetings made directly, with their counters filled."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.extensions import db
from core.localtime import local_to_utc
from core.org.models import Organisation
from plugins.meetings.models import Meeting
from plugins.meetings.overview_stats import add_months
from tests.support import local_today


def branch_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def month_day(months_from_now: int, day: int = 10, hour: int = 8) -> datetime:
    """A naive local time on `day` of the month `months_from_now` away from this one."""
    first = add_months(local_today(), months_from_now)
    return datetime.combine(date(first.year, first.month, day), datetime.min.time()).replace(hour=hour)


def add_meeting(app, org_id: int, months_from_now: int, *, status="held", kind="regular", day=10, hour=8,
                expected=20, present=15, ratings=(0, 0), conclusions=None, recorded_days=0,
                title="Sinh hoạt chi bộ") -> int:
    with app.app_context():
        province = db.session.get(Organisation, org_id).province_id
        starts = local_to_utc(month_day(months_from_now, day, hour), province)
        meeting = Meeting(org_id=org_id, status=status, kind=kind, title=title, starts_at=starts,
                          expected_count=expected, present_count=present, rating_count=ratings[0],
                          rating_sum=ratings[1], conclusions=conclusions,
                          recorded_at=starts + timedelta(days=recorded_days) if status in ("held", "reported") else None)
        db.session.add(meeting)
        db.session.commit()
        return meeting.id
