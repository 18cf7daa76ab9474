"""The scheduled close: attempts whose time is up are handed in with what was saved, even when
the contestant never came back. Safe to run twice: an attempt handed in is left as it is."""
from __future__ import annotations

from sqlalchemy import select

from core.api import JobContext, Organisation, db, utcnow
from plugins.quizzes.models import QuizAttempt, QuizContest
from plugins.quizzes.service import GRACE, finish

BATCH = 500


def close_expired(ctx: JobContext, province_id: int | None = None) -> dict:
    """Hand in every attempt of the province whose deadline has passed."""
    province_id = province_id or ctx.record.province_id
    now = utcnow()
    ids = list(db.session.scalars(
        select(QuizAttempt.id).join(QuizContest, QuizContest.id == QuizAttempt.contest_id)
        .join(Organisation, Organisation.id == QuizContest.org_id)
        .where(Organisation.province_id == province_id, QuizAttempt.submitted_at.is_(None),
               QuizAttempt.deadline < now - GRACE).order_by(QuizAttempt.id)))
    for start in range(0, len(ids), BATCH):
        for attempt in db.session.scalars(select(QuizAttempt).where(QuizAttempt.id.in_(ids[start:start + BATCH]))):
            finish(attempt, now, by="time")
        ctx.progress(min(100, (start + BATCH) * 100 // len(ids)))  # commits the batch
    db.session.commit()
    return {"closed": len(ids)}
