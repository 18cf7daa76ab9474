"""Signing in and out on a phone, with JavaScript on and off; the display choices."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.steps import (HOME_GREETING, LOGIN, REMEMBER, SIGN_IN, WRONG_PASSWORD, at, cached,
                                 fill_login, is_static, sign_in)


def test_wrong_password_shows_the_vietnamese_error(any_page, accounts):
    page = any_page
    page.goto("/login")
    fill_login(page, accounts["member"]["login"], "not-my-password")
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    expect(page.locator(".field .error")).to_have_text(WRONG_PASSWORD)
    # What the member typed stays; only the password must be typed again.
    expect(page.get_by_label(LOGIN)).to_have_value(accounts["member"]["login"])


def test_right_password_reaches_the_home_page(any_page, accounts):
    page = any_page
    page.goto("/login")
    expect(page.get_by_label(REMEMBER)).to_be_checked()  # their own phone: stay signed in
    sign_in(page, accounts["member"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(HOME_GREETING)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_large_text_and_high_contrast_change_the_page(any_page, accounts):
    page = any_page
    sign_in(page, accounts["member"])
    body = page.locator("body")
    size_before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    colours_before = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_role("link", name="Chữ to").click()
    page.wait_for_url(at("/"))
    expect(body).to_have_class(re.compile(r"\blarge\b"))
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= size_before * 1.3
    page.get_by_role("link", name="Tương phản cao").click()
    page.wait_for_url(at("/"))
    expect(body).to_have_class(re.compile(r"\bcontrast\b"))
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != colours_before
    # Both choices stay on the next page, and each is undone with one tap.
    page.get_by_role("link", name="Tài khoản của tôi").click()
    page.wait_for_url(at("/account"))
    page.get_by_role("link", name="Chữ thường").click()
    page.wait_for_url(at("/account"))  # back on the page the member was reading
    expect(body).not_to_have_class(re.compile(r"\blarge\b"))
    expect(body).to_have_class(re.compile(r"\bcontrast\b"))


def test_logout_leaves_nothing_behind_on_a_shared_phone(any_page, js, accounts):
    page = any_page
    sign_in(page, accounts["member"])
    # What a script (a plugin's, or htmx's history) might have kept for the member; with
    # JavaScript off no script runs to keep anything in this tab's sessionStorage.
    page.evaluate("""async (js) => {
        localStorage.setItem('draft', 'x'); if (js) sessionStorage.setItem('draft', 'x');
        await (await caches.open('pages')).put('/draft', new Response('x'));
    }""", js)
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(at("/login"))
    left = page.evaluate("() => ({local: Object.entries(localStorage), "
                         "session: Object.entries(sessionStorage)})")
    left["caches"] = cached(page)
    # The sign-in page may register the service worker again, which keeps the static files and
    # the offline page (see core/pwa.py); any other cache, or any other address, is personal.
    static = {name: urls for name, urls in left["caches"].items() if name.startswith("sotay-")
              and all(is_static(u) for u in urls)}
    assert left["caches"] == static, f"left behind in Cache Storage after sign-out: {left}"
    # htmx notes the address of the page now open (the sign-in page), nothing else may stay.
    assert left["local"] == [], f"left behind in localStorage after sign-out: {left}"
    assert left["session"] == ([["htmx-current-path-for-history", "/login"]] if js else []), \
        f"left behind in sessionStorage after sign-out: {left}"
    # The next person to pick up the phone presses Back: the member's page does not come back.
    page.go_back()
    expect(page.get_by_text(HOME_GREETING)).to_have_count(0)
    page.reload()
    expect(page.get_by_role("button", name=SIGN_IN, exact=True)).to_be_visible()
    expect(page.get_by_text(HOME_GREETING)).to_have_count(0)
