"""Hook implementations of the content library (reading, search, bookmarks): a core module."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.content.models import ContentItem, Kind
from core.content.query import visible_to
from core.extensions import db
from core.plugins import hookimpl
from core.types import HomeCard, NavLink

HOME_ITEMS = 3


@hookimpl
def register_blueprints():
    from core.content.library import bp

    return [bp]


@hookimpl
def menu_links(user):
    if not user.is_authenticated:
        return []
    return [NavLink(_("News"), url_for("library.news_list"), weight=20, icon="news"),
            NavLink(_("Documents"), url_for("library.documents_list"), weight=30, icon="document")]


@hookimpl
def home_cards(user):
    """The three newest news titles and documents: one small query each (the home page is the
    busiest page of all)."""
    if not user.is_authenticated:
        return []
    from core.content.hooks import announcement_since
    from core.content.library import home_items, item_url, snippet

    items = home_items(user, HOME_ITEMS, announcement_since())
    cards = []
    for rows, title, endpoint, weight, drawing in (
            (items.news, _("Latest news"), "library.news_list", 20, "news"),
            (items.documents, _("New documents"), "library.documents_list", 30, "document")):
        if rows:
            cards.append(HomeCard(title, url_for(endpoint), weight=weight, icon=drawing, html=snippet(
                "content/library_card.html", rows=rows, item_url=item_url)))
    return cards


@hookimpl
def page_slot(slot, user, context):
    """"Save to read later" / "Remove from saved" on an item's page, for those who may read it."""
    item = context.get("item")
    if slot != "content_actions" or item is None or not user.is_authenticated:
        return None
    from flask import request

    from core.content.library import is_saved, is_visible, snippet

    if not is_visible(user, item.id):
        return None
    return snippet("content/library_bookmark.html", item_id=item.id, saved=is_saved(user, item.id),
                   back=request.path)
