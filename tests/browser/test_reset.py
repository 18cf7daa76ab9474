"""A member forgot the password: asks on the sign-in page, the secretary gives a code, the
member chooses a new password with it — each on their own phone, with JavaScript on and off."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.steps import HOME_GREETING, LOGIN, at, member_name, path_of, sign_in

NEW_PASSWORD = "hoa sen nở trong đầm"


def test_forgotten_password_end_to_end(open_page, js, app, accounts):
    member, secretary = open_page(js=js), open_page(js=js)
    login = accounts["member"]["login"]

    member.goto("/login")
    member.get_by_role("link", name="Lần đầu sử dụng hoặc quên mật khẩu?").click()
    member.wait_for_url(at("/forgot"))
    member.get_by_label(LOGIN).fill(login)
    member.get_by_role("button", name="Gửi yêu cầu").click()
    member.wait_for_url(at("/forgot/sent"))
    expect(member.get_by_role("heading", level=1)).to_have_text("Đã gửi yêu cầu")

    # The secretary sees the request among the branch's and gives a code (shown once, large).
    sign_in(secretary, accounts["secretary"])
    secretary.goto("/members/resets")
    request = secretary.locator("li, tr").filter(has_text=member_name(app, login))
    request.locator("form[action*='/code'] button").first.click()
    code = secretary.locator(".one-time-code")
    expect(code, "the code page shows the code in an element of class one-time-code").to_be_visible()
    told = code.inner_text().strip()
    assert re.fullmatch(r"[\d ]{6,}", told), told

    # The member types the code as it was read out, spaces and all.
    member.get_by_role("link", name="Tôi đã có mã do bí thư cấp").click()
    member.wait_for_url(at("/reset"))
    member.get_by_label(LOGIN).fill(login)
    member.get_by_label("Mã dùng một lần do bí thư chi bộ cấp").fill(told)
    member.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    member.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    member.get_by_role("button", name="Lưu và đăng nhập").click()
    member.wait_for_url(at("/"))
    expect(member.get_by_text("Đã lưu mật khẩu mới. Chào mừng đồng chí!")).to_be_visible()
    expect(member.get_by_role("heading", level=1)).to_contain_text(HOME_GREETING)

    # The secretary's list no longer offers that request as waiting for a first code.
    secretary.goto("/members/resets")
    assert path_of(secretary) == "/members/resets"
