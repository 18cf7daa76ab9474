"""What a member browses: the news, the document library with its search, and saved items.

Every list starts from core.content.query.visible_to: a member sees what their own branch and
every level above it published, never a sibling branch's or another province's."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload
from wtforms import DateField, SearchField, SelectField
from wtforms.validators import Optional

from core.content.forms import DATE_FORMATS, DOCUMENT_CATEGORIES, KIND_TITLES
from core.content.models import Bookmark, ContentItem, Kind
from core.content.query import known_visible, visible_to
from core.content.search import search
from core.content.service import plain_text
from core.extensions import db, htmx
from core.org.models import Level, OrgClosure, Organisation
from core.org.scope import MAX_ID, refuse
from core.security import safe_next
from core.fields import options
from core.web import Page, render

bp = Blueprint("library", __name__)

CATEGORIES = list(DOCUMENT_CATEGORIES.items())
# Who issued it: the member's own branch, each level above, or the Centre (published by the province).
LEVELS = [("branch", _l("My branch")), ("grassroots", _l("Grassroots Party committee")),
          ("district", _l("District level")), ("province", _l("Province")),
          ("central", _l("The Centre"))]
ORG_LEVELS = {"branch": (Level.BRANCH.value,), "grassroots": (Level.GRASSROOTS.value, Level.SUBUNIT.value),
              "district": (Level.DISTRICT.value,), "province": (Level.PROVINCE.value,)}
EXTRACT = 220  # characters of a result's extract
BAD_DATE = _l("Please enter a date such as 05/12/2025.")


# --- what the lists show ------------------------------------------------------------------------

class LibraryForm(FlaskForm):
    """The library's filters: a GET form, so a search is a link that can be shared or reloaded."""

    class Meta:
        csrf = False

    q = SearchField(_l("Words, title or number"))
    category = SelectField(_l("Type of document"), choices=options([("", _l("All types"))] + CATEGORIES),
                           validate_choice=False)
    level = SelectField(_l("Issued by"), choices=options([("", _l("All levels"))] + LEVELS),
                        validate_choice=False)
    issued_from = DateField(_l("Issued from"), [Optional()], format=DATE_FORMATS, invalid_value_message=BAD_DATE)
    issued_to = DateField(_l("Issued until"), [Optional()], format=DATE_FORMATS, invalid_value_message=BAD_DATE)


@dataclass
class LibraryFilter:
    """The filters in force; unknown choices and unreadable dates are left out."""

    q: str = ""
    category: str = ""
    level: str = ""
    issued_from: date | None = None
    issued_to: date | None = None

    @classmethod
    def from_form(cls, form: LibraryForm) -> LibraryFilter:
        def known(value, choices) -> str:
            return value if value in dict(choices) else ""

        return cls(q=" ".join((form.q.data or "").split())[:200],
                   category=known(form.category.data, CATEGORIES), level=known(form.level.data, LEVELS),
                   issued_from=form.issued_from.data if not form.issued_from.errors else None,
                   issued_to=form.issued_to.data if not form.issued_to.errors else None)

    def as_args(self) -> dict:
        """The filters worth keeping in the pager's links."""
        return {f.name: getattr(self, f.name).isoformat() if isinstance(getattr(self, f.name), date)
                else getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def by_level(stmt, user, level: str):
    """Items issued at `level` above (or at) the user's branch; "central": the Centre's."""
    if level == "central":
        return stmt.where(ContentItem.level == "central")
    if level not in ORG_LEVELS:
        return stmt
    orgs = (select(OrgClosure.ancestor_id).join(Organisation, Organisation.id == OrgClosure.ancestor_id)
            .where(OrgClosure.descendant_id == user.home_org_id, Organisation.level.in_(ORG_LEVELS[level])))
    return stmt.where(ContentItem.org_id.in_(orgs),
                      or_(ContentItem.level.is_(None), ContentItem.level != "central"))


def newest():
    """Newest first for news and mixed lists: when it was published (or written)."""
    return func.coalesce(ContentItem.publish_at, ContentItem.created_at).desc(), ContentItem.id.desc()


def newest_issued():
    """Newest first for documents: by their date of issue."""
    return ContentItem.issued_on.desc().nulls_last(), ContentItem.id.desc()


@dataclass(frozen=True)
class HomeItems:
    """What the home page shows of the content: the newest news, documents, announcement."""

    news: list
    documents: list
    announcement: object | None  # (id, title, summary) or None


def home_items(user, count: int, announcement_since) -> HomeItems:
    """The home page's content in ONE statement (the home page is the busiest page of all): the
    `count` newest news and documents and the newest current announcement, each part chosen
    from the index by its own order and limit, glued with UNION ALL. Kept for the request, so
    each hook that shows a part asks the database nothing more."""
    from flask import g
    from sqlalchemy import literal, union_all

    memo = g.setdefault("_sotay_home_items", {})
    key = (user.id, count, announcement_since)
    if key in memo:
        return memo[key]
    when = func.coalesce(ContentItem.publish_at, ContentItem.created_at)
    picks = (
        ("news", visible_to(user).where(ContentItem.kind == Kind.NEWS.value), newest(), count),
        ("documents", visible_to(user).where(ContentItem.kind == Kind.DOCUMENT.value),
         newest_issued(), count),
        ("announcement", visible_to(user).where(ContentItem.kind == Kind.ANNOUNCEMENT.value,
                                                when >= announcement_since),
         (when.desc(), ContentItem.id.desc()), 1),
    )
    parts = []
    for part, stmt, order, limit in picks:
        ids = stmt.with_only_columns(ContentItem.id).order_by(*order).limit(limit).subquery()
        parts.append(select(literal(part).label("part"), ContentItem.id, ContentItem.title,
                            ContentItem.summary, when.label("shown_at"), ContentItem.issued_on)
                     .join(ids, ids.c.id == ContentItem.id))
    rows = db.session.execute(union_all(*parts)).all()

    def of(part, sort):
        return sorted((r for r in rows if r.part == part), key=sort, reverse=True)

    by_time = lambda r: (r.shown_at, r.id)  # noqa: E731
    by_issue = lambda r: (r.issued_on is not None, r.issued_on or date.min, r.id)  # noqa: E731
    announcement = of("announcement", by_time)
    found = memo[key] = HomeItems(of("news", by_time), of("documents", by_issue),
                                  announcement[0] if announcement else None)
    return found


def page_of(stmt) -> Page:
    """One page of a list: its ids and the count in one query that the indexes alone answer
    (however many match), then only those rows, without their long texts, with their
    organisations joined in."""
    size = current_app.config["PAGE_SIZE"]
    # A page number past any list (and past what the database can offset) shows the last page.
    number = min(max(1, request.args.get("page", 1, type=int) or 1), MAX_ID // size)
    ids = stmt.with_only_columns(ContentItem.id, func.count().over())
    rows = db.session.execute(ids.limit(size).offset((number - 1) * size)).all()
    if not rows and number > 1:  # past the end (the list shrank): show its last page
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        number = max(1, math.ceil(total / size))
        rows = db.session.execute(ids.limit(size).offset((number - 1) * size)).all()
    found = {item.id: item for item in db.session.scalars(
        select(ContentItem).where(ContentItem.id.in_([row[0] for row in rows]))
        .options(defer(ContentItem.body), defer(ContentItem.search_text), joinedload(ContentItem.org)))}
    return Page([found[row[0]] for row in rows if row[0] in found], number, size,
                rows[0][1] if rows else 0)


def documents(user, flt: LibraryFilter):
    """The documents `user` may read that pass the filters: best title matches, then newest issued."""
    stmt = visible_to(user).where(ContentItem.kind == Kind.DOCUMENT.value)
    if flt.category:
        stmt = stmt.where(ContentItem.category == flt.category)
    stmt = by_level(stmt, user, flt.level)
    if flt.issued_from:
        stmt = stmt.where(ContentItem.issued_on >= flt.issued_from)
    if flt.issued_to:
        stmt = stmt.where(ContentItem.issued_on <= flt.issued_to)
    return search(stmt, flt.q).order_by(*newest_issued())


def news(user, level: str = ""):
    """The news `user` may read, newest first."""
    stmt = by_level(visible_to(user).where(ContentItem.kind == Kind.NEWS.value), user, level)
    return stmt.order_by(*newest())


def everything(user, q: str):
    """News, documents, announcements and pages `user` may read that hold the words of `q`."""
    return search(visible_to(user), q).order_by(*newest())


def extracts(items) -> dict[int, str]:
    """A short extract per item: its summary, else the start of its text (read in one query)."""
    found = {item.id: item.summary for item in items if item.summary}
    missing = [item.id for item in items if not item.summary]
    if missing:
        found.update(db.session.execute(select(ContentItem.id, func.substr(ContentItem.body, 1, 4 * EXTRACT))
                                        .where(ContentItem.id.in_(missing))).all())
    return {key: _shorten(plain_text(text)) for key, text in found.items() if text}


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXTRACT:
        return text
    return text[:EXTRACT].rsplit(" ", 1)[0] + "…"


def is_visible(user, item_id: int) -> bool:
    """May `user` read item `item_id` (published, due, from their branch or above)?"""
    if known_visible(user, item_id):
        return True
    return bool(db.session.scalar(select(exists(visible_to(user).where(ContentItem.id == item_id)
                                               .with_only_columns(ContentItem.id)))))


def is_saved(user, item_id: int) -> bool:
    return db.session.get(Bookmark, (user.id, item_id)) is not None


def snippet(template: str, **context) -> Markup:
    """A piece of a page (a card, a button) rendered with the province's theme."""
    from core.themes import env_for_request

    current_app.update_template_context(context)
    return Markup(env_for_request().get_template(template).render(context))


def item_url(item_id: int) -> str:
    """The item's own page (the content feature's)."""
    return url_for("content.read", item_id=item_id)


@bp.context_processor
def _helpers():
    return {"item_url": item_url, "kind_labels": KIND_TITLES, "level_labels": dict(LEVELS),
            "category_labels": dict(CATEGORIES)}


# --- the pages ----------------------------------------------------------------------------------

@bp.get("/news/")
@login_required
def news_list():
    """A member reads the news of their branch and every level above, newest first."""
    level = request.args.get("level", "")
    level = level if level in dict(LEVELS) else ""
    page = page_of(news(current_user, level))
    return render("content/library_news.html", page=page, level=level, extracts=extracts(page.items))


@bp.get("/documents/")
@login_required
def documents_list():
    """A member looks for a document by words, type, issuing level and date."""
    form = LibraryForm(request.args)
    form.validate()
    flt = LibraryFilter.from_form(form)
    page = page_of(documents(current_user, flt))
    context = {"page": page, "flt": flt, "form": form, "extracts": extracts(page.items),
               "status": 400 if form.errors else 200}
    if htmx and request.headers.get("HX-Target") == "results" and not htmx.history_restore_request:
        return render("content/library_results.html", alone=True, **context)
    return render("content/library_documents.html", **context)


@bp.get("/search")
@login_required
def search_all():
    """A member searches everything they may read: news, documents, announcements, pages."""
    q = " ".join(request.args.get("q", "").split())[:200]
    page = page_of(everything(current_user, q)) if q else None
    return render("content/library_search.html", q=q, page=page,
                  extracts=extracts(page.items) if page else {})


@bp.get("/bookmarks/")
@login_required
def bookmarks():
    """A member finds again what they saved to read later (only what they may still read)."""
    stmt = (visible_to(current_user).join(Bookmark, Bookmark.item_id == ContentItem.id)
            .where(Bookmark.user_id == current_user.id)
            .order_by(Bookmark.created_at.desc(), ContentItem.id.desc()))
    page = page_of(stmt)
    return render("content/library_bookmarks.html", page=page, private=True)


@bp.post("/bookmarks/<int:item_id>")
@login_required
def bookmark(item_id: int):
    """Save an item to read later, or take it off the list ("saved" says which: a retry is harmless)."""
    if not is_visible(current_user, item_id):
        refuse(f"content_item:{item_id}")
    want = request.form.get("saved") == "1"
    current = db.session.get(Bookmark, (current_user.id, item_id))
    if want and current is None:
        db.session.add(Bookmark(user_id=current_user.id, item_id=item_id))
    elif not want and current is not None:
        db.session.delete(current)
    try:
        db.session.commit()
    except IntegrityError:  # the same save arrived twice at once: it is saved either way
        db.session.rollback()
    if htmx and request.headers.get("HX-Target") == f"bookmark-{item_id}":
        return render("content/library_bookmark.html", item_id=item_id, saved=want,
                      back=safe_next(request.form.get("next"), ""), private=True)
    return redirect(safe_next(request.form.get("next"), item_url(item_id)))


# --- the demo -----------------------------------------------------------------------------------

def seed_demo_bookmarks(user, count: int = 2) -> int:
    """Save the newest documents `user` may read to their list, so the demo's "saved" page is
    not empty; the caller commits. Returns how many were saved."""
    latest = (visible_to(user).where(ContentItem.kind == Kind.DOCUMENT.value)
              .with_only_columns(ContentItem.id).order_by(*newest_issued()).limit(count))
    ids = list(db.session.scalars(latest))
    db.session.add_all(Bookmark(user_id=user.id, item_id=item_id) for item_id in ids)
    return len(ids)
