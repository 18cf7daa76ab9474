"""Where the server's CPU goes on one page: gunicorn workers sampled per CPU millisecond.

The workers run with tests/bench/sampler.py as their gunicorn config (SIGPROF on CPU time), so
waiting on PostgreSQL or the network is never counted. Each part is shown as CPU ms per request;
parts nest (a sample counts for every part on its stack), so they do not add up."""
from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tests.bench import load
from tests.bench.home import signed_in
from tests.bench.sampler import INTERVAL
from tests.bench.server import Database, gunicorn

# (label, frames that mark it): a sample counts for a label when any of these is on its stack.
PARTS = [
    ("the Flask app (Flask.wsgi_app)", ("Flask.wsgi_app (flask/app.py",)),
    ("session loader (load_session_user)", ("load_session_user (core/auth/sessions.py",)),
    ("before-request hooks (incl. the session load)", ("Flask.preprocess_request (flask/app.py",)),
    ("the view (home.index)", ("index (core/home.py",)),
    ("  plugin hooks: collect()", ("collect (core/plugins.py",)),
    ("    current_province_id / province_of", ("current_province_id (core/plugins.py",)),
    ("    PluginHost.enabled (plugin_state query)", ("PluginHost.enabled (core/plugins.py",)),
    ("    hook implementations (pluggy _multicall)", ("_multicall (pluggy/",)),
    ("  render() (core/web.py)", ("render (core/web.py",)),
    ("    theme lookup (env_for_request)", ("env_for_request (core/themes.py",)),
    ("    Jinja Template.render", ("Template.render (jinja2/environment.py",)),
    ("    gettext in templates", ("_gettext_alias (jinja2/ext.py",)),
    ("    nav_links (menu hook)", ("nav_links (core/themes.py",)),
    ("    csrf_token()", ("generate_csrf (flask_wtf/csrf.py",)),
    ("after-request (process_response)", ("Flask.process_response (flask/app.py",)),
    ("  compression (flask_compress)", ("Compress.after_request (flask_compress",)),
    ("  session cookie (save_session)", ("save_session (flask/sessions.py",)),
    ("teardown (session remove, rollback)", ("Flask.do_teardown_appcontext (flask/app.py",)),
    ("SQLAlchemy + psycopg, anywhere", ("(sqlalchemy/", "(psycopg/")),
    ("  connection checkout (pool, pre-ping)", ("_ConnectionFairy._checkout (sqlalchemy/pool",)),
    ("  commit / rollback", ("Session.commit (sqlalchemy/", "Session.rollback (sqlalchemy/",
                            "Session.close (sqlalchemy/")),
    ("gunicorn and HTTP outside the app", ()),  # every sample not under Flask.wsgi_app
]


@dataclass
class Profile:
    cpu_ms: float  # CPU milliseconds sampled in the workers
    proc_cpu_ms: float  # what /proc says the gunicorn processes used during the loaded run
    requests: int
    parts: list[tuple[str, float, float]]  # label, CPU ms per request, share of it in SQLAlchemy


def run(db: Database, account: dict, *, path: str = "/", workers: int = 2, seconds: float = 20,
        connections: int = 4, tool: str = "auto") -> Profile:
    """Load `path` on a sampled gunicorn, stop it (the workers write their samples), add up."""
    with tempfile.TemporaryDirectory() as folder:
        with gunicorn(db, workers, extra=("-c", "python:tests.bench.sampler"),
                      env={"BENCH_SAMPLES": folder}) as server:
            headers = {"Cookie": signed_in(server, account, path).cookie_header(), "Accept-Encoding": "gzip"}
            load.run(server.port, path, headers, 3, connections, tool)
            (Path(folder) / "on").touch()
            before = server.cpu()
            requests = load.run(server.port, path, headers, seconds, connections, tool).requests
            used = sum(cpu - before.get(pid, 0.0) for pid, cpu in server.cpu().items())
        folded = "".join(p.read_text() for p in Path(folder).glob("*.folded"))
    return summarise(folded, requests, used * 1000)


def summarise(folded: str, requests: int, proc_cpu_ms: float = 0.0) -> Profile:
    counts: Counter = Counter()
    in_sql: Counter = Counter()
    total = 0
    for line in folded.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        sql = "(sqlalchemy/" in stack or "(psycopg/" in stack
        outside = "Flask.wsgi_app (flask/app.py" not in stack
        for label, marks in PARTS:
            if any(mark in stack for mark in marks) or (not marks and outside):
                counts[label] += n
                in_sql[label] += n if sql else 0
    # Samples give the shares; /proc gives the CPU they share (the timer's ticks are coarse).
    per_request = (proc_cpu_ms / total if total and proc_cpu_ms else 1000 * INTERVAL) / max(1, requests)
    parts = [(label, counts[label] * per_request, in_sql[label] / counts[label] if counts[label] else 0.0)
             for label, _ in PARTS]
    return Profile(total * 1000 * INTERVAL, proc_cpu_ms, requests, [("all sampled CPU", total * per_request, 0.0), *parts])
