"""Accessibility: axe-core finds nothing on any page a member or a secretary reaches, on a
360 px phone, in normal and in large-text mode (and the sign-in pages before that)."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.steps import PASSWORD, SIGN_IN, fill_login, sign_in
from tests.core.test_page_weight import crawl, signed_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MODES = {"normal": {}, "large": {"large": "1"}, "large+contrast": {"large": "1", "contrast": "1"}}
PER_KIND = 2  # two members' records tell as much as eight


def _urls(app, accounts, role: str) -> list[str]:
    """The pages the role reaches, found by the page-weight crawler (HTML answers only)."""
    start = "/login" if role == "anonymous" else "/"
    pages = crawl(signed_in(app, accounts, role).client, start, per_kind=PER_KIND)
    return [page.url for page in pages if page.html]


def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run ./sotay test (npm ci installs axe-core)")
    return AXE.read_text()


def _open_with_axe(open_page):
    page = open_page(js=True)
    # axe enters every page through the DevTools protocol, which the page's strict
    # content-security policy (no inline scripts) does not apply to: no CSP bypass is needed.
    page.context.add_init_script(script=_axe_source())
    return page


def _violations(page) -> list[dict]:
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))""")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("role", ["anonymous", "member", "secretary"])
def test_no_accessibility_violation(open_page, live_server, app, accounts, role, mode, demo_content):
    urls = _urls(app, accounts, role)
    page = _open_with_axe(open_page)
    if role != "anonymous":
        sign_in(page, accounts[role])
    page.context.add_cookies([{"name": k, "value": v, "url": live_server} for k, v in MODES[mode].items()])
    found = []
    for url in urls:
        page.goto(url)
        assert set(MODES[mode]) <= set(page.locator("body").get_attribute("class").split()), url
        for v in _violations(page):
            found.append(f"{url} {v['id']} ({v['impact']}): {v['help']} — {v['targets']}")
    assert not found, f"{len(found)} violations for {role} in {mode} mode:\n" + "\n".join(found[:60])


def test_forms_showing_their_errors_and_the_retry_notice(open_page, accounts):
    """What a crawl never sees: a form sent back with its messages, the network notice shown."""
    page = _open_with_axe(open_page)
    page.goto("/login")
    fill_login(page, accounts["member"]["login"], "wrong password")
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    expect(page.get_by_label(PASSWORD, exact=True)).to_have_attribute("aria-invalid", "true")
    page.evaluate("document.querySelector('.net-error').hidden = false")
    found = [f"/login {v['id']}: {v['help']} — {v['targets']}" for v in _violations(page)]
    sign_in(page, accounts["secretary"])
    page.goto("/members/new")
    page.locator("[name=full_name]").fill("Nguyễn Văn Thử")
    page.locator("[name=admission_date]").fill("2001-05-19")  # official, yet no card nor date
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    found += [f"/members/new {v['id']}: {v['help']} — {v['targets']}" for v in _violations(page)]
    assert not found, "\n".join(found)
