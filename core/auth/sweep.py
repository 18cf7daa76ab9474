"""The core's hourly sweep of what sign-in and forms leave behind: throttle counters whose
window and pause are over (they would start afresh anyway), sessions that ended (signed out,
revoked or expired) more than a day ago, and idempotency keys older than a week (a retry comes
within minutes, not days). Safe to run twice: each run deletes what is old by then."""
from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_

from core.auth.models import Throttle, UserSession
from core.extensions import db
from core.jobs import JobContext
from core.org.models import utcnow
from core.web import IdempotencyKey

log = logging.getLogger(__name__)
EVERY = timedelta(hours=1)
ENDED_SESSIONS_KEPT = timedelta(days=1)
KEYS_KEPT = timedelta(days=7)


def sweep(ctx: JobContext | None = None) -> dict:
    """Job: delete the old rows; returns how many of each."""
    now, config = utcnow(), current_app.config
    window = timedelta(seconds=max(config["LOGIN_WINDOW_SECONDS"], config["FORGOT_WINDOW_SECONDS"]))
    throttles = db.session.execute(delete(Throttle).where(
        Throttle.window_start < now - window,
        or_(Throttle.blocked_until.is_(None), Throttle.blocked_until < now))).rowcount
    ended = now - ENDED_SESSIONS_KEPT
    sessions = db.session.execute(delete(UserSession).where(
        or_(UserSession.revoked_at < ended, UserSession.expires_at < ended))).rowcount
    keys = db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < now - KEYS_KEPT)).rowcount
    db.session.commit()
    log.info("sweep: %s throttle rows, %s sessions, %s idempotency keys", throttles, sessions, keys)
    return {"throttles": throttles, "sessions": sessions, "idempotency_keys": keys}
