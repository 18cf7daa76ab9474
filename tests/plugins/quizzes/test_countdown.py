"""The countdown in Chromium: with JavaScript the time left ticks down without a reload, starting
from the server's figure even when the phone's clock is hours wrong, and says so when time is up;
moving on to the next question (an htmx swap) keeps it ticking from the new page's figure.
Without JavaScript the page still shows the time left and the end's clock time, as the server
counted them when it sent the page."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.plugins.quizzes.support import shift

CLOCK = re.compile(r"^(\d+) phút (\d\d) giây$")


def _seconds(page) -> int:
    m, s = CLOCK.match(page.locator("[data-quizzes-left]").inner_text().strip()).groups()
    return int(m) * 60 + int(s)


def _start(page, accounts):
    sign_in(page, accounts["member"])
    page.goto("/quizzes/")
    page.get_by_role("link", name="Tìm hiểu Điều lệ Đảng").click()
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/(\d+)/1$"))
    return int(re.search(r"/attempts/(\d+)/", page.url).group(1))


def test_the_time_left_ticks_without_a_reload_whatever_the_phones_clock_says(open_page, accounts, app):
    page = open_page(js=True)
    page.clock.set_system_time(datetime.now() + timedelta(hours=3, minutes=17))  # a phone set wrong
    attempt = _start(page, accounts)
    first = _seconds(page)
    assert 14 * 60 <= first <= 15 * 60  # the contest's 15 minutes, not "time is up"
    page.wait_for_timeout(2500)
    later = _seconds(page)
    assert first - 4 <= later <= first - 2, (first, later)
    assert page.url.endswith(f"/attempts/{attempt}/1")  # no reload, no new page
    expect(page.get_by_text(re.compile(r"hết giờ lúc \d\d:\d\d:\d\d"))).to_be_visible()
    # The next question comes by htmx: the countdown carries on from that page's figure.
    page.locator("fieldset input").first.check()
    page.get_by_role("button", name="Lưu, sang câu sau").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt}/2$"))
    ticking = _seconds(page)
    page.wait_for_timeout(2200)
    assert _seconds(page) < ticking <= later
    expect(page.locator("[data-quizzes-up]")).to_be_hidden()


def test_when_the_time_runs_out_the_page_says_so(open_page, accounts, app):
    page = open_page(js=True)
    attempt = _start(page, accounts)
    shift(app, attempt, 15 - 3 / 60)  # three seconds left
    page.reload()
    expect(page.locator("[data-quizzes-left]")).to_have_text("0 phút 00 giây", timeout=8000)
    expect(page.get_by_text("Đã hết giờ: đồng chí hãy nộp bài.")).to_be_visible()


def test_without_javascript_the_time_left_and_the_end_are_on_the_page(open_page, accounts, app):
    page = open_page(js=False)
    attempt = _start(page, accounts)
    shift(app, attempt, 5)
    page.reload()
    shown = _seconds(page)
    assert 9 * 60 <= shown <= 10 * 60
    expect(page.get_by_text(re.compile(r"Còn lại: \d+ phút \d\d giây \(hết giờ lúc \d\d:\d\d:\d\d\)"))).to_be_visible()
    page.wait_for_timeout(1500)
    assert _seconds(page) == shown  # nothing ticks without JavaScript: the page's own figure
    expect(page.locator("[data-quizzes-up]")).to_be_hidden()
