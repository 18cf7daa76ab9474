"""The feedback plugin's part of the access matrix (tests/security/plugin_parts.py collects this
file). A question is read by its asker and by the levels it has reached (the matrix places each
one at the level that holds it, which it has reached); only that level acts on it, only the asker
replies. Published answers reach the branch they were published for and everything below it."""
from __future__ import annotations

from core.extensions import db
from tests.security.rules import ADMINS, STAFF, STAFF_OF, Own, Route, Rule, Scoped, SignedIn, Staff, Writes
from tests.security.world import Thing

ANSWER = "feedback.answer"
# The demo roles who ask in their own name: a member account with a branch, never a helper.
ASKERS = {"member", "member_other_branch", "secretary", "secretary_other_branch"}


class Asker(Rule):
    """Someone who asks in their own name (a member of a branch, not a family helper)."""

    def allows(self, case):
        return case.role in ASKERS and case.relation in (None, "own", "same")


class AtDesk(Rule):
    """Staff at the level a question has reached (not a level above or below it)."""

    def allows(self, case):
        return STAFF_OF.get(case.role) in STAFF and case.relation in (None, "same")


class ReadsFaq(Rule):
    """Published for the reader's home organisation or a level above it, or in the part of the
    tree they answer for."""

    def allows(self, case):
        return case.relation in ("same", "parent") or (STAFF_OF.get(case.role) in STAFF and case.relation == "child")


class Addressed(Rule):
    """A survey for the reader's home organisation or a level above it."""

    def allows(self, case):
        return case.relation in ("same", "parent")


class Answers(Rule):
    """A member answering a survey addressed to their branch (or a level above it)."""

    def allows(self, case):
        return case.role in ASKERS and case.relation in ("same", "parent")


OWN_OR_DESK = Own() | AtDesk()
MANAGES = Scoped("feedback.manage", ADMINS)
ACTS = AtDesk() | (Own() & Staff(ANSWER))  # the holder; a secretary's own question is held by their branch

RULES = {
    "feedback.index": Route(Asker()),
    "feedback.new": Route(Asker(), post=Asker() & Writes()),
    "feedback.show": Route(OWN_OR_DESK),
    "feedback.attachment": Route(OWN_OR_DESK),
    "feedback.answer": Route(None, post=ACTS),
    "feedback.forward": Route(None, post=ACTS),
    "feedback.close": Route(None, post=ACTS),
    "feedback.reply": Route(None, post=Own()),
    "feedback.rate": Route(None, post=Own()),
    "feedback.publish": Route(ACTS, post=ACTS),
    "feedback.desk": Route(Staff(ANSWER)),
    "feedback.export": Route(Staff(ANSWER)),
    "feedback.overdue": Route(Staff(ANSWER)),
    "feedback.faq": Route(SignedIn()),
    "feedback.faq_item": Route(ReadsFaq()),
    "feedback.surveys": Route(SignedIn()),
    "feedback.survey_new": Route(Staff("feedback.manage", ADMINS)),
    "feedback.survey": Route(Addressed() | MANAGES, post=Answers()),
    "feedback.survey_results": Route(MANAGES),
    "feedback.survey_export": Route(MANAGES),
    "feedback.drafts": Route(SignedIn()),
    "feedback.draft_new": Route(Staff("feedback.manage", ADMINS)),
    "feedback.draft": Route(Addressed() | MANAGES, post=Answers()),
    "feedback.draft_comments": Route(MANAGES),
    "feedback.draft_export": Route(MANAGES),
}
PARAM_KINDS = {"question_id": "question", "faq_id": "faq", "survey_id": "survey", "draft_id": "draft"}
TAGS = {"question", "faq", "survey", "opendraft"}
HIDDEN_BELOW = {"question"}


def _question(org_id: int, asker_id: int | None, text: str) -> int:
    from core import files
    from plugins.feedback.models import FeedbackQuestion, FeedbackReach, FeedbackStep

    stored = files.save_bytes(b"%PDF-1.4 thu quyen", namespace="feedback", filename="thu.pdf",
                              mimetype="application/pdf")
    question = FeedbackQuestion(org_id=org_id, holder_org_id=org_id, asker_id=asker_id, topic=text,
                                text=text, file_id=stored.id, status="received")
    db.session.add(question)
    db.session.flush()
    db.session.add(FeedbackReach(question_id=question.id, org_id=org_id))
    db.session.add(FeedbackStep(question_id=question.id, kind="sent", to_org_id=org_id, actor_id=asker_id))
    return question.id


def _questions(orgs, staff, users) -> list[Thing]:
    from core.auth.models import User

    found = []
    for org in orgs.values():
        found.append(Thing("question", _question(org.id, staff[org.id], f"Câu hỏi thử quyền question #{org.id}"),
                           org.id, owner_id=staff[org.id]))
    for user_id in {u for u in users.values() if u}:
        user = db.session.get(User, user_id)
        if user is None or user.is_helper or user.member_id is None:
            continue
        found.append(Thing("question", _question(user.home_org_id, user_id,
                                                 f"Câu hỏi thử quyền question #{user.home_org_id}"),
                           user.home_org_id, owner_id=user_id))
    return found


def _faqs(orgs, staff, users) -> list[Thing]:
    from plugins.feedback.models import FeedbackFaq

    found = []
    for org in orgs.values():
        item = FeedbackFaq(org_id=org.id, topic=f"Hỏi đáp thử quyền faq #{org.id}", question_text="Hỏi",
                           answer_text="Đáp", search_text="hoi dap")
        db.session.add(item)
        db.session.flush()
        found.append(Thing("faq", item.id, org.id))
    return found


def _surveys(orgs, staff, users) -> list[Thing]:
    from datetime import date, timedelta

    from plugins.feedback.models import FeedbackSurvey, FeedbackSurveyQuestion

    found = []
    for org in orgs.values():
        survey = FeedbackSurvey(org_id=org.id, title=f"Khảo sát thử quyền survey #{org.id}",
                                opens_on=date.today() - timedelta(days=2), closes_on=date.today() + timedelta(days=30),
                                anonymous=True)
        db.session.add(survey)
        db.session.flush()
        db.session.add(FeedbackSurveyQuestion(survey_id=survey.id, position=0, kind="scale", text="Hài lòng?"))
        found.append(Thing("survey", survey.id, org.id))
    return found


def _drafts(orgs, staff, users) -> list[Thing]:
    from datetime import date, timedelta

    from plugins.feedback.models import FeedbackDraft

    found = []
    for org in orgs.values():
        draft = FeedbackDraft(org_id=org.id, title=f"Dự thảo thử quyền opendraft #{org.id}", sections=["Phần I"],
                              opens_on=date.today() - timedelta(days=2), closes_on=date.today() + timedelta(days=30))
        db.session.add(draft)
        db.session.flush()
        found.append(Thing("draft", draft.id, org.id))
    return found


MAKERS = {"question": _questions, "faq": _faqs, "survey": _surveys, "draft": _drafts}
