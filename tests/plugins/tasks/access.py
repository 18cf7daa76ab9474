"""The tasks plugin's part of the access matrix (tests/security/plugin_parts.py collects this file).

A task is followed by staff holding tasks.assign over the organisation where it was given; a row
(one member's share) by its member and by staff over the row's branch. Only the member acts on
their own row (accepting, reporting, asking for more time), never a family helper; the staff
above review, decide and pass a branch's share on. A calendar entry and the feed address are
their owner's only; the feed itself is read by whoever holds the address (no sign-in)."""
from __future__ import annotations

from core.extensions import db
from tests.security.rules import Own, Public, Route, Rule, Scoped, Staff, Writes
from tests.security.world import Thing

ASSIGN = "tasks.assign"
FOLLOW = Scoped(ASSIGN)


class NotHelper(Rule):
    """Anyone signed in with a place of their own (a family helper has no tasks)."""

    def allows(self, case):
        return case.role != "family_helper"


RULES = {
    "tasks.index": Route(NotHelper()),
    "tasks.given": Route(Staff(ASSIGN)),
    "tasks.new": Route(FOLLOW, post=FOLLOW & Writes(), query={"org": "org"}),
    "tasks.task": Route(FOLLOW),
    "tasks.task_file": Route(FOLLOW),
    "tasks.row": Route(Own() | FOLLOW),
    "tasks.evidence": Route(Own() | FOLLOW),
    "tasks.accept": Route(None, post=Own() & Writes()),
    "tasks.report": Route(None, post=Own() & Writes()),
    "tasks.extend": Route(None, post=Own() & Writes()),
    "tasks.review": Route(None, post=FOLLOW),
    "tasks.decide": Route(None, post=FOLLOW),
    "tasks.pass_on": Route(None, post=FOLLOW),
    "tasks.entry_new": Route(NotHelper(), post=NotHelper()),
    "tasks.entry": Route(Own()),
    "tasks.entry_delete": Route(None, post=Own(), last=True),
    "tasks.feed": Route(NotHelper(), post=NotHelper()),
    "tasks.ical": Route(Public()),
}
PARAM_KINDS = {"task_id": "task", "row_id": "row", "entry_id": "entry", "feed_token": "icalfeed"}
DERIVED = {"report_id": lambda first: first.extra["report"]}
TAGS = {"task", "row", "entry"}
HIDDEN_BELOW = {"task", "row", "entry"}


def _task(org_id: int, staff_id: int | None, tag: str):
    from datetime import date, timedelta

    from core import files
    from plugins.tasks.models import TasksFile, TasksTask

    org = db.session.get(_org_model(), org_id)
    task = TasksTask(org_id=org_id, province_id=org.province_id or org_id, title=f"Việc thử quyền {tag} #{org_id}",
                     description="Nội dung", due_on=date.today() + timedelta(days=10), mode="members",
                     created_by_id=staff_id)
    db.session.add(task)
    db.session.flush()
    stored = files.save_bytes(b"%PDF-1.4 thu quyen", namespace="tasks", filename="mau.pdf",
                              mimetype="application/pdf")
    attached = TasksFile(task_id=task.id, file_id=stored.id, filename="mau.pdf")
    db.session.add(attached)
    db.session.flush()
    return task, attached


def _org_model():
    from core.org.models import Organisation

    return Organisation


def _tasks(orgs, staff, users) -> list[Thing]:
    found = []
    for org in orgs.values():
        task, attached = _task(org.id, staff[org.id], "task")
        found.append(Thing("task", task.id, org.id, extra={"attachment": attached.id}))
    return found


def _row(org_id: int, member_id: int, staff_id: int | None) -> tuple[int, int]:
    from core import files
    from plugins.tasks.models import TasksReport, TasksRow

    task, _attached = _task(org_id, staff_id, "row")
    row = TasksRow(task_id=task.id, org_id=org_id, member_id=member_id, due_on=task.due_on, state="new")
    db.session.add(row)
    db.session.flush()
    stored = files.save_bytes(b"%PDF-1.4 anh ket qua", namespace="tasks", filename="ket-qua.pdf",
                              mimetype="application/pdf")
    step = TasksReport(row_id=row.id, kind="report", percent=10, text="Báo cáo thử quyền", file_id=stored.id)
    db.session.add(step)
    db.session.flush()
    return row.id, step.id


def _rows(orgs, staff, users) -> list[Thing]:
    from core.auth.models import User
    from core.org.models import Member

    found = []
    for org in orgs.values():  # someone else's row in every organisation
        person = Member(org_id=org.id, full_name=f"Đảng viên thử quyền row #{org.id}")
        db.session.add(person)
        db.session.flush()
        row_id, report_id = _row(org.id, person.id, staff[org.id])
        found.append(Thing("row", row_id, org.id, extra={"report": report_id}))
    for user_id in {u for u in users.values() if u}:  # each member's own
        user = db.session.get(User, user_id)
        if user is None or user.is_helper or user.member_id is None:
            continue
        row_id, report_id = _row(user.home_org_id, user.member_id, staff.get(user.home_org_id))
        found.append(Thing("row", row_id, user.home_org_id, owner_id=user_id, extra={"report": report_id}))
    return found


def _entries(orgs, staff, users) -> list[Thing]:
    from datetime import timedelta

    from core.auth.models import User
    from core.org.models import utcnow
    from plugins.tasks.models import TasksEntry

    found = []
    for user_id in {u for u in users.values() if u}:
        user = db.session.get(User, user_id)
        if user is None or user.is_helper:
            continue
        entry = TasksEntry(user_id=user_id, title=f"Việc riêng thử quyền entry #{user.home_org_id}",
                           starts_at=utcnow() + timedelta(days=1))
        db.session.add(entry)
        db.session.flush()
        found.append(Thing("entry", entry.id, user.home_org_id, owner_id=user_id))
    return found


def _feeds(orgs, staff, users) -> list[Thing]:
    """One feed address, of an account of its own with nothing in its calendar (the feed is read
    without signing in, so it must show no one's marked objects)."""
    import secrets

    from core.auth.models import User
    from plugins.tasks.models import TasksFeed

    owner = User(login=f"lich-thu-{secrets.token_hex(4)}", display_name="Lịch thử quyền")
    db.session.add(owner)
    db.session.flush()
    token = secrets.token_urlsafe(32)
    db.session.add(TasksFeed(user_id=owner.id, token=token))
    db.session.flush()
    # Placed at the demo member's branch so that every role finds it in some relation (anyone
    # holding the address reads it: the rule is Public).
    member = db.session.get(User, users["member"])
    return [Thing("icalfeed", token, member.home_org_id)]


MAKERS = {"task": _tasks, "row": _rows, "entry": _entries, "icalfeed": _feeds}
