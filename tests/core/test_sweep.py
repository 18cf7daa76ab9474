"""The hourly core sweep: old throttle rows, ended sessions and old idempotency keys go; live ones stay."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.auth.models import Throttle, User, UserSession
from core.extensions import db
from core.jobs import enqueue
from core.org.models import utcnow
from core.schedule import scheduled_jobs
from core.web import IdempotencyKey
from tests.support import Visitor


def test_the_sweep_is_scheduled_and_deletes_only_what_is_over(app, accounts):
    live = Visitor(app.test_client())
    live.login(accounts["member"])
    now = utcnow()
    with app.app_context():
        assert "core.sweep" in {job.name for job in scheduled_jobs()}
        user_id = db.session.scalar(select(User.id).where(User.login == accounts["member"]["login"]))
        db.session.add_all([
            Throttle(key="pair:uold:203.0.113.1", failures=3, window_start=now - timedelta(days=2)),
            Throttle(key="acct:ufresh", failures=3, window_start=now),
            Throttle(key="acct:upaused", failures=9, window_start=now - timedelta(days=2),
                     blocked_until=now + timedelta(minutes=5)),
            UserSession(token="ended-long-ago", user_id=user_id, expires_at=now - timedelta(days=3)),
            UserSession(token="signed-out-long-ago", user_id=user_id, expires_at=now + timedelta(days=30),
                        revoked_at=now - timedelta(days=2)),
            UserSession(token="signed-out-just-now", user_id=user_id, expires_at=now + timedelta(days=30),
                        revoked_at=now - timedelta(minutes=1)),
            IdempotencyKey(key="old-key", location="/", created_at=now - timedelta(days=8)),
            IdempotencyKey(key="new-key", location="/", created_at=now - timedelta(hours=1)),
        ])
        db.session.commit()
        record = enqueue("core.sweep")
        result = db.session.get(type(record), record.id).result
        throttles = set(db.session.scalars(select(Throttle.key)))
        sessions = set(db.session.scalars(select(UserSession.token)))
        keys = set(db.session.scalars(select(IdempotencyKey.key)))
    assert result == {"throttles": 1, "sessions": 2, "idempotency_keys": 1}
    assert {"acct:ufresh", "acct:upaused"} <= throttles and "pair:uold:203.0.113.1" not in throttles
    assert "signed-out-just-now" in sessions and not {"ended-long-ago", "signed-out-long-ago"} & sessions
    assert keys >= {"new-key"} and "old-key" not in keys
    assert live.get("/").status_code == 200  # a live session is untouched
