"""Page weight: every page each role can reach fits the weak-network budgets of DESIGN.md.

The test signs in as each demo role and follows every same-site link it finds (GET only,
breadth-first), so a plugin's pages fall under it as soon as a menu or card links to them."""
from __future__ import annotations

import gzip
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.support import Visitor

ROLES = ["anonymous", "member", "family_helper", "secretary", "secretary_other_branch",
         "member_other_branch", "grassroots_admin", "district_admin", "province_admin",
         "other_province_admin"]
PAGE_LIMIT = 14 * 1024      # one TCP initial window
FRAGMENT_LIMIT = 4 * 1024   # an htmx navigation
ASSET_LIMIT = 30 * 1024     # CSS + JS of a page, htmx included
MAX_PAGES = 200
PER_KIND = 5  # pages of one view with the same kind of query: a sample says enough
HTMX_NAVIGATION = {"HX-Request": "true", "HX-Target": "main", "HX-Boosted": "true"}
NOT_FOLLOWED = ("/logout", "/a/", "/display")  # sign-out, static files, display switches
HASHED = re.compile(r"^/a/.+\.[0-9a-f]{10}\.(css|js)$")
YEAR = "max-age=31536000"
LOCAL_HOSTS = ("", "localhost")


class PageLinks(HTMLParser):
    """The links, stylesheets, scripts and every other address a page refers to."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []
        self.addresses: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "action", "formaction", "poster", "data", "hx-get", "hx-post"):
            if attrs.get(name):
                self.addresses.append(attrs[name])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.assets.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])


@dataclass
class Fetched:
    """One page as the crawler saw it."""

    url: str
    status: int
    html: str
    gzipped: int
    vary: str
    links: PageLinks = field(default_factory=PageLinks)


def _wire(response) -> tuple[bytes, int]:
    """The body and its gzip size as sent (or as a proxy would send it)."""
    data = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        return gzip.decompress(data), len(data)
    return data, len(gzip.compress(data, 6))


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.hostname in (None, *LOCAL_HOSTS)


def _normal(base: str, href: str) -> str | None:
    """The path and query a link leads to, or None when it leaves the site or is not a page."""
    if href.startswith(("mailto:", "tel:", "sms:", "#", "data:", "javascript:")):
        return None
    target = urlsplit(urljoin("http://localhost" + base, href))
    if target.hostname not in LOCAL_HOSTS:
        return None
    url = target.path + (f"?{target.query}" if target.query else "")
    return None if url.startswith(NOT_FOLLOWED) else url


def _kind(adapter, url: str):
    """Which view a URL shows, with which query arguments: /members/7 and /members/9 are alike."""
    parts = urlsplit(url)
    try:
        endpoint, _args = adapter.match(parts.path, method="GET")
    except Exception:  # a redirect or a 404: it counts as its own kind
        endpoint = parts.path
    return endpoint, frozenset(key.partition("=")[0] for key in parts.query.split("&") if key)


def crawl(client, start: str = "/", limit: int = MAX_PAGES, per_kind: int = PER_KIND) -> list[Fetched]:
    """The pages reachable from `start` by following links, breadth-first, GET only; at most
    `per_kind` of each view and query (the first found), `limit` in all."""
    adapter = client.application.url_map.bind("localhost")
    seen, queue, pages, kinds = {start}, deque([start]), [], {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        body, size = _wire(response)
        onward: list[str] = []
        page = Fetched(url, response.status_code, "", size, response.headers.get("Vary", ""))
        if response.status_code in (301, 302, 303, 307, 308):
            onward.append(response.headers["Location"])
        elif response.mimetype == "text/html":
            page.html = body.decode()
            page.links.feed(page.html)
            onward += page.links.links
        pages.append(page)
        for href in onward:
            target = _normal(url, href)
            if target and target not in seen:
                seen.add(target)
                kind = _kind(adapter, target)
                kinds[kind] = kinds.get(kind, 0) + 1
                if kinds[kind] <= per_kind:
                    queue.append(target)
    return pages


def signed_in(app, accounts, role: str) -> Visitor:
    person = Visitor(app.test_client())
    if role != "anonymous":
        person.login(accounts[role])
    return person


def _asset_weight(client, url: str, cache: dict) -> tuple[int, list[str]]:
    """A static file's gzip size, and what is wrong with how it is served."""
    if url not in cache:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        _body, size = _wire(response)
        problems = []
        if response.status_code != 200:
            problems.append(f"{url} answers {response.status_code}")
        if YEAR not in response.headers.get("Cache-Control", ""):
            problems.append(f"{url} is not cached for a year: {response.headers.get('Cache-Control')!r}")
        if not HASHED.match(urlsplit(url).path):
            problems.append(f"{url} has no content hash in its name")
        cache[url] = (size, problems)
    return cache[url]


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page_fits_the_budgets(app, accounts, role, demo_content):
    person = signed_in(app, accounts, role)
    client = person.client
    start = "/login" if role == "anonymous" else "/"
    pages = crawl(client, start)
    html_pages = [p for p in pages if p.html]
    problems: list[str] = []
    assets: dict = {}
    for page in pages:
        if page.status >= 400:
            problems.append(f"{page.url}: a link leads to an error ({page.status})")
    for page in html_pages:
        if "hx-request" not in page.vary.lower():
            problems.append(f"{page.url}: Vary lacks HX-Request ({page.vary!r})")
        if page.gzipped > PAGE_LIMIT:
            problems.append(f"{page.url}: {page.gzipped} bytes gzipped > {PAGE_LIMIT}")
        outside = [a for a in page.links.addresses if not _same_site(a)
                   and not a.startswith(("mailto:", "tel:", "sms:", "data:", "#"))]
        if outside:
            problems.append(f"{page.url}: third-party addresses {outside}")
        total = 0
        for asset in page.links.assets:
            size, wrong = _asset_weight(client, asset, assets)
            total += size
            problems += wrong
        if total > ASSET_LIMIT:
            problems.append(f"{page.url}: CSS + JS weigh {total} bytes gzipped > {ASSET_LIMIT}")
        fragment = client.get(page.url, headers={**HTMX_NAVIGATION, "Accept-Encoding": "gzip"})
        body, size = _wire(fragment)
        if fragment.status_code != page.status:
            problems.append(f"{page.url}: htmx navigation answers {fragment.status_code}, "
                            f"the page {page.status}")
        elif b"<html" in body or b"<head" in body:
            problems.append(f"{page.url}: an htmx navigation gets the whole page, not the fragment")
        elif size > FRAGMENT_LIMIT:
            problems.append(f"{page.url}: htmx navigation {size} bytes gzipped > {FRAGMENT_LIMIT}")
        if "hx-request" not in fragment.headers.get("Vary", "").lower():
            problems.append(f"{page.url}: the htmx navigation's Vary lacks HX-Request")
    biggest = max(html_pages, key=lambda p: p.gzipped)
    summary = (f"{role}: {len(pages)} pages crawled; biggest {biggest.url} at {biggest.gzipped} "
               f"bytes gzipped")
    assert len(pages) > 1 or role == "anonymous", summary
    assert not problems, summary + "\n" + "\n".join(problems[:40])
