"""The staff second factor: an authenticator app's 6-digit code (TOTP).

STAFF_SECOND_FACTOR = "offer" lets administrators and secretaries turn it on; "require" sends a
staff account without one to set it up before it reaches any other page. ADMIN_SECOND_FACTOR,
when set, decides the same for administrators alone (config/production.toml requires it of
administrators and offers it to secretaries)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
from flask import current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import delete, func, select

from core.auth.models import UserSession
from core.extensions import db
from core.org.scope import ADMIN, has_any

ISSUER = "So tay dang vien"
BACKUP_CODES = 10  # kept on paper for a lost phone, each good once
BACKUP_DIGITS = 10  # longer than an app's 6 digits, so the two are never confused
# Reachable while a code is awaited or set-up is required: signing out, display choices, files.
ALWAYS_OPEN = ("auth.logout", "auth.display", "assets.serve", "home.healthz")


def is_staff(user) -> bool:
    """Administrators and secretaries: whoever may see members somewhere."""
    return has_any(user, "members.view")


def is_admin(user) -> bool:
    return any(ra.role == ADMIN for ra in user.roles)


def required(user=None) -> bool:
    """Must staff (`user`, when given) link an authenticator before anything else?
    ADMIN_SECOND_FACTOR, when set, decides for administrators; STAFF_SECOND_FACTOR for the rest."""
    config = current_app.config
    setting = config.get("STAFF_SECOND_FACTOR", "offer")
    if user is not None and config.get("ADMIN_SECOND_FACTOR") and is_admin(user):
        setting = config["ADMIN_SECOND_FACTOR"]
    return setting == "require"


def code_ok(secret: str, code: str, user=None, device: str | None = None) -> bool:
    """The current code, or the one before or after it (a phone's clock drifts); with `user`,
    each code is good once, except again from the device that used it (signing in twice within
    30 seconds on one phone): a code seen on a shoulder and typed on another phone is refused."""
    totp, typed = pyotp.TOTP(secret), re.sub(r"[\s-]", "", code)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), typed):
            if user is not None:
                last = user.totp_last_step
                same_device = device is not None and device == user.totp_last_device
                if last is not None and (step < last or (step == last and not same_device)):
                    return False
                user.totp_last_step, user.totp_last_device = step, device
            return True
    return False


def grouped(secret: str) -> str:
    """The key in groups of four, as a person copies it: "ABCD EFGH ..."."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def new_backup_codes(user) -> list[str]:
    """Ten fresh backup codes for `user` (the old ones stop working): returned once, in clear,
    to be shown once; only their argon2 hashes are kept."""
    from core.auth.models import BackupCode
    from core.auth.passwords import hash_password

    drop_backup_codes(user)
    codes = [f"{secrets.randbelow(10**BACKUP_DIGITS):0{BACKUP_DIGITS}d}" for _ in range(BACKUP_CODES)]
    db.session.add_all(BackupCode(user_id=user.id, code_hash=hash_password(code)) for code in codes)
    return [f"{code[:5]} {code[5:]}" for code in codes]


def clear(user) -> None:
    """No authenticator any more (turned off, or a lost phone cleared): its codes go too."""
    user.totp_secret, user.totp_last_step, user.totp_last_device = None, None, None
    drop_backup_codes(user)


def drop_backup_codes(user) -> None:
    from core.auth.models import BackupCode

    db.session.execute(delete(BackupCode).where(BackupCode.user_id == user.id))


def backup_codes_left(user) -> int:
    from core.auth.models import BackupCode

    return db.session.scalar(select(func.count(BackupCode.id)).where(
        BackupCode.user_id == user.id, BackupCode.used_at.is_(None))) or 0


def is_backup_code(code: str) -> bool:
    return len(re.sub(r"[\s-]", "", code or "")) == BACKUP_DIGITS


def use_backup_code(user, code: str) -> bool:
    """A backup code not used before: it is spent now (the caller commits)."""
    from core.auth.models import BackupCode
    from core.auth.passwords import verify_password
    from core.org.models import utcnow

    typed = re.sub(r"[\s-]", "", code or "")
    if len(typed) != BACKUP_DIGITS or not typed.isdigit():
        return False
    for row in db.session.scalars(select(BackupCode).where(
            BackupCode.user_id == user.id, BackupCode.used_at.is_(None))):
        if verify_password(row.code_hash, typed):
            row.used_at = utcnow()
            return True
    return False


def pending_secret(user) -> str:
    """The key offered on the set-up page: derived from the session, so it is stable across
    reloads and never kept in the (readable) session cookie."""
    message = f"totp-setup:{user.id}:{user.session_token}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.login, issuer_name=ISSUER)


def session_row() -> UserSession | None:
    return db.session.get(UserSession, current_user.session_token)


def code_pending() -> bool:
    """Signed in with the password, but the authenticator's code is still awaited."""
    if not current_user.totp_secret:
        return False
    row = session_row()
    return row is not None and not row.second_factor_done


def guard():
    """Before every request: a session awaiting its code reaches only the code page; with
    "require", staff without an authenticator reach only its set-up page."""
    if not current_user.is_authenticated or request.endpoint in ALWAYS_OPEN:
        return None
    if current_user.totp_secret:
        if request.endpoint != "auth.second_factor" and code_pending():
            return _ask_code()
        return None
    config = current_app.config
    maybe = "require" in (config.get("STAFF_SECOND_FACTOR"), config.get("ADMIN_SECOND_FACTOR"))
    if maybe and request.endpoint != "auth.authenticator" and is_staff(current_user) and required(current_user):
        return redirect(url_for("auth.authenticator", next=_here()))
    return None


def _ask_code():
    """To the code page; a form sent meanwhile (signed in again in another tab) rides along."""
    if request.method == "POST" and request.form:
        from core.auth.forms import SecondFactorForm
        from core.kept import foreign_page, from_elsewhere, typed_fields
        from core.web import render

        if from_elsewhere():
            return foreign_page()
        kept = [f for f in typed_fields(list(request.form.items(multi=True)))
                if f.kind not in ("secret", "file")]
        return render("auth/second_factor.html", form=SecondFactorForm(formdata=None), kept=kept,
                      next=request.full_path.rstrip("?"), status=401, private=True)
    return redirect(url_for("auth.second_factor", next=_here()))


def _here() -> str | None:
    """Where to come back to: this page, unless it was a form post (never replayed)."""
    return request.full_path.rstrip("?") if request.method == "GET" else None
