"""The demo data (what `flask seed-demo` adds) as each demo role sees it, and the report sections."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from core.api import DemoWorld, report_for
from core.auth.models import User
from core.extensions import db
from core.org.models import Organisation
from plugins.feedback import demo
from tests.plugins.support import dispose, make_app, province_of_role, switch


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "feedback", True)
    yield app
    dispose(app)


@pytest.fixture
def seeded(app, accounts):
    with app.app_context():
        orgs = {o.name: o.id for o in db.session.scalars(select(Organisation))}
        users = {u.login: u.id for u in db.session.scalars(select(User))}
        world = DemoWorld(province_of_role(app, accounts, "member"), province_of_role(app, accounts, "other_province_admin"),
                          {role: orgs[a["org"]] for role, a in accounts.items()},
                          {role: users[a["login"]] for role, a in accounts.items()}, accounts, (),
                          random.Random(7), True)
        demo.seed(world)
        db.session.commit()
        assert demo.has_data()


def test_each_demo_role_finds_the_feature_working(seeded, as_role):
    member = as_role("member")
    page = member.text("/feedback/")
    assert "Thủ tục miễn sinh hoạt đảng" in page and "Đóng đảng phí khi đi làm ăn xa" in page
    assert "Chuyển đảng chính thức" in member.text("/feedback/faq?q=chuyen chinh thuc")
    assert "Lấy ý kiến về chất lượng sinh hoạt chi bộ" in member.text("/feedback/surveys")
    assert "Đóng đảng phí khi đi làm ăn xa" in as_role("grassroots_admin").text("/feedback/desk")
    overdue = as_role("district_admin").text("/feedback/overdue")
    assert "Kiến nghị sửa đường vào xóm" in overdue and "không hiện tên" in overdue
    assert "Kiến nghị sửa đường vào xóm" in as_role("province_admin").text("/feedback/overdue")
    results = as_role("grassroots_admin").text("/feedback/surveys/1/results")
    assert "<svg" in results and "Đều hằng tháng" in results and "Nên có chuyên đề về kinh tế hộ." in results


def test_report_sections_count_questions_answered_on_time_per_level(seeded, app, accounts):
    with app.app_context():
        province = db.session.scalar(select(Organisation).where(Organisation.name == accounts["province_admin"]["org"]))
        admin = db.session.scalar(select(User).where(User.login == accounts["province_admin"]["login"]))
        sections = {s.title: s for s in report_for(province, admin)}
        questions = sections["Câu hỏi của đảng viên"]
        assert questions.figures["câu hỏi đã nhận"] == 4
        assert questions.figures["câu trả lời đã gửi"] == 2
        assert questions.figures["trả lời trong 7 ngày"] == 2
        assert questions.figures["trả lời ở cấp chi bộ"] == 1
        assert questions.figures["trả lời ở cấp tỉnh"] == 1
        assert any("quá 7 ngày" in alert for alert in questions.alerts)
        assert sections["Khảo sát ý kiến"].figures["đảng viên đã trả lời"] == 2
