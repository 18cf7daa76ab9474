"""A first visit in Chromium, weighed on the wire: every response the page received, as Chromium
reports it (encoded body and headers), plus what the service worker fetches while it installs
(its script and every address of its PRECACHE list; Playwright does not report a worker's own
requests, so those are fetched over a socket with the Accept-Encoding Chromium sent, and their
raw bytes counted). The same budget as tests/core/test_page_weight.py: 30 KB."""
from __future__ import annotations

import http.client
import json
import re
import urllib.request
from urllib.parse import urlsplit

FIRST_VISIT_LIMIT = 30 * 1024


def raw_size(base: str, path: str, accept_encoding: str) -> tuple[int, str]:
    """Status line, headers and body exactly as the server sends them (never decoded here)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": accept_encoding})
    response = connection.getresponse()
    body = response.read()  # http.client does not decode Content-Encoding
    head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2 + sum(
        len(f"{name}: {value}\r\n") for name, value in response.getheaders())
    connection.close()
    return head + len(body), response.getheader("Content-Encoding") or "identity"


def test_a_first_visit_weighs_under_30_kb_in_chromium(open_page, live_server):
    page = open_page(js=True)
    received: dict[str, tuple[int, str]] = {}
    sent_encoding: list[str] = []

    def finished(request):
        sizes = request.sizes()
        response = request.response()
        encoding = (response.headers.get("content-encoding") if response else None) or "identity"
        sent_encoding.append(request.headers.get("accept-encoding", ""))
        received[request.url] = (sizes["responseBodySize"] + sizes["responseHeadersSize"], encoding)

    page.context.on("requestfinished", finished)
    page.goto("/", wait_until="load")
    page.wait_for_timeout(500)  # the worker's script is fetched after "load"
    accept = next((e for e in sent_encoding if e), "gzip, deflate, br, zstd")
    assert "br" in accept, accept
    # What the worker fetches while it installs: its script, then every address of PRECACHE.
    worker = urllib.request.urlopen(live_server + "/sw.js", timeout=10).read().decode()
    cached = [live_server + u for u in
              json.loads(re.search(r"var PRECACHE = (\[[^\]]*\]);", worker).group(1))]
    for url in [live_server + "/sw.js", *cached]:
        if url not in received:
            received[url] = raw_size(live_server, urlsplit(url).path, accept)
    table = "\n".join(f"{size:>7} B {enc:<8} {url}" for url, (size, enc) in received.items())
    assert any("/login" in u for u in received), table
    assert any("htmx" in u for u in received), table
    assert any(u.endswith("/offline") for u in cached), table
    for url, (_size, encoding) in received.items():
        if url.endswith((".js", ".css")):
            assert encoding in ("br", "gzip", "zstd"), f"{url} sent {encoding}\n{table}"
    total = sum(size for size, _enc in received.values())
    print(f"\nfirst visit in Chromium: {total} B on the wire\n{table}")
    assert total <= FIRST_VISIT_LIMIT, f"first visit {total} B > {FIRST_VISIT_LIMIT}\n{table}"
