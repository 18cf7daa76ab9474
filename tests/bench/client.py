"""A tiny HTTP client for the bench: cookies, CSRF, sign-in, to 127.0.0.1 only."""
from __future__ import annotations

import gzip
import html
import http.client
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes  # as sent on the wire (compressed when the server compressed it)
    seconds: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One person's connection to the server under test, keeping its cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - start
        for raw in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in raw.lower() or "expires=thu, 01 jan 1970" in raw.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data, seconds)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def sign_in(self, login: str, password: str) -> None:
        """Sign in through /login like a browser (CSRF token from the form, "remember me")."""
        page = text_of(self.get("/login"))
        match = TOKEN.search(page)
        if not match:
            raise RuntimeError("no CSRF token on /login")
        form = urlencode({"csrf_token": html.unescape(match.group(1) or match.group(2)),
                          "login": login, "password": password, "remember": "y"}).encode()
        reply = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if reply.status != 302:
            raise RuntimeError(f"sign-in as {login} answered {reply.status}")

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def body_of(reply: Reply) -> bytes:
    """The body, decompressed when the server compressed it."""
    if reply.headers.get("content-encoding") == "gzip":
        return gzip.decompress(reply.body)
    return reply.body


def text_of(reply: Reply) -> str:
    return body_of(reply).decode("utf-8", "replace")
