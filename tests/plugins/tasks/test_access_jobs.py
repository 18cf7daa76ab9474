"""Who reaches what (other branches and provinces get 404, a family helper sees no task), the
reminder and repeat jobs run twice, and a province that turns the plugin off."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.extensions import db
from core.jobs import JobRefused, enqueue
from core.notify.models import Notification
from plugins.tasks.models import TasksRow, TasksTask
from tests.plugins.support import province_of_role, switch
from tests.plugins.tasks.support import app, give, member_id, org_id, row_of  # noqa: F401
from tests.support import local_today


def test_other_branches_provinces_and_helpers_get_404(app, as_role, accounts):
    secretary = as_role("secretary")
    mine = member_id(app, accounts, "member")
    task = give(secretary, members=[mine], title="Chỉ chi bộ A")
    row = row_of(app, task, mine)
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin", "family_helper"):
        visitor = as_role(role)
        assert visitor.get(f"/tasks/{task}").status_code == 404, role
        assert visitor.get(f"/tasks/row/{row}").status_code == 404, role
        assert "Chỉ chi bộ A" not in visitor.text("/tasks/given"), role
    # Nobody else acts on the member's row; nobody below or beside reviews it.
    for role, url, data in (("member_other_branch", "report", {"percent": "10", "text": "x"}),
                            ("secretary_other_branch", "review", {"review-decision": "accept"}),
                            ("member", "review", {"review-decision": "accept"}),
                            ("family_helper", "accept", {})):
        assert as_role(role).submit(f"/tasks/row/{row}/{url}", data, form_page="/account").status_code == 404, role
    # Giving a task elsewhere than one's own part of the tree.
    beside = org_id(app, accounts, "secretary_other_branch")
    assert secretary.get(f"/tasks/new?org={beside}").status_code == 404
    assert as_role("other_province_admin").get(f"/tasks/new?org={org_id(app, accounts, 'member')}").status_code == 404
    assert as_role("member").get("/tasks/new").status_code == 404
    assert as_role("family_helper").get("/tasks/").status_code == 404
    assert 'href="/tasks/"' not in as_role("family_helper").text("/")
    with app.app_context():
        assert db.session.get(TasksRow, row).state == "new"


def test_upper_levels_follow_the_rows_below(app, as_role, accounts):
    mine = member_id(app, accounts, "member")
    task = give(as_role("secretary"), members=[mine], title="Theo dõi từ trên")
    row = row_of(app, task, mine)
    for role in ("grassroots_admin", "district_admin", "province_admin"):
        assert "Theo dõi từ trên" in as_role(role).text(f"/tasks/{task}"), role
        assert as_role(role).get(f"/tasks/row/{row}").status_code == 200


def _run(app, name: str, province: int):
    from core.jobs import JobRecord, run_job

    with app.app_context():
        record = enqueue(name, province_id=province)
        db.session.commit()
        run_job(record.id)
        return db.session.get(JobRecord, record.id).result


def test_reminders_and_late_notices_are_sent_once(app, as_role, accounts):
    mine = member_id(app, accounts, "member")
    soon = give(as_role("secretary"), members=[mine], title="Việc sắp đến hạn", due=1)
    late = give(as_role("secretary"), members=[mine], title="Việc đã trễ", due=5)
    branch_task = give(as_role("district_admin"), mode="branches", title="Việc chi bộ trễ", due=5)
    with app.app_context():
        db.session.execute(update(TasksRow).where(TasksRow.task_id.in_((late, branch_task)))
                           .values(due_on=local_today() - timedelta(days=2)))
        db.session.commit()
    province = province_of_role(app, accounts, "member")
    first = _run(app, "tasks.remind", province)
    again = _run(app, "tasks.remind", province)
    assert first["told"] > 0 and again["told"] == 0
    inbox = as_role("member").text("/inbox/")
    assert "Sắp đến hạn: Việc sắp đến hạn" in inbox and "Quá hạn: Việc đã trễ" in inbox
    assert "Quá hạn: Việc chi bộ trễ" in as_role("secretary").text("/inbox/")
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.title.like("Quá hạn: Việc đã trễ%"))) == 1
    assert soon


def test_a_monthly_task_gets_its_next_occurrence_once(app, as_role, accounts):
    mine = member_id(app, accounts, "member")
    task = give(as_role("secretary"), members=[mine], title="Báo cáo tháng", repeat="monthly", due=0)
    province = province_of_role(app, accounts, "member")
    assert _run(app, "tasks.repeat", province)["created"] >= 1
    assert _run(app, "tasks.repeat", province)["created"] == 0
    with app.app_context():
        following = db.session.scalar(select(TasksTask).where(TasksTask.repeat_of_id == task))
        assert following.title == "Báo cáo tháng" and following.due_on > local_today()
        assert db.session.scalar(select(TasksRow.member_id).where(TasksRow.task_id == following.id)) == mine


def test_next_due_keeps_the_day_or_the_month_end():
    from datetime import date

    from plugins.tasks.jobs import next_due

    assert next_due(date(2026, 1, 31), "monthly") == date(2026, 2, 28)
    assert next_due(date(2026, 11, 15), "quarterly") == date(2027, 2, 15)
    assert next_due(date(2028, 2, 29), "yearly") == date(2029, 2, 28)


def test_disabled_province_gets_404_no_menu_no_card_no_job(app, as_role, accounts):
    mine = member_id(app, accounts, "member")
    task = give(as_role("secretary"), members=[mine], title="Việc khi tắt")
    row = row_of(app, task, mine)
    province = province_of_role(app, accounts, "member")
    member, secretary = as_role("member"), as_role("secretary")
    assert "Việc của tôi" in member.text("/")
    switch(app, province, "tasks", False)
    home = member.text("/")
    assert "Việc của tôi" not in home and 'href="/tasks/"' not in home
    for url in ("/tasks/", f"/tasks/row/{row}"):
        assert member.get(url).status_code == 404
    for url in ("/tasks/given", f"/tasks/{task}", "/tasks/new"):
        assert secretary.get(url).status_code == 404
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("tasks.remind", province_id=province)
    switch(app, province, "tasks", True)  # back on, no restart
    assert "Việc khi tắt" in member.text("/tasks/")
    assert 'href="/tasks/"' in member.text("/")


def test_the_province_sets_how_many_days_before_members_are_reminded(app, as_role, accounts):
    from core.org.settings import setting

    province = province_of_role(app, accounts, "member")
    url = f"/admin/settings/{province}"
    top = as_role("province_admin")
    page = top.text(url)
    assert "Nhắc đảng viên trước hạn việc mấy ngày" in page
    # Only the province sets it: not on a grassroots organisation's page.
    grassroots = org_id(app, accounts, "grassroots_admin")
    assert "Nhắc đảng viên trước hạn việc mấy ngày" not in as_role("grassroots_admin").text(
        f"/admin/settings/{grassroots}")
    for bad in ("15", "-1", "hai"):
        response = top.submit(url, {"tasks.remind_days": bad})
        assert response.status_code == 400, bad
        text = response.get_data(as_text=True)
        assert ("Xin nhập một số từ 0 đến 14." if bad != "hai" else "Xin nhập một số nguyên") in text, bad
    with app.app_context():
        assert setting("tasks.remind_days", province) == 2  # nothing saved: the default holds
    mine = member_id(app, accounts, "member")
    secretary = as_role("secretary")
    five = give(secretary, members=[mine], title="Chuẩn bị hồ sơ kết nạp", due=5)
    assert five
    _run(app, "tasks.remind", province)
    assert "Sắp đến hạn: Chuẩn bị hồ sơ kết nạp" not in as_role("member").text("/inbox/")  # 5 days > 2
    assert top.submit(url, {"tasks.remind_days": "5"}).status_code == 302
    assert 'value="5"' in top.text(url)
    _run(app, "tasks.remind", province)
    assert "Sắp đến hạn: Chuẩn bị hồ sơ kết nạp" in as_role("member").text("/inbox/")
    # 0: only on the day itself.
    assert top.submit(url, {"tasks.remind_days": "0"}).status_code == 302
    today = give(secretary, members=[mine], title="Nộp đảng phí", due=0)
    tomorrow = give(secretary, members=[mine], title="Họp tổ", due=1)
    assert today and tomorrow
    _run(app, "tasks.remind", province)
    inbox = as_role("member").text("/inbox/")
    assert "Sắp đến hạn: Nộp đảng phí" in inbox and "Sắp đến hạn: Họp tổ" not in inbox
