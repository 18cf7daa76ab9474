"""Scheduled content is announced when its time comes, like content published at once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, cast, select

from core.content.models import ContentItem, Status
from core.events import ContentPublished, emit
from core.extensions import db
from core.jobs import JobContext
from core.notify.hooks import KIND_OF
from core.notify.models import Notification
from core.org.models import Organisation, utcnow

# Items that became due longer ago than this are left alone (a schedule that was down for a
# month does not flood the inbox with old news on its return).
LOOKBACK = timedelta(days=7)


def announce_due(ctx: JobContext) -> dict:
    """Emit ContentPublished for published items whose publish_at has passed and that were not
    announced yet; the notification's dedupe key makes a second run (or a race) add nothing."""
    now = utcnow()
    key = "content:" + cast(ContentItem.id, String)
    rows = db.session.execute(
        select(ContentItem.id, ContentItem.org_id, ContentItem.kind, ContentItem.created_by_id,
               Organisation.province_id)
        .join(Organisation, Organisation.id == ContentItem.org_id)
        .where(ContentItem.status == Status.PUBLISHED.value, ContentItem.kind.in_(list(KIND_OF)),
               ContentItem.publish_at <= now, ContentItem.publish_at > now - LOOKBACK,
               ~select(Notification.id).where(Notification.dedupe_key == key).exists())
        .order_by(ContentItem.publish_at)).all()
    db.session.commit()  # end the read before the listeners write
    for done, row in enumerate(rows, 1):
        emit(ContentPublished(province_id=row.province_id, actor_id=row.created_by_id,
                              item_id=row.id, org_id=row.org_id, kind=row.kind))
        if done % 50 == 0:
            ctx.progress(done * 100 // len(rows))
    return {"announced": len(rows)}
