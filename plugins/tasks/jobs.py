"""The tasks plugin's scheduled jobs, run once a day per province where the plugin is enabled.

- `remind`: members whose task is due within the province's `tasks.remind_days` days (2 unless
  its administrator sets 0 to 14; 0: on the day) are reminded (a kind they may turn off, keeping
  only the notice when it is late); members and branch secretaries whose task is late are told
  once per deadline.
- `repeat`: a repeated task whose deadline has come gets its next occurrence (same people,
  the deadline a month, a quarter or a year later).

Both are safe to run twice: each notice carries a key naming the task, the deadline and the
person, and an occurrence is made once (`repeat_of_id` is unique)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.api import (SECRETARY, Audience, JobContext, Organisation, User, db, notify_audience, setting,
                      today_local)
from plugins.tasks.models import OPEN, TO_MEMBERS, TasksRow, TasksTask
from plugins.tasks.service import INDEX_URL, LATE_KIND, REMINDER_KIND, new_task

REMIND_SETTING = "tasks.remind_days"
REMIND_DAYS = 2  # its default
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def _notices(province_id: int, today: date, days: int) -> dict:
    """(kind, task id, deadline) → (member accounts, branch ids) to tell: late, or due within `days`."""
    soon, late = today + timedelta(days=days), today
    found = db.session.execute(
        select(TasksRow.task_id, TasksRow.due_on, TasksRow.member_id, TasksRow.org_id, User.id)
        .join(TasksTask, TasksTask.id == TasksRow.task_id)
        .outerjoin(User, (User.member_id == TasksRow.member_id) & User.helped_member_id.is_(None)
                   & User.is_enabled.is_(True))
        .where(TasksTask.province_id == province_id, TasksRow.state.in_(OPEN),
               (TasksRow.due_on < late) | ((TasksRow.due_on >= today) & (TasksRow.due_on <= soon))))
    grouped: dict = defaultdict(lambda: (set(), set()))
    for task_id, due_on, member_id, org_id, user_id in found:
        kind = LATE_KIND if due_on < today else REMINDER_KIND
        users, branches = grouped[(kind, task_id, due_on)]
        if member_id is None:
            branches.add(org_id)
        elif user_id is not None:
            users.add(user_id)
    return grouped


def remind(ctx: JobContext) -> dict:
    """Remind of the tasks due soon, and tell of the late ones, in the province."""
    province_id = ctx.record.province_id
    today = today_local(province_id)
    grouped = _notices(province_id, today, setting(REMIND_SETTING, province_id))
    titles = dict(db.session.execute(select(TasksTask.id, TasksTask.title).where(
        TasksTask.id.in_({key[1] for key in grouped}))).all()) if grouped else {}
    told = 0
    for number, ((kind, task_id, due_on), (users, branches)) in enumerate(sorted(grouped.items()), 1):
        title = (_("Late: %(title)s (deadline %(day)s)", title=titles[task_id], day=due_on.strftime("%d/%m/%Y"))
                 if kind == LATE_KIND else
                 _("Due soon: %(title)s (deadline %(day)s)", title=titles[task_id], day=due_on.strftime("%d/%m/%Y")))
        key = f"{kind}:t{task_id}:{due_on.isoformat()}"
        if users:
            told += notify_audience(kind, title, Audience(user_ids=tuple(sorted(users))), url=INDEX_URL,
                                    dedupe_key=key)
        if branches:
            told += notify_audience(kind, title, Audience(org_ids=tuple(sorted(branches)), roles=(SECRETARY,)),
                                    url=INDEX_URL, dedupe_key=f"{key}:b")
        ctx.progress(number * 100 // len(grouped))
    db.session.commit()
    return {"groups": len(grouped), "told": told}


def next_due(due_on: date, repeat: str) -> date:
    """The same day a month, a quarter or a year later (the month's last day if it is shorter)."""
    months = due_on.month - 1 + MONTHS[repeat]
    year, month = due_on.year + months // 12, months % 12 + 1
    for day in (due_on.day, 30, 29, 28):
        try:
            return date(year, month, min(day, due_on.day))
        except ValueError:
            continue
    raise ValueError(due_on)


def repeat(ctx: JobContext) -> dict:
    """Give the next occurrence of every repeated task of the province whose deadline has come."""
    province_id = ctx.record.province_id
    today = today_local(province_id)
    made = set(db.session.scalars(select(TasksTask.repeat_of_id).where(TasksTask.repeat_of_id.is_not(None),
                                                                       TasksTask.province_id == province_id)))
    due = [t for t in db.session.scalars(select(TasksTask).where(
        TasksTask.province_id == province_id, TasksTask.repeat.in_(tuple(MONTHS)), TasksTask.due_on <= today)
        .order_by(TasksTask.id)) if t.id not in made]
    created = 0
    for number, task in enumerate(due, 1):
        org = db.session.get(Organisation, task.org_id)
        members = (list(db.session.scalars(select(TasksRow.member_id).where(
            TasksRow.task_id == task.id, TasksRow.branch_row_id.is_(None), TasksRow.member_id.is_not(None))))
            if task.mode == TO_MEMBERS else ())
        try:
            with db.session.begin_nested():
                new_task(org, title=task.title, description=task.description, method=task.method,
                         due_on=next_due(task.due_on, task.repeat), due_time=task.due_time, mode=task.mode,
                         repeat=task.repeat,
                         created_by_id=task.created_by_id, member_ids=members, repeat_of_id=task.id)
            created += 1
        except IntegrityError:  # a concurrent run made it a moment ago
            continue
        ctx.progress(number * 100 // len(due))
    db.session.commit()
    return {"created": created}
