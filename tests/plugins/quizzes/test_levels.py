"""Rankings across levels in one table: each contestant's best attempt with their place under
the organisation shown and their place among the contestants of their own branch, grassroots,
district (and province, for a province's contest); the higher score first, the shorter time
breaking a tie, the same score in the same time sharing a place; paginated; the Excel export
carries the same places and still neutralises cells starting with = + - @."""
from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import load_workbook
from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from plugins.quizzes.models import QuizAttempt
from tests.plugins.quizzes.support import MEMBERS_CONTEST, answer, attempt_row, contest_id, question_of, start
from tests.plugins.support import org_named

# (role, right answers, seconds taken)
RUNS = [("member", 3, 300), ("secretary", 3, 200), ("member_other_branch", 5, 400), ("secretary_other_branch", 3, 200)]


def _hand_in(app, visitor, contest, right: int, seconds: int) -> int:
    attempt = start(visitor, contest)
    for qid in attempt_row(app, attempt).question_ids[:right]:
        answer(visitor, attempt, qid, question_of(app, qid).correct)
    visitor.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page="/account")
    with app.app_context():
        db.session.get(QuizAttempt, attempt).seconds = seconds
        db.session.commit()
    return attempt


def _contest_with_results(app, as_role):
    contest = contest_id(app, MEMBERS_CONTEST)  # the district's, for every member
    attempts = {role: _hand_in(app, as_role(role), contest, right, seconds) for role, right, seconds in RUNS}
    return contest, attempts


def _expected_branch_places(app, attempts) -> dict[str, int]:
    """Competition places within each branch, worked out here from the runs."""
    by_branch = defaultdict(list)
    for role, right, seconds in RUNS:
        by_branch[attempt_row(app, attempts[role]).org_id].append((-right, seconds, role))
    places = {}
    for rows in by_branch.values():
        rows.sort()
        for n, (score, seconds, role) in enumerate(rows, 1):
            same = [r for r in rows if r[:2] == (score, seconds)]
            places[role] = rows.index(same[0]) + 1
    return places


def test_one_table_gives_each_contestants_place_at_every_level(app, as_role, accounts):
    contest, attempts = _contest_with_results(app, as_role)
    admin = as_role("district_admin")
    page = admin.text(f"/quizzes/manage/{contest}")
    assert "Hạng theo cấp" in page and "Tỉnh:" not in page  # a district's contest: district, grassroots, branch
    # District-wide: 5 first; then the two secretaries in 200 s share second; the member (300 s) is fourth.
    response = admin.get(f"/quizzes/manage/{contest}/results.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[3]]
    assert header[-3:] == ["Hạng trong huyện", "Hạng trong cơ sở", "Hạng trong chi bộ"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=4, values_only=True)}
    with app.app_context():
        name = dict(db.session.execute(select(User.login, User.display_name)).all())
    place = {role: rows[name[accounts[role]["login"]]] for role, *_ in RUNS}
    assert [place[role][0] for role in ("member_other_branch", "secretary", "secretary_other_branch", "member")] \
        == [1, 2, 2, 4]
    assert [place[role][-3] for role in ("member_other_branch", "secretary", "secretary_other_branch", "member")] \
        == [1, 2, 2, 4]
    branch = _expected_branch_places(app, attempts)
    assert {role: place[role][-1] for role in branch} == branch
    # Looking from one branch: its contestants only, placed in the branch, with their district place kept.
    branch_a = org_named(app, accounts["member"]["org"]).id
    below = admin.text(f"/quizzes/manage/{contest}?org={branch_a}")
    assert "Huyện: 4" in below and "5/10" not in below


def test_the_ranking_is_paginated(app, as_role, accounts):
    contest, _attempts = _contest_with_results(app, as_role)
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2
    try:
        admin = as_role("district_admin")
        first = admin.text(f"/quizzes/manage/{contest}")
        second = admin.text(f"/quizzes/manage/{contest}?page=2")
    finally:
        app.config["PAGE_SIZE"] = size
    assert "5/10" in first and "Trang 1/2" in first and "Huyện: 4" not in first
    assert "5/10" not in second and "Trang 2/2" in second and "Huyện: 4" in second


def test_the_export_still_neutralises_formula_cells(app, as_role, accounts):
    contest, attempts = _contest_with_results(app, as_role)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts["member"]["login"]))
        user.display_name = '=HYPERLINK("http://x","bấm")'
        db.session.commit()
    response = as_role("district_admin").get(f"/quizzes/manage/{contest}/results.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [r[1] for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert "'=HYPERLINK(\"http://x\",\"bấm\")" in names
    assert not any(isinstance(n, str) and n[:1] in "=+-@" for n in names)
