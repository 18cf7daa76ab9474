"""Weak networks: a member in a mountain district on slow 3G, and a connection that drops."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.steps import LOGIN, SIGN_IN, at, fill_login, sign_in

# Chrome DevTools' "Slow 3G": ~400 kbit/s each way and 2 s of round-trip latency.
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
NET_ERROR = "Mạng yếu nên việc này chưa gửi đi được"


def test_sign_in_over_slow_3g(page, accounts):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    page.set_default_timeout(30_000)
    started = time.monotonic()
    page.goto("/login", wait_until="load")
    loaded = time.monotonic() - started
    # The page, its stylesheet and scripts: a few round trips, not a long wait.
    assert loaded < 12, f"the sign-in page took {loaded:.1f}s to load over slow 3G"
    started = time.monotonic()
    fill_login(page, accounts["member"]["login"], accounts["member"]["password"])
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    page.wait_for_url(at("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào đồng chí")
    signed_in = time.monotonic() - started
    assert signed_in < 15, f"signing in took {signed_in:.1f}s over slow 3G"


def test_connection_drops_while_signing_in(page, accounts):
    """The post is lost on the way: the page stays as typed and says to press again."""
    lost = []

    def drop_first_post(route):
        if route.request.method == "POST" and not lost:
            lost.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/login*", drop_first_post)
    page.goto("/login")
    fill_login(page, accounts["member"]["login"], accounts["member"]["password"])
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    notice = page.locator(".net-error")
    expect(notice, "the sign-in form must be sent by htmx (hx-target=\"body\", not hx-boost=\"false\") "
                   "so that a dropped connection keeps the page").to_be_visible()
    assert lost, "the sign-in was never posted"
    expect(notice).to_contain_text(NET_ERROR)
    expect(page.get_by_label(LOGIN)).to_have_value(accounts["member"]["login"])
    # Pressing again, once the network is back, signs in.
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    page.wait_for_url(at("/"))
    expect(notice).to_be_hidden()


@pytest.mark.parametrize("url,button", [("/login", SIGN_IN), ("/account", "Đăng xuất mọi thiết bị khác")])
def test_a_second_tap_while_waiting_sends_nothing(page, accounts, url, button):
    """On a slow network the member taps again; the button is held until the answer comes."""
    if url != "/login":
        sign_in(page, accounts["member"])
    page.goto(url)
    if url == "/login":
        fill_login(page, accounts["member"]["login"], accounts["member"]["password"])
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {**SLOW_3G, "latency": 1500})
    press = page.get_by_role("button", name=button, exact=True)
    with page.expect_event("requestfinished", lambda request: request.method == "POST", timeout=10_000):
        press.click(no_wait_after=True)
        expect(press).to_be_disabled(timeout=1000)
        press.click(force=True, no_wait_after=True)  # a held button takes no tap
    page.wait_for_timeout(500)  # time enough for a second post, were one queued
    assert len(posts) == 1, posts
