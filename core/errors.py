"""Error pages in Vietnamese, with the right status; a CSRF failure on our own pages keeps what
was typed, for the member to check and send again (core.kept), one from another site nothing."""
from __future__ import annotations

import logging

from flask import Flask, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from core import kept
from core.extensions import db
from core.web import render

log = logging.getLogger(__name__)
# Posting to these needs no sign-in, so a CSRF failure there never asks to sign in again.
PUBLIC_FORMS = ("auth.login", "auth.forgot", "auth.reset", "auth.logout")
FALLBACK = ('<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi</title>'
            "<p>{message}</p><p><a href=\"/\">Về trang chủ</a></p></html>")


def init_app(app: Flask) -> None:
    from core.extensions import login_manager

    login_manager.unauthorized_handler(signed_out)
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(DBAPIError, database_error)
    app.register_error_handler(PoolTimeout, database_error)
    app.register_error_handler(Exception, unexpected)
    app.before_request(kept.check_reviewed)


def messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered."),
        403: _("You do not have permission to do this."),
        404: _("This page does not exist or you cannot see it."),
        405: _("This action is not available here."),
        413: _("The file is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing you entered was lost; please try again."),
        503: _("The service is busy. Please try again in a moment."),
    }


def http_error(error: HTTPException):
    code = error.code or 500
    message = messages().get(code) or messages()[400 if code < 500 else 500]
    response = _error_page(code, message)
    if code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def database_error(error: Exception):
    """The database is away (restarting, failing over, out of connections): "busy, try again"
    with 503, which a proxy and a phone may retry, rather than "something went wrong". Any other
    database error is a bug and stays a 500."""
    if isinstance(error, DBAPIError) and not error.connection_invalidated and not _unreachable(error):
        return unexpected(error)
    log.warning("database unavailable on %s: %s", request.path, error)
    _rollback_quietly()
    response = _error_page(503, messages()[503])
    response.headers["Retry-After"] = "5"
    return response


def _unreachable(error: DBAPIError) -> bool:
    """Could the driver not reach the server, did the server end the connection, or is the
    file locked? (SQLite also calls "no such table" an OperationalError: that one is a bug.)"""
    if not isinstance(error, OperationalError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        return any(word in str(error.orig) for word in ("locked", "unable to open", "disk I/O"))
    return True


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone; the pool replaces it on the next checkout
        db.session.invalidate()


def unexpected(error: Exception):
    log.exception("unexpected error on %s", request.path)
    _rollback_quietly()
    return _error_page(500, messages()[500])


def _error_page(code: int, message: str):
    """The themed page; if even that fails (database down), a bare page in Vietnamese."""
    try:
        return render("errors/error.html", code=code, message=message, status=code)
    except Exception:
        log.exception("error page %s could not be rendered", code)
        _rollback_quietly()
        return make_response(FALLBACK.format(message=escape(message)), code,
                             {"Content-Type": "text/html; charset=utf-8"})


def csrf_failed(error: CSRFError):
    """A post without a valid token: from another site, refused with nothing kept; from our own
    pages, every value shown for review (signing in again on the same page if the member was
    signed out meanwhile)."""
    if kept.from_elsewhere():
        log.warning("cross-site post refused on %s (Origin %s)", request.path, request.headers.get("Origin"))
        return kept.foreign_page()
    fields = kept.posted_fields()
    if current_user.is_authenticated or request.endpoint in PUBLIC_FORMS:
        return kept.review_page(fields, kept.here())
    return kept.sign_in_page(fields, status=400)


def signed_out():
    """A page needing sign-in: a link goes to the sign-in page and comes back; a form sent
    after the session ended keeps its text through the sign-in."""
    if request.method == "POST" and request.form:
        if kept.from_elsewhere():
            return kept.foreign_page()
        return kept.sign_in_page(kept.typed_fields(list(request.form.items(multi=True))), status=401)
    return redirect(url_for("auth.login", next=kept.here()))
