"""The outbox: events and jobs recorded in the caller's transaction are carried out once it
commits, never if it rolls back; a crash after the commit loses nothing (`flask jobs tick`
delivers it); a failing listener is tried again without calling the others twice; notify's
dedupe survives a concurrent run without spoiling the caller's transaction."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event, func, insert, select

from core.audit import AuditEntry
from core.events import OrgChanged, emit
from core.extensions import db
from core.jobs import Job, JobRecord, enqueue
from core.notify.models import Notification
from core.org.models import OrgSetting, utcnow
from core.org.settings import set_setting
from core.outbox import MAX_ATTEMPTS, OutboxEntry, deliver_due
from tests.core.test_hooks import memory_plugin
from tests.plugins.support import FIXTURE, dispose, make_app, org_named, province_of_role
from tests.support import Visitor

CALLS: Counter = Counter()  # (plugin, change) → how often its track_event was called


def steady(event):
    CALLS["steady", getattr(event, "change", event.name)] += 1


def flaky(event):
    """Fails the first time it sees an event whose change is "flaky"; fine afterwards."""
    change = getattr(event, "change", None)
    CALLS["flaky", change] += 1
    if change == "flaky" and CALLS["flaky", change] == 1:
        raise RuntimeError("a listener that fails once")


@pytest.fixture
def make(db_uri, tmp_path, monkeypatch):
    """make(**config) → the app with the fixture plugin and two listeners (steady, flaky)."""
    CALLS.clear()
    plugins = {**FIXTURE, **memory_plugin(monkeypatch, tmp_path, "steady", track_event=steady),
               **memory_plugin(monkeypatch, tmp_path, "flaky", track_event=flaky)}
    apps = []

    def build(**config):
        apps.append(make_app(db_uri, tmp_path / f"instance{len(apps)}", EXTRA_PLUGINS=plugins,
                             REDIS_URL="", **config))
        return apps[-1]
    yield build
    for app in apps:
        dispose(app)


def signed_in(app, account) -> Visitor:
    person = Visitor(app.test_client())
    person.login(account)
    return person


def seen(app, change: str) -> int:
    """How often the fixture plugin's listener had an OrgChanged with this change."""
    return sum(1 for e in app.extensions.get("fixture.events", [])
               if isinstance(e, OrgChanged) and e.change == change)


def setting(app, org_id: int, key: str):
    with app.app_context():
        return db.session.get(OrgSetting, (org_id, "fixture", key))


def count(app, *where, model=OutboxEntry) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_event_is_told_once_its_transaction_commits_and_never_if_it_rolls_back(make, accounts):
    app = make()
    branch = org_named(app, accounts["secretary"]["org"]).id
    province = province_of_role(app, accounts, "secretary")
    with app.app_context():
        set_setting(branch, "fixture", "name", "kept")
        emit(OrgChanged(province, None, branch, "in the transaction"))
        assert seen(app, "in the transaction") == 0  # not before the commit
        db.session.commit()
        assert seen(app, "in the transaction") == 1
        set_setting(branch, "fixture", "name", "dropped")
        emit(OrgChanged(province, None, branch, "rolled back"))
        db.session.rollback()
        db.session.commit()
    assert seen(app, "rolled back") == 0 and count(app) == 0  # delivered rows are deleted
    assert setting(app, branch, "name").value == "kept"


def test_a_crash_after_the_commit_loses_nothing(make, accounts):
    """Committed, then the process died before it dispatched (OUTBOX_DISPATCH off stands for
    that): the next `flask jobs tick` delivers the event once and queues the job."""
    app = make(OUTBOX_DISPATCH=False, OUTBOX_LEASE_SECONDS=0)
    branch = org_named(app, accounts["secretary"]["org"]).id
    secretary = signed_in(app, accounts["secretary"])
    response = secretary.submit(f"/fixture/rename/{branch}", {"name": "Chi bộ mới"}, form_page="/fixture/")
    assert response.status_code == 302 and setting(app, branch, "name").value == "Chi bộ mới"
    job = secretary.submit("/fixture/job", {}, form_page="/fixture/")
    job_id = job.location.rsplit("/", 1)[1]
    assert "Đang thực hiện…" in secretary.text(job.location)  # kept, not yet queued
    assert seen(app, "renamed") == 0
    assert count(app, OutboxEntry.name == "org.changed") == 1

    app.config["OUTBOX_DISPATCH"] = True  # the process is back
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert result.exit_code == 0, result.output
    assert "1 kept job(s) queued" in result.output
    assert "2 event(s) delivered" in result.output  # the rename, and the sign-in before it
    assert seen(app, "renamed") == 1 and count(app) == 0
    assert "Đã xong." in secretary.text(job.location)
    again = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert "0 event(s) delivered" in again.output and "0 kept job(s) queued" in again.output
    assert seen(app, "renamed") == 1
    assert count(app, JobRecord.id == job_id, JobRecord.attempts == 1, model=JobRecord) == 1


def test_a_refused_request_commits_nothing_it_half_wrote(make, accounts):
    app = make()
    other_branch = org_named(app, accounts["secretary_other_branch"]["org"]).id
    secretary = signed_in(app, accounts["secretary"])
    response = secretary.submit(f"/fixture/half/{other_branch}?how=refuse", {}, form_page="/fixture/")
    assert response.status_code == 404 and "Trang này không tồn tại" in response.get_data(as_text=True)
    assert setting(app, other_branch, "half") is None  # the row it wrote is rolled back
    assert seen(app, "half") == 0 and count(app) == 0  # so is its event
    assert count(app, JobRecord.name == "fixture.echo", model=JobRecord) == 0  # and its job
    assert count(app, AuditEntry.action == "access.refused",
                 AuditEntry.target == f"fixture.tools:{other_branch}", model=AuditEntry) == 1


def test_a_request_that_fails_starts_nothing(make, accounts):
    app = make()
    branch = org_named(app, accounts["secretary"]["org"]).id
    secretary = signed_in(app, accounts["secretary"])
    response = secretary.submit(f"/fixture/half/{branch}", {}, form_page="/fixture/")
    assert response.status_code == 500
    assert setting(app, branch, "half") is None and seen(app, "half") == 0 and count(app) == 0
    assert count(app, JobRecord.name == "fixture.echo", model=JobRecord) == 0


def test_a_failing_listener_is_tried_again_and_the_others_are_not_called_twice(make, accounts):
    app = make()
    branch = org_named(app, accounts["secretary"]["org"]).id
    secretary = signed_in(app, accounts["secretary"])
    response = secretary.submit(f"/fixture/rename/{branch}", {"name": "Chi bộ 1", "change": "flaky"},
                                form_page="/fixture/")
    assert response.status_code == 302  # the user's request is not failed by a plugin
    assert setting(app, branch, "name").value == "Chi bộ 1"
    assert (CALLS["steady", "flaky"], CALLS["flaky", "flaky"], seen(app, "flaky")) == (1, 1, 1)
    with app.app_context():
        row = db.session.scalar(select(OutboxEntry))
        assert (row.status, row.attempts) == ("pending", 1) and "flaky" not in row.delivered
        assert {"steady", "fixture"} <= set(row.delivered) and "RuntimeError" in row.last_error
        assert deliver_due() == 0  # not before its pause is over
        assert deliver_due(now=utcnow() + timedelta(hours=1)) == 1
    assert (CALLS["steady", "flaky"], CALLS["flaky", "flaky"], seen(app, "flaky")) == (1, 2, 1)
    assert count(app) == 0


def test_a_listener_that_always_fails_is_given_up(make, accounts):
    app = make()
    province = province_of_role(app, accounts, "secretary")
    with app.app_context():
        emit(OrgChanged(province, None, province, "boom"))  # the fixture's listener raises on it
        later = utcnow()
        for _ in range(MAX_ATTEMPTS):
            later += timedelta(hours=1)
            deliver_due(now=later)
        row = db.session.scalar(select(OutboxEntry))
        assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
        assert deliver_due(now=later + timedelta(days=1)) == 0
    assert CALLS["steady", "boom"] == 1  # had it at the first try, never again


def tell(ctx, key: str, prior: bool) -> dict:
    """A job that notifies once per key and saves rows around the notification."""
    from core.notify.service import notify

    province = ctx.record.province_id
    if prior:
        set_setting(province, "race", "before", ctx.record.id)
    note = notify("announcement", "Họp chi bộ", org_id=province, dedupe_key=key)
    set_setting(province, "race", "after", ctx.record.id)
    return {"note": note.id}


def test_notify_dedupe_in_a_job_run_twice_keeps_the_rest_of_its_transaction(db_uri, tmp_path,
                                                                          monkeypatch, accounts):
    """A concurrent run saves the same key between this run's check and its insert: the
    SAVEPOINT catches the duplicate, and what the job wrote before and after is kept."""
    plugin = memory_plugin(monkeypatch, tmp_path, "race", register_jobs=lambda: [
        Job("race.tell", "tests.core.test_outbox:tell")])
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=plugin, REDIS_URL="")
    province = province_of_role(app, accounts, "secretary")
    with app.app_context():
        engine = db.engine
        # SQLite lets one writer at a time: the other run can only slip in before this one writes.
        prior = engine.dialect.name == "postgresql"
    raced = []

    def other_run(conn, cursor, statement, parameters, context, executemany):
        if not raced and "FROM notification" in statement and "race:1" in str(parameters):
            raced.append(True)
            with engine.connect() as other:
                other.execute(insert(Notification).values(kind="announcement", title="từ lượt kia",
                                                          org_id=province, dedupe_key="race:1",
                                                          created_at=utcnow()))
                other.commit()
    event.listen(engine, "after_cursor_execute", other_run)
    try:
        for run in (1, 2):  # the race, then the job delivered a second time
            with app.app_context():
                job = enqueue("race.tell", province_id=province, key="race:1", prior=prior).id
                record = db.session.get(JobRecord, job)
                assert raced and record.status == "finished", record.message
                notes = db.session.scalars(select(Notification).where(
                    Notification.dedupe_key == "race:1")).all()
                assert [n.title for n in notes] == ["từ lượt kia"], run
                assert record.result == {"note": notes[0].id}
                assert db.session.get(OrgSetting, (province, "race", "after")).value == job
                if prior:
                    assert db.session.get(OrgSetting, (province, "race", "before")).value == job
    finally:
        event.remove(engine, "after_cursor_execute", other_run)
        dispose(app)
