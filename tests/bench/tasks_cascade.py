"""A task cascaded by the province to its 5,000 branches and passed on to their 100,000 members,
on PostgreSQL: "Việc của tôi" and the assigner's progress page, p95 latency and app CPU per page
as a ratio to /healthz in the same run (docs/bench.md, "Tasks cascade").

    python -m tests.bench.tasks_cascade [--members 100000] [--seconds 10] [--keep | --reuse]

Seeds a fresh database of its own: the core's demo (`flask seed-demo` with no plugin loaded), then
one province-wide task (plugins/tasks/service.new_task: one row per branch, inserted in one
statement), passed on by every branch to all its members (one INSERT … SELECT), a third done, a
third halfway, a tenth late, and thirty smaller tasks for the demo member. Starts gunicorn on a free
127.0.0.1 port and loads, each for --seconds under load: the demo member's "Việc của tôi", the
province administrator's progress page (figures, the table by district, page 1 of the branches),
its late tab, a page deep in the list, and /healthz."""
from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import ExitStack

import sqlalchemy as sa

from tests.bench import home, plugin_pages, report, server

log = logging.getLogger("tests.bench.tasks_cascade")


def seed_tasks() -> None:
    """Inside the app (SOTAY_CONFIG, DATABASE_URL from the environment): the cascade, in bulk."""
    from datetime import timedelta

    import flask_migrate
    from sqlalchemy import select, text

    from core import create_app
    from core.extensions import db
    from core.localtime import today_local
    from core.org.models import Organisation
    from plugins.tasks import service
    from plugins.tasks.models import TO_BRANCHES, TO_MEMBERS

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    with open(os.path.join(os.environ["SOTAY_INSTANCE"], "demo-accounts.json")) as f:
        accounts = json.load(f)
    with app.app_context(), app.test_request_context():
        by_name = dict(db.session.execute(select(Organisation.name, Organisation.id)).all())
        province = db.session.get(Organisation, by_name[accounts["province_admin"]["org"]])
        today = today_local(province.id)
        task = service.new_task(province, title="Tổng kết 5 năm thực hiện Chỉ thị 05-CT/TW",
                                description="Các chi bộ tổ chức tổng kết.", due_on=today + timedelta(days=20),
                                mode=TO_BRANCHES, repeat="none", created_by_id=None)
        db.session.flush()
        db.session.execute(text(
            "INSERT INTO tasks_row (task_id, org_id, member_id, branch_row_id, state, percent, due_on, note, updated_at) "
            "SELECT b.task_id, m.org_id, m.id, b.id, 'new', 0, b.due_on, '', now() FROM member m "
            "JOIN tasks_row b ON b.org_id = m.org_id AND b.task_id = :task AND b.member_id IS NULL"), {"task": task.id})
        db.session.execute(text("UPDATE tasks_row SET state = 'done', percent = 100, done_at = now() "
                                "WHERE task_id = :task AND id % 3 = 0"), {"task": task.id})
        db.session.execute(text("UPDATE tasks_row SET state = 'working', percent = 50 "
                                "WHERE task_id = :task AND id % 3 = 1"), {"task": task.id})
        db.session.execute(text("UPDATE tasks_row SET due_on = :late WHERE task_id = :task AND id % 10 = 1"),
                           {"task": task.id, "late": today - timedelta(days=2)})
        member = db.session.scalar(text("SELECT member_id FROM user_account WHERE login = :login"),
                                   {"login": accounts["member"]["login"]})
        branch = db.session.get(Organisation, by_name[accounts["member"]["org"]])
        for n in range(30):
            service.new_task(branch, title=f"Việc thứ {n + 1} của chi bộ", description="",
                             due_on=today + timedelta(days=n - 5), mode=TO_MEMBERS, repeat="none",
                             created_by_id=None, member_ids=[member])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        with open(os.path.join(os.environ["SOTAY_INSTANCE"], "bench-task.json"), "w") as f:
            json.dump({"task": task.id}, f)


def figures(db: server.Database) -> dict[str, int]:
    engine = sa.create_engine(db.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        found = {"branches": conn.scalar(sa.text("SELECT count(*) FROM org WHERE level = 'branch'")),
                 "members": conn.scalar(sa.text("SELECT count(*) FROM member")),
                 "rows": conn.scalar(sa.text("SELECT count(*) FROM tasks_row"))}
    engine.dispose()
    return found


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--seed-tasks"]:
        seed_tasks()
        return 0
    args = plugin_pages.parse(argv, prog="python -m tests.bench.tasks_cascade", doc=__doc__,
                              db_name="sotay_bench_tasks")
    with ExitStack() as stack:
        db = plugin_pages.database(stack, args, "tests.bench.tasks_cascade", "--seed-tasks")
        counts = figures(db)
        accounts = json.loads((db.instance / "demo-accounts.json").read_text())
        task = json.loads((db.instance / "bench-task.json").read_text())["task"]
        paths = [("Việc của tôi (member)", "/tasks/", "member"),
                 ("progress, page 1 (province admin)", f"/tasks/{task}", "province_admin"),
                 ("progress, late tab", f"/tasks/{task}?show=late", "province_admin"),
                 ("progress, page 100", f"/tasks/{task}?page=100", "province_admin"),
                 ("/healthz (floor)", "/healthz", "member")]
        runs, sizes = plugin_pages.load_pages(db, args, accounts, paths)
        text = markdown(args, counts, runs, sizes)
        print(text, flush=True)
        if not args.no_save:
            report.save_section("tasks_cascade", text)
    return 0


def markdown(args, counts: dict, runs: list[home.HomeRun], sizes: dict) -> str:
    return (f"## Tasks cascade: \"Việc của tôi\" and the assigner's progress page\n\n"
            f"{counts['members']:,} members, {counts['branches']:,} branches, {counts['rows']:,} task rows "
            f"on PostgreSQL; gunicorn `--workers {args.workers}` (sync), {args.connections} connections, "
            f"{args.seconds:g} s per page ({runs[0].load.tool}).\n\n" + plugin_pages.page_table(runs, sizes) + "\n")


if __name__ == "__main__":
    sys.exit(main())
