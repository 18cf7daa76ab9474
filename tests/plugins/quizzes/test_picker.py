"""Choosing the contestants one by one: the organiser finds members by name under the organising
organisation (a search button, without JavaScript; as they type, with htmx), ticks them, and the
contest addresses those people only. Nobody from another branch's subtree or another province is
listed, and an id forged into the form is refused in Vietnamese (the picker's own answer: 404)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from core.org.models import Member
from plugins.quizzes.models import QuizContest
from tests.plugins.quizzes.support import contest_id
from tests.plugins.support import org_named
from tests.support import local_today


def _person(app, accounts, role) -> tuple[int, str]:
    """(account id, the member's full name) of a demo account."""
    with app.app_context():
        return db.session.execute(select(User.id, Member.full_name).join(Member, Member.id == User.member_id)
                                  .where(User.login == accounts[role]["login"])).one()


def _form(app, accounts, title: str, **extra) -> dict:
    day = local_today()
    return {"org_id": str(org_named(app, accounts["grassroots_admin"]["org"]).id), "title": title,
            "takers": "list", "opens_on": day.isoformat(), "opens_time": "00:00",
            "closes_on": (day + timedelta(days=2)).isoformat(), "closes_time": "21:00", "minutes": "20",
            "question_count": "5", "topic": "", "shuffle": "y", "attempts_allowed": "1",
            "show_results": "submit", **extra}


def test_without_javascript_the_organiser_finds_ticks_and_addresses_chosen_people(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    member_id, member_name = _person(app, accounts, "member")
    secretary_id, secretary_name = _person(app, accounts, "secretary")
    stranger_id, stranger_name = _person(app, accounts, "member_other_branch")
    data = _form(app, accounts, "Thi chọn từng người", idempotency_key="p" * 32)
    response = admin.submit("/quizzes/manage/new", {**data, "action": "find", "find": member_name})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Thi chọn từng người" in page  # what was typed stays
    assert "Cuộc thi chưa được tạo" in page  # said plainly: Find (or Enter in a field) creates nothing
    assert f'name="people" value="{member_id}"' in page and member_name in page
    # The first one ticked stays ticked while the organiser searches for the next.
    response = admin.submit("/quizzes/manage/new", {**data, "action": "find", "find": secretary_name,
                                                    "people": [str(member_id)]})
    page = response.get_data(as_text=True)
    assert f'name="people" value="{member_id}" checked' in page
    assert f'name="people" value="{secretary_id}"' in page
    response = admin.submit("/quizzes/manage/new", {**data, "people": [str(member_id), str(secretary_id)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    created = contest_id(app, "Thi chọn từng người")
    with app.app_context():
        contest = db.session.get(QuizContest, created)
        assert contest.takers == "list" and sorted(contest.audience["user_ids"]) == sorted([member_id, secretary_id])
    assert "Thi chọn từng người" in as_role("member").text("/quizzes/")
    assert as_role("secretary").get(f"/quizzes/{created}").status_code == 200
    # Someone not ticked does not see it, even in a branch under the same organisation.
    if stranger_id not in (member_id, secretary_id):
        assert "Thi chọn từng người" not in as_role("member_other_branch").text("/quizzes/")
        assert as_role("member_other_branch").get(f"/quizzes/{created}").status_code == 404


def test_people_of_another_province_or_outside_the_subtree_are_never_listed_nor_accepted(app, as_role, accounts):
    district = as_role("district_admin")
    grassroots = as_role("grassroots_admin")
    member_id, member_name = _person(app, accounts, "member")
    # The other province's administrator searches the same name: nobody of ours is listed.
    other = as_role("other_province_admin")
    page = other.get(f"/quizzes/manage/people?find={member_name}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'value="{member_id}"' not in page and member_name not in page
    # An id forged into the form: refused in Vietnamese, no contest made.
    foreign = _form(app, accounts, "Thi người ngoài", org_id=str(org_named(app, accounts["other_province_admin"]["org"]).id))
    forged = {**_form(app, accounts, "Thi người ngoài"), "people": [str(member_id), "999999"]}
    response = grassroots.submit("/quizzes/manage/new", forged)
    assert response.status_code == 400
    assert "Chỉ chọn những người tìm thấy trong đơn vị tổ chức cuộc thi." in response.get_data(as_text=True)
    response = other.submit("/quizzes/manage/new", {**foreign, "org_id": foreign["org_id"], "people": [str(member_id)]})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(QuizContest.id).where(QuizContest.title == "Thi người ngoài")) is None
    # Nobody ticked: said so.
    response = grassroots.submit("/quizzes/manage/new", _form(app, accounts, "Thi không ai"))
    assert response.status_code == 400 and "Xin tìm và đánh dấu ít nhất một người dự thi." in response.get_data(as_text=True)
    # The picker for an organisation the organiser does not run contests for: 404.
    branch = org_named(app, accounts["member"]["org"]).id
    assert grassroots.get(f"/quizzes/manage/people?org_id={branch}&find=ng").status_code == 404
    foreign_org = org_named(app, accounts["other_province_admin"]["org"]).id
    assert district.get(f"/quizzes/manage/people?org_id={foreign_org}&find=ng").status_code == 404


def test_the_htmx_picker_answers_with_the_ticked_people_then_those_found(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    org = org_named(app, accounts["grassroots_admin"]["org"]).id
    member_id, member_name = _person(app, accounts, "member")
    secretary_id, secretary_name = _person(app, accounts, "secretary")
    response = admin.get("/quizzes/manage/people", query_string={"org_id": org, "find": secretary_name,
                                                                  "people": [str(member_id)]},
                         headers={"HX-Request": "true", "HX-Target": "people-list"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page.lstrip().startswith('<div id="people-list">')
    assert page.index(f'value="{member_id}" checked') < page.index(f'value="{secretary_id}"')
    assert "<html" not in page
    response = admin.get("/quizzes/manage/people", query_string={"org_id": org, "find": "zzzzqq"})
    assert "Không có ai thuộc tổ chức này có tên như vậy." in response.get_data(as_text=True)
