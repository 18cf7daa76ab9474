"""A task in Chromium on a 360 px phone, JavaScript on and off: the secretary gives it, the member
reads it on the home page, reports it done with a photo, the secretary accepts; the district's
cascade reaches the branch and is passed on; the member's calendar by week, with an entry."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.samples import photo
from tests.support import local_today


def _narrow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing wider than the phone


def _display_name(app, accounts, role: str) -> str:
    from sqlalchemy import select

    from core.auth.models import User
    from core.extensions import db
    from core.org.models import Member

    with app.app_context():  # the name on the branch's list is the member record's
        return db.session.scalar(select(Member.full_name).join(User, User.member_id == Member.id)
                                 .where(User.login == accounts[role]["login"]))


def test_a_task_given_reported_done_and_accepted(js, open_page, accounts, app, tmp_path):
    name = _display_name(app, accounts, "member")
    secretary = open_page(js=js)
    sign_in(secretary, accounts["secretary"])
    secretary.goto("/tasks/new")
    secretary.get_by_label("Tên công việc").fill("Thăm hỏi đảng viên cao tuổi ốm đau")
    secretary.get_by_label("Nội dung công việc").fill("Đến thăm, tặng quà các đồng chí trên 80 tuổi đang ốm.")
    secretary.get_by_label("Hạn hoàn thành").fill((local_today() + timedelta(days=6)).isoformat())
    secretary.locator("label.check").filter(has_text="Một số đảng viên").click()
    secretary.locator("#members label.check").filter(has_text=name).first.click()
    _narrow(secretary)
    secretary.get_by_role("button", name="Giao việc", exact=True).click()
    secretary.wait_for_url(re.compile(r"/tasks/\d+$"))
    expect(secretary.get_by_text("Đã giao việc.")).to_be_visible()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Thăm hỏi đảng viên cao tuổi ốm đau")
    task_url = secretary.url

    member = open_page(js=js)
    sign_in(member, accounts["member"])
    expect(member.get_by_text(re.compile(r"Có \d+ việc cần làm"))).to_be_visible()
    member.goto("/tasks/")
    member.get_by_role("link", name="Thăm hỏi đảng viên cao tuổi ốm đau").click()
    member.get_by_label("Đã làm được (%)").fill("100")
    member.get_by_label("Đã làm được những gì").fill("Đã thăm 4 đồng chí, tặng quà đủ.")
    picture = tmp_path / "tham-hoi.jpg"
    picture.write_bytes(photo(size=(800, 600)))
    member.get_by_label("Ảnh chụp hoặc tệp kết quả (nếu có)").set_input_files(str(picture))
    member.get_by_role("button", name="Gửi báo cáo").click()
    expect(member.get_by_text("Đã báo xong việc; người giao việc sẽ xác nhận.")).to_be_visible()
    expect(member.get_by_role("link", name="Ảnh hoặc tệp kết quả")).to_be_visible()
    _narrow(member)

    secretary.goto(task_url + "?show=waiting")
    secretary.locator("ul.member-list a").filter(has_text=name).click()
    secretary.get_by_text("Xác nhận: việc đã xong").click()
    secretary.get_by_role("button", name="Gửi câu trả lời").click()
    expect(secretary.get_by_text("Đã gửi trả lời cho đảng viên.")).to_be_visible()
    expect(secretary.get_by_text("Báo cáo được xác nhận: đã xong")).to_be_visible()


def test_a_district_cascade_is_passed_on_by_the_branch(js, open_page, accounts):
    district = open_page(js=js)
    sign_in(district, accounts["district_admin"])
    district.goto("/tasks/new")
    district.get_by_label("Tên công việc").fill("Kiểm tra sổ sách đảng phí")
    district.get_by_label("Hạn hoàn thành").fill((local_today() + timedelta(days=12)).isoformat())
    district.get_by_role("button", name="Giao việc", exact=True).click()
    district.wait_for_url(re.compile(r"/tasks/\d+$"))
    expect(district.get_by_text("Theo tổ chức")).to_be_visible()
    task_url = district.url

    secretary = open_page(js=js)
    sign_in(secretary, accounts["secretary"])
    secretary.goto("/tasks/")
    secretary.get_by_role("link", name="Kiểm tra sổ sách đảng phí").click()
    expect(secretary.get_by_text("Chưa giao cho đảng viên nào.")).to_be_visible()
    secretary.locator("#members label.check").first.click()
    secretary.get_by_role("button", name="Giao cho đảng viên").click()
    expect(secretary.get_by_text("Đã giao việc cho 1 đảng viên.")).to_be_visible()
    _narrow(secretary)

    district.goto(task_url)
    expect(district.get_by_text(re.compile("Đã giao cho đảng viên, 0%")).first).to_be_visible()
    _narrow(district)


def test_the_member_adds_an_entry_and_reads_the_week(js, open_page, accounts):
    member = open_page(js=js)
    sign_in(member, accounts["member"])
    member.goto("/calendar/")
    member.get_by_role("link", name="Thêm việc riêng").click()
    member.get_by_label("Việc gì").fill("Đi họp Hội Cựu chiến binh")
    day = local_today() + timedelta(days=1)
    member.get_by_label("Ngày").fill(day.isoformat())
    member.get_by_label("Giờ (nếu có)").fill("14:00")
    member.get_by_role("button", name="Ghi vào lịch").click()
    expect(member.get_by_text("Đã ghi vào lịch của đồng chí.")).to_be_visible()
    expect(member.get_by_text("Đi họp Hội Cựu chiến binh")).to_be_visible()
    member.get_by_role("link", name="Tuần", exact=True).click()
    expect(member.get_by_text("Đi họp Hội Cựu chiến binh")).to_be_visible()
    _narrow(member)
