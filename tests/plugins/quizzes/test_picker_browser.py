"""The contestant picker in Chromium on a phone: with JavaScript the names come as the organiser
types (htmx) and the people ticked stay ticked through the next search; without JavaScript the
Find button brings the form back with the names found and what was typed kept."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.steps import sign_in


def _name(app, accounts, role) -> str:
    from core.auth.models import User
    from core.extensions import db
    from core.org.models import Member

    with app.app_context():
        found = db.session.scalar(select(Member.full_name).join(User, User.member_id == Member.id)
                                  .where(User.login == accounts[role]["login"]))
        db.session.remove()
    return found


def test_with_javascript_names_come_as_one_types_and_ticks_stay(open_page, accounts, app):
    member, secretary = _name(app, accounts, "member"), _name(app, accounts, "secretary")
    page = open_page(js=True)
    sign_in(page, accounts["grassroots_admin"])
    page.goto("/quizzes/manage/new")
    page.get_by_label("Tên cuộc thi").fill("Thi chọn người trên điện thoại")
    page.get_by_label("Tìm đảng viên theo tên").fill(member)
    box = page.locator("#people-list label", has_text=member).locator("input")
    expect(box).to_be_visible()  # no button pressed: htmx brought the names
    box.check()
    page.get_by_label("Tìm đảng viên theo tên").fill(secretary)
    expect(page.locator("#people-list label", has_text=secretary)).to_be_visible()
    expect(page.locator("#people-list label", has_text=member).locator("input")).to_be_checked()
    expect(page.get_by_label("Tên cuộc thi")).to_have_value("Thi chọn người trên điện thoại")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_javascript_the_find_button_brings_the_names(open_page, accounts, app):
    member = _name(app, accounts, "member")
    page = open_page(js=False)
    sign_in(page, accounts["grassroots_admin"])
    page.goto("/quizzes/manage/new")
    page.get_by_label("Tên cuộc thi").fill("Thi chọn người không JavaScript")
    page.get_by_label("Tìm đảng viên theo tên").fill(member)
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.locator("#people-list label", has_text=member)).to_be_visible()
    expect(page.get_by_label("Tên cuộc thi")).to_have_value("Thi chọn người không JavaScript")
