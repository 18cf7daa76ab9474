"""A branch secretary adds a member from the phone, with JavaScript on and off."""
from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.browser.steps import count_members, path_of, sign_in


def test_secretary_adds_a_member(any_page, app, accounts):
    page = any_page
    card = "98" + f"{secrets.randbelow(10**10):010d}"
    name = "Hoàng Thị Mận"
    sign_in(page, accounts["secretary"])
    page.goto("/members/")
    page.locator("a[href^='/members/new']").first.click()
    page.wait_for_url(lambda url: "/members/new" in url)
    page.locator("[name=full_name]").fill(name)
    page.locator("input[name=kind][value=official]").check()
    page.locator("[name=card_number]").fill(" ".join(card[i:i + 4] for i in range(0, len(card), 4)))
    page.locator("[name=admission_date]").fill("2001-05-19")
    page.locator("[name=official_date]").fill("2002-05-19")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/members/\d+$"))
    expect(page.locator(".notice.success")).to_contain_text(name)
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    # The new member is in the branch's list, once.
    page.goto(f"/members/?q={card}")
    expect(page.locator("main").get_by_role("link", name=name)).to_have_count(1)
    assert path_of(page) == "/members/"
    assert count_members(app, card) == 1
