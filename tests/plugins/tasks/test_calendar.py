"""The personal calendar: own entries, task deadlines and the branch's meetings by day, week and
month; the iCalendar feed read by a maintained library, and refused once revoked."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from core.extensions import db
from core.localtime import local_to_utc
from plugins.tasks.models import TasksEntry
from tests.plugins.tasks.support import app, give, member_id, org_id, row_of  # noqa: F401
from tests.support import local_today


def _add(member, title="Đi khám sức khỏe ở trạm y tế xã", offset=2, hour="08:30", **extra):
    data = {"title": title, "day": (local_today() + timedelta(days=offset)).strftime("%d/%m/%Y"),
            "hour": hour, "place": "Trạm y tế xã", **extra}
    return member.submit("/tasks/calendar/new", data)


def _meeting(app, accounts, title: str, local: datetime) -> None:
    """A meeting of the member's branch (the meetings plugin gives it through the calendar hook)."""
    from plugins.meetings.models import Meeting

    branch = org_id(app, accounts, "member")
    with app.app_context():
        db.session.add(Meeting(org_id=branch, title=title, status="invited",
                               starts_at=local_to_utc(local, None), place="Nhà văn hóa"))
        db.session.commit()


def test_member_adds_an_entry_and_reads_day_week_and_month(app, as_role, accounts):
    member = as_role("member")
    page = member.text("/calendar/")
    assert "Thêm việc riêng" in page and "Xem lịch này trên điện thoại" in page
    response = _add(member)
    assert response.status_code == 302 and "view=day" in response.location
    day = member.text(response.location)
    assert "Đi khám sức khỏe ở trạm y tế xã" in day and "08:30" in day and "Trạm y tế xã" in day
    mine = member_id(app, accounts, "member")
    task = give(as_role("secretary"), members=[mine], title="Nộp đảng phí quý IV", due=3)
    target = local_today() + timedelta(days=3)
    _meeting(app, accounts, "Sinh hoạt chi bộ tháng 12", datetime.combine(target, time(19, 30)))
    week = member.text(f"/calendar/?view=week&day={target.isoformat()}")
    assert "Hạn: Nộp đảng phí quý IV" in week and "Sinh hoạt chi bộ tháng 12" in week
    assert f"/tasks/row/{row_of(app, task, mine)}" in week
    month = member.text(f"/calendar/?month={target.strftime('%Y-%m')}")
    assert "Hạn: Nộp đảng phí quý IV" in month and "19:30" in month
    # Someone else's calendar shows none of it.
    other = as_role("member_other_branch").text(f"/calendar/?view=week&day={target.isoformat()}")
    assert "Nộp đảng phí" not in other and "Đi khám sức khỏe" not in other


def test_bad_entries_are_refused_and_kept(app, as_role):
    member = as_role("member")
    response = _add(member, title="  ")
    assert response.status_code == 400 and "Đồng chí ghi việc gì." in response.get_data(as_text=True)
    response = _add(member, title="Họp tổ", day="32/13/2026")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "Đồng chí ghi ngày theo dạng 25/12/2026." in text and "Họp tổ" in text
    response = _add(member, title="Giờ sai", hour="25:99")
    assert response.status_code == 400 and "Vui lòng nhập giờ theo dạng 19:30." in response.get_data(as_text=True)
    data = {"title": "Gửi hai lần", "day": local_today().strftime("%d/%m/%Y"), "hour": "", "place": "",
            "idempotency_key": "e" * 32}
    member.submit("/tasks/calendar/new", data)
    member.submit("/tasks/calendar/new", data)
    with app.app_context():
        assert db.session.scalar(select(func.count(TasksEntry.id)).where(TasksEntry.title == "Gửi hai lần")) == 1


def test_an_entry_is_its_owner_s_only(app, as_role):
    member = as_role("member")
    _add(member, title="Việc riêng của tôi")
    with app.app_context():
        entry = db.session.scalar(select(TasksEntry.id).where(TasksEntry.title == "Việc riêng của tôi"))
    assert "Việc riêng của tôi" in member.text(f"/tasks/calendar/{entry}")
    for role in ("member_other_branch", "secretary", "family_helper", "other_province_admin"):
        assert as_role(role).get(f"/tasks/calendar/{entry}").status_code == 404, role
        assert as_role(role).submit(f"/tasks/calendar/{entry}/delete", {}, form_page="/account").status_code == 404
    assert as_role("family_helper").get("/tasks/calendar/new").status_code == 404
    assert member.submit(f"/tasks/calendar/{entry}/delete", {}, form_page=f"/tasks/calendar/{entry}").status_code == 302
    with app.app_context():
        assert db.session.get(TasksEntry, entry) is None


def test_the_feed_is_read_by_an_icalendar_library_and_refused_once_revoked(app, as_role, accounts):
    member = as_role("member")
    _add(member, title="Đi khám sức khỏe", offset=1)
    mine = member_id(app, accounts, "member")
    give(as_role("secretary"), members=[mine], title="Nộp đảng phí quý IV", due=4)
    _meeting(app, accounts, "Sinh hoạt chi bộ tháng 12",
             datetime.combine(local_today() + timedelta(days=5), time(19, 30)))
    assert "Tạo địa chỉ của tôi" in member.text("/tasks/calendar/feed")
    member.submit("/tasks/calendar/feed", {"action": "make"})
    address = re.search(r'class="key">([^<]+)<', member.text("/tasks/calendar/feed")).group(1)
    path = address.split("localhost", 1)[-1]
    phone = app.test_client()  # the phone's calendar: no session, no sign-in
    response = phone.get(path)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    parsed = Calendar.from_ical(response.get_data())
    events = {str(e.get("summary")): e for e in parsed.walk("VEVENT")}
    assert {"Đi khám sức khỏe", "Hạn: Nộp đảng phí quý IV", "Sinh hoạt chi bộ tháng 12"} <= set(events)
    meeting = events["Sinh hoạt chi bộ tháng 12"]
    assert meeting.decoded("dtstart").hour == 12 and meeting.decoded("dtstart").minute == 30  # 19:30 in Hà Nội, UTC
    assert str(meeting.get("uid")).startswith("meetings-")
    assert str(events["Hạn: Nộp đảng phí quý IV"].get("url")).startswith("http")
    # Revoked: refused; a new address works and the old one stays refused.
    member.submit("/tasks/calendar/feed", {"action": "revoke"})
    assert phone.get(path).status_code == 404
    member.submit("/tasks/calendar/feed", {"action": "make"})
    fresh = re.search(r'class="key">([^<]+)<', member.text("/tasks/calendar/feed")).group(1)
    assert fresh != address and phone.get(fresh.split("localhost", 1)[-1]).status_code == 200
    assert phone.get(path).status_code == 404
    assert phone.get("/tasks/feed/" + "x" * 300 + ".ics").status_code == 404
