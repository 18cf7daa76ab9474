"""Members' questions as members and each level use them: sending, following, routing up three
levels and back down, the name kept as the member chose, bad input, access across branches."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.notify.models import Notification
from plugins.feedback.models import FeedbackQuestion
from tests.plugins.feedback.support import forward, org_id, send, user_named
from tests.plugins.support import dispose, make_app, province_of_role, switch


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "feedback", True)
    yield app
    dispose(app)


def test_member_sends_a_question_and_follows_its_state(app, as_role, accounts):
    member, secretary = as_role("member"), as_role("secretary")
    home = member.text("/")
    assert "Hỏi đáp, ý kiến" in home and 'href="/feedback/"' in home
    assert "Đồng chí chưa gửi câu hỏi nào." in member.text("/feedback/")
    qid = send(member)
    page = member.text(f"/feedback/{qid}")
    assert "Đã gửi câu hỏi tới chi bộ của đồng chí." in page and "Đã gửi" in page
    assert "Chế độ đảng viên miễn sinh hoạt" in member.text("/feedback/")
    # The branch secretary sees it with the member's name (the branch always does), and opening it
    # marks it received.
    name = user_named(app, accounts, "member").display_name
    assert "Có 1 câu hỏi đang chờ trả lời." in secretary.text("/")
    desk = secretary.text("/feedback/desk")
    assert "Chế độ đảng viên miễn sinh hoạt" in desk and name in desk
    assert name in secretary.text(f"/feedback/{qid}")
    assert "Đã nhận" in member.text(f"/feedback/{qid}")
    with app.app_context():
        assert db.session.get(FeedbackQuestion, qid).status == "received"


def test_routing_up_three_levels_and_back_down_keeps_the_name_hidden(app, as_role, accounts):
    member, secretary = as_role("member"), as_role("secretary")
    grassroots, district, province = (as_role(r) for r in ("grassroots_admin", "district_admin", "province_admin"))
    name = user_named(app, accounts, "member").display_name
    g_id, d_id, p_id = (org_id(app, accounts, r) for r in ("grassroots_admin", "district_admin", "province_admin"))
    qid = send(member, topic="Đóng đảng phí khi đi làm ăn xa",
               text="Tôi đi làm ở Bình Dương, đóng đảng phí thế nào?")
    # Not yet passed up: the levels above do not see it at all.
    for upper in (grassroots, district, province):
        assert upper.get(f"/feedback/{qid}").status_code == 404
        assert "Đóng đảng phí khi đi làm ăn xa" not in upper.text("/feedback/desk")
    assert forward(secretary, qid, g_id, "Chi bộ đề nghị Đảng ủy xã hướng dẫn").status_code == 302
    # The secretary can no longer act on it, and still reads it with the name.
    assert secretary.submit(f"/feedback/{qid}/answer", {"text": "x"}, form_page=f"/feedback/{qid}").status_code == 404
    assert name in secretary.text(f"/feedback/{qid}")
    page = grassroots.text(f"/feedback/{qid}")
    assert "Chi bộ đề nghị Đảng ủy xã hướng dẫn" in page and name not in page
    assert "Một đảng viên của " + accounts["member"]["org"] + " (không hiện tên)" in page
    assert forward(grassroots, qid, d_id, "Xin huyện ủy cho ý kiến").status_code == 302
    assert name not in district.text("/feedback/desk") and "Đóng đảng phí" in district.text("/feedback/desk")
    assert forward(district, qid, p_id, "").status_code == 302
    page = province.text(f"/feedback/{qid}")
    assert name not in page and "Đảng bộ" in page
    response = province.submit(f"/feedback/{qid}/answer", {"text": "Đồng chí đóng qua chi bộ nơi tạm trú."},
                               form_page=f"/feedback/{qid}")
    assert response.status_code == 302
    # Back down: the member is told in the inbox and reads the answer.
    assert "Câu hỏi của đồng chí đã được trả lời: Đóng đảng phí khi đi làm ăn xa" in member.text("/inbox/")
    page = member.text(f"/feedback/{qid}")
    assert "Đồng chí đóng qua chi bộ nơi tạm trú." in page and "Đã trả lời" in page
    assert "Xin huyện ủy cho ý kiến" not in page  # notes between levels stay between levels
    # Every view and export of every level above the branch leaves the name out.
    for upper in (grassroots, district, province):
        for url in (f"/feedback/{qid}", "/feedback/desk?status=all", "/feedback/desk.csv"):
            text = upper.text(url)
            assert upper.last.status_code == 200, url
            assert name not in text and "không hiện tên" in text, url
    assert name in secretary.text("/feedback/desk.csv")
    with app.app_context():
        titles = list(db.session.scalars(select(Notification.title).where(Notification.kind.like("feedback.%"))))
        assert titles and not any(name in t for t in titles)


def test_a_member_who_allows_it_is_named_above_the_branch(app, as_role, accounts):
    member, secretary, grassroots = as_role("member"), as_role("secretary"), as_role("grassroots_admin")
    name = user_named(app, accounts, "member").display_name
    qid = send(member, show_name="y")
    forward(secretary, qid, org_id(app, accounts, "grassroots_admin"))
    assert name in grassroots.text(f"/feedback/{qid}")


def test_forwarding_only_to_a_level_above(app, as_role, accounts):
    member, secretary = as_role("member"), as_role("secretary")
    qid = send(member)
    for target in (org_id(app, accounts, "secretary"), org_id(app, accounts, "member_other_branch"),
                   org_id(app, accounts, "other_province_admin"), 999999):
        response = forward(secretary, qid, target)
        assert response.status_code == 400, target
        # a level that is not offered is refused by the form, before the routing's own guard
        assert "Đồng chí chọn cấp trên để chuyển câu hỏi." in response.get_data(as_text=True)
    with app.app_context():
        question = db.session.get(FeedbackQuestion, qid)
        assert question.holder_org_id == org_id(app, accounts, "secretary") and question.status == "received"


def test_bad_input_gets_a_clear_message_and_keeps_the_text(app, as_role):
    member = as_role("member")
    response = member.submit("/feedback/new", {"kind": "question", "topic": "", "text": "  "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Đồng chí hãy ghi chủ đề." in page and "Đồng chí hãy viết nội dung câu hỏi hoặc ý kiến." in page
    response = member.submit("/feedback/new", {"kind": "question", "topic": "Dài", "text": "a" * 20_001})
    assert response.status_code == 400 and "Nội dung quá dài" in response.get_data(as_text=True)
    disguised = (io.BytesIO(b"MZ\x90\x00 not a picture"), "anh.jpg")
    response = member.submit("/feedback/new", {"kind": "question", "topic": "Ảnh đường làng",
                                               "text": "Đường xóm bị sạt lở", "attachment": disguised},
                             content_type="multipart/form-data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "anh.jpg" in page and "Đường xóm bị sạt lở" in page and "hãy chọn lại tệp" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(FeedbackQuestion.id))) == 0


def test_photo_goes_with_the_question_to_those_who_read_it(app, as_role, accounts):
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "PNG")
    picture.seek(0)
    member = as_role("member")
    response = member.submit("/feedback/new", {"kind": "opinion", "topic": "Đường xóm sạt lở",
                                               "text": "Đề nghị sửa đường", "attachment": (picture, "duong.png")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    qid = int(response.location.rsplit("/", 1)[1])
    assert member.get(f"/feedback/{qid}/file").status_code == 200
    assert as_role("secretary").get(f"/feedback/{qid}/file").status_code == 200
    for role in ("member_other_branch", "secretary_other_branch", "grassroots_admin", "other_province_admin"):
        assert as_role(role).get(f"/feedback/{qid}/file").status_code == 404, role


def test_member_replies_once_then_says_whether_it_helped(app, as_role):
    member, secretary = as_role("member"), as_role("secretary")
    qid = send(member)
    secretary.submit(f"/feedback/{qid}/answer", {"text": "Đồng chí làm đơn gửi chi bộ."}, form_page=f"/feedback/{qid}")
    response = member.submit(f"/feedback/{qid}/reply", {"text": "Đơn theo mẫu nào ạ?"}, form_page=f"/feedback/{qid}")
    assert response.status_code == 302
    assert "Đơn theo mẫu nào ạ?" in secretary.text(f"/feedback/{qid}")
    secretary.submit(f"/feedback/{qid}/answer", {"text": "Mẫu số 2, có ở văn phòng."}, form_page=f"/feedback/{qid}")
    response = member.submit(f"/feedback/{qid}/reply", {"text": "Lần nữa"}, form_page=f"/feedback/{qid}")
    assert response.status_code == 400
    assert "Đồng chí đã phản hồi câu trả lời này một lần rồi." in response.get_data(as_text=True)
    response = member.submit(f"/feedback/{qid}/rate", {"helped": "yes"}, form_page=f"/feedback/{qid}")
    assert response.status_code == 302
    assert "Đảng viên cho biết câu trả lời đã giúp được." in secretary.text(f"/feedback/{qid}")
    with app.app_context():
        question = db.session.get(FeedbackQuestion, qid)
        assert question.status == "closed" and question.helpful is True


def test_a_retried_send_files_one_question(app, as_role):
    member = as_role("member")
    data = {"kind": "question", "topic": "Mạng yếu", "text": "Gửi hai lần", "idempotency_key": "f" * 32}
    member.submit("/feedback/new", data)
    member.submit("/feedback/new", data)
    with app.app_context():
        assert db.session.scalar(select(func.count(FeedbackQuestion.id))) == 1


def test_other_branches_provinces_and_helpers_get_404(app, as_role):
    member = as_role("member")
    qid = send(member)
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin",
                 "family_helper", "grassroots_admin"):
        visitor = as_role(role)
        assert visitor.get(f"/feedback/{qid}").status_code == 404, role
        assert visitor.submit(f"/feedback/{qid}/answer", {"text": "x"}, form_page="/account").status_code == 404
        assert visitor.submit(f"/feedback/{qid}/reply", {"text": "x"}, form_page="/account").status_code == 404
    helper = as_role("family_helper")
    assert helper.get("/feedback/new").status_code == 404
    assert helper.submit("/feedback/new", {"topic": "x", "text": "y"}, form_page="/account").status_code == 404
    assert as_role("member_other_branch").get("/feedback/desk").status_code == 404


def test_disabled_province_gets_404_no_menu_no_card_no_job(app, as_role, accounts):
    from core.jobs import JobRefused, enqueue

    member = as_role("member")
    qid = send(member)
    province = province_of_role(app, accounts, "member")
    switch(app, province, "feedback", False)
    home = member.text("/")
    assert "Hỏi đáp, ý kiến" not in home and 'href="/feedback/"' not in home
    for url in ("/feedback/", f"/feedback/{qid}", "/feedback/new", "/feedback/faq"):
        assert member.get(url).status_code == 404, url
    assert "Câu hỏi của đảng viên" not in as_role("secretary").text("/")
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("feedback.escalate", province_id=province)
    switch(app, province, "feedback", True)  # back on, no restart
    assert "Chế độ đảng viên miễn sinh hoạt" in member.text("/feedback/")
