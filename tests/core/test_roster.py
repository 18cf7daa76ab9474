"""Rosters and audiences: who belonged to a branch on a date, and who something is addressed to.

The history is made the way a secretary makes it (transfers and status changes through the
member pages); the roster is then read as a meeting or a study programme reads it."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from core.org.models import Member, Organisation
from core.org.roster import Audience, nearest_with_role, role_holders, roster
from tests.core.test_members import add, added_id, change, demo, key_on  # noqa: F401 (fixture)
from tests.support import local_today

DAY = timedelta(days=1)


def names(entries) -> set[str]:
    return {entry.full_name for entry in entries}


def test_todays_roster_is_the_branch_in_good_standing(app, as_role, demo):
    secretary = as_role("secretary")
    assert change(secretary, demo["member"], "deceased", "2025-01-02").status_code == 302
    with app.app_context():
        today = roster(demo["branch_a"])
        assert demo["member_name"] not in names(today)
        everyone = {m.full_name for m in db.session.scalars(select(Member).where(
            Member.org_id == demo["branch_a"], Member.status.in_(("active", "exempt"))))}
        assert names(today) == everyone and len(today) >= 3
        assert all(entry.org_id == demo["branch_a"] for entry in today)
        # The roster as it stood before the death still has the member, with their account.
        before = {e.member_id: e for e in roster(demo["branch_a"], on=date(2025, 1, 1))}
        assert before[demo["member"]].status == "active" and before[demo["member"]].user_id
        grassroots = db.session.get(Organisation, demo["branch_a"]).parent_id
        wide = roster(grassroots, subtree=True)
        assert names(today) <= names(wide) and {e.org_id for e in wide} >= {demo["branch_a"], demo["branch_b"]}


def test_a_transfer_moves_a_member_between_rosters_from_its_date(app, as_role, demo):
    admin = as_role("grassroots_admin")
    url = f"/members/{demo['member']}/transfer"
    moved_on = local_today() - timedelta(days=10)
    response = admin.submit(url, {"idempotency_key": key_on(admin.text(url)), "to_org": demo["branch_b"],
                                  "on_date": moved_on.isoformat()})
    assert response.status_code == 302
    with app.app_context():
        assert demo["member"] in {e.member_id for e in roster(demo["branch_a"], on=moved_on - DAY)}
        assert demo["member"] not in {e.member_id for e in roster(demo["branch_b"], on=moved_on - DAY)}
        assert demo["member"] not in {e.member_id for e in roster(demo["branch_a"])}
        assert demo["member"] in {e.member_id for e in roster(demo["branch_b"], on=moved_on + DAY)}
        assert demo["member"] in {e.member_id for e in roster(demo["branch_b"])}


def test_kind_and_exemption_as_of_a_date(app, as_role, demo):
    secretary = as_role("secretary")
    joined = local_today() - timedelta(days=500)
    official = local_today() - timedelta(days=100)
    response = add(secretary, full_name="Hà Thị Dự Bị", card_number="46.998 877",
                   admission_date=joined.isoformat(), official_date=official.isoformat())
    member_id = added_id(response)
    assert change(secretary, member_id, "exempt", (local_today() - timedelta(days=30)).isoformat()).status_code == 302
    with app.app_context():
        def on(day):
            return {e.member_id: e for e in roster(demo["branch_a"], on=day)}.get(member_id)

        assert on(joined - DAY) is None  # not yet admitted
        assert on(official - DAY).kind == "probationary" and on(official - DAY).expected
        assert on(official + DAY).official and on(official + DAY).status == "active"
        assert on(local_today() - timedelta(days=10)).status == "exempt"
        assert not on(local_today() - timedelta(days=10)).expected


def user_id(app, accounts, role) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == accounts[role]["login"]))


def test_audiences_address_members_role_holders_and_named_people(app, accounts, demo):
    member, helper = user_id(app, accounts, "member"), user_id(app, accounts, "family_helper")
    secretary = user_id(app, accounts, "secretary")
    sibling = user_id(app, accounts, "member_other_branch")
    far = user_id(app, accounts, "other_province_admin")
    with app.app_context():
        users = {u.id: u for u in db.session.scalars(select(User).where(
            User.id.in_([member, helper, secretary, sibling, far])))}
        grassroots = db.session.get(Organisation, demo["branch_a"]).parent_id
        branch = Audience(org_ids=(demo["branch_a"],))
        assert branch.includes(users[member]) and branch.includes(users[secretary])
        assert not branch.includes(users[sibling]) and not branch.includes(users[helper])
        addressed = set(db.session.scalars(branch.users()))
        assert {member, secretary} <= addressed and sibling not in addressed and helper not in addressed
        secretaries = Audience(org_ids=(grassroots,), roles=("secretary",))
        assert set(db.session.scalars(secretaries.users())) >= {secretary, user_id(app, accounts, "secretary_other_branch")}
        assert not secretaries.includes(users[member])
        named = Audience(org_ids=(demo["branch_a"],), user_ids=(far,))
        assert named.includes(users[far]) and far in set(db.session.scalars(named.users()))
        probationary = Audience(org_ids=(grassroots,), kinds=("probationary",))
        assert not probationary.includes(users[member])  # an official member
        assert Audience.from_json(named.as_json()) == named
        assert branch.whole_subtrees is False  # active only: exempt members are left out
        assert Audience(org_ids=(grassroots,), statuses=("active", "exempt")).whole_subtrees


def test_role_holders_and_the_nearest_level_with_someone_to_answer(app, accounts, demo):
    with app.app_context():
        branch = db.session.get(Organisation, demo["branch_a"])
        secretary = user_id(app, accounts, "secretary")
        assert [h.user_id for h in role_holders(branch.id, ("secretary",))] == [secretary]
        up = nearest_with_role(branch.id, ("admin",))
        assert up is not None and up.name == accounts["grassroots_admin"]["org"]
        assert nearest_with_role(branch.id, ("secretary",), include_self=True).id == branch.id
        top = db.session.get(Organisation, branch.province_id)
        assert nearest_with_role(top.id, ("admin",)) is None  # nothing above a province
