"""Every page each role reaches from its menus, with its weight: HTML, gzip, htmx fragment."""
from __future__ import annotations

import gzip
import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.bench.client import body_of, text_of
from tests.bench.server import Gunicorn

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]*)"')
ASSET = re.compile(r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="(/[^"]+\.(?:css|js))"')
# Links that change state or only toggle display; files and assets are not pages.
SKIP = re.compile(r"logout|/display|/static/|/assets/|\.(?:css|js|png|svg|ico|csv|xlsx|mp3|opus|pdf)$")
HTML_BUDGET = 14 * 1024
FRAGMENT_BUDGET = 4 * 1024
ASSET_BUDGET = 30 * 1024
FRAGMENT = {"HX-Request": "true", "HX-Target": "main", "HX-Boosted": "true"}


@dataclass
class Page:
    role: str
    path: str
    status: int
    html_bytes: int
    gzip_bytes: int  # the HTML gzipped at level 6 here, whatever the server sent
    fragment_gzip: int  # the htmx navigation (only the main block), gzipped
    fragment_status: int
    ms: float


def shape(path: str) -> str:
    """/members/123/edit?page=2 → /members/{n}/edit: one row per kind of page, not per record."""
    return re.sub(r"/\d+(?=/|$)", "/{n}", urlsplit(path).path)


def links(page: str) -> list[str]:
    found = []
    for href in HREF.findall(page):
        href = html.unescape(href)
        if href.startswith("/") and not href.startswith("//") and not SKIP.search(urlsplit(href).path):
            found.append(href)
    return found


def crawl(server: Gunicorn, role: str, account: dict, limit: int = 60, depth: int = 4) -> list[Page]:
    """Sign in as `role` and visit the links of its home page and of the pages they lead to."""
    browser = server.browser()
    browser.sign_in(account["login"], account["password"])
    seen, queue, pages = set(), [("/", 0)], []
    while queue and len(pages) < limit:
        path, level = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        reply = browser.get(path)
        if reply.status != 200 or "text/html" not in reply.headers.get("content-type", ""):
            pages.append(Page(role, path, reply.status, 0, 0, 0, 0, reply.seconds * 1000))
            continue
        text = text_of(reply)
        fragment = browser.get(path, FRAGMENT)
        pages.append(Page(role, path, reply.status, len(text.encode()), _gz(text), _gz(text_of(fragment)),
                          fragment.status, reply.seconds * 1000))
        if level < depth:
            queue += [(link, level + 1) for link in links(text) if shape(link) not in seen]
    return pages


def assets(server: Gunicorn, account: dict) -> list[tuple[str, int, int]]:
    """(URL, bytes, gzip bytes) of the CSS and JS the home page loads."""
    browser = server.browser()
    browser.sign_in(account["login"], account["password"])
    found = []
    for url in dict.fromkeys(ASSET.findall(text_of(browser.get("/")))):
        body = body_of(browser.get(url))
        found.append((url, len(body), len(gzip.compress(body, 6))))
    return found


def _gz(text: str) -> int:
    return len(gzip.compress(text.encode(), 6))
