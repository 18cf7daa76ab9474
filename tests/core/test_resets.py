"""A member who forgot the password gets a one-time code from the branch secretary."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.models import ResetRequest, User
from core.extensions import db
from tests.support import Visitor

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


def test_too_many_wrong_codes_then_a_new_code_works(app, as_role, accounts):
    account = accounts["member"]
    member = ask_for_code(app, account)
    secretary = as_role("secretary")
    name = name_of(app, account)
    request_id = request_id_on(secretary.text("/members/resets"), name)
    code = give_code(secretary, request_id)
    for _ in range(6):
        wrong = reset_with(member, account["login"], "0000 0000" if code != "0000 0000" else "1111 1111")
        assert wrong.status_code == 400
        assert "không đúng hoặc đã hết hạn" in wrong.get_data(as_text=True)
    assert reset_with(member, account["login"], code).status_code == 400  # this request is spent
    page = secretary.text("/members/resets")
    assert "nhập sai mã quá nhiều lần" in page
    fresh = give_code(secretary, request_id_on(page, name))
    assert reset_with(member, account["login"], fresh).status_code == 302
    assert member.get("/").status_code == 200


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
