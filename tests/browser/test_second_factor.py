"""A branch secretary sets up the second factor on the phone they hold (360 px, large text,
JavaScript on and off): the home page suggests it, a button hands the account to the
authenticator app, the key is in groups of four, ten backup codes are shown once, and a backup
code signs them in when the phone is not at hand."""
from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from tests.browser.steps import SIGN_IN, at, fill_login, sign_in


def test_secretary_sets_it_up_and_signs_in_with_a_backup_code(any_page, live_server, accounts):
    page = any_page
    account = accounts["secretary"]
    sign_in(page, account)
    page.context.add_cookies([{"name": "large", "value": "1", "url": live_server}])
    page.goto("/")
    page.get_by_role("link", name="Bảo vệ tài khoản bằng xác thực hai lớp").click()
    page.wait_for_url(at("/account/authenticator"))
    add = page.get_by_role("link", name="Thêm vào ứng dụng xác thực")
    expect(add).to_have_attribute("href", re.compile(r"^otpauth://totp/"))
    key = page.locator("main code.key").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", key), key
    box = page.locator("main code.key").bounding_box()
    assert box["x"] + box["width"] <= page.viewport_size["width"]  # the key fits the small screen
    secret = key.replace(" ", "")
    assert f"secret={secret}" in add.get_attribute("href")
    page.get_by_label("Mã 6 chữ số trong ứng dụng xác thực").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Bật").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mã dự phòng")
    codes = page.locator("main .backup-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"\d{5} \d{5}", code) for code in codes)
    page.get_by_role("link", name="Tôi đã chép lại").click()
    page.wait_for_url(at("/account"))
    page.goto("/account/authenticator")
    expect(page.locator("main")).to_contain_text("Số mã dự phòng còn lại: 10")
    assert codes[0] not in page.locator("main").inner_text()  # shown once only

    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(at("/login"))
    fill_login(page, account["login"], account["password"])
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    page.wait_for_url(at("/login/code"))
    page.get_by_label("Mã 6 chữ số trong ứng dụng xác thực").fill(codes[0])
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(at("/"))
    expect(page.locator(".notice.success")).to_contain_text("Số mã dự phòng còn lại: 9")
    expect(page.get_by_role("link", name="Bảo vệ tài khoản bằng xác thực hai lớp")).to_have_count(0)
