"""Who may see and act on what, in one place for every page.

Organisers are administrators (`quizzes.organise`): they write the bank and run contests for
their organisation and everything below it, and read the results of contests in their subtree.
A contestant reaches a contest issued by their branch or a level above that names them (its
audience); an attempt is its contestant's alone: anyone else's attempt id answers 404."""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from core.api import Organisation, can, db, get_scoped, granted_org_ids, is_id, refuse, sees
from plugins.quizzes.models import QuizAttempt, QuizContest, QuizQuestion
from plugins.quizzes.service import audience_of

ORGANISE = "quizzes.organise"


def desks(user=None) -> list[Organisation]:
    """The organisations at which the user organises (not their subtrees), by name."""
    ids = granted_org_ids(user or current_user, ORGANISE)
    if not ids:
        return []
    return list(db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)))


def managed_question(question_id) -> QuizQuestion:
    return get_scoped(QuizQuestion, question_id, current_user, ORGANISE)


def managed_contest(contest_id) -> QuizContest:
    return get_scoped(QuizContest, contest_id, current_user, ORGANISE)


def manages(contest: QuizContest, user=None) -> bool:
    return can(user or current_user, ORGANISE, contest.org_id)


def addressed(contest: QuizContest, user=None) -> bool:
    user = user or current_user
    return sees(user, contest.org_id) and audience_of(contest).includes(user)


def readable_contest(contest_id) -> QuizContest:
    """A contest the user may take, or one they organise (404 otherwise)."""
    if not is_id(contest_id):
        refuse(f"quizzes_contest:{contest_id}")
    contest = db.session.get(QuizContest, contest_id)
    if contest is None or not (addressed(contest) or manages(contest)):
        refuse(f"quizzes_contest:{contest_id}")
    return contest


def own_attempt(attempt_id) -> QuizAttempt:
    """The user's own attempt (another contestant's, another branch's: 404)."""
    if not is_id(attempt_id):
        refuse(f"quizzes_attempt:{attempt_id}")
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or current_user.is_helper:
        refuse(f"quizzes_attempt:{attempt_id}")
    return attempt
