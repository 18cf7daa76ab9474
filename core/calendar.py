"""The member's calendar: what the enabled plugins put in it (`calendar_entries`), day by day.

A month, a week or a day at a time (`?view=`), in the reader's province's local time, as a plain
list that reads well on a 360 px phone and works without JavaScript (previous and next are links).
Plugins add actions above the list through the `calendar_actions` slot (a personal entry, a feed)."""
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


VIEWS = ("month", "week", "day")


def day_of(text: str | None, today: date) -> date:
    """The day asked for (?day=2026-12-03), else today."""
    try:
        found = date.fromisoformat(text or "")
        return found if 1900 < found.year < 3000 else today
    except ValueError:
        return today


def period(view: str, args, today: date) -> tuple[date, date, date, date]:
    """(first day, day after the last, the period before's first day, the next one's) of the view."""
    if view == "day":
        first = day_of(args.get("day"), today)
        return first, first + timedelta(days=1), first - timedelta(days=1), first + timedelta(days=1)
    if view == "week":
        chosen = day_of(args.get("day"), today)
        first = chosen - timedelta(days=chosen.weekday())  # weeks start on Monday
        return first, first + timedelta(days=7), first - timedelta(days=7), first + timedelta(days=7)
    first = month_of(args.get("month"), today)
    after = next_month(first)
    return first, after, (first - timedelta(days=1)).replace(day=1), after


@bp.get("/")
@login_required
def index():
    """A member's month, week or day: meetings, task deadlines and what else the features put in it."""
    province = current_province_id()
    today = today_local(province)
    view = request.args.get("view", "month")
    view = view if view in VIEWS else "month"
    first, after, previous, following = period(view, request.args, today)
    start = local_to_utc(datetime.combine(first, time()), province)
    end = local_to_utc(datetime.combine(after, time()), province)
    days: dict[date, list] = {}
    for entry in calendar_for(current_user, start, end):
        if not start <= entry.starts_at < end:  # a plugin that gives more than was asked
            continue
        local = to_local(entry.starts_at, province)
        days.setdefault(local.date(), []).append((local, entry))
    listed = [Day(day, sorted(entries, key=lambda pair: pair[0])) for day, entries in sorted(days.items())]
    return render("calendar/index.html", days=listed, first=first, last=after - timedelta(days=1), today=today,
                  view=view, previous=previous, following=following, private=True)
