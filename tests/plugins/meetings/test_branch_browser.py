"""The branch's side in Chromium on a phone, JavaScript on and off: the secretary creates a
meeting and sends the invitation; a member follows the home card and answers that they cannot
come, with a reason."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.plugins.meetings.test_branch import app, branch  # noqa: F401  (fixtures)
from tests.support import local_today

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("js", [True, False], ids=["js", "nojs"])
def test_secretary_invites_and_a_member_answers(open_page, accounts, js):
    title = f"Sinh hoạt chi bộ tháng này ({'js' if js else 'nojs'})"
    day = (local_today() + timedelta(days=3)).strftime("%d/%m/%Y")
    page = open_page(js=js)
    sign_in(page, accounts["secretary"])
    page.goto("/meetings/")
    page.get_by_role("link", name="Tạo cuộc họp").click()
    page.get_by_role("radio", name="Sinh hoạt chuyên đề").check()
    page.get_by_label("Tên cuộc họp").fill(title)
    page.get_by_label("Ngày họp (ngày/tháng/năm)").fill("30/02/2027")  # a date that does not exist
    page.get_by_label("Giờ họp (giờ:phút)").fill("19:30")
    page.get_by_label("Địa điểm").fill("Nhà văn hóa xóm Đồng Tâm")
    page.get_by_label("Chương trình họp (mỗi nội dung một dòng)").fill("Học tập chuyên đề\nPhân công nhiệm vụ")
    page.get_by_role("button", name="Tạo cuộc họp").click()
    expect(page.get_by_text("Đồng chí hãy ghi ngày theo dạng dd/mm/yyyy")).to_be_visible()
    expect(page.get_by_label("Tên cuộc họp")).to_have_value(title)  # nothing typed is lost
    page.get_by_label("Ngày họp (ngày/tháng/năm)").fill(day)
    page.get_by_role("button", name="Tạo cuộc họp").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Gửi giấy mời").click()
    expect(page.get_by_text(re.compile(r"Đã gửi giấy mời tới \d+ đảng viên"))).to_be_visible()

    member = open_page(js=js)
    sign_in(member, accounts["member"])
    card = member.get_by_role("link", name=re.compile("Cuộc họp sắp tới|" + re.escape(title))).first
    expect(member.get_by_text(title).first).to_be_visible()
    card.click()
    member.wait_for_url(re.compile(r"/meetings/\d+$"))
    expect(member.get_by_text("19:30").first).to_be_visible()
    member.get_by_label("Vắng, có lý do").check()
    member.get_by_label("Lý do vắng mặt").fill("Đi viện thăm mẹ")
    member.get_by_role("button", name="Gửi câu trả lời").click()
    expect(member.get_by_text("Lý do: Đi viện thăm mẹ")).to_be_visible()
