"""Who may listen to an item and who manages read-aloud, in one place for every page.

A reading belongs to its content item: whoever may read the item (published to their branch or a
level above, through the content audience helper; or a publisher over the item's organisation)
may listen to it and download its audio; anyone else gets 404, another branch and another
province alike. A province's administrators (`readaloud.manage`, held at the province) choose the
engine, follow the queue and have audio made again."""
from __future__ import annotations

from sqlalchemy import exists, select

from core.api import ContentItem, can, content_visible_to, db, get_scoped, has_any, is_id, refuse

MANAGE = "readaloud.manage"
PUBLISH = "content.publish"


def readable_item(item_id, user) -> ContentItem:
    """An item the user may read or manages (404 otherwise)."""
    if not is_id(item_id):
        refuse(f"content_item:{item_id}")
    item = db.session.scalar(content_visible_to(user).where(ContentItem.id == item_id))
    if item is None and has_any(user, PUBLISH):
        found = db.session.get(ContentItem, item_id)
        item = found if found is not None and can(user, PUBLISH, found.org_id) else None
    if item is None:
        refuse(f"content_item:{item_id}")
    return item


def may_listen(user, item: ContentItem) -> bool:
    """Whether to offer "Nghe" beside an item a page shows (one query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    visible = db.session.scalar(select(exists(content_visible_to(user).where(ContentItem.id == item.id)
                                              .with_only_columns(ContentItem.id))))
    return bool(visible) or can(user, PUBLISH, item.org_id)


def managed_item(item_id, user) -> ContentItem:
    """An item of the administrator's province (404 otherwise)."""
    return get_scoped(ContentItem, item_id, user, MANAGE)
