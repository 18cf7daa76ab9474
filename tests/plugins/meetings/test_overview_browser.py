"""The overview in Chromium on a phone, JavaScript on and off: a grassroots administrator reads
the grid, narrows it to the branches that have not met, and reminds the ticked ones; a secretary
enters next month's plan."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.steps import at, sign_in
from tests.plugins.meetings.overview_stats_dates import next_month_day

pytestmark = pytest.mark.browser


def test_grassroots_reminds_branches_that_have_not_met(any_page, accounts):
    page = any_page
    sign_in(page, accounts["grassroots_admin"])
    page.goto("/meetings/overview/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tình hình sinh hoạt của các chi bộ")
    page.get_by_role("link", name="chi bộ chưa sinh hoạt tháng này").click()
    page.wait_for_url(lambda url: "show=not_met" in url)
    expect(page.get_by_text("Đang xem: Chưa sinh hoạt tháng này.")).to_be_visible()
    ticked = page.locator("input[name=branch]:checked")
    expect(ticked).to_have_count(2)
    ticked.first.uncheck()
    page.get_by_role("button", name="Nhắc các chi bộ đã đánh dấu sinh hoạt trong tháng này").click()
    expect(page.get_by_text("Đã nhắc đồng chí bí thư của 1 chi bộ.")).to_be_visible()
    page.wait_for_url(at("/meetings/overview/"))


def test_secretary_enters_the_plan(any_page, accounts):
    page = any_page
    sign_in(page, accounts["secretary"])
    page.goto("/meetings/overview/plan")
    page.locator("[name=day]").fill(next_month_day(9).isoformat())
    page.locator("[name=hour]").fill("08:00")
    page.get_by_label("Sinh hoạt chuyên đề").check()
    page.locator("[name=topic]").fill("Học tập Nghị quyết Trung ương")
    page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.get_by_text("Đã lưu kế hoạch sinh hoạt tháng sau.")).to_be_visible()
    expect(page.locator("[name=topic]")).to_have_value("Học tập Nghị quyết Trung ương")
