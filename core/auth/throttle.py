"""Slow down password guessing per account and per address without locking anyone out for good.

Only failures count, so 200 members signing in from one ward-hall address all get in, while a
guesser is paused after a few misses on one account (the pause grows, and always ends)."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app, request

from core.auth.models import Throttle
from core.extensions import db
from core.org.models import utcnow


def account_key(kind: str, login: str) -> str:
    """The key of what was typed as a login, hashed: a password typed into the wrong box
    never lands in the database."""
    from core.auth.accounts import normalise_login

    return f"{kind}:" + hashlib.sha256(normalise_login(login).encode()).hexdigest()[:40]


def address_key() -> str:
    return "addr:" + (request.remote_addr or "?")


def blocked_for(*keys: str) -> int:
    """Seconds until every key may try again (0: go ahead)."""
    now = utcnow()
    waits = [0]
    for key in keys:
        row = db.session.get(Throttle, key)
        if row is not None and row.blocked_until and row.blocked_until > now:
            waits.append(int((row.blocked_until - now).total_seconds()) + 1)
    return max(waits)


def record_failure(account_key: str, address_key: str) -> None:
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    now = utcnow()
    for key, limit in ((account_key, config["LOGIN_ACCOUNT_FAILURES"]),
                       (address_key, config["LOGIN_ADDRESS_FAILURES"])):
        row = db.session.get(Throttle, key)
        if row is None:
            row = Throttle(key=key, failures=0, window_start=now)
            db.session.add(row)
        if now - row.window_start > window and (row.blocked_until is None or row.blocked_until < now):
            row.failures, row.window_start = 0, now
        row.failures += 1
        if row.failures >= limit and row.failures % limit == 0:
            # 1, 2, 4, 8 … pauses, capped at an hour.
            factor = 2 ** min(row.failures // limit - 1, 6)
            pause = min(config["LOGIN_ACCOUNT_PAUSE_SECONDS"] * factor, 3600)
            row.blocked_until = now + timedelta(seconds=pause)


def clear(account_key: str) -> None:
    row = db.session.get(Throttle, account_key)
    if row is not None:
        db.session.delete(row)
