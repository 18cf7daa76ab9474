"""Administrators and secretaries get a second factor: an authenticator app's code."""
from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select, update

from core.audit import AuditEntry
from core.auth.models import BackupCode, Throttle, User
from core.extensions import db
from core.org.models import utcnow
from tests.support import Visitor

MANAGEMENT = ("/members/", "/admin/orgs", "/", "/account")


def set_up_authenticator(person: Visitor) -> str:
    """Follow the set-up page as a secretary with a phone would; returns the secret."""
    page = person.text("/account/authenticator")
    assert person.last.status_code == 200
    secret = shown_key(page).replace(" ", "")
    wrong = person.submit("/account/authenticator", {"code": wrong_code(secret)})
    assert wrong.status_code == 400 and "không đúng" in wrong.get_data(as_text=True)
    done = person.submit("/account/authenticator", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    person.backup_codes = BACKUP.findall(done.get_data(as_text=True))
    assert len(person.backup_codes) == 10
    return secret


BACKUP = re.compile(r"<li><code>(\d{5} \d{5})</code></li>")


def shown_key(page: str) -> str:
    """The key as the page shows it, in groups of four."""
    return re.search(r'<code class="key">([A-Z2-7 ]{16,})</code>', page).group(1)


def sign_in(app, account) -> Visitor:
    person = Visitor(app.test_client())
    person.login(account)
    return person


def awaiting_code(app, account) -> tuple[Visitor, str]:
    """Staff who set up an authenticator, signed in again: the password is done, the code not."""
    person = sign_in(app, account)
    secret = set_up_authenticator(person)
    person.logout()
    person.login(account)
    return person, secret


def wrong_code(secret: str) -> str:
    return "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"


def test_staff_are_offered_the_second_factor_and_members_are_not(app, accounts):
    secretary = sign_in(app, accounts["secretary"])
    assert "/account/authenticator" in secretary.text("/account")
    member = sign_in(app, accounts["member"])
    assert "/account/authenticator" not in member.text("/account")
    response = member.get("/account/authenticator")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")


def test_with_an_authenticator_sign_in_asks_for_the_code_before_anything_else(app, accounts):
    admin, secret = awaiting_code(app, accounts["grassroots_admin"])
    assert admin.last.headers["Location"].startswith("/login/code")
    for url in MANAGEMENT:
        response = admin.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login/code"), url
    page = admin.text("/login/code")
    assert "Mã đăng nhập" in page or "mã" in page.lower()
    response = admin.submit("/login/code?next=/admin/orgs", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/orgs"
    assert admin.get("/admin/orgs").status_code == 200
    assert admin.get("/members/").status_code == 200


def test_wrong_codes_are_throttled_and_the_pause_ends(app, accounts):
    secretary, secret = awaiting_code(app, accounts["secretary"])
    for _ in range(5):
        assert secretary.submit("/login/code", {"code": wrong_code(secret)}).status_code == 401
    response = secretary.submit("/login/code", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 429 and "thử lại" in response.get_data(as_text=True)
    assert secretary.get("/members/").headers["Location"].startswith("/login/code")
    with app.app_context():
        db.session.execute(update(Throttle).where(Throttle.key.startswith("totp:"))
                           .values(blocked_until=utcnow()))
        db.session.commit()
    assert secretary.submit("/login/code", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert secretary.get("/members/").status_code == 200


def test_turning_it_off_asks_for_the_password_and_everything_is_audited_without_secrets(app, accounts):
    secretary = sign_in(app, accounts["secretary"])
    secret = set_up_authenticator(secretary)
    refused = secretary.submit("/account/authenticator/off", {"current": "không phải mật khẩu"},
                               form_page="/account/authenticator")
    assert refused.status_code == 400
    off = secretary.submit("/account/authenticator/off", {"current": accounts["secretary"]["password"]},
                           form_page="/account/authenticator")
    assert off.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.totp_secret).where(
            User.login == accounts["secretary"]["login"])) is None
        rows = list(db.session.scalars(select(AuditEntry)))
    actions = {row.action for row in rows}
    assert {"second_factor.enabled", "second_factor.disabled", "login"} <= actions
    totp = pyotp.TOTP(secret)
    secrets = [secret, accounts["secretary"]["password"], totp.now(), totp.at(utcnow().timestamp() - 30)]
    for row in rows:
        assert not any(s in f"{row.target} {row.detail}" for s in secrets), row.action


def test_failed_codes_are_audited(app, accounts):
    admin, secret = awaiting_code(app, accounts["district_admin"])
    admin.submit("/login/code", {"code": wrong_code(secret)})
    admin.submit("/login/code", {"code": pyotp.TOTP(secret).now()})
    with app.app_context():
        actions = [row.action for row in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "login.second_factor_failed" in actions and actions[-1] == "login.second_factor"


@pytest.mark.parametrize("role,page", [("secretary", "/members/"), ("grassroots_admin", "/admin/orgs")])
def test_require_sends_staff_to_set_it_up_first(app, accounts, role, page):
    app.config["STAFF_SECOND_FACTOR"] = "require"
    person = sign_in(app, accounts[role])
    for url in (page, "/", "/members/"):
        response = person.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/account/authenticator"), url
    assert "bí thư phải liên kết" in person.text("/account/authenticator")
    set_up_authenticator(person)
    assert person.get(page).status_code == 200


def test_require_leaves_members_alone(app, accounts):
    app.config["STAFF_SECOND_FACTOR"] = "require"
    member = sign_in(app, accounts["member"])
    assert member.get("/").status_code == 200
    assert member.get("/account").status_code == 200


def test_offer_lets_staff_manage_without_it(app, accounts):
    assert app.config.get("STAFF_SECOND_FACTOR", "offer") == "offer"
    secretary = sign_in(app, accounts["secretary"])
    assert secretary.get("/members/").status_code == 200


def test_a_form_sent_while_the_code_is_awaited_keeps_its_text(app, accounts):
    """Signed in again in another tab: the old tab's form goes through the code page."""
    secretary, _secret = awaiting_code(app, accounts["secretary"])
    page = secretary.text("/login/code")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = secretary.client.post("/account", data={"csrf_token": token, "current": "x",
                                                       "password": "mật khẩu mới dài", "confirm": "y"})
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "mật khẩu mới dài" not in body  # secrets are never written back
    assert 'action="/login/code?next=/account"' in body


def test_a_code_is_good_only_once(app, accounts):
    # Someone who saw the secretary type a code cannot reuse it on another phone.
    secretary, secret = awaiting_code(app, accounts["secretary"])
    code = pyotp.TOTP(secret).now()
    assert secretary.submit("/login/code", {"code": code}).status_code == 302
    onlooker = sign_in(app, accounts["secretary"])
    again = onlooker.submit("/login/code", {"code": code})
    assert again.status_code == 401 and "không đúng" in again.get_data(as_text=True)
    assert onlooker.get("/members/").status_code == 302


# --- a lost phone ------------------------------------------------------------------------------

def role_row(app, accounts, role: str) -> int:
    """The id of the role assignment the demo account holds."""
    from core.org.models import RoleAssignment

    with app.app_context():
        return db.session.scalar(select(RoleAssignment.id).join(User, User.id == RoleAssignment.user_id)
                                 .where(User.login == accounts[role]["login"]))


def test_the_level_above_clears_a_lost_authenticator(app, accounts):
    app.config["STAFF_SECOND_FACTOR"] = "require"
    secretary, _secret = awaiting_code(app, accounts["secretary"])  # phone lost here
    admin = sign_in(app, accounts["grassroots_admin"])
    set_up_authenticator(admin)
    ra = role_row(app, accounts, "secretary")
    roles = admin.text("/admin/roles")
    assert f"/admin/roles/{ra}/second-factor" in roles and "Mất điện thoại" in roles
    done = admin.submit(f"/admin/roles/{ra}/second-factor", {}, form_page="/admin/roles")
    assert done.status_code == 302
    assert "Đã xóa ứng dụng xác thực" in admin.text(done.headers["Location"])
    # The half-signed-in session on the lost phone is gone; the password alone now gets in,
    # and (second factor required) straight to setting up the new phone.
    assert secretary.get("/login/code").status_code == 302
    again = sign_in(app, accounts["secretary"])
    assert again.get("/members/").headers["Location"].startswith("/account/authenticator")
    set_up_authenticator(again)
    assert again.get("/members/").status_code == 200
    with app.app_context():
        assert "second_factor.cleared" in {e.action for e in db.session.scalars(select(AuditEntry))}


def test_only_the_level_above_may_clear_it(app, accounts):
    secretary = sign_in(app, accounts["secretary"])
    set_up_authenticator(secretary)
    ra = role_row(app, accounts, "secretary")
    url = f"/admin/roles/{ra}/second-factor"
    # A secretary of the sibling branch and another province's administrator do not see it.
    for role in ("secretary_other_branch", "other_province_admin", "member"):
        person = sign_in(app, accounts[role])
        assert person.submit(url, {}, form_page="/account").status_code in (403, 404), role
    # Nor may anyone clear their own from the roles page (the account page turns it off).
    admin = sign_in(app, accounts["district_admin"])
    set_up_authenticator(admin)
    own = admin.submit(f"/admin/roles/{role_row(app, accounts, 'district_admin')}/second-factor", {},
                       form_page="/admin/roles")
    assert own.status_code == 403
    with app.app_context():
        people = {u.login: u for u in db.session.scalars(select(User))}
        assert people[accounts["secretary"]["login"]].totp_secret
        assert people[accounts["district_admin"]["login"]].totp_secret


# --- setting it up on the phone one holds; backup codes; clock drift; one phone twice ----------

def test_the_set_up_page_opens_the_app_and_groups_the_key(app, accounts):
    secretary = sign_in(app, accounts["secretary"])
    page = secretary.text("/account/authenticator")
    key = shown_key(page)
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", key), key
    link = re.search(r'<a class="button" href="(otpauth://totp/[^"]+)"', page).group(1)
    assert "secret=" + key.replace(" ", "") in link and "issuer=" in link
    assert "Thêm vào ứng dụng xác thực" in page


def test_backup_codes_are_shown_once_and_each_works_once(app, accounts):
    secretary = sign_in(app, accounts["secretary"])
    set_up_authenticator(secretary)
    codes = secretary.backup_codes
    assert len(set(codes)) == 10
    enabled = secretary.text("/account/authenticator")
    assert not any(code in enabled for code in codes)  # never shown again
    assert "Số mã dự phòng còn lại: 10" in enabled
    with app.app_context():
        stored = db.session.scalars(select(BackupCode.code_hash)).all()
        assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
        assert not any(code.replace(" ", "") in h for h in stored for code in codes)
        db.session.remove()
    secretary.logout()
    secretary.login(accounts["secretary"])
    response = secretary.submit("/login/code?next=/members/", {"code": codes[3]})
    assert response.status_code == 302 and response.headers["Location"] == "/members/"
    assert "Số mã dự phòng còn lại: 9" in secretary.text("/members/")
    other = sign_in(app, accounts["secretary"])
    again = other.submit("/login/code", {"code": codes[3]})
    assert again.status_code == 401 and "không đúng" in again.get_data(as_text=True)
    assert other.get("/members/").status_code == 302
    assert other.submit("/login/code", {"code": codes[4].replace(" ", "-")}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "login.backup_code"))
        db.session.remove()


def test_new_backup_codes_ask_for_the_password_and_replace_the_old(app, accounts):
    secretary = sign_in(app, accounts["secretary"])
    set_up_authenticator(secretary)
    old = secretary.backup_codes
    refused = secretary.submit("/account/authenticator/backup-codes", {"current": "wrong"},
                               form_page="/account/authenticator")
    assert refused.status_code == 400 and "không đúng" in refused.get_data(as_text=True)
    made = secretary.submit("/account/authenticator/backup-codes",
                            {"current": accounts["secretary"]["password"]}, form_page="/account/authenticator")
    assert made.status_code == 200
    new = BACKUP.findall(made.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    secretary.logout()
    secretary.login(accounts["secretary"])
    assert secretary.submit("/login/code", {"code": old[0]}).status_code == 401
    assert secretary.submit("/login/code", {"code": new[0]}).status_code == 302


@pytest.mark.parametrize("offset, accepted", [(-30, True), (30, True), (-90, False), (90, False)])
def test_one_step_of_clock_drift_is_tolerated(app, accounts, offset, accepted):
    import time

    admin, secret = awaiting_code(app, accounts["grassroots_admin"])
    code = pyotp.TOTP(secret).at(time.time() + offset)
    response = admin.submit("/login/code", {"code": code})
    assert (response.status_code == 302) is accepted


def test_the_same_phone_signs_in_twice_within_one_step(app, accounts):
    """Signed out and in again within the same 30 seconds: the code on screen still works on
    this phone (its device cookie), and not on another."""
    import time

    secretary, secret = awaiting_code(app, accounts["secretary"])
    if time.time() % 30 > 18:  # leave the step room for two sign-ins
        time.sleep(30.5 - time.time() % 30)
    code = pyotp.TOTP(secret).now()
    assert secretary.submit("/login/code", {"code": code}).status_code == 302
    secretary.logout()
    secretary.login(accounts["secretary"])
    assert secretary.submit("/login/code", {"code": code}).status_code == 302
    assert secretary.get("/members/").status_code == 200
    onlooker = sign_in(app, accounts["secretary"])  # another phone, the same code
    assert onlooker.submit("/login/code", {"code": code}).status_code == 401


def test_staff_home_suggests_the_second_factor_until_it_is_on(app, accounts):
    member = sign_in(app, accounts["member"])
    assert "/account/authenticator" not in member.text("/")
    secretary = sign_in(app, accounts["secretary"])
    home = secretary.text("/")
    assert "Bảo vệ tài khoản bằng xác thực hai lớp" in home and "/account/authenticator" in home
    set_up_authenticator(secretary)
    assert "Bảo vệ tài khoản bằng xác thực hai lớp" not in secretary.text("/")


def test_production_requires_it_of_administrators(app):
    import tomllib
    from pathlib import Path

    production = tomllib.loads((Path(__file__).resolve().parents[2] / "config" / "production.toml").read_text())
    assert production["ADMIN_SECOND_FACTOR"] == "require"
