"""Security headers, a strict content-security policy, no-store for signed-in pages, safe
redirect targets, requests cleaned of what the app never reads (raw bytes, NULs), the client's
address and scheme read from a trusted reverse proxy, and a session cookie that is `Secure`
over TLS and never set on a response a shared cache may keep."""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import flask
from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property

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
# (fullmatch: "$" alone would let a trailing newline through, and a newline in Location is a 500.)
_LOCAL_PATH = re.compile(r"/(?![/\\])[^\\\s\x00-\x1f\x7f]*")
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    # The signed cookie of a "remember me" session lives as long as its server-side row.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=app.config["REMEMBER_DAYS"])
    app.after_request(add_headers)
    app.wsgi_app = _EscapedQuery(app.wsgi_app)
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        # X-Forwarded-For/-Proto are believed only from the proxies the deployment says it runs
        # behind; without them one client could claim any address, and with none configured the
        # proxy's own address would be every member's (one throttle for the whole province).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.request_class = Request
    app.session_interface = SessionInterface()


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with two rules: the cookie is `Secure` whenever the
    request came over TLS (directly or through the trusted proxy), and a response marked
    `public` (files, the manifest: kept by shared caches for a year) never carries it, even when
    the session is due for renewal; the next private page renews it instead."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (flask.has_request_context() and request.is_secure)

    def save_session(self, app: Flask, session, response) -> None:
        if response.cache_control.public:
            return None
        return super().save_session(app, session, response)


def cookie_secure() -> bool:
    """Should a cookie set now be `Secure` (TLS, or the deployment says so)?"""
    return bool(current_app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


class Request(flask.Request):
    """Query and form text without NUL characters: nobody types one, and PostgreSQL refuses
    them in a text column (a 500 on any form). Uploaded files keep their bytes."""

    @cached_property
    def args(self):
        return _without_nul(self.parameter_storage_class, super().args)

    def _load_form_data(self) -> None:
        loaded = "form" in self.__dict__
        super()._load_form_data()
        if not loaded:
            self.__dict__["form"] = _without_nul(self.parameter_storage_class, self.__dict__["form"])


def _without_nul(storage, values):
    pairs = list(values.items(multi=True))
    if not any("\x00" in k or "\x00" in v for k, v in pairs):
        return values
    return storage((k.replace("\x00", ""), v.replace("\x00", "")) for k, v in pairs)


_RAW_QUERY_BYTE = re.compile(rb"[\x80-\xff]")


class _EscapedQuery:
    """%-escape the query string's raw non-ASCII bytes before Werkzeug reads it: it decodes the
    raw query as strict UTF-8, so one invalid byte sent unescaped (by a bot or a broken client)
    would make every page a 500. Valid UTF-8 reads the same after escaping."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            raw = query.encode("latin-1", "replace")  # WSGI hands bytes over as latin-1
            escaped = _RAW_QUERY_BYTE.sub(lambda m: b"%%%02X" % m.group()[0], raw)
            environ["QUERY_STRING"] = escaped.decode()
        return self.wsgi_app(environ, start_response)


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default` (never an open redirect)."""
    if target and _LOCAL_PATH.fullmatch(target):
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
        headers.setdefault("Strict-Transport-Security", HSTS)
    # Nothing a signed-in member sees (nor a form's token) may stay in a shared phone's or a
    # proxy's cache. Files set their own Cache-Control and never reach the session.
    if "Cache-Control" not in headers and session:
        headers["Cache-Control"] = "no-store"
    return response
