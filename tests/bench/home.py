"""The member home page under load: requests/s, latency, and server CPU per request."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from tests.bench import load
from tests.bench.client import Browser, text_of
from tests.bench.server import Gunicorn

log = logging.getLogger(__name__)


@dataclass
class HomeRun:
    label: str
    load: load.Load
    app_cpu: float  # seconds of CPU used by the gunicorn master and workers during the run
    db_cpu: float  # seconds of CPU used by the PostgreSQL backends of the bench database
    load_average: float  # the machine's 1-minute load average when the run ended

    @property
    def per_cpu_second(self) -> float:
        return self.load.requests / self.app_cpu if self.app_cpu else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.app_cpu / self.load.requests if self.load.requests else 0.0

    @property
    def db_cpu_ms(self) -> float:
        return 1000 * self.db_cpu / self.load.requests if self.load.requests else 0.0


class PageFailed(RuntimeError):
    """The page does not answer 200 to the signed-in account: nothing to measure."""


def signed_in(server: Gunicorn, account: dict, path: str = "/", extra: dict | None = None) -> Browser:
    browser = server.browser()
    browser.sign_in(account["login"], account["password"])
    reply = browser.get(path, extra)
    if reply.status != 200:
        raise PageFailed(f"{path} answered {reply.status} {reply.location}".strip())
    return browser


def bench(server: Gunicorn, account: dict, *, label: str, path: str = "/", extra: dict | None = None,
          seconds: float, connections: int, tool: str, warmup: float = 3) -> HomeRun:
    """Warm up, then load `path` as the signed-in `account`, counting the server's CPU."""
    browser = signed_in(server, account, path, extra)
    headers = {"Cookie": browser.cookie_header(), "Accept-Encoding": "gzip", **(extra or {})}
    load.run(server.port, path, headers, warmup, connections, tool)
    app_before, db_before = server.cpu(), server.database_cpu()
    result = load.run(server.port, path, headers, seconds, connections, tool)
    app_after, db_after = server.cpu(), server.database_cpu()
    # A process that appeared during the run (a restarted worker) counts from zero.
    app = sum(cpu - app_before.get(pid, 0.0) for pid, cpu in app_after.items())
    database = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
    after = browser.get(path, extra)
    if after.status != 200:
        raise PageFailed(f"after the run {path} answered {after.status} {after.location}".strip())
    if result.not_ok:
        log.warning("%s: %s answers were not 200", label, result.not_ok)
    return HomeRun(label, result, app, database, os.getloadavg()[0])


def page_size(server: Gunicorn, account: dict, path: str = "/") -> tuple[int, int]:
    """(HTML bytes, bytes on the wire with gzip) of one page as `account` sees it."""
    reply = signed_in(server, account).get(path)
    return len(text_of(reply).encode()), len(reply.body)
