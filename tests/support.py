"""Test helpers: a client that fills in CSRF tokens the way a browser would."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def local_today() -> date:
    """Today where the demo province lives (the default time zone, Asia/Ho_Chi_Minh): the date the
    app means by "today", a day ahead of the server's from 17:00 UTC on."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def csrf_from(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Visitor:
    """A person using the app through HTTP: gets pages, submits forms found on them."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.last = None

    def get(self, url: str, **kwargs):
        self.last = self.client.get(url, **kwargs)
        return self.last

    def text(self, url: str) -> str:
        response = self.get(url)
        return response.get_data(as_text=True)

    def submit(self, url: str, data: dict, *, form_page: str | None = None, **kwargs):
        """POST `data` to `url` with the CSRF token a browser would have from `form_page`."""
        html = self.client.get(form_page or url).get_data(as_text=True)
        for fallback in ("/account", "/login"):  # every signed-in page carries a token
            if "csrf_token" in html:
                break
            html = self.client.get(fallback).get_data(as_text=True)
        self.last = self.client.post(url, data={"csrf_token": csrf_from(html), **data}, **kwargs)
        return self.last

    def login(self, account: dict, remember: bool = True):
        response = self.submit("/login", {"login": account["login"], "password": account["password"],
                                          "remember": "y" if remember else ""})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        html = self.client.get("/account").get_data(as_text=True)
        return self.client.post("/logout", data={"csrf_token": csrf_from(html)})


# What browsers put in Accept-Encoding: today's Chrome/Firefox, and an old or embedded browser.
CHROME = "gzip, deflate, br, zstd"
GZIP_ONLY = "gzip, deflate"


@dataclass
class Wire:
    """One response as the browser receives it: the bytes that crossed the network (`sent`: the
    body exactly as the server encoded it, plus the status line and headers) and the body decoded."""

    url: str
    response: object
    body: bytes
    sent: int
    encoding: str

    @property
    def status(self) -> int:
        return self.response.status_code


def _decode(data: bytes, encoding: str) -> bytes:
    import gzip
    import zlib

    import brotli

    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding == "zstd":
        try:
            from compression import zstd
        except ImportError:  # Python < 3.14
            from backports import zstd
        return zstd.decompress(data)
    return data


def on_the_wire(client: FlaskClient, url: str, accept_encoding: str = CHROME,
                headers: dict | None = None) -> Wire:
    """GET `url` as a browser sending `accept_encoding` would, and count what the server really
    sends: never compress the body here, so a file served uncompressed weighs its full size."""
    response = client.get(url, headers={**(headers or {}), "Accept-Encoding": accept_encoding})
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding", "identity")
    head = len(f"HTTP/1.1 {response.status}\r\n") + sum(
        len(f"{name}: {value}\r\n") for name, value in response.headers.items()) + 2
    return Wire(url, response, _decode(data, encoding), head + len(data), encoding)
