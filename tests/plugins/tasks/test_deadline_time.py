"""Deadlines with a time of day: given through the form, shown as dd/mm/yyyy HH:MM, late once the
time has gone by in the province's time (not at the end of the day), counted so in the report,
kept by the calendar; a time already gone today is refused in Vietnamese."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from core.auth.models import User
from core.extensions import db
from core.org.models import Organisation
from core.plugins import report_for
from plugins.tasks.models import TasksRow, TasksTask
from tests.plugins.tasks.support import app, day, give, member_id, org_id, row_of  # noqa: F401
from tests.support import local_today


def test_a_deadline_with_a_time_of_day(app, as_role, accounts):
    secretary, member = as_role("secretary"), as_role("member")
    mine = member_id(app, accounts, "member")
    assert "Trước mấy giờ (nếu có)" in secretary.text("/tasks/new")
    task = give(secretary, members=[mine], title="Nộp danh sách hộ nghèo", due=3, due_time="16:30")
    row = row_of(app, task, mine)
    shown = f"Hạn {day(3)} 16:30"
    assert shown in secretary.text(f"/tasks/{task}")
    assert shown in member.text("/tasks/") and shown in member.text(f"/tasks/row/{row}")
    with app.app_context():
        assert db.session.get(TasksRow, row).due_time == time(16, 30)
        assert db.session.get(TasksTask, task).due_time == time(16, 30)
    # Without a time: the date alone, as before.
    plain = give(secretary, members=[mine], title="Họp tổ đảng", due=4)
    assert f"Hạn {day(4)}</strong>" in secretary.text(f"/tasks/{plain}")
    # Due today at 00:00: that time has gone by, so it is late already; the end of today is not.
    late_before = _late_on_home(member)
    with app.app_context():
        db.session.execute(update(TasksRow).where(TasksRow.id == row).values(due_on=local_today(), due_time=time(0, 0)))
        db.session.execute(update(TasksRow).where(TasksRow.task_id == plain).values(due_on=local_today()))
        db.session.commit()
    page = member.text(f"/tasks/row/{row}")
    assert "Quá hạn" in page
    assert "Quá hạn" not in member.text(f"/tasks/row/{row_of(app, plain, mine)}")
    assert _late_on_home(member) == late_before + 1
    assert f'href="/tasks/row/{row}"' in secretary.text(f"/tasks/{task}?show=late")
    assert f'href="/tasks/row/{row_of(app, plain, mine)}"' not in secretary.text(f"/tasks/{plain}?show=late")


def _late_on_home(member) -> int:
    found = re.search(r"(\d+) việc quá hạn", member.text("/"))
    return int(found.group(1)) if found else 0


def test_a_time_already_gone_today_is_refused(app, as_role, accounts):
    secretary = as_role("secretary")
    mine = member_id(app, accounts, "member")
    refused = give(secretary, members=[mine], title="Việc đã quá giờ", due=0, due_time="00:00", expect=400)
    text = refused.get_data(as_text=True)
    assert "Giờ này đã qua" in text and "Việc đã quá giờ" in text  # the title is kept
    bad = give(secretary, members=[mine], title="Giờ sai", due=2, due_time="25:99", expect=400)
    assert "19:30" in bad.get_data(as_text=True) and "Giờ sai" in bad.get_data(as_text=True)


def test_done_after_the_time_of_day_is_not_done_on_time(app, as_role, accounts):
    """Due at 09:00 in Vietnam: finished at 01:30 UTC (08:30 there) is on time, at 02:30 UTC
    (09:30 there) is late, though both are on the deadline's day."""
    def section():
        with app.app_context():
            org = db.session.get(Organisation, org_id(app, accounts, "district_admin"))
            reader = db.session.scalar(select(User).where(User.login == accounts["district_admin"]["login"]))
            return next(s for s in report_for(org, reader) if s.title == "Giao việc")

    before = section()
    mine = member_id(app, accounts, "member")
    secretary, member = as_role("secretary"), as_role("member")
    rows = [row_of(app, give(secretary, members=[mine], title=title, due=3, due_time="09:00"), mine)
            for title in ("Nộp sớm", "Nộp muộn")]
    for row in rows:
        member.submit(f"/tasks/row/{row}/report", {"percent": "100", "text": "Xong"}, form_page=f"/tasks/row/{row}")
        secretary.submit(f"/tasks/row/{row}/review", {"review-decision": "accept"}, form_page=f"/tasks/row/{row}")
    deadline = local_today() + timedelta(days=3)
    with app.app_context():
        for row, at in zip(rows, (time(1, 30), time(2, 30))):
            db.session.execute(update(TasksRow).where(TasksRow.id == row).values(
                done_at=datetime.combine(deadline, at)))
        db.session.commit()
    after = section()
    assert after.figures["đã xong"] == before.figures["đã xong"] + 2
    assert after.figures["xong đúng hạn"] == before.figures["xong đúng hạn"] + 1


def test_the_calendar_shows_the_deadline_at_its_time(app, as_role, accounts):
    member = as_role("member")
    mine = member_id(app, accounts, "member")
    task = give(as_role("secretary"), members=[mine], title="Nộp bản thu hoạch", due=2, due_time="15:45")
    assert task
    target = (local_today() + timedelta(days=2)).isoformat()
    page = member.text(f"/calendar/?view=day&day={target}")
    assert "Hạn: Nộp bản thu hoạch" in page and "15:45" in page
