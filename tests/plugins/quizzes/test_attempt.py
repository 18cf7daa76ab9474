"""A contestant's attempt over HTTP: the draw fixed at the start, one open attempt, every answer
saved on the server (the same post twice is harmless, the last choice wins), the clock kept by the
server, refusals in Vietnamese with the right status."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from core.audit import AuditEntry
from core.extensions import db
from plugins.quizzes.models import QuizAttempt
from tests.plugins.quizzes.support import (MEMBERS_CONTEST, SECRETARIES_CONTEST, answer, attempt_row,
                                           contest_id, question_of, saved, shift, start)


def test_secretary_sees_the_contest_on_the_home_page_and_starts(app, as_role):
    secretary = as_role("secretary")
    home = secretary.text("/")
    assert "Hội thi Bí thư chi bộ giỏi" in home
    contest = contest_id(app, SECRETARIES_CONTEST)
    page = secretary.text(f"/quizzes/{contest}")
    assert "20 câu hỏi trong 30 phút" in page and "Bắt đầu" in page
    attempt = start(secretary, contest)
    row = attempt_row(app, attempt)
    assert len(row.question_ids) == 20 and row.submitted_at is None
    first = secretary.text(f"/quizzes/attempts/{attempt}/1")
    assert "Câu 1 / 20" in first and "Còn lại" in first
    # The right answers never reach the browser.
    question = question_of(app, row.question_ids[0])
    assert question.explanation not in first


def test_a_member_is_not_a_contestant_of_the_secretaries_round(app, as_role):
    contest = contest_id(app, SECRETARIES_CONTEST)
    member = as_role("member")
    assert member.get(f"/quizzes/{contest}").status_code == 404
    assert member.submit(f"/quizzes/{contest}/start", {}, form_page="/quizzes/").status_code == 404
    assert "Hội thi Bí thư chi bộ giỏi" not in member.text("/quizzes/")


def test_starting_twice_keeps_one_attempt_and_the_same_draw(app, as_role):
    member = as_role("member")
    contest = contest_id(app, MEMBERS_CONTEST)
    first = start(member, contest)
    again = start(member, contest)
    assert first == again
    draw = attempt_row(app, first).question_ids
    member.get(f"/quizzes/attempts/{first}/1")
    assert attempt_row(app, first).question_ids == draw  # reloading never redraws
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id)).where(QuizAttempt.contest_id == contest)) == 1


def test_an_answer_sent_twice_is_kept_once_and_a_change_keeps_the_last(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    qid = attempt_row(app, attempt).question_ids[0]
    for _ in range(2):
        response = answer(member, attempt, qid, [0])
        assert response.status_code == 302 and response.location.endswith(f"/quizzes/attempts/{attempt}/2")
    assert saved(app, attempt) == {qid: [0]}
    answer(member, attempt, qid, [1], go="list")
    assert saved(app, attempt) == {qid: [1]}
    page = member.text(f"/quizzes/attempts/{attempt}/1")
    assert re.search(rf'name="q{qid}" value="1" checked', page)
    assert attempt_row(app, attempt).answered == 1


def test_htmx_autosave_answers_with_a_small_fragment(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    qid = attempt_row(app, attempt).question_ids[1]
    response = answer(member, attempt, qid, [2], **{"HX-Request": "true", "HX-Target": f"saved-{qid}"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Đã lưu" in body and "<html" not in body and len(body) < 200
    assert saved(app, attempt) == {qid: [2]}


def test_forged_question_and_bad_choice_are_refused_in_vietnamese(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    row = attempt_row(app, attempt)
    with app.app_context():
        from plugins.quizzes.models import QuizQuestion
        outside = db.session.scalar(select(QuizQuestion.id).where(QuizQuestion.id.not_in(row.question_ids)).limit(1))
    response = answer(member, attempt, outside, [0])
    assert response.status_code == 400
    assert "Câu hỏi này không thuộc bài thi của đồng chí." in response.get_data(as_text=True)
    response = answer(member, attempt, row.question_ids[0], [9])
    assert response.status_code == 400 and "Vui lòng chọn trong các đáp án" in response.get_data(as_text=True)
    response = member.submit(f"/quizzes/attempts/{attempt}/answer", {"question": "abc"},
                             form_page=f"/quizzes/attempts/{attempt}")
    assert response.status_code == 400
    assert saved(app, attempt) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "quizzes.answer_refused")) == 3


def test_one_answer_only_for_a_single_choice_question(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    row = attempt_row(app, attempt)
    single = next(q for q in row.question_ids if question_of(app, q).kind == "single")
    response = answer(member, attempt, single, [0, 1])
    assert response.status_code == 400 and "chỉ chọn một đáp án" in response.get_data(as_text=True)


def test_another_contestants_attempt_answers_404(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    qid = attempt_row(app, attempt).question_ids[0]
    for role in ("secretary", "member_other_branch", "family_helper", "grassroots_admin", "other_province_admin"):
        other = as_role(role)
        for url in (f"/quizzes/attempts/{attempt}", f"/quizzes/attempts/{attempt}/1",
                    f"/quizzes/attempts/{attempt}/result", f"/quizzes/attempts/{attempt}/paper"):
            assert other.get(url).status_code == 404, (role, url)
        assert answer(other, attempt, qid, [0]).status_code == 404, role
        assert other.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page="/account").status_code == 404
    assert saved(app, attempt) == {}
    assert attempt_row(app, attempt).submitted_at is None


def test_a_dropped_connection_resumes_with_the_time_really_left(app, as_role, accounts):
    member = as_role("member")
    contest = contest_id(app, MEMBERS_CONTEST)
    attempt = start(member, contest)
    qid = attempt_row(app, attempt).question_ids[0]
    answer(member, attempt, qid, [0])
    shift(app, attempt, 6)  # six minutes pass while the phone is off
    phone = as_role("member")  # signs in again, on a new session
    page = phone.text(f"/quizzes/{contest}")
    assert "Tiếp tục làm bài" in page
    left = int(re.search(r"Còn lại: (?:<span[^>]*>)?(\d+) phút", phone.text(f"/quizzes/attempts/{attempt}/1")).group(1))
    assert left in (8, 9)  # 15 minutes, 6 gone: the clock did not stop nor restart
    assert start(phone, contest) == attempt
    assert saved(app, attempt) == {qid: [0]}


def test_a_late_answer_is_refused_and_the_attempt_handed_in_with_what_was_saved(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    ids = attempt_row(app, attempt).question_ids
    answer(member, attempt, ids[0], question_of(app, ids[0]).correct)
    shift(app, attempt, 16)
    response = answer(member, attempt, ids[1], [0])
    assert response.status_code == 409
    assert "Đã hết giờ" in response.get_data(as_text=True)
    row = attempt_row(app, attempt)
    assert row.submitted_at == row.deadline and row.closed_by == "time" and row.score == 1
    assert saved(app, attempt) == {ids[0]: question_of(app, ids[0]).correct}
    result = member.text(f"/quizzes/attempts/{attempt}/result")
    assert "1/10" in result and "Hết giờ" in result


def test_hand_in_twice_counts_once_and_shows_the_score_and_explanations(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    ids = attempt_row(app, attempt).question_ids
    for qid in ids[:3]:
        answer(member, attempt, qid, question_of(app, qid).correct)
    answer(member, attempt, ids[3], [(question_of(app, ids[3]).correct[0] + 1) % 4])
    for _ in range(2):
        response = member.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page=f"/quizzes/attempts/{attempt}")
        assert response.status_code == 302 and response.location.endswith("/result")
    row = attempt_row(app, attempt)
    assert row.score == 3 and row.answered == 4 and row.closed_by == "person"
    page = member.text(f"/quizzes/attempts/{attempt}/result")
    assert "3/10" in page and question_of(app, ids[0]).explanation in page
    response = answer(member, attempt, ids[5], [0])
    assert response.status_code == 409 and "đã nộp" in response.get_data(as_text=True)


def test_the_scheduled_job_hands_in_an_attempt_nobody_came_back_to(app, as_role, accounts):
    from core.jobs import enqueue
    from tests.plugins.support import province_of_role

    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST))
    qid = attempt_row(app, attempt).question_ids[0]
    answer(member, attempt, qid, [0])
    shift(app, attempt, 30)
    with app.app_context():
        record = enqueue("quizzes.close_expired", province_id=province_of_role(app, accounts, "member"))
        db.session.commit()
    row = attempt_row(app, attempt)
    assert row.submitted_at == row.deadline and row.closed_by == "time" and row.answered == 1


def test_one_page_paper_without_javascript(app, as_role):
    member = as_role("member")
    attempt = start(member, contest_id(app, MEMBERS_CONTEST), layout="all")
    ids = attempt_row(app, attempt).question_ids
    page = member.text(f"/quizzes/attempts/{attempt}/paper")
    assert page.count("<fieldset") == 10
    data = {f"q{qid}": question_of(app, qid).correct for qid in ids[:5]}
    data = {k: [str(c) for c in v] for k, v in data.items()}
    response = member.submit(f"/quizzes/attempts/{attempt}/paper", {**data, "go": "submit"},
                             form_page=f"/quizzes/attempts/{attempt}/paper")
    assert response.status_code == 302 and response.location.endswith("/result")
    assert attempt_row(app, attempt).score == 5


def test_a_closed_contest_cannot_be_started(app, as_role):
    from datetime import timedelta

    from plugins.quizzes.models import QuizContest

    contest = contest_id(app, MEMBERS_CONTEST)
    with app.app_context():
        row = db.session.get(QuizContest, contest)
        row.closes_at = row.opens_at + timedelta(minutes=1)
        db.session.commit()
    member = as_role("member")
    assert "Cuộc thi đã kết thúc." in member.text(f"/quizzes/{contest}")
    response = member.submit(f"/quizzes/{contest}/start", {}, form_page=f"/quizzes/{contest}")
    assert response.status_code == 409 and "Cuộc thi hiện không mở" in response.get_data(as_text=True)
