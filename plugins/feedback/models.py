"""The feedback plugin's tables (prefix "feedback_").

A question belongs to the asker's branch (`org_id`, what the scoping helper filters on) and is
held by one level at a time (`holder_org_id`); `feedback_reach` keeps every organisation it has
reached, so that a level sees what reached it and nothing still held below it."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import db, utcnow

# The states a member follows.
SENT, RECEIVED, FORWARDED, ANSWERED, CLOSED = "sent", "received", "forwarded", "answered", "closed"
STATES = (SENT, RECEIVED, FORWARDED, ANSWERED, CLOSED)
OPEN_STATES = (SENT, RECEIVED, FORWARDED)  # waiting for the level that holds it
KINDS = ("question", "opinion")


class FeedbackQuestion(db.Model):
    """A member's question or opinion."""

    __tablename__ = "feedback_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    holder_org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"),
                                                 index=True)
    kind: Mapped[str] = mapped_column(String(20), default="question")
    topic: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("core_file.id", ondelete="SET NULL"))
    # May the asker's name be shown to the levels above the branch? (The branch always sees it.)
    show_name: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=SENT, index=True)
    source: Mapped[str] = mapped_column(String(40), default="web")
    held_since: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    replied: Mapped[bool] = mapped_column(Boolean, default=False)
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    steps = relationship("FeedbackStep", order_by="FeedbackStep.id", lazy="selectin",
                         cascade="all, delete-orphan")

    __table_args__ = (Index("ix_feedback_question_holder_status", "holder_org_id", "status", "held_since"),)


class FeedbackStep(db.Model):
    """One step of a question's way: sent, received, forwarded, escalated, answered, replied, closed."""

    __tablename__ = "feedback_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("feedback_question.id", ondelete="CASCADE"),
                                             index=True)
    kind: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id", ondelete="SET NULL"))
    to_org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedbackReach(db.Model):
    """An organisation a question has reached (its branch, then each level it went up to)."""

    __tablename__ = "feedback_reach"

    question_id: Mapped[int] = mapped_column(ForeignKey("feedback_question.id", ondelete="CASCADE"),
                                             primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), primary_key=True,
                                        index=True)


class FeedbackFaq(db.Model):
    """A published question and answer, without the asker's name, for the members below `org_id`."""

    __tablename__ = "feedback_faq"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_question.id", ondelete="SET NULL"),
                                                    index=True)
    topic: Mapped[str] = mapped_column(String(200))
    question_text: Mapped[str] = mapped_column(Text)
    answer_text: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")  # folded: no diacritics, lower case
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)


# Surveys: a short survey for a part of the tree, open between two dates, anonymous or named.
SURVEY_KINDS = ("single", "multiple", "scale", "text")


class FeedbackSurvey(db.Model):
    """A survey addressed to the members of `org_id`'s subtree."""

    __tablename__ = "feedback_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    questions = relationship("FeedbackSurveyQuestion", order_by="FeedbackSurveyQuestion.position",
                             lazy="selectin", cascade="all, delete-orphan")


class FeedbackSurveyQuestion(db.Model):
    __tablename__ = "feedback_survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON, default=list)


class FeedbackSurveyParticipant(db.Model):
    """Who has answered (kept apart from the answers, so that anonymous answers name nobody)."""

    __tablename__ = "feedback_survey_participant"

    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedbackSurveyResponse(db.Model):
    """One member's answers; `user_id` only for a named survey."""

    __tablename__ = "feedback_survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedbackSurveyAnswer(db.Model):
    """One answer to one question: a choice's index, a 1–5 value, or text."""

    __tablename__ = "feedback_survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey_response.id", ondelete="CASCADE"),
                                             index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey_question.id", ondelete="CASCADE"),
                                             index=True)
    choice: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_feedback_survey_answer_question_choice", "question_id", "choice"),)


# Drafts: a library document opened for comments, section by section, during a period.
class FeedbackDraft(db.Model):
    __tablename__ = "feedback_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_item.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    sections: Mapped[list] = mapped_column(JSON, default=list)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedbackDraftComment(db.Model):
    __tablename__ = "feedback_draft_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("feedback_draft.id", ondelete="CASCADE"), index=True)
    section: Mapped[int] = mapped_column(Integer)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
