"""The feedback forms a member sends over 3G (tests/browser/test_weak_network.py collects WEAK_FORMS)."""
from __future__ import annotations

import importlib
import re
import sys

from playwright.sync_api import expect
from sqlalchemy import func, select

# tests/browser has no __init__.py: pytest loads the weak-network test as "test_weak_network",
# and it imports this module halfway through; take its classes from that module, not a second copy.
_host = sys.modules.get("test_weak_network") or importlib.import_module("tests.browser.test_weak_network")
WeakForm, query = _host.WeakForm, _host.query


class SendQuestion(WeakForm):
    """A member's question, typed at length on the phone: sent once, whatever the line does."""

    name, path, role = "feedback question", "/feedback/new", "member"

    def typing(self):
        self.topic = f"Đường vào xóm sạt lở {self.unique}"
        return {"[name=topic]": self.topic,
                "[name=text]": "Sau trận mưa lớn, đoạn đường vào xóm bị sạt, xe máy không qua được."}

    def saved(self):
        from plugins.feedback.models import FeedbackQuestion

        return query(self.app, select(func.count(FeedbackQuestion.id)).where(FeedbackQuestion.topic == self.topic))

    def shows_result(self, page):
        page.wait_for_url(re.compile(r"/feedback/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(self.topic)


WEAK_FORMS: list = [SendQuestion]


class AnswerSurvey(WeakForm):
    """A member's answers to a survey: one set of answers is kept however often the line repeats it."""

    name, path, role = "feedback survey", "", "member"

    def open(self, page):
        from datetime import timedelta

        from core.extensions import db
        from core.org.models import Organisation
        from plugins.feedback.models import FeedbackSurvey, FeedbackSurveyQuestion
        from tests.support import local_today

        with self.app.app_context():
            branch = db.session.scalar(select(Organisation.id).where(Organisation.name == self.accounts["member"]["org"]))
            survey = FeedbackSurvey(org_id=branch, title=f"Khảo sát giờ họp {self.unique}", anonymous=True,
                                    opens_on=local_today() - timedelta(days=1), closes_on=local_today() + timedelta(days=7))
            db.session.add(survey)
            db.session.flush()
            choice = FeedbackSurveyQuestion(survey_id=survey.id, position=0, kind="single", text="Giờ họp",
                                            choices=["Buổi sáng", "Buổi tối"])
            text = FeedbackSurveyQuestion(survey_id=survey.id, position=1, kind="text", text="Góp ý thêm")
            db.session.add_all([choice, text])
            db.session.commit()
            self.survey_id, self.text_id = survey.id, text.id
            db.session.remove()
        self.path = f"/feedback/surveys/{self.survey_id}"
        super().open(page)

    def typing(self):
        return {f"[name=q{self.text_id}]": "Nên họp vào tối thứ Bảy để bà con đi làm về kịp."}

    def fill(self, page):
        page.get_by_text("Buổi tối").click()
        return super().fill(page)

    def saved(self):
        from plugins.feedback.models import FeedbackSurveyResponse

        return query(self.app, select(func.count(FeedbackSurveyResponse.id)).where(
            FeedbackSurveyResponse.survey_id == self.survey_id))

    def shows_result(self, page):
        expect(page.get_by_text("Đồng chí đã trả lời khảo sát này rồi").first).to_be_visible()


WEAK_FORMS.append(AnswerSurvey)
