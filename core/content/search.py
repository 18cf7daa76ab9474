"""Search by words, with or without diacritics: "nghi quyet 57" finds "Nghị quyết 57-NQ/TW".

`ContentItem.search_text` holds the item's words folded (no diacritics, lower case) and
separated by single spaces; punctuation is dropped, so "57-NQ/TW" is stored as "57 nq tw" and
"57-nq", "57 nq tw" or "57/NQ-TW" all find it. An item matches when every word of the query
begins one of its words ("quyet" finds "quyet", "57" finds "57" but not "157"). Items whose
title holds every word come first; the caller orders the rest (newest first).

The rule is plain LIKE on `search_text`; an index keeps it fast (migration core_0003): an FTS5
table on SQLite, a table of tsvectors with GIN indexes on PostgreSQL, both kept in step with
content_item by triggers. The three give the same ids (tests/core/test_search.py)."""
from __future__ import annotations

import re

from sqlalchemy import Select, String, and_, case, cast, column, func, literal, literal_column, select, table
from sqlalchemy.dialects.postgresql import TSQUERY

from core.content.models import ContentItem
from core.extensions import db
from core.text import fold

# Letters and digits: what a word is made of. No LIKE wildcard ("%", "_") survives it.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8
MAX_WORD = 40
# The index, outside the models: Alembic leaves these out (core.models.include_in_migrations).
INDEX_TABLE = "content_search"
_fts = table(INDEX_TABLE, column("rowid"))
_vectors = table(INDEX_TABLE, column("item_id"), column("head"), column("words"))


def index_text(*parts: str | None) -> str:
    """What `ContentItem.search_text` holds for these parts (title first: ranking relies on it)."""
    return " ".join(_WORD.findall(fold(" ".join(part for part in parts if part))))


def words(q: str | None) -> list[str]:
    """The distinct folded words of a query, at most MAX_WORDS of them."""
    found: list[str] = []
    for word in _WORD.findall(fold(q)):
        word = word[:MAX_WORD]
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def search(stmt: Select, q: str | None, *, method: str | None = None) -> Select:
    """Narrow a Select of ContentItem to the items holding every word of `q`, title matches first.

    Call it before adding the list's own order (newest first), which then breaks ties.
    `method` ("like", "sqlite", "postgresql") defaults to the database's own index."""
    found = words(q)
    if not found:
        return stmt
    method = method or db.engine.dialect.name
    if method == "sqlite":
        matches, in_title = _fts_match(found), _fts_match(found, column_name="head")
    elif method == "postgresql":
        # Joined once: the title's words are then checked only on the rows that match.
        query = cast(" & ".join(f"'{word}':*" for word in found), TSQUERY)
        stmt = stmt.join(_vectors, _vectors.c.item_id == ContentItem.id)
        matches, in_title = _vectors.c.words.op("@@")(query), _vectors.c.head.op("@@")(query)
    else:
        matches, in_title = _like(found, ContentItem.search_text), _like(found, _head())
    return stmt.where(matches).order_by(case((in_title, 0), else_=1))


def _head():
    """The start of search_text as long as the title: the title's words (and perhaps a few more)."""
    return func.substr(ContentItem.search_text, 1, func.length(ContentItem.title))


def _like(found: list[str], text):
    """The rule itself: every word begins a word of `text`."""
    spaced = literal(" ", String) + text
    return and_(*[spaced.like(f"% {word}%") for word in found])


def _fts_match(found: list[str], column_name: str | None = None):
    """SQLite: ids from the FTS5 table (prefix queries, every word)."""
    query = " AND ".join(f'"{word}"*' for word in found)
    if column_name:
        query = f"{{{column_name}}} : ({query})"
    ids = select(_fts.c.rowid).where(literal_column(INDEX_TABLE).op("MATCH")(query))
    # "+ 0": SQLite would otherwise walk the matches and read each (long) row by its id; this
    # way it walks the member's items in the covering index and looks each id up in the matches.
    return (ContentItem.id + 0).in_(ids)

