"""Surveys as an administrator builds them and members answer: once, while open; results as
SVG bars with a table beside each, per organisation; the Excel export keeps anonymity."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.extensions import db
from plugins.feedback.models import FeedbackSurvey, FeedbackSurveyParticipant, FeedbackSurveyResponse
from tests.plugins.feedback.support import org_id, user_named
from tests.plugins.support import dispose, make_app, province_of_role, switch
from tests.support import local_today


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "feedback", True)
    yield app
    dispose(app)


def build(admin, org: int, *, anonymous=True, opens=0, closes=14, title="Khảo sát sinh hoạt chi bộ 2026"):
    today = local_today()
    data = {"title": title, "intro": "Xin đồng chí dành 2 phút.", "org_id": str(org),
            "opens_on": (today + timedelta(days=opens)).isoformat(),
            "closes_on": (today + timedelta(days=closes)).isoformat(),
            "questions-0-kind": "single", "questions-0-text": "Chi bộ họp đều hằng tháng không?",
            "questions-0-choices": "Đều đặn\nThỉnh thoảng\nÍt khi",
            "questions-1-kind": "multiple", "questions-1-text": "Nội dung đồng chí muốn thêm?",
            "questions-1-choices": "Thời sự\nKinh tế hộ\nChuyển đổi số",
            "questions-2-kind": "scale", "questions-2-text": "Mức hài lòng với buổi sinh hoạt",
            "questions-3-kind": "text", "questions-3-text": "Góp ý khác"}
    if anonymous:
        data["anonymous"] = "y"
    response = admin.submit("/feedback/surveys/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return int(response.location.rsplit("/", 1)[1])


def answer(visitor, survey_id: int, app, extra=None):
    with app.app_context():
        survey = db.session.get(FeedbackSurvey, survey_id)
        q = [x.id for x in survey.questions]
    data = {f"q{q[0]}": "0", f"q{q[1]}": ["1", "2"], f"q{q[2]}": "4", f"q{q[3]}": "Nên họp buổi tối.", **(extra or {})}
    return visitor.submit(f"/feedback/surveys/{survey_id}", data)


def test_members_answer_once_and_results_show_per_organisation(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    sid = build(admin, org_id(app, accounts, "grassroots_admin"))
    member, other, secretary = as_role("member"), as_role("member_other_branch"), as_role("secretary")
    assert "Khảo sát sinh hoạt chi bộ 2026" in member.text("/feedback/surveys")
    assert answer(member, sid, app).status_code == 302
    assert "Cảm ơn đồng chí, câu trả lời đã được ghi nhận." in member.text(f"/feedback/surveys/{sid}")
    response = answer(member, sid, app)
    assert response.status_code == 303
    assert "Đồng chí đã trả lời khảo sát này rồi" in member.text(response.location)
    answer(other, sid, app, {})
    answer(secretary, sid, app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedbackSurveyResponse)) == 3
        assert db.session.scalar(select(func.count()).where(FeedbackSurveyResponse.user_id.is_not(None))) == 0
    page = admin.text(f"/feedback/surveys/{sid}/results")
    assert "<svg" in page and "<table" in page and "Đều đặn" in page and "Nên họp buổi tối." in page
    assert "3 trong" in page  # "3 of N members answered"
    branch = org_id(app, accounts, "member")
    assert accounts["member"]["org"] in page and f"org={branch}" in page
    sub = admin.text(f"/feedback/surveys/{sid}/results?org={branch}")
    assert "2 trong" in sub  # the member and the secretary of that branch
    book = load_workbook(io.BytesIO(admin.get(f"/feedback/surveys/{sid}/results.xlsx").data))
    rows = [list(r) for r in book.worksheets[2].iter_rows(values_only=True)]
    name = user_named(app, accounts, "member").display_name
    assert len(rows) > 3 and not any(name in str(cell) for row in rows for cell in row)
    # Members, other branches and other provinces do not see results.
    for role in ("member", "secretary", "other_province_admin"):
        assert as_role(role).get(f"/feedback/surveys/{sid}/results").status_code == 404, role
    assert as_role("other_province_admin").get(f"/feedback/surveys/{sid}").status_code == 404


def test_named_survey_names_who_answered_in_the_export(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    sid = build(admin, org_id(app, accounts, "grassroots_admin"), anonymous=False, title="Đăng ký học lớp")
    answer(as_role("member"), sid, app)
    book = load_workbook(io.BytesIO(admin.get(f"/feedback/surveys/{sid}/results.xlsx").data))
    name = user_named(app, accounts, "member").display_name
    assert any(name == row[2] for row in book.worksheets[2].iter_rows(values_only=True))


def test_closed_surveys_bad_answers_and_bad_surveys_get_messages(app, as_role, accounts):
    admin, member = as_role("grassroots_admin"), as_role("member")
    grassroots = org_id(app, accounts, "grassroots_admin")
    sid = build(admin, grassroots)
    with app.app_context():
        survey = db.session.get(FeedbackSurvey, sid)
        q = [x.id for x in survey.questions]
    response = member.submit(f"/feedback/surveys/{sid}", {f"q{q[0]}": "7", f"q{q[2]}": "9"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "không có trong các lựa chọn" in page
    response = member.submit(f"/feedback/surveys/{sid}", {f"q{q[3]}": "Chỉ viết góp ý"})
    assert response.status_code == 400 and "Chỉ viết góp ý" in response.get_data(as_text=True)
    with app.app_context():
        db.session.get(FeedbackSurvey, sid).closes_on = local_today() - timedelta(days=1)
        db.session.get(FeedbackSurvey, sid).opens_on = local_today() - timedelta(days=5)
        db.session.commit()
    response = answer(member, sid, app)
    assert response.status_code == 409 and "Khảo sát này không mở" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FeedbackSurveyParticipant)) == 0
    # A survey without questions, with dates the wrong way round, or for someone else's tree.
    response = admin.submit("/feedback/surveys/new", {"title": "Trống", "org_id": str(grassroots),
                                                      "opens_on": "2026-12-10", "closes_on": "2026-12-01"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Ngày đóng không được trước ngày mở." in page and "Đồng chí hãy viết ít nhất một câu hỏi." in page
    response = admin.submit("/feedback/surveys/new", {"title": "Lạc", "org_id": str(province_of_role(app, accounts, "member")),
                                                      "opens_on": "2026-12-01", "closes_on": "2026-12-10",
                                                      "questions-0-kind": "text", "questions-0-text": "?"})
    assert response.status_code == 400 and "Đồng chí chọn tổ chức" in response.get_data(as_text=True)
    assert member.get("/feedback/surveys/new").status_code == 404


def test_participation_per_organisation_matches_the_members_counted_here(app, as_role, accounts):
    """The district's results: every branch row and the total, on the page and in Excel, equal
    the members in good standing and the answers counted here straight from the tables."""
    from core.org.models import Member, Organisation, OrgClosure
    from core.org.models import MemberStatus

    admin = as_role("district_admin")
    district = org_id(app, accounts, "district_admin")
    sid = build(admin, district)
    for role in ("member", "secretary", "member_other_branch"):
        assert answer(as_role(role), sid, app).status_code == 302
    with app.app_context():
        def under(org):
            return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == org)

        def members(org):
            return db.session.scalar(select(func.count()).select_from(Member).where(
                Member.org_id.in_(under(org)), Member.status == MemberStatus.ACTIVE.value))

        def answered(org):
            return db.session.scalar(select(func.count()).select_from(FeedbackSurveyParticipant).where(
                FeedbackSurveyParticipant.survey_id == sid, FeedbackSurveyParticipant.org_id.in_(under(org))))

        kids = db.session.scalars(select(Organisation).where(Organisation.parent_id == district)
                                  .order_by(Organisation.name)).all()
        expected = {org.name: (answered(org.id), members(org.id)) for org in kids}
        district_name = db.session.get(Organisation, district).name
        expected_total = (answered(district), members(district))
    assert expected_total[0] == 3 and sum(n for n, _ in expected.values()) == 3
    assert expected_total[1] == sum(m for _, m in expected.values()) > 3
    page = admin.text(f"/feedback/surveys/{sid}/results")
    assert f"{expected_total[0]} trong số {expected_total[1]} đảng viên đã trả lời." in page
    book = load_workbook(io.BytesIO(admin.get(f"/feedback/surveys/{sid}/results.xlsx").data))
    rows = {row[0]: (row[1], row[2]) for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert rows == {district_name: expected_total, **expected}
