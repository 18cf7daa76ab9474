"""What a contest does, apart from its pages: who may take it, the draw fixed at the start, the
deadline kept by the server, saving one answer (idempotent: the same answer twice, or a changed
one, leaves one row with the last choice), scoring and closing an attempt.

Time is the server's alone: `deadline` is computed once, when the attempt starts, as the start
plus the contest's minutes (never past the contest's close). A phone that drops off, restarts
or signs in again finds the same attempt with the time that is really left; a post that
reaches the server later than GRACE after the deadline is refused and the attempt is closed with
what was saved. GRACE covers a post sent in the last seconds that spent a while on a 3G line."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from core.api import Audience, Organisation, ancestor_ids, db, home_of, publishing_ids, utcnow
from plugins.quizzes.models import MULTIPLE, QuizAnswer, QuizAttempt, QuizContest, QuizQuestion

GRACE = timedelta(seconds=15)


class Refused(Exception):
    """A contestant's post that cannot be taken: `str()` is the Vietnamese message, `status` the answer."""

    def __init__(self, message, status: int = 409):
        super().__init__(str(message))
        self.status = status


def audience_of(contest: QuizContest) -> Audience:
    return Audience.from_json(contest.audience)


def province_of(contest: QuizContest) -> int:
    return db.session.get(Organisation, contest.org_id).province_id


def is_open(contest: QuizContest, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return contest.opens_at <= now < contest.closes_at


def contests_for(user, now: datetime | None = None, *, open_only: bool = False) -> list[QuizContest]:
    """The contests addressed to `user`: issued by their branch or a level above, and naming them."""
    if not getattr(user, "is_authenticated", False) or user.is_helper or user.member_id is None:
        return []
    stmt = select(QuizContest).where(QuizContest.org_id.in_(publishing_ids(user)))
    if open_only:
        now = now or utcnow()
        stmt = stmt.where(QuizContest.opens_at <= now, QuizContest.closes_at > now)
    stmt = stmt.order_by(QuizContest.closes_at.desc(), QuizContest.id.desc()).limit(50)
    return [c for c in db.session.scalars(stmt) if audience_of(c).includes(user)]


def attempts_of(contest: QuizContest, user) -> list[QuizAttempt]:
    return list(db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.contest_id == contest.id, QuizAttempt.user_id == user.id).order_by(QuizAttempt.number)))


def open_attempt(contest: QuizContest, user) -> QuizAttempt | None:
    """The one attempt still running (closed first if its time is up)."""
    found = db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.contest_id == contest.id, QuizAttempt.user_id == user.id,
        QuizAttempt.submitted_at.is_(None)).order_by(QuizAttempt.number.desc()).limit(1))
    if found is not None and close_if_expired(found):
        return None
    return found


def bank_for(contest: QuizContest):
    """The statement of the questions a contest draws from: its organisation's bank and the banks above it."""
    stmt = select(QuizQuestion.id).where(QuizQuestion.org_id.in_(ancestor_ids(contest.org_id)))
    if contest.topic:
        stmt = stmt.where(QuizQuestion.topic == contest.topic)
    return stmt.order_by(QuizQuestion.id)


def cell_counts(org_id: int) -> dict[tuple[str, int], int]:
    """How many questions a contest of `org_id` may draw from, per (topic, difficulty)."""
    rows = db.session.execute(select(QuizQuestion.topic, QuizQuestion.difficulty, func.count(QuizQuestion.id))
                              .where(QuizQuestion.org_id.in_(ancestor_ids(org_id)))
                              .group_by(QuizQuestion.topic, QuizQuestion.difficulty)).all()
    return {(topic, difficulty): n for topic, difficulty, n in rows}


def _pick(contest: QuizContest, rng: random.Random) -> list[int]:
    """The question ids of one draw: per (topic, difficulty) cell when the contest has cells."""
    if not contest.draws:
        ids = list(db.session.scalars(bank_for(contest)))
        return rng.sample(ids, min(contest.question_count, len(ids)))
    above = ancestor_ids(contest.org_id)
    chosen: list[int] = []
    for topic, difficulty, count in contest.draws:
        ids = list(db.session.scalars(select(QuizQuestion.id).where(
            QuizQuestion.org_id.in_(above), QuizQuestion.topic == topic, QuizQuestion.difficulty == difficulty)
            .order_by(QuizQuestion.id)))
        chosen += rng.sample(ids, min(count, len(ids)))  # a question removed since: as many as are left
    if contest.shuffle:
        rng.shuffle(chosen)  # the cells' questions mixed, not one topic after the other
    return chosen


def draw(contest: QuizContest, rng: random.Random | None = None) -> tuple[list[int], dict[str, list[int]]]:
    """The questions of one attempt and the order of each one's options, fixed from now on."""
    rng = rng or random.SystemRandom()
    chosen = _pick(contest, rng)
    if not contest.shuffle:
        chosen.sort()
    sizes = dict(db.session.execute(select(QuizQuestion.id, QuizQuestion.options).where(
        QuizQuestion.id.in_(chosen))).all())
    orders = {}
    for qid in chosen:
        order = list(range(len(sizes[qid])))
        if contest.shuffle:
            rng.shuffle(order)
        orders[str(qid)] = order
    return chosen, orders


def start(contest: QuizContest, user, now: datetime | None = None) -> QuizAttempt:
    """The contestant's running attempt, or a new one: never two open at once (a retried or
    doubled "start" finds the first one)."""
    now = now or utcnow()
    running = open_attempt(contest, user)
    if running is not None:
        return running
    if not is_open(contest, now):
        raise Refused(_("This contest is not open now."))
    done = len(attempts_of(contest, user))
    if done >= contest.attempts_allowed:
        raise Refused(_("You have used every attempt this contest allows."))
    questions, orders = draw(contest)
    if not questions:
        raise Refused(_("This contest has no questions yet: please tell its organiser."))
    attempt = QuizAttempt(contest_id=contest.id, user_id=user.id, org_id=home_of(user), number=done + 1,
                          question_ids=questions, orders=orders, started_at=now,
                          deadline=min(now + timedelta(minutes=contest.minutes), contest.closes_at))
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # a doubled "start" made the same attempt first
        db.session.rollback()
        running = open_attempt(contest, user)
        if running is None:
            raise
        return running
    return attempt


def seconds_left(attempt: QuizAttempt, now: datetime | None = None) -> int:
    return max(0, int((attempt.deadline - (now or utcnow())).total_seconds()))


def answers_of(attempt: QuizAttempt) -> dict[int, list[int]]:
    return dict(db.session.execute(select(QuizAnswer.question_id, QuizAnswer.choices).where(
        QuizAnswer.attempt_id == attempt.id)).all())


@dataclass
class Saved:
    question_id: int
    choices: list[int]


def check_open(attempt: QuizAttempt, now: datetime | None = None) -> None:
    """Refuse a post to an attempt that is closed, or whose time ran out (closing it with what was saved)."""
    now = now or utcnow()
    if attempt.submitted_at is not None:
        raise Refused(_("This attempt has been handed in: answers can no longer be changed."))
    if now > attempt.deadline + GRACE:
        finish(attempt, now, by="time")
        db.session.commit()
        raise Refused(_("Time is up: this answer arrived after the end and was not recorded. "
                        "Your attempt was handed in with the answers saved before the end."))


def save_answer(attempt: QuizAttempt, question_id, choices, now: datetime | None = None) -> Saved:
    """Keep the contestant's choice for one question of their draw (the last one sent wins)."""
    now = now or utcnow()
    check_open(attempt, now)
    if question_id not in attempt.question_ids:
        raise Refused(_("This question is not part of your contest paper."), status=400)
    question = db.session.get(QuizQuestion, question_id)
    picked = sorted(set(choices))
    if question is None or any(c < 0 or c >= len(question.options) for c in picked):
        raise Refused(_("Please choose from the answers shown."), status=400)
    if question.kind != MULTIPLE and len(picked) > 1:
        raise Refused(_("This question takes one answer only."), status=400)
    for _try in range(3):  # two retries of the same answer may race: the loser updates
        found = db.session.get(QuizAnswer, (attempt.id, question_id))
        if not picked:  # every box unticked: the question is unanswered again
            db.session.execute(delete(QuizAnswer).where(QuizAnswer.attempt_id == attempt.id,
                                                        QuizAnswer.question_id == question_id))
        elif found is not None:
            found.choices, found.saved_at = picked, now
        else:
            db.session.add(QuizAnswer(attempt_id=attempt.id, question_id=question_id, choices=picked,
                                      saved_at=now))
        try:
            db.session.flush()
            break
        except IntegrityError:
            db.session.rollback()
            db.session.refresh(attempt)
    attempt.answered = db.session.scalar(select(func.count()).select_from(QuizAnswer).where(
        QuizAnswer.attempt_id == attempt.id))
    db.session.commit()
    return Saved(question_id, picked)


def score_of(attempt: QuizAttempt) -> tuple[int, int]:
    """(right answers, questions answered) from what was saved."""
    saved = answers_of(attempt)
    if not saved:
        return 0, 0
    correct = dict(db.session.execute(select(QuizQuestion.id, QuizQuestion.correct).where(
        QuizQuestion.id.in_(list(saved)))).all())
    right = sum(1 for qid, picked in saved.items() if sorted(picked) == sorted(correct.get(qid, [])))
    return right, len(saved)


def finish(attempt: QuizAttempt, now: datetime | None = None, by: str = "person") -> None:
    """Hand the attempt in with what was saved (the caller commits); harmless when already in."""
    if attempt.submitted_at is not None:
        return
    now = now or utcnow()
    ended = min(now, attempt.deadline)
    right, answered = score_of(attempt)
    # Only the first closing counts: a second one racing this one changes nothing.
    db.session.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
                       .values(submitted_at=ended, closed_by=by, score=right, answered=answered,
                               seconds=int((ended - attempt.started_at).total_seconds())))
    db.session.refresh(attempt)


def close_if_expired(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Close an attempt whose time is up (with what was saved); True if it is closed now."""
    now = now or utcnow()
    if attempt.submitted_at is None and now > attempt.deadline + GRACE:
        finish(attempt, now, by="time")
        db.session.commit()
    return attempt.submitted_at is not None


def results_visible(contest: QuizContest, now: datetime | None = None) -> bool:
    from plugins.quizzes.models import SHOW_AFTER_CLOSE

    return contest.show_results != SHOW_AFTER_CLOSE or (now or utcnow()) >= contest.closes_at
