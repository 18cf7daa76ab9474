"""A page on another site posts a forged form to the handbook (the security review's attack: a
province administrator, signed in, made an attacker province administrator with a re-login and
one click). In Chromium: the victim never gets a one-click resend, and nothing changes. And a
real form whose token went stale (signed in again in another tab) is shown for review and sent
only once the box is ticked, with JavaScript on and off."""
from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.steps import at, sign_in

FOREIGN = "Không phải gửi từ Sổ tay"
REVIEWED = "Tôi đã xem lại và muốn gửi"


@pytest.fixture
def attacker_site():
    """A second local web server; `serve(html)` sets the page it answers with."""
    page = {"body": b""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page["body"])

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(body: str) -> int:
        page["body"] = body.encode("utf-8")
        return server.server_port

    yield serve
    server.shutdown()
    server.server_close()


def _province(app, accounts) -> int:
    from core.extensions import db
    from core.org.models import Organisation

    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(
            Organisation.name == accounts["province_admin"]["org"]))
        db.session.remove()
    return org_id


def _roles_of(app, login: str) -> list[str]:
    from core.auth.models import User
    from core.extensions import db
    from core.org.models import RoleAssignment

    with app.app_context():
        roles = list(db.session.scalars(select(RoleAssignment.role).join(
            User, User.id == RoleAssignment.user_id).where(User.login == login)))
        db.session.remove()
    return roles


def _forged_page(action: str, fields: dict) -> str:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return (f'<!doctype html><html lang="vi"><title>Ảnh đẹp quê hương</title><body>'
            f'<form method="post" action="{html.escape(action)}">{inputs}'
            f'<button type="submit">Xem ảnh</button></form>'
            f'<script>document.forms[0].submit()</script></body></html>')


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"], ids=["cross-site", "same-site-other-port"])
def test_a_forged_post_from_another_site_offers_no_resend_and_changes_nothing(
        open_page, js, app, accounts, live_server, attacker_site, host):
    """From "localhost" the session cookie stays behind (cross-site: SameSite=Lax), so the old
    page asked to sign in again and then resent the forged grant on one click; from another port
    of 127.0.0.1 it goes along (same site), and the old page offered "Gửi lại" at once."""
    victim = open_page(js=js)
    sign_in(victim, accounts["province_admin"])
    attacker = accounts["member_other_branch"]["login"]
    port = attacker_site(_forged_page(f"{live_server}/admin/roles/new", {
        "org_id": str(_province(app, accounts)), "login": attacker, "role": "admin",
        "idempotency_key": "a" * 32}))
    victim.goto(f"http://{host}:{port}/")
    if not js:  # without JavaScript the page needs the victim's click on its bait
        victim.get_by_role("button", name="Xem ảnh").click()
    victim.wait_for_url(at("/admin/roles/new"))
    expect(victim.get_by_role("heading", level=1)).to_have_text(FOREIGN)
    expect(victim.get_by_text("không có gì được lưu")).to_be_visible()
    expect(victim.get_by_role("button", name="Gửi lại")).to_have_count(0)
    expect(victim.get_by_role("button", name="Đăng nhập")).to_have_count(0)
    expect(victim.locator("input[name^='keep:'], input[name='role'], input[name='login']")).to_have_count(0)
    assert attacker not in victim.content()
    assert _roles_of(app, attacker) == []
    # The victim's own session is untouched and the handbook works on.
    victim.goto("/")
    expect(victim.get_by_role("button", name="Đăng xuất", exact=True)).to_be_visible()
    assert _roles_of(app, attacker) == []


def test_a_stale_form_of_our_own_is_reviewed_and_sent_only_once_the_box_is_ticked(open_page, js, app, accounts):
    admin = open_page(js=js)
    sign_in(admin, accounts["province_admin"])
    appointee = accounts["member_other_branch"]["login"]
    admin.goto(f"/admin/roles/new?org={_province(app, accounts)}")
    admin.get_by_label("Số thẻ đảng viên hoặc số điện thoại của người được giao").fill(appointee)
    admin.get_by_label("Vai trò").select_option("admin")
    # Meanwhile the admin signs out and in again in another tab: this form's token is stale.
    other = admin.context.new_page()
    other.goto("/account")
    other.get_by_role("button", name="Đăng xuất", exact=True).click()
    other.wait_for_url(at("/login"))
    sign_in(other, accounts["province_admin"])
    admin.get_by_role("button", name="Giao quyền").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Xem lại rồi gửi")
    # Every value is on view: the typed one editable, the choice as text.
    expect(admin.locator("input[type=text]").first).to_have_value(appointee)
    expect(admin.locator("dd", has_text="Quản trị viên (admin)")).to_be_visible()
    send = admin.get_by_role("button", name="Gửi lại")
    send.click()  # one click, box unticked: the browser keeps the page, nothing goes out
    expect(admin.get_by_role("heading", level=1)).to_have_text("Xem lại rồi gửi")
    assert _roles_of(app, appointee) == []
    admin.get_by_label(REVIEWED).check()
    send.click()
    admin.wait_for_url(at("/admin/roles"))
    assert _roles_of(app, appointee) == ["admin"]
