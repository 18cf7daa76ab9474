"""Publishing news, documents, announcements and useful-life pages, and who may read them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.content.models import ContentItem, ContentRevision
from core.content.service import has_secret_stamp
from core.events import ContentChanged, ContentPublished
from core.extensions import db
from core.org.models import Organisation, utcnow
from tests.support import Visitor

NOT_FOUND = "Trang này không tồn tại hoặc đồng chí không có quyền xem."
SECRET = "không được đưa lên hệ thống có kết nối mạng"


@pytest.fixture
def orgs(app, accounts):
    """Ids of the demo's organisations: both branches, the grassroots, district and province, and
    the other province."""
    with app.app_context():
        by_name = {o.name: o for o in db.session.scalars(select(Organisation))}
        return {role: by_name[accounts[role]["org"]].id
                for role in ("secretary", "secretary_other_branch", "grassroots_admin",
                             "district_admin", "province_admin", "other_province_admin")}


def key_on(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


DEFAULTS = {
    "news": {"title": "Hội nghị Ban Chấp hành Đảng bộ xã lần thứ 12",
             "summary": "Đánh giá kết quả quý IV", "body": "Sáng nay, hội nghị đã khai mạc.\n\nĐồng chí Bí thư phát biểu."},
    "document": {"title": "Nghị quyết về đột phá phát triển khoa học, công nghệ", "number": "57-NQ/TW",
                 "issuer": "Bộ Chính trị", "issued_on": "22/12/2024", "level": "central",
                 "category": "resolution", "secrecy": "normal", "summary": "Tóm tắt nghị quyết",
                 "body": "Nội dung nghị quyết."},
    "announcement": {"title": "Sinh hoạt chi bộ định kỳ tháng 12",
                     "summary": "19h30 ngày 05/12 tại nhà văn hóa xóm", "body": ""},
    "page": {"title": "Phòng chống sốt xuất huyết mùa mưa", "category": "health",
             "summary": "Diệt bọ gậy, ngủ màn", "body": "Lật úp các dụng cụ chứa nước."},
}


def publish(person: Visitor, kind: str, org: int | None = None, **changes):
    """Fill the new-item form as a browser would (its key and chosen organisation) and send it."""
    form_page = f"/publish/new/{kind}" + (f"?org={org}" if org else "")
    html = person.text(form_page)
    assert person.last.status_code == 200, html[:500]
    chosen = re.search(r'<option selected value="(\d+)"', html)
    data = {"idempotency_key": key_on(html), "org_id": chosen.group(1) if chosen else "",
            "when": "now", **DEFAULTS[kind], **changes}
    return person.submit(form_page, data, form_page=form_page)


def item_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/c/(\d+)$", response.headers["Location"]).group(1))


def errors(response) -> str:
    return " ".join(re.findall(r'<p class="error"[^>]*>(.*?)</p>', response.get_data(as_text=True), re.S))


@pytest.fixture
def events(app, monkeypatch):
    """The content events told to the plugins."""
    told = []
    monkeypatch.setattr("core.content.service.emit", told.append)
    return told


# --- publishing each kind, read down the tree ------------------------------------------------

@pytest.mark.parametrize("kind", ["news", "document", "announcement", "page"])
def test_secretary_publishes_for_the_branch_and_only_the_branch_reads_it(as_role, kind, events):
    new = item_id(publish(as_role("secretary"), kind))
    member = as_role("member")
    page = member.text(f"/c/{new}")
    assert member.last.status_code == 200
    assert DEFAULTS[kind]["title"] in page
    assert isinstance(events[0], ContentPublished) and events[0].item_id == new
    helper = as_role("family_helper")
    assert helper.get(f"/c/{new}").status_code == 200
    for outsider in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        person = as_role(outsider)
        assert person.get(f"/c/{new}").status_code == 404, outsider
        assert NOT_FOUND in person.last.get_data(as_text=True)


def test_grassroots_document_reaches_every_branch_below_not_the_other_province(as_role, orgs):
    new = item_id(publish(as_role("grassroots_admin"), "document"))
    for reader in ("member", "member_other_branch", "secretary", "family_helper"):
        page = as_role(reader).text(f"/c/{new}")
        assert "57-NQ/TW" in page and "Bộ Chính trị" in page and "Nghị quyết" in page, reader
        assert "22/12/2024" in page and "Trung ương" in page
    assert as_role("other_province_admin").get(f"/c/{new}").status_code == 404


def test_province_news_is_read_in_a_branch_far_below(as_role, orgs):
    new = item_id(publish(as_role("province_admin"), "news"))
    assert "Đồng chí Bí thư phát biểu." in as_role("member").text(f"/c/{new}")
    # Plain text became paragraphs.
    assert "<p>Sáng nay, hội nghị đã khai mạc.</p><p>Đồng chí Bí thư phát biểu.</p>" in \
        as_role("member").text(f"/c/{new}")


def test_publisher_chooses_an_organisation_in_scope(as_role, orgs):
    admin = as_role("district_admin")
    new = item_id(publish(admin, "announcement", org=orgs["secretary"]))
    assert as_role("member").get(f"/c/{new}").status_code == 200
    assert as_role("member_other_branch").get(f"/c/{new}").status_code == 404


def test_province_admin_finds_a_branch_to_publish_for(as_role, accounts, orgs):
    admin = as_role("province_admin")
    page = admin.text("/publish/new/news")
    assert f'<option selected value="{orgs["province_admin"]}">' in page  # their own by default
    branch = accounts["secretary"]["org"]
    found = admin.text("/publish/new/news?q=" + branch.split()[-1])
    assert f'value="{orgs["secretary"]}">{branch}</option>' in found
    assert accounts["other_province_admin"]["org"] not in found


def test_secretary_cannot_publish_for_the_grassroots_or_a_sibling(as_role, orgs, app):
    secretary = as_role("secretary")
    for org in (orgs["grassroots_admin"], orgs["secretary_other_branch"], orgs["other_province_admin"]):
        response = publish(secretary, "news", org_id=str(org))
        assert response.status_code == 404, org
    with app.app_context():
        assert db.session.scalar(select(func.count(ContentItem.id))) == 0
    # Members and helpers publish nothing.
    assert as_role("member").get("/publish/new/news").status_code == 404
    assert as_role("family_helper").get("/publish/").status_code == 404


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, message", [
    ({"title": "  "}, "Vui lòng nhập tiêu đề."),
    ({"issued_on": "31/02/2024"}, "Vui lòng nhập ngày"),
    ({"issued_on": "01/01/2999"}, "tương lai"),
    ({"level": "galactic"}, "Vui lòng chọn cấp ban hành."),
    ({"category": ""}, "Vui lòng chọn loại văn bản."),
    ({"secrecy": "secret"}, SECRET),
    ({"secrecy": "absolute"}, SECRET),
    ({"title": "Kế hoạch số 12-KH/ĐU (MẬT)"}, SECRET),
    ({"title": "TỐI MẬT - Báo cáo công tác quốc phòng"}, SECRET),
    ({"number": "05-KH/TU-MẬT"}, SECRET),
    ({"when": "later", "publish_date": "", "publish_time": ""}, "Vui lòng nhập ngày và giờ đăng."),
    ({"when": "later", "publish_date": "2020-01-01", "publish_time": "08:00"}, "đã qua"),
    ({"when": "later", "publish_date": "2999-01-01", "publish_time": "25:99"}, "Vui lòng nhập giờ"),
    ({"org_id": "abc"}, "Vui lòng chọn tổ chức đăng."),
])
def test_bad_document_input_is_refused_in_vietnamese(as_role, app, changes, message):
    response = publish(as_role("grassroots_admin"), "document", **changes)
    assert response.status_code == 400
    assert message in errors(response), errors(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(ContentItem.id))) == 0


def test_forged_organisation_is_not_found(as_role, orgs):
    response = publish(as_role("grassroots_admin"), "news", org_id=str(orgs["other_province_admin"]))
    assert response.status_code == 404
    assert publish(as_role("grassroots_admin"), "news", org_id="999999").status_code == 404


@pytest.mark.parametrize("text, stamped", [
    ("Kế hoạch 12-KH/ĐU (MẬT)", True), ("Mật - Kế hoạch bảo vệ", True), ("[Mật] Báo cáo", True),
    ("Báo cáo tình hình MẬT", True), ("Tuyệt mật", True), ("Độ mật: Tối mật", True),
    ("TÀI LIỆU MẬT", True), ("MẬT", True),
    ("Phát huy mối quan hệ mật thiết giữa Đảng với Nhân dân", False),
    ("PHÁT HUY MỐI QUAN HỆ MẬT THIẾT GIỮA ĐẢNG VỚI NHÂN DÂN", False),
    ("Chỉ thị về tăng cường công tác bảo vệ bí mật nhà nước", False),
    ("QUY ĐỊNH VỀ BẢO VỆ BÍ MẬT NHÀ NƯỚC", False), ("Mật ong rừng Võ Nhai", False),
    ("Mật độ dân số xã Phú Đình", False), ("57-NQ/TW", False), ("", False),
])
def test_state_secret_stamps_and_ordinary_words(text, stamped):
    assert has_secret_stamp(text) is stamped


def test_ordinary_word_mat_thiet_is_published(as_role):
    title = "Phát huy mối quan hệ mật thiết giữa Đảng với Nhân dân"
    new = item_id(publish(as_role("secretary"), "news", title=title))
    assert title in as_role("member").text(f"/c/{new}")


def test_body_is_sanitised_and_inert(as_role, app):
    body = ('<p onclick="steal()">Nội dung <strong>chính</strong></p><script>alert(1)</script>'
            '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">bấm</a>'
            '<div hx-get="/logout" hx-trigger="load">tải</div><a href="https://thainguyen.dcs.vn/">Cổng</a>'
            '<table><tr><td>1</td></tr></table>')
    new = item_id(publish(as_role("secretary"), "news", body=body))
    with app.app_context():
        stored = db.session.get(ContentItem, new).body
    page = re.search(r'<div class="text-body">.*?</div>', as_role("member").text(f"/c/{new}"), re.S).group(0)
    for text in (stored, page):
        for bad in ("<script", "alert(", "onerror", "onclick", "hx-get", "hx-trigger", "javascript:", "<img"):
            assert bad not in text, bad
    assert "<strong>chính</strong>" in page and 'href="https://thainguyen.dcs.vn/"' in page
    assert "<td>1</td>" in page


def test_long_text_is_kept_whole(as_role, app):
    body = "Báo cáo chi bộ. " * 8000  # ~130,000 characters
    new = item_id(publish(as_role("secretary"), "news", body=body, summary="Tóm tắt " * 500))
    with app.app_context():
        assert len(db.session.get(ContentItem, new).body) > 120_000


def test_search_text_is_folded(as_role, app):
    new = item_id(publish(as_role("grassroots_admin"), "document"))
    with app.app_context():
        text = db.session.get(ContentItem, new).search_text
    assert "nghi quyet ve dot pha" in text and "57 nq tw" in text and "bo chinh tri" in text
    assert "noi dung nghi quyet" in text


# --- scheduling, drafts, edits, withdrawal --------------------------------------------------

def test_scheduled_item_is_invisible_until_its_time(as_role, app, events):
    secretary = as_role("secretary")
    new = item_id(publish(secretary, "announcement", when="later", publish_date="05/12/2999",
                          publish_time="19h30"))
    assert events == []  # the notify job announces it when due
    assert "Đã hẹn giờ" in secretary.text("/publish/?state=scheduled")
    assert "19:30 05/12/2999" in secretary.text(f"/c/{new}")
    member = as_role("member")
    assert member.get(f"/c/{new}").status_code == 404
    assert DEFAULTS["announcement"]["title"] not in member.text("/announcements/")
    with app.app_context():
        item = db.session.get(ContentItem, new)
        assert (item.publish_at.hour, item.publish_at.minute) == (12, 30)  # 19:30 in Vietnam, in UTC
        item.publish_at = utcnow() - timedelta(minutes=1)  # its time has come
        db.session.commit()
    assert member.get(f"/c/{new}").status_code == 200
    assert DEFAULTS["announcement"]["title"] in member.text("/announcements/")
    assert DEFAULTS["announcement"]["title"] not in as_role("member_other_branch").text("/announcements/")


def test_draft_is_seen_by_its_publisher_only(as_role, events):
    secretary = as_role("secretary")
    new = item_id(publish(secretary, "news", when="draft"))
    assert "Bản nháp" in secretary.text(f"/c/{new}")
    assert as_role("member").get(f"/c/{new}").status_code == 404
    assert events == []


def edit(person: Visitor, new: int, **changes):
    url = f"/publish/{new}/edit"
    html = person.text(url)
    fields = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    fields.pop("csrf_token", None)
    data = {"org_id": re.search(r'<option selected value="(\d+)"', html).group(1),
            "title": re.search(r'name="title"[^>]*value="([^"]*)"', html).group(1),
            "summary": "", "body": "", "when": "now", **changes}
    return person.submit(url, {k: v for k, v in data.items()}, form_page=url)


def test_edit_keeps_history_and_tells_the_plugins(as_role, app, events):
    secretary = as_role("secretary")
    new = item_id(publish(secretary, "news"))
    response = edit(secretary, new, title="Hội nghị Ban Chấp hành (đã sửa)", body="Bản sửa.")
    assert item_id(response) == new
    assert isinstance(events[-1], ContentChanged) and events[-1].change == "edited"
    history = secretary.text(f"/publish/{new}/history")
    assert "Phiên bản 2" in history and "Phiên bản 1" in history
    assert DEFAULTS["news"]["title"] in history
    old = secretary.text(f"/publish/{new}/history/1")
    assert "Đồng chí Bí thư phát biểu." in old
    assert "Bản sửa." in as_role("member").text(f"/c/{new}")
    with app.app_context():
        assert db.session.get(ContentItem, new).version == 2
        assert db.session.scalar(select(func.count(ContentRevision.id))) == 1
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"content.publish", "content.edit"} <= actions
    # Others see neither the history nor the edit form.
    for outsider in ("member", "secretary_other_branch", "other_province_admin"):
        assert as_role(outsider).get(f"/publish/{new}/history").status_code == 404
        assert as_role(outsider).get(f"/publish/{new}/edit").status_code == 404


def test_edit_form_shows_plain_text_as_typed(as_role):
    secretary = as_role("secretary")
    new = item_id(publish(secretary, "news"))
    html = secretary.text(f"/publish/{new}/edit")
    assert "Sáng nay, hội nghị đã khai mạc.\n\nĐồng chí Bí thư phát biểu.</textarea>" in html


def test_withdraw_hides_and_republish_shows(as_role, app, events):
    secretary = as_role("secretary")
    new = item_id(publish(secretary, "announcement"))
    response = secretary.submit(f"/publish/{new}/withdraw", {}, form_page=f"/c/{new}")
    assert response.status_code == 302
    assert isinstance(events[-1], ContentChanged) and events[-1].change == "withdrawn"
    member = as_role("member")
    assert member.get(f"/c/{new}").status_code == 404
    assert DEFAULTS["announcement"]["title"] not in member.text("/announcements/")
    assert "Đã thu hồi" in secretary.text(f"/c/{new}")
    secretary.submit(f"/publish/{new}/republish", {}, form_page=f"/c/{new}")
    assert isinstance(events[-1], ContentPublished)
    assert member.get(f"/c/{new}").status_code == 200
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"content.withdraw", "content.republish"} <= actions


def test_others_cannot_withdraw(as_role):
    new = item_id(publish(as_role("secretary"), "news"))
    other = as_role("secretary_other_branch")
    assert other.submit(f"/publish/{new}/withdraw", {}, form_page="/publish/").status_code == 404
    assert as_role("member").get(f"/c/{new}").status_code == 200


def test_create_is_idempotent(as_role, app):
    secretary = as_role("secretary")
    html = secretary.text("/publish/new/news")
    data = {"idempotency_key": key_on(html), "org_id": re.search(r'<option selected value="(\d+)"', html).group(1),
            "when": "now", **DEFAULTS["news"]}
    first = secretary.submit("/publish/new/news", data)
    again = secretary.submit("/publish/new/news", data)
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(ContentItem.id))) == 1


# --- lists, menu and home -------------------------------------------------------------------

def test_announcement_on_home_and_in_the_list(as_role):
    secretary = as_role("secretary")
    publish(secretary, "announcement")
    member = as_role("member")
    home = member.text("/")
    assert DEFAULTS["announcement"]["title"] in home and "Thông báo" in home
    assert DEFAULTS["announcement"]["title"] in member.text("/announcements/")
    assert DEFAULTS["announcement"]["title"] not in as_role("member_other_branch").text("/")
    assert "Đăng tin mới" in secretary.text("/") and "Đăng tin mới" not in home
    assert "Đăng tin, văn bản" in secretary.text("/manage")


def test_life_sections(as_role):
    publish(as_role("province_admin"), "page")
    publish(as_role("secretary"), "page", title="Xây dựng đường giao thông nông thôn", category="rural")
    member = as_role("member")
    index = member.text("/life/")
    assert "Sức khỏe" in index and "Nông thôn mới" in index and "Văn hóa" not in index
    assert "Phòng chống sốt xuất huyết" in member.text("/life/health")
    assert member.get("/life/unknown").status_code == 404
    far = as_role("other_province_admin").text("/life/")
    assert "Sức khỏe" not in far
    assert "Xây dựng đường" not in as_role("member_other_branch").text("/life/rural")


def test_publisher_list_filters(as_role):
    secretary = as_role("secretary")
    publish(secretary, "news")
    publish(secretary, "announcement", when="draft")
    everything = secretary.text("/publish/")
    assert DEFAULTS["news"]["title"] in everything and DEFAULTS["announcement"]["title"] in everything
    drafts = secretary.text("/publish/?state=draft")
    assert DEFAULTS["news"]["title"] not in drafts and DEFAULTS["announcement"]["title"] in drafts
    assert DEFAULTS["announcement"]["title"] not in secretary.text("/publish/?kind=news")
    assert DEFAULTS["news"]["title"] not in as_role("secretary_other_branch").text("/publish/")


# --- the demo -------------------------------------------------------------------------------

@pytest.fixture
def with_demo_content(app, orgs):
    from core.content.demo import seed_demo_content

    with app.app_context():
        found = {role: db.session.get(Organisation, org_id) for role, org_id in orgs.items()}
        added = seed_demo_content(found["province_admin"], found["district_admin"],
                                  found["grassroots_admin"], found["secretary"])
        db.session.commit()
    return added


def test_demo_content_reaches_the_branch(as_role, with_demo_content):
    assert with_demo_content == 19
    member = as_role("member")
    home = member.text("/")
    assert "Sinh hoạt chi bộ định kỳ tháng 12 vào 19h30 ngày 05/12 tại nhà văn hóa xóm" in home
    assert "Hoàn thành thu nộp đảng phí" in member.text("/announcements/")
    life = member.text("/life/")
    assert "Sức khỏe" in life and "Văn hóa" in life and "Nông thôn mới" in life
    sibling = as_role("member_other_branch")
    assert "Sinh hoạt chi bộ định kỳ tháng 12" not in sibling.text("/announcements/")
    assert "Sức khỏe" not in as_role("other_province_admin").text("/life/")


def test_the_demo_monthly_material_has_a_pdf_to_download(app, as_role, with_demo_content):
    member = as_role("member")
    with app.app_context():
        item = db.session.scalar(select(ContentItem).where(ContentItem.category == "monthly_material"))
        title = item.title
    page = member.text(f"/c/{item.id}")
    link = re.search(r'href="(/c/\d+/files/[^"]+)"[^>]*>([^<]*)<', page)
    assert link and title.replace("/", "-") in link.group(2), "the material shows its PDF to open"
    response = member.client.get(link.group(1))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 1000
    assert as_role("member_other_branch").client.get(link.group(1)).status_code == 404
