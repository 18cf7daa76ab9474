"""What happens to tasks, apart from the pages: giving one (to members, a branch, every branch
below), passing it on, reports and decisions, the branch's progress following its members'.

Every function works in the caller's transaction; the view commits once."""
from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import Time, case, cast, func, insert, literal, select, update

from core.api import (SECRETARY, Audience, Level, Member, Organisation, User, db, notify, notify_audience,
                      now_local, roster, subtree_ids, today_local, utcnow, ancestor_ids, zone)
from plugins.tasks.models import (ACCEPTED, DONE, NEW, OPEN, PASSED, RETURNED, SUBMITTED, TO_BRANCH,
                                  TO_BRANCHES, WORKING, TasksReport, TasksRow, TasksTask)

ASSIGNED_KIND = "tasks.assigned"
REMINDER_KIND = "tasks.reminder"
LATE_KIND = "tasks.late"
REPORT_KIND = "tasks.report"
INDEX_URL = "/tasks/"  # plain paths: jobs make notifications too, outside a request


class TaskError(ValueError):
    """A step refused, with the Vietnamese message for the form (and the HTTP status)."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def local_now(province_id: int | None) -> datetime:
    """The province's wall-clock time now (naive), what deadlines are compared with."""
    return now_local(province_id).replace(tzinfo=None)


def late_condition(now: datetime):
    """SQL: an open row whose deadline has passed (`now`: the province's wall clock, `local_now`):
    its day is over, or it is today and its time of day has gone by."""
    today = now.date()
    return TasksRow.state.in_(OPEN) & ((TasksRow.due_on < today) | (
        (TasksRow.due_on == today) & TasksRow.due_time.is_not(None) & (TasksRow.due_time < now.time())))


def is_late(row, now: datetime) -> bool:
    """The same as `late_condition`, for a row already loaded."""
    if row.state not in OPEN:
        return False
    return row.due_on < now.date() or (row.due_on == now.date() and row.due_time is not None
                                       and row.due_time < now.time())


def deadline(item) -> str:
    """A task's or a row's deadline as people read it: 25/12/2026, or 25/12/2026 16:30."""
    day = item.due_on.strftime("%d/%m/%Y")
    return f"{day} {item.due_time.strftime('%H:%M')}" if item.due_time is not None else day


def local_day(column, province_id: int | None):
    """SQL: the province's date of a stored (naive UTC) time. Its UTC date is a day behind in
    Vietnam from 17:00 UTC on. The zone's present offset is used (Vietnam keeps one all year)."""
    shift = zone(province_id).utcoffset(utcnow())
    if db.session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(shift.total_seconds() // 60):+d} minutes")
    return func.date(column + shift)


def local_clock(column, province_id: int | None):
    """SQL: the province's wall-clock time of a stored (naive UTC) time (as `local_day`)."""
    shift = zone(province_id).utcoffset(utcnow())
    if db.session.get_bind().dialect.name == "sqlite":
        return func.time(column, f"{int(shift.total_seconds() // 60):+d} minutes")
    return cast(column + shift, Time)


def done_in_time(province_id: int | None):
    """SQL: a finished row, done by its deadline in the province's time: on an earlier day, or on
    the day itself (by its time of day, when it has one)."""
    day = local_day(TasksRow.done_at, province_id)
    return (TasksRow.state == DONE) & ((day < TasksRow.due_on) | (
        (day == TasksRow.due_on) & (TasksRow.due_time.is_(None)
                                    | (local_clock(TasksRow.done_at, province_id) <= TasksRow.due_time))))


def new_task(org: Organisation, *, title: str, description: str, due_on: date, method: str = "",
             mode: str, repeat: str, created_by_id: int | None, member_ids=(),
             repeat_of_id: int | None = None, due_time: time | None = None) -> TasksTask:
    """Give a task at `org` and make its rows; the people it reaches are told in their inbox."""
    task = TasksTask(org_id=org.id, province_id=org.province_id or org.id, title=title,
                     description=description, method=method, due_on=due_on, due_time=due_time, mode=mode, repeat=repeat,
                     created_by_id=created_by_id, repeat_of_id=repeat_of_id)
    db.session.add(task)
    db.session.flush()
    if mode == TO_BRANCHES:
        _branch_rows(task, org)
    else:
        if mode == TO_BRANCH:
            member_ids = [e.member_id for e in roster(org.id)]
        _member_rows(task, org.id, member_ids, parent_id=None)
    return task


def _branch_rows(task: TasksTask, org: Organisation) -> int:
    """One row per active branch under `org` (a single INSERT … SELECT, whatever their number),
    and one notice to each branch secretary."""
    branches = select(literal(task.id), Organisation.id, literal(NEW), literal(0),
                      literal(task.due_on), literal(task.due_time, Time), literal(""), literal(utcnow())).where(
        Organisation.id.in_(subtree_ids(org.id)), Organisation.level == Level.BRANCH.value,
        Organisation.active.is_(True))
    result = db.session.execute(insert(TasksRow).from_select(
        ["task_id", "org_id", "state", "percent", "due_on", "due_time", "note", "updated_at"], branches))
    notify_audience(ASSIGNED_KIND, _("New task for your branch: %(title)s", title=task.title),
                    Audience(org_ids=(org.id,), roles=(SECRETARY,)), url=INDEX_URL,
                    dedupe_key=f"tasks.assigned:t{task.id}")
    return result.rowcount or 0


def _member_rows(task: TasksTask, org_id: int, member_ids, parent_id: int | None) -> int:
    """One row per member (each in their own branch), in bulk; each member is told."""
    member_ids = sorted({int(m) for m in member_ids})
    if not member_ids:
        return 0
    branches = dict(db.session.execute(select(Member.id, Member.org_id).where(Member.id.in_(member_ids))).all())
    already = set(db.session.scalars(select(TasksRow.member_id).where(
        TasksRow.task_id == task.id, TasksRow.member_id.in_(member_ids))))
    now = utcnow()
    rows = [{"task_id": task.id, "org_id": branches[m], "member_id": m, "branch_row_id": parent_id, "state": NEW,
             "percent": 0, "due_on": task.due_on, "due_time": task.due_time, "note": "", "updated_at": now}
            for m in member_ids if m in branches and m not in already]
    if rows:
        db.session.execute(insert(TasksRow), rows)
        users = list(db.session.scalars(select(User.id).where(
            User.member_id.in_([r["member_id"] for r in rows]), User.helped_member_id.is_(None))))
        if users:
            notify_audience(ASSIGNED_KIND, _("New task: %(title)s", title=task.title),
                            Audience(user_ids=tuple(users)), url=INDEX_URL,
                            dedupe_key=f"tasks.assigned:t{task.id}:p{parent_id or 0}")
    return len(rows)


def pass_on(branch_row: TasksRow, member_ids, actor_id: int) -> int:
    """The branch secretary gives the branch's share to members of the branch."""
    if branch_row.member_id is not None:
        raise TaskError(_("Only a task given to the whole branch is passed on."), 400)
    if branch_row.state == DONE:
        raise TaskError(_("This task is already done."))
    task = db.session.get(TasksTask, branch_row.task_id)
    mates = set(db.session.scalars(select(Member.id).where(Member.org_id == branch_row.org_id,
                                                           Member.id.in_([int(m) for m in member_ids]))))
    made = _member_rows(task, branch_row.org_id, mates, parent_id=branch_row.id)
    branch_row.state, branch_row.updated_at = PASSED, utcnow()
    _step(branch_row, "passed", actor_id, text=_("Passed on to %(n)s member(s).", n=len(mates)))
    follow_branch(branch_row.id)
    return made


def follow_branch(branch_row_id: int | None) -> None:
    """A branch row's percent and state follow its members' rows (one UPDATE)."""
    if branch_row_id is None:
        return
    counts = db.session.execute(select(func.count(TasksRow.id), func.coalesce(func.avg(TasksRow.percent), 0),
                                       func.count(TasksRow.id).filter(TasksRow.state == DONE))
                                .where(TasksRow.branch_row_id == branch_row_id)).one()
    total, average, done = counts
    if not total:
        return
    values = {"percent": int(round(float(average))), "updated_at": utcnow(),
              "state": DONE if done == total else PASSED}
    if done == total:
        values["done_at"] = utcnow()
    db.session.execute(update(TasksRow).where(TasksRow.id == branch_row_id).values(**values))


def _step(row: TasksRow, kind: str, actor_id: int | None, **values) -> TasksReport:
    step = TasksReport(row_id=row.id, kind=kind, actor_id=actor_id, **values)
    db.session.add(step)
    return step


def accept(row: TasksRow, actor_id: int) -> None:
    if row.state != NEW:
        raise TaskError(_("You have already accepted this task."))
    row.state, row.updated_at = ACCEPTED, utcnow()
    _step(row, "accepted", actor_id)


def report(row: TasksRow, percent: int, text: str, actor_id: int, file_id: int | None = None) -> TasksReport:
    """A member's progress; at 100 % the task waits for the assigner's acceptance."""
    if row.state in (DONE, SUBMITTED):
        raise TaskError(_("This task is already marked done; wait for the assigner's answer."))
    row.percent, row.note, row.updated_at = percent, text, utcnow()
    row.state = SUBMITTED if percent >= 100 else WORKING
    step = _step(row, "report", actor_id, percent=percent, text=text, file_id=file_id)
    follow_branch(row.branch_row_id)
    _tell_assigner(row, _("Progress reported on “%(title)s”: %(n)s%%", title=_title(row), n=percent))
    return step


def review(row: TasksRow, accepted: bool, comment: str, actor_id: int) -> None:
    """The assigner accepts a finished task, or sends it back with a comment."""
    if row.state != SUBMITTED:
        raise TaskError(_("There is no finished report waiting for your answer."))
    row.updated_at, row.note = utcnow(), comment or row.note
    if accepted:
        row.state, row.done_at = DONE, utcnow()
    else:
        row.state, row.percent = RETURNED, min(row.percent, 90)
    _step(row, "accepted_done" if accepted else "returned", actor_id, text=comment)
    follow_branch(row.branch_row_id)
    _tell_member(row, _("Your report was accepted: %(title)s", title=_title(row)) if accepted
                 else _("Your report was sent back: %(title)s", title=_title(row)))


def ask_extension(row: TasksRow, new_due: date, reason: str, actor_id: int) -> None:
    if row.state in (DONE, SUBMITTED):
        raise TaskError(_("The task is already done: there is no more time to ask for."))
    if new_due <= row.due_on:
        raise TaskError(_("Please choose a date after the present deadline."), 400)
    if pending_extension(row) is not None:
        raise TaskError(_("You have already asked for more time; wait for the answer."))
    _step(row, "extension", actor_id, asked_due_on=new_due, text=reason)
    _tell_assigner(row, _("More time asked for “%(title)s”", title=_title(row)))


def pending_extension(row: TasksRow) -> TasksReport | None:
    return db.session.scalar(select(TasksReport).where(
        TasksReport.row_id == row.id, TasksReport.kind == "extension", TasksReport.decision.is_(None))
        .order_by(TasksReport.id.desc()).limit(1))


def decide_extension(row: TasksRow, granted: bool, comment: str, actor_id: int) -> None:
    asked = pending_extension(row)
    if asked is None:
        raise TaskError(_("There is no request for more time waiting."))
    asked.decision = "granted" if granted else "refused"
    if granted:
        row.due_on = asked.asked_due_on
    row.updated_at = utcnow()
    _step(row, "granted" if granted else "refused", actor_id, text=comment,
          asked_due_on=asked.asked_due_on)
    _tell_member(row, _("More time granted: %(title)s", title=_title(row)) if granted
                 else _("More time refused: %(title)s", title=_title(row)))


def _title(row: TasksRow) -> str:
    return db.session.scalar(select(TasksTask.title).where(TasksTask.id == row.task_id)) or ""


def _tell_member(row: TasksRow, title: str) -> None:
    user_id = db.session.scalar(select(User.id).where(User.member_id == row.member_id,
                                                      User.helped_member_id.is_(None)).limit(1))
    if user_id is not None:
        notify(ASSIGNED_KIND, title, url=f"/tasks/row/{row.id}", user_id=user_id)


def _tell_assigner(row: TasksRow, title: str) -> None:
    task = db.session.get(TasksTask, row.task_id)
    if task is not None and task.created_by_id is not None:
        notify(REPORT_KIND, title, url=f"/tasks/row/{row.id}", user_id=task.created_by_id)


def counts(task_id: int, now: datetime) -> dict:
    """How the task's top rows stand: all, done, late, waiting for a decision (one query)."""
    top = TasksRow.branch_row_id.is_(None)
    total, done, late, waiting = db.session.execute(select(
        func.count(TasksRow.id), func.count(TasksRow.id).filter(TasksRow.state == DONE),
        func.count(TasksRow.id).filter(late_condition(now)),
        func.count(TasksRow.id).filter(TasksRow.state == SUBMITTED))
        .where(TasksRow.task_id == task_id, top)).one()
    return {"total": total, "done": done, "late": late, "waiting": waiting}


def rollup(task: TasksTask, now: datetime) -> list[tuple[Organisation, int, int, int]]:
    """For a task given to every branch below: (organisation just below, branches, done, late),
    each row counted under the organisation of that level above its branch (one query)."""
    # Both levels correlate to the outer tasks_row: left to itself, the inner IN list would read
    # every row's ancestors (PostgreSQL then refuses a scalar subquery of several rows, SQLite
    # silently takes the first).
    above = ancestor_ids(TasksRow.org_id).correlate(TasksRow)
    under = (select(Organisation.id).where(Organisation.id.in_(above), Organisation.parent_id == task.org_id)
             .correlate(TasksRow).scalar_subquery().label("under"))
    found = db.session.execute(
        select(under, func.count(TasksRow.id), func.count(TasksRow.id).filter(TasksRow.state == DONE),
               func.count(TasksRow.id).filter(late_condition(now)))
        .where(TasksRow.task_id == task.id, TasksRow.branch_row_id.is_(None))
        .group_by(under)).all()
    names = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_([r[0] for r in found if r[0] is not None])))}
    return sorted(((names[r[0]], r[1], r[2], r[3]) for r in found if r[0] in names),
                  key=lambda r: (-r[3], r[0].name))


def today_for(task: TasksTask) -> date:
    return today_local(task.province_id)


