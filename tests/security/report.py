"""The figures of the security tests, gathered from every test (and every xdist worker) of one
run: printed at the end of `pytest tests/security`, and written to
tests/security/results/matrix.md (matrix-postgresql.md with DATABASE_URL set) when
SOTAY_SECURITY_REPORT=1 is set:

    SOTAY_SECURITY_REPORT=1 .venv/bin/python -m pytest -q -n 2 tests/security
"""
from __future__ import annotations

import fcntl
import json
import os
import platform
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
PREFIX = "sotay-security-"


def run_folder(controller: bool = False) -> Path:
    """Shared by the workers of one run (their parent is the run's controller), new each run."""
    pid = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") and not controller else os.getpid()
    return Path(tempfile.gettempdir()) / f"{PREFIX}{pid}"


def record(section: str, key: str, figures: dict) -> None:
    """Keep one test's figures (and rewrite the results file, when asked to)."""
    folder = run_folder()
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the last writer sees every worker's figures
        (folder / f"{section}--{key}.json").write_text(json.dumps(figures, ensure_ascii=False))
        if os.environ.get("SOTAY_SECURITY_REPORT"):
            RESULTS.mkdir(exist_ok=True)
            name = "matrix-postgresql.md" if os.environ.get("DATABASE_URL") else "matrix.md"
            (RESULTS / name).write_text(render(folder))


def _load(folder: Path) -> dict[str, dict[str, dict]]:
    sections: dict[str, dict[str, dict]] = {}
    for path in sorted(folder.glob("*.json")):
        section, key = path.stem.split("--", 1)
        sections.setdefault(section, {})[key] = json.loads(path.read_text())
    return sections


def _table(rows: dict[str, dict]) -> tuple[list[str], dict]:
    """Numbers are summed; lists (the routes tried) count their distinct entries; mappings (tries
    by relation) are summed key by key."""
    names = sorted({name for row in rows.values() for name, value in row.items()
                    if name != "details" and not isinstance(value, dict)})
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def shown(value):
        return len(value) if isinstance(value, list) else value

    totals: dict = {}
    for name in names:
        values = [row[name] for row in rows.values() if name in row]
        totals[name] = len(set().union(*values)) if values and isinstance(values[0], list) else sum(values)
    for key, row in sorted(rows.items()):
        lines.append(f"| {key} | " + " | ".join(str(shown(row.get(n, ""))) for n in names) + " |")
    lines.append("| **all** | " + " | ".join(f"**{totals[n]}**" for n in names) + " |")
    for name in sorted({n for row in rows.values() for n, v in row.items() if isinstance(v, dict)}):
        summed: dict[str, int] = {}
        for row in rows.values():
            for key, value in row.get(name, {}).items():
                summed[key] = summed.get(key, 0) + value
        totals[name] = summed
        lines += ["", f"{name.replace('_', ' ')}: " + ", ".join(f"{k} {v}" for k, v in sorted(summed.items()))]
    return lines, totals


def render(folder: Path) -> str:
    backend = "PostgreSQL + Redis" if os.environ.get("DATABASE_URL") else "SQLite"
    lines = ["# Security figures", "",
             f"Written by `tests/security` on {datetime.now():%Y-%m-%d %H:%M}, {backend}, "
             f"{platform.machine()} with {os.cpu_count()} CPUs, by "
             "`SOTAY_SECURITY_REPORT=1 .venv/bin/python -m pytest -q -n 2 tests/security`.", "",
             "Tries: requests made; not_applicable: relations for which the world holds no such "
             "object (a branch has nothing below it); mismatches/problems must be 0.", ""]
    for section, rows in _load(folder).items():
        table, _totals = _table(rows)
        lines += [f"## {section}", "", *table]
        details = [d for row in rows.values() for d in row.get("details", [])]
        if details:
            lines += ["", "Found:", ""] + [f"- {d}" for d in details[:200]]
        lines.append("")
    return "\n".join(lines)


def summary_lines() -> list[str]:
    """One line per section for the terminal, then forget this run's figures."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return []  # the run's controller prints (and clears) what every worker gathered
    folder = run_folder(controller=True)
    lines = []
    for section, rows in _load(folder).items() if folder.exists() else ():
        _table_lines, totals = _table(rows)
        for name, value in totals.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
            lines.append(f"{section}: {name.replace('_', ' ')}: {value}")
    shutil.rmtree(folder, ignore_errors=True)
    for old in Path(tempfile.gettempdir()).glob(PREFIX + "*"):  # runs that printed no summary
        if old.stat().st_mtime < time.time() - 86400:
            shutil.rmtree(old, ignore_errors=True)
    return lines
