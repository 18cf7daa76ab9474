"""A member who forgot the password gets a one-time code from the branch secretary."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.models import ResetRequest, User
from core.extensions import db
from tests.support import Visitor, csrf_from

NEW_PASSWORD = "hoa sen nở sớm"


@pytest.fixture
def member_ids(app, accounts) -> dict:
    with app.app_context():
        return {role: db.session.scalar(select(User.member_id).where(User.login == accounts[role]["login"]))
                for role in ("member", "member_other_branch")}


def ask_for_code(app, account: dict) -> Visitor:
    """The member, signed out, asks for a code on the sign-in page."""
    member = Visitor(app.test_client())
    response = member.submit("/forgot", {"login": account["login"]})
    assert response.status_code == 302
    return member


def request_id_on(page: str, member_name: str) -> int:
    item = next(li for li in page.split("<li>") if member_name in li)
    return int(re.search(r"/members/resets/(\d+)/code", item).group(1))


def code_on(page: str) -> str:
    return re.search(r'<p class="one-time-code"[^>]*>(\d{4} \d{4})</p>', page).group(1)


def give_code(secretary: Visitor, request_id: int) -> str:
    response = secretary.submit(f"/members/resets/{request_id}/code", {}, form_page="/members/resets",
                                follow_redirects=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    return code_on(response.get_data(as_text=True))


def reset_with(member: Visitor, login: str, code: str, password: str = NEW_PASSWORD):
    return member.submit("/reset", {"login": login, "code": code, "password": password,
                                    "confirm": password})


def name_of(app, account: dict) -> str:
    with app.app_context():
        return db.session.scalar(select(User.display_name).where(User.login == account["login"]))


def test_forgotten_password_flow_over_http(app, as_role, accounts):
    account = accounts["member"]
    member = ask_for_code(app, account)
    secretary = as_role("secretary")
    page = secretary.text("/members/resets")
    name = name_of(app, account)
    assert name in page
    code = give_code(secretary, request_id_on(page, name))
    assert name in secretary.last.get_data(as_text=True)
    response = reset_with(member, account["login"], code)
    assert response.status_code == 302
    assert member.get("/").status_code == 200  # signed in with the new password already
    old = Visitor(app.test_client()).submit("/login", {"login": account["login"],
                                                       "password": account["password"]})
    assert old.status_code == 401
    Visitor(app.test_client()).login({**account, "password": NEW_PASSWORD})
    assert name not in secretary.text("/members/resets")


def test_the_code_is_shown_once(app, as_role, accounts):
    ask_for_code(app, accounts["member"])
    secretary = as_role("secretary")
    request_id = request_id_on(secretary.text("/members/resets"), name_of(app, accounts["member"]))
    give_code(secretary, request_id)
    again = secretary.text(f"/members/resets/{request_id}/code")
    assert not re.search(r'class="one-time-code"', again)
    assert "không thể xem lại" in again


def test_the_code_stays_out_of_the_audit_and_the_log(app, as_role, accounts, caplog):
    ask_for_code(app, accounts["member"])
    secretary = as_role("secretary")
    # Alembic's fileConfig (run by the fixture's migrations) disables loggers created before it.
    logging.getLogger("core.sender").disabled = False
    with caplog.at_level(logging.INFO, logger="core.sender"):
        code = give_code(secretary, request_id_on(secretary.text("/members/resets"),
                                                  name_of(app, accounts["member"])))
    assert "would send SMS to 09" in caplog.text
    assert code.replace(" ", "") not in caplog.text
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reset.code_issued")))
        assert len(entries) == 1
        assert code.replace(" ", "") not in repr(entries[0].detail) + str(entries[0].target)


class Outbox:
    """A message sender backend that keeps what it was asked to send."""

    sent: list = []

    def send(self, message) -> bool:
        self.sent.append(message)
        return True


def test_a_configured_sender_gets_the_code_for_the_members_phone(app, as_role, accounts, member_ids):
    app.config["MESSAGE_SENDER"] = "tests.core.test_resets:Outbox"
    Outbox.sent.clear()
    secretary = as_role("secretary")
    response = secretary.submit(f"/members/{member_ids['member']}/code", {},
                                form_page=f"/members/{member_ids['member']}", follow_redirects=True)
    code = code_on(response.get_data(as_text=True))
    [message] = Outbox.sent
    assert code.replace(" ", "") in message.text and message.phone.startswith("09")


def test_secretary_gives_a_code_from_the_member_page(app, as_role, accounts, member_ids):
    secretary = as_role("secretary")
    url = f"/members/{member_ids['member']}/code"
    response = secretary.submit(url, {}, form_page=f"/members/{member_ids['member']}", follow_redirects=True)
    code = code_on(response.get_data(as_text=True))
    member = Visitor(app.test_client())
    assert reset_with(member, accounts["member"]["login"], code).status_code == 302
    assert member.get("/").status_code == 200


def test_a_code_for_the_sibling_branch_cannot_be_given(app, as_role, accounts, member_ids):
    ask_for_code(app, accounts["member_other_branch"])
    secretary = as_role("secretary")
    assert name_of(app, accounts["member_other_branch"]) not in secretary.text("/members/resets")
    with app.app_context():
        request_id = db.session.scalar(select(ResetRequest.id).where(
            ResetRequest.member_id == member_ids["member_other_branch"]))
    assert secretary.submit(f"/members/resets/{request_id}/code", {},
                            form_page="/members/resets").status_code == 404
    assert secretary.get(f"/members/resets/{request_id}/code").status_code == 404
    assert secretary.submit(f"/members/{member_ids['member_other_branch']}/code", {},
                            form_page="/members/resets").status_code == 404
    other_province = as_role("other_province_admin")
    assert other_province.submit(f"/members/resets/{request_id}/code", {},
                                 form_page="/members/resets").status_code == 404


def reset_from(app, address: str, login: str, code: str, password: str = NEW_PASSWORD):
    """Someone at `address` (a new browser) types a code on the reset page."""
    client = app.test_client()
    html = client.get("/reset", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/reset", environ_base={"REMOTE_ADDR": address}, data={
        "csrf_token": csrf_from(html), "login": login, "code": code, "password": password,
        "confirm": password})


def wrong(code: str) -> str:
    return "0000 0000" if code != "0000 0000" else "1111 1111"


def test_a_stranger_cannot_burn_a_members_code(app, as_role, accounts):
    """Wrong codes pause the address they come from, for that code; the code itself lives on
    (before: five wrong codes from anyone expired it)."""
    account = accounts["member"]
    ask_for_code(app, account)
    secretary = as_role("secretary")
    code = give_code(secretary, request_id_on(secretary.text("/members/resets"), name_of(app, account)))
    for n in range(12):
        response = reset_from(app, "203.0.113.66", account["login"], wrong(code))
        assert response.status_code == (400 if n < 5 else 429), n
        text = response.get_data(as_text=True)
        assert ("không đúng hoặc đã hết hạn" if n < 5 else "chờ") in text
    # The stranger's own address stays paused even with the right code ...
    assert reset_from(app, "203.0.113.66", account["login"], code).status_code == 429
    # ... and the member, at home, uses it.
    assert reset_from(app, "198.51.100.4", account["login"], code).status_code == 302


def test_too_many_wrong_codes_in_all_expire_it_and_the_secretary_sees_why(app, as_role, accounts):
    app.config["RESET_CODE_MAX_ATTEMPTS"] = 12  # 30 by default: far above anyone's typing
    account = accounts["member"]
    member = ask_for_code(app, account)
    secretary = as_role("secretary")
    name = name_of(app, account)
    request_id = request_id_on(secretary.text("/members/resets"), name)
    code = give_code(secretary, request_id)
    for n in range(12):  # guessers at four addresses, three tries each
        assert reset_from(app, f"203.0.113.{n // 3}", account["login"], wrong(code)).status_code == 400
    assert reset_with(member, account["login"], code).status_code == 400  # this code is spent
    page = secretary.text("/members/resets")
    assert "nhập sai mã quá nhiều lần" in page
    fresh = give_code(secretary, request_id_on(page, name))
    assert reset_with(member, account["login"], fresh).status_code == 302
    assert member.get("/").status_code == 200


def test_the_code_never_travels_in_the_cookie_and_a_replayed_cookie_shows_nothing(app, as_role, accounts, member_ids):
    secretary = as_role("secretary")
    response = secretary.submit(f"/members/{member_ids['member']}/code", {},
                                form_page=f"/members/{member_ids['member']}")
    assert response.status_code == 302
    cookie = secretary.client.get_cookie("session").value
    carried = app.session_interface.get_signing_serializer(app).loads(cookie)
    shown = secretary.get(response.headers["Location"])
    code = code_on(shown.get_data(as_text=True)).replace(" ", "")
    assert code not in repr(carried)  # the cookie holds a pad, never the code
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    again = replay.get(response.headers["Location"]).get_data(as_text=True)
    assert not re.search(r'class="one-time-code"', again) and code not in again
    with app.app_context():
        assert db.session.get(ResetRequest, int(response.headers["Location"].split("/")[-2])).code_sealed is None


def _forgot_from(app, address: str, login: str):
    client = app.test_client()
    html = client.get("/forgot", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/forgot", environ_base={"REMOTE_ADDR": address},
                       data={"csrf_token": csrf_from(html), "login": login})


def test_forgot_counts_members_and_strangers_the_same(app, accounts):
    """Probing /forgot tells nothing: a member's number and a stranger's count the same against
    the address's limit and get the same answer (before, only strangers' numbers counted)."""
    app.config["FORGOT_ADDRESS_REQUESTS"] = 4
    members = [accounts[role]["login"] for role in ("member", "member_other_branch", "secretary",
                                                    "secretary_other_branch", "member")]
    strangers = [f"0977{n:06d}" for n in range(5)]
    answers = {}
    for address, numbers in (("203.0.113.1", members), ("203.0.113.2", strangers)):
        answers[address] = [(r.status_code, r.headers.get("Location"), "quá nhiều" in r.get_data(as_text=True))
                            for r in (_forgot_from(app, address, n) for n in numbers)]
    assert answers["203.0.113.1"] == answers["203.0.113.2"]
    assert [status for status, _l, _t in answers["203.0.113.1"]] == [302, 302, 302, 302, 429]


def test_forgot_counts_each_number_typed_whoever_it_is(app, accounts):
    for number in (accounts["member"]["login"], "0977000999"):
        statuses = [_forgot_from(app, f"198.51.100.{n}", number).status_code for n in range(4)]
        assert statuses == [302, 302, 302, 429], number


def test_a_ward_meeting_where_everyone_asks_once_is_not_held_back(app, accounts):
    """200 numbers from the hall's one address (members and mistyped ones alike) all go
    through: the old limit stopped the hall at its 100th mistyped number."""
    numbers = [f"0966{n:06d}" for n in range(195)] + [accounts[role]["login"] for role in (
        "member", "member_other_branch", "secretary", "secretary_other_branch", "family_helper")]
    client = app.test_client()
    token = csrf_from(client.get("/forgot").get_data(as_text=True))
    for number in numbers:
        assert client.post("/forgot", data={"csrf_token": token, "login": number}).status_code == 302, number


def _add_member(app, org_of_role: str, accounts, **values) -> int:
    from datetime import date

    from core.org.models import Member, Organisation

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == accounts[org_of_role]["org"]))
        member = Member(org_id=org.id, full_name=values.pop("full_name", "Nguyễn Thị Hoa"), gender="nữ",
                        kind="official", status="active", admission_date=date(1990, 1, 1), **values)
        db.session.add(member)
        db.session.commit()
        return member.id


def test_a_shared_phone_finds_no_one_the_card_number_and_the_issued_code_do(app, as_role, accounts, member_ids):
    """Husband and wife share one phone: asking by the phone opens no request for either (the
    secretary would not know whose); a code given to the wife is redeemed with that phone."""
    with app.app_context():
        from core.org.models import Member

        husband = db.session.get(Member, member_ids["member"])
        shared = husband.phone
    wife = _add_member(app, "secretary", accounts, phone=shared, card_number="99555001")
    assert ask_for_code(app, {"login": shared})
    with app.app_context():
        assert db.session.scalars(select(ResetRequest).where(
            ResetRequest.member_id.in_([wife, member_ids["member"]]))).all() == []
    ask_for_code(app, {"login": "99555001"})
    secretary = as_role("secretary")
    code = give_code(secretary, request_id_on(secretary.text("/members/resets"), "Nguyễn Thị Hoa"))
    member = Visitor(app.test_client())
    assert reset_with(member, shared, code).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.member_id).where(User.login == "99555001")) == wife


def test_a_phone_that_is_another_members_login_never_resolves_to_them(app, as_role, accounts, member_ids):
    """A secretary gives a member of their branch a phone equal to another member's card number
    (their login): the new account gets no such phone, sign-in and /forgot with that number
    still mean the card's owner."""
    victim = accounts["member_other_branch"]
    intruder = _add_member(app, "secretary", accounts, phone=victim["login"], card_number="99555002",
                           full_name="Trần Văn Mạo")
    ask_for_code(app, {"login": "99555002"})
    secretary = as_role("secretary")
    code = give_code(secretary, request_id_on(secretary.text("/members/resets"), "Trần Văn Mạo"))
    assert reset_with(Visitor(app.test_client()), "99555002", code).status_code == 302
    with app.app_context():
        account = db.session.scalar(select(User).where(User.member_id == intruder))
        assert account.login == "99555002" and account.phone is None
    # The intruder's password with the victim's card number: refused; the victim's: the victim.
    assert Visitor(app.test_client()).submit("/login", {"login": victim["login"],
                                                        "password": NEW_PASSWORD}).status_code == 401
    Visitor(app.test_client()).login(victim)
    ask_for_code(app, victim)
    with app.app_context():
        assert db.session.scalars(select(ResetRequest.member_id).where(
            ResetRequest.member_id == intruder, ResetRequest.status == "open")).all() == []
        assert db.session.scalar(select(ResetRequest.id).where(
            ResetRequest.member_id == member_ids["member_other_branch"])) is not None


def test_the_database_refuses_a_name_two_accounts_would_share(app, accounts):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        user.phone = accounts["secretary"]["login"]
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        user.phone = "0987123123"  # a free one is taken, and answers sign-in
        db.session.commit()
    Visitor(app.test_client()).login({**accounts["member"], "login": "0987 123 123"})


def test_a_member_who_left_gets_no_code(app, as_role, accounts, member_ids):
    ask_for_code(app, accounts["member"])
    secretary = as_role("secretary")
    url = f"/members/{member_ids['member']}/status"
    key = re.search(r'name="idempotency_key" value="([^"]+)"', secretary.text(url)).group(1)
    assert secretary.submit(url, {"idempotency_key": key, "action": "removed",
                                  "on_date": "2024-01-01"}).status_code == 302
    assert name_of(app, accounts["member"]) not in secretary.text("/members/resets")
    response = secretary.submit(f"/members/{member_ids['member']}/code", {},
                                form_page="/members/resets", follow_redirects=True)
    assert "Chỉ đảng viên đang sinh hoạt mới được cấp mã" in response.get_data(as_text=True)


def test_member_cannot_open_the_requests_page(as_role):
    assert as_role("member").get("/members/resets").status_code == 404


def test_a_corrected_card_number_that_is_someones_phone_is_refused_with_a_message(app, as_role, accounts, member_ids):
    """The member's login follows a corrected card number; a number that is already another
    account's phone is refused by the database, shown as a message (not a 500), nothing saved."""
    from tests.core.test_members import key_on, new_member

    with app.app_context():
        secretary_user = db.session.scalar(select(User).where(User.login == accounts["secretary"]["login"]))
        secretary_user.phone = "0987000222"
        db.session.commit()
    secretary = as_role("secretary")
    url = f"/members/{member_ids['member']}/edit"
    response = secretary.submit(url, new_member(card_number="0987000222", idempotency_key=key_on(secretary.text(url))))
    assert response.status_code == 400 and "đã có" in response.get_data(as_text=True)
    Visitor(app.test_client()).login(accounts["member"])  # still signs in with the old card
