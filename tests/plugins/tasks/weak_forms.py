"""The tasks forms sent over 3G (tests/browser/test_weak_network.py collects WEAK_FORMS): a member's
progress report, a secretary giving a task, a member asking for more time, a member's own calendar entry;
each sent again after a drop leaves one row."""
from __future__ import annotations

import importlib
import re
import sys
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

# tests/browser has no __init__.py: pytest loads the weak-network test as "test_weak_network";
# take its classes from that module, not a second copy.
_host = sys.modules.get("test_weak_network") or importlib.import_module("tests.browser.test_weak_network")
WeakForm, query = _host.WeakForm, _host.query


def given_row(app, accounts, title: str) -> int:
    """A task of the demo member's branch given to the demo member; their row's id."""
    from core.auth.models import User
    from core.extensions import db
    from core.org.models import Organisation
    from plugins.tasks.models import TasksRow, TasksTask
    from tests.support import local_today

    with app.app_context():
        branch = db.session.scalar(select(Organisation).where(Organisation.name == accounts["member"]["org"]))
        member = db.session.scalar(select(User.member_id).where(User.login == accounts["member"]["login"]))
        task = TasksTask(org_id=branch.id, province_id=branch.province_id, title=title, description="Làm ngay",
                         due_on=local_today() + timedelta(days=5), mode="members")
        db.session.add(task)
        db.session.flush()
        row = TasksRow(task_id=task.id, org_id=branch.id, member_id=member, due_on=task.due_on, state="accepted")
        db.session.add(row)
        db.session.commit()
        found = row.id
        db.session.remove()
    return found


class ReportProgress(WeakForm):
    """A member's report with a note typed at length: kept once, whatever the line does."""

    name, role = "task report", "member"

    def open(self, page):
        self.row_id = given_row(self.app, self.accounts, f"Vận động hộ nghèo ({self.unique})")
        self.path = f"/tasks/row/{self.row_id}/report"
        page.goto(f"/tasks/row/{self.row_id}")

    def typing(self):
        self.text = f"Đã đến 3 hộ ở xóm Đồng Tâm, còn 2 hộ đi vắng ({self.unique})."
        return {"[name=percent]": "60", "[name=text]": self.text}

    def press(self, page):
        page.get_by_role("button", name="Gửi báo cáo").click()

    def saved(self):
        from plugins.tasks.models import TasksReport

        return query(self.app, select(func.count(TasksReport.id)).where(TasksReport.text == self.text))

    def shows_result(self, page):
        # The row's history shows the report (the flash went with the answer the line lost).
        page.wait_for_url(re.compile(rf"/tasks/row/{self.row_id}$"))
        expect(page.locator("ol.steps").get_by_text(self.text)).to_be_visible()


class GiveTask(WeakForm):
    """A secretary gives a task to the whole branch from the phone: one task, one row each."""

    name, path, role = "give a task", "/tasks/new", "secretary"

    def typing(self):
        from tests.support import local_today

        self.title = f"Dọn đường làng đón Tết ({self.unique})"
        return {"[name=title]": self.title, "[name=description]": "Mỗi hộ đảng viên dọn đoạn đường trước nhà.",
                "[name=due_on]": (local_today() + timedelta(days=9)).isoformat()}

    def fill(self, page):
        page.get_by_text("Tất cả đảng viên trong chi bộ").click()
        return super().fill(page)

    def press(self, page):
        page.get_by_role("button", name="Giao việc", exact=True).click()

    def saved(self):
        from plugins.tasks.models import TasksTask

        return query(self.app, select(func.count(TasksTask.id)).where(TasksTask.title == self.title))

    def shows_result(self, page):
        page.wait_for_url(re.compile(r"/tasks/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(self.title)


WEAK_FORMS: list = [ReportProgress, GiveTask]


class AskForMoreTime(WeakForm):
    """A member asks for more time with a reason typed on the phone: one request, the reason kept."""

    name, role = "task extension", "member"

    def open(self, page):
        self.row_id = given_row(self.app, self.accounts, f"Vận động hộ nghèo ({self.unique})")
        self.path = f"/tasks/row/{self.row_id}/extend"
        page.goto(f"/tasks/row/{self.row_id}")
        page.locator("details summary", has_text="Xin gia hạn").click()  # the form is folded away

    def typing(self):
        from tests.support import local_today

        self.reason = f"Nhà có việc hiếu, xin thêm một tuần để đi nốt các hộ ({self.unique})."
        return {"[name=due_on]": (local_today() + timedelta(days=12)).isoformat(), "[name=reason]": self.reason}

    def press(self, page):
        page.locator(f"form[action='{self.path}'] button[type=submit]").click()

    def saved(self):
        from plugins.tasks.models import TasksReport

        return query(self.app, select(func.count(TasksReport.id)).where(
            TasksReport.kind == "extension", TasksReport.text == self.reason))

    def shows_result(self, page):
        page.wait_for_url(re.compile(rf"/tasks/row/{self.row_id}$"))
        expect(page.locator("p.notice", has_text=self.reason)).to_be_visible()


class AddCalendarEntry(WeakForm):
    """A member writes an entry of their own into the calendar: one entry, what was typed kept."""

    name, path, role = "calendar entry", "/tasks/calendar/new", "member"

    def typing(self):
        from tests.support import local_today

        self.title = f"Đi thăm gia đình đồng chí Tòng ốm ({self.unique})"
        self.day = local_today() + timedelta(days=3)
        return {"[name=title]": self.title, "[name=day]": self.day.isoformat(), "[name=hour]": "19:30",
                "[name=place]": "Bản Nà Lằng, nhà thứ ba sau trường"}

    def press(self, page):
        page.get_by_role("button", name="Ghi vào lịch").click()

    def saved(self):
        from plugins.tasks.models import TasksEntry

        return query(self.app, select(func.count(TasksEntry.id)).where(TasksEntry.title == self.title))

    def shows_result(self, page):
        page.wait_for_url(re.compile(r"/calendar/\?"))
        expect(page.get_by_text(self.title)).to_be_visible()


WEAK_FORMS += [AskForMoreTime, AddCalendarEntry]
