"""Dates the overview's tests type: next month in the demo province's time."""
from __future__ import annotations

from datetime import date

from plugins.meetings.overview_stats import add_months
from tests.support import local_today


def next_month_day(day: int) -> date:
    first = add_months(local_today(), 1)
    return date(first.year, first.month, day)
