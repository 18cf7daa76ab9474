"""The question's way in Chromium on a 360 px phone, JavaScript on and off: a member sends it,
the secretary passes it up, the grassroots committee answers, the member reads the answer; a
member answers a survey and the administrator sees its bars."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.steps import at, sign_in
from tests.support import local_today


def test_a_question_goes_up_and_its_answer_comes_back(js, open_page, accounts):
    member = open_page(js=js)
    sign_in(member, accounts["member"])
    member.goto("/feedback/new")
    member.get_by_label("Chủ đề").fill("Sinh hoạt ghép chi bộ")
    member.get_by_label("Nội dung câu hỏi, ý kiến").fill("Chi bộ ít đảng viên có được sinh hoạt ghép không?")
    member.get_by_role("button", name="Gửi", exact=True).click()
    member.wait_for_url(re.compile(r"/feedback/\d+$"))
    expect(member.get_by_text("Đã gửi câu hỏi tới chi bộ của đồng chí.")).to_be_visible()
    url = member.url

    secretary = open_page(js=js)
    sign_in(secretary, accounts["secretary"])
    secretary.goto(url)
    secretary.get_by_label("Chuyển lên").select_option(label=accounts["grassroots_admin"]["org"])
    secretary.get_by_label("Ghi chú gửi cấp trên").fill("Đề nghị Đảng ủy xã trả lời")
    secretary.get_by_role("button", name="Chuyển lên cấp trên").click()
    secretary.wait_for_url(at("/feedback/desk"))
    expect(secretary.get_by_text("Đã chuyển câu hỏi lên cấp trên.")).to_be_visible()

    grassroots = open_page(js=js)
    sign_in(grassroots, accounts["grassroots_admin"])
    grassroots.goto("/feedback/desk")
    grassroots.get_by_role("link", name="Sinh hoạt ghép chi bộ").click()
    expect(grassroots.get_by_text("(không hiện tên)")).to_be_visible()
    grassroots.get_by_label("Trả lời").fill("Được, theo hướng dẫn của Đảng ủy xã.")
    grassroots.get_by_role("button", name="Gửi câu trả lời").click()
    expect(grassroots.get_by_text("Đã gửi câu trả lời tới đảng viên.")).to_be_visible()

    member.goto("/feedback/")
    member.get_by_role("link", name="Sinh hoạt ghép chi bộ").click()
    expect(member.get_by_text("Được, theo hướng dẫn của Đảng ủy xã.")).to_be_visible()
    member.get_by_role("button", name="Có, đã giúp được").click()
    expect(member.get_by_text("Cảm ơn đồng chí, ý kiến đã được ghi nhận.")).to_be_visible()
    width = member.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing wider than the phone


def test_a_member_answers_a_survey_and_the_admin_sees_bars(js, open_page, accounts):
    admin = open_page(js=js)
    sign_in(admin, accounts["grassroots_admin"])
    admin.goto("/feedback/surveys/new")
    admin.locator("[name=title]").fill("Ý kiến về giờ họp chi bộ")
    admin.locator("[name=opens_on]").fill(local_today().isoformat())
    admin.locator("[name=closes_on]").fill(local_today().isoformat())
    admin.locator("[name='questions-0-kind']").select_option("single")
    admin.locator("[name='questions-0-text']").fill("Đồng chí muốn họp vào lúc nào?")
    admin.locator("[name='questions-0-choices']").fill("Buổi sáng\nBuổi tối")
    admin.get_by_role("button", name="Lưu khảo sát").click()
    admin.wait_for_url(re.compile(r"/feedback/surveys/\d+$"))
    url = admin.url

    member = open_page(js=js)
    sign_in(member, accounts["member"])
    member.goto(url)
    member.get_by_text("Buổi tối").click()
    member.get_by_role("button", name="Gửi câu trả lời").click()
    expect(member.get_by_text("Cảm ơn đồng chí, câu trả lời đã được ghi nhận.")).to_be_visible()
    expect(member.get_by_role("button", name="Gửi câu trả lời")).to_have_count(0)

    admin.goto(url + "/results")
    expect(admin.locator("svg[role=img] rect")).to_have_count(2)
    expect(admin.get_by_role("row", name=re.compile("Buổi tối 1"))).to_be_visible()
