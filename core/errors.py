"""Error pages in Vietnamese, with the right status; a CSRF failure keeps what was typed."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, OperationalError, TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectFieldBase
from wtforms.fields.core import UnboundField

from core.extensions import db
from core.web import render

log = logging.getLogger(__name__)
# Fields never written back into a page: passwords, one-time codes, tokens.
SECRET_FIELDS = ("password", "confirm", "current", "code", "totp", "secret", "token")
NOT_TYPED = (BooleanField, HiddenField, RadioField, SelectFieldBase)
# Posting to these needs no sign-in, so a CSRF failure there never asks to sign in again.
PUBLIC_FORMS = ("auth.login", "auth.forgot", "auth.reset", "auth.logout")
KEEP = "keep:"  # prefix of fields carried through a sign-in to be sent once more
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


@dataclass(frozen=True)
class TypedField:
    """One posted field as the "send again" page shows it."""

    name: str
    value: str
    label: str
    kind: str  # "text", "long", "hidden", "secret" or "file"


def csrf_failed(error: CSRFError):
    """Offer to send the form again with a fresh token, keeping everything but secrets; if
    the member was signed out meanwhile, sign in on the same page and keep the text."""
    fields = typed_fields(list(request.form.items(multi=True)), list(request.files))
    if current_user.is_authenticated or request.endpoint in PUBLIC_FORMS:
        return resend_page(fields, _here())
    return _sign_in_page(fields, status=400)


def signed_out():
    """A page needing sign-in: a link goes to the sign-in page and comes back; a form sent
    after the session ended keeps its text through the sign-in."""
    if request.method == "POST" and request.form:
        return _sign_in_page(typed_fields(list(request.form.items(multi=True))), status=401)
    return redirect(url_for("auth.login", next=_here()))


def _sign_in_page(fields: list[TypedField], status: int):
    from core.auth.forms import LoginForm

    kept = [f for f in fields if f.kind not in ("secret", "file")]
    return render("errors/csrf.html", fields=kept, prefix=KEEP, sign_in=LoginForm(formdata=None),
                  action=url_for("auth.login", next=_here()), status=status, private=True)


def _here() -> str:
    return request.full_path.rstrip("?")


def resend_page(fields: list[TypedField], action: str, status: int = 400):
    return render("errors/csrf.html", fields=fields, prefix="", sign_in=None, action=action,
                  status=status, private=True)


def kept_fields(form) -> list[tuple[str, str]]:
    """The (name, value) pairs a sign-in form carries for the page it interrupted."""
    return [(k[len(KEEP):], v) for k, v in form.items(multi=True) if k.startswith(KEEP)]


def typed_fields(pairs: list[tuple[str, str]], files: list[str] = ()) -> list[TypedField]:
    """Describe posted fields with the labels of the form they most likely came from."""
    names = {name for name, _value in pairs} | set(files)
    fields = _best_form_fields(names)
    typed = []
    for name, value in pairs:
        if name == "csrf_token":
            continue
        unbound = fields.get(name)
        label = str(_label(unbound) or name)
        cls = unbound.field_class if unbound else None
        if _is_secret(name, cls):
            kind = "secret"
        elif cls is None or issubclass(cls, NOT_TYPED):
            kind = "hidden"
        else:
            kind = "long" if len(value) > 80 or "\n" in value else "text"
        if kind != "secret" or all(t.name != name for t in typed):
            typed.append(TypedField(name, "" if kind == "secret" else value, label, kind))
    for name in files:
        typed.append(TypedField(name, "", str(_label(fields.get(name)) or name), "file"))
    return typed


def _is_secret(name: str, cls) -> bool:
    lowered = name.lower()
    return any(s in lowered for s in SECRET_FIELDS) or bool(cls and issubclass(cls, PasswordField))


def _label(unbound: UnboundField | None):
    if unbound is None:
        return None
    return unbound.args[0] if unbound.args else unbound.kwargs.get("label")


def _best_form_fields(names: set[str]) -> dict[str, UnboundField]:
    """The fields of the loaded form class sharing the most names with the post."""
    best, score = {}, 0
    stack = list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        fields = {n: getattr(cls, n) for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}
        common = len(names & fields.keys())
        if common > score:
            best, score = fields, common
    return best

