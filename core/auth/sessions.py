"""Server-side sessions: the cookie carries a token; logout, password change or a disabled
account end the session on its next request."""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, request, session
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from core.auth.models import User, UserSession
from core.extensions import db
from core.org.models import Member, Organisation, RoleAssignment, utcnow

# Touch last_seen at most this often, so reading pages does not write on every request.
TOUCH_EVERY = timedelta(minutes=5)


def lifetime(remember: bool) -> timedelta:
    """How long a session lives without use: weeks with "remember me", hours without."""
    config = current_app.config
    if remember:
        return timedelta(days=config["REMEMBER_DAYS"])
    return timedelta(hours=config["SESSION_IDLE_HOURS"])


def start_session(user: User, remember: bool) -> UserSession:
    """Open a session for `user`; "remember me" keeps it for weeks on this device. The user's
    ended sessions (signed out, expired) are deleted now: the device list stays short."""
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.revoked_at.is_not(None), UserSession.expires_at < utcnow())))
    row = UserSession(token=secrets.token_urlsafe(32), user_id=user.id, remember=remember,
                      expires_at=utcnow() + lifetime(remember),
                      user_agent=(request.user_agent.string or "")[:200])
    db.session.add(row)
    user.last_seen_at = row.last_seen_at = utcnow()  # signing in counts as using the app
    session.permanent = remember
    user.session_token = row.token
    return row


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: the user of a live, unrevoked session, else nobody."""
    now = utcnow()
    # One query for every page: the session, its user, the member whose branch the account
    # follows (own, or the helped member's) with that branch's province, and whether the account
    # holds any role at all. A plain member (most requests) then needs no role query; staff
    # load their roles when first asked.
    followed = func.coalesce(User.helped_member_id, User.member_id)
    has_roles = exists().where(RoleAssignment.user_id == User.id).correlate(User)
    found = db.session.execute(
        select(UserSession, User, Member, Organisation.province_id, has_roles.label("has_roles"))
        .join(User, User.id == UserSession.user_id)
        .outerjoin(Member, Member.id == followed)
        .outerjoin(Organisation, Organisation.id == Member.org_id)
        .where(UserSession.token == token)
        .options(lazyload(User.roles))).first()
    row, user, member, province_id, any_role = found if found else (None, None, None, None, False)
    if row is None or row.revoked_at is not None or row.expires_at < now:
        user = None
    if user is None or not user.is_enabled:
        # The cookie of an ended session is dropped, so the browser stops sending it.
        for key in ("_user_id", "_fresh", "_id"):
            session.pop(key, None)
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        # Sliding expiry: a phone in daily use stays signed in; an idle one is let go.
        row.last_seen_at = user.last_seen_at = now
        row.expires_at = now + lifetime(row.remember)
        db.session.commit()
        session.modified = True  # renew the cookie's own expiry now and then, not on every page
    user.session_token = token
    if not any_role and "roles" not in user.__dict__:
        set_committed_value(user, "roles", [])
    if member is not None:  # home_org_id and province_of need no query of their own
        set_committed_value(user, "helped_member" if user.is_helper else "member", member)
        user.province_id = province_id
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(update(UserSession).where(UserSession.token == token)
                           .values(revoked_at=utcnow()))


def end_all_sessions(user_id: int, keep: str | None = None) -> None:
    """Revoke every session of a user (password changed, account disabled)."""
    stmt = update(UserSession).where(UserSession.user_id == user_id,
                                     UserSession.revoked_at.is_(None))
    if keep:
        stmt = stmt.where(UserSession.token != keep)
    db.session.execute(stmt.values(revoked_at=utcnow()))


def live_sessions(user_id: int) -> list[UserSession]:
    stmt = select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
                                     UserSession.expires_at > utcnow())
    return list(db.session.scalars(stmt.order_by(UserSession.last_seen_at.desc())))
