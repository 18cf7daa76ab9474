"""Helpers every view uses: render full page or htmx fragment, idempotent creates, pagination."""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, make_response, redirect, request
from flask_login import current_user
from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.routing import IntegerConverter

from core.extensions import db, htmx
from core.org.models import utcnow
from core.org.scope import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: a number beyond the database's integer ids is "not found", not a
    500 (SQLite cannot even bind one above 2**63)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def wants_fragment() -> bool:
    """An htmx navigation gets only the page's content block; a history restore gets it all."""
    return bool(htmx) and not htmx.history_restore_request and request.headers.get(
        "HX-Target") == "main"


def render(template: str, *, status: int = 200, private: bool = False, **context):
    """Render `template` with the province's theme: the whole page, or for an htmx navigation
    only its title and main block."""
    from core.themes import env_for_request

    current_app.update_template_context(context)
    body = env_for_request(fragment=wants_fragment()).get_template(template).render(context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    if private:
        response.headers["Cache-Control"] = "no-store"
    return response


class IdempotencyKey(db.Model):
    """A create form's key, used once: a retried post finds it and is sent where the first went."""

    __tablename__ = "idempotency_key"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _stored(key: str) -> str:
    """A form's key as kept: per account, so one person's key never answers another's post."""
    return f"{_user_id() or 0}:{key}"[:64]


def already_done(key: str | None):
    """If this create was already carried out (by this user), a redirect to its result; else None."""
    if not key:
        return None
    row = db.session.get(IdempotencyKey, _stored(key))
    if row is not None and row.location:
        return redirect(row.location)
    return None


def remember_done(key: str | None, location: str) -> None:
    """Record (in the same transaction as the create) where a keyed create led."""
    if key:
        db.session.add(IdempotencyKey(key=_stored(key), user_id=_user_id(), location=location))


def commit_once(key: str | None) -> bool:
    """Commit a keyed create; False if a concurrent retry committed the same key first."""
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        if key and db.session.get(IdempotencyKey, _stored(key)) is not None:
            return False
        raise


def commit_keyed(key: str | None, location: str):
    """The end of every keyed create: remember where it led, commit. None when this request
    made it; else the redirect to what a concurrent retry of the same form made first."""
    remember_done(key, location)
    if commit_once(key):
        return None
    return already_done(key) or redirect(location)


def _user_id():
    return current_user.id if current_user.is_authenticated else None


@dataclass
class Page:
    """One page of a list, with what the template needs for its links."""

    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_prev(self) -> bool:
        return self.number > 1


def paginate(stmt, number: int | None = None, size: int | None = None) -> Page:
    """One page of `stmt` (a statement, run for that page only, or a list already in hand);
    the number from ?page=, clamped to what exists."""
    size = size or current_app.config["PAGE_SIZE"]
    if number is None:
        number = request.args.get("page", 1, type=int) or 1
    if isinstance(stmt, (list, tuple)):
        total = len(stmt)
        number = min(max(1, number), max(1, math.ceil(total / size)))
        return Page(list(stmt[(number - 1) * size:number * size]), number, size, total)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    number = min(max(1, number), max(1, math.ceil(total / size)))
    items = list(db.session.scalars(stmt.limit(size).offset((number - 1) * size)))
    return Page(items, number, size, total)
