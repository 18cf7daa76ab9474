"""Headers on every answer, and sessions that end when they should.

The access matrix (test_access_matrix.py) already checks the headers of its every answer: each
GET route for each role, and each post. This module adds the other ways a page is fetched or
fails: htmx navigations and history restores, error pages (404, 405, 400; the 401 of a post
sent signed out is in the matrix), static files; then the session and brute-force cases that
tests/core/test_auth.py, test_members.py and test_admin.py leave out."""
from __future__ import annotations

from datetime import date

import pytest
from flask import Response
from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from tests.core.test_auth import _issue_code
from tests.core.test_members import change
from tests.security import headers, report
from tests.security.test_access_matrix import tries
from tests.security.world import ANONYMOUS, ROLES
from tests.support import Visitor, csrf_from, local_today

HTMX_NAVIGATION = {"HX-Request": "true", "HX-Target": "main", "HX-Boosted": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
ERROR_ROLES = (ANONYMOUS, "member", "province_admin")


def _sample(world, role: str) -> list:
    """One GET per route for `role`: one it may open when there is one."""
    chosen = {}
    for attempt in tries(world, role, "GET")[0]:
        best = chosen.get(attempt.endpoint)
        if best is None or (best.expected not in ("answered", "public") and attempt.expected in ("answered", "public")):
            chosen[attempt.endpoint] = attempt
    return list(chosen.values())


def _check(found: list[str], label: str, response, endpoint, **kwargs) -> None:
    found += [f"{label}: {p}" for p in headers.problems(response, endpoint, **kwargs)]
    if response.status_code >= 500:
        found.append(f"{label}: {response.status_code}")


def test_the_checker_finds_what_is_missing():
    bare = Response("<!doctype html><html><head></head><body>Xin chào</body></html>", mimetype="text/html")
    found = headers.problems(bare, "home.index")
    assert any("CSP" in p for p in found) and any("no-store" in p for p in found)
    assert any("X-Frame-Options" in p for p in found) and any("htmx history" in p for p in found)


@pytest.mark.parametrize("role", ROLES)
def test_htmx_navigations_carry_the_headers_and_are_not_stored(world, role):
    person, found, sent = world.people[role], [], 0
    for attempt in _sample(world, role):
        variants = [HTMX_NAVIGATION] + ([HISTORY_RESTORE] if role == "member" else [])
        for extra in variants:
            response = person.client.get(attempt.url, headers=extra)
            sent += 1
            _check(found, f"{role} {attempt.url} {sorted(extra)}", response, attempt.endpoint)
            found += [f"{role} {attempt.url} (htmx): shows {leak}"
                      for leak in world.leaks(role, response)]
            if response.mimetype == "text/html" and response.status_code == 200 \
                    and attempt.endpoint not in headers.SHARED and "HX-Request" not in response.headers.get("Vary", ""):
                found.append(f"{role} {attempt.url}: Vary lacks HX-Request")
    report.record("Headers", f"{role} htmx", {"responses": sent, "problems": len(found), "details": found})
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", ERROR_ROLES)
def test_error_pages_carry_the_headers(world, role):
    """404 for an unknown page, 405 for the wrong method on every route, 400 for a post without
    its CSRF token on every route that takes posts."""
    person, found, sent = world.people[role], [], 0
    samples = {a.endpoint: a.url for a in tries(world, role, "GET")[0]}
    samples.update({a.endpoint: a.url for a in tries(world, role, "POST")[0] if a.endpoint not in samples})
    checks = [("GET", "/khong-co-trang-nay", None, 404), ("GET", "/a/khong-co.css", "assets.serve", 404)]
    adapter = world.app.url_map.bind("localhost")
    for endpoint, url in sorted(samples.items()):
        methods = set(adapter.allowed_methods(url.split("?")[0]))  # every route at this address
        if "POST" in methods:
            checks.append(("POST-no-token", url, endpoint, 400))
        wrong = "POST" if "POST" not in methods else ("GET" if "GET" not in methods else None)
        if wrong:
            checks.append((wrong, url, endpoint, 405))
    for method, url, endpoint, status in checks:
        if method == "POST-no-token":
            response = person.client.post(url, data={"text": "chữ đã gõ"})
        else:
            response = person.client.open(url, method=method)
        sent += 1
        label = f"{role} {method} {url}"
        if response.status_code != status:
            found.append(f"{label}: {response.status_code}, expected {status}")
        _check(found, label, response, endpoint if response.status_code < 400 else None)
    report.record("Headers", f"{role} errors", {"responses": sent, "problems": len(found), "details": found})
    assert not found, "\n".join(found)


def test_static_files_carry_the_headers_and_year_long_caching(world):
    _by_theme, served = world.app.extensions["sotay.assets"]
    found, sent = [], 0
    for client, holds in ((world.app.test_client(), False), (world.people["member"].client, True)):
        for name in sorted(served):
            response = client.get(f"/a/{name}")
            sent += 1
            _check(found, f"/a/{name}", response, "assets.serve", holds_session=holds)
            if "immutable" not in response.headers.get("Cache-Control", ""):
                found.append(f"/a/{name}: not immutable")
            if any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie")):
                found.append(f"/a/{name}: writes a session")
    report.record("Headers", "static files", {"responses": sent, "problems": len(found), "details": found})
    assert not found, "\n".join(found)


# --- sessions that end --------------------------------------------------------------------------

def _copy_of(app, person: Visitor):
    """A second browser holding the same session cookie (a copied or stolen cookie)."""
    other = app.test_client()
    other.set_cookie("session", person.client.get_cookie("session").value)
    return other


def _refused(client) -> bool:
    response = client.get("/account")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_the_other_devices_ends_them_and_every_copy_of_their_cookie(app, accounts):
    phone, laptop = Visitor(app.test_client()), Visitor(app.test_client())
    phone.login(accounts["member"])
    laptop.login(accounts["member"])
    copy = _copy_of(app, laptop)
    assert copy.get("/account").status_code == 200
    assert phone.submit("/account/sessions/end", {}, form_page="/account").status_code == 302
    assert _refused(laptop.client) and _refused(copy)
    assert phone.get("/account").status_code == 200  # the device that asked stays signed in


def test_a_new_password_from_a_code_ends_every_earlier_session(app, accounts):
    lost_phone = Visitor(app.test_client())
    lost_phone.login(accounts["member"])
    copy = _copy_of(app, lost_phone)
    code = _issue_code(app, accounts["member"]["login"], accounts["secretary"]["login"])
    new = "mật khẩu mới sau khi mất máy"
    response = Visitor(app.test_client()).submit("/reset", {
        "login": accounts["member"]["login"], "code": code, "password": new, "confirm": new})
    assert response.status_code == 302
    assert _refused(lost_phone.client) and _refused(copy)


@pytest.mark.parametrize("action", ["deceased", "removed"])
def test_a_member_who_leaves_is_signed_out_with_their_family_helper(app, accounts, as_role, action):
    member, helper = as_role("member"), as_role("family_helper")
    copies = [_copy_of(app, member), _copy_of(app, helper)]
    with app.app_context():
        member_id = db.session.scalar(select(User.member_id).where(User.login == accounts["member"]["login"]))
    assert change(as_role("secretary"), member_id, action, local_today().isoformat()).status_code == 302
    assert all(_refused(client) for client in [member.client, helper.client, *copies])
    for role in ("member", "family_helper"):
        response = Visitor(app.test_client()).submit("/login", {"login": accounts[role]["login"],
                                                                "password": accounts[role]["password"]})
        assert response.status_code == 401, role


# --- guessing passwords -------------------------------------------------------------------------

def _try_login(client, token: str, login: str, password: str, address: str = "203.0.113.7"):
    return client.post("/login", data={"csrf_token": token, "login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_the_same_card_typed_differently_counts_as_one_account(app, accounts):
    login = accounts["member"]["login"]
    spaced = " ".join(login[i:i + 2] for i in range(0, len(login), 2))
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for typed in (login, spaced, f" {login} ", f"{login[:2]}.{login[2:]}", f"{login[:4]}-{login[4:]}"):
        assert _try_login(client, token, typed, "đoán-sai").status_code == 401
    response = _try_login(client, token, login, accounts["member"]["password"])
    assert response.status_code == 429  # paused for this address, however the card was typed
    # Five more guesses from elsewhere pause the account for every browser that never signed
    # in to it (tests/core/test_auth.py: the member's own phone still gets in).
    for typed in (login, spaced, f" {login} ", f"{login[:2]}.{login[2:]}", f"{login[:4]}-{login[4:]}"):
        assert _try_login(client, token, typed, "đoán-sai", address="198.51.100.8").status_code == 401
    response = _try_login(client, token, login, accounts["member"]["password"], address="198.51.100.9")
    assert response.status_code == 429


def test_guessing_across_many_accounts_from_one_address_is_paused_there_only(app, accounts):
    app.config["LOGIN_ADDRESS_FAILURES"] = 10  # 30 by default (plus 3 per account signed in there)
    client = app.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    for n in range(10):
        assert _try_login(client, token, f"4600{n:04d}", "123456").status_code == 401
    assert _try_login(client, token, "46009999", "123456").status_code == 429
    elsewhere = _try_login(client, token, accounts["member"]["login"], accounts["member"]["password"],
                           address="198.51.100.9")
    assert elsewhere.status_code == 302  # another ward's address is not held back
