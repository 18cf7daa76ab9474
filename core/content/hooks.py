"""Hook implementations of the core's content feature (registered by the plugin host as a core module)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func

from core.content.models import ContentItem, Kind
from core.content.query import PUBLISH, visible_to
from core.extensions import db
from core.org.models import utcnow
from core.org.scope import has_any
from core.plugins import hookimpl
from core.types import HomeCard, NavLink

# Without an expiry of its own, an announcement stays on the home page this many days.
ANNOUNCEMENT_DAYS = 30


@hookimpl
def register_blueprints():
    from core.content.views import bp

    return [bp]


@hookimpl
def menu_links(user):
    if not user.is_authenticated:
        return []
    links = [NavLink(_("Announcements"), url_for("content.announcements"), weight=35, icon="announcement"),
             NavLink(_("Useful life"), url_for("content.life"), weight=40, icon="life")]
    if has_any(user, PUBLISH):
        links.append(NavLink(_("Publish news and documents"), url_for("content.manage"), weight=15, icon="publish",
                             section="manage",
                             description=_("Publish news, documents, announcements and useful-life pages")))
    return links


@hookimpl
def home_cards(user):
    if not user.is_authenticated:
        return []
    cards = []
    latest = newest_announcement(user)
    if latest is not None:
        cards.append(HomeCard(latest.title, url_for("content.read", item_id=latest.id), weight=3, icon="announcement",
                              body=latest.summary or "", badge=_("Announcement")))
    if has_any(user, PUBLISH):
        cards.append(HomeCard(_("Publish something new"), url_for("content.choose_kind"), weight=6, icon="publish",
                              body=_("News, a document, an announcement for your members")))
    return cards


def announcement_since():
    """Announcements older than this are no longer current (CONTENT_ANNOUNCEMENT_DAYS)."""
    from flask import g

    if "_sotay_announcement_since" not in g:  # one instant per request: every hook asks alike
        days = current_app.config.get("CONTENT_ANNOUNCEMENT_DAYS", ANNOUNCEMENT_DAYS)
        g._sotay_announcement_since = utcnow() - timedelta(days=days)
    return g._sotay_announcement_since


def newest_announcement(user):
    """The newest announcement addressed to `user` that is still current: its id, title and
    summary, from the home page's one content query (core.content.library.home_items)."""
    from core.content.library import home_items
    from core.content.library_hooks import HOME_ITEMS

    return home_items(user, HOME_ITEMS, announcement_since()).announcement
