"""Published content: each item belongs to the organisation that issued it and is seen by
everyone in that organisation's subtree."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.files.models import StoredFile
from core.org.models import Organisation, utcnow


class Kind(str, enum.Enum):
    NEWS = "news"
    DOCUMENT = "document"
    ANNOUNCEMENT = "announcement"
    PAGE = "page"  # useful-life sections: health, culture, new rural development


class Status(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ContentItem(db.Model):
    __tablename__ = "content_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    # Issuing level of a document: central, province, local.
    level: Mapped[str | None] = mapped_column(String(16))
    # Document type (resolution, regulation, directive, conclusion, guidance, monthly material,
    # thematic study) or a useful-life section (health, culture, rural).
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(500))
    number: Mapped[str | None] = mapped_column(String(64))  # e.g. "57-NQ/TW"
    issuer: Mapped[str | None] = mapped_column(String(255))
    issued_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)  # sanitised HTML, no length limit
    status: Mapped[str] = mapped_column(String(16), default=Status.DRAFT.value)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Lower-case text without diacritics, for "nghi quyet 57" to find "Nghị quyết 57".
    search_text: Mapped[str] = mapped_column(Text, default="")
    source_name: Mapped[str | None] = mapped_column(String(255))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    external_id: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    org: Mapped[Organisation] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Attachment.id")

    __table_args__ = (
        Index("ix_content_item_visible", "org_id", "status", "publish_at"),
        # Every column the lists filter and sort on, and the id: a member's lists and their
        # counts are answered from this index alone (migration core_0003).
        Index("ix_content_item_list", "org_id", "kind", "status", "publish_at", "created_at",
              "issued_on", "category", "level", "id"),
        UniqueConstraint("source_name", "external_id", name="uq_content_item_source"),
    )


class ContentRevision(db.Model):
    """The text of an item before each edit: editing keeps its history."""

    __tablename__ = "content_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    edited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Attachment(db.Model):
    """A file of an item, kept by the file service (namespace "content"), served only to users
    allowed to see its item."""

    __tablename__ = "content_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("core_file.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    item: Mapped[ContentItem] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship(lazy="joined")

    # What the pages show of the file.
    filename = property(lambda self: self.file.filename)
    mimetype = property(lambda self: self.file.mimetype)
    size = property(lambda self: self.file.size)
    sha256 = property(lambda self: self.file.sha256)


class Bookmark(db.Model):
    __tablename__ = "content_bookmark"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FeedSource(db.Model):
    """A provincial portal's RSS/Atom feed, imported on a schedule into an organisation's news."""

    __tablename__ = "content_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
