"""The upgrade to draws per topic and difficulty (quizzes_0002) keeps every contest working: a
database filled by the release before (data/quizzes_0001.json: the demo's two contests, an
attempt handed in and one still running, made by that release's own code) is upgraded; the
running attempt goes on with its draw and its answers, and a new attempt draws as before. Down to quizzes_0001 and up again keeps the attempts
(a rebuilt quizzes_contest would have taken them with it, ON DELETE CASCADE).

The snapshot was made from `git archive` of the release before, run with this repository's venv:
the demo seeded with every plugin, then service.start/save_answer/finish for two demo members,
dump() of the core's and the quizzes' tables (tests/migrations/snapshot.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from core.extensions import db
from tests.conftest import _new_app
from tests.migrations.snapshot import load
from tests.migrations.test_upgrade_data import empty_db  # noqa: F401  (a fixture)
from tests.support import Visitor

SNAPSHOT = Path(__file__).parent / "data" / "quizzes_0001.json"


def _attempts(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute(sa.text(
        "SELECT id, contest_id, user_id, question_ids, submitted_at, answered FROM quizzes_attempt ORDER BY id"))]


def test_contests_and_attempts_of_the_release_before_keep_working(empty_db, tmp_path):  # noqa: F811
    snapshot = json.loads(SNAPSHOT.read_text())
    app = _new_app(empty_db, tmp_path / "instance")
    with app.app_context():
        for revision in snapshot["revisions"]:
            flask_migrate.upgrade(revision=revision)
        load(db.engine, snapshot)
        with db.engine.connect() as conn:
            before = _attempts(conn)
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            assert _attempts(conn) == before
            draws = conn.execute(sa.text("SELECT draws FROM quizzes_contest")).scalars().all()
            assert len(draws) == 2 and all(json.loads(d) == [] if isinstance(d, str) else d == [] for d in draws)
        db.session.remove()
    running = next(a for a in snapshot["tables"]["quizzes_attempt"] if a["submitted_at"] is None)
    handed = next(a for a in snapshot["tables"]["quizzes_attempt"] if a["submitted_at"] is not None)
    contest = next(c for c in snapshot["tables"]["quizzes_contest"] if c["id"] == running["contest_id"])

    # The contestant still answering finds their paper, with their draw and their answers.
    other = Visitor(app.test_client())
    other.login(snapshot["accounts"]["member_other_branch"])
    page = other.text(f"/quizzes/attempts/{running['id']}/paper")
    assert all(f'name="q{qid}"' in page for qid in running["question_ids"])
    assert page.count("checked") >= 3
    qid = running["question_ids"][5]
    response = other.submit(f"/quizzes/attempts/{running['id']}/answer",
                            {"question": str(qid), f"q{qid}": ["1"], "go": "next"}, form_page="/account")
    assert response.status_code == 302
    # The one who handed in starts their second attempt: drawn the way the contest always drew.
    member = Visitor(app.test_client())
    member.login(snapshot["accounts"]["member"])
    response = member.submit(f"/quizzes/{contest['id']}/start", {"layout": "all"}, form_page=f"/quizzes/{contest['id']}")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    second = int(re.search(r"/quizzes/attempts/(\d+)", response.location).group(1))
    assert second != handed["id"]
    with app.app_context(), db.engine.connect() as conn:
        drawn = conn.execute(sa.text("SELECT question_ids FROM quizzes_attempt WHERE id = :id"),
                             {"id": second}).scalar_one()
        drawn = json.loads(drawn) if isinstance(drawn, str) else drawn
        assert len(drawn) == contest["question_count"]

        # Down to the release before and up again: not one attempt or answer lost.
        kept = _attempts(conn), conn.execute(sa.text("SELECT count(*) FROM quizzes_answer")).scalar()
        conn.close()
        flask_migrate.downgrade(revision="quizzes_0001")
        with db.engine.connect() as again:
            assert "draws" not in {c["name"] for c in sa.inspect(again).get_columns("quizzes_contest")}
            assert (_attempts(again), again.execute(sa.text("SELECT count(*) FROM quizzes_answer")).scalar()) == kept
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as again:
            assert (_attempts(again), again.execute(sa.text("SELECT count(*) FROM quizzes_answer")).scalar()) == kept
        db.session.remove()
        db.engine.dispose()
