"""Helpers for the tasks plugin's tests: the app, the demo's people, giving a task through the form."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from tests.plugins.support import dispose, make_app, org_named, province_of_role, switch
from tests.support import local_today


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "tasks", True)
    yield app
    dispose(app)


def org_id(app, accounts, role: str) -> int:
    return org_named(app, accounts[role]["org"]).id


def member_id(app, accounts, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.member_id).where(User.login == accounts[role]["login"]))


def user_id(app, accounts, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == accounts[role]["login"]))


def day(offset: int) -> str:
    return (local_today() + timedelta(days=offset)).strftime("%d/%m/%Y")


def give(visitor, org: int | None = None, *, title="Dọn vệ sinh nhà văn hóa thôn", mode="members",
         members=(), due=7, expect=302, **extra):
    """Give a task through the form; returns the task id (or the response when refused)."""
    url = "/tasks/new" + (f"?org={org}" if org else "")
    data = {"title": title, "description": "Cả chi bộ cùng dọn, mang theo chổi và cuốc.",
            "method": "Chia hai tổ, tổ một quét sân, tổ hai phát cỏ.", "due_on": day(due), "mode": mode,
            "repeat": "none", **extra}
    if members:
        data["members"] = [str(m) for m in members]
    response = visitor.submit(url, data)
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    if expect != 302:
        return response
    return int(re.search(r"/tasks/(\d+)$", response.location).group(1))


def row_of(app, task_id: int, member: int | None = None, org: int | None = None) -> int:
    from plugins.tasks.models import TasksRow

    with app.app_context():
        stmt = select(TasksRow.id).where(TasksRow.task_id == task_id)
        if member is not None:
            stmt = stmt.where(TasksRow.member_id == member)
        if org is not None:
            stmt = stmt.where(TasksRow.org_id == org, TasksRow.member_id.is_(None))
        return db.session.scalar(stmt)
