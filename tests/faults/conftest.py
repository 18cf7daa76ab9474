"""Fault fixtures: the app on a real socket with a private Redis, real `flask jobs worker`
processes, a load loop of page views, and the figures each test reports (printed at the end of
the run, under "fault figures").

The outages are short by default (CI: Redis stopped 5 s, frozen 3 s); the issue's full ones are
the documented long run:

    FAULTS_LONG=1 .venv/bin/python -m pytest -n 2 tests/faults/test_redis.py

(Redis stopped 60 s, frozen 30 s). FAULTS_REDIS_STOP / FAULTS_REDIS_FREEZE set each one, in
seconds."""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db
from core.jobs import JobRecord
from tests.bench.client import Browser
from tests.faults.servers import PrivateRedis
from tests.plugins.support import dispose, make_app

ROOT = Path(__file__).resolve().parents[2]
FAULT_PLUGIN = {"faults": "tests.faults.plugin"}
LONG = os.environ.get("FAULTS_LONG", "") not in ("", "0")
# Pages a secretary opens all day: home, the branch's members, the library.
PAGES = ["/", "/members/", "/documents/", "/news/", "/announcements/", "/inbox/"]


def seconds(name: str, short: float, long: float) -> float:
    return float(os.environ.get(name) or (long if LONG else short))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.faults)


def pytest_configure(config):
    config.addinivalue_line("markers", "faults: starts private PostgreSQL/Redis servers and breaks them")


def pytest_terminal_summary(terminalreporter):
    """The figures the fault tests measured (also under xdist: they travel as user properties)."""
    lines = []
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for key, value in getattr(report, "user_properties", []):
            if key == "fault figures" and report.when == "call":
                lines.append(f"{report.nodeid.split('::')[-1]}: {value}")
    if lines:
        terminalreporter.write_sep("-", "fault figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)


@pytest.fixture
def figures(record_property):
    """figures(name=value, ...): noted for the summary at the end of the run."""
    def note(**values):
        record_property("fault figures", json.dumps(values, ensure_ascii=False))
    return note


@pytest.fixture
def redis_server():
    server = PrivateRedis()
    yield server
    server.close()


@pytest.fixture
def queue_name() -> str:
    return f"faults-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def app(db_uri, tmp_path, redis_server, queue_name):
    """The app with jobs on the private Redis (a queue of the test's own), run by real workers."""
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL=redis_server.url, JOBS_QUEUE=queue_name,
                   EXTRA_PLUGINS=FAULT_PLUGIN)
    server_log = logging.getLogger("werkzeug")  # one line per request of the load: too many
    level = server_log.level
    server_log.setLevel(logging.WARNING)
    yield app
    server_log.setLevel(level)
    dispose(app)


@pytest.fixture
def marks(tmp_path) -> Path:
    """The file the fault-test job writes "start"/"done" lines to."""
    path = tmp_path / "marks.txt"
    path.touch()
    return path


def runs(marks: Path) -> tuple[Counter, Counter]:
    """(starts per job id, completions per job id) as the job wrote them."""
    started, done = Counter(), Counter()
    for line in marks.read_text().splitlines():
        kind, job_id, *_ = line.split()
        (started if kind == "start" else done)[job_id] += 1
    return started, done


@dataclass
class Workers:
    """Real `flask --app wsgi jobs worker` processes for the test's app, database and Redis."""

    env: dict
    folder: Path
    processes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # of the last command

    def start(self, wait: bool = True) -> subprocess.Popen:
        log = (self.folder / f"worker{len(self.processes)}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
                                   cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        if wait:
            deadline = time.monotonic() + 60
            while "Listening on" not in self.log(process) and "listening on" not in self.log(process):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the worker did not start:\n{self.log(process)[-3000:]}")
                time.sleep(0.1)
        return process

    def log(self, process) -> str:
        return (self.folder / f"worker{self.processes.index(process)}.log").read_text(errors="replace")

    def command(self, *args: str) -> str:
        """Run `flask --app wsgi ARGS` as cron would, with the workers' settings."""
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT,
                              env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        self.warnings = [line for line in done.stderr.splitlines() if "WARN" in line]
        return done.stdout

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # RQ's warm shutdown: the job in hand is finished first
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def workers(app, db_uri, tmp_path, redis_server, queue_name):
    """Start real workers with workers.start(); they are stopped at the end."""
    config = tmp_path / "worker.toml"
    from tests.conftest import INSTALLED

    config.write_text(f'JOBS_QUEUE = "{queue_name}"\nPROVINCE_CACHE_SECONDS = 0\n'
                      f'PLUGINS = {INSTALLED!r}\n\n'
                      f'[EXTRA_PLUGINS]\nfaults = "tests.faults.plugin"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FLASK_DEBUG")}
    env.update(DATABASE_URL=db_uri, REDIS_URL=redis_server.url, SOTAY_CONFIG=str(config),
               SOTAY_INSTANCE=str(tmp_path / "worker-instance"), PYTHONPATH=str(ROOT),
               SECRET_KEY="faults-worker")
    pool = Workers(env, tmp_path)
    yield pool
    pool.stop_all()


def job_records(app, ids) -> dict[str, JobRecord]:
    with app.app_context():
        found = {r.id: r for r in db.session.scalars(select(JobRecord).where(JobRecord.id.in_(list(ids))))}
        for record in found.values():
            db.session.expunge(record)
        db.session.remove()
    return found


def wait_finished(app, ids, seconds: float) -> float:
    """Wait until every record is finished; returns the seconds it took."""
    started = time.monotonic()
    while True:
        records = job_records(app, ids)
        if len(records) == len(ids) and all(r.status == "finished" for r in records.values()):
            return time.monotonic() - started
        if time.monotonic() - started > seconds:
            states = Counter(r.status for r in records.values())
            raise AssertionError(f"jobs not finished after {seconds:.0f}s: {dict(states)}")
        time.sleep(0.1)


class Load:
    """Secretaries opening pages in a loop, each on their own connection; every answer is kept
    as (seconds since the start, path, status or the error's name, latency)."""

    def __init__(self, port: int, account: dict, users: int = 3):
        self.port, self.account, self.users = port, account, users
        self.answers: list[tuple[float, str, int | str, float]] = []
        self.stop = threading.Event()
        self.started = time.monotonic()
        self.threads = []

    def __enter__(self):
        for n in range(self.users):
            browser = Browser(self.port)
            browser.sign_in(self.account["login"], self.account["password"])
            thread = threading.Thread(target=self._loop, args=(browser, n), daemon=True)
            self.threads.append(thread)
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def _loop(self, browser: Browser, n: int) -> None:
        i = n
        while not self.stop.is_set():
            path = PAGES[i % len(PAGES)]
            i += 1
            sent = time.monotonic()
            try:
                status = browser.get(path).status
            except OSError as exc:
                status = type(exc).__name__
            self.answers.append((sent - self.started, path, status, time.monotonic() - sent))

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=70)

    def now(self) -> float:
        return time.monotonic() - self.started

    def warmed(self, answers: int = 6, seconds: float = 1.5, timeout: float = 60) -> None:
        """Let the load run `seconds`, and on, until `answers` pages have come back: on a busy
        machine the first pages take longer, and a fault injected before any has come back
        proves nothing about the time before it."""
        deadline = time.monotonic() + timeout
        time.sleep(seconds)
        while len(self.answers) < answers and time.monotonic() < deadline:
            time.sleep(0.1)

    def between(self, start: float, end: float) -> list:
        return [a for a in self.answers if start <= a[0] < end]

    @staticmethod
    def summary(answers: list) -> dict:
        ok = sum(1 for a in answers if a[2] == 200)
        latencies = sorted(a[3] for a in answers) or [0.0]
        return {"gets": len(answers), "ok": ok, "ratio": round(ok / len(answers), 4) if answers else None,
                "failed": dict(Counter(str(a[2]) for a in answers if a[2] != 200)),
                "p50_ms": round(latencies[len(latencies) // 2] * 1000),
                "max_ms": round(latencies[-1] * 1000)}
