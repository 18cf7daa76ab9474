"""A member browses the news and the document library, searches it and saves items to read later:
only what their own branch and the levels above published, never a sibling branch's or another
province's."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.content.models import ContentItem
from core.content.search import index_text
from core.extensions import db
from core.org.models import Organisation, utcnow

NOT_FOUND = "Trang này không tồn tại hoặc đồng chí không có quyền xem."
SAVE, UNSAVE = "Lưu để đọc sau", "Bỏ lưu"
HTMX = {"HX-Request": "true", "HX-Target": "results", "HX-Current-URL": "http://localhost/documents/"}


@dataclass(frozen=True)
class Doc:
    """A library item the tests publish straight into the database (the publishing forms are
    tested in test_content.py)."""

    org: str
    title: str
    kind: str = "document"
    number: str | None = None
    issuer: str | None = None
    issued_on: date | None = None
    level: str | None = None
    category: str | None = None
    summary: str | None = None
    body: str = "<p>Nội dung văn bản.</p>"
    status: str = "published"
    publish_in_days: int | None = None


LIBRARY = {
    "resolution_57": Doc("province", "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, "
                         "đổi mới sáng tạo và chuyển đổi số quốc gia", number="57-NQ/TW",
                         issuer="Bộ Chính trị", issued_on=date(2024, 12, 22), level="central",
                         category="resolution", summary="Khoa học, công nghệ là đột phá quan trọng hàng đầu."),
    "directive_05": Doc("province", "Chỉ thị số 05-CT/TU về học tập và làm theo tư tưởng, đạo đức, phong "
                        "cách Hồ Chí Minh", number="05-CT/TU", issuer="Tỉnh ủy Thái Nguyên",
                        issued_on=date(2023, 3, 10), level="province", category="directive"),
    "guidance_12": Doc("district", "Hướng dẫn số 12-HD/HU về nâng cao chất lượng sinh hoạt chi bộ",
                       number="12-HD/HU", issuer="Huyện ủy", issued_on=date(2025, 2, 1), level="local",
                       category="guidance", body="<p>Chi bộ sinh hoạt định kỳ mỗi tháng một lần.</p>"),
    "conclusion_21": Doc("grassroots", "Kết luận số 21-KL/ĐU về công tác phát triển đảng viên",
                         number="21-KL/ĐU", issuer="Đảng ủy xã", issued_on=date(2025, 6, 1),
                         level="local", category="conclusion"),
    "monthly_a": Doc("branch_a", "Tài liệu sinh hoạt chi bộ tháng 5 năm 2025", issued_on=date(2025, 5, 1),
                     level="local", category="monthly_material"),
    # What the member of branch A must never see.
    "sibling_resolution": Doc("branch_b", "Nghị quyết chi bộ Gốc Gạo về làm đường liên xóm",
                              number="03-NQ/CB", issued_on=date(2025, 4, 1), level="local",
                              category="resolution"),
    "far_resolution": Doc("other_province", "Nghị quyết số 99-NQ/TU của Tỉnh ủy Yên Bái về phát triển quế",
                          number="99-NQ/TU", issued_on=date(2025, 1, 5), level="province",
                          category="resolution"),
    "draft_resolution": Doc("province", "Nghị quyết dự thảo chưa ban hành về khoa học", status="draft",
                            category="resolution", issued_on=date(2025, 7, 1)),
    "scheduled_resolution": Doc("province", "Nghị quyết hẹn giờ đăng về khoa học", publish_in_days=3,
                                category="resolution", issued_on=date(2025, 7, 2)),
    "province_news": Doc("province", "Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ hai mươi", kind="news"),
    "branch_news": Doc("branch_a", "Chi bộ xóm ra quân làm đường giao thông nông thôn", kind="news"),
    "sibling_news": Doc("branch_b", "Chi bộ Gốc Gạo họp bàn trồng rừng", kind="news"),
    "far_news": Doc("other_province", "Tỉnh Yên Bái khai trương mùa quế", kind="news"),
    "announcement": Doc("grassroots", "Thông báo lịch học tập nghị quyết quý III", kind="announcement"),
}


@pytest.fixture
def orgs(app, accounts):
    with app.app_context():
        by_name = {o.name: o.id for o in db.session.scalars(select(Organisation))}
    roles = {"province": "province_admin", "district": "district_admin", "grassroots": "grassroots_admin",
             "branch_a": "member", "branch_b": "member_other_branch", "other_province": "other_province_admin"}
    return {key: by_name[accounts[role]["org"]] for key, role in roles.items()}


def add_item(doc: Doc, org_id: int, days_ago: int = 1) -> int:
    """One published (or draft, or scheduled) item, its search text as the publisher stores it."""
    now = utcnow()
    item = ContentItem(org_id=org_id, kind=doc.kind, title=doc.title, number=doc.number, issuer=doc.issuer,
                       issued_on=doc.issued_on, level=doc.level, category=doc.category, summary=doc.summary,
                       body=doc.body, status=doc.status, version=1,
                       publish_at=now + timedelta(days=doc.publish_in_days) if doc.publish_in_days else None,
                       created_at=now - timedelta(days=days_ago),
                       search_text=index_text(doc.title, doc.number, doc.issuer, doc.summary,
                                              re.sub(r"<[^>]+>", " ", doc.body)))
    db.session.add(item)
    db.session.flush()
    return item.id


@pytest.fixture
def library(app, orgs) -> dict[str, int]:
    """The items above, published by their organisations: {key: item id}."""
    with app.app_context():
        ids = {key: add_item(doc, orgs[doc.org], days_ago=n) for n, (key, doc) in enumerate(LIBRARY.items())}
        db.session.commit()
    return ids


def titles(*keys: str) -> list[str]:
    return [LIBRARY[key].title for key in keys]


def shows(html: str, *keys: str) -> bool:
    return all(title in html for title in titles(*keys))


def hides(html: str, *keys: str) -> bool:
    return not any(title in html for title in titles(*keys))


# --- the lists ----------------------------------------------------------------------------------

def test_menu_has_news_and_documents(as_role):
    html = as_role("member").text("/")
    nav = re.search(r'<nav aria-label="[^"]*"><ul>(.*?)</ul></nav>', html, re.S).group(1)
    assert ">Tin tức</a>" in nav and ">Văn bản</a>" in nav


def test_news_of_own_branch_and_above_never_a_sibling_or_another_province(as_role, library):
    member = as_role("member")
    html = member.text("/news/")
    assert member.last.status_code == 200
    assert shows(html, "province_news", "branch_news")
    assert hides(html, "sibling_news", "far_news", "resolution_57", "announcement")
    assert "Đảng bộ tỉnh Thái Nguyên" in html  # who issued it


def test_news_newest_first_and_by_level(as_role, library):
    member = as_role("member")
    mine = member.text("/news/?level=branch")
    assert shows(mine, "branch_news") and hides(mine, "province_news", "sibling_news")
    province = member.text("/news/?level=province")
    assert shows(province, "province_news") and hides(province, "branch_news")
    assert member.get("/news/?level=nonsense").status_code == 200


def test_newest_news_comes_first(app, as_role, orgs):
    with app.app_context():
        add_item(Doc("province", "Tin cũ hơn của tỉnh", kind="news"), orgs["province"], days_ago=9)
        add_item(Doc("branch_a", "Tin mới nhất của chi bộ", kind="news"), orgs["branch_a"], days_ago=0)
        db.session.commit()
    html = as_role("member").text("/news/")
    assert html.index("Tin mới nhất của chi bộ") < html.index("Tin cũ hơn của tỉnh")


def test_library_lists_own_branch_and_above_only(as_role, library):
    member = as_role("member")
    html = member.text("/documents/")
    assert member.last.status_code == 200
    assert shows(html, "resolution_57", "directive_05", "guidance_12", "conclusion_21", "monthly_a")
    assert hides(html, "sibling_resolution", "far_resolution", "draft_resolution", "scheduled_resolution",
                 "province_news")
    # Number, issuer, date and an extract are shown; the newest issued first.
    assert "57-NQ/TW" in html and "Bộ Chính trị" in html and "22/12/2024" in html
    assert "Khoa học, công nghệ là đột phá quan trọng hàng đầu." in html
    assert "Chi bộ sinh hoạt định kỳ mỗi tháng một lần." in html  # no summary: the start of the text
    assert html.index(LIBRARY["conclusion_21"].title) < html.index(LIBRARY["resolution_57"].title)


def test_the_sibling_branch_sees_its_own_not_ours(as_role, library):
    html = as_role("member_other_branch").text("/documents/")
    assert shows(html, "sibling_resolution", "resolution_57") and hides(html, "monthly_a", "far_resolution")
    far = as_role("other_province_admin").text("/documents/")
    assert shows(far, "far_resolution") and hides(far, "resolution_57", "monthly_a", "sibling_resolution")


@pytest.mark.parametrize("q", ["nghi quyet 57", "Nghị quyết 57", "NGHỊ QUYẾT 57", "57-NQ/TW", "57 nq tw",
                               "57-nq", "57/nq-tw", "chuyen doi so", "đổi mới sáng tạo", "bo chinh tri"])
def test_search_with_or_without_diacritics_and_by_number(as_role, library, q):
    html = as_role("member").text(f"/documents/?q={q}")
    assert shows(html, "resolution_57")
    assert hides(html, "directive_05", "far_resolution", "sibling_resolution", "draft_resolution")


def test_search_matches_the_start_of_words(as_role, library):
    member = as_role("member")
    assert shows(member.text("/documents/?q=nghi qu"), "resolution_57")
    # "7" begins no word of "57-NQ/TW"; "05" is the directive's number, not inside another.
    assert hides(member.text("/documents/?q=7 nq"), "resolution_57")
    html = member.text("/documents/?q=05")
    assert shows(html, "directive_05") and hides(html, "resolution_57")


def test_search_never_reaches_what_the_member_may_not_read(as_role, library):
    html = as_role("member").text("/documents/?q=nghi quyet")
    assert shows(html, "resolution_57")
    assert hides(html, "sibling_resolution", "far_resolution", "draft_resolution", "scheduled_resolution")
    assert re.search(r'id="results-count"[^>]*>Tìm thấy \d+ văn bản<', html)


def test_title_matches_come_first(app, as_role, orgs):
    with app.app_context():
        add_item(Doc("province", "Hướng dẫn thi đua năm 2026", issued_on=date(2026, 1, 5),
                     body="<p>Thực hiện nghị quyết về khoa học.</p>"), orgs["province"])
        add_item(Doc("province", "Nghị quyết về khoa học và công nghệ của tỉnh", issued_on=date(2020, 1, 5)),
                 orgs["province"])
        db.session.commit()
    html = as_role("member").text("/documents/?q=nghi quyet khoa hoc")
    assert html.index("Nghị quyết về khoa học và công nghệ của tỉnh") < html.index("Hướng dẫn thi đua năm 2026")


@pytest.mark.parametrize("args, shown, hidden", [
    ("category=resolution", ["resolution_57"], ["directive_05", "guidance_12"]),
    ("category=monthly_material", ["monthly_a"], ["resolution_57"]),
    ("level=central", ["resolution_57"], ["directive_05", "guidance_12"]),
    ("level=province", ["directive_05"], ["resolution_57", "guidance_12"]),
    ("level=district", ["guidance_12"], ["directive_05", "conclusion_21"]),
    ("level=grassroots", ["conclusion_21"], ["guidance_12", "monthly_a"]),
    ("level=branch", ["monthly_a"], ["conclusion_21", "sibling_resolution"]),
    ("issued_from=2025-01-01&issued_to=2025-05-31", ["guidance_12", "monthly_a"],
     ["resolution_57", "conclusion_21"]),
    ("issued_from=01/06/2025", ["conclusion_21"], ["monthly_a"]),
    ("q=chi bo&category=guidance", ["guidance_12"], ["monthly_a"]),
])
def test_filters_by_type_level_and_date(as_role, library, args, shown, hidden):
    member = as_role("member")
    html = member.text(f"/documents/?{args}")
    assert member.last.status_code == 200
    assert shows(html, *shown) and hides(html, *hidden)


def test_bad_date_is_explained_and_ignored(as_role, library):
    member = as_role("member")
    html = member.text("/documents/?issued_from=31/02/2025")
    assert member.last.status_code == 400
    assert "Vui lòng nhập ngày theo dạng 05/12/2025." in html
    assert shows(html, "resolution_57")
    assert member.get("/documents/?issued_from=&issued_to=&category=&level=&q=").status_code == 200


def test_pagination_keeps_the_filters(app, as_role, orgs):
    with app.app_context():
        for n in range(30):
            add_item(Doc("branch_a", f"Biên bản họp chi bộ kỳ {n + 1:02d}", issued_on=date(2024, 1, 1) + timedelta(days=n),
                         category="guidance"), orgs["branch_a"])
        db.session.commit()
    member = as_role("member")
    first = member.text("/documents/?q=bien ban hop")
    assert "Tìm thấy 30 văn bản" in first
    assert "Biên bản họp chi bộ kỳ 30" in first and "Biên bản họp chi bộ kỳ 06" in first
    assert "Biên bản họp chi bộ kỳ 05" not in first
    link = re.search(r'href="([^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert "q=bien" in link
    second = member.text(link)
    assert "Biên bản họp chi bộ kỳ 05" in second and "Biên bản họp chi bộ kỳ 01" in second
    assert "Biên bản họp chi bộ kỳ 06" not in second
    assert "Biên bản họp chi bộ kỳ 01" in member.text("/documents/?q=bien ban hop&page=99")


def test_results_update_as_a_fragment_with_htmx(as_role, library):
    member = as_role("member")
    response = member.get("/documents/?q=nghi quyet 57", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers.get("Vary", "")
    assert html.lstrip().startswith('<section id="results"') and "<form" not in html and "<html" not in html
    assert shows(html, "resolution_57") and hides(html, "directive_05")
    # A history restore, or a plain navigation, gets the page with its form.
    full = member.get("/documents/?q=nghi quyet 57", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<form" in full.get_data(as_text=True)


def test_search_everything_the_member_may_read(as_role, library):
    member = as_role("member")
    html = member.text("/search?q=nghi quyet")
    assert member.last.status_code == 200
    assert shows(html, "resolution_57", "announcement")
    assert hides(html, "sibling_resolution", "far_resolution", "draft_resolution")
    assert shows(member.text("/search?q=ban chap hanh dang bo tinh"), "province_news")
    assert "Tìm kiếm" in member.text("/search")


def test_lists_need_signing_in(client, library):
    for path in ("/news/", "/documents/", "/search?q=nghi", "/bookmarks/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_family_helper_reads_the_helped_members_library(as_role, library):
    html = as_role("family_helper").text("/documents/?q=nghi quyet")
    assert shows(html, "resolution_57") and hides(html, "sibling_resolution", "far_resolution")


# --- home cards ---------------------------------------------------------------------------------

def test_home_shows_the_latest_news_and_documents(as_role, library):
    html = as_role("member").text("/")
    assert "Tin mới" in html and "Văn bản mới" in html
    assert LIBRARY["branch_news"].title in html or LIBRARY["province_news"].title in html
    assert hides(html, "sibling_news", "far_news", "sibling_resolution", "far_resolution")


# --- bookmarks ----------------------------------------------------------------------------------

def save(person, item_id: int, saved: bool = True, back: str = ""):
    return person.submit(f"/bookmarks/{item_id}", {"saved": "1" if saved else "0", "next": back},
                         form_page="/bookmarks/")


def test_bookmark_from_the_item_page_and_find_it_again(as_role, library):
    member = as_role("member")
    item = library["resolution_57"]
    page = member.text(f"/c/{item}")
    assert SAVE in page
    response = save(member, item, back=f"/c/{item}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/c/{item}")
    assert UNSAVE in member.text(f"/c/{item}")
    saved = member.text("/bookmarks/")
    assert shows(saved, "resolution_57") and hides(saved, "directive_05")
    assert save(member, item).status_code == 302  # saving twice is harmless
    assert member.text("/bookmarks/").count(LIBRARY["resolution_57"].title) == 1
    save(member, item, saved=False, back="/bookmarks/")
    assert hides(member.text("/bookmarks/"), "resolution_57")
    assert "Chưa lưu văn bản nào" in member.text("/bookmarks/")


def test_bookmarks_are_personal(as_role, library):
    save(as_role("member"), library["resolution_57"])
    assert hides(as_role("secretary").text("/bookmarks/"), "resolution_57")


@pytest.mark.parametrize("key", ["sibling_resolution", "far_resolution", "draft_resolution",
                                 "scheduled_resolution"])
def test_cannot_bookmark_what_one_may_not_read(app, as_role, library, key):
    member = as_role("member")
    assert save(member, library[key]).status_code == 404
    assert save(member, 99_999_999).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "access.refused",
                                                          AuditEntry.target == f"content_item:{library[key]}"))


def test_withdrawn_item_leaves_the_bookmarks(app, as_role, library):
    member = as_role("member")
    save(member, library["directive_05"])
    with app.app_context():
        db.session.get(ContentItem, library["directive_05"]).status = "archived"
        db.session.commit()
    assert hides(member.text("/bookmarks/"), "directive_05")


def test_bookmark_button_swaps_alone_with_htmx(as_role, library):
    member = as_role("member")
    item = library["monthly_a"]
    html = member.text(f"/c/{item}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = member.client.post(f"/bookmarks/{item}", data={"csrf_token": token, "saved": "1",
                                                              "next": f"/c/{item}"},
                                  headers={"HX-Request": "true", "HX-Target": f"bookmark-{item}"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith("<form")
    assert UNSAVE in body and "<html" not in body and f'id="bookmark-{item}"' in body
    assert shows(member.text("/bookmarks/"), "monthly_a")


def test_demo_bookmarks_fill_the_saved_page(app, as_role, accounts, library):
    from core.auth.models import User
    from core.content.library import seed_demo_bookmarks

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        assert seed_demo_bookmarks(user) == 2
        db.session.commit()
    html = as_role("member").text("/bookmarks/")
    assert shows(html, "conclusion_21", "monthly_a") and html.count(UNSAVE) == 2


def test_family_helper_keeps_a_reading_list_of_their_own(as_role, library):
    helper = as_role("family_helper")
    assert save(helper, library["resolution_57"]).status_code == 302
    assert shows(helper.text("/bookmarks/"), "resolution_57")
    assert hides(as_role("member").text("/bookmarks/"), "resolution_57")


# --- weight -------------------------------------------------------------------------------------

LONG_TITLE = ("Nghị quyết số {n}-NQ/TU của Ban Chấp hành Đảng bộ tỉnh về tăng cường xây dựng, chỉnh đốn "
              "Đảng và hệ thống chính trị trong sạch, vững mạnh giai đoạn 2025 - 2030")
LONG_SUMMARY = ("Nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và chất lượng đảng viên; "
                "đề cao trách nhiệm nêu gương của người đứng đầu; đẩy mạnh chuyển đổi số trong sinh hoạt "
                "chi bộ, kiểm tra, giám sát thường xuyên, xử lý nghiêm vi phạm. Lần {n}.")


def gzipped(response) -> int:
    import gzip

    data = response.get_data()
    return len(data) if response.headers.get("Content-Encoding") == "gzip" else len(gzip.compress(data, 6))


def test_full_pages_and_fragments_fit_the_budgets(app, as_role, orgs):
    with app.app_context():
        for n in range(30):
            for kind in ("document", "news"):
                item_id = add_item(Doc("province", LONG_TITLE.format(n=n + 10), kind=kind, number=f"{n + 10}-NQ/TU",
                                       issuer="Tỉnh ủy Thái Nguyên", issued_on=date(2025, 1, 1) + timedelta(days=n),
                                       level="province", category="resolution", summary=LONG_SUMMARY.format(n=n)),
                                   orgs["province"])
        db.session.commit()
    member = as_role("member")
    for n in range(30):
        save(member, item_id - 2 * n)
    navigation = {"HX-Request": "true", "HX-Target": "main", "HX-Boosted": "true"}
    for url in ("/documents/", "/documents/?q=nghi quyet", "/news/", "/search?q=nghi quyet", "/bookmarks/"):
        page, fragment = member.get(url), member.get(url, headers=navigation)
        assert page.status_code == 200 and "-NQ/TU của Ban Chấp hành" in page.get_data(as_text=True), url
        assert gzipped(page) <= 14 * 1024, (url, gzipped(page))
        assert gzipped(fragment) <= 4 * 1024, (url, gzipped(fragment))
    results = member.get("/documents/?q=nghi quyet", headers=HTMX)
    assert gzipped(results) <= 4 * 1024, gzipped(results)
