"""The quizzes plugin's tables (prefix "quizzes_").

A bank question and a contest belong to the organisation that wrote them (`org_id`, what the
scoping helper filters on). An attempt belongs to its contestant and to the contestant's branch
(`org_id`); its draw (the questions and the order of their options) is fixed when it starts, and
its deadline is computed then, on the server. An answer is one row per (attempt, question): the
same answer sent twice, or changed, leaves one row holding the last choice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db, utcnow

SINGLE, MULTIPLE = "single", "multiple"
KINDS = (SINGLE, MULTIPLE)
DIFFICULTIES = (1, 2, 3)  # easy, medium, hard
MEMBERS, SECRETARIES, LIST = "members", "secretaries", "list"  # who may take a contest
SHOW_AFTER_SUBMIT, SHOW_AFTER_CLOSE = "submit", "close"  # when scores and explanations are shown


class QuizQuestion(db.Model):
    """A question of an organisation's bank: its options, which are right, why, and where it is written."""

    __tablename__ = "quizzes_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str | None] = mapped_column(String(40))  # the import's own number: re-import updates
    topic: Mapped[str] = mapped_column(String(200))
    difficulty: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(10), default=SINGLE)
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)  # the options' texts, in order
    correct: Mapped[list] = mapped_column(JSON, default=list)  # indexes into options
    explanation: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(500), default="")  # the document and article
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_item.id", ondelete="SET NULL"))
    practice: Mapped[bool] = mapped_column(Boolean, default=True)  # members may train on it
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("org_id", "ref", name="uq_quizzes_question_org_ref"),)


class QuizContest(db.Model):
    """A contest an organisation runs for the people under it."""

    __tablename__ = "quizzes_contest"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    intro: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[dict] = mapped_column(JSON, default=dict)  # core Audience.as_json()
    takers: Mapped[str] = mapped_column(String(20), default=MEMBERS)
    opens_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    question_count: Mapped[int] = mapped_column(Integer, default=20)
    topic: Mapped[str] = mapped_column(String(200), default="")  # draw from one topic only ("" = all)
    # The draw per (topic, difficulty): [[topic, difficulty, how many], ...]; empty: `question_count`
    # questions from `topic` (or the whole bank), any difficulty, as contests made before quizzes_0002.
    draws: Mapped[list] = mapped_column(JSON, default=list)
    shuffle: Mapped[bool] = mapped_column(Boolean, default=True)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    show_results: Mapped[str] = mapped_column(String(10), default=SHOW_AFTER_SUBMIT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_quizzes_contest_window", "opens_at", "closes_at"),)


class QuizAttempt(db.Model):
    """One contestant's attempt: the draw fixed at the start, the deadline kept by the server."""

    __tablename__ = "quizzes_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("quizzes_contest.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)  # the draw, in the order shown
    orders: Mapped[dict] = mapped_column(JSON, default=dict)  # question id → the options' order shown
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    closed_by: Mapped[str | None] = mapped_column(String(10))  # "person", "time" (the deadline passed)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[int | None] = mapped_column(Integer)  # time taken, for ties
    one_page: Mapped[bool] = mapped_column(Boolean, default=False)  # the contestant's choice

    __table_args__ = (UniqueConstraint("contest_id", "user_id", "number", name="uq_quizzes_attempt_number"),
                      Index("ix_quizzes_attempt_contest_score", "contest_id", "score", "seconds"))


class QuizAnswer(db.Model):
    """The last choice a contestant saved for one question of their draw."""

    __tablename__ = "quizzes_answer"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("quizzes_attempt.id", ondelete="CASCADE"),
                                            primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quizzes_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    choices: Mapped[list] = mapped_column(JSON, default=list)  # indexes into the question's options
    saved_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
