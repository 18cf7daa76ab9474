"""Who sees which content: the one place content queries are scoped.

A member sees what their own branch and every organisation above it published; a publisher
manages what organisations in their scope published."""
from __future__ import annotations

from sqlalchemy import Select, or_, select

from core.content.models import ContentItem, Status
from core.org.models import utcnow
from core.org.scope import home_of, publishing_ids, scope_ids

PUBLISH = "content.publish"


def visible_to(user) -> Select:
    """Published items addressed to `user`'s branch or any level above it (none if anonymous)."""
    stmt = select(ContentItem)
    if home_of(user) is None:
        return stmt.where(False)
    return stmt.where(ContentItem.org_id.in_(publishing_ids(user)),
                      ContentItem.status == Status.PUBLISHED.value,
                      or_(ContentItem.publish_at.is_(None), ContentItem.publish_at <= utcnow()))


def manageable_by(user) -> Select:
    """Items (any status) issued by organisations where `user` may publish."""
    return select(ContentItem).where(ContentItem.org_id.in_(scope_ids(user, PUBLISH)))


def seen_visible(user, item_id: int) -> None:
    """Note, for the rest of the request, that `user` may read item `item_id` (a view found it
    through visible_to): the hooks of the same page then ask the database nothing more."""
    from flask import g

    g.setdefault("_sotay_visible", set()).add((user.id, item_id))


def known_visible(user, item_id: int) -> bool:
    from flask import g, has_request_context

    return has_request_context() and (user.id, item_id) in g.get("_sotay_visible", ())
