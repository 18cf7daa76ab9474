"""What the benches of a plugin's pages on a seeded PostgreSQL province share: their options,
the core's demo seeded without plugins then the plugin's own data in a subprocess, and the table
of p95 latency and app CPU per page as ratios to /healthz in the same run.

Used by tests/bench/meetings_overview.py, tasks_cascade.py and feedback_pages.py."""
from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from contextlib import ExitStack

from tests.bench import home, server
from tests.bench import seed as seeding
from tests.bench.report import table

log = logging.getLogger("tests.bench.plugin_pages")


def parse(argv: list[str], *, prog: str, doc: str, db_name: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://127.0.0.1:5432/"))
    parser.add_argument("--db-name", default=db_name)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 120 or not 0 < args.connections <= 16:
        parser.error("--seconds must be in (0, 120] and --connections in (0, 16]")
    return args


def seed(db: server.Database, members: int, module: str, flag: str) -> None:
    """The core's demo without plugins, then `python -m <module> <flag>` seeds the plugin's data."""
    demo_config = os.environ.get("SOTAY_CONFIG", "config/demo.toml")
    os.environ["SOTAY_CONFIG"] = "config/default.toml"  # no plugin loaded: no plugin seeds
    try:
        run = seeding.seed(db, members)
    finally:
        os.environ["SOTAY_CONFIG"] = demo_config
    log.info("core demo seeded in %.1f s", run.seed_seconds)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", module, flag], cwd=server.ROOT, env=db.env(), check=True, timeout=1800)
    log.info("%s seeded in %.1f s", module, time.perf_counter() - start)


def database(stack: ExitStack, args: argparse.Namespace, module: str, flag: str) -> server.Database:
    """The bench's database: reused as it is (--reuse), or created and seeded, dropped at the end
    of `stack` unless --keep."""
    if args.reuse:
        return server.existing_database(args.db_name, args.pg)
    db = server.create_database("postgresql", args.db_name, args.pg)
    if not args.keep:
        stack.callback(server.drop_database, db, args.db_name, args.pg)
    seed(db, args.members, module, flag)
    return db


def load_pages(db: server.Database, args: argparse.Namespace, accounts: dict,
               paths: list[tuple[str, str, str]]) -> tuple[list[home.HomeRun], dict]:
    """Each (label, path, role) under load for --seconds on one gunicorn, then its gzip size."""
    runs, sizes = [], {}
    with server.gunicorn(db, args.workers) as srv:
        for label, path, role in paths:
            runs.append(home.bench(srv, accounts[role], label=label, path=path, seconds=args.seconds,
                                   connections=args.connections, tool=args.tool))
            if path != "/healthz":
                sizes[label] = home.page_size(srv, accounts[role], path)
    return runs, sizes


def page_table(runs: list[home.HomeRun], sizes: dict) -> str:
    """One row per page; the last run is /healthz, the floor of the ratios."""
    floor = runs[-1].cpu_ms or 1
    rows = [[r.label, r.load.requests, r.load.per_second, r.load.p50_ms, r.load.p95_ms,
             round(r.load.p95_ms / (runs[-1].load.p95_ms or 1), 1), r.cpu_ms, round(r.cpu_ms / floor, 2),
             r.db_cpu_ms, f"{sizes[r.label][1]:,}" if r.label in sizes else "–", r.load.not_ok,
             r.load_average] for r in runs]
    return table(["page", "requests", "req/s", "p50 ms", "p95 ms", "p95 / healthz", "app CPU ms/req",
                  "CPU / healthz", "db CPU ms/req", "gzip bytes", "not 200", "load avg"], rows)
