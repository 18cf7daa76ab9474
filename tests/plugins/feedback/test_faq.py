"""Published answers (the asker's name removed, searchable without diacritics, read below the
level that published them) and the core's hand_over_question hook."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.api import Question, hand_over
from core.extensions import db
from plugins.feedback.models import FeedbackFaq, FeedbackQuestion
from tests.plugins.feedback.support import forward, org_id, send, user_named
from tests.plugins.support import dispose, make_app, province_of_role, switch


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "feedback", True)
    yield app
    dispose(app)


def test_a_level_publishes_an_answer_without_the_askers_name(app, as_role, accounts):
    member, secretary, grassroots = as_role("member"), as_role("secretary"), as_role("grassroots_admin")
    name = user_named(app, accounts, "member").display_name
    qid = send(member, topic="Chuyển sinh hoạt đảng tạm thời",
               text=f"Tôi là {name}, đi làm xa thì chuyển sinh hoạt đảng tạm thời thế nào?")
    forward(secretary, qid, org_id(app, accounts, "grassroots_admin"))
    assert grassroots.get(f"/feedback/{qid}/publish").status_code == 409  # not answered yet
    grassroots.submit(f"/feedback/{qid}/answer", {"text": "Đồng chí xin giấy giới thiệu của chi bộ."},
                      form_page=f"/feedback/{qid}")
    form = grassroots.text(f"/feedback/{qid}/publish")
    assert name not in form and "Chuyển sinh hoạt đảng tạm thời" in form
    assert member.get(f"/feedback/{qid}/publish").status_code == 404
    response = grassroots.submit(f"/feedback/{qid}/publish", {
        "topic": "Chuyển sinh hoạt đảng tạm thời", "question_text": f"{name} hỏi: chuyển sinh hoạt thế nào?",
        "answer_text": "Xin giấy giới thiệu của chi bộ."})
    assert response.status_code == 302
    page = as_role("member_other_branch").text(response.location)
    assert "Xin giấy giới thiệu của chi bộ." in page and name not in page and "… hỏi" in page
    # Searchable without diacritics, by members below the level and by the level itself.
    for visitor in (member, as_role("member_other_branch"), grassroots):
        assert "Chuyển sinh hoạt đảng tạm thời" in visitor.text("/feedback/faq?q=chuyen sinh hoat")
    assert "Chuyển sinh hoạt đảng tạm thời" in member.text("/feedback/faq?q=GIẤY GIỚI THIỆU")
    assert "Không tìm thấy câu hỏi nào." in member.text("/feedback/faq?q=đảng phí")
    assert "Chuyển sinh hoạt đảng tạm thời" not in as_role("other_province_admin").text("/feedback/faq")
    with app.app_context():
        item = db.session.scalar(select(FeedbackFaq))
        assert name not in item.question_text and item.org_id == org_id(app, accounts, "grassroots_admin")
        other_id = item.id
    assert as_role("other_province_admin").get(f"/feedback/faq/{other_id}").status_code == 404


def test_hand_over_files_the_assistants_question_as_the_members(app, accounts):
    member, home = user_named(app, accounts, "member"), org_id(app, accounts, "member")
    with app.test_request_context():
        url = hand_over(Question("Chi bộ họp thường kỳ mấy lần một tháng?", member.id, home, "assistant"))
        assert url and url.startswith("/feedback/")
        question = db.session.get(FeedbackQuestion, int(url.rsplit("/", 1)[1]))
        assert (question.asker_id, question.org_id, question.source) == (member.id, home, "assistant")
        assert question.show_name is False and question.status == "sent"
        helper = user_named(app, accounts, "family_helper")
        assert hand_over(Question("Hỏi thay", helper.id, home, "assistant")) is None


def test_hand_over_is_not_taken_where_the_plugin_is_off(app, accounts):
    member, home = user_named(app, accounts, "member"), org_id(app, accounts, "member")
    switch(app, province_of_role(app, accounts, "member"), "feedback", False)
    with app.test_request_context():
        assert hand_over(Question("Câu hỏi", member.id, home, "assistant")) is None


def test_hook_published_answers(app, as_role, accounts):
    """Published answers reach another plugin through core.api.answers_for, never by import."""
    from core.api import answers_for
    from plugins.feedback.models import FeedbackFaq as Faq

    with app.app_context():
        db.session.add(Faq(org_id=org_id(app, accounts, "district_admin"), topic="Đảng phí",
                           question_text="Mức đóng đảng phí của đảng viên hưu trí?", answer_text="0,5% lương hưu.",
                           search_text="dang phi muc dong dang phi cua dang vien huu tri 0,5% luong huu"))
        db.session.commit()
        member, other = user_named(app, accounts, "member"), user_named(app, accounts, "other_province_admin")
    with app.test_request_context():
        member = db.session.merge(member)
        found = answers_for("đảng phí hưu trí", member)
        assert [(a.answer, a.source) for a in found] == [("0,5% lương hưu.", "feedback")]
        assert found[0].url.startswith("/feedback/faq/")
        assert answers_for("", member) == [] and answers_for("nghị quyết", member) == []
        assert answers_for("đảng phí", db.session.merge(other)) == []
    switch(app, province_of_role(app, accounts, "member"), "feedback", False)
    with app.test_request_context():
        assert answers_for("đảng phí hưu trí", db.session.merge(member)) == []
