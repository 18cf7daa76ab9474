"""Local time: each province's time zone, never the server's.

The database keeps naive UTC. What a person reads or types, what "today" means and when a job
"at 07:00" runs are in the province's time zone: its "core"/"time_zone" setting (set on the
province, `core.org.settings`), else the deployment's BABEL_DEFAULT_TIMEZONE (Asia/Ho_Chi_Minh in
config/default.toml). A province's zone is kept a few seconds per process, like its theme."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from cachetools import TTLCache
from flask import Flask, current_app, has_request_context

from core.org.models import utcnow

log = logging.getLogger(__name__)
CACHE = "sotay.zone_cache"
SETTING = ("core", "time_zone")


def init_app(app: Flask) -> None:
    """The `local_time` filter, and a per-process cache of the provinces' zones."""
    seconds = app.config.get("PROVINCE_CACHE_SECONDS", 5)
    app.extensions[CACHE] = TTLCache(maxsize=4096, ttl=seconds) if seconds else None
    app.add_template_filter(local_time, "local_time")


def default_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def zone(province_id: int | None) -> ZoneInfo:
    """The time zone of the province (the deployment's default for None or an unset one)."""
    cache = current_app.extensions.get(CACHE)
    if cache is not None and province_id in cache:
        return cache[province_id]
    found = default_zone()
    if province_id is not None:
        from core.org.settings import get_setting

        name = get_setting(province_id, *SETTING)
        if name:
            try:
                found = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("province %s: unknown time zone %r, using %s", province_id, name, found)
    if cache is not None:
        cache[province_id] = found
    return found


def forget(province_id: int | None) -> None:
    """Drop a province's cached zone (after its setting changed)."""
    cache = current_app.extensions.get(CACHE)
    if cache is not None:
        cache.pop(province_id, None)


def now_local(province_id: int | None) -> datetime:
    """Now, in the province's time zone (an aware datetime)."""
    return to_local(utcnow(), province_id)


def today_local(province_id: int | None) -> date:
    """The province's date now: from 17:00 UTC on, Vietnam is already in the next day."""
    return now_local(province_id).date()


def to_local(moment: datetime, province_id: int | None) -> datetime:
    """A stored (naive UTC) time, in the province's time zone (an aware datetime)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone(province_id))


def local_to_utc(moment: datetime, province_id: int | None) -> datetime:
    """A wall-clock time of the province (naive, as typed), as the naive UTC the database keeps."""
    return moment.replace(tzinfo=zone(province_id)).astimezone(timezone.utc).replace(tzinfo=None)


def reader_province() -> int | None:
    """The province of whoever reads the page (None outside a request or signed out)."""
    if not has_request_context():
        return None
    from core.plugins import current_province_id

    return current_province_id()


def reader_zone() -> str:
    """Flask-Babel's time zone selector: `format_datetime` and `datetimeformat` show the
    reader's province's time."""
    return zone(reader_province()).key


def local_time(moment: datetime | None, pattern: str = "dd/MM/yyyy HH:mm") -> str:
    """Jinja filter: `{{ note.created_at|local_time }}`, a stored UTC time in the reader's
    province's time (a Babel pattern)."""
    if moment is None:
        return ""
    from flask_babel import get_locale

    return format_datetime(to_local(moment, reader_province()), pattern, locale=get_locale())
