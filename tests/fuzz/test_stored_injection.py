"""Stored (and reflected) injection, proven in a real browser.

Every text field of every form the crawl finds is sent an HTML/JS/htmx payload carrying a unique
marker (a member's name, a news title, a note, an organisation's name…); a member list and a
portal feed bring more in through the imports. Then every page that shows a marker is opened in
Chromium, as each role, and must run none of it: no `window.__pwned`, no dialog, no request to
/__pwned/ (what a surviving `hx-get … hx-trigger="load"` or <img>/<meta>/<style> would send), no
event handler, hx-* attribute, javascript: link or script element carrying a marker in the DOM,
and no content-security-policy violation (an injected handler that only the CSP stopped)."""
from __future__ import annotations

import os
import random
import re
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest

from tests.browser.steps import sign_in
from tests.fuzz.crawl import crawl, endpoint_of
from tests.fuzz.harness import Harness, Stats
from tests.fuzz.strategies import CSRF, INJECTIONS, Request, plausible
from tests.fuzz.test_forms import dialect
from tests.fuzz.world import ROLES, not_own, org_id, prepare, signed_in

pytestmark = pytest.mark.browser
MARKER = re.compile(r"pw\d{6}")
TEXT_KINDS = {"text", "textarea", "search", "tel", "url", "email"}
LONG = bool(os.environ.get("FUZZ_EXAMPLES"))
SWEEPS = 3 if LONG else 1  # each text field gets this many payloads (a different one each time)
# In the browser: every role in a long run; in CI the widest (an administrator) and a member.
BROWSER_ROLES = ROLES if LONG else ("province_admin", "member")
PER_ENDPOINT = 3 if LONG else 1  # pages opened per endpoint and role
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
"""
INSPECT = """() => {
  const marked = /pw\\d{6}/, found = [];
  const path = v => { try { return new URL(v, location.href).pathname; } catch (e) { return ''; } };
  const urls = ['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'];
  const bad = (n, v) =>
    n.startsWith('on') ||  // the app has no inline handler at all (its CSP would refuse one)
    ((n.startsWith('hx-') || n.startsWith('data-hx-') || ['style', 'http-equiv', 'content'].includes(n))
     && marked.test(v)) ||
    (urls.includes(n) && (/^\\s*(javascript|vbscript):/i.test(v) || path(v).startsWith('/__pwned') ||
                          (/^\\s*data:/i.test(v) && marked.test(v))));
  const active = ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'BASE', 'META', 'STYLE', 'LINK', 'IMG', 'svg', 'math'];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (bad(a.name.toLowerCase(), a.value))
        found.push(`<${el.tagName.toLowerCase()} ${a.name}="${a.value.slice(0, 80)}">`);
    }
    if (active.includes(el.tagName) && marked.test(el.outerHTML))
      found.push(el.outerHTML.slice(0, 120));
  }
  return {pwned: window.__pwned || null, found, csp: window.__csp || [],
          shown: (document.documentElement.outerHTML.match(/pw\\d{6}/g) || []).length};
}"""


@dataclass
class Verdict:
    pages: int = 0
    shown: int = 0
    executed: list[str] = field(default_factory=list)   # script ran, dialog, /__pwned/ request
    in_dom: list[str] = field(default_factory=list)     # dangerous markup survived (even if inert)
    csp: list[str] = field(default_factory=list)


class Payloads:
    """Hands out payloads with fresh markers, remembering which field each went to."""

    def __init__(self):
        self.count = 0
        self.where: dict[str, str] = {}

    def next(self, where: str) -> str:
        self.count += 1
        marker = f"pw{self.count:06d}"
        self.where[marker] = where
        return INJECTIONS[self.count % len(INJECTIONS)].format(m=marker)


def store_through_forms(app, accounts, payloads: Payloads, stats: Stats) -> None:
    """Each text field of each form of each role, with a payload; the other fields as a careful
    person fills them, so that the payload is stored wherever the form accepts it."""
    rng = random.Random(7)

    def pick(seq):  # the first choice (a harmless status, a fresh key), but a new card number
        return rng.choice(seq) if isinstance(seq, range) else seq[0]

    for role in ("province_admin", "secretary", "member"):  # a family helper only reads
        site = crawl(app, signed_in(app, accounts[role]), role, seeds=("/", "/example/"))
        site.forms = not_own(app, accounts[role], site.forms)
        with Harness(app, role, stats, accounts[role]) as harness:
            for sweep in range(SWEEPS):
                for form in site.forms:
                    for target in [f for f in form.fields if f.kind in TEXT_KINDS]:
                        pairs = []
                        for f in form.fields:
                            if f.name.endswith("csrf_token"):
                                pairs.append((f.name, CSRF))
                            elif f is target:
                                pairs.append((f.name, payloads.next(f"{form.endpoint}.{f.name} ({role})")))
                            elif f.kind != "file":
                                pairs.append((f.name, plausible(f, pick)))
                        harness.send(Request("POST", form.action, "", pairs,
                                             "multipart" if form.multipart else "form", "valid", form.endpoint))


def store_through_imports(app, accounts, payloads: Payloads, stats: Stats, province: int) -> None:
    """A member list whose names are payloads, applied; a portal feed whose news are payloads."""
    from tests.fuzz.files import HEADER, person

    branch = accounts["secretary"]["org"]
    rows = []
    for n in range(1, len(INJECTIONS) + 1):
        row = person(n, branch)
        row[1] = payloads.next("imports (member name)")
        rows.append(row)
    lines = ["\t".join(HEADER)] + ["\t".join(str(c).replace("\t", " ") for c in r) for r in rows]
    data = "\n".join(lines).encode()
    with Harness(app, "province_admin", stats, accounts["province_admin"]) as harness:
        response = harness.send(Request("POST", "/members/import/", "", [
            ("csrf_token", CSRF), ("org_id", str(province)), ("file", (data, "ds.tsv"))], "multipart",
            "valid", "imports.start"))
        assert response is not None and response.status_code == 302, stats.report()
        page = harness.send(Request("GET", response.headers["Location"], source="imports.show"))
        token = re.search(r'name="token" value="([0-9a-f]{32})"', page.get_data(as_text=True)).group(1)
        harness.send(Request("POST", "/members/import/apply", "", [("csrf_token", CSRF), ("token", token)],
                             "form", "valid", "imports.apply"))
        with feed_server(payloads) as url:
            app.config["FEED_ALLOW_PRIVATE"] = True  # the portal is on loopback in this test
            harness.send(Request("POST", "/feeds/", "", [
                ("csrf_token", CSRF), ("idempotency_key", uuid.uuid4().hex), ("org_id", str(province)),
                ("name", payloads.next("feeds.index.name")), ("url", url)], "form", "valid", "feeds.index"))
            html = harness.visitor.text("/feeds/")
            for feed in set(re.findall(r'action="/feeds/(\d+)/check"', html)):
                harness.send(Request("POST", f"/feeds/{feed}/check", "", [("csrf_token", CSRF)], "form",
                                     "valid", "feeds.check"))


@contextmanager
def feed_server(payloads: Payloads):
    """A provincial portal on loopback whose RSS items carry payloads in titles, summaries, links."""
    items = "".join(
        f"<item><title><![CDATA[{payloads.next('feed item title')}]]></title>"
        f"<link>javascript:window.__pwned='feed'</link><guid>fuzz-{n}</guid>"
        f"<description><![CDATA[{payloads.next('feed item summary')}]]></description></item>"
        for n in range(len(INJECTIONS)))
    body = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Cổng</title>'
            f"{items}</channel></rss>").encode()

    class Portal(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/rss"
    finally:
        server.shutdown()


def pages_showing_markers(app, accounts, role: str, payloads: Payloads) -> list[str]:
    """Pages (stored) and search/filter URLs (reflected) whose HTML carries a marker, for `role`."""
    person = signed_in(app, accounts[role])
    site = crawl(app, person, role, seeds=("/", "/example/", "/members/", "/news/", "/feeds/"),
                 per_endpoint=3 if LONG else 2, max_pages=200 if LONG else 90, keep_html=True)
    pages = dict(site.html)
    for link in site.links:
        query = urlencode([(k, payloads.next(f"reflected {link.endpoint}?{k}")) for k, _v in link.params])
        response = person.get(f"{link.path}?{query}")
        if response.status_code == 200:
            pages[f"{link.path}?{query}"] = response.get_data(as_text=True)
    shown, endpoints = [], {}
    for url, html in pages.items():
        if MARKER.search(html):
            endpoint = endpoint_of(app, url)
            endpoints[endpoint] = endpoints.get(endpoint, 0) + 1
            if endpoints[endpoint] <= PER_ENDPOINT:
                shown.append(url)
    return shown


def inspect_in_browser(page, urls: list[str], verdict: Verdict) -> None:
    hits: list[str] = []
    page.on("request", lambda r: "/__pwned/" in r.url and hits.append(r.url))
    page.on("dialog", lambda d: (hits.append(f"dialog {d.message}"), d.dismiss()))
    for url in urls:
        hits.clear()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(120)  # htmx processes the page (hx-trigger="load" would fire now)
        seen = page.evaluate(INSPECT)
        verdict.pages += 1
        verdict.shown += seen["shown"]
        if seen["pwned"] or hits:
            verdict.executed.append(f"{url}: {seen['pwned']} {hits[:3]}")
        verdict.in_dom += [f"{url}: {found}" for found in seen["found"]]
        verdict.csp += [f"{url}: {v}" for v in seen["csp"]]


def test_stored_injections_do_not_execute(app, accounts, open_page, live_server):
    stats = Stats(f"stored-injection-{dialect(app)}")
    prepare(app, accounts)
    province = org_id(app, accounts["province_admin"]["org"])  # before a payload renames it
    payloads = Payloads()
    store_through_forms(app, accounts, payloads, stats)
    store_through_imports(app, accounts, payloads, stats, province)
    verdict = Verdict()
    for role in BROWSER_ROLES:
        urls = pages_showing_markers(app, accounts, role, payloads)
        page = open_page(js=True)
        page.add_init_script(WATCH)
        sign_in(page, accounts[role])
        inspect_in_browser(page, urls, verdict)
    stats.notes.append(f"browser: {verdict.pages} pages opened, {verdict.shown} markers shown, "
                       f"{len(payloads.where)} payloads sent, {len(verdict.executed)} executed, "
                       f"{len(verdict.in_dom)} dangerous nodes, {len(verdict.csp)} CSP violations")
    stats.save()
    assert verdict.pages >= 10 and verdict.shown >= 20, stats.notes[-1]
    assert not verdict.executed, "\n".join(verdict.executed[:20])
    assert not verdict.in_dom, "\n".join(verdict.in_dom[:20])
    assert not verdict.csp, "\n".join(verdict.csp[:20])
    assert not stats.problems, stats.report()


def test_the_browser_check_can_fail(open_page, live_server):
    """The same payloads, put into a page unsanitised: the check sees them. Into one of the app's
    pages (its CSP on) they land in the DOM and the CSP refuses the handlers; into a bare page
    without CSP they run."""
    payload = "".join(t.format(m=f"pw{900_000 + i:06d}") for i, t in enumerate(INJECTIONS))
    page = open_page(js=True)
    page.add_init_script(WATCH)
    page.goto("/login")
    page.evaluate("html => document.querySelector('main').insertAdjacentHTML('beforeend', html)", payload)
    page.wait_for_timeout(200)
    seen = page.evaluate(INSPECT)
    assert seen["found"] and seen["csp"] and not seen["pwned"], seen
    bare = open_page(js=True)
    bare.set_content(f"<!doctype html><main>{payload}</main>")
    bare.wait_for_timeout(200)
    assert bare.evaluate(INSPECT)["pwned"]
