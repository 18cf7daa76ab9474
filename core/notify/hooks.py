"""Hook implementations of the core's notify feature (registered by the plugin host as a core module):
the inbox, the weekly digest, the portal feed import and the home-screen app."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.events import ContentPublished
from core.jobs import Job
from core.notify import service
from core.plugins import hookimpl
from core.types import NavLink

# The inbox kind of each kind of content (useful-life pages are not announced).
KIND_OF = {"document": service.NEW_DOCUMENT, "news": service.NEW_NEWS,
           "announcement": service.ANNOUNCEMENT}


@hookimpl
def register_blueprints():
    from core.content.feed_views import bp as feeds_bp
    from core.notify.views import bp as notify_bp
    from core.pwa import bp as pwa_bp

    return [notify_bp, feeds_bp, pwa_bp]


@hookimpl
def register_jobs():
    return [
        Job("content.announce_due", "core.notify.jobs:announce_due", every=timedelta(minutes=5),
            title=_l("Announcing scheduled content")),
        Job("notify.digest", "core.notify.digest:weekly_digest", every=timedelta(days=7),
            title=_l("The weekly summary")),
        Job("content.feeds", "core.content.feeds:import_feeds", every=timedelta(minutes=30),
            title=_l("Importing news from the portal")),
    ]


@hookimpl
def notification_kinds():
    return service.core_kinds()


@hookimpl
def menu_links(user):
    if not user.is_authenticated:
        return []
    from core.content.feeds import may_manage_feeds

    count = service.unread_count(user)
    label = _("Notifications (%(count)s)", count=count) if count else _("Notifications")
    links = [NavLink(label, url_for("notify.index"), weight=80, icon="inbox")]
    if may_manage_feeds(user):
        links.append(NavLink(_("Portal news feeds"), url_for("feeds.index"), weight=70, icon="feed",
                             section="manage",
                             description=_("Import news from the provincial Party portal")))
    return links


@hookimpl
def track_event(event):
    if isinstance(event, ContentPublished):
        announce(event.item_id)


def announce(item_id: int):
    """One notification to the issuing organisation's subtree, once per item, when it is visible."""
    from core.content.models import ContentItem, Status
    from core.extensions import db
    from core.org.models import utcnow

    item = db.session.get(ContentItem, item_id)
    kind = KIND_OF.get(item.kind) if item is not None else None
    if kind is None or item.status != Status.PUBLISHED.value:
        return None
    if item.publish_at is not None and item.publish_at > utcnow():
        return None  # scheduled: content.announce_due announces it when its time comes
    return service.notify(kind, item.title, url=f"/c/{item.id}", org_id=item.org_id,
                          dedupe_key=f"content:{item.id}")
