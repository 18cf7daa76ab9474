"""The read-aloud plugin's tables (prefix "readaloud_").

A reading is the audio of one text version of a content item: `text_hash` names the normalised
text with the engine, voice and rate, so publishing the same text again finds the audio made.
It belongs to the item's organisation (`org_id` = the item's, what the scoping helper filters
on). Its sections (title first, then groups of paragraphs) are stored files, made one by one so
the first is playable in seconds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db, utcnow

QUEUED, WORKING, READY, FAILED = "queued", "working", "ready", "failed"
EMPTY = "empty"  # nothing in the text can be spoken: never retried
PENDING = "pending:"  # the text_hash of a reading asked for before its job hashed the text
MAX_ATTEMPTS = 3


class ReadaloudReading(db.Model):
    __tablename__ = "readaloud_reading"
    __table_args__ = (UniqueConstraint("item_id", "text_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class ReadaloudSection(db.Model):
    __tablename__ = "readaloud_section"
    __table_args__ = (UniqueConstraint("reading_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reading_id: Mapped[int] = mapped_column(ForeignKey("readaloud_reading.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(ForeignKey("core_file.id", ondelete="CASCADE"))
    seconds: Mapped[float] = mapped_column(Float)


class ReadaloudPosition(db.Model):
    """Where an account stopped listening to an item: the section and the second within it, so
    the player resumes there on another visit, on any phone."""

    __tablename__ = "readaloud_position"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    number: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
