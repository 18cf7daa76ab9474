"""`python -m tests.bench {seed,home,pages,profile,all,search}` (`./sotay bench`); docs/bench.md.

Everything runs on this machine: a fresh PostgreSQL database (dropped at the end unless --keep),
gunicorn on a free 127.0.0.1 port, and a load generator whose runs are bounded in time."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from contextlib import ExitStack

from tests.bench import home, machine, pages, profile, report, server, tables
from tests.bench import seed as seeding

log = logging.getLogger("tests.bench")
REFERENCE = "/healthz"  # the floor: Flask, one `SELECT 1`, a small JSON answer


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("command", nargs="?", default="all", choices=["seed", "home", "pages", "profile", "all",
                                                                "compare", "lighthouse"])
    parser.add_argument("--members", type=int, default=100_000, help="members in the demo province")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://127.0.0.1:5432/"),
                        help="the PostgreSQL server to create the bench database on")
    parser.add_argument("--db-name", default="sotay_bench")
    parser.add_argument("--backends", default="postgresql,sqlite", help="for `seed`: which to time")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--reuse", action="store_true", help="bench a database kept by --keep")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=20, help="length of each load run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--role", default="member", help="whose home page `home` loads")
    parser.add_argument("--no-save", action="store_true", help="do not write results/latest.md")
    parser.add_argument("--rounds", type=int, default=3, help="for `compare`: interleaved rounds")
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 300 or not 0 < args.connections <= 64:
        parser.error("--seconds must be in (0, 300] and --connections in (0, 64]")
    return args


def emit(args, name: str, title: str, body: str) -> None:
    text = f"## {title}\n\n{body}\n"
    print(text, flush=True)
    if not args.no_save:
        report.save_section(name, text)


def bench_home(args, srv: server.Gunicorn, account: dict) -> str:
    """The full page, the htmx navigation to it, and /healthz as the floor, each under load."""
    runs, notes = [], []
    for label, path, extra in (("/", "/", None), ("/ (htmx navigation)", "/", pages.FRAGMENT),
                               (f"{REFERENCE} (floor)", REFERENCE, None)):
        try:
            runs.append(home.bench(srv, account, label=label, path=path, extra=extra, seconds=args.seconds,
                                   connections=args.connections, tool=args.tool))
        except home.PageFailed as failure:
            notes.append(f"{label}: not measured, {failure}.")
    html, wire = home.page_size(srv, account)
    config = (f"gunicorn `--workers {args.workers} --worker-class {args.worker_class} --threads "
              f"{args.threads}`, signed in as `{args.role}`, {seeding.counts(srv.db)['member']:,} members "
              f"on PostgreSQL; the home page is {html:,} bytes of HTML, {wire:,} bytes gzip on the wire.")
    return tables.home(config, runs, notes)


def seeded(args, stack: ExitStack) -> tuple[server.Database, list[seeding.SeedRun]]:
    """The PostgreSQL database to bench: a kept one (--reuse), or a new one seeded now."""
    if args.reuse:
        return server.existing_database(args.db_name, args.pg), []
    db = server.create_database("postgresql", args.db_name, args.pg)
    if args.keep:
        stack.callback(log.info, "kept database %s (instance %s)", db.url, db.instance)
    else:
        stack.callback(server.drop_database, db, args.db_name, args.pg)
    return db, [seeding.seed(db, args.members)]


def time_seed(args, backend: str) -> seeding.SeedRun:
    """Seed a throw-away database of `backend` and drop it."""
    name = f"{args.db_name}_seed"
    db = server.create_database(backend, name, args.pg)
    try:
        return seeding.seed(db, args.members)
    finally:
        server.drop_database(db, name, args.pg)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["search"]:  # the document search bench has options of its own
        from tests.bench import search

        return search.main(argv[1:])
    args = parse(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    uses_pg = args.command != "seed" or "postgresql" in backends
    emit(args, "machine", "Machine", machine.markdown(machine.describe(args.pg if uses_pg else None)))
    if args.command == "seed":
        emit(args, "seed", "Seed", tables.seeds([time_seed(args, backend) for backend in backends]))
        return 0
    with ExitStack() as stack:
        runs = [time_seed(args, "sqlite")] if args.command == "all" and "sqlite" in backends else []
        db, pg_runs = seeded(args, stack)
        if runs + pg_runs:
            emit(args, "seed", "Seed", tables.seeds(runs + pg_runs))
        accounts = json.loads((db.instance / "demo-accounts.json").read_text())
        if args.command == "compare":
            from tests.bench import compare

            _found, text = compare.run(db, accounts, workers=args.workers, seconds=args.seconds,
                                       rounds=args.rounds, connections=args.connections, tool=args.tool)
            emit(args, "compare", "Signed-in pages against /healthz and a bare page", text)
            return 0
        if args.command == "lighthouse":
            from tests.bench import lighthouse

            emit(args, "lighthouse", "Lighthouse, mobile (simulated slow 4G/3G)",
                 lighthouse.run(db, accounts, workers=args.workers))
            return 0
        if args.command in ("home", "pages", "all"):
            with server.gunicorn(db, args.workers, args.worker_class, args.threads) as srv:
                if args.command in ("home", "all"):
                    emit(args, "home", "Member home page under gunicorn", bench_home(args, srv, accounts[args.role]))
                if args.command in ("pages", "all"):
                    found = [page for role, account in accounts.items() for page in pages.crawl(srv, role, account)]
                    emit(args, "pages", "Page weight per role",
                         tables.page_weights(found, pages.assets(srv, accounts["member"])))
        if args.command in ("profile", "all"):
            found = profile.run(db, accounts[args.role], workers=args.workers, seconds=args.seconds,
                                connections=args.connections, tool=args.tool)
            emit(args, "profile", f"Where the CPU goes on `/` ({args.role})", tables.profile(found, "/"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
