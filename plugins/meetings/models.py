"""The meetings plugin's tables (all "meetings_*"). Every row reaches its branch through
`Meeting.org_id`, which the scoping helper filters on.

A meeting's participants are a snapshot of the branch's roster taken when the invitation goes
out (refreshed while the meeting is still ahead): a member transferred, removed or deceased
later keeps their place in past meetings and is absent from new ones. Counters kept on the
meeting (expected, present, ratings) let the upper levels' overview read one row per meeting."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.api import db, utcnow


class MeetingKind(str, enum.Enum):
    REGULAR = "regular"  # the monthly meeting (sinh hoạt thường kỳ)
    THEMATIC = "thematic"  # the thematic meeting, at least once a quarter (sinh hoạt chuyên đề)


class MeetingStatus(str, enum.Enum):
    PLANNED = "planned"  # date and topic entered for next month; nobody invited yet
    INVITED = "invited"  # invitation sent to the participants
    HELD = "held"  # attendance recorded: the meeting took place
    REPORTED = "reported"  # the meeting report went up to the grassroots level
    CANCELLED = "cancelled"


class Meeting(db.Model):
    __tablename__ = "meetings_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default=MeetingKind.REGULAR.value)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PLANNED.value)
    title: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str | None] = mapped_column(Text)  # the theme of a thematic meeting, or the main matter
    starts_at: Mapped[datetime] = mapped_column(DateTime)  # UTC, naive (core.api.to_local shows it)
    place: Mapped[str | None] = mapped_column(String(255))
    online_url: Mapped[str | None] = mapped_column(String(500))  # only where meetings.online_allowed
    checkin_code: Mapped[str | None] = mapped_column(String(8))  # shown by the secretary at the meeting
    draft_resolution: Mapped[str | None] = mapped_column(Text)  # members comment on it before the meeting
    conclusions: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    # counters for the overview (kept by the attendance and rating views)
    expected_count: Mapped[int] = mapped_column(Integer, default=0)
    present_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)  # the day-before reminder went out
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)  # attendance first recorded
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)  # resolution issued to the branch
    reported_at: Mapped[datetime | None] = mapped_column(DateTime)  # report sent upward

    agenda: Mapped[list[AgendaItem]] = relationship(
        order_by="AgendaItem.position", cascade="all, delete-orphan", back_populates="meeting")

    __table_args__ = (Index("ix_meetings_meeting_org_starts", "org_id", "starts_at"),)

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None


class AgendaItem(db.Model):
    __tablename__ = "meetings_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class FileRole(str, enum.Enum):
    MATERIAL = "material"  # sent with the invitation, read before the meeting
    MINUTES = "minutes"  # the minutes: a PDF/DOCX, or photos of the handwritten pages


class MeetingFile(db.Model):
    """A document of the meeting: an upload (core file service, namespace "meetings") or a
    document of the library (`content_id`)."""

    __tablename__ = "meetings_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=FileRole.MATERIAL.value)
    title: Mapped[str] = mapped_column(String(255))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("core_file.id", ondelete="SET NULL"))
    content_id: Mapped[int | None] = mapped_column(ForeignKey("content_item.id", ondelete="SET NULL"))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Rsvp(str, enum.Enum):
    YES = "yes"
    NO = "no"  # with a reason


class Presence(str, enum.Enum):
    PRESENT = "present"
    EXCUSED = "excused"  # absent with a reason
    ABSENT = "absent"  # absent without a reason (three in a year: a Charter warning)


class Participant(db.Model):
    """A member invited to a meeting, as they stood on the roster when invited."""

    __tablename__ = "meetings_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(255))  # as on the day: records stay as they were
    member_kind: Mapped[str] = mapped_column(String(16))  # MemberKind value (official votes on admissions)
    member_status: Mapped[str] = mapped_column(String(16))  # MemberStatus value (exempt: not expected)
    rsvp: Mapped[str | None] = mapped_column(String(8))  # Rsvp value, None: not answered
    rsvp_reason: Mapped[str | None] = mapped_column(Text)
    rsvp_at: Mapped[datetime | None] = mapped_column(DateTime)
    presence: Mapped[str | None] = mapped_column(String(8))  # Presence value, None: not recorded
    absence_reason: Mapped[str | None] = mapped_column(Text)
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime)  # self check-in with the code

    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_meetings_participant"),)


class Comment(db.Model):
    """A comment or proposal on the meeting's draft resolution, before or during the meeting."""

    __tablename__ = "meetings_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Threshold(str, enum.Enum):
    MAJORITY = "majority"  # more than half
    TWO_THIRDS = "two_thirds"  # at least two thirds (e.g. admitting a new member)


class Electorate(str, enum.Enum):
    ALL = "all"  # every member in good standing who is not exempt
    OFFICIAL = "official"  # official members only (admissions, discipline)


class VoteMethod(str, enum.Enum):
    HANDS = "hands"  # a show of hands, counted and entered by the secretary
    PHONES = "phones"  # each member votes on their phone


class Vote(db.Model):
    """A matter the branch votes on during a meeting. The counts live here: for a secret ballot
    the ballots record only who voted, never what."""

    __tablename__ = "meetings_vote"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(String(8), default=VoteMethod.HANDS.value)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold: Mapped[str] = mapped_column(String(16), default=Threshold.MAJORITY.value)
    electorate: Mapped[str] = mapped_column(String(16), default=Electorate.ALL.value)
    eligible_count: Mapped[int] = mapped_column(Integer, default=0)  # the denominator of the threshold
    yes_count: Mapped[int] = mapped_column(Integer, default=0)
    no_count: Mapped[int] = mapped_column(Integer, default=0)
    abstain_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    passed: Mapped[bool | None] = mapped_column(Boolean)  # None until closed


class Ballot(db.Model):
    """One eligible member's vote on a matter (one per member). `choice` is None for a secret ballot."""

    __tablename__ = "meetings_ballot"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("meetings_vote.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    choice: Mapped[str | None] = mapped_column(String(8))  # "yes" | "no" | "abstain"
    cast_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("vote_id", "member_id", name="uq_meetings_ballot"),)


class Rating(db.Model):
    """A member's score of a meeting (1–5) and comment; the secretary sees them without names."""

    __tablename__ = "meetings_rating"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("meeting_id", "member_id", name="uq_meetings_rating"),)


class Revision(db.Model):
    """One change made to a meeting after its report went upward: the history upper levels read."""

    __tablename__ = "meetings_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings_meeting.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
