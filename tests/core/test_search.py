"""Search by words: the rule (every word begins a word of the item, diacritics and punctuation
aside), the same answers from the database's index as from plain LIKE, and an index that follows
every insert, edit and deletion."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.content.models import ContentItem
from core.content.query import visible_to
from core.content.search import index_text, search, words
from core.extensions import db
from core.org.models import Organisation, utcnow

TEXTS = [
    ("Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ", "57-NQ/TW", "Bộ Chính trị"),
    ("Nghị quyết 157-NQ/TU về phát triển chè", "157-NQ/TU", "Tỉnh ủy"),
    ("Chỉ thị 05-CT/TU về học tập tư tưởng Hồ Chí Minh", "05-CT/TU", "Ban Thường vụ Tỉnh ủy"),
    ("Hướng dẫn sinh hoạt chi bộ tháng 5", None, "Ban Tuyên giáo"),
    ("Kết luận về công tác cán bộ", "21-KL/TW", "Ban Bí thư"),
    ("Tài liệu học tập nghị quyết cho chi bộ", None, "Đảng ủy xã"),
    ("Đường giao thông nông thôn: ban đầu khó khăn", None, None),
    ("Quy định về kiểm tra, giám sát trong Đảng", "22-QĐ/TW", "Ban Chấp hành Trung ương"),
]
BODIES = ["Chi bộ sinh hoạt định kỳ; đảng viên nêu gương.", "Phát triển kinh tế đồi chè, an ninh nông thôn.",
          "Nghị quyết được quán triệt tới từng đảng viên.", ""]
QUERIES = ["nghi quyet", "Nghị quyết 57", "57-NQ/TW", "57 nq tw", "57", "7", "157", "nq", "chi bo",
           "CHI BỘ", "an", "ban", "đ", "d", "phat trien che", "05", "ho chi minh", "tu tuong",
           "xyzzy", "nghi quyet chi bo", "dang vien", "quy", "5", "22 qd tw"]


@dataclass(frozen=True)
class Reader:
    """A member as visible_to sees one, and the ids of this test's items (the demo has others)."""

    home_org_id: int
    ids: tuple[int, ...] = ()
    is_authenticated: bool = True


@pytest.fixture
def reader(app, accounts):
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == accounts["member"]["org"]))
        province = db.session.get(Organisation, org.province_id)
        now = utcnow()
        items = []
        for n, (title, number, issuer) in enumerate(TEXTS * 3):
            body = BODIES[n % len(BODIES)]
            items.append(ContentItem(
                org_id=org.id if n % 2 else province.id, kind="document" if n % 3 else "news",
                title=title, number=number, issuer=issuer, body=body, status="published",
                issued_on=date(2020, 1, 1) + timedelta(days=37 * n), created_at=now - timedelta(hours=n),
                search_text=index_text(title, number, issuer, body)))
        db.session.add_all(items)
        db.session.commit()
        return Reader(org.id, tuple(item.id for item in items))


def ids(stmt) -> list[int]:
    return list(db.session.scalars(stmt.with_only_columns(ContentItem.id)))


def found(q: str, reader, method=None) -> list[int]:
    stmt = search(visible_to(reader).where(ContentItem.id.in_(reader.ids)), q, method=method)
    return ids(stmt.order_by(ContentItem.issued_on.desc(), ContentItem.id.desc()))


def titles_found(q: str, reader) -> set[str]:
    return {db.session.get(ContentItem, i).title for i in found(q, reader)}


def test_words_are_folded_and_split_on_punctuation():
    assert words("Nghị quyết số 57-NQ/TW") == ["nghi", "quyet", "so", "57", "nq", "tw"]
    assert words("  ĐẢNG   đảng viên ") == ["dang", "vien"]
    assert words("100% _x_ a%b") == ["100", "x", "a", "b"]
    assert words("") == [] and words(None) == []
    assert len(words(" ".join(f"w{n}" for n in range(30)))) == 8


def test_search_text_keeps_only_words():
    assert index_text("Nghị quyết 57-NQ/TW", None, "Bộ Chính trị") == "nghi quyet 57 nq tw bo chinh tri"


def test_index_gives_the_same_answers_as_plain_like(app, reader):
    with app.app_context():
        for q in QUERIES:
            assert found(q, reader) == found(q, reader, method="like"), q


def test_the_rule(app, reader):
    with app.app_context():
        assert titles_found("57 nq tw", reader) == {TEXTS[0][0]}
        assert titles_found("Nghị quyết 57", reader) == {TEXTS[0][0]}
        assert titles_found("157", reader) == {TEXTS[1][0]}  # "157" is not "57", nor the reverse
        assert TEXTS[6][0] in titles_found("ban", reader)  # "ban đầu"
        assert TEXTS[6][0] not in titles_found("an", reader)  # "an" does not begin "ban"
        assert titles_found("xyzzy", reader) == set()
        assert len(found("", reader)) == len(found("  ", reader)) == len(reader.ids)


def test_title_matches_first(app, reader):
    with app.app_context():
        order = found("nghi quyet", reader)
        in_title = ["nghi quyet" in index_text(db.session.get(ContentItem, i).title) for i in order]
        assert in_title == sorted(in_title, reverse=True) and not all(in_title)


def test_the_index_follows_edits_and_deletions(app, reader):
    with app.app_context():
        item = db.session.get(ContentItem, found("05 ct tu", reader)[0])
        item.title = "Chỉ thị về phòng chống thiên tai"
        item.search_text = index_text(item.title, "07-CT/TU")
        db.session.commit()
        assert item.id in found("thien tai 07", reader) and item.id not in found("05 ct tu", reader)
        doomed = found("ket luan can bo", reader)
        assert doomed
        for item_id in doomed:
            db.session.delete(db.session.get(ContentItem, item_id))
        db.session.commit()
        assert found("ket luan can bo", reader) == []
        assert found("thien tai", reader) == found("thien tai", reader, method="like")


def test_an_item_published_through_the_form_is_found(as_role):
    secretary = as_role("secretary")
    form = secretary.text("/publish/new/document")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    chosen = re.search(r'<option selected value="(\d+)"', form)
    response = secretary.submit("/publish/new/document", {
        "idempotency_key": key, "org_id": chosen.group(1) if chosen else "", "when": "now",
        "title": "Nghị quyết của chi bộ về xây dựng thôn văn hóa", "number": "09-NQ/CB",
        "issuer": "Chi bộ", "issued_on": "01/10/2025", "level": "local", "category": "resolution",
        "secrecy": "normal", "summary": "", "body": "Toàn chi bộ thống nhất."}, form_page="/publish/new/document")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    for q in ("nghi quyet thon van hoa", "09-NQ/CB", "09 nq cb", "Nghị quyết thôn văn hóa"):
        assert "Nghị quyết của chi bộ về xây dựng thôn văn hóa" in as_role("member").text(f"/documents/?q={q}"), q


def test_alembic_leaves_the_index_out_of_the_models():
    from core.models import include_in_migrations

    assert not include_in_migrations(None, "content_search", "table", True, None)
    assert not include_in_migrations(None, "content_search_idx", "table", True, None)
    assert include_in_migrations(None, "content_item", "table", True, None)
