"""The contest under load (docs/bench.md, "Quizzes: a contest over weak 3G"): many contestants
start within a minute and answer every question over the contest's window, through the same
HTML forms as a person; 5 % of answer posts are sent twice, 2 % of connections dropped right
after the post is sent (then sent again).

    python -m tests.bench.quizzes_contest --contestants 5000 --questions 30 --think 40 [--workers 2]

Runs on this machine: a fresh PostgreSQL database (`--pg`, dropped at the end unless --keep)
seeded with `flask seed-demo`, `flask quizzes demo-contest`, gunicorn on a free loopback port,
Locust (tests/bench/quizzes_locust.py) headless. Reports answers lost or duplicated (what each
contestant saw accepted against the rows kept), p50/p95/p99 of the answer post alone, server CPU
(gunicorn and the PostgreSQL backends) per answer, and the bytes a contestant downloads."""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from tests.bench import machine
from tests.bench.report import table
from tests.bench.server import BIN, ROOT, create_database, drop_database, flask, gunicorn


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.bench.quizzes_contest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contestants", type=int, default=5000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--minutes", type=int, default=20, help="the contest's time limit")
    parser.add_argument("--think", type=float, default=40, help="mean seconds between two answers")
    parser.add_argument("--start-within", type=float, default=60, help="contestants start within these seconds")
    parser.add_argument("--members", type=int, default=20_000, help="members of the seeded demo province")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://127.0.0.1:5432/"))
    parser.add_argument("--db-name", default="sotay_bench_quiz")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.contestants <= 20_000 or not 1 <= args.questions <= 200:
        parser.error("--contestants in [1, 20000], --questions in [1, 200]")
    return args


def _latencies(prefix: Path) -> dict[str, dict]:
    with open(f"{prefix}_stats.csv") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def _kept(url: str, contest_id: int) -> tuple[dict, int, int]:
    """{attempt: {question: choices}} as stored, rows, distinct (attempt, question) pairs."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT a.attempt_id, a.question_id, a.choices FROM quizzes_answer a JOIN quizzes_attempt t "
            "ON t.id = a.attempt_id WHERE t.contest_id = :c"), {"c": contest_id}).all()
        handed = conn.scalar(sa.text("SELECT count(*) FROM quizzes_attempt WHERE contest_id = :c "
                                     "AND submitted_at IS NOT NULL"), {"c": contest_id})
    engine.dispose()
    kept: dict = {}
    for attempt, question, choices in rows:
        kept.setdefault(attempt, {})[str(question)] = choices if isinstance(choices, list) else json.loads(choices)
    return kept, len(rows), handed


def run(args) -> str:
    if not (BIN / "locust").exists():
        raise SystemExit("Locust is not installed here: .venv/bin/pip install locust")
    db = create_database("postgresql", args.db_name, args.pg)
    try:
        flask(db, "db", "upgrade")
        seeded = flask(db, "seed-demo", "--members", str(args.members))
        flask(db, "quizzes", "demo-contest", "--contestants", str(args.contestants), "--questions",
              str(args.questions), "--minutes", str(args.minutes))
        accounts = db.instance / "contest-accounts.json"
        contest_id = json.loads(accounts.read_text())["contest_id"]
        out = db.instance / "contestants.jsonl"
        prefix = db.instance / "locust"
        bound = int(args.start_within + args.questions * args.think * 2 + 300)
        with gunicorn(db, workers=args.workers, worker_class=args.worker_class, threads=args.threads) as server:
            before = sum(server.cpu().values())
            started = time.perf_counter()
            subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "tests/bench/quizzes_locust.py"), "--headless",
                            "-u", str(args.contestants), "-r", str(max(1, args.contestants)), "--host",
                            f"http://127.0.0.1:{server.port}", "--run-time", f"{bound}s", "--csv", str(prefix),
                            "--only-summary", "--loglevel", "WARNING"], cwd=ROOT, check=False, timeout=bound + 120,
                           env={**os.environ, "QUIZ_BENCH_ACCOUNTS": str(accounts), "QUIZ_BENCH_OUT": str(out),
                                "QUIZ_BENCH_THINK": str(args.think),
                                "QUIZ_BENCH_START_WITHIN": str(args.start_within)})
            wall = time.perf_counter() - started
            app_cpu = sum(server.cpu().values()) - before
            db_cpu = sum(server.database_cpu().values())
        people = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        kept, rows, handed = _kept(db.url, contest_id)
        lost = sum(1 for p in people for q, c in p["saved"].items() if kept.get(p["attempt"], {}).get(q) != [c])
        answers = sum(p["answers"] for p in people)
        stats = _latencies(prefix)
        post = stats.get("answer", {})
        ms = lambda key: post.get(key, "–")  # noqa: E731
        facts = machine.describe(args.pg)
        lines = [
            f"{args.contestants} contestants (finished: {len(people)}, handed in: {handed}), {args.questions} "
            f"questions each, a mean {args.think:g} s between answers, starting within {args.start_within:g} s; "
            f"gunicorn {args.workers} × {args.worker_class} (threads {args.threads}), PostgreSQL on the same "
            f"machine; demo province of {args.members:,} members (seeded in {seeded.wall:.0f} s); the run took "
            f"{wall:.0f} s.", "",
            table(["figure", "value"], [
                ["answer posts accepted (contestants' count)", f"{answers:,}"],
                ["answers sent twice (retries)", f"{sum(p['repeated'] for p in people):,}"],
                ["connections dropped after the post (then sent again)", f"{sum(p['dropped'] for p in people):,}"],
                ["answers lost (accepted, not kept as sent)", f"{lost}"],
                ["answer rows kept / duplicated", f"{rows:,} / 0 (one row per attempt and question: primary key)"],
                ["answer post p50 / p95 / p99 (ms)", f"{ms('50%')} / {ms('95%')} / {ms('99%')}"],
                ["answer post max (ms), failures", f"{ms('Max Response Time')}, {post.get('Failure Count', '–')}"],
                ["requests per second (all kinds, mean)", f"{float(stats.get('Aggregated', {}).get('Requests/s', 0)):.1f}"],
                ["app CPU (gunicorn) per answer, ms", f"{1000 * app_cpu / max(1, answers):.1f}"],
                ["database CPU (PostgreSQL backends) per answer, ms", f"{1000 * db_cpu / max(1, answers):.1f}"],
                ["bytes downloaded per contestant (mean, compressed as sent)",
                 f"{sum(p['bytes'] for p in people) / max(1, len(people)) / 1024:.0f} KB"],
            ]), "",
            table(["request", "count", "p50 ms", "p95 ms", "p99 ms", "failures"],
                  [[name, row["Request Count"], row["50%"], row["95%"], row["99%"], row["Failure Count"]]
                   for name, row in stats.items()]), "",
            machine.markdown(facts),
        ]
        return "\n".join(lines)
    finally:
        if not args.keep:
            drop_database(db, args.db_name, args.pg)


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    print(run(args), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
