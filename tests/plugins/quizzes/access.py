"""The quizzes plugin's part of the access matrix (tests/security/plugin_parts.py collects this
file). Organisers (administrators) write banks and run contests in their subtree and read the
results there; a contestant (a member with a branch, never a family helper) takes a contest
issued by their branch or a level above; an attempt is its contestant's alone."""
from __future__ import annotations

from datetime import timedelta

from core.extensions import db
from tests.security.rules import ADMINS, Own, Route, Rule, Scoped, SignedIn, Staff
from tests.security.world import Thing

ORGANISE = "quizzes.organise"
# The demo roles with a member record (the contestants); administrators have none.
MEMBERS = {"member", "secretary", "secretary_other_branch", "member_other_branch"}


class Addressed(Rule):
    """A contest for every member, issued by the contestant's branch or a level above."""

    def allows(self, case):
        return case.role in MEMBERS and case.relation in ("same", "parent")


STAFF = Staff(ORGANISE, ADMINS)
MANAGES = Scoped(ORGANISE, ADMINS)

RULES = {
    "quizzes.index": Route(SignedIn()),
    "quizzes.contest": Route(Addressed() | MANAGES),
    "quizzes.start": Route(None, post=Addressed()),
    "quizzes.overview": Route(Own()),
    "quizzes.question": Route(Own()),
    "quizzes.paper": Route(Own(), post=Own()),
    "quizzes.save_paper": Route(None, post=Own()),
    "quizzes.answer": Route(None, post=Own()),
    "quizzes.submit": Route(None, post=Own(), last=True),
    "quizzes.result": Route(Own()),
    "quizzes.bank": Route(STAFF),
    "quizzes.question_new": Route(STAFF),
    "quizzes.question_edit": Route(MANAGES),
    "quizzes.contests": Route(STAFF),
    "quizzes.contest_new": Route(STAFF),
    "quizzes.people_found": Route(STAFF),
    "quizzes.results_page": Route(MANAGES),
    "quizzes.practice": Route(SignedIn()),
    "quizzes.import_questions": Route(STAFF),
    "quizzes.import_template": Route(STAFF),
    "quizzes.export": Route(MANAGES),
}
PARAM_KINDS = {"contest_id": "contest", "attempt_id": "attempt", "quiz_question_id": "quizq"}
DERIVED = {"position": lambda attempt: 1}
TAGS = {"contest", "quizq"}
HIDDEN_BELOW = {"quizq"}


def _question(org_id: int, text: str) -> int:
    from plugins.quizzes.models import QuizQuestion

    question = QuizQuestion(org_id=org_id, topic="Thử quyền", text=text, options=["Có", "Không"], correct=[0],
                            practice=False)
    db.session.add(question)
    db.session.flush()
    return question.id


def _contest(org_id: int, title: str, **extra):
    from core.org.models import utcnow
    from core.org.roster import Audience
    from plugins.quizzes.models import QuizContest

    contest = QuizContest(org_id=org_id, title=title, audience=Audience(org_ids=(org_id,)).as_json(),
                          opens_at=utcnow() - timedelta(hours=1), closes_at=utcnow() + timedelta(days=2),
                          minutes=600, question_count=1, **extra)
    db.session.add(contest)
    db.session.flush()
    return contest


def _questions(orgs, staff, users) -> list[Thing]:
    return [Thing("quizq", _question(org.id, f"Câu hỏi thử quyền quizq #{org.id}"), org.id) for org in orgs.values()]


def _contests(orgs, staff, users) -> list[Thing]:
    found = []
    for org in orgs.values():
        _question(org.id, f"Câu hỏi thử quyền quizq #{org.id}")
        found.append(Thing("contest", _contest(org.id, f"Cuộc thi thử quyền contest #{org.id}").id, org.id))
    return found


def _attempts(orgs, staff, users) -> list[Thing]:
    """An attempt running in every organisation (its staff account's), and one of each demo member's."""
    from core.auth.models import User
    from core.org.models import utcnow
    from plugins.quizzes.models import QuizAttempt

    owners = [(staff[org.id], org.id) for org in orgs.values() if staff.get(org.id)]
    for user_id in {u for u in users.values() if u}:
        user = db.session.get(User, user_id)
        if user is not None and not user.is_helper and user.member_id is not None:
            owners.append((user_id, user.home_org_id))
    found = []
    for owner, org_id in owners:
        question = _question(org_id, f"Câu hỏi thử quyền quizq #{org_id}")
        contest = _contest(org_id, f"Cuộc thi thử quyền contest #{org_id}")
        attempt = QuizAttempt(contest_id=contest.id, user_id=owner, org_id=org_id, question_ids=[question],
                              orders={str(question): [1, 0]}, started_at=utcnow(),
                              deadline=utcnow() + timedelta(hours=10))
        db.session.add(attempt)
        db.session.flush()
        found.append(Thing("attempt", attempt.id, org_id, owner_id=owner))
    return found


MAKERS = {"quizq": _questions, "contest": _contests, "attempt": _attempts}
