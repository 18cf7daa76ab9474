"""Accounts, the names they sign in with, their sessions, reset requests and login throttles."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, delete, event, insert, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.org.models import Member, RoleAssignment, utcnow


class User(UserMixin, db.Model):
    """An account: a member's own, or a family helper's read-only one tied to a member."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), unique=True)
    helped_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    # What the person types to sign in: the Party-card number, or a phone number.
    login: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second step whose code was accepted: a code is good once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # The device (its device cookie, core.auth.devices) that used that step's code: the same
    # code may sign in again from the same phone within the step, never from another.
    totp_last_device: Mapped[str | None] = mapped_column(String(32))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    member: Mapped[Member | None] = relationship(foreign_keys=[member_id])
    helped_member: Mapped[Member | None] = relationship(foreign_keys=[helped_member_id])
    roles: Mapped[list[RoleAssignment]] = relationship(
        foreign_keys=[RoleAssignment.user_id], cascade="all, delete-orphan", lazy="selectin")

    # Set by the session loader: the server-side session this request runs under, and the
    # province of the member the account follows (read in the same query).
    session_token = None
    province_id = None

    def get_id(self) -> str | None:
        """Flask-Login stores the session token, not the user id, so sessions can be revoked."""
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_helper(self) -> bool:
        return self.helped_member_id is not None

    @property
    def home_org_id(self) -> int | None:
        """The branch whose life this account follows (own, or the helped member's)."""
        member = self.helped_member if self.is_helper else self.member
        if member is not None:
            return member.org_id
        return self.roles[0].org_id if self.roles else None


class AccountName(db.Model):
    """Every login and every phone of every account in one column, so the database itself
    refuses a name that is already someone's login or phone, and a typed name resolves to at
    most one account. Kept in step with `user_account` by the ORM events below (and by
    `core.auth.accounts.add_bulk_names` after a bulk insert)."""

    __tablename__ = "account_name"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "login" or "phone"


def _names(login: str | None, phone: str | None) -> list[tuple[str, str]]:
    """(name, kind) an account answers to; a phone that is also its own login is one name."""
    names = [(login, "login")] if login else []
    if phone and phone != login:
        names.append((phone, "phone"))
    return names


def _write_names(connection, user: User) -> None:
    rows = [{"name": name, "user_id": user.id, "kind": kind} for name, kind in _names(user.login, user.phone)]
    if rows:
        connection.execute(insert(AccountName), rows)


@event.listens_for(User, "after_insert")
def _account_inserted(_mapper, connection, user: User) -> None:
    _write_names(connection, user)


@event.listens_for(User, "after_update")
def _account_updated(_mapper, connection, user: User) -> None:
    """A login or phone changed (a corrected card number, a new phone): the names follow; a
    name another account holds makes the flush fail (IntegrityError), nothing is half-changed."""
    state = inspect(user)
    if state.attrs.login.history.has_changes() or state.attrs.phone.history.has_changes():
        connection.execute(delete(AccountName).where(AccountName.user_id == user.id))
        _write_names(connection, user)


class UserSession(db.Model):
    """A signed-in device; revoking the row ends the session on its next request."""

    __tablename__ = "user_session"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    second_factor_done: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))


class BackupCode(db.Model):
    """One of the ten codes a staff member keeps on paper for a lost or broken phone: argon2
    hashed, shown once when made, each good for one sign-in."""

    __tablename__ = "backup_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class ResetRequest(db.Model):
    """A member's request for a new password, answered by a one-time code from the secretary."""

    __tablename__ = "reset_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    code_hash: Mapped[str | None] = mapped_column(String(255))
    code_expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The code as handed over, sealed with a one-time pad that only the secretary's session
    # holds (core.auth.accounts.seal_code): shown once, then cleared.
    code_sealed: Mapped[str | None] = mapped_column(String(16))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)

    member: Mapped[Member] = relationship()


class Throttle(db.Model):
    """Attempts counted per key in a window (see core.auth.throttle for the keys and rules)."""

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Distinct accounts signed in from an address in the window (on a pair row: 1 once counted).
    successes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    window_start: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime)
