"""The tasks plugin's report section: shares of work done, done on time and late, over a subtree."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from core.auth.models import User
from core.extensions import db
from core.org.models import Organisation
from core.plugins import report_for
from plugins.tasks.models import TasksRow
from tests.plugins.tasks.support import app, give, member_id, org_id, row_of  # noqa: F401
from tests.support import local_today


def _section(app, accounts, role: str):
    with app.app_context():
        org = db.session.get(Organisation, org_id(app, accounts, role))
        reader = db.session.scalar(select(User).where(User.login == accounts[role]["login"]))
        return next(s for s in report_for(org, reader) if s.title == "Giao việc")


def test_the_report_counts_done_on_time_and_late(app, as_role, accounts):
    before = _section(app, accounts, "district_admin")
    mine = member_id(app, accounts, "member")
    secretary = as_role("secretary")
    done = row_of(app, give(secretary, members=[mine], title="Xong đúng hạn"), mine)
    late = row_of(app, give(secretary, members=[mine], title="Quá hạn"), mine)
    as_role("member").submit(f"/tasks/row/{done}/report", {"percent": "100", "text": "Xong"},
                             form_page=f"/tasks/row/{done}")
    secretary.submit(f"/tasks/row/{done}/review", {"review-decision": "accept"}, form_page=f"/tasks/row/{done}")
    with app.app_context():
        db.session.execute(update(TasksRow).where(TasksRow.id == late).values(due_on=local_today() - timedelta(days=1)))
        db.session.commit()
    after = _section(app, accounts, "district_admin")
    assert after.figures["lượt giao việc"] == before.figures["lượt giao việc"] + 2
    assert after.figures["xong đúng hạn"] == before.figures["xong đúng hạn"] + 1
    assert after.figures["quá hạn"] == before.figures["quá hạn"] + 1
    assert any("đã quá hạn" in alert for alert in after.alerts)
    # The other branch's report does not count them.
    beside = _section(app, accounts, "secretary_other_branch")
    assert beside.figures["lượt giao việc"] < after.figures["lượt giao việc"]


def test_done_on_time_means_the_deadline_day_in_the_province(app, as_role, accounts):
    """Vietnam is UTC+7: a task finished at 18:00 UTC on its deadline day was finished at 01:00
    the next morning there, which is late; one finished at 16:00 UTC (23:00 there) is on time."""
    before = _section(app, accounts, "district_admin")
    mine = member_id(app, accounts, "member")
    secretary, member = as_role("secretary"), as_role("member")
    rows = [row_of(app, give(secretary, members=[mine], title=title, due=3), mine)
            for title in ("Nộp báo cáo lúc nửa đêm", "Nộp báo cáo buổi tối", "Nộp báo cáo tối hôm trước")]
    for row in rows:
        member.submit(f"/tasks/row/{row}/report", {"percent": "100", "text": "Xong"}, form_page=f"/tasks/row/{row}")
        secretary.submit(f"/tasks/row/{row}/review", {"review-decision": "accept"}, form_page=f"/tasks/row/{row}")
    deadline = local_today() + timedelta(days=3)
    finished = (datetime.combine(deadline, time(18, 0)), datetime.combine(deadline, time(16, 0)),
                datetime.combine(deadline - timedelta(days=1), time(18, 0)))
    with app.app_context():
        for row, at in zip(rows, finished):
            db.session.execute(update(TasksRow).where(TasksRow.id == row).values(done_at=at))
        db.session.commit()
    after = _section(app, accounts, "district_admin")
    assert after.figures["đã xong"] == before.figures["đã xong"] + 3
    assert after.figures["xong đúng hạn"] == before.figures["xong đúng hạn"] + 2
