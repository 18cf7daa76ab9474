"""Security headers on every response, no-store and no stray session cookies, CSRF that keeps
what was typed, and redirects that never leave the site."""
from __future__ import annotations

import re
import time

import pytest
from flask import Blueprint, render_template_string
from flask_login import login_required
from flask_wtf import FlaskForm
from itsdangerous import TimestampSigner
from wtforms import StringField, TextAreaField

from tests.support import Visitor, csrf_from

MINUTES = ("Chi bộ xóm Đồng Tâm họp thường kỳ tháng 6: đồng chí Bí thư quán triệt Nghị quyết, "
           "các đồng chí đảng viên thảo luận sôi nổi về xây dựng nông thôn mới, "
           "phân công nhiệm vụ cho tháng tới; \"nâng cao\" chất lượng sinh hoạt <chi bộ> & đoàn thể. " * 12)


class MinutesForm(FlaskForm):
    """A test-only form like a plugin's: a long text and a short title."""

    title = StringField("Title")
    minutes = TextAreaField("Minutes")


def minutes_blueprint() -> Blueprint:
    bp = Blueprint("test_minutes", __name__)

    @bp.route("/test/minutes", methods=["GET", "POST"])
    @login_required
    def minutes():
        form = MinutesForm()
        if form.validate_on_submit():
            return f"saved:{form.title.data}|{form.minutes.data}"
        return render_template_string('<form method="post">{{ form.csrf_token }}</form>', form=form)

    return bp


@pytest.fixture
def minutes_app(app):
    app.register_blueprint(minutes_blueprint())
    return app


def assert_secure(response):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]


def session_cookie_set(response) -> bool:
    return any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/a/[^"]+)"', html)


def test_every_anonymous_response_carries_the_headers(app, visitor):
    html = visitor.text("/login")
    assets = asset_urls(html)
    assert len(assets) >= 2
    urls = ["/login", "/forgot", "/reset", "/forgot/sent", "/healthz", "/", "/display?large=1",
            "/no-such-page", "/logout", *assets]
    for url in urls:
        response = app.test_client().get(url)
        assert_secure(response)
    assert_secure(app.test_client().post("/login", data={"login": "x"}))  # CSRF 400


def test_signed_in_pages_are_not_stored(as_role):
    member = as_role("member")
    for url in ("/", "/account", "/no-such-page"):
        response = member.get(url)
        assert_secure(response)
        assert response.headers["Cache-Control"] == "no-store", url
    asset = asset_urls(member.text("/"))[0]
    response = member.get(asset)
    assert "immutable" in response.headers["Cache-Control"]
    assert_secure(response)


def test_anonymous_pages_without_a_form_write_no_session(app, visitor):
    assets = asset_urls(visitor.text("/login"))
    for url in ["/healthz", "/display?large=1&next=/", "/display?contrast=0", "/no-such-page", "/",
                "/members/", "/forgot/sent", "/logout", *assets]:
        response = app.test_client().get(url)
        assert not session_cookie_set(response), url
        assert "Cache-Control" not in response.headers or "no-store" in response.headers[
            "Cache-Control"] or url.startswith("/a/")
    for url in ("/login", "/forgot", "/reset"):  # a form needs its token in the session
        response = app.test_client().get(url)
        assert session_cookie_set(response), url


def test_session_cookie_is_httponly_and_lax(visitor, accounts):
    response = visitor.login(accounts["member"])
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_failure_keeps_long_vietnamese_text_and_sending_again_works(minutes_app, accounts):
    secretary = Visitor(minutes_app.test_client())
    secretary.login(accounts["secretary"])
    secretary.get("/test/minutes")
    response = secretary.client.post("/test/minutes", data={
        "csrf_token": "forged", "title": "Biên bản họp chi bộ", "minutes": MINUTES})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Vui lòng gửi lại" in page or "gửi lại" in page.lower()
    assert "Biên bản họp chi bộ" in page
    assert "sôi nổi về xây dựng nông thôn mới" in page
    assert "&lt;chi bộ&gt; &amp; đoàn thể" in page  # escaped, not injected
    assert "Minutes" in page  # the field's own label, not its raw name only
    resend = {"csrf_token": csrf_from(page), "title": "Biên bản họp chi bộ", "minutes": MINUTES}
    again = secretary.client.post(re.search(r'<form method="post" action="([^"]+)"', page).group(1),
                                  data=resend)
    assert again.status_code == 200
    assert again.get_data(as_text=True) == f"saved:Biên bản họp chi bộ|{MINUTES}"


def test_csrf_failure_on_login_keeps_the_login_but_not_the_password(app, accounts):
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"login": accounts["member"]["login"],
                                           "password": accounts["member"]["password"],
                                           "remember": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert accounts["member"]["login"] in page
    assert accounts["member"]["password"] not in page
    assert 'type="password" name="password"' in page
    again = client.post("/login", data={"csrf_token": csrf_from(page), "login": accounts["member"]["login"],
                                        "password": accounts["member"]["password"], "remember": "y"})
    assert again.status_code == 302


def test_form_sent_after_the_session_ended_keeps_its_text_through_signing_in(minutes_app, accounts):
    from sqlalchemy import update

    from core.auth.models import UserSession
    from core.extensions import db

    secretary = Visitor(minutes_app.test_client())
    secretary.login(accounts["secretary"])
    token = csrf_from(secretary.text("/test/minutes"))
    with minutes_app.app_context():  # ended on another device meanwhile
        db.session.execute(update(UserSession).values(revoked_at=UserSession.created_at))
        db.session.commit()
    response = secretary.client.post("/test/minutes", data={"csrf_token": token, "title": "Tiêu đề",
                                                             "minutes": MINUTES})
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "sôi nổi về xây dựng" in page and 'name="password"' in page
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert action.startswith("/login?next=")
    signed_in = secretary.client.post(action, data={
        "csrf_token": csrf_from(page), "login": accounts["secretary"]["login"],
        "password": accounts["secretary"]["password"], "remember": "y",
        "keep:title": "Tiêu đề", "keep:minutes": MINUTES})
    page = signed_in.get_data(as_text=True)
    assert signed_in.status_code == 200 and "sôi nổi về xây dựng" in page
    resend = secretary.client.post("/test/minutes", data={"csrf_token": csrf_from(page), "title": "Tiêu đề",
                                                          "minutes": MINUTES})
    assert resend.get_data(as_text=True) == f"saved:Tiêu đề|{MINUTES}"


def test_token_stays_valid_while_a_member_types_slowly(app, accounts, monkeypatch):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    member = Visitor(app.test_client())
    member.login(accounts["member"])
    token = csrf_from(member.text("/account"))
    time.sleep(1.1)
    # ... and a whole afternoon later.
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + 6 * 3600)
    response = member.client.post("/account/sessions/end", data={"csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example",
                                    "/\t/evil.example", "http:/evil.example", "javascript:alert(1)"])
def test_redirects_stay_on_site(visitor, accounts, target):
    response = visitor.get("/display", query_string={"large": "1", "next": target})
    assert response.headers["Location"] == "/"
    response = visitor.submit("/login", {"login": accounts["member"]["login"],
                                         "password": accounts["member"]["password"]},
                              query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert visitor.get("/login", query_string={"next": target}).headers["Location"] == "/"


def test_redirect_to_a_page_on_site_is_kept(visitor, accounts):
    response = visitor.submit("/login", {"login": accounts["member"]["login"],
                                         "password": accounts["member"]["password"]},
                              query_string={"next": "/account?tab=1"})
    assert response.headers["Location"] == "/account?tab=1"
