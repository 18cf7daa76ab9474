"""Private PostgreSQL and Redis servers on loopback, for tests that stop, freeze or restart them.

Each server runs on a free port with its data in a temporary folder and is always stopped at the
end; the machine's shared servers (5432, 6379) are never touched. PostgreSQL's initdb and pg_ctl
refuse to run as root: as root they run as the `postgres` user (runuser), in a folder it owns.

Without the binaries the fault tests are skipped on a developer's machine and fail in CI
(CI=true), like the browser tests without Chromium."""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.bench.server import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def require(*paths: str | Path) -> None:
    """Skip the test when a server binary is missing; in CI, fail instead."""
    missing = [str(p) for p in paths if not Path(p).exists()]
    if not missing:
        return
    reason = f"missing {', '.join(missing)}: install Debian's redis-server and postgresql-15"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not happen within {seconds:.0f}s")


class PrivateRedis:
    """redis-server on 127.0.0.1:<free port>, persisting to its own folder (RDB on shutdown)."""

    def __init__(self):
        require(REDIS_SERVER)
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="sotay-redis-"))
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        from redis import Redis

        return Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
             "--save", "3600 1", "--appendonly", "no", "--daemonize", "no",
             "--logfile", str(self.folder / "redis.log")],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(self.answers, 10, "redis-server start")

    def stop(self) -> None:
        """A clean stop (SIGTERM): Redis writes its snapshot and exits, as `systemctl stop` does."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a frozen server cannot hear SIGTERM
            self.process.terminate()
            self.process.wait(timeout=30)

    def crash(self) -> None:
        """SIGKILL, then start again: what was not yet snapshotted (here: everything) is lost."""
        self.process.kill()
        self.process.wait(timeout=30)
        self.start()

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, but nothing answers (a hung server)."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb in a temporary folder), trust auth on loopback."""

    def __init__(self):
        require(PG_BIN / "initdb", PG_BIN / "pg_ctl")
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="sotay-pg-"))
        self.data = self.folder / "data"
        self.owner = None
        if os.geteuid() == 0:  # initdb will not run as root
            self.owner = pwd.getpwnam("postgres")
            os.chown(self.folder, self.owner.pw_uid, self.owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C.UTF-8")
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(PG_BIN / tool), *args]
        if self.owner is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = self.folder / "server.log"
            raise RuntimeError(f"{tool} failed: {done.stderr[-2000:]}\n"
                               f"{log.read_text()[-2000:] if log.exists() else ''}")

    def _ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off " \
                  "-c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                  "-t", "60", "-o", options, *args, action)

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """pg_ctl restart -m fast: every connection is cut, then the server starts again."""
        self._ctl("restart", "-m", "fast")

    def close(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)
