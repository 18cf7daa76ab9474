"""A task given by the district to every branch below it: each branch secretary passes it on to
members, the members report, the district sees the cascade by organisation and who is late."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from core.extensions import db
from core.org.models import Level, Member, OrgClosure, Organisation
from core.org.tree import create_org
from plugins.tasks import service
from plugins.tasks.models import TasksRow, TasksTask
from tests.plugins.tasks.support import app, give, member_id, org_id, row_of, user_id  # noqa: F401
from tests.support import local_today


def _fifty_branches(app, accounts) -> list[int]:
    """Fifty more branches under the demo grassroots organisation, two members each."""
    grassroots = org_id(app, accounts, "grassroots_admin")
    with app.app_context():
        parent = db.session.get(Organisation, grassroots)
        made = []
        for n in range(50):
            branch = create_org(f"Chi bộ thôn thử {n + 1}", Level.BRANCH, parent)
            db.session.add_all([Member(org_id=branch.id, full_name=f"Đảng viên {n}-{k}") for k in range(2)])
            made.append(branch.id)
        db.session.commit()
        return made


def test_district_cascades_to_fifty_branches_and_their_members(app, as_role, accounts):
    extra = _fifty_branches(app, accounts)
    district = org_id(app, accounts, "district_admin")
    admin = as_role("district_admin")
    form = admin.text("/tasks/new")
    assert "Tất cả chi bộ trực thuộc" in form
    task = give(admin, mode="branches", title="Rà soát đảng viên diện miễn sinh hoạt", due=14)
    with app.app_context():
        branches = db.session.scalar(select(func.count(Organisation.id)).join(
            OrgClosure, OrgClosure.descendant_id == Organisation.id).where(
            OrgClosure.ancestor_id == district, Organisation.level == "branch", Organisation.active.is_(True)))
        rows = db.session.scalar(select(func.count(TasksRow.id)).where(TasksRow.task_id == task))
    assert rows == branches >= 51
    # The demo branch's secretary reads it in the inbox and on "Việc của tôi", and passes it on.
    secretary = as_role("secretary")
    assert "Cấp trên giao việc cho chi bộ: Rà soát đảng viên diện miễn sinh hoạt" in secretary.text("/inbox/")
    branch = org_id(app, accounts, "secretary")
    branch_row = row_of(app, task, org=branch)
    listing = secretary.text("/tasks/")
    assert "Việc cấp trên giao cho chi bộ" in listing and f"/tasks/row/{branch_row}" in listing
    mine = member_id(app, accounts, "member")
    assert "Chưa giao cho đảng viên nào." in secretary.text(f"/tasks/row/{branch_row}")
    response = secretary.submit(f"/tasks/row/{branch_row}/pass", {"members": [str(mine)]},
                                form_page=f"/tasks/row/{branch_row}")
    assert response.status_code == 302
    # The other secretaries pass it on too (the fifty test branches, two members each).
    with app.app_context():
        for org in extra:
            row = db.session.scalar(select(TasksRow).where(TasksRow.task_id == task, TasksRow.org_id == org))
            people = list(db.session.scalars(select(Member.id).where(Member.org_id == org)))
            service.pass_on(row, people, user_id(app, accounts, "district_admin"))
        db.session.commit()
        assert db.session.scalar(select(func.count(TasksRow.id)).where(
            TasksRow.task_id == task, TasksRow.member_id.is_not(None))) == 101
    # The member does it; the secretary accepts; the branch is done.
    member = as_role("member")
    own = row_of(app, task, mine)
    member.submit(f"/tasks/row/{own}/report", {"percent": "100", "text": "Đã rà soát 3 đồng chí."},
                  form_page=f"/tasks/row/{own}")
    secretary.submit(f"/tasks/row/{own}/review", {"review-decision": "accept"}, form_page=f"/tasks/row/{own}")
    with app.app_context():
        assert db.session.get(TasksRow, branch_row).state == "done"
        assert db.session.get(TasksRow, branch_row).percent == 100
        # Half of the test branches' members are halfway; ten branches are late.
        half = select(TasksRow.id).where(TasksRow.task_id == task, TasksRow.org_id.in_(extra[:25]),
                                         TasksRow.member_id.is_not(None))
        db.session.execute(update(TasksRow).where(TasksRow.id.in_(half)).values(percent=50, state="working"))
        for org in extra[:25]:
            service.follow_branch(row_of(app, task, org=org))
        db.session.execute(update(TasksRow).where(TasksRow.task_id == task, TasksRow.org_id.in_(extra[40:]))
                           .values(due_on=local_today() - timedelta(days=1)))
        db.session.commit()
    page = admin.text(f"/tasks/{task}")
    assert "Theo tổ chức" in page and accounts["grassroots_admin"]["org"] in page
    assert "Đã giao cho đảng viên, 50%" in page
    late = admin.text(f"/tasks/{task}?show=late")
    assert "Chi bộ thôn thử 41" in late and not re.search(r"thử 1\s*—", late)
    with app.app_context():
        counts = service.counts(task, service.local_now(None))  # the default zone, the demo province's
        assert counts["done"] == 1 and counts["late"] == 10
    # The grassroots level follows the same task's branches only through the rows below it.
    assert as_role("grassroots_admin").get(f"/tasks/{task}").status_code == 404
    assert as_role("grassroots_admin").get(f"/tasks/row/{branch_row}").status_code == 200


def test_the_cascade_is_counted_under_each_organisation_below(app, as_role, accounts):
    """The district's table by organisation has one line per grassroots organisation below it,
    each counting its own branches (a second grassroots organisation with three branches)."""
    district = org_id(app, accounts, "district_admin")
    with app.app_context():
        other = create_org("Đảng bộ xã Thử Nghiệm", Level.GRASSROOTS, db.session.get(Organisation, district))
        for n in range(3):
            create_org(f"Chi bộ xóm Thử {n + 1}", Level.BRANCH, other)
        db.session.commit()
        mine = db.session.scalar(select(func.count(Organisation.id)).join(
            OrgClosure, OrgClosure.descendant_id == Organisation.id).where(
            OrgClosure.ancestor_id == org_id(app, accounts, "grassroots_admin"), Organisation.level == "branch"))
    admin = as_role("district_admin")
    task = give(admin, mode="branches", title="Báo cáo sơ kết quý", due=10)
    with app.app_context():
        lines = {org.name: total for org, total, _done, _late in
                 service.rollup(db.session.get(TasksTask, task), service.local_now(None))}
    assert lines["Đảng bộ xã Thử Nghiệm"] == 3
    assert lines[accounts["grassroots_admin"]["org"]] == mine
    page = admin.text(f"/tasks/{task}")
    assert "Đảng bộ xã Thử Nghiệm" in page and accounts["grassroots_admin"]["org"] in page


def test_a_branch_row_is_passed_only_to_its_own_members(app, as_role, accounts):
    task = give(as_role("district_admin"), mode="branches", title="Chỉ người trong chi bộ")
    branch_row = row_of(app, task, org=org_id(app, accounts, "secretary"))
    stranger = member_id(app, accounts, "member_other_branch")
    response = as_role("secretary").submit(f"/tasks/row/{branch_row}/pass", {"members": [str(stranger)]},
                                           form_page=f"/tasks/row/{branch_row}")
    assert response.status_code == 400
    assert "Đồng chí chọn đảng viên trong danh sách." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(TasksRow.id)).where(TasksRow.branch_row_id == branch_row)) == 0


def test_the_province_follows_a_task_given_to_every_branch(app, as_role, accounts):
    """Given by the province: rows under several districts, counted each under its own district
    (the table by organisation once failed with a 500 as soon as two districts had rows)."""
    admin = as_role("province_admin")
    task = give(admin, org_id(app, accounts, "province_admin"), mode="branches", title="Tổng kết Chỉ thị 05")
    with app.app_context():
        districts = db.session.scalar(select(func.count(func.distinct(Organisation.id))).where(
            Organisation.parent_id == org_id(app, accounts, "province_admin")))
    assert districts >= 2
    response = admin.get(f"/tasks/{task}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Theo tổ chức" in page and accounts["district_admin"]["org"] in page
    with app.app_context():
        found = db.session.get(TasksTask, task)
        rollup = service.rollup(found, service.local_now(found.province_id))
        rows = db.session.scalar(select(func.count(TasksRow.id)).where(TasksRow.task_id == task))
        below = {}
        for org in db.session.scalars(select(Organisation).where(Organisation.level == Level.BRANCH.value,
                                                                 Organisation.province_id == found.province_id)):
            top = db.session.scalar(select(OrgClosure.ancestor_id).join(
                Organisation, Organisation.id == OrgClosure.ancestor_id).where(
                OrgClosure.descendant_id == org.id, Organisation.parent_id == found.org_id))
            below[top] = below.get(top, 0) + 1
    assert {o.id: total for o, total, _done, _late in rollup} == below and sum(below.values()) == rows
