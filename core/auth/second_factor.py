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
import time

import pyotp
from flask import current_app, redirect, request, url_for
from flask_login import current_user

from core.auth.models import UserSession
from core.extensions import db
from core.org.scope import ADMIN, has_any

ISSUER = "So tay dang vien"
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


def code_ok(secret: str, code: str, user=None) -> bool:
    """The current code, or the one before or after it (a phone's clock drifts); with `user`,
    each code is good once: a code seen on a shoulder or replayed is refused."""
    totp, typed = pyotp.TOTP(secret), re.sub(r"\s", "", code)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), typed):
            if user is not None:
                if user.totp_last_step is not None and step <= user.totp_last_step:
                    return False
                user.totp_last_step = step
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
