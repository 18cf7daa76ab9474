"""`python -m tests.bench compare`: the signed-in pages side by side with `/healthz` and a bare
Flask + Jinja + SQLAlchemy page (tests/bench/bare.py), in one run, in interleaved rounds.

For each page: requests per server-CPU-second, app CPU and PostgreSQL CPU per request (utime +
stime of the gunicorn processes and of the bench database's backends, from /proc, before and
after each load run), and the ratios to `/healthz` and to the bare page of the same run. The load
sends a browser's Accept-Encoding, so the bytes counted are those really sent."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field

from tests.bench import load, server
from tests.bench.client import text_of

log = logging.getLogger(__name__)
BROWSER_ENCODING = "gzip, deflate, br, zstd"


@dataclass
class Totals:
    label: str
    requests: int = 0
    seconds: float = 0.0
    app_cpu: float = 0.0
    db_cpu: float = 0.0
    not_ok: int = 0
    bytes: float = 0.0
    p50: list = field(default_factory=list)
    load_average: list = field(default_factory=list)

    @property
    def per_cpu_second(self) -> float:
        return self.requests / self.app_cpu if self.app_cpu else 0.0

    @property
    def app_ms(self) -> float:
        return 1000 * self.app_cpu / self.requests if self.requests else 0.0

    @property
    def db_ms(self) -> float:
        return 1000 * self.db_cpu / self.requests if self.requests else 0.0

    @property
    def wall_ms(self) -> float:
        return 1000 * self.seconds / self.requests if self.requests else 0.0


def measure(target: server.Gunicorn, path: str, headers: dict, seconds: float, connections: int,
            tool: str, totals: Totals) -> None:
    load.run(target.port, path, headers, 1, connections, tool)  # warm up
    app_before, db_before = target.cpu(), target.database_cpu()
    result = load.run(target.port, path, headers, seconds, connections, tool)
    app_after, db_after = target.cpu(), target.database_cpu()
    totals.requests += result.requests
    totals.seconds += result.seconds
    totals.app_cpu += sum(cpu - app_before.get(pid, 0.0) for pid, cpu in app_after.items())
    totals.db_cpu += sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
    totals.not_ok += result.not_ok
    totals.bytes = result.bytes_per_request
    totals.p50.append(result.p50_ms)
    totals.load_average.append(os.getloadavg()[0])


def run(db: server.Database, accounts: dict, *, workers: int, seconds: float, rounds: int,
        connections: int, tool: str) -> tuple[list[Totals], str]:
    bare_db = server.Database(f"sqlite:///{db.instance / 'bare.db'}", db.instance, "sqlite")
    env = {"BARE_DB": str(db.instance / "bare.db")}
    with server.gunicorn(db, workers) as app, \
            server.gunicorn(bare_db, workers, env=env, app="tests.bench.bare:app") as bare:
        member = app.browser()
        member.sign_in(accounts["member"]["login"], accounts["member"]["password"])
        document = re.search(r'href="(/c/\d+)"', text_of(member.get("/documents/"))).group(1)
        signed = {"Cookie": member.cookie_header(), "Accept-Encoding": BROWSER_ENCODING}
        anonymous = {"Accept-Encoding": BROWSER_ENCODING}
        for path in ("/", document, "/documents/?q=nghi+quyet"):
            reply = member.get(path)
            if reply.status != 200:
                raise RuntimeError(f"{path} answered {reply.status} to the signed-in member")
        targets = [
            ("member home `/`", app, "/", signed),
            (f"a document `{document}`", app, document, signed),
            ("library search `/documents/?q=nghi+quyet`", app, "/documents/?q=nghi+quyet", signed),
            ("sign-in page `/login` (anonymous)", app, "/login", anonymous),
            ("`/healthz` (Flask + one query)", app, "/healthz", anonymous),
            ("bare Flask + Jinja + SQLAlchemy, 20 rows", bare, "/", anonymous),
        ]
        totals = {label: Totals(label) for label, *_ in targets}
        for number in range(rounds):
            for label, target, path, headers in targets:
                log.info("round %d: %s", number + 1, label)
                measure(target, path, headers, seconds, connections, tool, totals[label])
    found = list(totals.values())
    return found, table(found, workers, seconds, rounds, connections, tool)


def table(found: list[Totals], workers, seconds, rounds, connections, tool) -> str:
    health = next(t for t in found if "healthz" in t.label)
    bare = next(t for t in found if "bare" in t.label)
    lines = [f"gunicorn, {workers} sync workers, {connections} connections, {rounds} interleaved "
             f"rounds of {seconds:g} s per page ({tool} load), a browser's Accept-Encoding "
             f"(`{BROWSER_ENCODING}`).", "",
             "| page | requests per server-CPU-second | app CPU ms/req | PostgreSQL CPU ms/req "
             "| ratio to `/healthz` | ratio to bare | wall ms/req | bytes/req | p50 ms | not 200 "
             "| load avg |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in found:
        db_ms = f"{t.db_ms:.2f}" if "bare" not in t.label else "(SQLite)"
        lines.append(
            f"| {t.label} | {t.per_cpu_second:,.0f} | {t.app_ms:.2f} | {db_ms} "
            f"| {t.app_ms / health.app_ms:.2f} | {t.app_ms / bare.app_ms:.2f} | {t.wall_ms:.2f} "
            f"| {t.bytes:,.0f} | {sum(t.p50) / len(t.p50):.1f} | {t.not_ok} "
            f"| {max(t.load_average):.2f} |")
    return "\n".join(lines)
