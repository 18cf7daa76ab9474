"""Error pages: Vietnamese, the right status, the security headers, no stack trace, no session."""
from __future__ import annotations

import pytest
from flask import Blueprint, abort

from tests.core.test_security import assert_secure, session_cookie_set

VIETNAMESE = {
    400: "Không hiểu được yêu cầu",
    404: "Trang này không tồn tại",
    405: "Thao tác này không dùng được ở đây",
    413: "Tệp quá lớn",
    429: "Quá nhiều yêu cầu",
    500: "Hệ thống gặp sự cố",
}


def broken_blueprint() -> Blueprint:
    """Test-only routes that fail the way real views might."""
    bp = Blueprint("test_broken", __name__)

    @bp.get("/test/abort/<int:code>")
    def aborts(code: int):
        abort(code)

    @bp.get("/test/crash")
    def crash():
        raise RuntimeError("secret internals: password=hunter2")

    return bp


@pytest.fixture
def broken_app(app):
    app.register_blueprint(broken_blueprint())
    return app


def check_error_page(response, code: int):
    page = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert '<html lang="vi">' in page
    assert "Traceback" not in page and "hunter2" not in page and "RuntimeError" not in page
    assert_secure(response)
    return page


def test_messages_are_translated(broken_app):
    """Each status has its own Vietnamese sentence (checks the catalog, not only the status)."""
    client = broken_app.test_client()
    for code in (400, 404, 405, 413, 429, 500):
        page = check_error_page(client.get(f"/test/abort/{code}"), code)
        assert VIETNAMESE[code].lower() in page.lower(), (code, page[-900:])
        assert not session_cookie_set(client.get(f"/test/abort/{code}"))


def test_not_found(client):
    page = check_error_page(client.get("/no-such-page"), 404)
    assert VIETNAMESE[404] in page


def test_method_not_allowed_names_the_allowed_ones(client):
    response = client.get("/logout")
    check_error_page(response, 405)
    assert "POST" in response.headers["Allow"]


def test_upload_too_large(app, visitor):
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = visitor.submit("/forgot", {"login": "0912345678" * 500})
    page = check_error_page(response, 413)
    assert VIETNAMESE[413] in page


def test_too_many_attempts_from_one_address(app, visitor):
    app.config["FORGOT_ADDRESS_REQUESTS"] = 3
    for n in range(3):
        assert visitor.submit("/forgot", {"login": f"09000000{n:02d}"}).status_code == 302
    response = visitor.submit("/forgot", {"login": "0900000099"})
    assert response.status_code == 429
    assert_secure(response)
    assert "quá nhiều" in response.get_data(as_text=True).lower()


def test_a_crash_shows_a_calm_page_and_logs_the_trace(broken_app, caplog, monkeypatch):
    import logging

    # Alembic's fileConfig (run by the fixtures' migrations) disables loggers created before it.
    monkeypatch.setattr(logging.getLogger("core.errors"), "disabled", False)
    page = check_error_page(broken_app.test_client().get("/test/crash"), 500)
    assert VIETNAMESE[500] in page
    assert any("unexpected error" in r.message for r in caplog.records)


def test_a_crash_for_a_signed_in_member_is_not_stored(broken_app, accounts):
    from tests.support import Visitor

    member = Visitor(broken_app.test_client())
    member.login(accounts["member"])
    response = member.get("/test/crash")
    check_error_page(response, 500)
    assert response.headers["Cache-Control"] == "no-store"
    assert member.get("/").status_code == 200  # the session survived


def test_when_even_the_error_page_fails_a_bare_vietnamese_page_answers(broken_app, monkeypatch):
    import core.errors

    def broken_render(*args, **kwargs):
        raise RuntimeError("theme is gone")

    monkeypatch.setattr(core.errors, "render", broken_render)
    response = broken_app.test_client().get("/test/crash")
    page = check_error_page(response, 500)
    assert VIETNAMESE[500] in page
