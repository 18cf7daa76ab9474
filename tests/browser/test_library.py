"""A member looks for a resolution typed without diacritics, saves it to read later and finds it
among the saved items (JavaScript on and off); the sibling branch's resolution never shows."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.extensions import db
from core.org.models import Organisation
from tests.browser.steps import at, sign_in
from tests.core.test_library import Doc, add_item

TITLE = "Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ và chuyển đổi số"
SIBLING = "Nghị quyết chi bộ Gốc Gạo về làm đường liên xóm"


@pytest.fixture
def documents(app, accounts):
    """The province's resolution (for every branch) and the sibling branch's own."""
    with app.app_context():
        by_name = {o.name: o.id for o in db.session.scalars(select(Organisation))}
        add_item(Doc("province", TITLE, number="57-NQ/TW", issuer="Bộ Chính trị", issued_on=date(2024, 12, 22),
                     level="central", category="resolution"), by_name[accounts["province_admin"]["org"]])
        add_item(Doc("branch_b", SIBLING, issued_on=date(2025, 4, 1), level="local", category="resolution"),
                 by_name[accounts["member_other_branch"]["org"]])
        db.session.commit()
        db.session.remove()


def test_member_finds_a_resolution_and_saves_it(js, any_page, accounts, documents):
    page = any_page
    sign_in(page, accounts["member"])
    page.locator("header summary", has_text="Danh mục").click()  # the menu is folded
    page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link", name="Văn bản").click()
    page.wait_for_url(at("/documents/"))
    page.get_by_label("Từ khóa, tên hoặc số hiệu văn bản").fill("nghi quyet 57")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(lambda url: "q=nghi" in url)  # with htmx: the results are in and the address kept
    results = page.locator("#results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results).not_to_contain_text(SIBLING)
    # Typed with its diacritics and the number as written, it is found the same.
    page.get_by_label("Từ khóa, tên hoặc số hiệu văn bản").fill("Nghị quyết 57-NQ/TW")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(lambda url: "q=Ngh" in url)
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(results).not_to_contain_text(SIBLING)
    results.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(r"/c/\d+$"))
    page.get_by_role("button", name="Lưu để đọc sau").click()
    expect(page.get_by_role("button", name="Bỏ lưu")).to_be_visible()
    page.goto("/bookmarks/")
    expect(page.locator("main").get_by_role("link", name=TITLE)).to_have_count(1)
    # Taken off the list from the list itself.
    page.locator("main").get_by_role("button", name="Bỏ lưu").click()
    if js:  # only the button changed; the list is as it was until it is opened again
        expect(page.locator("main").get_by_role("button", name="Lưu để đọc sau")).to_be_visible()
        page.goto("/bookmarks/")
    expect(page.locator("main")).not_to_contain_text(TITLE)
