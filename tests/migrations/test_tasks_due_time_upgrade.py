"""The upgrade that gives deadlines a time of day (tasks_0002) keeps the tasks given before it: a
database of the tasks_0001 release, with a task given to the demo member, is upgraded; the task
is still theirs, its deadline is still the end of its day (shown as a date alone, not late yet),
and a deadline with a time can be given at once. A downgrade and an upgrade again are safe."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from core.extensions import db
from tests.conftest import _new_app
from tests.migrations.snapshot import load
from tests.migrations.test_upgrade_data import empty_db  # noqa: F401  (a fixture)
from tests.support import Visitor, local_today

SNAPSHOT = Path(__file__).parent / "data" / "core_0004.json"


def test_tasks_given_before_deadline_times_survive_the_upgrade(empty_db, tmp_path):  # noqa: F811
    snapshot = json.loads(SNAPSHOT.read_text())
    app = _new_app(empty_db, tmp_path / "instance")
    today = local_today()
    with app.app_context():
        for revision in snapshot["revisions"]:
            flask_migrate.upgrade(revision=revision)
        load(db.engine, snapshot)
        flask_migrate.upgrade(revision="tasks_0001")  # the release before, with the core it needs
        with db.engine.begin() as conn:
            member_id, org_id = conn.execute(sa.text(
                "SELECT m.id, m.org_id FROM user_account u JOIN member m ON m.id = u.member_id "
                "WHERE u.login = :login"), {"login": snapshot["accounts"]["member"]["login"]}).one()
            province = conn.execute(sa.text("SELECT province_id FROM org WHERE id = :id"), {"id": org_id}).scalar()
            now = datetime(2026, 12, 1, 8, 0)
            conn.execute(sa.text(
                "INSERT INTO tasks_task (id, org_id, province_id, title, description, method, due_on, mode, "
                "repeat, created_at) VALUES (1, :org, :province, 'Thu đảng phí quý IV', 'Thu đủ trước hạn', '', "
                ":today, 'members', 'none', :now), (2, :org, :province, 'Nộp bản kiểm điểm', '', '', :soon, "
                "'members', 'none', :now)"), {"org": org_id, "province": province or org_id, "today": today,
                                             "soon": today + timedelta(days=3), "now": now})
            conn.execute(sa.text(
                "INSERT INTO tasks_row (id, task_id, org_id, member_id, state, percent, due_on, note, updated_at) "
                "VALUES (1, 1, :org, :member, 'accepted', 20, :today, '', :now), "
                "(2, 2, :org, :member, 'new', 0, :soon, '', :now)"),
                {"org": org_id, "member": member_id, "today": today, "soon": today + timedelta(days=3), "now": now})
        flask_migrate.upgrade(revision="heads")
        times = db.session.execute(sa.text("SELECT id, due_time FROM tasks_row ORDER BY id")).all()
        assert [tuple(r) for r in times] == [(1, None), (2, None)]
        db.session.remove()

    member = Visitor(app.test_client())
    member.login(snapshot["accounts"]["member"])
    mine = member.text("/tasks/")
    due = today.strftime("%d/%m/%Y")
    # Due today with no time of day: the end of the day, so not late yet; shown as the date alone.
    assert "Thu đảng phí quý IV" in mine and "Nộp bản kiểm điểm" in mine
    assert re.search(rf"Hạn {re.escape(due)}</p>", mine), "the old deadline is shown as a date alone"
    assert "Quá hạn" not in mine
    assert "Thu đủ trước hạn" in member.text("/tasks/row/1")

    with app.app_context():  # down and up again keeps the rows
        flask_migrate.downgrade(revision="tasks_0001")
        flask_migrate.upgrade(revision="heads")
        assert db.session.execute(sa.text("SELECT count(*) FROM tasks_row")).scalar() == 2
        db.session.remove()
        db.engine.dispose()
