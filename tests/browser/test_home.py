"""The home page an elderly member understands at first sight, on a 360 px phone, in normal and
large text, with JavaScript on and off: today's business on top, a large tile with an icon and a
short label per function, and a header whose menu folds into one "Danh mục" button."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import at, sign_in

MODES = {"normal": {}, "large": {"large": "1"}}
MENU = "Danh mục"


def _tiles(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('main .tiles a')].map((a) => {
        const box = a.getBoundingClientRect();
        return {label: a.textContent.trim(), icon: !!a.querySelector('svg'), height: box.height,
                width: box.width, right: box.right};
    })""")


@pytest.mark.parametrize("mode", MODES)
def test_member_home_tiles_and_folded_menu(any_page, live_server, accounts, demo_content, mode):
    page = any_page
    sign_in(page, accounts["member"])
    page.context.add_cookies([{"name": k, "value": v, "url": live_server} for k, v in MODES[mode].items()])
    page.goto("/")
    tiles = _tiles(page)
    labels = [tile["label"] for tile in tiles]
    for label in ("Tin tức", "Văn bản", "Thông báo", "Lịch", "Tài khoản của tôi"):
        assert any(label in text for text in labels), (label, labels)
    assert "Trang chủ" not in labels  # no tile for the page one is on
    width = page.viewport_size["width"]
    for tile in tiles:
        assert tile["icon"] and tile["height"] >= 48 and tile["width"] >= 120, tile
        assert tile["right"] <= width, tile  # nothing runs off a small screen
    # The urgent card (the current announcement) comes before the tiles.
    assert page.evaluate("""() => {
        const urgent = document.querySelector('main .cards.urgent');
        const tiles = document.querySelector('main .tiles');
        return !!urgent && !!(urgent.compareDocumentPosition(tiles) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    # The header is compact: the menu is folded, its links hidden until asked for.
    header = page.locator("header.top").bounding_box()
    assert header["height"] <= page.viewport_size["height"] * 0.22, header
    menu = page.get_by_role("navigation", name="Trình đơn chính")
    expect(menu.get_by_role("link", name="Văn bản")).to_be_hidden()
    page.locator("header summary", has_text=MENU).click()
    expect(menu.get_by_role("link", name="Văn bản")).to_be_visible()
    menu.get_by_role("link", name="Văn bản").click()
    page.wait_for_url(at("/documents/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Văn bản")
    # Back home through a tile, and the menu is folded again.
    page.goto("/")
    page.locator("main .tiles a", has_text="Tin tức").click()
    page.wait_for_url(at("/news/"))
    expect(page.get_by_role("navigation", name="Trình đơn chính").get_by_role("link", name="Văn bản")).to_be_hidden()


def test_manage_is_the_same_tiles_wide(page, accounts):
    sign_in(page, accounts["secretary"])
    page.locator("main .tiles a", has_text="Quản lý").click()
    page.wait_for_url(at("/manage"))
    tiles = _tiles(page)
    assert any(tile["label"].startswith("Đảng viên") for tile in tiles), tiles
    for tile in tiles:
        assert tile["icon"] and tile["height"] >= 48, tile
        assert tile["width"] >= page.viewport_size["width"] * 0.8, tile  # one wide row each
    # Each wide tile says what is behind it.
    members = page.locator("main .tiles.wide a[href='/members/']")
    expect(members.locator("strong")).to_have_text("Đảng viên")
    expect(members.locator(".muted")).to_contain_text(re.compile(r"\w{3,}"))
