"""Helpers for the quizzes plugin's tests: the demo's contests, a contestant's attempt."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.extensions import db
from core.org.models import Organisation, utcnow
from plugins.quizzes.models import QuizAnswer, QuizAttempt, QuizContest, QuizQuestion

SECRETARIES_CONTEST = "Hội thi Bí thư chi bộ giỏi năm 2026 - vòng thi viết"
MEMBERS_CONTEST = "Tìm hiểu Điều lệ Đảng"


def contest_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(QuizContest.id).where(QuizContest.title == title))


def start(visitor, contest: int, layout: str = "one") -> int:
    """A contestant presses Start; returns the attempt's id."""
    response = visitor.submit(f"/quizzes/{contest}/start", {"layout": layout}, form_page=f"/quizzes/{contest}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/quizzes/attempts/(\d+)", response.location).group(1))


def attempt_row(app, attempt_id: int) -> QuizAttempt:
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        db.session.expunge(attempt)
        return attempt


def question_of(app, question_id: int) -> QuizQuestion:
    with app.app_context():
        question = db.session.get(QuizQuestion, question_id)
        db.session.expunge(question)
        return question


def saved(app, attempt_id: int) -> dict[int, list[int]]:
    with app.app_context():
        return dict(db.session.execute(select(QuizAnswer.question_id, QuizAnswer.choices).where(
            QuizAnswer.attempt_id == attempt_id)).all())


def answer(visitor, attempt_id: int, question_id: int, choices, go: str = "next", **headers):
    data = {"question": str(question_id), f"q{question_id}": [str(c) for c in choices], "go": go}
    return visitor.submit(f"/quizzes/attempts/{attempt_id}/answer", data,
                          form_page="/account", headers=headers)  # any page: opening the attempt would close it


def shift(app, attempt_id: int, minutes: float) -> None:
    """Move an attempt back in time, as if it had started `minutes` earlier."""
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        attempt.started_at -= timedelta(minutes=minutes)
        attempt.deadline -= timedelta(minutes=minutes)
        db.session.commit()


def org_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def now():
    return utcnow()
