"""Practice (blueprint "quizzes", /quizzes/practice): a member trains on the questions their
branch and the levels above opened for practice, at any time, and is told at once whether the
answer was right, with the explanation and its source. Nothing is stored: a check is a read."""
from __future__ import annotations

import random

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.api import db, is_id, publishing_ids, render
from plugins.quizzes.forms import LETTERS
from plugins.quizzes.models import QuizQuestion
from plugins.quizzes.views import bp


def _practice_questions(topic: str = ""):
    stmt = select(QuizQuestion.id).where(QuizQuestion.practice.is_(True),
                                         QuizQuestion.org_id.in_(publishing_ids(current_user)))
    return stmt.where(QuizQuestion.topic == topic) if topic else stmt


def _options(question: QuizQuestion, rng: random.Random) -> list[tuple[int, str, str]]:
    order = list(range(len(question.options)))
    rng.shuffle(order)
    return [(index, LETTERS[n], question.options[index]) for n, index in enumerate(order)]


def _topics() -> list[str]:
    return list(db.session.scalars(select(QuizQuestion.topic).distinct().where(
        QuizQuestion.practice.is_(True), QuizQuestion.org_id.in_(publishing_ids(current_user)))
        .order_by(QuizQuestion.topic).limit(50)))


@bp.route("/practice", methods=["GET", "POST"])
@login_required
def practice():
    """A practice question; its answer checked at once, with the explanation."""
    topic = request.values.get("topic", "")
    if request.method == "POST":
        question_id = request.form.get("question", type=int)
        if question_id is None:  # a post without its question: a new one, with the reason
            return _show(topic, error=_("Please choose your answer."), status=400)
        if not is_id(question_id):
            abort(404)
        question = db.session.scalar(select(QuizQuestion).where(
            QuizQuestion.id == question_id, QuizQuestion.id.in_(_practice_questions())))
        if question is None:
            abort(404)
        try:
            picked = sorted({int(v) for v in request.form.getlist(f"q{question.id}")})
        except ValueError:
            picked = None
        rng = random.Random(question.id)
        options = _options(question, rng)
        if not picked or any(p >= len(question.options) for p in picked):
            return render("quizzes/practice.html", question=question, options=options, picked=[], topic=topic,
                          topics=_topics(), error=_("Please choose your answer."), status=400, private=True)
        letters = {index: letter for index, letter, _text in options}
        return render("quizzes/practice.html", question=question, options=options, picked=picked, topic=topic,
                      topics=_topics(), checked=True, right=picked == sorted(question.correct),
                      correct=[letters[i] for i in question.correct if i in letters], private=True)
    return _show(topic)


def _show(topic: str, error: str | None = None, status: int = 200):
    """A random practice question (of the topic chosen)."""
    ids = list(db.session.scalars(_practice_questions(topic).order_by(func.random()).limit(1)))
    question = db.session.get(QuizQuestion, ids[0]) if ids else None
    options = _options(question, random.Random(question.id)) if question else []
    return render("quizzes/practice.html", question=question, options=options, picked=[], topic=topic,
                  topics=_topics(), error=error, status=status, private=True)
