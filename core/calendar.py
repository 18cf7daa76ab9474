"""The member's calendar: what the enabled plugins put in it (`calendar_entries`), day by day.

A month at a time, in the reader's province's local time, as a plain list that reads well on a
360 px phone and works without JavaScript (previous and next month are links)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import Blueprint, request
from flask_login import current_user, login_required

from core.localtime import local_to_utc, to_local, today_local
from core.plugins import calendar_for, current_province_id
from core.types import CalendarEntry
from core.web import render

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@dataclass(frozen=True)
class Day:
    """One day of the list and what happens on it (entries with their local start)."""

    day: date
    entries: list[tuple[datetime, CalendarEntry]]


def month_of(text: str | None, today: date) -> date:
    """The first day of the month asked for (?month=2026-12), else this month's."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1) if 1900 < year < 3000 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


@bp.get("/")
@login_required
def index():
    """A member's month: meetings, task deadlines and what else the features put in it."""
    province = current_province_id()
    today = today_local(province)
    first = month_of(request.args.get("month"), today)
    after = next_month(first)
    start = local_to_utc(datetime.combine(first, time()), province)
    end = local_to_utc(datetime.combine(after, time()), province)
    days: dict[date, list] = {}
    for entry in calendar_for(current_user, start, end):
        local = to_local(entry.starts_at, province)
        days.setdefault(local.date(), []).append((local, entry))
    listed = [Day(day, sorted(entries, key=lambda pair: pair[0])) for day, entries in sorted(days.items())]
    previous = (first - timedelta(days=1)).replace(day=1)
    return render("calendar/index.html", days=listed, first=first, today=today,
                  previous=previous.strftime("%Y-%m"), following=after.strftime("%Y-%m"), private=True)
