"""A contest in Chromium on a 360 px phone, JavaScript on and off: the secretary finds the
contest on the home page, starts, answers (saved on change with JavaScript, by the page's button
without), loses the connection and comes back to the same attempt with the time left, hands in
and reads the score; the organiser reads the ranking."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.steps import sign_in
from tests.browser.test_weak_network import query


def _saved(app, attempt: int) -> dict:
    from core.extensions import db
    from plugins.quizzes.models import QuizAnswer

    with app.app_context():
        found = dict(db.session.execute(select(QuizAnswer.question_id, QuizAnswer.choices).where(
            QuizAnswer.attempt_id == attempt)).all())
        db.session.remove()
    return found


def test_a_secretary_takes_the_contest(js, open_page, accounts, app):
    page = open_page(js=js)
    sign_in(page, accounts["secretary"])
    page.get_by_role("link", name=re.compile("Hội thi Bí thư chi bộ giỏi")).first.click()
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/(\d+)/1$"))
    attempt = int(re.search(r"/attempts/(\d+)/", page.url).group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Câu 1 / 20")
    expect(page.get_by_text("Còn lại:")).to_be_visible()
    first = page.locator("fieldset input").first
    first.check()
    if js:  # saved on the server the moment it is chosen, the page stays
        expect(page.get_by_text("Đã lưu.")).to_be_visible()
        assert len(_saved(app, attempt)) == 1
    page.get_by_role("button", name="Lưu, sang câu sau").click()
    page.wait_for_url(re.compile(rf"/attempts/{attempt}/2$"))
    assert len(_saved(app, attempt)) == 1
    page.locator("fieldset input").nth(2).check()
    page.get_by_role("button", name="Lưu, xem danh sách câu").last.click()
    expect(page.get_by_text("Còn 18 câu chưa trả lời.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_text("Đã nộp bài lúc")).to_be_visible()
    expect(page.locator(".figures strong").first).to_have_text(re.compile(r"^[0-2]/20$"))


def test_the_connection_drops_and_the_attempt_resumes_with_the_time_left(open_page, accounts, app):
    page = open_page(js=True)
    sign_in(page, accounts["member"])
    page.goto("/quizzes/")
    page.get_by_role("link", name="Tìm hiểu Điều lệ Đảng").click()
    page.get_by_role("button", name="Bắt đầu").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/(\d+)/1$"))
    attempt = int(re.search(r"/attempts/(\d+)/", page.url).group(1))
    page.locator("fieldset input").first.check()
    expect(page.get_by_text("Đã lưu.")).to_be_visible()
    page.context.set_offline(True)  # the 3G drops
    page.locator("fieldset input").nth(1).check()
    expect(page.locator(".net-error")).to_be_visible()
    expect(page.locator("fieldset input").nth(1)).to_be_checked()  # what was chosen stays on the screen
    page.context.close()
    # Six minutes later, from another phone (a new session), the same attempt with the time really left.
    from core.extensions import db
    from datetime import timedelta
    from plugins.quizzes.models import QuizAttempt

    with app.app_context():
        row = db.session.get(QuizAttempt, attempt)
        row.started_at -= timedelta(minutes=6)
        row.deadline -= timedelta(minutes=6)
        db.session.commit()
        db.session.remove()
    again = open_page(js=False)
    sign_in(again, accounts["member"])
    again.goto("/quizzes/")
    again.get_by_role("link", name="Tìm hiểu Điều lệ Đảng").click()
    again.get_by_role("link", name="Tiếp tục làm bài").click()
    expect(again.get_by_text(re.compile(r"Còn lại: (8|9) phút"))).to_be_visible()
    again.get_by_role("link", name="Câu 1", exact=True).click()
    expect(again.locator("fieldset input").first).to_be_checked()  # the answer saved before the drop
    assert len(_saved(app, attempt)) == 1
    assert query(app, select(QuizAttempt.submitted_at).where(QuizAttempt.id == attempt)) is None
