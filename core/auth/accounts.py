"""Finding accounts and members by what people type, and the reset-code handover.

A typed name resolves deterministically: to an account through `account_name` (each login and
phone belongs to one account at most); to a member by card number first, by phone only when one
member in good standing has it (husband and wife often share a phone: then the card number, or
the secretary, tells them apart), and for a reset code, to the member whose code it is."""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, insert, literal, or_, select

from core.auth import throttle
from core.auth.models import AccountName, ResetRequest, User
from core.auth.passwords import hash_password, one_time_code, verify_password
from core.auth.sessions import end_all_sessions
from core.extensions import db
from core.org.models import Member, MemberStatus, utcnow

log = logging.getLogger(__name__)
GOOD_STANDING = (MemberStatus.ACTIVE.value, MemberStatus.EXEMPT.value)
# Members sharing one phone looked at for a code (a household, not a village).
MAX_SHARED_PHONE = 5


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
    """The one account whose login or phone is `login` as typed, or None."""
    value = normalise_login(login)
    if not value:
        return None
    return db.session.scalar(select(User).join(AccountName, AccountName.user_id == User.id)
                             .where(AccountName.name == value))


def name_owner(name: str | None) -> int | None:
    """The account a login or phone already belongs to."""
    return db.session.scalar(select(AccountName.user_id).where(AccountName.name == name)) if name else None


def add_bulk_names(after_id: int) -> None:
    """After a bulk insert of accounts (which runs no ORM events): their logins and phones."""
    for column, kind in ((User.login, "login"), (User.phone, "phone")):
        rows = select(column, User.id, literal(kind)).where(User.id > after_id, column.is_not(None))
        if kind == "phone":
            rows = rows.where(User.phone != User.login)
        db.session.execute(insert(AccountName).from_select(["name", "user_id", "kind"], rows))


def find_member(login: str) -> Member | None:
    """A member in good standing: by card number, else by a phone no other such member shares."""
    members = _members_named(login)
    return members[0] if len(members) == 1 else None


def _members_named(login: str) -> list[Member]:
    """The member with this card number, or every member (a few) with this phone: one query,
    the same whether the number is anyone's or not."""
    value = normalise_login(login)
    if not value:
        return []
    found = list(db.session.scalars(
        select(Member).where(or_(Member.card_number == value, Member.phone == value),
                             Member.status.in_(GOOD_STANDING))
        .order_by(case((Member.card_number == value, 0), else_=1), Member.id).limit(MAX_SHARED_PHONE)))
    by_card = [m for m in found if m.card_number == value]
    return by_card[:1] or found


def open_request(member: Member | None) -> ResetRequest | None:
    """The member's pending request, or a new one routed to their branch. For nobody (a
    number that is no member's), the same lookup runs and nothing is opened, so /forgot does
    the same work either way."""
    pending = db.session.scalar(select(ResetRequest).where(
        ResetRequest.member_id == (member.id if member is not None else -1),
        ResetRequest.status.in_(("open", "code_issued"))))
    if member is None:
        return None
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
    request.code_sealed = None
    request.status = "code_issued"
    request.handled_by_id, request.handled_at = by_user_id, utcnow()
    return code


def seal_code(request: ResetRequest, code: str) -> str:
    """Keep `code` on the request until the secretary's next page shows it, sealed with a
    one-time pad; the pad (returned) goes into the secretary's session. Neither the row nor the
    cookie alone tells the code, and once shown the row forgets it (a replayed cookie finds
    nothing)."""
    pad = one_time_code()
    request.code_sealed = "".join(str((int(c) + int(p)) % 10) for c, p in zip(code, pad))
    return pad


def reveal_code(request: ResetRequest, pad: str | None) -> str | None:
    """The sealed code, once: the row forgets it as it is read."""
    sealed, request.code_sealed = request.code_sealed, None
    if not sealed or not isinstance(pad, str) or len(pad) != len(sealed) or not pad.isdigit():
        return None
    return "".join(str((int(s) - int(p)) % 10) for s, p in zip(sealed, pad))


@dataclass(frozen=True)
class Redeemed:
    """What a typed code gave: the account with its new password, or a pause for this address."""

    user: User | None = None
    wait: int = 0


def _code_key(request: ResetRequest, address: str) -> str:
    return f"code:{request.id}:{address}"


def redeem_code(login: str, code: str, password: str) -> Redeemed:
    """Set a new password if `code` is valid for the member; creates the account on first use.

    Wrong codes pause the address they come from for that request (a stranger cannot burn a
    member's code); only a total far above anyone's typing expires the code, and the secretary
    sees why (status "expired")."""
    config, address = current_app.config, throttle.address()
    address_key = f"reset-addr:{address}"
    wait = throttle.paused(address_key)
    if wait:
        return Redeemed(wait=wait)
    code = re.sub(r"\s", "", code)
    requests = _issued_for(login)
    open_ = [r for r in requests if not throttle.paused(_code_key(r, address))]
    if requests and not open_:
        return Redeemed(wait=max(throttle.paused(_code_key(r, address)) for r in requests))
    for request in open_:
        user = _try_code(request, code, password)
        if user is not None:
            return Redeemed(user)
    if not open_:
        verify_password(None, code)  # nobody's code: as slow as a wrong one
    for request in open_:
        throttle.strike(_code_key(request, address), config["RESET_CODE_FAILURES"],
                        config["RESET_CODE_PAUSE_SECONDS"])
    throttle.strike(address_key, config["RESET_ADDRESS_FAILURES"], config["RESET_ADDRESS_PAUSE_SECONDS"])
    return Redeemed()


def _issued_for(login: str) -> list[ResetRequest]:
    """The live code of the member the typed name means (of each, for a shared phone)."""
    members = {m.id: m for m in _members_named(login)}
    if not members:
        return []
    latest = {}
    for request in db.session.scalars(select(ResetRequest).where(
            ResetRequest.member_id.in_(list(members)), ResetRequest.status.in_(("code_issued", "used")))
            .order_by(ResetRequest.id.desc())):
        latest.setdefault(request.member_id, request)
    now = utcnow()
    return [r for r in latest.values() if r.code_expires_at is not None and r.code_expires_at >= now]


def _try_code(request: ResetRequest, code: str, password: str) -> User | None:
    cap = current_app.config["RESET_CODE_MAX_ATTEMPTS"]
    if request.status == "used":
        return _already_redeemed(request, code, password)
    if not verify_password(request.code_hash, code):
        request.code_attempts += 1
        if request.code_attempts >= cap:
            request.status = "expired"  # the secretary gives a new code; never locked for good
            log.warning("reset request %s: code expired after %s wrong tries", request.id, cap)
        return None
    request.status, request.code_sealed = "used", None
    user = account_for(request.member)
    user.password_hash = hash_password(password)
    db.session.flush()
    end_all_sessions(user.id)
    return user


def _already_redeemed(request: ResetRequest, code: str, password: str) -> User | None:
    """A retry over a flaky connection (same code, same new password) finds the work done."""
    user = db.session.scalar(select(User).where(User.member_id == request.member_id))
    if user is None or request.code_attempts >= current_app.config["RESET_CODE_MAX_ATTEMPTS"]:
        return None
    if verify_password(request.code_hash, code) and verify_password(user.password_hash, password):
        return user
    request.code_attempts += 1
    return None


def account_for(member: Member) -> User:
    """The member's account, created (without a password) if they never had one. Its login is
    the card number (or the phone); a phone that is already another account's name is left off."""
    user = db.session.scalar(select(User).where(User.member_id == member.id))
    if user is None:
        login = member.card_number or member.phone
        if name_owner(login) is not None:
            log.warning("member %s: login taken by another account; signs in as DV%s", member.id, member.id)
            login = f"DV{member.id}"
        phone = member.phone
        if phone and phone != login and name_owner(phone) is not None:
            phone = None
        user = User(member_id=member.id, login=login, display_name=member.full_name, phone=phone)
        db.session.add(user)
        db.session.flush()
    return user
