"""The inbox in the browser (JavaScript on and off), and the home-screen app's service worker:
it keeps static files and the offline page, never a member's page, and nothing survives sign-out."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from core.extensions import db
from core.jobs import enqueue
from core.notify.service import notify
from core.org.models import utcnow
from tests.browser.steps import at, cached, is_static, sign_in
from tests.core.test_notify import clear_inbox, province_id, publish
from tests.plugins.support import org_named

def announce(app, accounts, *titles_and_urls) -> None:
    """Empty the inbox of the demo's notifications, then send these to the member's branch."""
    clear_inbox(app)
    branch = org_named(app, accounts["member"]["org"]).id
    with app.app_context():
        for title, url in titles_and_urls:
            notify("announcement", title, url=url, org_id=branch)
        db.session.commit()
        db.session.remove()


def open_menu_link(page, link) -> None:
    """Follow a link of the header menu, unfolding "Danh mục" first when it is folded."""
    if not link.is_visible():
        page.locator("header summary", has_text="Danh mục").click()
    link.click()


def test_a_member_reads_a_notification_and_marks_all_read(any_page, app, accounts):
    announce(app, accounts, ("Họp chi bộ bất thường chiều nay", "/account"),
             ("Nhắc đóng đảng phí quý IV", "/"))
    page = any_page
    sign_in(page, accounts["member"])
    inbox = page.get_by_label("Trình đơn chính").locator("a[href='/inbox/']")
    expect(inbox).to_have_text("Hộp thư (2)")
    open_menu_link(page, inbox)
    page.wait_for_url(at("/inbox/"))
    expect(page.get_by_text("Chưa đọc")).to_have_count(2)
    page.get_by_role("link", name="Họp chi bộ bất thường chiều nay").click()
    page.wait_for_url(at("/account"))  # where the notification leads
    expect(inbox).to_have_text("Hộp thư (1)")
    open_menu_link(page, inbox)
    page.wait_for_url(at("/inbox/"))
    expect(page.get_by_text("Chưa đọc")).to_have_count(1)
    page.get_by_role("button", name="Đánh dấu đã đọc tất cả").click()
    expect(page.get_by_text("Đã đánh dấu đọc tất cả thông báo.")).to_be_visible()
    expect(page.get_by_text("Chưa đọc")).to_have_count(0)
    expect(inbox).to_have_text("Hộp thư")


def test_a_member_turns_a_kind_off(any_page, app, accounts):
    announce(app, accounts, ("Lịch tiếp công dân tháng 12", "/"))
    page = any_page
    sign_in(page, accounts["member"])
    page.goto("/inbox/prefs")
    page.get_by_label("Thông báo của cấp ủy").uncheck()
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu lựa chọn của đồng chí.")).to_be_visible()
    expect(page.get_by_label("Thông báo của cấp ủy")).not_to_be_checked()
    page.goto("/inbox/")
    expect(page.get_by_text("Lịch tiếp công dân tháng 12")).to_have_count(0)


def test_the_weekly_digest_leads_a_member_to_the_new_documents(any_page, app, accounts):
    clear_inbox(app)
    title = "Quy định về kiểm tra, giám sát trong Đảng"
    publish(app, province_id(app, accounts), "document", title, publish_at=utcnow() - timedelta(days=2))
    clear_inbox(app)  # only the digest, not the document's own notification
    with app.app_context():
        enqueue("notify.digest")
        db.session.remove()
    page = any_page
    sign_in(page, accounts["member"])
    page.goto("/inbox/")
    page.locator("main").get_by_role("link", name=re.compile("Tuần này có 1 văn bản")).click()
    page.wait_for_url(at("/documents/"))
    expect(page.locator("main").get_by_role("link", name=title)).to_be_visible()


def test_the_worker_caches_only_static_files_and_the_offline_page(page, accounts):
    sign_in(page, accounts["member"])
    assert page.evaluate("""() => Promise.race([
        navigator.serviceWorker.ready.then(() => "ready"),
        new Promise(done => setTimeout(() => done("no worker"), 8000))])""") == "ready"
    for path in ("/inbox/", "/account", "/"):
        page.goto(path)
    kept = [path for paths in cached(page).values() for path in paths]
    assert "/offline" in kept and any(path.startswith("/a/") for path in kept), kept
    assert all(is_static(path) for path in kept), kept
    # Without a network, a page opens as the offline page, not as a stored copy.
    page.context.set_offline(True)
    page.goto("/account")
    expect(page.get_by_role("heading", name="Không có mạng")).to_be_visible()
    page.context.set_offline(False)
    page.goto("/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(at("/login"))
    left = [path for paths in cached(page).values() for path in paths]
    assert all(is_static(path) for path in left), left
