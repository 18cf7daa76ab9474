"""Names in Vietnamese alphabetical order: đ after d, ă and â after a, ô and ơ after o, the
tones after the letters — in the key itself, and in the member list a secretary reads."""
from __future__ import annotations

import re

import sqlalchemy as sa

from core.collation import by_name, vi_key
from core.extensions import db
from core.org.models import Member
from tests.core.test_members import add, added_id

ORDERED = ["An Văn Bình", "Ăn Thị Mơ", "Âu Thị Lan", "Bùi Văn Ba", "Dương Văn Dũng", "Đặng Thị Đào",
           "Ô Văn Hai", "Ông Văn Hai", "Ơn Văn Ánh", "Ưng Thị Út"]


def test_the_key_follows_the_vietnamese_alphabet():
    assert sorted(reversed(ORDERED), key=vi_key) == ORDERED
    assert sorted(["ạ", "á", "ã", "ả", "à", "a"], key=vi_key) == ["a", "à", "ả", "ã", "á", "ạ"]
    assert sorted(ORDERED) != ORDERED  # the plain code-point order is wrong: Đ, Ô, Ơ, Ư last


def test_the_database_orders_by_the_same_key(app):
    """SQLite's "vi" collation (PostgreSQL's "vi-x-icu" when DATABASE_URL is set)."""
    names = sa.union_all(*[sa.select(sa.literal(n).label("name")) for n in ORDERED[::-1]]).subquery()
    with app.app_context():
        got = db.session.scalars(sa.select(names.c.name).order_by(by_name(names.c.name))).all()
        db.session.remove()
    assert got == ORDERED


def test_the_member_list_is_in_vietnamese_order(as_role, app):
    secretary = as_role("secretary")
    for n, name in enumerate(ORDERED[::-1]):
        added_id(add(secretary, full_name=name, card_number=f"9100000{n:03d}", phone=""))
    page = secretary.text("/members/")
    shown = [name for name in re.findall(r"<strong>([^<]+)</strong></a>", page) if name in ORDERED]
    everyone = re.findall(r"<strong>([^<]+)</strong></a>", page)
    assert everyone == sorted(everyone, key=vi_key), everyone
    assert shown == [n for n in ORDERED if n in shown] and len(shown) >= 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Member.id)).where(Member.full_name.in_(ORDERED))) == 10
        db.session.remove()


def test_postgresql_walks_the_collated_name_index(app):
    """A province administrator's first page of members reads the index on the Vietnamese-collated
    name (migration core_0010) instead of sorting the province; SQLite keeps its plain index."""
    with app.app_context():
        dialect = db.engine.dialect.name
        indexes = {ix["name"] for ix in sa.inspect(db.engine).get_indexes("member")}
        if dialect != "postgresql":
            assert "ix_member_name" in indexes and "ix_member_name_vi" not in indexes
            return
        assert "ix_member_name_vi" in indexes and "ix_member_name" not in indexes
        stmt = (sa.select(Member.id).order_by(by_name(Member.full_name), Member.id).limit(25))
        sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a test database is small
        plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {sql}")))
        db.session.remove()
    assert "using ix_member_name_vi" in plan and "Sort" not in plan, plan
