"""The plan form over a weak line (appended to WEAK_FORMS in weak_forms.py): a secretary on 3G
enters next month's meeting; sent again after a drop, it is one plan."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.test_weak_network import WeakForm, query
from tests.plugins.meetings.overview_stats_dates import next_month_day


class PlanMeeting(WeakForm):
    name, path, role = "meeting plan", "/meetings/overview/plan", "secretary"

    def typing(self):
        self.topic = f"Học tập chuyên đề chuyển đổi số ({self.unique})"
        return {"[name=day]": next_month_day(12).isoformat(), "[name=hour]": "19:30",
                "[name=topic]": self.topic, "[name=place]": "Nhà văn hóa xóm Đồng Tâm"}

    def fill(self, page):
        page.locator("input[name=kind][value=thematic]").check()
        return super().fill(page)

    def saved(self):
        from plugins.meetings.models import Meeting

        return query(self.app, select(func.count(Meeting.id)).where(Meeting.topic == self.topic))

    def shows_result(self, page):
        # The answer carrying the "saved" notice may be the one lost: the plan itself shows.
        expect(page.get_by_text("Đã nhập:")).to_be_visible()
        expect(page.locator("[name=topic]")).to_have_value(self.topic)
