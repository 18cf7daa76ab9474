"""The upper levels' meetings overview of a 100,000-member province (5,000 branches, a year of
meetings each) on PostgreSQL: p95 latency and app CPU per page, as a ratio to /healthz in the
same run (docs/bench.md, "Meetings overview").

    python -m tests.bench.meetings_overview [--members 100000] [--seconds 10] [--keep | --reuse]

Seeds a fresh database of its own: the core's demo (`flask seed-demo` with no plugin loaded, so
that the other parts' demo data stay out of the timing), then the overview's demo
(plugins/meetings/demo_overview.py: twelve months of meetings for every branch); starts gunicorn on a free 127.0.0.1 port,
signs in as the demo province administrator and loads, each for --seconds under load: the first
page of the overview (25 of 5,000 branches), a page deep in the list, the overview filtered to
the branches that have not met this month, one district's overview, and /healthz."""
from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import ExitStack

import sqlalchemy as sa

from tests.bench import home, plugin_pages, report, server

log = logging.getLogger("tests.bench.meetings_overview")


def seed_meetings() -> None:
    """Inside the app (SOTAY_CONFIG, DATABASE_URL from the environment): demo_overview.seed."""
    import random

    from sqlalchemy import select

    from core import create_app
    from core.demo import DemoWorld
    from core.extensions import db
    from core.org.models import Organisation
    from plugins.meetings import demo_overview

    import flask_migrate

    app = create_app()
    with app.app_context():  # the plugins' tables (the core's seed ran without them loaded)
        flask_migrate.upgrade(revision="heads")
    with open(os.path.join(os.environ["SOTAY_INSTANCE"], "demo-accounts.json")) as f:
        accounts = json.load(f)
    with app.app_context():
        by_name = dict(db.session.execute(select(Organisation.name, Organisation.id)).all())
        orgs = {role: by_name[entry["org"]] for role, entry in accounts.items()}
        province = db.session.get(Organisation, orgs["province_admin"])
        branches = tuple(db.session.scalars(select(Organisation.id).where(
            Organisation.province_id == province.id, Organisation.level == "branch").order_by(Organisation.id)))
        demo_overview.seed(DemoWorld(province.id, orgs["other_province_admin"], orgs, {}, accounts, branches,
                                     random.Random(7), True))
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def figures(db: server.Database) -> dict[str, int]:
    """What the bench ran on: branches, members, meetings (and the pages' district)."""
    engine = sa.create_engine(db.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        found = {
            "branches": conn.scalar(sa.text("SELECT count(*) FROM org WHERE level = 'branch'")),
            "members": conn.scalar(sa.text("SELECT count(*) FROM member")),
            "meetings": conn.scalar(sa.text("SELECT count(*) FROM meetings_meeting")),
            "district": conn.scalar(sa.text(
                "SELECT o.id FROM org o JOIN org p ON p.id = o.parent_id WHERE o.level = 'district' "
                "AND p.parent_id IS NULL ORDER BY o.id LIMIT 1")),
        }
    engine.dispose()
    return found


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--seed-meetings"]:
        seed_meetings()
        return 0
    args = plugin_pages.parse(argv, prog="python -m tests.bench.meetings_overview", doc=__doc__,
                              db_name="sotay_bench_meetings")
    with ExitStack() as stack:
        db = plugin_pages.database(stack, args, "tests.bench.meetings_overview", "--seed-meetings")
        counts = figures(db)
        accounts = json.loads((db.instance / "demo-accounts.json").read_text())
        paths = [("overview, page 1", "/meetings/overview/", "province_admin"),
                 ("overview, page 100", "/meetings/overview/?page=100", "province_admin"),
                 ("not met this month", "/meetings/overview/?show=not_met", "province_admin"),
                 ("one district", f"/meetings/overview/?org={counts['district']}", "province_admin"),
                 ("plans, page 1", "/meetings/overview/plans", "province_admin"),
                 ("/healthz (floor)", "/healthz", "province_admin")]
        runs, sizes = plugin_pages.load_pages(db, args, accounts, paths)
        text = markdown(args, counts, runs, sizes)
        print(text, flush=True)
        if not args.no_save:
            report.save_section("meetings_overview", text)
    return 0


def markdown(args, counts: dict, runs: list[home.HomeRun], sizes: dict) -> str:
    return (f"## Meetings overview, province administrator\n\n"
            f"{counts['members']:,} members, {counts['branches']:,} branches, {counts['meetings']:,} meetings "
            f"on PostgreSQL; gunicorn `--workers {args.workers}` (sync), {args.connections} connections, "
            f"{args.seconds:g} s per page ({runs[0].load.tool}).\n\n" + plugin_pages.page_table(runs, sizes) + "\n")


if __name__ == "__main__":
    sys.exit(main())
