"""Security headers, a strict content-security policy, no-store for signed-in pages, safe
redirect targets."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

from flask import Flask, current_app, g, request, session

log = logging.getLogger(__name__)

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'; manifest-src 'self'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=(self)",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Browsers drop tabs and newlines from URLs and read "\" as "/", so "/\evil" or "/\t/evil" would
# leave the site: only a plain absolute path on this site is a redirect target.
_LOCAL_PATH = re.compile(r"^/(?![/\\])[^\\\s\x00-\x1f\x7f]*$")


def init_app(app: Flask) -> None:
    # The signed cookie of a "remember me" session lives as long as its server-side row.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=app.config["REMEMBER_DAYS"])
    app.after_request(add_headers)


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (never an open redirect)."""
    if target and _LOCAL_PATH.match(target):
        return target
    return default


def rotate_csrf() -> None:
    """A fresh CSRF token when the session changes hands (signing in): a token known before
    is worthless after. Flask-WTF caches the signed token in `g` for the request too."""
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


def add_headers(response):
    """Every response, error pages and files included, gets the headers; a view's own
    Content-Security-Policy is kept only if it is no weaker about scripts and styles."""
    headers = response.headers
    own = headers.get("Content-Security-Policy", "")
    if not own or "'unsafe-" in own:
        headers["Content-Security-Policy"] = CSP
    for name, value in HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Nothing a signed-in member sees (nor a form's token) may stay in a shared phone's or a
    # proxy's cache. Files set their own Cache-Control and never reach the session.
    if "Cache-Control" not in headers and session:
        headers["Cache-Control"] = "no-store"
    return response
