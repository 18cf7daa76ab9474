"""Radio and checkbox rows for old eyes and thick fingers: each control sits on the same line as
its words, and the whole row (at least 48 px high) is what a finger presses — on a 360 px phone,
in normal and in large-text mode."""
from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in

MODES = {"normal": {}, "large": {"large": "1"}}

# For every choice row in <main>: the control's and the words' boxes, the row's height.
ROWS = """() => [...document.querySelectorAll('main label.check')].map((row) => {
    const control = row.querySelector('input').getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(row.querySelector('.words'));
    const first = range.getClientRects()[0];
    return {text: row.textContent.trim(), height: row.getBoundingClientRect().height,
            width: row.getBoundingClientRect().width,
            controlTop: control.top, controlBottom: control.bottom, controlRight: control.right,
            wordsTop: first.top, wordsBottom: first.bottom, wordsLeft: first.left,
            bullet: row.closest('li') ? getComputedStyle(row.closest('li')).listStyleType : 'none'};
})"""


def _check_rows(page) -> None:
    rows = page.evaluate(ROWS)
    assert rows, "no choice rows on the page"
    for row in rows:
        where = row["text"]
        # The words begin to the right of the control, on the line the control is on.
        assert row["wordsLeft"] >= row["controlRight"], where
        assert row["wordsTop"] < row["controlBottom"] and row["wordsBottom"] > row["controlTop"], where
        assert row["height"] >= 48, where
        assert row["width"] >= 200, where  # the row, not only the circle, takes the tap
        assert row["bullet"] in ("none", ""), where


@pytest.mark.parametrize("mode", MODES)
def test_member_form_radio_rows(page, live_server, accounts, mode):
    sign_in(page, accounts["secretary"])
    page.context.add_cookies([{"name": k, "value": v, "url": live_server} for k, v in MODES[mode].items()])
    page.goto("/members/new")
    _check_rows(page)
    # Pressing the words (not the circle) chooses the option.
    probation = page.locator("main label.check", has=page.locator("input[name=kind][value=probationary]"))
    probation.locator(".words").click()
    expect(page.locator("input[name=kind][value=probationary]")).to_be_checked()


@pytest.mark.parametrize("mode", MODES)
def test_checkbox_rows_and_the_sign_in_box(page, live_server, accounts, mode):
    page.context.add_cookies([{"name": k, "value": v, "url": live_server} for k, v in MODES[mode].items()])
    page.goto("/login")
    _check_rows(page)
    sign_in(page, accounts["member"])
    page.goto("/inbox/prefs")
    _check_rows(page)
    box = page.locator("main input[type=checkbox]").first
    was = box.is_checked()
    page.locator("main label.check .words").first.click()
    assert box.is_checked() != was


def test_a_refused_choice_is_marked_beside_the_rows(page, app, accounts):
    """A status change sent without a choice: the message is shown and the group is marked."""
    member_id = _member_id(app, accounts["member"]["login"])
    sign_in(page, accounts["secretary"])
    page.goto(f"/members/{member_id}/status")
    # What an old browser without form checks sends: the server's message is what counts.
    page.evaluate("document.querySelector('main form[method=post]').noValidate = true")
    page.locator("main form[method=post] button[type=submit]").last.click()
    group = page.locator("main fieldset.has-error")
    expect(group).to_be_visible()
    expect(page.locator("main .error").first).to_contain_text("Vui lòng chọn")
    assert group.locator("input[aria-invalid=true]").count() >= 1
    _check_rows(page)


def _member_id(app, login: str) -> int:
    from core.auth.accounts import find_member
    from core.extensions import db

    with app.app_context():
        member_id = find_member(login).id
        db.session.remove()
    return member_id



def test_dates_typed_day_first_where_the_browser_has_no_picker(page, app, accounts):
    """A phone's browser with a date picker shows it in the phone's language (dd/mm/yyyy on a
    Vietnamese phone: this Chromium has no Vietnamese system locale, so that is not checked here);
    one without a picker gives a plain text box, where the secretary types 02/09/1975 as on paper.
    An impossible date is refused beside the field, with what was typed kept."""
    sign_in(page, accounts["secretary"])
    page.goto("/members/new")
    dates = ("admission_date", "official_date", "birth_date")
    for name in dates:
        assert page.locator(f"[name={name}]").get_attribute("type") == "date"  # the native picker
    # What an old browser does with <input type=date>: a text box.
    as_text = """names => names.forEach(n => {
        const box = document.querySelector(`[name=${n}]`);
        box.type = 'text';
        box.value = box.getAttribute('value') || '';  // what a text box shows of the page's value
    })"""
    page.evaluate(as_text, list(dates))
    page.locator("[name=full_name]").fill("Nông Thị Ngày")
    page.locator("input[name=kind][value=official]").check()
    page.locator("[name=card_number]").fill("97" + f"{secrets.randbelow(10**10):010d}")
    page.locator("[name=admission_date]").fill("19/05/2001")
    page.locator("[name=official_date]").fill("19/05/2002")
    page.locator("[name=birth_date]").fill("31/02/1975")
    page.locator("main form[method=post] button[type=submit]").last.click()
    error = page.locator("#birth_date-error")
    expect(error).to_contain_text("19/05/1990")
    expect(page.locator("[name=full_name]")).to_have_value("Nông Thị Ngày")
    page.evaluate(as_text, list(dates))
    expect(page.locator("[name=admission_date]")).to_have_value("19/05/2001")  # as typed
    page.locator("[name=birth_date]").fill("02/09/1975")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/members/\d+$"))
    main = page.locator("main")
    for shown in ("02/09/1975", "19/05/2001", "19/05/2002"):
        expect(main).to_contain_text(shown)
