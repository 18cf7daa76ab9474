"""The audit log: logins, refusals, confidential views, role changes, exports. Never secrets."""
from __future__ import annotations

import logging
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.org.models import utcnow

log = logging.getLogger("sotay.audit")
# Keys that must never reach the log, whatever a caller passes.
SECRET_KEYS = {"password", "code", "token", "totp", "secret", "csrf_token"}


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(128))
    address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)


def audit(action: str, target: str | None = None, user_id: int | None = None, **detail) -> None:
    """Record an action in the current transaction; the caller commits."""
    if user_id is None and has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    clean = {k: v for k, v in detail.items() if not any(s in k.lower() for s in SECRET_KEYS)}
    address = request.remote_addr if has_request_context() else None
    db.session.add(AuditEntry(user_id=user_id, action=action, target=target, address=address,
                              detail=clean or None))
    log.info("audit %s %s user=%s", action, target or "", user_id)
