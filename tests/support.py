"""Test helpers: a client that fills in CSRF tokens the way a browser would."""
from __future__ import annotations

import re
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
