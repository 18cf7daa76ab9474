"""Browser fixtures: the app served on a real socket, Debian's Chromium driven by Playwright.

Registered for the whole suite by tests/conftest.py (pytest_plugins), so any test folder gets
the same session's browser. Without /usr/bin/chromium the browser tests are skipped on a
developer's machine and fail in CI (CI=true), where the set-up must have installed it."""
from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}  # a small, cheap Android phone
JS_MODES = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]


@pytest.fixture
def live_server(app):
    """The test's app (its own seeded database) on 127.0.0.1, in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: run ./sotay test (it installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(js=True, phone=True) → a page in a fresh context (its own cookies and storage)."""
    contexts = []

    def open_(js: bool = True, phone: bool = True, **options):
        if phone:
            options.setdefault("viewport", PHONE)
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
        context = browser.new_context(base_url=live_server, java_script_enabled=js, locale="vi-VN",
                                      **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    """A phone-sized page with JavaScript on."""
    return open_page(js=True)


@pytest.fixture
def page_nojs(open_page):
    """A phone-sized page with JavaScript off: every page must still work."""
    return open_page(js=False)


@pytest.fixture(params=JS_MODES)
def js(request) -> bool:
    """The test runs twice: with JavaScript on, and off."""
    return request.param


@pytest.fixture
def any_page(js, open_page):
    """A phone-sized page, with JavaScript on in one run and off in the other."""
    return open_page(js=js)
