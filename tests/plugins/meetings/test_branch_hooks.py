"""The meeting outside its own pages: menu, home card, calendar, the reminder the day before,
and the plugin turned off for a province (404, no menu, no card, no calendar, job refused)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.jobs import JobRecord, JobRefused, enqueue, run_job
from core.localtime import local_to_utc
from core.notify.models import Notification
from plugins.meetings.models import Meeting
from plugins.meetings.service import invite
from tests.plugins.meetings.test_branch import app, branch  # noqa: F401  (fixtures)
from tests.plugins.support import province_of_role, switch
from tests.support import local_today

TITLE = "Sinh hoạt chuyên đề học tập và làm theo Bác"


def tomorrow_meeting(app, branch: int, hour: int = 19) -> int:
    with app.app_context():
        starts = local_to_utc(datetime.combine(local_today() + timedelta(days=1), time(hour, 30)), None)
        meeting = Meeting(org_id=branch, kind="thematic", title=TITLE, place="Nhà văn hóa xóm", starts_at=starts)
        db.session.add(meeting)
        db.session.flush()
        invite(meeting)
        db.session.commit()
        return meeting.id


def test_home_card_menu_and_calendar(app, as_role, branch):
    member = as_role("member")
    assert "Cuộc họp sắp tới" not in member.text("/") or TITLE not in member.text("/")
    meeting_id = tomorrow_meeting(app, branch)
    home = member.text("/")
    assert "Cuộc họp sắp tới" in home and TITLE in home and "19:30" in home
    assert f'href="/meetings/{meeting_id}"' in home and 'href="/meetings/"' in home
    assert "Chưa trả lời" in home
    assert TITLE in as_role("family_helper").text("/")  # helpers read what their member reads
    assert TITLE not in as_role("member_other_branch").text("/")
    month = (local_today() + timedelta(days=1)).strftime("%Y-%m")
    calendar = member.text(f"/calendar/?month={month}")
    assert TITLE in calendar and "19:30" in calendar
    assert TITLE not in as_role("member_other_branch").text(f"/calendar/?month={month}")


def test_reminder_the_day_before_goes_out_once(app, branch, accounts):
    meeting_id = tomorrow_meeting(app, branch)
    province = province_of_role(app, accounts, "member")

    def reminders():
        return db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.invitation", Notification.title.like("Nhắc lịch:%")))

    with app.test_request_context():
        record = enqueue("meetings.remind", province_id=province)
        db.session.commit()
        done = db.session.get(JobRecord, record.id)
        assert done.status == "finished" and done.result["meetings"] >= 1, (done.status, done.message)
        first = reminders()
        assert first >= 1 and db.session.get(Meeting, meeting_id).reminded_at is not None
        again = enqueue("meetings.remind", province_id=province)  # the next tick, or a second delivery
        db.session.commit()
        assert db.session.get(JobRecord, again.id).result["meetings"] == 0
        run_job(record.id)
        assert reminders() == first


def test_the_scheduler_starts_the_reminder_at_seven_in_the_morning_province_time(app, accounts):
    """`flask jobs tick` (cron, or the embedded ticker) starts meetings.remind once a day, at 07:00
    in the province's time zone, for each province where the plugin is on."""
    from core.schedule import tick

    province = province_of_role(app, accounts, "member")
    day = local_today() + timedelta(days=40)  # after every run the other tests started

    def started_at(hour: int, minute: int, on=day) -> bool:
        now = local_to_utc(datetime.combine(on, time(hour, minute)), province)
        return any(r.name == "meetings.remind" and r.province_id == province for r in tick(now))

    with app.test_request_context():
        assert started_at(7, 0), "due at seven"
        assert not started_at(7, 30), "once that day"
        assert not started_at(6, 59, day + timedelta(days=1)), "not before seven the next day"
        assert started_at(7, 1, day + timedelta(days=1))
        switch(app, province, "meetings", False)
        try:
            assert not started_at(7, 5, day + timedelta(days=3)), "not where the plugin is off"
        finally:
            switch(app, province, "meetings", True)


def test_disabled_province_gets_404_no_menu_no_card_no_job(app, as_role, accounts, branch):
    meeting_id = tomorrow_meeting(app, branch)
    province = province_of_role(app, accounts, "member")
    member, secretary = as_role("member"), as_role("secretary")
    switch(app, province, "meetings", False)
    home = member.text("/")
    assert TITLE not in home and 'href="/meetings/"' not in home
    for url in ("/meetings/", f"/meetings/{meeting_id}", "/meetings/new"):
        assert member.get(url).status_code == 404, url
        assert secretary.get(url).status_code == 404, url
    month = (local_today() + timedelta(days=1)).strftime("%Y-%m")
    assert TITLE not in member.text(f"/calendar/?month={month}")
    assert secretary.submit(f"/meetings/{meeting_id}/invite", {}, form_page="/account").status_code == 404
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("meetings.remind", province_id=province)
    switch(app, province, "meetings", True)  # back on, no restart
    assert TITLE in member.text("/") and 'href="/meetings/"' in member.text("/")
    assert TITLE in member.text(f"/meetings/{meeting_id}")
