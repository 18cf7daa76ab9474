"""Who may see and act on a task or a row, in one place for every page of the plugin.

Staff (a branch secretary, administrators above) assign within their subtree through
`tasks.assign`: a task given at an organisation is followed by whoever holds the right there; a
row (a member's share, a branch's) is followed by whoever holds it over the row's branch. A
member reaches only their own rows (never a family helper: the issue gives them no tasks)."""
from __future__ import annotations

from sqlalchemy import exists, or_, select

from core.api import can, db, is_id, refuse, scope_ids
from plugins.tasks.models import TasksRow, TasksTask

ASSIGN = "tasks.assign"
MAX_TEXT = 50_000
MAX_FILE = 10 * 2 ** 20
FILE_KINDS = ("image", "pdf", "docx")


def own_member_id(user) -> int | None:
    """The member the user is, acting for themselves (None for a family helper or non-member)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_helper:
        return None
    return user.member_id


def _get(model, object_id):
    if not is_id(object_id):
        refuse(f"{model.__tablename__}:{object_id}")
    found = db.session.get(model, object_id)
    if found is None:
        refuse(f"{model.__tablename__}:{object_id}")
    return found


def followed_task(task_id, user) -> TasksTask:
    """A task given in the user's part of the tree (404 otherwise)."""
    task = _get(TasksTask, task_id)
    if can(user, ASSIGN, task.org_id):
        return task
    refuse(f"tasks_task:{task_id}")


def is_own(row: TasksRow, user) -> bool:
    member = own_member_id(user)
    return member is not None and row.member_id == member


def staff_over(row: TasksRow, user) -> bool:
    return can(user, ASSIGN, row.org_id)


def readable_row(row_id, user) -> TasksRow:
    """The user's own row, or a row in a branch they follow (404 otherwise)."""
    row = _get(TasksRow, row_id)
    if is_own(row, user) or staff_over(row, user):
        return row
    refuse(f"tasks_row:{row_id}")


def own_row(row_id, user) -> TasksRow:
    """A member row of the user's own (404 otherwise)."""
    row = _get(TasksRow, row_id)
    if is_own(row, user):
        return row
    refuse(f"tasks_row:{row_id}")


def followed_row(row_id, user) -> TasksRow:
    """A row in a branch the user follows as staff (404 otherwise)."""
    row = _get(TasksRow, row_id)
    if staff_over(row, user):
        return row
    refuse(f"tasks_row:{row_id}")


def sees_task(task: TasksTask, user) -> bool:
    """May the user read the task's text and files: its assigner's side, or anyone it reached."""
    if can(user, ASSIGN, task.org_id):
        return True
    mine = TasksRow.member_id == own_member_id(user) if own_member_id(user) is not None else None
    followed = TasksRow.org_id.in_(scope_ids(user, ASSIGN))
    condition = or_(mine, followed) if mine is not None else followed
    return bool(db.session.scalar(select(exists().where(TasksRow.task_id == task.id, condition))))
