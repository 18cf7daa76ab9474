"""Signing in and out, sessions that can be revoked, throttling, display choices."""
from __future__ import annotations

from tests.support import Visitor, csrf_from


def test_member_signs_in_and_lands_on_home(visitor, accounts):
    visitor.login(accounts["member"])
    page = visitor.text("/")
    assert visitor.last.status_code == 200
    assert "Đăng xuất" in page  # the footer's sign-out button, in Vietnamese


def test_wrong_password_is_refused_with_a_message(visitor, accounts):
    response = visitor.submit("/login", {"login": accounts["member"]["login"], "password": "nope-nope"})
    assert response.status_code == 401
    assert "mật khẩu" in response.get_data(as_text=True).lower()
    assert visitor.get("/").status_code == 302


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_card_number_with_spaces_still_signs_in(visitor, accounts):
    account = dict(accounts["member"])
    account["login"] = " ".join(account["login"][i:i + 2] for i in range(0, len(account["login"]), 2))
    visitor.login(account)
    assert visitor.get("/").status_code == 200


def test_card_number_typed_in_full_width_digits_still_signs_in(visitor, accounts):
    """Some phone keyboards type full-width (４６…) or Arabic-Indic (٤٦…) digits."""
    account = dict(accounts["member"])
    account["login"] = account["login"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    visitor.login(account)
    assert visitor.get("/").status_code == 200


def test_remember_me_keeps_a_long_cookie(visitor, accounts):
    response = visitor.login(accounts["member"], remember=True)
    cookie = response.headers.get("Set-Cookie", "")
    assert "Expires=" in cookie


def test_logout_revokes_the_session_on_the_server(app, accounts):
    person = Visitor(app.test_client())
    person.login(accounts["member"])
    stolen_cookie = person.client.get_cookie("session").value
    person.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen_cookie)
    response = thief.get("/")
    assert response.status_code == 302
    # The dead cookie is dropped, so the browser stops sending it.
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))


def test_password_change_ends_other_sessions(app, accounts):
    phone, laptop = Visitor(app.test_client()), Visitor(app.test_client())
    phone.login(accounts["member"])
    laptop.login(accounts["member"])
    response = phone.submit("/account", {"current": accounts["member"]["password"],
                                         "password": "một câu dài dễ nhớ", "confirm": "một câu dài dễ nhớ"})
    assert response.status_code == 302
    assert phone.get("/").status_code == 200
    assert laptop.get("/").status_code == 302


def test_brute_force_on_one_account_is_paused(visitor, accounts):
    for _ in range(5):
        visitor.submit("/login", {"login": accounts["member"]["login"], "password": "wrong-guess"})
    response = visitor.submit("/login", {"login": accounts["member"]["login"],
                                         "password": accounts["member"]["password"]})
    assert response.status_code == 429
    assert "thử lại" in response.get_data(as_text=True)


def test_many_members_from_one_address_all_get_in(app, accounts):
    # A ward meeting: everyone behind one address; a few typos must not lock the others out.
    for role in ("member", "member_other_branch", "secretary", "secretary_other_branch"):
        person = Visitor(app.test_client())
        person.submit("/login", {"login": accounts[role]["login"], "password": "typo"})
        person.login(accounts[role])


def test_large_text_and_contrast_without_javascript(visitor, accounts):
    visitor.login(accounts["member"])
    visitor.get("/display?large=1&next=/")
    assert 'class="large"' in visitor.text("/")
    visitor.get("/display?contrast=1&next=/")
    assert "contrast" in visitor.text("/")


def test_display_switch_does_not_redirect_off_site(client):
    response = client.get("/display?large=1&next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["checks"]["database"] == "ok"


# --- Sessions end on the server: logout, password change, disabled account, expiry ---------

def _session_rows(app, login):
    from sqlalchemy import select

    from core.auth.models import User, UserSession
    from core.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        return user.id, list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)))


def _update(app, model, values, *where):
    from sqlalchemy import update

    from core.extensions import db

    with app.app_context():
        db.session.execute(update(model).where(*where).values(**values))
        db.session.commit()


def test_disabling_the_account_ends_its_sessions_at_once(app, accounts):
    from core.auth.models import User

    member = Visitor(app.test_client())
    member.login(accounts["member"])
    assert member.get("/").status_code == 200
    _update(app, User, {"is_enabled": False}, User.login == accounts["member"]["login"])
    response = member.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # ... and it cannot sign in again, with the same message as a wrong password.
    response = member.submit("/login", {"login": accounts["member"]["login"],
                                        "password": accounts["member"]["password"]})
    assert response.status_code == 401
    assert "Sai số thẻ" in response.get_data(as_text=True) or "mật khẩu" in response.get_data(as_text=True)


def test_an_expired_session_is_refused(app, accounts):
    from datetime import timedelta

    from core.auth.models import UserSession
    from core.org.models import utcnow

    member = Visitor(app.test_client())
    member.login(accounts["member"])
    user_id, _rows = _session_rows(app, accounts["member"]["login"])
    _update(app, UserSession, {"expires_at": utcnow() - timedelta(minutes=1)}, UserSession.user_id == user_id)
    assert member.get("/").status_code == 302


def test_without_remember_me_the_session_ends_with_the_browser_and_when_idle(app, accounts):
    from core.org.models import utcnow

    member = Visitor(app.test_client())
    response = member.login(accounts["member"], remember=False)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" not in cookie and "Max-Age" not in cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    _user_id, rows = _session_rows(app, accounts["member"]["login"])
    left = rows[-1].expires_at - utcnow()
    assert not rows[-1].remember and left.total_seconds() <= app.config["SESSION_IDLE_HOURS"] * 3600
    assert left.total_seconds() > 3600


def test_remember_me_lasts_weeks_on_server_and_cookie(app, accounts):
    from core.org.models import utcnow

    member = Visitor(app.test_client())
    member.login(accounts["member"], remember=True)
    _user_id, rows = _session_rows(app, accounts["member"]["login"])
    assert (rows[-1].expires_at - utcnow()).days >= app.config["REMEMBER_DAYS"] - 1
    assert app.permanent_session_lifetime.days == app.config["REMEMBER_DAYS"]


# --- Brute force: an account is paused, a ward meeting behind one address is not ------------

def _create_members(app, count: int, password: str) -> list[str]:
    from sqlalchemy import func, insert, select

    from core.auth.accounts import add_bulk_names
    from core.auth.models import User
    from core.auth.passwords import hash_password
    from core.extensions import db

    hashed = hash_password(password)
    logins = [f"WARD{n:05d}" for n in range(count)]
    with app.app_context():
        before = db.session.scalar(select(func.max(User.id)))
        db.session.execute(insert(User), [{"login": login, "display_name": f"Đảng viên {n}",
                                           "password_hash": hashed, "is_enabled": True}
                                          for n, login in enumerate(logins)])
        add_bulk_names(before)
        db.session.commit()
    return logins


def test_ward_meeting_of_200_behind_one_address_all_get_in_while_a_guessed_account_pauses(app, accounts):
    """200 members behind the hall's one address, each mistyping once (200 failures from one
    address: the old rule paused the address at 100 and shut out the second half of the hall)."""
    logins = _create_members(app, 200, "mật khẩu chung của buổi họp")
    guesser = Visitor(app.test_client())
    for _ in range(5):
        assert guesser.submit("/login", {"login": accounts["member"]["login"],
                                         "password": "đoán-sai"}).status_code == 401
    refused = guesser.submit("/login", {"login": accounts["member"]["login"],
                                        "password": accounts["member"]["password"]})
    assert refused.status_code == 429 and "thử lại" in refused.get_data(as_text=True)
    # Each phone opened the sign-in page (the same anonymous session stands in for all of them).
    opener = app.test_client()
    token = csrf_from(opener.get("/login").get_data(as_text=True))
    anonymous = opener.get_cookie("session").value
    for n, login in enumerate(logins):
        member = app.test_client()
        member.set_cookie("session", anonymous)
        assert member.post("/login", data={"csrf_token": token, "login": login,
                                           "password": "gõ nhầm"}).status_code == 401
        response = member.post("/login", data={"csrf_token": token, "login": login,
                                               "password": "mật khẩu chung của buổi họp"})
        assert response.status_code == 302, (n, response.status_code)
        assert response.headers["Location"] == "/"


def _rows(app, prefix: str):
    from sqlalchemy import select

    from core.auth.models import Throttle
    from core.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(Throttle).where(Throttle.key.startswith(prefix))))


def test_the_pause_always_ends_and_never_grows_past_an_hour(app, accounts):
    from core.auth.models import Throttle
    from core.org.models import utcnow

    login = accounts["member"]["login"]
    guesser = Visitor(app.test_client())
    for _round in range(8):
        for _ in range(5):
            guesser.submit("/login", {"login": login, "password": "đoán-sai"})
        assert guesser.submit("/login", {"login": login, "password": "x-x-x-x"}).status_code == 429
        pairs, wide = _rows(app, "pair:"), _rows(app, "acct:")
        assert len(pairs) == 1 and len(wide) == 1
        assert login not in pairs[0].key + wide[0].key  # the typed login is not stored
        assert (pairs[0].blocked_until - utcnow()).total_seconds() <= 3600
        if wide[0].blocked_until:  # the account-wide pause stays short: a stranger's doing
            assert (wide[0].blocked_until - utcnow()).total_seconds() <= 900
        # Time passes: the pauses are over.
        _update(app, Throttle, {"blocked_until": utcnow()}, Throttle.blocked_until.is_not(None))
    Visitor(app.test_client()).login(accounts["member"])


def proxied_app(app, **extra):
    """The same database served behind one trusted proxy (PROXY_FIX = 1)."""
    from pathlib import Path

    from tests.conftest import _new_app

    return _new_app(app.config["SQLALCHEMY_DATABASE_URI"], Path(app.instance_path), PROXY_FIX=1, **extra)


def _post_login(client, login: str, password: str, address: str, **kwargs):
    token = csrf_from(client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def test_a_stranger_guessing_never_keeps_a_member_out_of_their_own_phone(app, accounts):
    """Guesses from many addresses pause the account for browsers that never signed in to it;
    the member's phone, which did (its device cookie), signs in all the same."""
    member = accounts["member"]
    phone = Visitor(app.test_client())
    phone.login(member)
    assert phone.client.get_cookie("device", path="/login") is not None
    phone.logout()
    for n in range(30):  # a botnet: six addresses, five guesses each
        stranger = app.test_client()
        assert _post_login(stranger, member["login"], "đoán-sai", f"203.0.113.{n // 5}").status_code in (401, 429)
    assert _post_login(app.test_client(), member["login"], member["password"], "198.51.100.1").status_code == 429
    response = _post_login(phone.client, member["login"], member["password"], "198.51.100.1")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_a_device_is_slowed_by_its_own_failures_only(app, accounts):
    member = accounts["member"]
    phone = Visitor(app.test_client())
    phone.login(member)
    phone.logout()
    for _ in range(5):
        assert _post_login(phone.client, member["login"], "gõ nhầm", "198.51.100.1").status_code == 401
    assert _post_login(phone.client, member["login"], member["password"], "198.51.100.1").status_code == 429
    # Its failures held no one else back: another phone at another address signs in.
    assert _post_login(app.test_client(), member["login"], member["password"], "198.51.100.2").status_code == 302


def test_a_forged_device_cookie_is_worth_nothing(app, accounts):
    member = accounts["member"]
    for n in range(5):
        _post_login(app.test_client(), member["login"], "đoán-sai", "203.0.113.9")
    forger = app.test_client()
    forger.set_cookie("device", "eyJuIjoieCIsImEiOlsxLDIsM119.forged.sig", path="/login")
    assert _post_login(forger, member["login"], member["password"], "203.0.113.9").status_code == 429


def _give_phone(app, login: str, phone: str) -> None:
    from sqlalchemy import select

    from core.auth.models import User
    from core.extensions import db

    with app.app_context():
        db.session.scalar(select(User).where(User.login == login)).phone = phone
        db.session.commit()


def test_card_number_and_phone_of_one_member_share_one_counter(app, accounts):
    """Typing the card number and the phone by turns gives 5 guesses, not 5 of each."""
    member = accounts["member"]
    _give_phone(app, member["login"], "0987000111")
    guesser = app.test_client()
    for n in range(5):
        typed = member["login"] if n % 2 else "0987 000 111"
        assert _post_login(guesser, typed, "đoán-sai", "203.0.113.5").status_code == 401
    assert _post_login(guesser, "0987000111", member["password"], "203.0.113.5").status_code == 429
    assert _post_login(guesser, member["login"], member["password"], "203.0.113.5").status_code == 429


def _forwarded_login(app, login: str, password: str, forwarded: str):
    """A sign-in arriving through a proxy that says the client's address is `forwarded`."""
    client, headers = app.test_client(), {"X-Forwarded-For": forwarded}
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    return client.post("/login", headers=headers, data={"csrf_token": token, "login": login, "password": password})


def test_behind_the_proxy_each_member_has_their_own_address(app, accounts):
    """PROXY_FIX = 1 (config/production.toml): X-Forwarded-For from the one trusted proxy is the
    member's address; a guesser elsewhere in the province holds nobody else back."""
    proxied = proxied_app(app)
    member = accounts["member"]

    def attempt(password, forwarded):
        return _forwarded_login(proxied, member["login"], password, forwarded)

    for _ in range(5):
        assert attempt("đoán-sai", "203.0.113.7").status_code == 401
    assert attempt(member["password"], "203.0.113.7").status_code == 429
    assert attempt(member["password"], "198.51.100.20").status_code == 302
    with proxied.app_context():
        from sqlalchemy import select

        from core.audit import AuditEntry
        from core.extensions import db

        addresses = set(db.session.scalars(select(AuditEntry.address).where(AuditEntry.action.like("login%"))))
        db.session.remove()
        db.engine.dispose()
    assert {"203.0.113.7", "198.51.100.20"} <= addresses


def test_without_a_configured_proxy_x_forwarded_for_is_ignored(app, accounts):
    """PROXY_FIX = 0 (the default): a guesser cannot dodge a pause by claiming another address."""
    member = accounts["member"]

    def attempt(password, forwarded):
        return _forwarded_login(app, member["login"], password, forwarded)

    for n in range(5):
        assert attempt("đoán-sai", f"198.51.100.{n}").status_code == 401
    assert attempt(member["password"], "198.51.100.99").status_code == 429


def test_unknown_logins_cost_a_password_check_too(app, accounts, monkeypatch):
    from core.auth import passwords

    checked = []

    class Spy:
        def verify(self, stored, password):
            checked.append(stored)
            return real.verify(stored, password)

    real = passwords.hasher
    monkeypatch.setattr(passwords, "hasher", Spy())
    visitor = Visitor(app.test_client())
    assert visitor.submit("/login", {"login": "099999999999", "password": "whatever"}).status_code == 401
    assert checked == [passwords._DUMMY]
    checked.clear()
    visitor.submit("/login", {"login": accounts["member"]["login"], "password": "whatever"})
    assert len(checked) == 1 and checked[0] != passwords._DUMMY


# --- Resets, retries and the audit log ---------------------------------------------------

def _issue_code(app, role_login: str, secretary_login: str) -> str:
    from sqlalchemy import select

    from core.auth.accounts import find_member, issue_code, open_request
    from core.auth.models import User
    from core.extensions import db

    with app.app_context(), app.test_request_context():
        secretary = db.session.scalar(select(User).where(User.login == secretary_login))
        code = issue_code(open_request(find_member(role_login)), secretary.id)
        db.session.commit()
        return code


def test_reset_with_a_code_retried_over_a_flaky_connection(app, accounts):
    code = _issue_code(app, accounts["member"]["login"], accounts["secretary"]["login"])
    data = {"login": accounts["member"]["login"], "code": code, "password": "mật khẩu mới dài",
            "confirm": "mật khẩu mới dài"}
    first = Visitor(app.test_client()).submit("/reset", data)
    assert first.status_code == 302
    retry = Visitor(app.test_client()).submit("/reset", data)  # the first answer was lost
    assert retry.status_code == 302
    other = Visitor(app.test_client()).submit("/reset", {**data, "password": "kẻ khác đoán", "confirm": "kẻ khác đoán"})
    assert other.status_code == 400


def test_password_change_retried_is_not_an_error(visitor, accounts):
    visitor.login(accounts["member"])
    data = {"current": accounts["member"]["password"], "password": "một câu dài dễ nhớ",
            "confirm": "một câu dài dễ nhớ"}
    assert visitor.submit("/account", data).status_code == 302
    assert visitor.submit("/account", data).status_code == 302
    wrong = visitor.submit("/account", {**data, "current": "sai-sai-sai", "password": "khác hẳn nữa"
                                        , "confirm": "khác hẳn nữa"})
    assert wrong.status_code == 400


def test_audit_records_sign_ins_refusals_resets_without_secrets(app, accounts):
    from sqlalchemy import select

    from core.audit import AuditEntry
    from core.auth.models import UserSession
    from core.extensions import db
    from core.org.models import Member

    member = Visitor(app.test_client())
    member.submit("/login", {"login": accounts["member"]["login"], "password": "sai-mật-khẩu-1"})
    # A member typing the password into the login box by mistake.
    member.submit("/login", {"login": accounts["member"]["password"], "password": "x"})
    member.login(accounts["member"])
    new_password = "mật khẩu mới của tôi"
    member.submit("/account", {"current": accounts["member"]["password"], "password": new_password,
                               "confirm": new_password})
    code = _issue_code(app, accounts["member"]["login"], accounts["secretary"]["login"])
    reset_password = "lại một mật khẩu khác"
    Visitor(app.test_client()).submit("/reset", {"login": accounts["member"]["login"], "code": "00000000",
                                                 "password": reset_password, "confirm": reset_password})
    Visitor(app.test_client()).submit("/reset", {"login": accounts["member"]["login"], "code": code,
                                                 "password": reset_password, "confirm": reset_password})
    secretary = Visitor(app.test_client())
    secretary.login(accounts["secretary"])
    with app.app_context():
        other_member = db.session.scalar(select(Member.id).where(
            Member.org_id == db.session.scalar(select(Member.org_id).where(
                Member.card_number == accounts["member_other_branch"]["login"]))))
    response = secretary.get(f"/members/{other_member}")
    assert response.status_code == 404
    assert "không tồn tại" in response.get_data(as_text=True)
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        tokens = list(db.session.scalars(select(UserSession.token)))
    actions = [row.action for row in rows]
    for action in ("login.failed", "login", "password.changed", "password.reset_failed", "password.reset",
                   "access.refused"):
        assert action in actions, action
    assert any(row.action == "access.refused" and str(other_member) in (row.target or "") for row in rows)
    secrets = [accounts["member"]["password"], new_password, reset_password, code, *tokens]
    for row in rows:
        text = f"{row.target} {row.detail}"
        for secret in secrets:
            assert secret not in text, (row.action, text)
