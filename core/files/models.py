"""The file service's table: one row per stored file, whoever owns it (content, imports, a plugin)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.org.models import utcnow


class StoredFile(db.Model):
    """A file whose bytes the backend keeps under (namespace, key); `size` and `sha256` are of
    the plaintext as served (a sensitive file is encrypted on disk)."""

    __tablename__ = "core_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "content", "imports", or a plugin's name: the folder (or object prefix) of its files.
    namespace: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Deleted, bytes and row, by the hourly sweep once this time has passed (None: kept).
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    __table_args__ = (UniqueConstraint("namespace", "key", name="uq_core_file_namespace_key"),)

    def __repr__(self) -> str:
        return f"<StoredFile {self.id} {self.namespace}/{self.key} {self.mimetype}>"
