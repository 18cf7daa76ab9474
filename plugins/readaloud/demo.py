"""Demo audio: a few of the demo province's newest items read aloud at seed time (synthesised
here, not queued: `seed-demo` ends before a worker would run), so `./sotay run` shows the
listening page working for every role. The rest get theirs when first opened."""
from __future__ import annotations

import logging

from sqlalchemy import or_, select

from core.api import ContentItem, DemoWorld, Organisation, db

log = logging.getLogger(__name__)
DEMO_ITEMS = 4


class _Quiet:
    """What `make` needs of a job context, when it runs outside the queue."""

    record = None

    def progress(self, percent, message=None) -> None:
        pass


def seed(demo: DemoWorld) -> None:
    from plugins.readaloud.engines import EngineFailed
    from plugins.readaloud.jobs import make

    newest = db.session.scalars(
        select(ContentItem.id).join(Organisation, Organisation.id == ContentItem.org_id)
        .where(or_(Organisation.province_id == demo.province_id, Organisation.id == demo.province_id),
               ContentItem.status == "published",
               ContentItem.kind.in_(("news", "document", "announcement")))
        .order_by(ContentItem.created_at.desc(), ContentItem.id.desc()).limit(DEMO_ITEMS)).all()
    for item_id in newest:
        try:
            make(_Quiet(), item_id)
        except EngineFailed as failed:  # no espeak-ng here: the pages say why
            log.warning("demo: no audio for item %s: %s", item_id, failed)
    db.session.commit()
