"""What the bench runs against: a fresh seeded database, and gunicorn with its CPU counted."""
from __future__ import annotations

import logging
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.bench.client import Browser

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Database:
    """A bench database and the instance folder (secret key, demo-accounts.json) that goes with it."""

    url: str
    instance: Path
    backend: str  # "postgresql" or "sqlite"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP")}
        env.update(DATABASE_URL=self.url, SOTAY_INSTANCE=str(self.instance),
                   SOTAY_CONFIG=os.environ.get("SOTAY_CONFIG", "config/demo.toml"))
        return env


def instance_dir(name: str) -> Path:
    """A stable folder per bench database, so a kept database can be benched again later."""
    return Path(tempfile.gettempdir()) / "sotay-bench" / name


def _admin(pg: str) -> sa.Engine:
    url = sa.engine.make_url(pg.replace("postgresql://", "postgresql+psycopg://", 1)).set(database="postgres")
    return sa.create_engine(url, isolation_level="AUTOCOMMIT")


def pg_url(pg: str, name: str) -> str:
    return sa.engine.make_url(pg).set(database=name).render_as_string(hide_password=False)


def create_database(backend: str, name: str, pg: str) -> Database:
    """An empty database (dropped first if a previous run left it) and an empty instance folder."""
    instance = instance_dir(name)
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    if backend == "sqlite":
        return Database(f"sqlite:///{instance / 'bench.db'}", instance, backend)
    engine = _admin(pg)
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return Database(pg_url(pg, name), instance, backend)


def existing_database(name: str, pg: str) -> Database:
    instance = instance_dir(name)
    if not (instance / "demo-accounts.json").exists():
        raise SystemExit(f"no seeded bench database {name!r} (run `python -m tests.bench all --keep`)")
    return Database(pg_url(pg, name), instance, "postgresql")


def drop_database(db: Database, name: str, pg: str) -> None:
    if db.backend == "postgresql":
        engine = _admin(pg)
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    shutil.rmtree(db.instance, ignore_errors=True)


@dataclass
class Timed:
    wall: float
    cpu: float  # user + system seconds of the command itself (not the database server)


def flask(db: Database, *args: str, timeout: float = 1800) -> Timed:
    """Run `flask --app wsgi ARGS` against `db`, timed; fail loudly if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=db.env(),
                          capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return Timed(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return found


@dataclass
class Gunicorn:
    """A running gunicorn; `cpu()` is the CPU time of its master and workers so far."""

    process: subprocess.Popen
    port: int
    db: Database

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def cpu(self) -> dict[int, float]:
        return {pid: cpu_seconds(pid) for pid in self.pids()}

    def browser(self) -> Browser:
        return Browser(self.port)

    def database_cpu(self) -> dict[int, float]:
        """CPU of the PostgreSQL backends serving this bench database (same machine)."""
        if self.db.backend != "postgresql":
            return {}
        name = sa.engine.make_url(self.db.url).database
        engine = _admin(self.db.url)
        with engine.connect() as conn:
            pids = conn.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = :n"), {"n": name}).all()
        engine.dispose()
        return {pid: cpu_seconds(pid) for pid in pids}


@contextmanager
def gunicorn(db: Database, workers: int = 2, worker_class: str = "sync", threads: int = 1,
             extra: tuple[str, ...] = (), env: dict[str, str] | None = None, app: str = "wsgi:app"):
    """Start gunicorn on a free loopback port, wait for /healthz, and always stop it."""
    port = free_port()
    errors = db.instance / "gunicorn.log"
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", worker_class,
               "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--error-logfile", str(errors),
               "--log-level", "warning", *extra, app]
    process = subprocess.Popen(command, cwd=ROOT, env={**db.env(), **(env or {})}, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Gunicorn(process, port, db)
    try:
        _wait_ready(server, errors, workers)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Gunicorn, errors: Path, workers: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{errors.read_text()[-3000:] if errors.exists() else ''}")
        try:
            if server.browser().get("/healthz").status == 200 and len(server.pids()) > workers:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /healthz in time")
