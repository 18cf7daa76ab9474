"""The branch's side of a meeting, as the secretary and the members use it: creating, inviting,
reading the invitation, answering and commenting (helper A's pages)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.notify.models import Notification
from core.org.models import Member
from plugins.meetings.models import Meeting, Participant
from tests.plugins.support import dispose, make_app, org_named, province_of_role, switch
from tests.support import local_today


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "meetings", True)
    yield app
    dispose(app)


@pytest.fixture
def branch(app, accounts):
    return org_named(app, accounts["member"]["org"]).id


def next_week() -> str:
    return (local_today() + timedelta(days=7)).strftime("%d/%m/%Y")


MEETING = {"kind": "regular", "title": "Sinh hoạt chi bộ thường kỳ tháng 1", "topic": "",
           "hour": "19:30", "place": "Nhà văn hóa xóm Đồng Tâm",
           "agenda": "Kiểm điểm nghị quyết tháng trước\nPhương hướng tháng tới\n",
           "draft_resolution": "Chi bộ thống nhất ra quân làm đường bê tông."}


def create(secretary, **changes) -> str:
    data = {**MEETING, "day": next_week(), **changes}
    response = secretary.submit("/meetings/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response.location


def meeting_of(app, location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])


def test_secretary_creates_and_invites_members_see_it(app, as_role, branch):
    secretary = as_role("secretary")
    assert "Tạo cuộc họp" in secretary.text("/meetings/")
    location = create(secretary)
    page = secretary.text(location)
    assert "Sinh hoạt chi bộ thường kỳ tháng 1" in page and "19:30" in page
    assert "Phương hướng tháng tới" in page and "Gửi giấy mời" in page
    meeting_id = meeting_of(app, location)
    member = as_role("member")
    assert member.get(location).status_code == 404  # planned: not shown to members yet
    response = secretary.submit(f"/meetings/{meeting_id}/invite", {}, form_page=location)
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == "invited" and meeting.invited_at is not None
        local = meeting.starts_at + timedelta(hours=7)  # Asia/Ho_Chi_Minh
        assert local.strftime("%H:%M") == "19:30"
        on_roster = db.session.scalar(select(func.count(Member.id)).where(
            Member.org_id == branch, Member.status.in_(("active", "exempt"))))
        assert db.session.scalar(select(func.count(Participant.id)).where(
            Participant.meeting_id == meeting_id)) == on_roster
        sent = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.invitation", Notification.url == f"/meetings/{meeting_id}"))
        assert sent >= 1
    page = member.text(location)
    assert "Sinh hoạt chi bộ thường kỳ tháng 1" in page and "Tôi sẽ tham dự" in page
    assert "Sinh hoạt chi bộ thường kỳ tháng 1" in member.text("/inbox/")


def test_invitation_refresh_adds_newcomers_and_drops_leavers_once(app, as_role, branch):
    secretary = as_role("secretary")
    meeting_id = meeting_of(app, create(secretary))
    secretary.submit(f"/meetings/{meeting_id}/invite", {}, form_page="/meetings/")
    with app.app_context():
        first = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.invitation"))
        leaver = db.session.scalar(select(Participant).where(Participant.meeting_id == meeting_id)
                                   .order_by(Participant.id.desc()).limit(1))
        member = db.session.get(Member, leaver.member_id)
        member.status = "removed"
        leaver_name = member.full_name
        db.session.add(Member(org_id=branch, full_name="Đảng viên Mới Chuyển Đến", kind="probationary",
                              status="active"))
        db.session.commit()
    response = secretary.submit(f"/meetings/{meeting_id}/invite", {}, form_page="/meetings/")
    assert response.status_code == 302
    assert "1 người mới" in secretary.text(f"/meetings/{meeting_id}")
    with app.app_context():
        names = set(db.session.scalars(select(Participant.full_name).where(Participant.meeting_id == meeting_id)))
        assert "Đảng viên Mới Chuyển Đến" in names and leaver_name not in names
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.invitation")) == first  # the newcomer has no account


@pytest.mark.parametrize("changes, message", [
    ({"day": "31/02/2027"}, "dd/mm/yyyy"),
    ({"day": "05/01/1990"}, "trong vòng"),
    ({"hour": "25:99"}, "hh:mm"),
    ({"title": " "}, "viết tên cuộc họp"),
    ({"place": ""}, "họp ở đâu"),
    ({"kind": "secret"}, "chọn loại cuộc họp"),
])
def test_bad_input_gets_a_message_and_keeps_what_was_typed(as_role, changes, message):
    secretary = as_role("secretary")
    data = {**MEETING, "day": next_week(), **changes}
    response = secretary.submit("/meetings/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page, page[-3000:]
    assert "Phương hướng tháng tới" in page


def test_a_retried_create_makes_one_meeting(app, as_role):
    secretary = as_role("secretary")
    data = {**MEETING, "day": next_week(), "idempotency_key": "m" * 32}
    first = secretary.submit("/meetings/new", data)
    second = secretary.submit("/meetings/new", data)
    assert first.status_code == second.status_code == 302 and first.location == second.location
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.title == MEETING["title"])) == 1


def test_other_branches_members_and_helpers_are_refused(app, as_role, accounts, branch):
    secretary = as_role("secretary")
    location = create(secretary)
    meeting_id = meeting_of(app, location)
    secretary.submit(f"/meetings/{meeting_id}/invite", {}, form_page=location)
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(role).get(location).status_code == 404, role
        assert as_role(role).get(f"/meetings/{meeting_id}/edit").status_code == 404, role
    other = org_named(app, accounts["member_other_branch"]["org"]).id
    assert secretary.get(f"/meetings/new?org={other}").status_code == 404
    member = as_role("member")
    assert member.get("/meetings/new").status_code == 404
    assert member.submit(f"/meetings/{meeting_id}/invite", {}, form_page="/meetings/").status_code == 404
    helper = as_role("family_helper")
    page = helper.text(location)
    assert "Sinh hoạt chi bộ thường kỳ tháng 1" in page and "Gửi câu trả lời" not in page
    assert helper.submit(f"/meetings/{meeting_id}/rsvp", {"answer": "yes"}, form_page="/meetings/").status_code == 404
    assert "Sinh hoạt chi bộ thường kỳ tháng 1" in as_role("grassroots_admin").text(location)


def test_edit_after_the_report_keeps_history(app, as_role):
    secretary = as_role("secretary")
    location = create(secretary)
    meeting_id = meeting_of(app, location)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.status = "reported"
        db.session.commit()
    data = {**MEETING, "day": next_week(), "hour": "08:00", "place": "Hội trường UBND xã"}
    response = secretary.submit(f"/meetings/{meeting_id}/edit", data)
    assert response.status_code == 302
    page = secretary.text(location)
    assert "Lịch sử thay đổi" in page and "Nhà văn hóa xóm Đồng Tâm" in page and "Hội trường UBND xã" in page
    assert f"19:30 {next_week()}" in page and f"08:00 {next_week()}" in page  # the time as typed, local
