"""The branch's forms over a weak line (appended to WEAK_FORMS in weak_forms.py): a secretary
creates a meeting, a member answers the invitation and comments on the draft resolution; each
sent again after a drop leaves one meeting, one answer, one comment."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.test_weak_network import WeakForm, query
from tests.support import local_today


def invited_meeting(app, accounts, title: str) -> int:
    """A meeting of the demo member's branch next week, the invitation sent."""
    from core.api import local_to_utc
    from core.extensions import db
    from core.org.models import Organisation
    from plugins.meetings.models import Meeting
    from plugins.meetings.service import invite

    with app.app_context():
        branch = db.session.scalar(select(Organisation.id).where(Organisation.name == accounts["member"]["org"]))
        from datetime import datetime, time
        starts = local_to_utc(datetime.combine(local_today() + timedelta(days=7), time(19, 30)), None)
        meeting = Meeting(org_id=branch, title=title, place="Nhà văn hóa xóm", starts_at=starts,
                          draft_resolution="Chi bộ vận động làm đường bê tông liên xóm.")
        db.session.add(meeting)
        db.session.flush()
        invite(meeting)
        db.session.commit()
        found = meeting.id
        db.session.remove()
    return found


class CreateMeeting(WeakForm):
    name, path, role = "create meeting", "/meetings/new", "secretary"

    def typing(self):
        self.title = f"Sinh hoạt chi bộ thường kỳ ({self.unique})"
        return {"[name=title]": self.title, "[name=day]": (local_today() + timedelta(days=9)).strftime("%d/%m/%Y"),
                "[name=hour]": "19:30", "[name=place]": "Nhà văn hóa xóm Đồng Tâm",
                "[name=agenda]": "Kiểm điểm nghị quyết tháng trước\nPhương hướng tháng tới"}

    def saved(self):
        from plugins.meetings.models import Meeting

        return query(self.app, select(func.count(Meeting.id)).where(Meeting.title == self.title))

    def shows_result(self, page):
        page.wait_for_url(re.compile(r"/meetings/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(self.title)


class AnswerInvitation(WeakForm):
    """Absent, with a reason: counted, the member's answers carrying that reason."""

    name, role = "meeting answer", "member"

    def open(self, page):
        self.meeting_id = invited_meeting(self.app, self.accounts, f"Sinh hoạt chi bộ ({self.unique})")
        self.path = f"/meetings/{self.meeting_id}/rsvp"
        page.goto(f"/meetings/{self.meeting_id}")

    def fill(self, page):
        page.locator("input[name=answer][value=no]").check()
        return super().fill(page)

    def typing(self):
        self.reason = f"Đi viện thăm mẹ ở huyện ({self.unique})"
        return {"[name=reason]": self.reason}

    def press(self, page):
        page.get_by_role("button", name="Gửi câu trả lời").click()

    def saved(self):
        from plugins.meetings.models import Participant

        return query(self.app, select(func.count(Participant.id)).where(Participant.rsvp_reason == self.reason))

    def shows_result(self, page):
        expect(page.get_by_text(f"Lý do: {self.reason}")).to_be_visible()


class CommentOnDraft(WeakForm):
    name, role = "meeting comment", "member"

    def open(self, page):
        self.meeting_id = invited_meeting(self.app, self.accounts, f"Sinh hoạt chi bộ ({self.unique})")
        self.path = f"/meetings/{self.meeting_id}/comments"
        page.goto(f"/meetings/{self.meeting_id}")

    def typing(self):
        self.body = f"Đề nghị ghi rõ mức đóng góp của mỗi hộ ({self.unique})."
        return {"[name=body]": self.body}

    def press(self, page):
        page.get_by_role("button", name="Gửi góp ý").click()

    def saved(self):
        from plugins.meetings.models import Comment

        return query(self.app, select(func.count(Comment.id)).where(Comment.body == self.body))

    def shows_result(self, page):
        expect(page.locator("#comments").get_by_text(self.body)).to_be_visible()
