"""The organiser's side over HTTP: writing questions, setting up a contest for the organisations
below, reading results and rankings by organisation, the Excel export (audited, formulas
neutralised), the report section; and what the other branch and the other province get (404)."""
from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from plugins.quizzes.models import QuizContest, QuizQuestion
from tests.plugins.quizzes.support import MEMBERS_CONTEST, answer, attempt_row, contest_id, question_of, start
from tests.support import local_today

QUESTION = {"topic": "Đảng viên", "difficulty": "2", "kind": "multiple",
            "text": "Đảng viên có những quyền nào sau đây?",
            "option_1": "Được thông tin và thảo luận", "option_2": "Phê bình, chất vấn",
            "option_3": "Không phải đóng đảng phí", "correct": ["0", "1"],
            "explanation": "Điều 3 Điều lệ Đảng.", "source": "Điều lệ Đảng, Điều 3", "practice": "y"}


def _org(app, accounts, role):
    from tests.plugins.support import org_named
    return org_named(app, accounts[role]["org"]).id


def test_an_organiser_writes_a_question_once_even_if_the_post_is_sent_twice(app, as_role, accounts):
    admin = as_role("district_admin")
    data = {**QUESTION, "org_id": str(_org(app, accounts, "district_admin")), "idempotency_key": "q" * 32}
    for _ in range(2):
        response = admin.submit("/quizzes/bank/new", data)
        assert response.status_code == 302
    with app.app_context():
        rows = list(db.session.scalars(select(QuizQuestion).where(QuizQuestion.text == QUESTION["text"])))
    assert len(rows) == 1 and rows[0].correct == [0, 1] and rows[0].kind == "multiple"
    assert QUESTION["text"] in admin.text("/quizzes/bank?topic=Đảng viên")


def test_a_question_form_with_mistakes_is_sent_back_in_vietnamese_with_what_was_typed(app, as_role, accounts):
    admin = as_role("district_admin")
    org = str(_org(app, accounts, "district_admin"))
    response = admin.submit("/quizzes/bank/new", {**QUESTION, "org_id": org, "kind": "single"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "chỉ đánh dấu đúng một đáp án" in page and "Phê bình, chất vấn" in page
    response = admin.submit("/quizzes/bank/new", {**QUESTION, "org_id": org, "option_2": "", "option_3": ""})
    assert response.status_code == 400 and "ít nhất hai đáp án" in response.get_data(as_text=True)
    foreign = str(_org(app, accounts, "other_province_admin"))
    response = admin.submit("/quizzes/bank/new", {**QUESTION, "org_id": foreign})
    assert response.status_code == 400 and "chọn trong danh sách" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizQuestion.id)).where(QuizQuestion.text == QUESTION["text"])) == 0


def test_an_organiser_sets_up_a_contest_for_the_secretaries_below(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    day = local_today()
    data = {"org_id": str(_org(app, accounts, "grassroots_admin")), "title": "Bí thư chi bộ giỏi cấp xã",
            "takers": "secretaries", "intro": "Làm bài một lần.", "opens_on": day.isoformat(), "opens_time": "00:00",
            "closes_on": (day + timedelta(days=2)).isoformat(), "closes_time": "21:00", "minutes": "20",
            "question_count": "5", "topic": "", "shuffle": "y", "attempts_allowed": "1", "show_results": "close",
            "idempotency_key": "c" * 32}
    response = admin.submit("/quizzes/manage/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert admin.submit("/quizzes/manage/new", data).status_code == 302  # a retry: still one contest
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizContest.id)).where(QuizContest.title == data["title"])) == 1
    created = contest_id(app, data["title"])
    assert "Bí thư chi bộ giỏi cấp xã" in as_role("secretary").text("/quizzes/")
    assert as_role("member").get(f"/quizzes/{created}").status_code == 404  # secretaries only
    assert as_role("secretary_other_branch").get(f"/quizzes/{created}").status_code == 200
    # The scores wait for the close.
    secretary = as_role("secretary")
    attempt = start(secretary, created)
    secretary.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page="/account")
    assert "Điểm và giải thích sẽ hiện khi cuộc thi kết thúc" in secretary.text(f"/quizzes/attempts/{attempt}/result")


def test_contest_window_must_make_sense(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    day = local_today()
    data = {"org_id": str(_org(app, accounts, "grassroots_admin")), "title": "Thi thử", "takers": "members",
            "opens_on": day.isoformat(), "opens_time": "08:00", "closes_on": day.isoformat(), "closes_time": "07:00",
            "minutes": "0", "question_count": "5", "attempts_allowed": "1", "show_results": "submit"}
    response = admin.submit("/quizzes/manage/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Từ 1 đến 300 phút." in page
    response = admin.submit("/quizzes/manage/new", {**data, "minutes": "20", "opens_on": "31/02/2026"})
    assert response.status_code == 400 and "Xin nhập ngày theo dạng" in response.get_data(as_text=True)
    response = admin.submit("/quizzes/manage/new", {**data, "minutes": "20"})
    assert response.status_code == 400 and "Giờ kết thúc phải sau giờ mở." in response.get_data(as_text=True)


def _hand_in(app, visitor, contest, right: int):
    attempt = start(visitor, contest)
    for qid in attempt_row(app, attempt).question_ids[:right]:
        answer(visitor, attempt, qid, question_of(app, qid).correct)
    visitor.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page="/account")
    return attempt


def test_results_rank_by_score_then_time_by_organisation_and_export_to_excel(app, as_role, accounts):
    contest = contest_id(app, MEMBERS_CONTEST)
    _hand_in(app, as_role("member"), contest, 3)
    _hand_in(app, as_role("member_other_branch"), contest, 5)
    _hand_in(app, as_role("secretary"), contest, 3)
    admin = as_role("district_admin")
    page = admin.text(f"/quizzes/manage/{contest}")
    names = {role: accounts[role] for role in ("member", "member_other_branch")}
    assert "Xếp hạng" in page and "3 </strong>" not in page
    branch_a = _org(app, accounts, "member")
    grassroots = _org(app, accounts, "grassroots_admin")
    assert f"org={grassroots}" in page  # the grassroots organisations below, to open
    below = admin.text(f"/quizzes/manage/{contest}?org={branch_a}")
    assert "5/10" not in below and "3/10" in below  # only branch A's contestants
    response = admin.get(f"/quizzes/manage/{contest}/results.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[3] for r in rows] == [5, 3, 3] and rows[0][0] == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "quizzes.export")) == 1
    del names


def test_other_branches_and_provinces_get_404_on_the_organisers_pages(app, as_role, accounts):
    contest = contest_id(app, MEMBERS_CONTEST)  # the district's
    for role in ("grassroots_admin", "other_province_admin"):
        visitor = as_role(role)
        assert visitor.get(f"/quizzes/manage/{contest}").status_code == 404, role
        assert visitor.get(f"/quizzes/manage/{contest}/results.xlsx").status_code == 404, role
    for role in ("member", "secretary", "family_helper"):
        assert as_role(role).get("/quizzes/manage").status_code == 404
        assert as_role(role).get("/quizzes/bank").status_code == 404
    admin = as_role("district_admin")
    other_branch = _org(app, accounts, "other_province_admin")
    assert admin.get(f"/quizzes/manage/{contest}?org={other_branch}").status_code == 404
    with app.app_context():
        question = db.session.scalar(select(QuizQuestion.id).limit(1))  # the province's bank
    assert admin.get(f"/quizzes/bank/{question}").status_code == 404  # above the district
    assert as_role("province_admin").get(f"/quizzes/bank/{question}").status_code == 200


def test_formula_cells_are_neutralised_in_the_export():
    from plugins.quizzes.results import safe_cell

    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert safe_cell("+1") == "'+1" and safe_cell("@SUM") == "'@SUM" and safe_cell("-2") == "'-2"
    assert safe_cell("Nguyễn Văn A") == "Nguyễn Văn A" and safe_cell(5) == 5


def test_report_section_counts_contests_and_contestants(app, as_role, accounts):
    from core.auth.models import User
    from core.org.models import Organisation
    from core.plugins import report_for

    _hand_in(app, as_role("member"), contest_id(app, MEMBERS_CONTEST), 2)
    with app.app_context(), app.test_request_context():
        org = db.session.get(Organisation, _org(app, accounts, "district_admin"))
        user = db.session.scalar(select(User).where(User.login == accounts["district_admin"]["login"]))
        sections = [s for s in report_for(org, user) if s.title == "Cuộc thi"]
    assert sections and sections[0].figures["người dự thi"] == 1 and sections[0].figures["cuộc thi đã tổ chức"] == 1
