"""Who may see and act on a question, and whose name they read, in one place for every page.

Staff work at the organisations where they hold `feedback.answer` (the secretary at the branch,
administrators at their level): `granted_org_ids`. A level sees a question once it has reached
that level (a row in `feedback_reach`), not while it is still held below; the level above the
holder also sees it once it is overdue. Only the level holding a question acts on it. The
asker's name is shown to the asker's branch, and above it only if the asker allowed it."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from core.api import (ADMIN, SECRETARY, Organisation, User, current_province_id, db, granted_org_ids, is_id,
                      publishing_ids, refuse, scope_ids, setting, today_local, utcnow)
from plugins.feedback.models import OPEN_STATES, FeedbackQuestion, FeedbackReach

ANSWER = "feedback.answer"  # receive, answer, forward, publish the questions that reach a level
MANAGE = "feedback.manage"  # surveys and drafts of a part of the tree
STAFF_ROLES = (ADMIN, SECRETARY)
MAX_TEXT = 20_000
MAX_FILE = 10 * 2 ** 20
FILE_KINDS = ("image", "pdf", "docx")


def desk_ids(user) -> list[int]:
    """The organisations at which `user` answers questions (not their subtrees)."""
    return granted_org_ids(user, ANSWER)


def own_user_id(user) -> int | None:
    """The account that asks in its own name: a party member's (None for a family helper, who
    never asks, and for a staff account that is no member)."""
    if (user is None or not getattr(user, "is_authenticated", False) or user.is_helper
            or user.member_id is None):
        return None
    return user.id


def deadline_days(org_id: int) -> int:
    return int(setting("feedback.deadline_days", org_id) or 7)


def overdue_cutoff(province_id: int):
    return utcnow() - timedelta(days=deadline_days(province_id))


def reached_condition(user):
    """The questions that reached one of the user's desks (within their scope)."""
    desks = desk_ids(user)
    return exists().where(FeedbackReach.question_id == FeedbackQuestion.id,
                          FeedbackReach.org_id.in_(desks),
                          FeedbackReach.org_id.in_(scope_ids(user, ANSWER)))


def overdue_condition(user, province_id: int):
    """Open questions past the deadline, held by one of the user's desks or a level just below."""
    desks = desk_ids(user)
    below = select(Organisation.id).where(Organisation.parent_id.in_(desks))
    return (FeedbackQuestion.status.in_(OPEN_STATES)
            & (FeedbackQuestion.held_since < overdue_cutoff(province_id))
            & or_(FeedbackQuestion.holder_org_id.in_(desks), FeedbackQuestion.holder_org_id.in_(below))
            & FeedbackQuestion.holder_org_id.in_(scope_ids(user, ANSWER)))


def staff_questions(user):
    """The statement of every question that reached the user's desks."""
    return select(FeedbackQuestion).where(reached_condition(user))


def _get(question_id) -> FeedbackQuestion:
    if not is_id(question_id):
        refuse(f"feedback_question:{question_id}")
    question = db.session.get(FeedbackQuestion, question_id)
    if question is None:
        refuse(f"feedback_question:{question_id}")
    return question


def is_asker(question: FeedbackQuestion, user) -> bool:
    return own_user_id(user) is not None and question.asker_id == user.id


def staff_sees(question: FeedbackQuestion, user, province_id: int | None = None) -> bool:
    """Has the question reached one of the user's desks, or is it overdue just below one?"""
    if not desk_ids(user):
        return False
    if db.session.scalar(select(FeedbackQuestion.id).where(
            FeedbackQuestion.id == question.id, reached_condition(user))):
        return True
    if province_id is None:
        return False
    return bool(db.session.scalar(select(FeedbackQuestion.id).where(
        FeedbackQuestion.id == question.id, overdue_condition(user, province_id))))


def readable_question(question_id, user, province_id: int | None = None) -> FeedbackQuestion:
    """A question the user asked, or one that reached them (404 otherwise)."""
    question = _get(question_id)
    if is_asker(question, user) or staff_sees(question, user, province_id):
        return question
    refuse(f"feedback_question:{question_id}")


def held_question(question_id, user) -> FeedbackQuestion:
    """A question held by one of the user's desks: the only level that acts on it (404 otherwise)."""
    question = _get(question_id)
    if question.holder_org_id in desk_ids(user) and staff_sees(question, user):
        return question
    refuse(f"feedback_question:{question_id}")


def asked_question(question_id, user) -> FeedbackQuestion:
    """A question the user asked in their own name (404 otherwise)."""
    question = _get(question_id)
    if is_asker(question, user):
        return question
    refuse(f"feedback_question:{question_id}")


def name_visible(question: FeedbackQuestion, user) -> bool:
    """The asker, the asker's branch, and the levels above only if the asker allowed it."""
    if is_asker(question, user):
        return True
    return question.show_name or question.org_id in desk_ids(user)


def asker_label(question: FeedbackQuestion, user, branch_name: str | None = None) -> str:
    """Who asked, as this reader may know it (pages, exports and notifications alike)."""
    if branch_name is None:
        branch = db.session.get(Organisation, question.org_id)
        branch_name = branch.name if branch else ""
    if name_visible(question, user) and question.asker_id is not None:
        asker = db.session.get(User, question.asker_id)
        if asker is not None:
            return _("%(name)s, %(branch)s", name=asker.display_name, branch=branch_name)
    return _("A party member of %(branch)s (name not shown)", branch=branch_name)


# Surveys and drafts: addressed to a part of the tree, open between two dates.
def addressed_condition(model, user):
    """A survey or draft for the user's branch (or a level above it), or one the user manages."""
    return or_(model.org_id.in_(publishing_ids(user)), model.org_id.in_(scope_ids(user, MANAGE)))


def get_addressed(model, object_id, user):
    """The survey or draft `object_id` if it is addressed to `user` (404 otherwise)."""
    if not is_id(object_id):
        refuse(f"{model.__tablename__}:{object_id}")
    found = db.session.scalar(select(model).where(model.id == object_id, addressed_condition(model, user)))
    if found is None:
        refuse(f"{model.__tablename__}:{object_id}")
    return found


def period_state(obj) -> str:
    """"planned", "open" or "closed": where the province's today lies in `opens_on`..`closes_on`."""
    today = today_local(current_province_id())
    if today < obj.opens_on:
        return "planned"
    return "open" if today <= obj.closes_on else "closed"
