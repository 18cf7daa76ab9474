"""Attendance at the meeting, as the secretary takes it and as members check themselves in."""
from __future__ import annotations

import gzip
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import db
from plugins.meetings.models import Meeting, Participant, Revision
from tests.plugins.meetings.hall_fixtures import (fill_branch, make_meeting, meeting_row, member_id_of,
                                                  org_id_of, participants)


@pytest.fixture
def branch(app, accounts):
    return org_id_of(app, accounts["member"]["org"])


def marks(rows, default="present", **by_name) -> dict:
    """The attendance form: everyone `default`, except {participant id: (choice, reason)}."""
    data = {}
    for row in rows:
        choice, reason = by_name.get(str(row["id"]), (default, ""))
        data[f"p{row['id']}"] = choice
        data[f"r{row['id']}"] = reason
    return data


def test_secretary_takes_attendance_prefilled_from_answers(app, as_role, accounts, branch):
    member = member_id_of(app, accounts["member"]["login"])
    meeting = make_meeting(app, branch, rsvp={member: ("no", "Đi công tác huyện")})
    rows = participants(app, meeting)
    me = next(r for r in rows if r["member_id"] == member)
    secretary = as_role("secretary")
    page = secretary.text(f"/meetings/{meeting}/attendance")
    assert "Điểm danh" in page and me["name"] in page
    # The member's answer is pre-filled: absent with their reason.
    assert re.search(rf'name="p{me["id"]}" value="excused" checked', page)
    assert 'value="Đi công tác huyện"' in page
    others = [r for r in rows if r["id"] != me["id"]]
    data = marks(rows, **{str(me["id"]): ("excused", "Đi công tác huyện"),
                          str(others[0]["id"]): ("absent", "")})
    response = secretary.submit(f"/meetings/{meeting}/attendance", data)
    assert response.status_code == 302
    page = secretary.text(response.location)
    expected = sum(1 for r in rows if r["status"] == "active")
    present = sum(1 for r in rows if r["status"] == "active" and r["id"] not in (me["id"], others[0]["id"]))
    assert f"Đã lưu điểm danh: có mặt {present}/{expected} đồng chí." in page
    stored = meeting_row(app, meeting)
    assert stored["status"] == "held" and stored["recorded_at"] is not None
    assert (stored["expected_count"], stored["present_count"]) == (expected, present)
    after = {r["id"]: r for r in participants(app, meeting)}
    assert after[me["id"]]["presence"] == "excused" and after[me["id"]]["reason"] == "Đi công tác huyện"
    assert after[others[0]["id"]]["presence"] == "absent" and after[others[0]["id"]]["reason"] is None


def test_excused_without_reason_is_refused_and_what_was_chosen_stays(app, as_role, branch):
    meeting = make_meeting(app, branch)
    rows = participants(app, meeting)
    data = marks(rows, **{str(rows[1]["id"]): ("excused", ""), str(rows[2]["id"]): ("absent", "")})
    response = as_role("secretary").submit(f"/meetings/{meeting}/attendance", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Đồng chí ghi lý do vắng mặt của {rows[1]['name']}." in html
    assert re.search(rf'name="p{rows[2]["id"]}" value="absent" checked', html)
    assert meeting_row(app, meeting)["status"] == "invited"


def test_forged_choice_and_huge_reason_get_a_message_not_500(app, as_role, branch):
    meeting = make_meeting(app, branch)
    rows = participants(app, meeting)
    secretary = as_role("secretary")
    bad = marks(rows, **{str(rows[0]["id"]): ("<script>", "")})
    assert secretary.submit(f"/meetings/{meeting}/attendance", bad).status_code == 400
    huge = marks(rows, **{str(rows[0]["id"]): ("excused", "x" * 5000)})
    response = secretary.submit(f"/meetings/{meeting}/attendance", huge)
    assert response.status_code == 400 and "quá dài" in response.get_data(as_text=True)


def test_attendance_waits_for_the_day_and_the_invitation(app, as_role, branch):
    ahead = make_meeting(app, branch, days_from_today=3)
    planned = make_meeting(app, branch, status="planned")
    secretary = as_role("secretary")
    assert "Lưu điểm danh" not in secretary.text(f"/meetings/{ahead}/attendance")
    assert secretary.submit(f"/meetings/{ahead}/attendance", {}).status_code == 400
    assert "chưa gửi giấy mời" in secretary.text(f"/meetings/{planned}/attendance")
    assert meeting_row(app, ahead)["status"] == "invited"


def test_a_sixty_member_page_stays_within_14_kb_and_saves_in_one_post(app, as_role, branch):
    fill_branch(app, branch, 60)
    meeting = make_meeting(app, branch)
    rows = participants(app, meeting)
    assert len(rows) >= 60
    secretary = as_role("secretary")
    response = secretary.get(f"/meetings/{meeting}/attendance")
    assert response.status_code == 200
    assert len(gzip.compress(response.get_data())) <= 14 * 1024
    assert response.headers["Cache-Control"] == "no-store"
    assert secretary.submit(f"/meetings/{meeting}/attendance", marks(rows)).status_code == 302
    assert meeting_row(app, meeting)["present_count"] == sum(1 for r in rows if r["status"] == "active")


def test_three_absences_without_reason_show_the_charter_warning(app, as_role, branch):
    past = [make_meeting(app, branch, days_from_today=-30 * n, status="held") for n in (1, 2, 3)]
    rows = participants(app, past[0])
    target = rows[3]
    with app.app_context():
        for meeting_id in past:
            for p in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id)):
                p.presence = "absent" if p.member_id == target["member_id"] else "present"
        db.session.commit()
    page = as_role("secretary").text(f"/meetings/{past[0]}/attendance")
    assert "Cảnh báo theo Điều lệ" in page
    warning = page.split("Cảnh báo theo Điều lệ")[1].split("</div>")[0]
    assert f"{target['name']} (3)" in warning and rows[4]["name"] not in warning
    # Two absences, and one more than a year ago, are not three in twelve months.
    with app.app_context():
        db.session.get(Meeting, past[2]).starts_at -= timedelta(days=340)
        db.session.commit()
    assert "Cảnh báo theo Điều lệ" not in as_role("secretary").text(f"/meetings/{past[0]}/attendance")


def test_member_checks_in_with_the_code(app, as_role, accounts, branch):
    meeting = make_meeting(app, branch)
    secretary = as_role("secretary")
    member = as_role("member")
    assert "chỉ mở trong buổi họp" in member.text(f"/meetings/{meeting}/checkin")
    secretary.submit(f"/meetings/{meeting}/checkin-code", {}, form_page=f"/meetings/{meeting}/attendance")
    code = meeting_row(app, meeting)["checkin_code"]
    assert code and len(code) == 6 and code in secretary.text(f"/meetings/{meeting}/attendance")
    wrong = member.submit(f"/meetings/{meeting}/checkin", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "Mã chưa đúng" in wrong.get_data(as_text=True)
    response = member.submit(f"/meetings/{meeting}/checkin", {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302
    assert "Đồng chí đã được ghi có mặt" in member.text(response.location)
    me = member_id_of(app, accounts["member"]["login"])
    row = next(r for r in participants(app, meeting) if r["member_id"] == me)
    assert row["presence"] == "present"
    stored = meeting_row(app, meeting)
    assert stored["status"] == "held" and stored["present_count"] == 1


def test_a_check_in_after_the_page_was_drawn_is_not_undone_by_its_save(app, as_role, accounts, branch):
    meeting = make_meeting(app, branch)
    secretary = as_role("secretary")
    page = secretary.text(f"/meetings/{meeting}/attendance")
    shown = re.search(r'name="shown" value="([^"]+)"', page).group(1)
    secretary.submit(f"/meetings/{meeting}/checkin-code", {}, form_page=f"/meetings/{meeting}/attendance")
    code = meeting_row(app, meeting)["checkin_code"]
    as_role("member").submit(f"/meetings/{meeting}/checkin", {"code": code})
    me = member_id_of(app, accounts["member"]["login"])
    rows = participants(app, meeting)
    mine = next(r for r in rows if r["member_id"] == me)
    data = marks(rows, default="absent")
    data["shown"] = shown
    secretary.submit(f"/meetings/{meeting}/attendance", data)
    assert next(r for r in participants(app, meeting) if r["member_id"] == me)["presence"] == "present"
    assert mine["id"]


def test_too_many_wrong_codes_stop_the_guessing(app, as_role, accounts, branch):
    meeting = make_meeting(app, branch)
    as_role("secretary").submit(f"/meetings/{meeting}/checkin-code", {}, form_page=f"/meetings/{meeting}/attendance")
    code = meeting_row(app, meeting)["checkin_code"]
    wrong = "000000" if code != "000000" else "111111"
    member = as_role("member")
    for _n in range(5):
        member.submit(f"/meetings/{meeting}/checkin", {"code": wrong})
    response = member.submit(f"/meetings/{meeting}/checkin", {"code": code})
    assert response.status_code == 400 and "Nhập sai quá nhiều lần" in response.get_data(as_text=True)
    other_phone = as_role("member")  # a new session, as after signing in again: still counted
    response = other_phone.submit(f"/meetings/{meeting}/checkin", {"code": code})
    assert response.status_code == 400 and "Nhập sai quá nhiều lần" in response.get_data(as_text=True)
    presence = {r["member_id"]: r["presence"] for r in participants(app, meeting)}
    assert presence[member_id_of(app, accounts["member"]["login"])] != "present"
    # the guessing is the member's own: the secretary checks in with the right code
    assert as_role("secretary").submit(f"/meetings/{meeting}/checkin", {"code": code}).status_code in (302, 303)
    presence = {r["member_id"]: r["presence"] for r in participants(app, meeting)}
    assert presence[member_id_of(app, accounts["secretary"]["login"])] == "present"


def test_other_branches_helpers_and_members_are_refused(app, as_role, accounts, branch):
    meeting = make_meeting(app, branch)
    for role in ("member", "family_helper", "member_other_branch", "secretary_other_branch",
                 "other_province_admin"):
        assert as_role(role).get(f"/meetings/{meeting}/attendance").status_code == 404, role
    for role in ("family_helper", "member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(role).get(f"/meetings/{meeting}/checkin").status_code == 404, role
    other = org_id_of(app, accounts["member_other_branch"]["org"])
    theirs = make_meeting(app, other)
    secretary = as_role("secretary")
    assert secretary.get(f"/meetings/{theirs}/attendance").status_code == 404
    response = secretary.submit(f"/meetings/{theirs}/attendance", {"p1": "absent"},
                                form_page=f"/meetings/{meeting}/attendance")
    assert response.status_code == 404 and meeting_row(app, theirs)["status"] == "invited"
    # The grassroots level above manages its branches' meetings.
    assert as_role("grassroots_admin").get(f"/meetings/{meeting}/attendance").status_code == 200


def test_changing_attendance_after_the_report_keeps_its_history(app, as_role, branch):
    meeting = make_meeting(app, branch, status="reported")
    rows = participants(app, meeting)
    secretary = as_role("secretary")
    secretary.submit(f"/meetings/{meeting}/attendance", marks(rows))
    secretary.submit(f"/meetings/{meeting}/attendance", marks(rows, **{str(rows[0]["id"]): ("absent", "")}))
    with app.app_context():
        changes = {(r.field, r.old_value, r.new_value) for r in db.session.scalars(
            select(Revision).where(Revision.meeting_id == meeting))}
    assert (f"presence:{rows[0]['name']}", "present", "absent") in changes
    assert meeting_row(app, meeting)["status"] == "reported"


def test_province_that_turned_meetings_off_gets_404_on_the_hall(app, as_role, accounts, branch):
    from tests.plugins.support import province_of_role, switch

    meeting = make_meeting(app, branch)
    province = province_of_role(app, accounts, "secretary")
    switch(app, province, "meetings", False)
    secretary = as_role("secretary")
    for url in (f"/meetings/{meeting}/attendance", f"/meetings/{meeting}/votes", f"/meetings/{meeting}/minutes"):
        assert secretary.get(url).status_code == 404, url
    assert as_role("member").get(f"/meetings/{meeting}/checkin").status_code == 404
    switch(app, province, "meetings", True)  # on again, no restart
    assert secretary.get(f"/meetings/{meeting}/attendance").status_code == 200
