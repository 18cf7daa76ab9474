"""The scheduled escalation: questions not answered within the province's deadline
(`feedback.deadline_days`) move up one level.

Safe to run twice (RQ delivers at least once, the tick may start it again): a question moved
up is held from now, so a second run finds it within the deadline and leaves it."""
from __future__ import annotations

from sqlalchemy import select

from core.api import JobContext, Organisation, db
from plugins.feedback.access import overdue_cutoff
from plugins.feedback.models import OPEN_STATES, FeedbackQuestion
from plugins.feedback.routing import move_up

BATCH = 200


def overdue_in_province(province_id: int):
    """The statement of the open questions held too long anywhere in the province."""
    return (select(FeedbackQuestion.id)
            .join(Organisation, Organisation.id == FeedbackQuestion.holder_org_id)
            .where(Organisation.province_id == province_id,
                   Organisation.parent_id.is_not(None),  # the province has no level above
                   FeedbackQuestion.status.in_(OPEN_STATES),
                   FeedbackQuestion.held_since < overdue_cutoff(province_id))
            .order_by(FeedbackQuestion.id))


def escalate(ctx: JobContext, province_id: int | None = None) -> dict:
    """Move every overdue question of the province up one level."""
    province_id = province_id or ctx.record.province_id
    ids = list(db.session.scalars(overdue_in_province(province_id)))
    moved = 0
    for start in range(0, len(ids), BATCH):
        for question in db.session.scalars(select(FeedbackQuestion).where(
                FeedbackQuestion.id.in_(ids[start:start + BATCH]))):
            holder = db.session.get(Organisation, question.holder_org_id)
            if holder is None or holder.parent_id is None:
                continue
            move_up(question, holder.parent_id, kind="escalated")
            moved += 1
        ctx.progress(min(100, (start + BATCH) * 100 // len(ids)))  # commits the batch
    db.session.commit()
    return {"escalated": moved}
