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
    minutes = TextAreaField("Minutes as typed")  # in no catalog: shown as written


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
    assert "Minutes as typed" in page  # the field's own label, not its raw name only
    assert "Tôi đã xem lại và muốn gửi" in page
    resend = {"csrf_token": csrf_from(page), "title": "Biên bản họp chi bộ", "minutes": MINUTES,
              "_kept": "1", "_reviewed": "1"}
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
    assert 'name="_reviewed"' in page  # signed in: reviewed once more, never sent at once
    resend = secretary.client.post("/test/minutes", data={"csrf_token": csrf_from(page), "title": "Tiêu đề",
                                                          "minutes": MINUTES, "_kept": "1", "_reviewed": "1"})
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


# --- A failed post is never sent again on one click ---------------------------------------------

FOREIGN = "Không phải gửi từ Sổ tay"
REVIEWED = "Tôi đã xem lại và muốn gửi"


def _grant_data(app, accounts) -> dict:
    """The forged post of the security review: make another member administrator of the province."""
    from sqlalchemy import select

    from core.extensions import db
    from core.org.models import Organisation

    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(
            Organisation.name == accounts["province_admin"]["org"]))
    return {"org_id": str(org_id), "login": accounts["member_other_branch"]["login"], "role": "admin",
            "idempotency_key": "f" * 32}


def _roles_of(app, login: str) -> list[str]:
    from sqlalchemy import select

    from core.auth.models import User
    from core.extensions import db
    from core.org.models import RoleAssignment

    with app.app_context():
        return list(db.session.scalars(select(RoleAssignment.role).join(User, User.id == RoleAssignment.user_id)
                                       .where(User.login == login)))


def _offers_nothing(page: str, forged: dict) -> None:
    assert FOREIGN in page
    assert forged["login"] not in page and 'name="keep:' not in page and 'name="role"' not in page
    assert "Gửi lại" not in page and 'name="password"' not in page


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"},
                                     {"Referer": "http://evil.example/trang.html"}, {"Origin": "null"}],
                         ids=["origin", "referer", "null-origin"])
def test_a_post_forged_by_another_site_keeps_nothing_and_offers_nothing(app, accounts, headers):
    """Signed in (a same-site page: the cookie goes along) or not (cross-site: it does not, and
    the old page asked to sign in again, then resent the grant on one click)."""
    admin = Visitor(app.test_client())
    admin.login(accounts["province_admin"])
    forged = _grant_data(app, accounts)
    for client in (admin.client, app.test_client()):
        response = client.post("/admin/roles/new", data=forged, headers=headers)
        assert response.status_code == 400
        _offers_nothing(response.get_data(as_text=True), forged)
        assert_secure(response)
    assert _roles_of(app, forged["login"]) == []


def test_a_failed_post_from_our_own_page_shows_every_value_and_needs_the_box_ticked(app, accounts):
    admin = Visitor(app.test_client())
    admin.login(accounts["province_admin"])
    forged = _grant_data(app, accounts)
    response = admin.client.post("/admin/roles/new", data={**forged, "csrf_token": "stale"},
                                 headers={"Origin": "http://localhost"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and REVIEWED in page
    # Every value on view: the typed one editable, the hidden and chosen ones as text.
    assert f'value="{forged["login"]}"' in page
    assert "<dd class=\"text\">Quản trị viên (admin)</dd>" in page and f"<dd class=\"text\">{forged['org_id']}</dd>" in page
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1)
    one_click = admin.client.post(action, data={"csrf_token": csrf_from(page), **forged, "_kept": "1"})
    assert one_click.status_code == 400 and "đánh dấu" in one_click.get_data(as_text=True)
    assert _roles_of(app, forged["login"]) == []
    confirmed = admin.client.post(action, data={"csrf_token": csrf_from(page), **forged, "_kept": "1",
                                                "_reviewed": "1"})
    assert confirmed.status_code == 302 and _roles_of(app, forged["login"]) == ["admin"]


def test_values_carried_through_a_sign_in_are_shown_and_reviewed_again(app, accounts):
    forged = _grant_data(app, accounts)
    signed_out = app.test_client()
    signed_out.get("/login")
    page = signed_out.post("/admin/roles/new", data=forged).get_data(as_text=True)
    assert 'name="password"' in page
    assert "<dd class=\"text\">Quản trị viên (admin)</dd>" in page and f"<dd class=\"text\">{forged['login']}</dd>" in page
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1).replace("&amp;", "&")
    kept = {f"keep:{k}": v for k, v in forged.items()}
    signed_in = signed_out.post(action, data={"csrf_token": csrf_from(page), "remember": "y", **kept,
                                              "login": accounts["province_admin"]["login"],
                                              "password": accounts["province_admin"]["password"]})
    review = signed_in.get_data(as_text=True)
    assert signed_in.status_code == 200 and REVIEWED in review and "<dd" in review
    assert _roles_of(app, forged["login"]) == []  # signing in sent nothing
    one_click = signed_out.post("/admin/roles/new", data={"csrf_token": csrf_from(review), **forged, "_kept": "1"})
    assert one_click.status_code == 400 and _roles_of(app, forged["login"]) == []


def test_values_carried_through_the_second_factor_are_shown_and_reviewed_again(minutes_app, accounts):
    import pyotp

    from tests.core.test_second_factor import awaiting_code

    person, secret = awaiting_code(minutes_app, accounts["grassroots_admin"])
    token = csrf_from(person.text("/login/code"))
    page = person.client.post("/test/minutes", data={"csrf_token": token, "title": "Tiêu đề kín",
                                                      "minutes": "Nội dung"}).get_data(as_text=True)
    assert '<dd class="text">Tiêu đề kín</dd>' in page and 'name="keep:title"' in page
    done = person.client.post("/login/code", data={"csrf_token": csrf_from(page), "code": pyotp.TOTP(secret).now(),
                                                  "keep:title": "Tiêu đề kín", "keep:minutes": "Nội dung"})
    review = done.get_data(as_text=True)
    assert done.status_code == 200 and REVIEWED in review and "saved:" not in review


def test_a_review_post_with_its_box_unticked_never_reaches_the_view(minutes_app, accounts):
    secretary = Visitor(minutes_app.test_client())
    secretary.login(accounts["secretary"])
    token = csrf_from(secretary.text("/test/minutes"))
    response = secretary.client.post("/test/minutes", data={"csrf_token": token, "title": "T", "minutes": "M",
                                                            "_kept": "1"})
    assert response.status_code == 400 and "saved:" not in response.get_data(as_text=True)


# --- Cookies: never on a response a shared cache keeps; Secure over TLS ------------------------

def _due_for_renewal(app, login: str) -> None:
    from datetime import timedelta

    from sqlalchemy import select, update

    from core.auth.models import User, UserSession
    from core.extensions import db
    from core.org.models import utcnow

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.login == login))
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id)
                           .values(last_seen_at=utcnow() - timedelta(hours=1)))
        db.session.commit()


def test_files_and_the_manifest_never_carry_the_session_cookie_even_when_it_is_renewed(app, accounts):
    member = Visitor(app.test_client())
    member.login(accounts["member"])
    public = [*asset_urls(member.text("/")), "/manifest.webmanifest"]
    for url in public:
        _due_for_renewal(app, accounts["member"]["login"])
        response = member.get(url)
        assert "public" in response.headers["Cache-Control"], url
        assert response.headers.getlist("Set-Cookie") == [], url
    # The next private page renews it instead.
    _due_for_renewal(app, accounts["member"]["login"])
    assert session_cookie_set(member.get("/account"))


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\n/evil.example", "//evil.example/",
                                    "/\\evil.example", "https://evil.example/", "/c/1\n", "/\r\nSet-Cookie: x=1"])
def test_the_bookmark_button_goes_back_only_to_a_page_of_this_site(app, accounts, demo_content, target):
    from sqlalchemy import select

    from core.content.library import visible_to
    from core.content.models import ContentItem
    from core.extensions import db

    member = Visitor(app.test_client())
    member.login(accounts["member"])
    with app.app_context():
        from core.auth.accounts import find_user

        item_id = db.session.scalar(visible_to(find_user(accounts["member"]["login"]))
                                    .with_only_columns(ContentItem.id).limit(1))
    response = member.submit(f"/bookmarks/{item_id}", {"saved": "1", "next": target}, form_page="/account")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/c/{item_id}"


def test_a_next_with_a_trailing_newline_is_not_followed(visitor, accounts):
    response = visitor.submit("/login", {"login": accounts["member"]["login"],
                                         "password": accounts["member"]["password"]},
                              query_string={"next": "/account\n"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def _secure_cookies(response) -> dict[str, bool]:
    return {c.split("=", 1)[0]: "; Secure" in c for c in response.headers.getlist("Set-Cookie")}


def test_over_tls_cookies_are_secure_and_hsts_is_sent(app, accounts):
    client = app.test_client()
    html = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    # (Over TLS Flask-WTF also wants the page's own Referer, which browsers send: Referrer-Policy same-origin.)
    response = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"}, data={
        "csrf_token": csrf_from(html), "login": accounts["member"]["login"],
        "password": accounts["member"]["password"], "remember": "y"})
    assert response.status_code == 302
    assert _secure_cookies(response) == {"session": True, "device": True}
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers and _secure_cookies(plain) == {"session": False}


def test_behind_the_trusted_proxy_tls_is_seen_and_without_it_the_header_is_ignored(app, accounts):
    from tests.core.test_auth import proxied_app

    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}
    ignored = app.test_client().get("/login", headers=forwarded)
    assert "Strict-Transport-Security" not in ignored.headers and _secure_cookies(ignored) == {"session": False}
    proxied = proxied_app(app)
    try:
        response = proxied.test_client().get("/login", headers=forwarded)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert _secure_cookies(response) == {"session": True}
    finally:
        from core.extensions import db

        with proxied.app_context():
            db.engine.dispose()


def test_the_production_config_trusts_one_proxy_secures_cookies_and_requires_the_admins_factor(app, accounts):
    from pathlib import Path

    from core.extensions import db
    from tests.conftest import _new_app

    production = _new_app(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path),
                          SOTAY_CONFIG="config/production.toml")
    try:
        assert production.config["PROXY_FIX"] == 1 and production.config["SESSION_COOKIE_SECURE"] is True
        secure = _secure_cookies(production.test_client().get("/login"))
        assert secure == {"session": True}  # even over plain HTTP (the proxy speaks TLS)
        for role, required in (("province_admin", True), ("secretary", False)):
            person = Visitor(production.test_client())
            person.login(accounts[role])
            response = person.get("/members/")
            sent_to_set_up = response.status_code == 302 and "/account/authenticator" in response.headers["Location"]
            assert sent_to_set_up == required, role
    finally:
        with production.app_context():
            db.engine.dispose()
