"""The tasks plugin's tables (prefix "tasks_").

A task is given at one organisation (`org_id`: the assigner's, what the scoping helper filters
on). It reaches people through rows of `tasks_row`, each at an organisation (`org_id`: the
branch it lies in):
- a *member row* (`member_id` set) is one person's share of the work: they accept it, report
  progress and mark it done; the assigner (or staff over the branch) accepts or sends back;
- a *branch row* (`member_id` empty) is the task reaching a branch through a cascade: the branch
  secretary passes it on to members (member rows with `branch_row_id` = the branch row), and its
  percent and state follow theirs.
Deadlines are dates in the province's local time, with an optional time of day (`due_time`,
wall-clock time of the province; none: the end of that day): a row is late once its deadline has
passed and it is not done."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.api import db, utcnow

# How a task reaches people.
TO_MEMBERS, TO_BRANCH, TO_BRANCHES = "members", "branch", "branches"
MODES = (TO_MEMBERS, TO_BRANCH, TO_BRANCHES)
REPEATS = ("none", "monthly", "quarterly", "yearly")

# A row's states. A branch row: waiting (not passed on yet), passed (to members), done.
NEW, ACCEPTED, WORKING, SUBMITTED, DONE, RETURNED, PASSED = (
    "new", "accepted", "working", "submitted", "done", "returned", "passed")
STATES = (NEW, ACCEPTED, WORKING, SUBMITTED, DONE, RETURNED, PASSED)
OPEN = (NEW, ACCEPTED, WORKING, SUBMITTED, RETURNED, PASSED)  # not finished: may be late


class TasksTask(db.Model):
    """A task given at `org_id` by `created_by_id`."""

    __tablename__ = "tasks_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")  # how the work is to be done
    due_on: Mapped[date] = mapped_column(Date, index=True)
    due_time: Mapped[time | None] = mapped_column(Time)  # the province's wall-clock time; none: end of day
    mode: Mapped[str] = mapped_column(String(20), default=TO_MEMBERS)
    repeat: Mapped[str] = mapped_column(String(20), default="none")
    # The earlier occurrence of a repeated task (unique: the next occurrence is made once).
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("tasks_task.id", ondelete="SET NULL"),
                                                     unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class TasksFile(db.Model):
    """A file attached to a task by its assigner (instructions, a form to fill in)."""

    __tablename__ = "tasks_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks_task.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("core_file.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255), default="")


class TasksRow(db.Model):
    """The task as it reaches one member (`member_id`) or one branch (a cascade)."""

    __tablename__ = "tasks_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks_task.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    branch_row_id: Mapped[int | None] = mapped_column(ForeignKey("tasks_row.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=NEW)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    due_on: Mapped[date] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)  # the task's (an extension moves the day only)
    note: Mapped[str] = mapped_column(Text, default="")  # the last word: a report, a comment
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_tasks_row_task_state_due", "task_id", "state", "due_on"),
                      Index("ix_tasks_row_member_state_due", "member_id", "state", "due_on"),
                      UniqueConstraint("task_id", "org_id", "member_id", name="uq_tasks_row_task_org_member"))


class TasksReport(db.Model):
    """One step of a row's history: a report of progress, an acceptance, a sending back, an
    extension asked for, granted or refused."""

    __tablename__ = "tasks_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    row_id: Mapped[int] = mapped_column(ForeignKey("tasks_row.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("core_file.id", ondelete="SET NULL"))
    asked_due_on: Mapped[date | None] = mapped_column(Date)  # an extension: the date asked for
    decision: Mapped[str | None] = mapped_column(String(20))  # an extension: granted, refused
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TasksEntry(db.Model):
    """A member's own entry in their calendar."""

    __tablename__ = "tasks_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class TasksFeed(db.Model):
    """The private address of a member's calendar feed (revoked by deleting the row)."""

    __tablename__ = "tasks_feed"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
