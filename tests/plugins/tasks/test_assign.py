"""Giving a task and following it through, as the secretary and the member use it: the form,
"Việc của tôi", accepting, reporting with a photo, marking done, the secretary's answer; bad input."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from core.extensions import db
from core.notify.models import Notification
from plugins.tasks.models import TasksFile, TasksReport, TasksRow, TasksTask
from tests.plugins.tasks.support import app, day, give, member_id, org_id, row_of  # noqa: F401
from tests.samples import photo


def test_secretary_gives_a_task_and_the_member_does_it(app, as_role, accounts):
    secretary, member = as_role("secretary"), as_role("member")
    mine = member_id(app, accounts, "member")
    form = secretary.text("/tasks/new")
    assert "Giao việc mới" in form and "Tất cả đảng viên trong chi bộ" in form
    task = give(secretary, members=[mine], title="Dọn vệ sinh nhà văn hóa thôn")
    assert "Dọn vệ sinh nhà văn hóa thôn" in secretary.text(f"/tasks/{task}")
    # The member reads it on the home page, in the inbox and in "Việc của tôi".
    home = member.text("/")
    assert "Việc của tôi" in home and 'href="/tasks/"' in home
    assert "Việc mới được giao: Dọn vệ sinh nhà văn hóa thôn" in member.text("/inbox/")
    row = row_of(app, task, mine)
    listing = member.text("/tasks/")
    assert "Dọn vệ sinh nhà văn hóa thôn" in listing and f"/tasks/row/{row}" in listing
    page = member.text(f"/tasks/row/{row}")
    assert "Chia hai tổ, tổ một quét sân" in page and "Tôi nhận việc này" in page
    assert member.submit(f"/tasks/row/{row}/accept", {}, form_page=f"/tasks/row/{row}").status_code == 302
    response = member.submit(f"/tasks/row/{row}/report",
                             {"percent": "60", "text": "Đã quét xong sân, còn phát cỏ.",
                              "photo": (io.BytesIO(photo()), "IMG_2041.jpg")},
                             form_page=f"/tasks/row/{row}", content_type="multipart/form-data")
    assert response.status_code == 302
    page = member.text(f"/tasks/row/{row}")
    assert "Đã gửi báo cáo." in page and "Tiến độ: 60%" in page and "Ảnh hoặc tệp kết quả" in page
    with app.app_context():
        step = db.session.scalar(select(TasksReport).where(TasksReport.row_id == row, TasksReport.kind == "report"))
        assert step.file_id is not None and db.session.get(TasksRow, row).percent == 60
        evidence = f"/tasks/row/{row}/evidence/{step.id}"
    assert member.get(evidence).status_code == 200 and secretary.get(evidence).status_code == 200
    assert "Báo cáo tiến độ “Dọn vệ sinh nhà văn hóa thôn”: 60%" in secretary.text("/inbox/")
    # Done: 100 %, then the secretary accepts.
    member.submit(f"/tasks/row/{row}/report", {"percent": "100", "text": "Đã xong cả."}, form_page=f"/tasks/row/{row}")
    assert "Đã xong, chờ xác nhận" in member.text(f"/tasks/row/{row}")
    assert "Đảng viên báo đã làm xong" in secretary.text(f"/tasks/row/{row}")
    response = secretary.submit(f"/tasks/row/{row}/review", {"review-decision": "accept", "review-comment": "Tốt."},
                                form_page=f"/tasks/row/{row}")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TasksRow, row).state == "done"
    assert "Báo cáo của đồng chí đã được xác nhận" in member.text("/inbox/")
    assert "Dọn vệ sinh nhà văn hóa thôn" in member.text("/tasks/?show=done")


def test_whole_branch_reaches_every_member(app, as_role, accounts):
    from core.org.models import Member

    branch = org_id(app, accounts, "secretary")
    task = give(as_role("secretary"), mode="branch", title="Học tập Nghị quyết Đại hội")
    with app.app_context():
        rows = db.session.scalar(select(func.count(TasksRow.id)).where(TasksRow.task_id == task))
        members = db.session.scalar(select(func.count(Member.id)).where(
            Member.org_id == branch, Member.status.in_(("active", "exempt"))))
    assert rows == members > 1


def test_bad_input_gets_a_clear_message_and_keeps_the_text(app, as_role, accounts):
    secretary = as_role("secretary")
    mine = member_id(app, accounts, "member")
    response = give(secretary, members=[mine], title="  ", expect=400)
    assert "Đồng chí ghi tên công việc." in response.get_data(as_text=True)
    response = give(secretary, members=[mine], title="Việc hạn đã qua", due=-1, expect=400)
    text = response.get_data(as_text=True)
    assert "Hạn này đã qua" in text and "Việc hạn đã qua" in text
    response = give(secretary, title="Việc không ai làm", expect=400)
    assert "Đồng chí chọn ít nhất một đảng viên." in response.get_data(as_text=True)
    response = give(secretary, members=[mine], title="Ngày sai", due_on="31/02/2026", expect=400)
    assert "Đồng chí ghi ngày theo dạng 25/12/2026." in response.get_data(as_text=True)
    response = give(secretary, members=[999999], title="Người lạ", expect=400)
    assert "Đồng chí chọn đảng viên trong danh sách." in response.get_data(as_text=True)
    response = give(secretary, members=[mine], title="Tệp giả", expect=400, content_type="multipart/form-data",
                    attachments=(io.BytesIO(b"MZ\x90\x00 not a picture"), "anh.jpg"))
    text = response.get_data(as_text=True)
    assert "không phải" in text and "Tệp giả" in text and "chọn lại tệp" in text
    with app.app_context():
        assert db.session.scalar(select(func.count(TasksTask.id)).where(TasksTask.title.in_(
            ["Việc hạn đã qua", "Việc không ai làm", "Ngày sai", "Người lạ", "Tệp giả"]))) == 0
    # A long description is kept whole.
    long_text = "Nội dung rất dài. " * 2000
    task = give(secretary, members=[mine], title="Việc dài", description=long_text)
    with app.app_context():
        assert db.session.get(TasksTask, task).description == long_text.strip()


def test_attachments_reach_the_member(app, as_role, accounts):
    from tests.samples import pdf

    secretary, member = as_role("secretary"), as_role("member")
    mine = member_id(app, accounts, "member")
    task = give(secretary, members=[mine], title="Điền phiếu", content_type="multipart/form-data",
                attachments=(io.BytesIO(pdf("Mau phieu")), "mau-phieu.pdf"))
    with app.app_context():
        attached = db.session.scalar(select(TasksFile).where(TasksFile.task_id == task))
    url = f"/tasks/{task}/files/{attached.id}"
    assert url in member.text(f"/tasks/row/{row_of(app, task, mine)}")
    assert member.get(url).status_code == 200
    assert as_role("member_other_branch").get(url).status_code == 404


def test_a_report_retried_over_3g_is_saved_once(app, as_role, accounts):
    secretary, member = as_role("secretary"), as_role("member")
    mine = member_id(app, accounts, "member")
    row = row_of(app, give(secretary, members=[mine]), mine)
    data = {"percent": "30", "text": "Gửi qua mạng yếu", "idempotency_key": "r" * 32}
    first = member.submit(f"/tasks/row/{row}/report", data, form_page=f"/tasks/row/{row}")
    again = member.submit(f"/tasks/row/{row}/report", data, form_page=f"/tasks/row/{row}")
    assert first.status_code == again.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(TasksReport.id)).where(
            TasksReport.row_id == row, TasksReport.kind == "report")) == 1


def test_report_refuses_bad_percent_and_keeps_the_text(app, as_role, accounts):
    member = as_role("member")
    mine = member_id(app, accounts, "member")
    row = row_of(app, give(as_role("secretary"), members=[mine]), mine)
    for bad in ("abc", "150", "-5", ""):
        response = member.submit(f"/tasks/row/{row}/report", {"percent": bad, "text": "Ghi chép giữ lại"},
                                 form_page=f"/tasks/row/{row}")
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "một số từ 0 đến 100" in text and "Ghi chép giữ lại" in text


def test_extension_asked_granted_and_refused_after_completion(app, as_role, accounts):
    secretary, member = as_role("secretary"), as_role("member")
    mine = member_id(app, accounts, "member")
    row = row_of(app, give(secretary, members=[mine], due=3), mine)
    response = member.submit(f"/tasks/row/{row}/extend", {"due_on": day(1), "reason": "Ốm"},
                             form_page=f"/tasks/row/{row}")
    assert response.status_code == 400 and "Đồng chí chọn ngày sau hạn hiện tại." in response.get_data(as_text=True)
    response = member.submit(f"/tasks/row/{row}/extend", {"due_on": day(10), "reason": "Tôi phải đi viện"},
                             form_page=f"/tasks/row/{row}")
    assert response.status_code == 302
    assert "Tôi phải đi viện" in secretary.text(f"/tasks/row/{row}")
    response = secretary.submit(f"/tasks/row/{row}/decide", {"extension-decision": "grant"},
                                form_page=f"/tasks/row/{row}")
    assert response.status_code == 302
    assert f"Hạn {day(10)}" in member.text(f"/tasks/row/{row}")
    assert "Đã đồng ý gia hạn" in member.text("/inbox/")
    member.submit(f"/tasks/row/{row}/report", {"percent": "100", "text": "Xong"}, form_page=f"/tasks/row/{row}")
    response = member.submit(f"/tasks/row/{row}/extend", {"due_on": day(20), "reason": "Thêm nữa"},
                             form_page="/tasks/")
    assert response.status_code == 409
    assert "Việc đã xong nên không xin gia hạn được nữa." in response.get_data(as_text=True)


def test_notifications_of_a_task_count_once_per_person(app, as_role, accounts):
    mine = member_id(app, accounts, "member")
    task = give(as_role("secretary"), members=[mine], title="Một thông báo")
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.title == "Việc mới được giao: Một thông báo")) == 1
    assert task
