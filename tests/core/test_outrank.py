"""No one takes over an account that outranks them: codes, status, card number, roles, second
factor (security findings 1 and 2), and the operator's path for a province administrator."""
from __future__ import annotations

import html
import re
from datetime import date

import pyotp
import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.models import ResetRequest, User, UserSession
from core.extensions import db
from core.org.models import Member, Organisation, RoleAssignment
from tests.core.test_second_factor import set_up_authenticator
from tests.support import Visitor, local_today

REFUSAL = "Tài khoản này giữ chức vụ ngang hoặc trên cấp của đồng chí"
ADMIN_CARD = "46999001"
NEW_PASSWORD = "một câu rất dài của người khác"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def key_on(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


@pytest.fixture
def admin_record(app, accounts) -> dict:
    """The province administrator is a Party member too: his record lies in the secretary's branch."""
    with app.app_context():
        branch = db.session.scalar(select(Organisation).where(Organisation.name == accounts["secretary"]["org"]))
        member = Member(org_id=branch.id, full_name="Hoàng Văn Tỉnh", card_number=ADMIN_CARD,
                        phone="0933000111", kind="official", status="active", birth_date=date(1965, 1, 2),
                        admission_date=date(1990, 1, 2), official_date=date(1991, 1, 2))
        db.session.add(member)
        db.session.flush()
        admin = db.session.scalar(select(User).where(User.login == accounts["province_admin"]["login"]))
        admin.member_id = member.id
        db.session.commit()
        return {"member": member.id, "user": admin.id, "login": admin.login, "branch": branch.id}


def state(app, ids) -> tuple:
    with app.app_context():
        member, user = db.session.get(Member, ids["member"]), db.session.get(User, ids["user"])
        issued = db.session.scalar(select(ResetRequest.id).where(
            ResetRequest.member_id == ids["member"], ResetRequest.status == "code_issued"))
        return member.status, member.card_number, member.full_name, user.login, user.is_enabled, issued


@pytest.mark.parametrize("role", ["secretary", "grassroots_admin", "district_admin"])
def test_those_below_cannot_take_over_the_province_admin_through_his_member_record(
        app, as_role, accounts, admin_record, role):
    before = state(app, admin_record)
    admin = as_role("province_admin")  # his session must survive what follows
    actor = as_role(role)
    url = f"/members/{admin_record['member']}"
    page = actor.get(url)
    assert page.status_code == 200  # the record is in scope: seen, with the reason for no buttons
    assert REFUSAL in text(page) and f"/members/{admin_record['member']}/code" not in text(page)
    assert "flask --app wsgi accounts code" in text(page)  # nobody in the app is above him

    code = actor.submit(f"{url}/code", {}, form_page=url)
    assert code.status_code == 403 and REFUSAL in text(code)
    for action in ("status", "edit", "transfer"):
        assert actor.get(f"{url}/{action}").status_code == 403
    status = actor.submit(f"{url}/status", {"idempotency_key": "k1", "action": "removed",
                                            "on_date": local_today().isoformat()}, form_page=url)
    assert status.status_code == 403 and REFUSAL in text(status)
    edit = actor.submit(f"{url}/edit", {"idempotency_key": "k2", "full_name": "Hoàng Văn Tỉnh",
                                        "card_number": "46999002", "kind": "official"}, form_page=url)
    assert edit.status_code == 403
    assert state(app, admin_record) == before
    assert admin.get("/members/").status_code == 200
    with app.app_context():
        refused = db.session.scalars(select(AuditEntry.target).where(AuditEntry.action == "access.outranked"))
        assert f"member:{admin_record['member']}" in set(refused)


def test_his_own_request_waits_for_the_operator_not_the_branch(app, as_role, accounts, admin_record):
    """He asks on /forgot: the branch sees the request, cannot answer it, and /reset never works."""
    someone = Visitor(app.test_client())
    assert someone.submit("/forgot", {"login": ADMIN_CARD}).status_code == 302
    secretary = as_role("secretary")
    page = secretary.text("/members/resets")
    with app.app_context():
        request_id = db.session.scalar(select(ResetRequest.id).where(
            ResetRequest.member_id == admin_record["member"]))
    assert f"/members/resets/{request_id}/code" not in page and "cấp trên cấp mã" in html.unescape(page)
    response = secretary.submit(f"/members/resets/{request_id}/code", {}, form_page="/members/resets")
    assert response.status_code == 403
    assert secretary.get(f"/members/resets/{request_id}/code").status_code == 403
    reset = someone.submit("/reset", {"login": ADMIN_CARD, "code": "12345678", "password": NEW_PASSWORD,
                                      "confirm": NEW_PASSWORD})
    assert reset.status_code != 302
    assert state(app, admin_record)[-1] is None  # no code was issued


def test_the_operator_gives_him_a_code_and_clears_his_authenticator(app, accounts, admin_record):
    admin = Visitor(app.test_client())
    admin.login(accounts["province_admin"])
    set_up_authenticator(admin)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "code", admin_record["login"]])
    assert result.exit_code == 0, result.output
    code = re.search(r"(\d{4} \d{4})", result.output).group(1)
    result = runner.invoke(args=["accounts", "clear-second-factor", admin_record["login"]])
    assert result.exit_code == 0, result.output
    assert admin.get("/members/").status_code == 302  # every session ended
    back = Visitor(app.test_client())
    reset = back.submit("/reset", {"login": ADMIN_CARD, "code": code, "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD})
    assert reset.status_code == 302
    with app.app_context():
        user = db.session.get(User, admin_record["user"])
        assert user.totp_secret is None
        actions = {e.action: e for e in db.session.scalars(select(AuditEntry))}
        assert actions["reset.code_issued"].detail["source"] == "cli"
        assert actions["second_factor.cleared"].detail["source"] == "cli"
        assert code.replace(" ", "") not in str([e.detail for e in actions.values()])
    assert runner.invoke(args=["accounts", "code", "0000000000"]).exit_code != 0


def test_those_above_still_act_on_the_record_of_someone_below(app, as_role, accounts):
    """The district administrator gives the branch secretary a code and corrects her record."""
    with app.app_context():
        secretary = db.session.scalar(select(User).where(User.login == accounts["secretary"]["login"]))
        member_id = secretary.member_id
    district = as_role("district_admin")
    url = f"/members/{member_id}"
    assert REFUSAL not in district.text(url) and f"{url}/code" in district.text(url)
    assert district.submit(f"{url}/code", {}, form_page=url).status_code == 302
    # ...but the secretary cannot give herself a code from her own record.
    own = as_role("secretary")
    assert own.submit(f"{url}/code", {}, form_page=url).status_code == 403


# --- finding 2: appointing a superior, then clearing their second factor ------------------------

def test_grassroots_admin_cannot_appoint_the_district_admin_nor_clear_his_authenticator(app, as_role, accounts):
    district = as_role("district_admin")
    secret = set_up_authenticator(district)
    grassroots = as_role("grassroots_admin")
    with app.app_context():
        branch = db.session.scalar(select(Organisation).where(Organisation.name == accounts["secretary"]["org"]))
        boss = db.session.scalar(select(User).where(User.login == accounts["district_admin"]["login"]))
        branch_id, boss_id = branch.id, boss.id
    page = grassroots.text(f"/admin/roles/new?org={branch_id}")
    response = grassroots.submit("/admin/roles/new", {
        "org_id": str(branch_id), "role": "secretary", "login": accounts["district_admin"]["login"],
        "idempotency_key": key_on(page) if "idempotency_key" in page else "key"}, form_page=f"/admin/roles/new?org={branch_id}")
    assert response.status_code == 403 and REFUSAL in text(response)
    with app.app_context():
        assert db.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == boss_id, RoleAssignment.org_id == branch_id)) is None
        # The province put him there (a district admin may also run a branch): still his superior.
        ra = RoleAssignment(user_id=boss_id, org_id=branch_id, role="secretary")
        db.session.add(ra)
        db.session.commit()
        ra_id = ra.id
    roles = grassroots.text(f"/admin/roles?org={branch_id}")
    assert f"/admin/roles/{ra_id}/second-factor" not in roles
    cleared = grassroots.submit(f"/admin/roles/{ra_id}/second-factor", {}, form_page="/admin/roles")
    assert cleared.status_code == 403 and REFUSAL in text(cleared)
    with app.app_context():
        assert db.session.get(User, boss_id).totp_secret == secret
        assert db.session.scalar(select(UserSession.token).where(
            UserSession.user_id == boss_id, UserSession.revoked_at.is_(None))) is not None
    assert district.get("/members/").status_code == 200
    assert pyotp.TOTP(secret).now()


def test_an_ordinary_member_is_still_appointed(app, as_role, accounts):
    grassroots = as_role("grassroots_admin")
    with app.app_context():
        branch = db.session.scalar(select(Organisation).where(Organisation.name == accounts["secretary"]["org"]))
        branch_id = branch.id
    page = grassroots.text(f"/admin/roles/new?org={branch_id}")
    response = grassroots.submit("/admin/roles/new", {
        "org_id": str(branch_id), "role": "secretary", "login": accounts["member"]["login"],
        "idempotency_key": key_on(page)}, form_page=f"/admin/roles/new?org={branch_id}")
    assert response.status_code == 302
