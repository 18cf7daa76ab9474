"""Finding accounts by what people type, and the reset-code handover."""
from __future__ import annotations

import re
import unicodedata
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from core.auth.models import ResetRequest, User
from core.auth.passwords import hash_password, one_time_code, verify_password
from core.auth.sessions import end_all_sessions
from core.extensions import db
from core.org.models import Member, utcnow

MAX_CODE_ATTEMPTS = 5


def normalise_login(text: str) -> str:
    """Card numbers lose spaces and dots; "+84 912 …" becomes "0912…"; digits typed in another
    script (full-width "４６", Arabic-Indic "٤٦", from a phone keyboard) become ASCII, so one card
    is one record however it was typed."""
    value = unicodedata.normalize("NFKC", text or "")
    value = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)
    value = re.sub(r"[\s.\-]", "", value).upper()
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("84") and len(value) == 11 and value.isdigit():
        value = "0" + value[2:]
    return value


def find_user(login: str) -> User | None:
    value = normalise_login(login)
    if not value:
        return None
    return db.session.scalar(select(User).where(or_(User.login == value, User.phone == value)))


def find_member(login: str) -> Member | None:
    """A member in good standing, by card number or phone."""
    value = normalise_login(login)
    if not value:
        return None
    stmt = select(Member).where(or_(Member.card_number == value, Member.phone == value),
                                Member.status.in_(("active", "exempt")))
    return db.session.scalars(stmt).first()


def open_request(member: Member) -> ResetRequest:
    """The member's pending request, or a new one routed to their branch."""
    pending = db.session.scalar(select(ResetRequest).where(
        ResetRequest.member_id == member.id, ResetRequest.status.in_(("open", "code_issued"))))
    if pending is not None and pending.status == "open":
        return pending
    request = ResetRequest(member_id=member.id, org_id=member.org_id, status="open")
    db.session.add(request)
    return request


def issue_code(request: ResetRequest, by_user_id: int) -> str:
    """Give a fresh one-time code for `request`; only its hash is kept."""
    code = one_time_code()
    request.code_hash = hash_password(code)
    request.code_expires_at = utcnow() + timedelta(hours=current_app.config["RESET_CODE_HOURS"])
    request.code_attempts = 0
    request.status = "code_issued"
    request.handled_by_id, request.handled_at = by_user_id, utcnow()
    return code


def redeem_code(login: str, code: str, password: str) -> User | None:
    """Set a new password if `code` is valid for the member; creates the account on first use."""
    member = find_member(login)
    if member is None:
        return None
    request = db.session.scalar(select(ResetRequest).where(
        ResetRequest.member_id == member.id, ResetRequest.status.in_(("code_issued", "used")))
        .order_by(ResetRequest.id.desc()))
    if request is None or request.code_expires_at is None or request.code_expires_at < utcnow():
        return None
    code = re.sub(r"\s", "", code)
    if request.status == "used":
        return _already_redeemed(request, member, code, password)
    request.code_attempts += 1
    if request.code_attempts > MAX_CODE_ATTEMPTS:
        request.status = "expired"  # the secretary gives a new code; never locked for good
        return None
    if not verify_password(request.code_hash, code):
        return None
    request.status = "used"
    user = account_for(member)
    user.password_hash = hash_password(password)
    db.session.flush()
    end_all_sessions(user.id)
    return user


def _already_redeemed(request: ResetRequest, member: Member, code: str, password: str) -> User | None:
    """A retry over a flaky connection (same code, same new password) finds the work done."""
    user = db.session.scalar(select(User).where(User.member_id == member.id))
    if user is None or request.code_attempts >= MAX_CODE_ATTEMPTS:
        return None
    request.code_attempts += 1
    if verify_password(request.code_hash, code) and verify_password(user.password_hash, password):
        return user
    return None


def account_for(member: Member) -> User:
    """The member's account, created (without a password) if they never had one."""
    user = db.session.scalar(select(User).where(User.member_id == member.id))
    if user is None:
        login = member.card_number or member.phone
        phone_taken = member.phone and db.session.scalar(select(User.id).where(User.phone == member.phone))
        user = User(member_id=member.id, login=login, display_name=member.full_name,
                    phone=None if phone_taken else member.phone)
        db.session.add(user)
        db.session.flush()
    return user
