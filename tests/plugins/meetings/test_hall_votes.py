"""Votes inside the meeting: the electorate the Charter names, thresholds, one ballot per
member on their phone, secret ballots, closing and the result."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.api import db
from plugins.meetings.models import Ballot, Participant, Vote
from tests.plugins.meetings.hall_fixtures import make_meeting, member_id_of, org_id_of, participants


@pytest.fixture
def branch(app, accounts):
    return org_id_of(app, accounts["member"]["org"])


@pytest.fixture
def meeting(app, branch, accounts):
    """Today's meeting; the demo member official, two others probationary, one exempt."""
    meeting_id = make_meeting(app, branch)
    me = member_id_of(app, accounts["member"]["login"])
    secretary = member_id_of(app, accounts["secretary"]["login"])
    with app.app_context():
        rows = list(db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id)
                                       .order_by(Participant.id)))
        others = [p for p in rows if p.member_id not in (me, secretary)]
        for p in rows:
            p.member_kind, p.member_status = "official", "active"
        others[0].member_kind = others[1].member_kind = "probationary"
        others[2].member_status = "exempt"
        db.session.commit()
    return meeting_id


def electorate(app, meeting_id):
    rows = participants(app, meeting_id)
    voting = [r for r in rows if r["status"] == "active"]
    return len(voting), sum(1 for r in voting if r["kind"] == "official")


def open_vote(secretary, meeting_id, **fields) -> int:
    data = {"question": "Kết nạp quần chúng Lò Văn Páo vào Đảng", "method": "hands", "secret": "open",
            "threshold": "majority", "electorate": "all", **fields}
    response = secretary.submit(f"/meetings/{meeting_id}/votes", data, form_page=f"/meetings/{meeting_id}/votes")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"#v(\d+)", response.location).group(1))


def vote_row(app, vote_id) -> Vote:
    with app.app_context():
        vote = db.session.get(Vote, vote_id)
        db.session.expunge(vote)
        return vote


def test_show_of_hands_majority_is_more_than_half_of_the_electorate(app, as_role, meeting):
    everyone, _official = electorate(app, meeting)
    secretary = as_role("secretary")
    vote = open_vote(secretary, meeting)
    assert vote_row(app, vote).eligible_count == everyone  # exempt not counted, probationary counted
    half = everyone // 2
    url = f"/meetings/{meeting}/votes"
    # Exactly half (or just under) is not more than half.
    secretary.submit(f"{url}/{vote}/count", {"yes": half if everyone % 2 == 0 else half, "no": 0, "abstain": 0},
                     form_page=url)
    secretary.submit(f"{url}/{vote}/close", {}, form_page=url)
    assert vote_row(app, vote).passed is False and "Không thông qua." in secretary.text(url)
    second = open_vote(secretary, meeting, question="Thông qua nghị quyết tháng")
    secretary.submit(f"{url}/{second}/count", {"yes": half + 1, "no": 0, "abstain": 0}, form_page=url)
    secretary.submit(f"{url}/{second}/close", {}, form_page=url)
    stored = vote_row(app, second)
    assert stored.passed is True and stored.yes_count == half + 1 and stored.closed_at is not None
    # Closed: the count can no longer change.
    response = secretary.submit(f"{url}/{second}/count", {"yes": 0, "no": 0, "abstain": 0}, form_page=url)
    assert response.status_code == 400 and vote_row(app, second).yes_count == half + 1


def test_admission_needs_two_thirds_of_the_official_members(app, as_role, meeting):
    _everyone, official = electorate(app, meeting)
    needed = -(-2 * official // 3)
    secretary = as_role("secretary")
    url = f"/meetings/{meeting}/votes"
    short = open_vote(secretary, meeting, threshold="two_thirds", electorate="official")
    assert vote_row(app, short).eligible_count == official
    assert f"{official} người được biểu quyết, cần {needed} phiếu tán thành" in secretary.text(url)
    secretary.submit(f"{url}/{short}/count", {"yes": needed - 1, "no": 1, "abstain": 0}, form_page=url)
    secretary.submit(f"{url}/{short}/close", {}, form_page=url)
    assert vote_row(app, short).passed is False
    enough = open_vote(secretary, meeting, threshold="two_thirds", electorate="official")
    secretary.submit(f"{url}/{enough}/count", {"yes": needed, "no": 0, "abstain": 0}, form_page=url)
    secretary.submit(f"{url}/{enough}/close", {}, form_page=url)
    assert vote_row(app, enough).passed is True


def test_hand_counts_must_be_numbers_within_the_electorate(app, as_role, meeting):
    secretary = as_role("secretary")
    url = f"/meetings/{meeting}/votes"
    vote = open_vote(secretary, meeting)
    eligible = vote_row(app, vote).eligible_count
    for data in ({"yes": "nhiều", "no": 0, "abstain": 0}, {"yes": -1, "no": 0, "abstain": 0},
                 {"yes": eligible, "no": 1, "abstain": 0}):
        response = secretary.submit(f"{url}/{vote}/count", data, form_page=url)
        assert response.status_code == 400, data
    assert "Số phiếu nhiều hơn" in response.get_data(as_text=True)
    assert vote_row(app, vote).yes_count == 0
    empty = secretary.submit(url, {"question": " ", "method": "hands", "secret": "open",
                                   "threshold": "majority", "electorate": "all"}, form_page=url)
    assert empty.status_code == 400 and "Đồng chí ghi nội dung cần biểu quyết." in empty.get_data(as_text=True)


def test_phone_vote_counts_one_ballot_per_member_even_when_retried(app, as_role, meeting, accounts):
    secretary, member = as_role("secretary"), as_role("member")
    url = f"/meetings/{meeting}/votes"
    vote = open_vote(secretary, meeting, method="phones")
    page = member.text(url)
    assert "Gửi biểu quyết" in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    for _n in range(2):  # the answer to the first post was lost: the phone sends it again
        assert member.submit(f"{url}/{vote}/ballot", {"choice": "yes", "idempotency_key": key},
                             form_page=url).status_code == 302
    again = member.submit(f"{url}/{vote}/ballot", {"choice": "no", "idempotency_key": "other"}, form_page=url)
    assert again.status_code == 302 and "đã biểu quyết" in member.text(again.location)
    stored = vote_row(app, vote)
    assert (stored.yes_count, stored.no_count) == (1, 0)
    with app.app_context():
        ballots = list(db.session.scalars(select(Ballot).where(Ballot.vote_id == vote)))
    assert len(ballots) == 1 and ballots[0].choice == "yes"
    assert ballots[0].member_id == member_id_of(app, accounts["member"]["login"])
    # Closed: the secretary's ballot is refused, the result shown to members.
    secretary.submit(f"{url}/{vote}/close", {}, form_page=url)
    late = secretary.submit(f"{url}/{vote}/ballot", {"choice": "yes"}, form_page=url)
    assert late.status_code == 409 and "đã kết thúc" in late.get_data(as_text=True)
    assert vote_row(app, vote).yes_count == 1
    assert "Tán thành 1, không tán thành 0, không biểu quyết 0." in member.text(url)


def test_secret_ballot_records_who_voted_never_what(app, as_role, meeting):
    secretary, member = as_role("secretary"), as_role("member")
    url = f"/meetings/{meeting}/votes"
    vote = open_vote(secretary, meeting, method="phones", secret="secret")
    member.submit(f"{url}/{vote}/ballot", {"choice": "no"}, form_page=url)
    secretary.submit(f"{url}/{vote}/ballot", {"choice": "yes"}, form_page=url)
    with app.app_context():
        choices = list(db.session.scalars(select(Ballot.choice).where(Ballot.vote_id == vote)))
    assert choices == [None, None]
    stored = vote_row(app, vote)
    assert (stored.yes_count, stored.no_count) == (1, 1)


def test_who_may_not_vote_is_refused(app, as_role, accounts, meeting, branch):
    secretary = as_role("secretary")
    url = f"/meetings/{meeting}/votes"
    vote = open_vote(secretary, meeting, method="phones", electorate="official")
    me = member_id_of(app, accounts["member"]["login"])
    with app.app_context():  # the demo member is still probationary
        db.session.scalar(select(Participant).where(Participant.meeting_id == meeting,
                                                    Participant.member_id == me)).member_kind = "probationary"
        db.session.commit()
    member = as_role("member")
    assert "Đồng chí không biểu quyết vấn đề này." in member.text(url)
    refused = member.submit(f"{url}/{vote}/ballot", {"choice": "yes"}, form_page=url)
    assert refused.status_code == 400 and "chỉ đảng viên chính thức" in refused.get_data(as_text=True)
    for role in ("family_helper", "member_other_branch", "secretary_other_branch", "grassroots_admin"):
        response = as_role(role).submit(f"{url}/{vote}/ballot", {"choice": "yes"}, form_page="/account")
        assert response.status_code == 404, role
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(role).get(url).status_code == 404, role
    assert member.submit(url, {"question": "x", "method": "hands", "secret": "open", "threshold": "majority",
                               "electorate": "all"}, form_page=url).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.vote_id == vote)) == 0
        assert db.session.scalar(select(func.count(Vote.id)).where(Vote.meeting_id == meeting)) == 1
    # Another meeting's vote id through this meeting's URL: 404.
    other = make_meeting(app, branch)
    assert secretary.submit(f"/meetings/{other}/votes/{vote}/close", {}, form_page=url).status_code == 404
    assert vote_row(app, vote).closed_at is None


def test_a_retried_opening_opens_one_vote(app, as_role, meeting):
    secretary = as_role("secretary")
    url = f"/meetings/{meeting}/votes"
    data = {"question": "Một lần thôi", "method": "hands", "secret": "open", "threshold": "majority",
            "electorate": "all", "idempotency_key": "k" * 32}
    secretary.submit(url, data)
    secretary.submit(url, data)
    with app.app_context():
        assert db.session.scalar(select(func.count(Vote.id)).where(Vote.question == "Một lần thôi")) == 1


def test_a_forged_option_gets_a_vietnamese_message(app, as_role, meeting):
    response = as_role("secretary").submit(f"/meetings/{meeting}/votes", {
        "question": "Thử", "method": "fax", "secret": "open", "threshold": "all", "electorate": "all"})
    assert response.status_code == 400
    assert "Xin chọn một trong các lựa chọn." in response.get_data(as_text=True)
