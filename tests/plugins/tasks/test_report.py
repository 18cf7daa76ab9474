"""The tasks plugin's report section: shares of work done, done on time and late, over a subtree."""
from __future__ import annotations

from datetime import timedelta

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
