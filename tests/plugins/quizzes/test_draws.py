"""Draws per topic and difficulty: the organiser says how many questions of each (topic,
difficulty) a contestant gets; the bank holding too few is refused in Vietnamese with what was
typed kept; a forged topic is refused; the draw is fixed at the start (reloading, or pressing
Start again, never redraws); contests set up the simple way still draw as before."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from core.extensions import db
from plugins.quizzes.models import QuizContest, QuizQuestion
from tests.plugins.quizzes.support import attempt_row, contest_id, start
from tests.plugins.support import org_named
from tests.support import local_today


def _bank(app) -> dict[tuple[str, int], int]:
    """What the demo province's bank holds, per (topic, difficulty)."""
    with app.app_context():
        rows = db.session.execute(select(QuizQuestion.topic, QuizQuestion.difficulty, func.count())
                                  .group_by(QuizQuestion.topic, QuizQuestion.difficulty)).all()
    return {(t, d): n for t, d, n in rows}


def _form(app, accounts, title: str, **extra) -> dict:
    day = local_today()
    return {"org_id": str(org_named(app, accounts["grassroots_admin"]["org"]).id), "title": title,
            "takers": "members", "opens_on": day.isoformat(), "opens_time": "00:00",
            "closes_on": (day + timedelta(days=2)).isoformat(), "closes_time": "21:00", "minutes": "20",
            "question_count": "20", "topic": "", "shuffle": "y", "attempts_allowed": "2",
            "show_results": "submit", **extra}


def _rows(page: str) -> dict[str, str]:
    """The draw table's rows: topic → the index of its row (draws-<i>-topic)."""
    return {topic: index for index, topic in re.findall(r'name="draws-(\d+)-topic" type="hidden" value="([^"]+)"', page)}


def test_the_contest_form_shows_every_topic_with_what_the_bank_holds_per_difficulty(app, as_role):
    page = as_role("grassroots_admin").text("/quizzes/manage/new")
    bank = _bank(app)
    assert "Số câu rút theo chủ đề và mức độ" in page
    assert set(_rows(page)) == {topic for topic, _level in bank}
    topic, level = max(bank, key=bank.get)
    assert f"/ {bank[(topic, level)]}" in page


def test_an_organiser_draws_so_many_per_topic_and_difficulty_and_the_draw_stays_fixed(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    rows = _rows(admin.text("/quizzes/manage/new"))
    bank = _bank(app)
    (first, easy_n), (second, hard_n) = [(t, n) for (t, d), n in sorted(bank.items()) if d == 1][0], \
        [(t, n) for (t, d), n in sorted(bank.items()) if d == 3][0]
    want = {(first, 1): min(2, easy_n), (second, 3): 1}
    data = _form(app, accounts, "Thi theo chủ đề và mức độ", idempotency_key="d" * 32,
                 **{f"draws-{i}-topic": t for t, i in rows.items()},
                 **{f"draws-{rows[t]}-{('easy', 'medium', 'hard')[d - 1]}": str(n) for (t, d), n in want.items()})
    response = admin.submit("/quizzes/manage/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    created = contest_id(app, "Thi theo chủ đề và mức độ")
    with app.app_context():
        contest = db.session.get(QuizContest, created)
        assert sorted(map(tuple, contest.draws)) == sorted((t, d, n) for (t, d), n in want.items())
        assert contest.question_count == sum(want.values())
    member = as_role("member")
    assert "Thi theo chủ đề và mức độ" in member.text("/quizzes/")
    attempt = start(member, created)
    drawn = attempt_row(app, attempt).question_ids
    with app.app_context():
        got = Counter(db.session.execute(select(QuizQuestion.topic, QuizQuestion.difficulty)
                                         .where(QuizQuestion.id.in_(drawn))).all())
    assert dict(got) == want
    # Reloading the paper, or pressing Start again (a retry), never redraws.
    assert member.get(f"/quizzes/attempts/{attempt}").status_code in (200, 302)
    assert start(member, created) == attempt
    assert attempt_row(app, attempt).question_ids == drawn


def test_a_cell_asking_more_than_the_bank_holds_is_refused_in_vietnamese_and_nothing_is_lost(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    rows = _rows(admin.text("/quizzes/manage/new"))
    (topic, level), have = sorted(_bank(app).items())[0]
    name = ("easy", "medium", "hard")[level - 1]
    data = _form(app, accounts, "Thi đòi quá nhiều câu", **{f"draws-{i}-topic": t for t, i in rows.items()},
                 **{f"draws-{rows[topic]}-{name}": str(have + 3)})
    response = admin.submit("/quizzes/manage/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"ngân hàng chỉ có {have} câu, không đủ {have + 3} câu" in page and topic in page
    assert "Thi đòi quá nhiều câu" in page and f'value="{have + 3}"' in page  # what was typed is kept
    # Out of range, or not a number: refused too, never a 500.
    for bad in ("-1", "abc", "999"):
        response = admin.submit("/quizzes/manage/new", {**data, f"draws-{rows[topic]}-{name}": bad})
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizContest)
                                 .where(QuizContest.title == "Thi đòi quá nhiều câu")) == 0


def test_a_forged_topic_or_a_simple_draw_bigger_than_the_bank_is_refused(app, as_role, accounts):
    admin = as_role("grassroots_admin")
    response = admin.submit("/quizzes/manage/new", _form(app, accounts, "Thi giả chủ đề", **{
        "draws-0-topic": "Chủ đề không có", "draws-0-easy": "1"}))
    assert response.status_code == 400 and "Chủ đề này không có trong ngân hàng câu hỏi." in response.get_data(as_text=True)
    total = sum(_bank(app).values())
    response = admin.submit("/quizzes/manage/new", _form(app, accounts, "Thi rút quá nhiều", question_count=str(total + 1)))
    assert response.status_code == 400
    assert f"Ngân hàng chỉ có {total} câu cho cách rút đề này, không đủ {total + 1} câu." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizContest).where(
            QuizContest.title.in_(["Thi giả chủ đề", "Thi rút quá nhiều"]))) == 0


def test_a_simple_draw_still_takes_so_many_questions_from_the_whole_bank(app, as_role):
    member = as_role("member")
    created = contest_id(app, "Tìm hiểu Điều lệ Đảng")
    attempt = start(member, created)
    with app.app_context():
        contest = db.session.get(QuizContest, created)
        assert contest.draws == []
        assert len(attempt_row(app, attempt).question_ids) == contest.question_count
