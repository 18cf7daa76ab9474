"""The inbox: who receives what (the province, a branch, one person), reading, preferences, and
the unread count in the menu — driven over HTTP, checked in the Vietnamese the member reads."""
from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select

from core.auth.models import User
from core.content.models import ContentItem
from core.events import ContentPublished, emit
from core.extensions import db
from core.jobs import enqueue
from core.notify.models import Notification, NotificationPreference, NotificationRead
from core.notify.service import notify
from core.org.models import Organisation, utcnow
from core.text import fold
from tests.plugins.support import org_named, redis_url

UNREAD = "Chưa đọc"


def real_queue() -> dict:
    """Config for a test's own app: with REDIS_URL set, jobs go through Redis and RQ (at once, on
    a queue of the test's own), as in the shared `app` fixture."""
    return {"REDIS_URL": redis_url(), "JOBS_RQ_SYNC": True, "JOBS_QUEUE": f"test-{uuid.uuid4().hex[:12]}"}


def clear_inbox(app) -> None:
    """Start from an empty inbox: the demo's own notifications would blur the counts."""
    with app.app_context():
        for model in (NotificationRead, NotificationPreference, Notification):
            db.session.execute(delete(model))
        db.session.commit()


@pytest.fixture(autouse=True)
def empty_inbox(app):
    clear_inbox(app)


def publish(app, org_id: int, kind: str, title: str, *, publish_at=None, created_at=None) -> int:
    """What the publishing views do: save a published item, then emit ContentPublished."""
    with app.app_context():
        item = ContentItem(org_id=org_id, kind=kind, title=title, status="published",
                           publish_at=publish_at, search_text=fold(title),
                           created_at=created_at or utcnow())
        db.session.add(item)
        db.session.commit()
        province = db.session.get(Organisation, org_id).province_id
        emit(ContentPublished(province_id=province, actor_id=None, item_id=item.id, org_id=org_id,
                              kind=kind))
        return item.id


def org_id(app, accounts, role: str) -> int:
    return org_named(app, accounts[role]["org"]).id


def province_id(app, accounts, role: str = "member") -> int:
    return org_named(app, accounts[role]["org"]).province_id


def user_id(app, accounts, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == accounts[role]["login"]))


def notification_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Notification.id).where(Notification.title == title))


@contextmanager
def watching(app, listener):
    """Call `listener` for every SQL statement the app runs meanwhile (outside an app context,
    so that each request has its own, as in production)."""
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def count_menu(html: str) -> int:
    found = re.search(r"Hộp thư \((\d+)\)", html)
    return int(found.group(1)) if found else 0


def test_a_province_document_reaches_every_member_of_the_province_only(app, as_role, accounts):
    item = publish(app, province_id(app, accounts), "document", "Nghị quyết 57-NQ/TW về khoa học, công nghệ")
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id))) == 1  # one row, no fan-out
    for role in ("member", "member_other_branch", "secretary", "district_admin", "family_helper"):
        person = as_role(role)
        assert count_menu(person.text("/")) == 1, role
        inbox = person.text("/inbox/")
        assert "Nghị quyết 57-NQ/TW về khoa học, công nghệ" in inbox and UNREAD in inbox, role
        assert "Văn bản mới" in inbox, role
    other = as_role("other_province_admin")
    assert "Nghị quyết 57" not in other.text("/inbox/")
    assert count_menu(other.text("/")) == 0
    note = notification_id(app, "Nghị quyết 57-NQ/TW về khoa học, công nghệ")
    assert other.get(f"/inbox/{note}").status_code == 404
    # Opening it marks it read and leads to the document.
    member = as_role("member")
    response = member.get(f"/inbox/{note}")
    assert response.status_code == 303 and response.location.endswith(f"/c/{item}")
    assert count_menu(member.text("/")) == 0
    assert UNREAD not in member.text("/inbox/")
    assert count_menu(as_role("member_other_branch").text("/")) == 1  # read state is per person


def test_a_branch_announcement_reaches_only_that_branch(app, as_role, accounts):
    publish(app, org_id(app, accounts, "member"), "announcement", "Họp chi bộ thường kỳ tháng 11")
    assert "Họp chi bộ thường kỳ tháng 11" in as_role("member").text("/inbox/")
    assert "Họp chi bộ thường kỳ tháng 11" in as_role("family_helper").text("/inbox/")
    note = notification_id(app, "Họp chi bộ thường kỳ tháng 11")
    for role in ("member_other_branch", "secretary_other_branch", "grassroots_admin", "other_province_admin"):
        person = as_role(role)
        assert "Họp chi bộ thường kỳ" not in person.text("/inbox/"), role
        assert person.get(f"/inbox/{note}").status_code == 404, role


def test_a_personal_notification_reaches_one_person(app, as_role, accounts):
    with app.app_context():
        notify("announcement", "Đồng chí được phân công chuẩn bị báo cáo", url="/account",
               user_id=user_id(app, accounts, "member"))
        db.session.commit()
    assert "chuẩn bị báo cáo" in as_role("member").text("/inbox/")
    assert "chuẩn bị báo cáo" not in as_role("secretary").text("/inbox/")


def test_a_dedupe_key_makes_a_second_notify_a_no_op(app, accounts):
    branch = org_id(app, accounts, "member")
    with app.app_context():
        first = notify("announcement", "Một lần thôi", org_id=branch, dedupe_key="test:once").id
        second = notify("announcement", "Một lần thôi", org_id=branch, dedupe_key="test:once").id
        assert first == second
        assert db.session.scalar(select(func.count(Notification.id))) == 1
        with pytest.raises(ValueError):
            notify("announcement", "Không gửi cho ai")


def test_a_new_member_does_not_get_years_of_history(app, as_role, accounts):
    branch = org_id(app, accounts, "member")
    with app.app_context():
        member = db.session.get(User, user_id(app, accounts, "member"))
        note = notify("announcement", "Thông báo từ ba năm trước", org_id=branch)
        note.created_at = member.created_at - timedelta(days=3 * 365)
        db.session.commit()
    assert "ba năm trước" not in as_role("member").text("/inbox/")


def test_mark_all_read_is_one_insert(app, as_role, accounts):
    for n in range(3):
        publish(app, province_id(app, accounts), "news", f"Tin hoạt động số {n}")
    member = as_role("member")
    member.get(f"/inbox/{notification_id(app, 'Tin hoạt động số 0')}")  # "mark all" adds the others
    assert count_menu(member.text("/")) == 2
    inserts = []

    def watch(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATION_READ"):
            inserts.append(statement)
    with watching(app, watch):
        response = member.submit("/inbox/read-all", {}, form_page="/inbox/", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Đã đánh dấu đọc tất cả thông báo." in page and UNREAD not in page
    assert count_menu(page) == 0 and len(inserts) == 1
    assert count_menu(as_role("member_other_branch").text("/")) == 3


def test_the_menu_count_is_one_query_on_every_page(app, as_role, accounts):
    publish(app, province_id(app, accounts), "document", "Kết luận 123-KL/TW")
    member = as_role("member")
    seen = []

    def watch(conn, cursor, statement, *args):
        if re.search(r"\bFROM notification\b", statement):
            seen.append(statement)
    with watching(app, watch):
        assert count_menu(member.text("/account")) == 1
    assert len(seen) == 1 and "count(" in seen[0].lower()


def test_preferences_hide_a_kind_from_the_inbox_and_the_count(app, as_role, accounts):
    publish(app, province_id(app, accounts), "document", "Chỉ thị 35-CT/TW về đại hội")
    publish(app, org_id(app, accounts, "member"), "announcement", "Thu đảng phí quý IV")
    member = as_role("member")
    prefs = member.text("/inbox/prefs")
    for kind in ("Văn bản mới", "Tin tức", "Thông báo của cấp ủy", "Bản tin tổng hợp văn bản mới hằng tuần"):
        assert kind in prefs
    keep = ["new_document", "new_news", "digest"]  # announcements off
    response = member.submit("/inbox/prefs", {"kinds": keep}, follow_redirects=True)
    assert "Đã lưu lựa chọn của đồng chí." in response.get_data(as_text=True)
    inbox = member.text("/inbox/")
    assert "Chỉ thị 35-CT/TW" in inbox and "Thu đảng phí quý IV" not in inbox
    assert count_menu(inbox) == 1
    assert count_menu(as_role("secretary").text("/")) == 2  # someone else's choice is theirs
    member.submit("/inbox/prefs", {"kinds": keep + ["announcement"]})
    assert "Thu đảng phí quý IV" in member.text("/inbox/")
    bad = member.submit("/inbox/prefs", {"kinds": ["no-such-kind"]})
    assert bad.status_code == 400


def test_a_notification_leads_only_to_pages_of_this_site(app, as_role, accounts):
    with app.app_context():
        notify("announcement", "Liên kết lạ", url="https://example.com/phishing",
               org_id=org_id(app, accounts, "member"))
        db.session.commit()
    member = as_role("member")
    response = member.get(f"/inbox/{notification_id(app, 'Liên kết lạ')}")
    assert response.status_code == 303 and response.location.endswith("/inbox/")


def test_the_inbox_is_paginated_and_private(app, as_role, accounts):
    branch = org_id(app, accounts, "member")
    with app.app_context():
        for n in range(30):
            notify("announcement", f"Thông báo số {n:02d}", org_id=branch)
        db.session.commit()
    member = as_role("member")
    response = member.get("/inbox/")
    page = response.get_data(as_text=True)
    assert "Thông báo số 29" in page and "Thông báo số 00" not in page  # newest first
    assert "no-store" in response.headers["Cache-Control"]
    assert "Thông báo số 00" in member.text("/inbox/?page=2")
    assert as_role("member").get("/inbox/", headers={"HX-Request": "true", "HX-Target": "main"}).status_code == 200
    assert app.test_client().get("/inbox/").status_code == 302  # signed out: to the login page


def test_a_scheduled_item_is_announced_when_its_time_comes(app, as_role, accounts):
    province = province_id(app, accounts)
    later = utcnow() + timedelta(hours=2)
    item = publish(app, province, "document", "Quy định 144-QĐ/TW hẹn giờ", publish_at=later)
    mine = select(func.count(Notification.id)).where(Notification.dedupe_key == f"content:{item}")
    with app.app_context():
        assert db.session.scalar(mine) == 0  # not yet
        enqueue("content.announce_due")
        assert db.session.scalar(mine) == 0
        db.session.get(ContentItem, item).publish_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        enqueue("content.announce_due")
        second = enqueue("content.announce_due")
        assert db.session.get(type(second), second.id).result == {"announced": 0}
        assert db.session.scalar(mine) == 1
    assert "Quy định 144-QĐ/TW hẹn giờ" in as_role("member").text("/inbox/")


def test_the_demo_inbox(app, as_role, accounts):
    from core.notify.demo import seed_demo_notifications

    publish(app, province_id(app, accounts), "document", "Nghị quyết mẫu của Tỉnh ủy")
    with app.app_context():
        seed_demo_notifications(province_id(app, accounts), org_id(app, accounts, "member"),
                                user_id(app, accounts, "secretary"))
        seed_demo_notifications(province_id(app, accounts), org_id(app, accounts, "member"),
                                user_id(app, accounts, "secretary"))  # twice: nothing doubles
    inbox = as_role("secretary").text("/inbox/")
    for text in ("Nghị quyết mẫu của Tỉnh ủy", "Chi bộ họp thường kỳ", "yêu cầu cấp lại mật khẩu",
                 "Tuần này có"):
        assert inbox.count(text) == 1, text
    assert "yêu cầu cấp lại mật khẩu" not in as_role("member").text("/inbox/")
    assert "Cổng TTĐT Đảng bộ tỉnh" in as_role("province_admin").text("/feeds/")
