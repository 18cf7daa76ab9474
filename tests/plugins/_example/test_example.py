"""The example plugin as members and secretaries use it, and as a province turns it off.

The per-plugin enablement test (a disabled province gets 404, no menu entry, no home card,
no job) is the one every new plugin copies."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.jobs import JobRecord, JobRefused, enqueue, run_job
from core.org.models import utcnow
from plugins._example.models import ExampleNote
from tests.plugins.support import dispose, make_app, org_named, province_of_role, switch


@pytest.fixture
def app(db_uri, tmp_path, accounts):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    switch(app, province_of_role(app, accounts, "member"), "_example", True)
    yield app
    dispose(app)


@pytest.fixture
def branch(app, accounts):
    return org_named(app, accounts["member"]["org"]).id


def add_note(app, org_id: int, text: str, days_old: int = 0) -> int:
    with app.app_context():
        note = ExampleNote(org_id=org_id, text=text, created_at=utcnow() - timedelta(days=days_old))
        db.session.add(note)
        db.session.commit()
        return note.id


def test_member_adds_a_note_and_reads_it(as_role):
    member = as_role("member")
    home = member.text("/")
    assert "Ghi chép của chi bộ" in home and 'href="/example/"' in home  # card and menu entry
    assert "Chưa có ghi chép nào." in member.text("/example/")
    response = member.submit("/example/", {"text": "Họp chi bộ ngày 5\nmang sổ"})
    assert response.status_code == 302
    page = member.text("/example/")
    assert "Đã lưu ghi chép của đồng chí." in page and "Họp chi bộ ngày 5" in page


def test_empty_note_is_refused_with_a_message(as_role):
    response = as_role("member").submit("/example/", {"text": "  "})
    assert response.status_code == 400
    assert "Đồng chí hãy viết nội dung ghi chép." in response.get_data(as_text=True)


def test_a_retried_post_saves_one_note(app, as_role, branch):
    member = as_role("member")
    data = {"text": "Gửi hai lần qua mạng yếu", "idempotency_key": "k" * 32}
    member.submit("/example/", data)
    member.submit("/example/", data)
    with app.app_context():
        assert db.session.scalar(select(func.count(ExampleNote.id)).where(
            ExampleNote.text == data["text"])) == 1


def test_other_branches_and_provinces_get_404(app, as_role, accounts, branch):
    note = add_note(app, branch, "Chỉ chi bộ A được đọc")
    branch_b = org_named(app, accounts["member_other_branch"]["org"]).id
    assert "Chỉ chi bộ A được đọc" in as_role("member").text(f"/example/{note}")
    for role in ("member_other_branch", "secretary_other_branch", "other_province_admin"):
        assert as_role(role).get(f"/example/{note}").status_code == 404, role
    assert as_role("secretary").get(f"/example/?org={branch_b}").status_code == 404
    assert as_role("secretary_other_branch").get(f"/example/?org={branch}").status_code == 404


def test_family_helper_reads_but_does_not_write(as_role):
    helper = as_role("family_helper")
    assert 'name="text"' not in helper.text("/example/")
    assert helper.submit("/example/", {"text": "x"}, form_page="/account").status_code == 404


def test_secretary_archives_old_notes_with_a_job_safe_to_run_twice(app, as_role, branch):
    old = add_note(app, branch, "Ghi chép cũ", days_old=40)
    add_note(app, branch, "Ghi chép mới")
    member = as_role("member")
    assert 'action="/example/archive' not in member.text("/example/")
    assert member.submit("/example/archive", {}, form_page="/example/").status_code == 404
    secretary = as_role("secretary")
    response = secretary.submit("/example/archive", {}, form_page="/example/")
    assert response.status_code == 302 and "/jobs/" in response.location
    assert "Đã xong." in secretary.text(response.location)
    page = secretary.text("/example/")
    assert "Ghi chép mới" in page and "Ghi chép cũ" not in page
    with app.app_context():
        record = db.session.get(JobRecord, response.location.rsplit("/", 1)[1])
        assert record.result == {"archived": 1}
        # Delivered again (RQ is at-least-once): nothing runs twice, nothing changes.
        run_job(record.id)
        assert db.session.get(JobRecord, record.id).attempts == 1
        assert db.session.get(ExampleNote, old).archived is True


def test_disabled_province_gets_404_no_menu_no_card_no_job(app, as_role, accounts, branch):
    note = add_note(app, branch, "Một ghi chép")
    province = province_of_role(app, accounts, "member")
    member, secretary = as_role("member"), as_role("secretary")
    switch(app, province, "_example", False)
    home = member.text("/")
    assert "Ghi chép của chi bộ" not in home and 'href="/example/"' not in home
    for url in ("/example/", f"/example/{note}"):
        assert member.get(url).status_code == 404
    assert secretary.submit("/example/archive", {}, form_page="/account").status_code == 404
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("_example.archive", province_id=province, org_id=branch)
    switch(app, province, "_example", True)  # back on, no restart
    assert "Một ghi chép" in member.text("/example/")
    assert 'href="/example/"' in member.text("/")


def test_job_queued_before_the_province_turned_it_off_is_refused_when_run(app, accounts, branch):
    province = province_of_role(app, accounts, "member")
    app.config["JOBS_EAGER"] = False  # keep it queued: the in-process worker is not started
    app.extensions["sotay.jobs"] = _Held()
    with app.app_context():
        record = enqueue("_example.archive", province_id=province, org_id=branch)
        switch(app, province, "_example", False)
        run_job(record.id)
        assert db.session.get(JobRecord, record.id).status == "refused"


class _Held:
    """A queue that holds jobs until the test runs them."""

    def submit(self, record_id: str) -> None:
        pass
