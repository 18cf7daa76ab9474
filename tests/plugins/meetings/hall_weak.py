"""The hall's forms over a weak line (appended to WEAK_FORMS in weak_forms.py): the secretary
saves the attendance, a member votes on the phone; sent again after a drop, each counts once."""
from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.test_weak_network import WeakForm, query
from tests.plugins.meetings.hall_fixtures import make_meeting, member_id_of, org_id_of


def _member_place(app, accounts, meeting_id: int) -> int:
    from plugins.meetings.models import Participant

    member = member_id_of(app, accounts["member"]["login"])
    return query(app, select(Participant.id).where(Participant.meeting_id == meeting_id,
                                                   Participant.member_id == member))


class SaveAttendance(WeakForm):
    """The demo member marked absent with a reason; the reason typed survives the drop."""

    name, role = "meeting attendance", "secretary"

    def open(self, page):
        self.meeting = make_meeting(self.app, org_id_of(self.app, self.accounts["secretary"]["org"]))
        self.place = _member_place(self.app, self.accounts, self.meeting)
        self.path = f"/meetings/{self.meeting}/attendance"
        super().open(page)

    def typing(self):
        self.reason = f"Đưa mẹ đi viện huyện ({self.unique})"
        return {f"[name=r{self.place}]": self.reason}

    def fill(self, page):
        page.locator(f"input[name=p{self.place}][value=excused]").check()
        return super().fill(page)

    def saved(self):
        from plugins.meetings.models import Participant

        return query(self.app, select(func.count(Participant.id)).where(
            Participant.id == self.place, Participant.presence == "excused",
            Participant.absence_reason == self.reason))

    def shows_result(self, page):
        expect(page.locator(f"input[name=r{self.place}]")).to_have_value(self.reason)
        expect(page.locator(f"input[name=p{self.place}][value=excused]")).to_be_checked()


class PhoneVote(WeakForm):
    """A member's ballot on the phone: sent again after a drop, one ballot and one vote counted."""

    name, role = "meeting phone vote", "member"

    def open(self, page):
        from core.extensions import db
        from plugins.meetings.models import Vote

        self.meeting = make_meeting(self.app, org_id_of(self.app, self.accounts["member"]["org"]))
        with self.app.app_context():
            vote = Vote(meeting_id=self.meeting, question=f"Thông qua nghị quyết ({self.unique})",
                        method="phones", eligible_count=10)
            db.session.add(vote)
            db.session.commit()
            self.vote = vote.id
            db.session.remove()
        self.path = f"/meetings/{self.meeting}/votes"
        super().open(page)

    def posts_to(self, url):
        return urlsplit(url).path == f"/meetings/{self.meeting}/votes/{self.vote}/ballot"

    def fill(self, page):
        page.locator("input[name=choice][value=yes]").check()
        return {}

    def saved(self):
        from plugins.meetings.models import Ballot, Vote

        ballots = query(self.app, select(func.count(Ballot.id)).where(Ballot.vote_id == self.vote))
        counted = query(self.app, select(Vote.yes_count).where(Vote.id == self.vote))
        assert ballots == counted, (ballots, counted)
        return ballots

    def shows_result(self, page):
        expect(page.get_by_text("Đồng chí đã biểu quyết.")).to_be_visible()
