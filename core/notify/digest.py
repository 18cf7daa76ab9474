"""The weekly summary: each branch that got new documents or news this week gets one notification
"This week: N documents, M news", counted for all branches of a province in one grouped query.

A branch sees what its own organisation and every level above published, so the count of a
branch is the sum over its ancestors; the query counts per issuing organisation first and
spreads the counts down the closure table, never looping over 5,000 branches with a query each."""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from core.auth.models import User
from core.content.models import ContentItem, Kind, Status
from core.extensions import db
from core.jobs import JobContext
from core.notify.models import Notification, NotificationPreference
from core.notify.service import DIGEST, DIGEST_SMS
from core.org.models import Level, Member, OrgClosure, Organisation, utcnow
from core.sender import send_text

log = logging.getLogger(__name__)
WINDOW = timedelta(days=7)
CHUNK = 1000


def week_of(now: datetime) -> str:
    year, week, _day = now.isocalendar()
    return f"{year}-W{week:02d}"


def branch_counts(province_id: int, since: datetime, now: datetime) -> dict[int, dict[str, int]]:
    """{branch id: {"document": n, "news": m}} for the branches of a province with something new."""
    when = func.coalesce(ContentItem.publish_at, ContentItem.created_at)
    per_org = (select(ContentItem.org_id, ContentItem.kind, func.count().label("n"))
               .join(Organisation, Organisation.id == ContentItem.org_id)
               .where(Organisation.province_id == province_id,
                      ContentItem.status == Status.PUBLISHED.value,
                      ContentItem.kind.in_((Kind.DOCUMENT.value, Kind.NEWS.value)),
                      when > since, when <= now,
                      or_(ContentItem.publish_at.is_(None), ContentItem.publish_at <= now))
               .group_by(ContentItem.org_id, ContentItem.kind).subquery())
    stmt = (select(OrgClosure.descendant_id, per_org.c.kind, func.sum(per_org.c.n))
            .join(per_org, per_org.c.org_id == OrgClosure.ancestor_id)
            .join(Organisation, Organisation.id == OrgClosure.descendant_id)
            .where(Organisation.level == Level.BRANCH.value, Organisation.active.is_(True))
            .group_by(OrgClosure.descendant_id, per_org.c.kind))
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for branch, kind, n in db.session.execute(stmt):
        counts[branch][kind] = int(n)
    return counts


def digest_title(documents: int, news: int) -> str:
    return _("This week: %(documents)s new documents, %(news)s news.", documents=documents, news=news)


def weekly_digest(ctx: JobContext, now: str | None = None) -> dict:
    """For each province, one digest notification per branch with something new this week.

    Safe to run twice: the dedupe key is per branch and ISO week."""
    moment = datetime.fromisoformat(now) if now else utcnow()
    week = week_of(moment)
    provinces = list(db.session.scalars(select(Organisation.id).where(
        Organisation.parent_id.is_(None), Organisation.active.is_(True)).order_by(Organisation.id)))
    created = 0
    for done, province_id in enumerate(provinces, 1):
        counts = branch_counts(province_id, moment - WINDOW, moment)
        new_branches = _add_notifications(counts, week, moment)
        created += len(new_branches)
        _send_texts(new_branches, counts)
        ctx.progress(done * 100 // len(provinces))
    return {"created": created, "week": week}


def _add_notifications(counts: dict[int, dict[str, int]], week: str, moment: datetime) -> list[int]:
    """Insert the digest of every counted branch not yet told this week; the branches told now."""
    keys = {branch: f"digest:{branch}:{week}" for branch in counts}
    told = set()
    items = list(keys.items())
    for start in range(0, len(items), CHUNK):
        told |= set(db.session.scalars(select(Notification.dedupe_key).where(
            Notification.dedupe_key.in_([key for _b, key in items[start:start + CHUNK]]))))
    rows = [{"org_id": branch, "kind": DIGEST, "url": "/documents/", "created_at": moment,
             "dedupe_key": key,
             "title": digest_title(counts[branch].get(Kind.DOCUMENT.value, 0),
                                   counts[branch].get(Kind.NEWS.value, 0))}
            for branch, key in items if key not in told]
    for start in range(0, len(rows), CHUNK):
        try:
            db.session.execute(insert(Notification), rows[start:start + CHUNK])
            db.session.commit()
        except IntegrityError:  # a concurrent run got there first: leave those branches to it
            db.session.rollback()
            log.warning("digest %s: another run is adding the same notifications", week)
            return [row["org_id"] for row in rows[:start]]
    return [row["org_id"] for row in rows]


def _send_texts(branches: list[int], counts: dict[int, dict[str, int]]) -> int:
    """Text the digest to members of these branches who asked for it (kind "digest_sms")."""
    if not branches:
        return 0
    sent = 0
    for start in range(0, len(branches), CHUNK):
        member_id = func.coalesce(User.member_id, User.helped_member_id)
        rows = db.session.execute(
            select(func.coalesce(User.phone, Member.phone), Member.org_id)
            .join(NotificationPreference, NotificationPreference.user_id == User.id)
            .join(Member, Member.id == member_id)
            .where(NotificationPreference.kind == DIGEST_SMS, NotificationPreference.enabled.is_(True),
                   User.is_enabled.is_(True), Member.org_id.in_(branches[start:start + CHUNK]))).all()
        for phone, branch in rows:
            count = counts[branch]
            sent += send_text(phone, digest_title(count.get(Kind.DOCUMENT.value, 0),
                                                  count.get(Kind.NEWS.value, 0)))
    return sent
