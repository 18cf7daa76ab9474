"""The attendance page in Chromium on a phone, JavaScript on and off: the secretary opens it from
the meeting's page, changes two rows with a few taps, saves once; a member checks in with the code."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.plugins.meetings.hall_fixtures import (fill_branch, make_meeting, member_id_of, org_id_of,
                                                  participants)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_secretary_takes_attendance_and_a_member_checks_in(js, open_page, app, accounts):
    branch = org_id_of(app, accounts["secretary"]["org"])
    fill_branch(app, branch, 60)
    me = member_id_of(app, accounts["member"]["login"])
    meeting = make_meeting(app, branch, rsvp={me: ("no", "Đi làm ca đêm")})
    rows = [r for r in participants(app, meeting) if r["member_id"] != me]
    page = open_page(js=js)
    sign_in(page, accounts["secretary"])
    page.goto(f"/meetings/{meeting}")
    page.get_by_role("link", name="Điểm danh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điểm danh")
    mine = next(r for r in participants(app, meeting) if r["member_id"] == me)
    expect(page.locator(f"input[name=p{mine['id']}][value=excused]")).to_be_checked()  # from the answer
    expect(page.locator(f"input[name=r{mine['id']}]")).to_have_value("Đi làm ca đêm")
    # Everyone else present in one tap each... here the first two rows are set apart.
    for row in rows:
        page.locator(f"input[name=p{row['id']}][value=present]").check()
    page.get_by_role("group", name=rows[0]["name"]).get_by_label("Vắng không lý do").check()
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_text("Đã lưu điểm danh")).to_be_visible()
    expected = sum(1 for r in participants(app, meeting) if r["status"] == "active")
    present = expected - 1 - (1 if rows[0]["status"] == "active" else 0)
    expect(page.get_by_text(f"Đã lưu điểm danh: có mặt {present}/{expected} đồng chí.")).to_be_visible()
    stored = {r["id"]: r["presence"] for r in participants(app, meeting)}
    assert stored[rows[0]["id"]] == "absent" and stored[mine["id"]] == "excused"
    # The code for members who check in themselves.
    page.get_by_role("button", name="Hiện mã tự điểm danh").click()
    code = page.locator(".one-time-code").inner_text()
    assert len(code) == 6
    phone = open_page(js=js)
    sign_in(phone, accounts["member"])
    phone.goto(f"/meetings/{meeting}")
    phone.get_by_role("link", name="Tự điểm danh bằng mã bí thư đưa ra").click()
    phone.get_by_label("Mã bí thư đưa ra").fill(code)
    phone.get_by_role("button", name="Tự điểm danh").click()
    expect(phone.get_by_text("Đồng chí đã được ghi có mặt ở buổi họp này.")).to_be_visible()
    assert {r["id"]: r["presence"] for r in participants(app, meeting)}[mine["id"]] == "present"


def test_hall_pages_have_no_accessibility_violation(open_page, live_server, app, accounts):
    """axe-core on every hall page, as the secretary and as the member, on a 360 px phone."""
    from sqlalchemy import select

    from core.extensions import db
    from plugins.meetings.models import Participant, Vote
    from tests.browser.test_accessibility import _open_with_axe, _violations

    branch = org_id_of(app, accounts["secretary"]["org"])
    meeting = make_meeting(app, branch, status="held", conclusions="Chi bộ thống nhất.",
                           resolution="Nghị quyết tháng.")
    with app.app_context():
        for p in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting)):
            p.presence = "present"
        db.session.add_all([Vote(meeting_id=meeting, question="Giơ tay", method="hands", eligible_count=10),
                            Vote(meeting_id=meeting, question="Bấm máy", method="phones", eligible_count=10)])
        db.session.commit()
    hall = [f"/meetings/{meeting}/{part}" for part in ("attendance", "votes", "results", "minutes", "rating")]
    found = []
    for role, urls in (("secretary", hall), ("member", [f"/meetings/{meeting}/votes", f"/meetings/{meeting}/rating",
                                                         f"/meetings/{meeting}/checkin"])):
        page = _open_with_axe(open_page)
        sign_in(page, accounts[role])
        for url in urls:
            page.goto(url)
            found += [f"{role} {url} {v['id']}: {v['help']} — {v['targets']}" for v in _violations(page)]
    assert not found, "\n".join(found)
