"""A question's way up the tree and back: send, receive, forward, escalate, answer, reply, close.

Each function changes the rows in the caller's transaction (the view or job commits) and tells
the people concerned through the inbox, never naming an asker who chose not to be named."""
from __future__ import annotations

from flask_babel import gettext as _

from core.api import Organisation, ancestors, db, notify, role_holders, utcnow
from plugins.feedback.access import STAFF_ROLES
from plugins.feedback.models import (ANSWERED, CLOSED, FORWARDED, RECEIVED, SENT, FeedbackQuestion,
                                     FeedbackReach, FeedbackStep)


class RoutingError(ValueError):
    """A step that cannot be taken; str() is the Vietnamese message for the form."""


def _step(question, kind, org_id=None, to_org_id=None, actor_id=None, text=""):
    step = FeedbackStep(question_id=question.id, kind=kind, org_id=org_id, to_org_id=to_org_id,
                        actor_id=actor_id, text=text or "")
    db.session.add(step)
    return step


def question_url(question) -> str:
    """The question's page (a plain path: jobs have no request to build URLs from)."""
    return f"/feedback/{question.id}"


def _tell_desk(question, org_id: int, title: str, key: str | None = None) -> None:
    """Tell whoever answers at `org_id` (no asker's name: the title names the topic only)."""
    for holder in sorted({h.user_id for h in role_holders(org_id, STAFF_ROLES)}):
        notify("feedback.new", title, url=question_url(question), user_id=holder,
               dedupe_key=f"{key}:{holder}" if key else None)


def send(*, asker_id, org_id, topic, text, kind="question", show_name=False, file_id=None,
         source="web") -> FeedbackQuestion:
    """File a question at the asker's branch."""
    question = FeedbackQuestion(org_id=org_id, holder_org_id=org_id, asker_id=asker_id, kind=kind,
                                topic=topic, text=text, show_name=show_name, file_id=file_id,
                                source=source, status=SENT, held_since=utcnow())
    db.session.add(question)
    db.session.flush()
    db.session.add(FeedbackReach(question_id=question.id, org_id=org_id))
    _step(question, "sent", to_org_id=org_id, actor_id=asker_id)
    _tell_desk(question, org_id, _("New question: %(topic)s", topic=topic))
    return question


def mark_received(question, actor_id) -> bool:
    """The level holding it opened it for the first time."""
    if question.status not in (SENT, FORWARDED):
        return False
    question.status = RECEIVED
    _step(question, "received", org_id=question.holder_org_id, actor_id=actor_id)
    return True


def levels_above(question) -> list[Organisation]:
    """Where the holder may forward it: only the levels above it, nearest first."""
    holder = db.session.get(Organisation, question.holder_org_id)
    return list(reversed(ancestors(holder)[:-1])) if holder else []


def move_up(question, target_id: int, *, actor_id=None, note="", kind="forwarded") -> None:
    """Forward (or escalate) to `target_id`, which must be a level above the holder."""
    if question.status not in (SENT, RECEIVED, FORWARDED):
        raise RoutingError(_("This question is no longer waiting for an answer."))
    above = {org.id for org in levels_above(question)}
    if target_id not in above:
        raise RoutingError(_("A question can only be passed to a level above the one holding it."))
    from_id = question.holder_org_id
    question.holder_org_id = target_id
    question.status = FORWARDED
    question.held_since = utcnow()
    if db.session.get(FeedbackReach, (question.id, target_id)) is None:
        db.session.add(FeedbackReach(question_id=question.id, org_id=target_id))
    _step(question, kind, org_id=from_id, to_org_id=target_id, actor_id=actor_id, text=note)
    title = (_("Question passed up to you: %(topic)s", topic=question.topic) if kind == "forwarded"
             else _("Overdue question moved up to you: %(topic)s", topic=question.topic))
    _tell_desk(question, target_id, title,
               key=f"feedback:{question.id}:{kind}:{target_id}" if kind == "escalated" else None)


def answer(question, text: str, actor_id) -> None:
    if question.status not in (SENT, RECEIVED, FORWARDED):
        raise RoutingError(_("This question has already been answered."))
    question.status = ANSWERED
    question.answered_at = utcnow()
    _step(question, "answered", org_id=question.holder_org_id, actor_id=actor_id, text=text)
    if question.asker_id is not None:
        notify("feedback.answered", _("Your question was answered: %(topic)s", topic=question.topic),
               url=question_url(question), user_id=question.asker_id)


def reply(question, text: str, actor_id) -> None:
    """The asker writes once more after the answer: it goes back to the level that answered."""
    if question.status != ANSWERED:
        raise RoutingError(_("You can reply only after the answer has come."))
    if question.replied:
        raise RoutingError(_("You have already replied once to this answer."))
    question.replied = True
    question.status = RECEIVED
    question.held_since = utcnow()
    _step(question, "replied", to_org_id=question.holder_org_id, actor_id=actor_id, text=text)
    _tell_desk(question, question.holder_org_id, _("The member replied: %(topic)s", topic=question.topic))


def rate(question, helped: bool, actor_id) -> None:
    """The asker says whether the answer helped; the question is closed."""
    if question.status != ANSWERED:
        raise RoutingError(_("You can say this only after the answer has come."))
    question.helpful = helped
    question.status = CLOSED
    _step(question, "helped" if helped else "not_helped", actor_id=actor_id)


def close(question, actor_id, note="") -> None:
    if question.status == CLOSED:
        raise RoutingError(_("This question is already closed."))
    question.status = CLOSED
    _step(question, "closed", org_id=question.holder_org_id, actor_id=actor_id, text=note)
