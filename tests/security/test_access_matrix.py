"""The access matrix: every route of the app (from its URL map, plugins included) × every role of
the demo × objects in every relation to the role, each answer checked against rules.py.

GET every route; POST every route that takes posts, with a valid CSRF token: a refused post must
be refused (404/403, or sent to sign in) and change no row; an allowed one must get through. No
answer may show an object the role may never see (world.py's markers: a list that forgets the
scope still answers 200), and every answer carries the security headers (headers.py).
Figures: the terminal summary, and tests/security/results/ (see report.py)."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import select

from core.extensions import db
from tests.security import headers, report
from tests.support import local_today
from tests.security.rules import RULES, Case, Route
from tests.security.world import (ANONYMOUS, DERIVED, PARAM_KINDS, RANKED, RANKS, RELATIONS, ROLES, Target,
                                  World, sign_in)

# Rows that a refusal itself writes (the audit of the refusal, a session's last use, a
# throttle's count): everything else must stay as it was.
NOT_COMPARED = {"audit_log", "user_session", "auth_throttle"}
REDIRECTS = (301, 302, 303, 307, 308)
OUT_OF_REACH = ("sibling", "parent", "other")


@dataclass(frozen=True)
class Try:
    endpoint: str
    method: str
    url: str
    data: dict
    case: Case
    expected: str  # "answered", "refused", "login", or "public" (answered or sent to sign in)
    refused: tuple
    last: bool

    def describe(self, got) -> str:
        relation = f"{self.case.relation or '-'}{'/' + self.case.nature if self.case.nature else ''}"
        return f"{self.case.role} {self.method} {self.url} [{self.endpoint}, {relation}]: expected {self.expected}, got {got}"


# --- what is posted: enough for the change to happen, were it (wrongly) let through -------------

def _key() -> str:
    return uuid.uuid4().hex


def _member_data(**more) -> dict:
    return {"full_name": "Đảng viên thử quyền", "card_number": "", "phone": "", "birth_date": "1970-01-01",
            "gender": "nam", "kind": "official", "admission_date": "2000-01-01",
            "official_date": "2001-01-01", "notes": "", **more}


TODAY = local_today().isoformat()
PAYLOADS = {
    "auth.login": lambda t, p: {"login": "000000000", "password": "không phải mật khẩu"},
    "auth.forgot": lambda t, p: {"login": "0999999999"},
    "auth.reset": lambda t, p: {"login": "0999999999", "code": "00000000", "password": "một câu dài mới",
                                "confirm": "một câu dài mới"},
    "auth.account": lambda t, p: {"current": "sai mật khẩu", "password": "một câu dài mới",
                                  "confirm": "một câu dài mới"},
    "auth.authenticator": lambda t, p: {"code": "000000"},
    "auth.authenticator_off": lambda t, p: {"current": "sai mật khẩu"},
    "auth.second_factor": lambda t, p: {"code": "000000"},
    "notify.prefs": lambda t, p: {"kinds": ["announcement"]},
    "library.bookmark": lambda t, p: {"saved": "1"},
    "members.add": lambda t, p: _member_data(card_number=f"96{uuid.uuid4().int % 10**6:06d}",
                                             idempotency_key=_key()),
    "members.edit": lambda t, p: _member_data(full_name="Tên đã sửa", card_number=t.thing.extra["card"]),
    # pull someone else's member into the user's own organisation
    "members.transfer": lambda t, p: {"to_org": str(p.anchor), "on_date": TODAY, "idempotency_key": _key()},
    "members.status": lambda t, p: {"action": "exempt", "on_date": TODAY, "idempotency_key": _key()},
    "admin.create_child": lambda t, p: {"child-name": "Chi bộ thử quyền", "child-level": "branch",
                                        "idempotency_key": _key()},
    "admin.rename": lambda t, p: {"rename-name": "Tên mới thử quyền"},
    # move someone else's organisation under the user's own
    "admin.move": lambda t, p: {"parent_id": str(p.anchor)},
    "admin.grant": lambda t, p: {"role": "admin", "login": f"97{int(t.id if t else 0):06d}",
                                 "idempotency_key": _key()},
    "admin.toggle": lambda t, p: {"plugin": "_example", "enabled": "0"},
    "admin.theme": lambda t, p: {"theme": "lite"},
    "content.new": lambda t, p: {"title": "Tin thử quyền mới", "summary": "", "body": "Nội dung",
                                 "when": "now", "idempotency_key": _key()},
    "content.edit": lambda t, p: {"org_id": str(t.thing.org_id), "title": "Tin đã sửa", "summary": "",
                                  "body": "Nội dung đã sửa", "when": "now"},
    "feeds.index": lambda t, p: {"name": "Cổng thử quyền", "url": "http://127.0.0.1:9/feed",
                                 "idempotency_key": _key()},
    "_example.index": lambda t, p: {"text": "Ghi chú thử quyền", "idempotency_key": _key()},
}


# --- the tries ----------------------------------------------------------------------------------

def endpoints(app) -> dict[str, list]:
    found: dict[str, list] = {}
    for rule in app.url_map.iter_rules():
        found.setdefault(rule.endpoint, []).append(rule)
    return found


def expectation(route: Route, method: str, case: Case) -> str:
    rule = route.rule(method)
    if rule.public:
        return "public"
    if case.role == ANONYMOUS:
        return "login"
    return "answered" if rule.allows(case) else "refused"


def _source(route: Route, rule, method: str):
    """(where the object goes, its field name, its kind): the URL, the query string or the form."""
    named = [arg for arg in rule.arguments if arg in PARAM_KINDS]
    if named:
        return "url", named[0], PARAM_KINDS[named[0]]
    if route.form and method == "POST":
        name, kind = next(iter(route.form.items()))
        return "form", name, kind
    if route.query:
        name, kind = next(iter(route.query.items()))
        return "query", name, kind
    return None, None, None


def tries(world: World, role: str, method: str) -> tuple[list[Try], int]:
    """Every try of `role` with `method`, and how many relations had no such object here."""
    found, missing = [], 0
    for endpoint, rules in sorted(endpoints(world.app).items()):
        route = RULES.get(endpoint)
        for rule in rules:
            if route is None or method not in rule.methods or route.rule(method) is None:
                continue
            where, name, kind = _source(route, rule, method)
            targets: list[Target | None] = [None] if where in (None, "query") else []
            natures = world.natures(kind) if where else []
            if not route.rule(method).reads_nature:
                natures = [world.default_nature(kind)] if where else []  # a scope rule: the relation decides
            for relation in RELATIONS if where else ():
                for nature in natures:
                    target = world.target(role, kind, relation, nature)
                    if target is None:
                        missing += 1
                    else:
                        targets.append(target)
            made = [_try(world, role, method, endpoint, route, rule, where, name, target) for target in targets]
            found += made
            if method == "POST" and route.into:
                into, more = _into_foreign(world, role, endpoint, route, rule, where, name, made, targets)
                found, missing = found + into, missing + more
            if method == "POST" and route.person:
                people, more = _persons(world, role, endpoint, route, rule, where, name, made, targets)
                found, missing = found + people, missing + more
    return found, missing


def _persons(world, role, endpoint, route, rule, where, name, made, targets):
    """An allowed post naming a person (an appointment), tried with a member of every rank in
    the user's own scope: the rank alone decides."""
    allowed = {t.relation: t for t, attempt in zip(targets, made) if t and attempt.expected == "answered"}
    base = next((allowed[r] for r in ("child", "same") if r in allowed), None)
    if base is None:
        return [], 0
    found, missing = [], 0
    for rank in world.natures("member"):
        person = next((p for p in (world.target(role, "member", r, rank) for r in ("child", "same")) if p), None)
        if person is None:
            missing += 1
            continue
        attempt = _try(world, role, "POST", endpoint, route, rule, where, name, base)
        case = Case(role, base.relation, rank)
        found.append(Try(attempt.endpoint, "POST", attempt.url,
                         {**attempt.data, route.person: person.thing.extra["card"]}, case,
                         expectation(route, "POST", case), attempt.refused, attempt.last))
    return found, missing


def _try(world, role, method, endpoint, route, rule, where, name, target, into=None) -> Try:
    """One try: the object put where the route takes it, derived values, what is posted."""
    values = {arg: world.values[arg] for arg in rule.arguments if arg in world.values}
    query, data = {}, {}
    if target is not None:
        {"url": values, "query": query, "form": data}[where][name] = target.id
        values.update({arg: make(target.thing) for arg, make in DERIVED.items() if arg in rule.arguments})
    if method == "POST":
        data.update(PAYLOADS.get(endpoint, lambda t, p: {})(target, world.people[role]))
    case = Case(role, target.relation if target else None, _nature(world, role, target))
    expected = expectation(route, method, case)
    if into is not None:  # an allowed object, sent into an organisation out of reach
        field, second = into
        (values if field in rule.arguments else data)[field] = second.id
        case, expected = Case(role, f"{case.relation}→{second.relation}", case.nature), "refused"
    refused = (400, 404) if into else (route.refused if method == "POST" else (403, 404))
    url = world.app.url_map.bind("localhost").build(endpoint, values, method=method)
    return Try(endpoint, method, url + ("?" + urlencode(query) if query else ""), data, case, expected,
               refused, route.last)


def _nature(world, role, target) -> str | None:
    """What the rule reads besides the relation: an item's nature, or the rank of the accounts."""
    if target is None:
        return None
    return world.rank(role, target.thing) if target.thing.kind in RANKED else target.thing.nature


def _into_foreign(world, role, endpoint, route, rule, where, name, made, targets):
    """Posts that move, merge or transfer what the user may change into a place out of reach."""
    allowed = {t.relation: t for t, attempt in zip(targets, made) if t and attempt.expected == "answered"}
    # What lies below first: an administrator moves and merges the units under them.
    base = next((allowed[r] for r in ("child", "same", "own") if r in allowed), None)
    if base is None:
        return [], 0
    found, missing = [], 0
    for field, kind in route.into.items():
        for relation in OUT_OF_REACH:
            second = world.target(role, kind, relation)
            if second is None:
                missing += 1
            else:
                found.append(_try(world, role, "POST", endpoint, route, rule, where, name, base, (field, second)))
    return found, missing


def outcome(response, refused: tuple) -> str:
    status = response.status_code
    if status >= 500:
        return f"error {status}"
    to = urlsplit(response.headers.get("Location", "")).path
    if status == 401 or (status in REDIRECTS and to == "/login"):
        return "login"
    return "refused" if status in refused else "answered"


def matches(expected: str, got: str) -> bool:
    return got in ("answered", "login") if expected == "public" else got == expected


def fingerprint(app) -> dict[str, str]:
    """A digest per table of every row a refused request must leave alone, and of the stored
    files (their names, sizes and times)."""
    digests = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name not in NOT_COMPARED:
                columns = [c for c in table.columns if c.name != "last_seen_at"]
                rows = sorted(repr(tuple(row)) for row in db.session.execute(select(*columns)))
                digests[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        db.session.remove()
    folder = Path(app.instance_path)
    files = sorted(f"{p.relative_to(folder)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                   for p in folder.rglob("*") if p.is_file())
    digests["files in the instance folder"] = hashlib.sha256("\n".join(files).encode()).hexdigest()
    return digests


def send(world: World, person, attempt: Try, mismatches: list[str], header_problems: list[str]) -> str:
    """Make the try; note an unexpected answer, a page showing what the role may not see, or a
    header it lacks. Returns the outcome."""
    if attempt.method == "GET":
        response = person.client.get(attempt.url)
    else:
        response = person.client.post(attempt.url, data={"csrf_token": person.token, **attempt.data})
    got = outcome(response, attempt.refused)
    if not matches(attempt.expected, got):
        mismatches.append(attempt.describe(got))
    if leaked := world.leaks(attempt.case.role, response):
        mismatches.append(f"{attempt.case.role} {attempt.method} {attempt.url}: shows {', '.join(leaked)}")
    header_problems += [f"{attempt.case.role} {attempt.method} {attempt.url}: {problem}"
                        for problem in headers.problems(response, attempt.endpoint)]
    return got


def _report_and_check(kind: str, role: str, attempts: list[Try], missing: int, mismatches: list[str],
                      header_problems: list[str]) -> None:
    by_relation: dict[str, int] = {}
    by_rank: dict[str, int] = {}
    for attempt in attempts:
        relation = attempt.case.relation or "none"
        by_relation[relation] = by_relation.get(relation, 0) + 1
        if attempt.case.nature in RANKS:
            by_rank[attempt.case.nature] = by_rank.get(attempt.case.nature, 0) + 1
    report.record("Access matrix", f"{role} {kind}", {
        "tries": len(attempts), "not_applicable": missing, "mismatches": len(mismatches),
        "routes": sorted({a.endpoint for a in attempts}), "by_relation": by_relation,
        "by_account_rank": by_rank, "details": mismatches})
    report.record("Headers", f"{role} {kind} (matrix)", {
        "responses": len(attempts), "problems": len(header_problems), "details": header_problems})
    problems = mismatches + header_problems
    assert not problems, "\n".join(problems)


# --- the tests ----------------------------------------------------------------------------------

def test_every_route_states_its_rule(world):
    routes = endpoints(world.app)
    missing = sorted(set(routes) - set(RULES))
    assert not missing, f"routes without a rule in tests/security/rules.py: {missing}"
    assert not sorted(set(RULES) - set(routes)), "rules of routes that no longer exist"
    for endpoint, rules in routes.items():
        for rule in rules:
            unknown = set(rule.arguments) - set(PARAM_KINDS) - set(DERIVED) - set(world.values)
            assert not unknown, f"{endpoint}: say how to fill {unknown} in tests/security/world.py"
            for method in ("GET", "POST"):
                if method in rule.methods:
                    assert RULES[endpoint].rule(method) is not None, f"{endpoint} {method} has no rule"


def test_the_matrix_reaches_every_plugin_route(world):
    loaded = set(world.loaded_plugins)
    owners = world.app.extensions["sotay.plugins"].blueprint_owner
    plugin_routes = [e for e in endpoints(world.app) if owners.get(e.split(".")[0]) in loaded]
    assert plugin_routes, "the example plugin's routes should be in the matrix"
    tried = {a.endpoint for role in ROLES for m in ("GET", "POST") for a in tries(world, role, m)[0]}
    assert set(plugin_routes) <= tried


@pytest.mark.parametrize("role", ROLES)
def test_get_every_route(world, role):
    person = world.people[role]
    attempts, missing = tries(world, role, "GET")
    mismatches, header_problems = [], []
    for attempt in attempts:
        send(world, person, attempt, mismatches, header_problems)
    _report_and_check("GET", role, attempts, missing, mismatches, header_problems)


@pytest.mark.parametrize("role", ROLES)
def test_refused_posts_change_nothing(world, role):
    """Nothing is written: every table (but the audit of the refusals) is compared before and after."""
    person = world.people[role]
    attempts, missing = tries(world, role, "POST")
    attempts = [a for a in attempts if a.expected in ("refused", "login")]
    mismatches, header_problems = [], []
    before = fingerprint(world.app)
    for attempt in attempts:
        send(world, person, attempt, mismatches, header_problems)
    after = fingerprint(world.app)
    changed = sorted(name for name in before if before[name] != after.get(name))
    if changed:
        tried = sorted({a.endpoint for a in attempts})
        mismatches.append(f"{role}: refused posts changed {changed} (posting to {tried})")
    _report_and_check("POST refused", role, attempts, missing, mismatches, header_problems)


@pytest.mark.parametrize("role", ROLES)
def test_allowed_posts_get_through(world, fresh_world, role):
    """On a copy of the world: what the user may do is done (or answered with the form's errors)."""
    attempts, missing = tries(world, role, "POST")
    attempts = [a for a in attempts if a.expected in ("answered", "public")]
    attempts.sort(key=lambda a: (a.last, a.endpoint == "auth.logout"))
    person = sign_in(fresh_world, world.accounts, role)
    mismatches, header_problems = [], []
    for attempt in attempts:
        send(world, person, attempt, mismatches, header_problems)
    _report_and_check("POST allowed", role, attempts, missing, mismatches, header_problems)
