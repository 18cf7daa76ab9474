"""Device cookies (OWASP "Slow down online guessing attacks with device cookies"): after a
successful sign-in the browser gets a signed, long-lived cookie naming the accounts that signed
in on it. An attempt carrying one for its account is throttled only by that device's own
failures (core.auth.throttle), so a stranger's guessing never keeps a member out of their own
phone. The cookie proves only that this browser once knew the account's password; it signs
nobody in, and it is sent to the sign-in pages only (its path)."""
from __future__ import annotations

import secrets

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "device"
PATH = "/login"
MAX_AGE = 400 * 86400  # the longest a browser keeps a cookie
MAX_ACCOUNTS = 5  # a family phone shared by a few members


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sotay.device")


def _read() -> dict | None:
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("a"), list):
        return None
    return data


def vouching_for(user) -> str | None:
    """The id of this browser's device cookie if it was issued for `user`'s account."""
    data = _read()
    if user is None or data is None or user.id not in data["a"]:
        return None
    return data["n"]


def remember(user) -> None:
    """Give this browser (or renew) its device cookie, with `user`'s account in it."""
    from core.security import cookie_secure

    data = _read() or {"n": secrets.token_urlsafe(12), "a": []}
    accounts = [user.id] + [a for a in data["a"] if a != user.id]
    value = _serializer().dumps({"n": data["n"], "a": accounts[:MAX_ACCOUNTS]})
    secure = cookie_secure()

    @after_this_request
    def set_cookie(response):
        response.set_cookie(COOKIE, value, max_age=MAX_AGE, path=PATH, httponly=True,
                            samesite="Lax", secure=secure)
        return response
