"""Send hostile requests as one role and judge every answer.

Each request is checked for: no exception escaping and no 5xx; no error logged; a sensible
status (an error page or a re-shown form says what is wrong, in Vietnamese); a GET writes
nothing; a refused POST writes nothing (no row lost or half-written); and a POST that succeeds
changes nothing outside the role's own part of the tree (forged ids of other branches and of the
other province lead nowhere). Problems are collected, not raised at once: the database changes
from one example to the next, so a failure is reported with the request that caused it."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

from sqlalchemy import select

from core.extensions import db
from tests.fuzz.strategies import CSRF, Request
from tests.support import Visitor, csrf_from

# Written on purpose by requests that are refused or only read: sessions, throttling, audit,
# jobs, idempotency keys and "read" marks.
BOOKKEEPING = {"audit_log", "user_session", "auth_throttle", "job_record", "idempotency_key"}
GET_WRITES = {"notification_read"}
# Written by a dry run on purpose: the uploaded file kept for it (the file service's row, which
# expires with the upload).
KEPT_FOR_A_DRY_RUN = {"core_file"}
IGNORED_COLUMNS = {"user_account": {"last_seen_at"}, "reset_request": {"code_attempts"}}
GET_STATUSES = {200, 204, 206, 301, 302, 303, 304, 400, 401, 404, 405, 413, 429}
POST_STATUSES = {200, 302, 303, 400, 401, 404, 405, 409, 413, 422, 429}
SLOW_SECONDS = 15
# A message is a <p class="error"> (or "notice error"), or such a <div> holding a list of them.
ERROR_TEXT = re.compile(r'<(p|div) class="(?:notice )?error"[^>]*>(.*?)</\1>', re.S)
VIETNAMESE_LETTER = re.compile(r"[À-ỹđĐ]")


@dataclass
class Stats:
    """What one test sent and saw; written as JSON when FUZZ_STATS names a folder."""

    name: str
    requests: int = 0
    server_errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    endpoints: Counter = field(default_factory=Counter)
    problems: dict[str, str] = field(default_factory=dict)  # kind → first request showing it
    slowest: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    notes: list[str] = field(default_factory=list)

    def problem(self, kind: str, request: Request, detail: str = "") -> None:
        if kind not in self.problems:
            self.problems[kind] = f"{request.describe()} → {detail}"[:1500]

    def save(self) -> None:
        folder = os.environ.get("FUZZ_STATS")
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        data = {"name": self.name, "requests": self.requests, "server_errors": self.server_errors,
                "statuses": dict(self.statuses), "endpoints": dict(self.endpoints),
                "problems": self.problems, "slowest": round(self.slowest, 3),
                "seconds": round(time.perf_counter() - self.started, 2), "notes": self.notes}
        safe = re.sub(r"[^\w.-]+", "_", self.name)
        (Path(folder) / f"{safe}-{uuid.uuid4().hex[:6]}.json").write_text(json.dumps(data, indent=1))

    def report(self) -> str:
        lines = [f"{self.name}: {self.requests} requests, {self.server_errors} 5xx, statuses "
                 f"{dict(sorted(self.statuses.items()))}"]
        lines += [f"  {kind}: {example}" for kind, example in self.problems.items()]
        return "\n".join(lines)


class _ErrorLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


# --- the database as rows, to see what a request changed ----------------------------------------

ORG_COLUMNS = ("org_id", "from_org_id", "to_org_id", "parent_id")


def snapshot(app) -> dict[str, dict[tuple, tuple]]:
    """Every table's rows as {primary key: (digest, organisations the row is tied to)},
    bookkeeping tables left out."""
    rows: dict[str, dict[tuple, tuple]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            ignored = IGNORED_COLUMNS.get(table.name, set())
            columns = [c for c in table.columns if c.name not in ignored]
            keys = [c.name for c in table.primary_key.columns]
            tied = [c for c in ORG_COLUMNS if c in table.c] + (["id"] if table.name == "org" else [])
            if not tied and "province_id" in table.c:  # a province's settings (enabled plugins)
                tied = ["province_id"]
            found = {}
            for row in db.session.execute(select(*columns)).mappings():
                digest = hashlib.blake2b(repr(tuple(row.values())).encode(), digest_size=12).hexdigest()
                found[tuple(row[k] for k in keys)] = (digest, tuple(row[c] for c in tied))
            rows[table.name] = found
        db.session.remove()
    return rows


def changed(before: dict, after: dict) -> dict[str, set]:
    """{table: primary keys added, removed or changed}."""
    out = {}
    for name in before.keys() | after.keys():
        old, new = before.get(name, {}), after.get(name, {})
        keys = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        if keys:
            out[name] = keys
    return out


def scope_of(app, user_id: int | None) -> set[int]:
    """Organisations a user may change things in: the subtrees of their roles, and their own
    branch (a member writes notes there)."""
    from core.auth.models import User
    from core.org.models import OrgClosure, RoleAssignment

    if user_id is None:
        return set()
    with app.app_context():
        user = db.session.get(User, user_id)
        tops = set(db.session.scalars(select(RoleAssignment.org_id).where(RoleAssignment.user_id == user_id)))
        ids = set(db.session.scalars(select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(tops))))
        if user is not None and user.home_org_id:
            ids.add(user.home_org_id)
        db.session.remove()
    return ids


# --- sending ------------------------------------------------------------------------------------

def encode_body(request: Request, token: str) -> tuple[bytes | None, str | None]:
    """The request body and its content type, built by hand so raw bytes go out unchanged."""
    pairs = [(k, token if v == CSRF else v) for k, v in request.pairs]
    if request.encoding == "none" or request.method == "GET":
        return None, None

    def as_bytes(value) -> bytes:
        if isinstance(value, tuple):
            return value[0]
        return value if isinstance(value, bytes) else str(value).encode("utf-8")

    if request.encoding == "form":
        body = b"&".join(quote(k).encode() + b"=" + quote(as_bytes(v), safe="").encode() for k, v in pairs)
        return body, "application/x-www-form-urlencoded"
    if request.encoding == "raw":
        body = b"&".join(quote(k).encode() + b"=" + as_bytes(v).replace(b"&", b"%26") for k, v in pairs)
        return body, "application/x-www-form-urlencoded"
    if request.encoding == "json":
        data = {k: as_bytes(v).decode("utf-8", "replace") for k, v in pairs}
        return json.dumps(data).encode(), "application/json"
    boundary = "fuzz" + uuid.uuid4().hex
    out = []
    for k, v in pairs:
        if isinstance(v, tuple):
            name = v[1] if isinstance(v[1], bytes) else str(v[1]).encode("utf-8")
            head = (b'Content-Disposition: form-data; name="' + k.encode() + b'"; filename="'
                    + name.replace(b'"', b"%22").replace(b"\r", b"").replace(b"\n", b"")
                    + b'"\r\nContent-Type: application/octet-stream')
        else:
            head = b'Content-Disposition: form-data; name="' + k.encode() + b'"'
        out.append(b"--" + boundary.encode() + b"\r\n" + head + b"\r\n\r\n" + as_bytes(v) + b"\r\n")
    body = b"".join(out) + b"--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def raw_target(request: Request) -> dict:
    """PATH_INFO and QUERY_STRING as a WSGI server hands them over: the bytes as sent (a path's
    %-escapes undone), as latin-1 text; invalid UTF-8 reaches the app unchanged."""
    query = request.query if isinstance(request.query, bytes) else request.query.encode("utf-8")
    return {"PATH_INFO": unquote_to_bytes(request.path).decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"), "REQUEST_URI": request.path}


class Harness:
    """One role's client, its account, and the checks run around every request."""

    def __init__(self, app, role: str, stats: Stats, account: dict | None = None):
        self.app, self.role, self.stats, self.account = app, role, stats, account
        self.visitor = Visitor(app.test_client())
        self.user_id = None
        self.token = ""
        self.log = _ErrorLog()
        self.before = None
        self.signed_out_for_good = False
        if account:
            self.sign_in()

    def sign_in(self) -> bool:
        response = self.visitor.submit("/login", {"login": self.account["login"],
                                                  "password": self.account["password"], "remember": "y"})
        if response.status_code != 302:
            self.signed_out_for_good = True
            self.stats.notes.append(f"{self.role}: could no longer sign in (status {response.status_code})")
            return False
        self.refresh_token()
        with self.app.app_context():
            from core.auth.models import User
            self.user_id = db.session.scalar(select(User.id).where(User.login == self.account["login"]))
            db.session.remove()
        return True

    def refresh_token(self) -> None:
        html = self.visitor.text("/account" if self.account else "/login")
        self.token = csrf_from(html) if "csrf_token" in html else ""

    def __enter__(self):
        logging.getLogger().addHandler(self.log)
        return self

    def __exit__(self, *exc):
        logging.getLogger().removeHandler(self.log)

    def send(self, request: Request, may_write: bool = True):
        """Send `request`, count it, check the answer; returns the response (None on a crash).
        `may_write=False`: even a success must write nothing (a dry run)."""
        if self.signed_out_for_good:
            return None
        if self.before is None:
            self.before = snapshot(self.app)
        body, content_type = encode_body(request, self.token)
        self.log.records.clear()
        started = time.perf_counter()
        response, crash = None, None
        try:
            response = self.visitor.client.open(
                request.path, method=request.method, data=body, content_type=content_type,
                environ_overrides=raw_target(request))
        except Exception as exc:  # an exception that escaped the app's own handlers
            crash = f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - started
        self.stats.requests += 1
        self.stats.slowest = max(self.stats.slowest, took)
        after = snapshot(self.app)
        status = response.status_code if response is not None else 599
        self.stats.statuses[status] += 1
        self.stats.endpoints[f"{request.method} {request.source}"] += 1
        self._judge(request, response, crash, took, self.before, after)
        if not may_write and (diff := {table: rows for table, rows in changed(self.before, after).items()
                                       if table not in KEPT_FOR_A_DRY_RUN}):
            self.stats.problem(f"wrote on a dry run: {request.source}", request, str(sorted(diff)))
        self.before = after
        if response is not None and self.account and response.status_code in (302, 303, 401) and \
                response.headers.get("Location", "").startswith("/login"):
            if not self.sign_in():
                return response
            self.before = None
        return response

    def _judge(self, request: Request, response, crash, took, before, after) -> None:
        where = f"{request.method} {request.source}"
        if crash:
            self.stats.server_errors += 1
            self.stats.problem(f"exception escaped: {where}: {crash[:120]}", request, crash)
            return
        status = response.status_code
        if status >= 500:
            self.stats.server_errors += 1
            logged = "; ".join(_logged(r) for r in self.log.records)
            self.stats.problem(f"HTTP {status}: {where}: {logged[:160]}", request, logged)
        elif self.log.records:
            logged = "; ".join(_logged(r) for r in self.log.records)
            self.stats.problem(f"error logged: {where}: {logged[:160]}", request, logged)
        allowed = GET_STATUSES if request.method == "GET" else POST_STATUSES
        if status < 500 and status not in allowed:
            self.stats.problem(f"odd status {status}: {where}", request)
        html = response.get_data(as_text=True) if "html" in (response.mimetype or "") else ""
        refused = status >= 400 or (request.method == "POST" and status == 200)
        if html and (400 <= status < 500 or (status == 200 and request.method == "POST")):
            messages = " ".join(text for _tag, text in ERROR_TEXT.findall(html))
            if not messages:
                self.stats.problem(f"{status} without a message: {where}", request, html[-600:])
            elif not VIETNAMESE_LETTER.search(messages):
                self.stats.problem(f"{status} message not in Vietnamese: {where}", request, messages[:300])
        if took > SLOW_SECONDS:
            self.stats.problem(f"slow ({took:.0f} s): {where}", request)
        diff = changed(before, after)
        if request.method == "GET":
            writes = {t for t in diff if t not in GET_WRITES}
            if writes:
                self.stats.problem(f"GET wrote {sorted(writes)}: {where}", request, str(status))
        elif refused and diff:
            self.stats.problem(f"refused POST ({status}) wrote {sorted(diff)}: {where}", request,
                               str({t: sorted(k)[:5] for t, k in diff.items()}))
        elif diff and self.role != "anonymous":
            self._check_scope(request, diff, before, after)

    def _check_scope(self, request: Request, diff, before, after) -> None:
        """A successful POST changed only rows tied to organisations in the role's scope, before
        and after the change."""
        scope = scope_of(self.app, self.user_id)
        for table, keys in diff.items():
            for key in keys:
                orgs = {o for state in (before, after) for o in state[table].get(key, ("", ()))[1]}
                outside = {o for o in orgs if o is not None and o not in scope}
                if outside:
                    self.stats.problem(f"wrote outside scope: {table} ({request.source})", request,
                                       f"{table} {key} tied to organisations {sorted(outside)}")


def _logged(record: logging.LogRecord) -> str:
    text = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        text += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
    return text
