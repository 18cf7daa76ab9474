"""The example plugin's job: archive a branch's old notes, reporting progress.

Safe to run twice (RQ delivers at least once): it only touches notes not yet archived,
so a second run finds nothing left to do."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.api import JobContext, db, utcnow
from plugins._example.models import ExampleNote

BATCH = 200


def archive_old_notes(ctx: JobContext, org_id: int, days: int = 30) -> dict:
    """Archive the notes of branch `org_id` older than `days` days."""
    cutoff = utcnow() - timedelta(days=days)
    pending = select(ExampleNote.id).where(ExampleNote.org_id == org_id,
                                           ExampleNote.archived.is_(False),
                                           ExampleNote.created_at < cutoff)
    ids = list(db.session.scalars(pending))
    for start in range(0, len(ids), BATCH):
        for note in db.session.scalars(select(ExampleNote).where(
                ExampleNote.id.in_(ids[start:start + BATCH]))):
            note.archived = True
        # progress() commits, so each batch is saved before the next begins.
        ctx.progress((start + BATCH) * 100 // len(ids))
    return {"archived": len(ids)}
