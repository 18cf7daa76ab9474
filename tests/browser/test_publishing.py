"""A branch secretary publishes an announcement from the phone; a member of the branch sees it on
the home page (JavaScript on and off)."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.steps import at, sign_in
from tests.core.test_attachments import PDF

TITLE = "Sinh hoạt chi bộ định kỳ tháng 12 vào 19h30 ngày 05/12 tại nhà văn hóa xóm"
SUMMARY = "Đề nghị các đồng chí có mặt đúng giờ."


def test_secretary_announces_and_member_sees_it_at_home(js, open_page, accounts):
    secretary = open_page(js=js)
    sign_in(secretary, accounts["secretary"])
    secretary.get_by_role("link", name="Đăng tin mới").first.click()
    secretary.wait_for_url(at("/publish/new"))
    secretary.locator("main").get_by_role("link", name="Thông báo", exact=True).click()
    secretary.wait_for_url(at("/publish/new/announcement"))
    secretary.get_by_label("Tiêu đề").fill(TITLE)
    secretary.get_by_label("Tóm tắt").fill(SUMMARY)
    secretary.get_by_label("Nội dung").fill("Nội dung: bàn nhiệm vụ tháng 12.\n\nĐánh giá đảng viên năm 2025.")
    secretary.get_by_label("Tệp đính kèm").set_input_files(
        {"name": "Lịch sinh hoạt.pdf", "mimeType": "application/pdf", "buffer": PDF})
    expect(secretary.get_by_label("Đăng ngay")).to_be_checked()
    secretary.locator("main form[method=post] button[type=submit]").last.click()
    secretary.wait_for_url(re.compile(r"/c/\d+$"))
    expect(secretary.locator(".notice.success")).to_contain_text("Đã đăng")
    expect(secretary.get_by_role("heading", level=1)).to_have_text(TITLE)

    member = open_page(js=js)
    sign_in(member, accounts["member"])
    card = member.locator("main .card").filter(has_text=TITLE)
    expect(card).to_contain_text(SUMMARY)
    card.get_by_role("link", name=TITLE).click()
    member.wait_for_url(re.compile(r"/c/\d+$"))
    expect(member.locator("main")).to_contain_text("Đánh giá đảng viên năm 2025.")
    with member.expect_download() as download:
        member.get_by_role("link", name="Lịch sinh hoạt.pdf").click()
    assert download.value.suggested_filename == "Lịch sinh hoạt.pdf"
    assert Path(download.value.path()).read_bytes() == PDF

    other = open_page(js=js)
    sign_in(other, accounts["member_other_branch"])
    expect(other.locator("main")).not_to_contain_text(TITLE)


def test_content_pages_have_no_accessibility_violation(open_page, live_server, app, accounts, demo_content):
    """What an empty demo never shows: pages full of content, a document with its files, a form
    sent back with its messages, the edit history; in normal and in large high-contrast mode."""
    import io

    from sqlalchemy import select

    from core.content.models import ContentItem
    from core.extensions import db
    from tests.browser.test_accessibility import MODES, _open_with_axe, _violations
    from tests.core.test_content import edit, item_id, publish
    from tests.support import Visitor

    with app.app_context():
        announcement = db.session.scalar(select(ContentItem.id).where(ContentItem.kind == "announcement"))
    writer = Visitor(app.test_client())
    writer.login(accounts["secretary"])
    document = item_id(publish(writer, "document", files=[(io.BytesIO(PDF), "Nghị quyết.pdf")]))
    edit(writer, document, title="Nghị quyết (đã sửa)", **{"number": "57-NQ/TW", "level": "central",
                                                           "category": "resolution", "secrecy": "normal"})
    urls = [f"/c/{document}", f"/c/{announcement}", "/announcements/", "/life/", "/life/health",
            "/publish/", "/publish/new", "/publish/new/document", f"/publish/{document}/edit",
            f"/publish/{document}/history", f"/publish/{document}/history/1"]
    page = _open_with_axe(open_page)
    sign_in(page, accounts["secretary"])
    found = []
    for mode, cookies in (("normal", {}), ("large+contrast", MODES["large+contrast"])):
        page.context.add_cookies([{"name": k, "value": v, "url": live_server} for k, v in cookies.items()])
        for url in urls:
            page.goto(url)
            found += [f"{mode} {url} {v['id']}: {v['help']} — {v['targets']}" for v in _violations(page)]
        page.goto("/publish/new/document")
        page.get_by_label("Tiêu đề").fill("Kế hoạch bảo vệ")
        page.get_by_label("Tối mật").check()
        page.locator("main form[method=post] button[type=submit]").last.click()
        expect(page.locator("main p.error").first).to_be_visible()
        found += [f"{mode} form with errors {v['id']}: {v['help']} — {v['targets']}" for v in _violations(page)]
    assert not found, "\n".join(found)
