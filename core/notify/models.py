"""Notifications without fan-out: one row addressed to an organisation reaches its whole
subtree; reading state is kept per person."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.org.models import utcnow


class Notification(db.Model):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly one of user_id (personal) or org_id (everyone in that subtree) is set.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A key that makes creating the same notification twice (a job run twice) a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    __table_args__ = (
        Index("ix_notification_user", "user_id", "created_at"),
        Index("ix_notification_org", "org_id", "created_at"),
    )


class NotificationRead(db.Model):
    __tablename__ = "notification_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"),
                                                 primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class NotificationPreference(db.Model):
    """What a person chose to be told about (absent row: yes)."""

    __tablename__ = "notification_pref"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
