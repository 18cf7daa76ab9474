"""The listening page in Chromium on a 360 px phone. JavaScript off: plain <audio controls>, a
download link and "remember where I am" work. JavaScript on: play/pause, speed, back 10 s, the
parts one after another, the place sent to the server on pause and resumed on the next visit."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.plugins.readaloud.support import position_of, published, reading_of
from tests.plugins.readaloud.test_listen import LONG

pytestmark = pytest.mark.browser


def _open_listening(page, item: int) -> None:
    page.goto(f"/c/{item}")
    page.get_by_role("link", name="Nghe", exact=True).click()
    page.wait_for_url(re.compile(rf"/readaloud/{item}$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def _until(page, expression: str, seconds: float = 20) -> None:
    """Poll `expression` in the page (wait_for_function evaluates a string: the CSP forbids it)."""
    _wait(lambda: page.evaluate(expression), seconds)


def _wait(check, seconds: float = 15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("waited in vain")


def test_without_javascript_plain_audio_and_the_part_reached(open_page, app, as_role, accounts):
    item = published(as_role, body=LONG)
    total = reading_of(app, item)["total"]
    page = open_page(js=False)
    sign_in(page, accounts["member"])
    _open_listening(page, item)
    expect(page.locator("audio[controls]")).to_have_count(total)
    expect(page.locator(".player-bar")).to_be_hidden()
    download = page.get_by_role("link", name="Tải về phần 2")
    expect(download).to_have_attribute("href", re.compile(r"download=1"))
    page.get_by_label("Đồng chí đã nghe đến").select_option("2")
    page.get_by_role("button", name="Ghi nhớ chỗ đang nghe").click()
    expect(page.get_by_text("Đã ghi nhớ: đồng chí đang nghe đến phần 2.")).to_be_visible()
    assert position_of(app, accounts["member"]["login"], item) == (1, 0.0)


def test_with_javascript_the_player_plays_on_and_resumes_where_it_stopped(open_page, app, as_role, accounts):
    item = published(as_role, body=LONG)
    login = accounts["member"]["login"]
    page = open_page(js=True)
    sign_in(page, accounts["member"])
    _open_listening(page, item)
    bar = page.locator(".player-bar")
    expect(bar).to_be_visible()
    page.get_by_role("button", name="1,25×").click()
    expect(page.get_by_role("button", name="1,25×")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="Phát", exact=True).click()
    expect(page.get_by_role("button", name="Tạm dừng")).to_be_visible()
    # The title is short: the next part follows by itself, at the speed chosen.
    _until(page, "document.querySelectorAll('audio')[1].currentTime > 1")
    assert page.evaluate("document.querySelectorAll('audio')[0].paused")
    assert page.evaluate("document.querySelectorAll('audio')[1].playbackRate") == 1.25
    page.evaluate("document.querySelectorAll('audio')[1].currentTime = 30")
    page.get_by_role("button", name="Lùi 10 giây").click()
    back = page.evaluate("document.querySelectorAll('audio')[1].currentTime")
    assert 19 <= back <= 23, back
    page.get_by_role("button", name="Tạm dừng").click()
    expect(page.get_by_role("button", name="Phát", exact=True)).to_be_visible()
    # The pause sends the place (a timed save may have sent an earlier one before).
    number, seconds = _wait(lambda: (found := position_of(app, login, item)) and found[0] == 1 and found)
    assert number == 1 and 19 <= seconds <= 24, (number, seconds)

    again = open_page(js=True)  # another phone, the next day
    sign_in(again, accounts["member"])
    _open_listening(again, item)
    expect(again.get_by_text(re.compile(r"Lần trước đồng chí nghe đến phần 2, phút 0:[12]\d"))).to_be_visible()
    again.get_by_role("button", name="Phát", exact=True).click()
    # Playing starts before the part's length is known; the player seeks once it is.
    _until(again, "(a => !a.paused && a.currentTime > 0)(document.querySelectorAll('audio')[1])")
    resumed = again.evaluate("document.querySelectorAll('audio')[1].currentTime")
    assert resumed >= seconds - 0.5, (resumed, seconds)
    assert again.evaluate("document.querySelectorAll('audio')[0].paused")


def test_the_page_follows_the_audio_being_made(open_page, app, as_role, accounts):
    """Opened while the audio is made: the parts appear as they are ready, without a reload."""
    from core.extensions import db
    from plugins.readaloud.models import ReadaloudReading, ReadaloudSection

    item = published(as_role, body=LONG)
    made = reading_of(app, item)
    with app.app_context():  # hide all but the title, as if the worker were still at it
        reading = db.session.get(ReadaloudReading, made["id"])
        hidden = [(s.number, s.file_id, s.seconds) for s in db.session.scalars(
            db.select(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id,
                                              ReadaloudSection.number > 0))]
        db.session.execute(db.delete(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id,
                                                             ReadaloudSection.number > 0))
        reading.status = "working"
        db.session.commit()
    page = open_page(js=True)
    sign_in(page, accounts["member"])
    _open_listening(page, item)
    expect(page.get_by_text("Đang chuẩn bị bản đọc…")).to_be_visible()
    expect(page.locator("audio")).to_have_count(1)
    with app.app_context():  # the worker finishes
        for number, file_id, seconds in hidden:
            db.session.add(ReadaloudSection(reading_id=made["id"], number=number, file_id=file_id, seconds=seconds))
        db.session.get(ReadaloudReading, made["id"]).status = "ready"
        db.session.commit()
    expect(page.locator("audio")).to_have_count(made["total"], timeout=15_000)
    expect(page.get_by_text("Đang chuẩn bị bản đọc…")).to_have_count(0)
