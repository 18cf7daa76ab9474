"""The long fuzz run: `python -m tests.fuzz [--examples x5] [--rounds 8] [--workers 2]`.

It runs tests/fuzz with more examples (FUZZ_EXAMPLES, a multiple of each test's default), each
test FUZZ_ROUNDS times on a fresh database, random rather than reproducible, every role in the
browser; then adds up what each test recorded (requests, 5xx, problems) and writes the section of
tests/fuzz/results/latest.md for the database used (SQLite, or PostgreSQL when DATABASE_URL is
set). Defaults reach about 14,000 requests in ~10 minutes on two cores."""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results" / "latest.md"
HEADER = ("# Fuzz results\n\nWritten by `python -m tests.fuzz` (tests/fuzz/__init__.py says how); each "
          "database's section is replaced when the run is made again on it.\n")


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--examples", default="x5", help="examples per test: xN (N times the default) or a count")
    parser.add_argument("--rounds", type=int, default=8, help="runs of each test, each on a fresh database")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-save", action="store_true", help="print, do not write results/latest.md")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (e.g. -k forms)")
    return parser.parse_args(argv)


def run(args) -> tuple[int, float, list[dict]]:
    with tempfile.TemporaryDirectory(prefix="fuzz-stats-") as folder:
        env = {**os.environ, "FUZZ_EXAMPLES": args.examples, "FUZZ_ROUNDS": str(args.rounds),
               "FUZZ_STATS": folder}
        command = [sys.executable, "-m", "pytest", "-q", "-W", "ignore", "-p", "no:cacheprovider",
                   "tests/fuzz", *(["-n", str(args.workers)] if args.workers > 1 else ["-p", "no:xdist"]),
                   *args.pytest_args]
        started = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        took = time.perf_counter() - started
        stats = [json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))]
    return code, took, stats


def summary(args, code: int, took: float, stats: list[dict]) -> str:
    from tests.bench.machine import describe

    database = "PostgreSQL + Redis" if os.environ.get("DATABASE_URL") else "SQLite (in-process jobs)"
    facts = describe(os.environ.get("DATABASE_URL"))
    requests = sum(s["requests"] for s in stats)
    errors = sum(s["server_errors"] for s in stats)
    statuses = Counter()
    for s in stats:
        statuses.update({int(k): v for k, v in s["statuses"].items()})
    groups: dict[str, list[dict]] = {}
    for s in stats:
        groups.setdefault(re.sub(r"-(sqlite|postgresql)$", "", s["name"]), []).append(s)
    browser = [n for s in stats for n in s["notes"] if n.startswith("browser:")]
    problems = [f"- {s['name']}: {kind} — {example}" for s in stats for kind, example in s["problems"].items()]
    env = ("DATABASE_URL=postgresql://127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 "
           if os.environ.get("DATABASE_URL") else "")
    lines = [
        f"## {database}", "",
        f"- command: `{env}.venv/bin/python -m tests.fuzz --examples {args.examples} --rounds {args.rounds} "
        f"--workers {args.workers}`",
        f"- date: {facts['date']}; machine: {facts['cores']} cores, {facts['cpu']}, {facts['memory']}, "
        f"Python {facts['python']}, PostgreSQL {facts['postgresql']}",
        f"- pytest exit code: {code} ({'all passed' if code == 0 else 'FAILURES'}); "
        f"wall time {took / 60:.1f} min",
        f"- **requests tried: {requests:,}**; **HTTP 5xx: {errors}**; problems found: {len(problems)}",
        f"- statuses: {', '.join(f'{k}: {v:,}' for k, v in sorted(statuses.items()))}",
        f"- slowest single request: {max((s['slowest'] for s in stats), default=0):.2f} s",
    ]
    lines += [f"- {note}" for note in browser] or ["- browser: not run"]
    lines += ["", "| test | runs | requests | 5xx | problems | seconds |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, group in sorted(groups.items()):
        lines.append(f"| {name} | {len(group)} | {sum(s['requests'] for s in group):,} | "
                     f"{sum(s['server_errors'] for s in group)} | {sum(len(s['problems']) for s in group)} | "
                     f"{sum(s['seconds'] for s in group):.0f} |")
    if problems:
        lines += ["", "Problems (first request showing each):", *problems[:40]]
    return "\n".join(lines)


def save(name: str, markdown: str) -> None:
    """Replace this database's section of the results file (the bench's section writer)."""
    from tests.bench.report import save_section

    if not RESULTS.exists():
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(HEADER)
    save_section(name, markdown, path=RESULTS)


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    code, took, stats = run(args)
    text = summary(args, code, took, stats)
    print(text)
    if not args.no_save:
        save("postgresql" if os.environ.get("DATABASE_URL") else "sqlite", text)
    return code


if __name__ == "__main__":
    sys.exit(main())
