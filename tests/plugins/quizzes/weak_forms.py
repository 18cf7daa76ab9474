"""The contest forms a contestant sends over 3G (tests/browser/test_weak_network.py collects
WEAK_FORMS): an answer, and handing the attempt in. Each is kept once however often the line
repeats it, and what was chosen stays on the page."""
from __future__ import annotations

import importlib
import re
import sys
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import func, select

# tests/browser has no __init__.py: pytest loads the weak-network test as "test_weak_network".
_host = sys.modules.get("test_weak_network") or importlib.import_module("tests.browser.test_weak_network")
WeakForm, query = _host.WeakForm, _host.query


def _attempt(app, accounts) -> tuple[int, list[int]]:
    """The demo member's running attempt at the district's Charter contest."""
    from core.auth.models import User
    from core.extensions import db
    from plugins.quizzes import service
    from plugins.quizzes.models import QuizContest

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        contest = db.session.scalar(select(QuizContest).where(QuizContest.title == "Tìm hiểu Điều lệ Đảng"))
        attempt = service.start(contest, user)
        found = attempt.id, list(attempt.question_ids)
        db.session.remove()
    return found


class AnswerQuestion(WeakForm):
    """An answer sent with "Lưu, sang câu sau" while the line drops: one row, the choice kept.
    The option is ticked without its change event, so the autosave (which would have saved it
    already) stays out of the way: this is the post of a page whose autosave never got through."""

    name, role = "quiz answer", "member"
    button = "main form[method=post] button[value=next]"

    def open(self, page):
        self.attempt, self.questions = _attempt(self.app, self.accounts)
        self.question = self.questions[0]
        self.path = f"/quizzes/attempts/{self.attempt}/1"
        super().open(page)

    def posts_to(self, url):
        return urlsplit(url).path == f"/quizzes/attempts/{self.attempt}/answer"

    def fill(self, page):
        option = page.locator(f"input[name=q{self.question}]").nth(1)
        self.value = int(option.get_attribute("value"))
        option.evaluate("input => { input.checked = true; }")
        return {}

    def kept(self, page):
        expect(page.locator(f"input[name=q{self.question}][value='{self.value}']")).to_be_checked()

    def saved(self):
        from plugins.quizzes.models import QuizAnswer

        return query(self.app, select(func.count()).select_from(QuizAnswer).where(
            QuizAnswer.attempt_id == self.attempt, QuizAnswer.question_id == self.question))

    def shows_result(self, page):
        page.wait_for_url(re.compile(rf"/quizzes/attempts/{self.attempt}/2$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Câu 2 / 10")
        from plugins.quizzes.models import QuizAnswer

        assert query(self.app, select(QuizAnswer.choices).where(
            QuizAnswer.attempt_id == self.attempt, QuizAnswer.question_id == self.question)) == [self.value]


class HandIn(WeakForm):
    """"Nộp bài" while the line drops: the attempt is handed in once, its score counted once."""

    name, role = "quiz hand-in", "member"

    def open(self, page):
        self.attempt, _questions = _attempt(self.app, self.accounts)
        self.path = f"/quizzes/attempts/{self.attempt}/submit"
        page.goto(f"/quizzes/attempts/{self.attempt}")

    def saved(self):
        from plugins.quizzes.models import QuizAttempt

        return query(self.app, select(func.count(QuizAttempt.id)).where(
            QuizAttempt.id == self.attempt, QuizAttempt.submitted_at.is_not(None)))

    def shows_result(self, page):
        page.wait_for_url(re.compile(rf"/quizzes/attempts/{self.attempt}/result$"))
        expect(page.get_by_text("Đã nộp bài lúc")).to_be_visible()


WEAK_FORMS: list = [AnswerQuestion, HandIn]
