"""Vietnamese alphabetical order for lists of names: a ă â b c d đ e ê g … o ô ơ … u ư …, the
tones after the letters (a à ả ã á ạ), as members read a branch's roll.

PostgreSQL has it from ICU (the "vi-x-icu" collation); SQLite gets a "vi" collation of its own,
registered on each connection (core/app.py) with the key below, built on the same text folding
as search (core.text)."""
from __future__ import annotations

import unicodedata

from sqlalchemy import ColumnElement, collate

from core.text import fold

# Combining marks that make a letter of its own, and their rank after the bare letter.
LETTER_MARKS = {"\u0306": 1, "\u0302": 2, "\u031b": 3}  # ă, â/ê/ô, ơ/ư
# The five tone marks, in the order Vietnamese dictionaries (and ICU) put them.
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # à ả ã á ạ
POSTGRES = "vi-x-icu"
SQLITE = "vi"


def vi_key(text: str | None) -> tuple:
    """Sort key: the letters (đ after d, ă and â after a …), then the tones, then the case."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFC", text or ""):
        if char in "đĐ":
            letters.append(("d", 1))
            tones.append(0)
            continue
        parts = unicodedata.normalize("NFD", char)
        base = fold(parts[0]) or parts[0]
        mark = max((LETTER_MARKS.get(m, 0) for m in parts[1:]), default=0)
        letters.append((base.lower(), mark))
        tones.append(max((TONES.get(m, 0) for m in parts[1:]), default=0))
    return letters, tones, text or ""


def compare(a: str | None, b: str | None) -> int:
    """SQLite's collation callback: negative, zero or positive."""
    ka, kb = vi_key(a), vi_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite(dbapi_connection) -> None:
    dbapi_connection.create_collation(SQLITE, compare)


def by_name(column) -> ColumnElement:
    """`column` in Vietnamese order, for ORDER BY: `.order_by(by_name(Member.full_name), Member.id)`."""
    from core.extensions import db

    name = POSTGRES if db.engine.dialect.name == "postgresql" else SQLITE
    return collate(column, name)
