"""Questions not answered within the province's deadline move up one level (a scheduled job,
safe to run twice) and are listed as overdue to the level holding them and the one above."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.api import set_setting
from core.extensions import db
from core.jobs import JobRecord, enqueue, run_job
from core.org.models import utcnow
from core.schedule import due
from plugins.feedback.models import FeedbackQuestion
from tests.plugins.feedback.support import org_id, send
from tests.plugins.support import dispose, make_app, province_of_role, switch


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "feedback", True)
    yield app
    dispose(app)


def _age(app, question_id: int, days: int) -> None:
    with app.app_context():
        db.session.get(FeedbackQuestion, question_id).held_since = utcnow() - timedelta(days=days)
        db.session.commit()


def _escalate(app, province: int) -> JobRecord:
    with app.app_context():
        record = enqueue("feedback.escalate", province_id=province)
        db.session.commit()  # runs now (JOBS_EAGER)
        record_id = record.id
    with app.app_context():
        record = db.session.get(JobRecord, record_id)
        db.session.expunge(record)
        return record


def test_overdue_questions_move_up_one_level_once(app, as_role, accounts):
    member, secretary = as_role("member"), as_role("secretary")
    grassroots, district = as_role("grassroots_admin"), as_role("district_admin")
    province = province_of_role(app, accounts, "member")
    branch, g_id = org_id(app, accounts, "secretary"), org_id(app, accounts, "grassroots_admin")
    with app.app_context():
        set_setting(province, "feedback", "deadline_days", 3)  # the province sets its deadline
        db.session.commit()
    late, fresh = send(member, topic="Hỏi về chế độ trợ cấp"), send(member, topic="Câu hỏi mới gửi")
    _age(app, late, 4)
    _age(app, fresh, 2)
    # Overdue: shown to the branch holding it and to the level above, not higher.
    assert "Hỏi về chế độ trợ cấp" in secretary.text("/feedback/overdue")
    page = grassroots.text("/feedback/overdue")
    assert "Hỏi về chế độ trợ cấp" in page and "Câu hỏi mới gửi" not in page
    assert "không hiện tên" in page
    assert "Hỏi về chế độ trợ cấp" not in district.text("/feedback/overdue")
    assert grassroots.get(f"/feedback/{late}").status_code == 200  # reads it, does not act on it
    assert grassroots.submit(f"/feedback/{late}/answer", {"text": "x"}, form_page="/account").status_code == 404
    assert grassroots.get(f"/feedback/{fresh}").status_code == 404

    record = _escalate(app, province)
    assert record.status == "finished" and record.result == {"escalated": 1}
    with app.app_context():
        moved, kept = db.session.get(FeedbackQuestion, late), db.session.get(FeedbackQuestion, fresh)
        assert (moved.holder_org_id, moved.status) == (g_id, "forwarded")
        assert [s.kind for s in moved.steps][-1] == "escalated"
        assert kept.holder_org_id == branch
    # Run again (RQ delivers at least once; the tick may start it twice): nothing moves further.
    again = _escalate(app, province)
    assert again.result == {"escalated": 0}
    with app.app_context():
        run_job(record.id)
        assert db.session.get(FeedbackQuestion, late).holder_org_id == g_id
    assert "Quá hạn chưa trả lời" in member.text(f"/feedback/{late}")
    assert "Câu hỏi quá hạn được chuyển lên: Hỏi về chế độ trợ cấp" in grassroots.text("/inbox/")
    desk = grassroots.text("/feedback/desk")
    assert "Hỏi về chế độ trợ cấp" in desk
    assert "Hỏi về chế độ trợ cấp" not in grassroots.text("/feedback/overdue")  # held from now


def test_a_question_at_the_province_stays_there_and_stays_overdue(app, as_role, accounts):
    member, secretary, province_admin = as_role("member"), as_role("secretary"), as_role("province_admin")
    province = province_of_role(app, accounts, "member")
    qid = send(member, topic="Câu hỏi lên tỉnh")
    secretary.submit(f"/feedback/{qid}/forward", {"target": str(province), "note": ""}, form_page=f"/feedback/{qid}")
    _age(app, qid, 30)
    assert _escalate(app, province).result == {"escalated": 0}
    assert "Câu hỏi lên tỉnh" in province_admin.text("/feedback/overdue")


def test_the_escalation_is_scheduled_for_provinces_that_use_the_plugin(app, accounts):
    province = province_of_role(app, accounts, "member")
    with app.app_context():
        assert any(d.job.name == "feedback.escalate" and d.province_id == province for d in due())
    switch(app, province, "feedback", False)
    with app.app_context():
        assert not any(d.job.name == "feedback.escalate" and d.province_id == province for d in due())
