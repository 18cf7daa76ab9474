"""The contest's pages that no crawl reaches (they need a running attempt): under 14 KB
compressed on the wire, and axe-core finds nothing on them on a 360 px phone, in normal and
large-text mode, the question page's saved note and the network notice included."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.browser.test_accessibility import _open_with_axe, _violations
from tests.plugins.quizzes.support import MEMBERS_CONTEST, SECRETARIES_CONTEST, answer, attempt_row, contest_id, start
from tests.support import GZIP_ONLY, on_the_wire

BUDGET = 14 * 1024


def _attempt_pages(app, visitor, contest: int) -> tuple[int, list[str]]:
    attempt = start(visitor, contest)
    ids = attempt_row(app, attempt).question_ids
    answer(visitor, attempt, ids[0], [1])
    return attempt, [f"/quizzes/{contest}", f"/quizzes/attempts/{attempt}", f"/quizzes/attempts/{attempt}/1",
                     f"/quizzes/attempts/{attempt}/{len(ids)}", f"/quizzes/attempts/{attempt}/paper"]


def test_every_contest_page_fits_one_initial_window(app, as_role):
    secretary = as_role("secretary")
    attempt, urls = _attempt_pages(app, secretary, contest_id(app, SECRETARIES_CONTEST))
    urls += ["/quizzes/", "/quizzes/practice"]
    heavy = []
    for url in urls:
        for encoding in ("br", GZIP_ONLY):
            wire = on_the_wire(secretary.client, url, encoding)
            assert wire.status == 200, url
            if wire.sent > BUDGET:
                heavy.append(f"{url} {encoding}: {wire.sent} bytes")
    secretary.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page="/account")
    for url in (f"/quizzes/attempts/{attempt}/result",):
        wire = on_the_wire(secretary.client, url, GZIP_ONLY)
        assert wire.status == 200 and wire.sent <= BUDGET, (url, wire.sent)
    admin = as_role("province_admin")
    for url in ("/quizzes/manage", "/quizzes/bank", "/quizzes/bank/new", "/quizzes/manage/new",
                f"/quizzes/manage/{contest_id(app, SECRETARIES_CONTEST)}", "/quizzes/bank/import"):
        wire = on_the_wire(admin.client, url, GZIP_ONLY)
        assert wire.status == 200, url
        if wire.sent > BUDGET:
            heavy.append(f"{url}: {wire.sent} bytes")
    assert not heavy, heavy


@pytest.mark.parametrize("large", [False, True])
def test_no_accessibility_violation_on_the_attempt_pages(open_page, live_server, app, accounts, large):
    page = _open_with_axe(open_page)
    if large:
        page.context.add_cookies([{"name": "large", "value": "1", "url": live_server}])
    sign_in(page, accounts["member"])
    contest = contest_id(app, MEMBERS_CONTEST)
    page.goto(f"/quizzes/{contest}")
    found = [f"contest {v['id']}: {v['help']} {v['targets']}" for v in _violations(page)]
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/1$"))
    attempt = int(re.search(r"/attempts/(\d+)/", page.url).group(1))
    page.locator("fieldset input").first.check()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    page.evaluate("document.querySelector('.net-error').hidden = false")
    found += [f"question {v['id']}: {v['help']} {v['targets']}" for v in _violations(page)]
    for url in (f"/quizzes/attempts/{attempt}", f"/quizzes/attempts/{attempt}/paper", "/quizzes/practice"):
        page.goto(url)
        found += [f"{url} {v['id']}: {v['help']} {v['targets']}" for v in _violations(page)]
    page.goto(f"/quizzes/attempts/{attempt}")
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_text("Đã nộp bài lúc")).to_be_visible()
    found += [f"result {v['id']}: {v['help']} {v['targets']}" for v in _violations(page)]
    admin = _open_with_axe(open_page)
    sign_in(admin, accounts["district_admin"])
    for url in ("/quizzes/manage", f"/quizzes/manage/{contest}", "/quizzes/bank", "/quizzes/bank/new",
                "/quizzes/manage/new", "/quizzes/bank/import"):
        admin.goto(url)
        found += [f"{url} {v['id']}: {v['help']} {v['targets']}" for v in _violations(admin)]
    assert not found, "\n".join(found)
