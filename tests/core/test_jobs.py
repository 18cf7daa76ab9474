"""core.jobs: the in-process worker (eager and threaded), RQ on a real Redis, and Redis down.

Each Redis test uses its own queue (JOBS_QUEUE) and deletes it, so runs in parallel never meet."""
from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from core.jobs import Job, JobContext, JobRecord, enqueue, flush_pending, run_job
from tests.plugins.support import dispose, make_app, redis_url

CLOSED_PORT = "redis://127.0.0.1:6390/0"
needs_redis = pytest.mark.skipif(not redis_url(), reason="REDIS_URL is not set")


@pytest.fixture
def app(db_uri, tmp_path):
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="")
    yield app
    dispose(app)


@pytest.fixture
def make(db_uri, tmp_path):
    """make(**config) → another app on the same database (e.g. with Redis, or not eager)."""
    apps = []

    def build(**config):
        apps.append(make_app(db_uri, tmp_path / f"instance{len(apps)}", **config))
        return apps[-1]
    yield build
    for app in apps:
        dispose(app)


@pytest.fixture
def queue_name():
    return f"sotay-test-{uuid.uuid4().hex[:12]}"


def user_id(app, accounts, role: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.login == accounts[role]["login"]))


def start(app, accounts, role="member", **kwargs) -> str:
    with app.app_context():
        return enqueue("core.noop", user_id=user_id(app, accounts, role), **kwargs).id


def record(app, record_id: str) -> JobRecord:
    with app.app_context():
        found = db.session.get(JobRecord, record_id)
        db.session.expunge(found)
        return found


def rq_queue(app):
    from redis import Redis
    from rq import Queue

    from core.jobs import queue_name

    return Queue(queue_name(app), connection=Redis.from_url(app.config["REDIS_URL"]))


def work_off(app) -> None:
    """What `flask jobs worker --burst` does, in this process, against the real Redis."""
    from rq import SimpleWorker

    queue = rq_queue(app)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)


def drop_queue(app, *job_ids: str) -> None:
    """Delete this test's queue, its registries and its jobs: nothing else in Redis is touched."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.results import Result

    queue = rq_queue(app)
    for job_id in job_ids:
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue
        Result.delete_all(job)
        job.delete()
    registries = (queue.finished_job_registry, queue.failed_job_registry,
                  queue.started_job_registry, queue.deferred_job_registry,
                  queue.scheduled_job_registry, queue.canceled_job_registry)
    queue.delete(delete_jobs=True)
    queue.connection.delete(*[registry.key for registry in registries])


def test_progress_is_shown_to_the_user_who_started_it_only(app, as_role, accounts, client):
    job = start(app, accounts, steps=2)
    response = as_role("member").get(f"/jobs/{job}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã xong." in page and "100%" in page
    assert response.headers["Cache-Control"] == "no-store"
    for role in ("member_other_branch", "secretary", "other_province_admin"):
        assert as_role(role).get(f"/jobs/{job}").status_code == 404, role
    assert client.get(f"/jobs/{job}").status_code == 302  # to the login page
    assert as_role("member").get("/jobs/no-such-job").status_code == 404


def test_my_jobs_lists_only_my_own_running_first(app, as_role, accounts):
    done = start(app, accounts, steps=2)
    failed = start(app, accounts, unexpected=1)
    with app.app_context():
        waiting = str(uuid.uuid4())  # a job a busy worker has not reached yet
        db.session.add(JobRecord(id=waiting, name="core.noop", user_id=user_id(app, accounts, "member"),
                                 status="queued", dispatched=True))
        db.session.commit()
    member = as_role("member")
    page = member.text("/jobs/")
    assert member.last.status_code == 200 and member.last.headers["Cache-Control"] == "no-store"
    assert "Việc đang chạy" in page and "Kiểm tra hàng đợi công việc" in page
    positions = [page.index(f"/jobs/{job}") for job in (waiting, done, failed)]
    assert positions[0] < min(positions[1:])  # the one still to run comes first
    assert "Đã xong." in page and "Chưa thực hiện được." in page
    other = as_role("member_other_branch").text("/jobs/")
    assert not any(f"/jobs/{job}" in other for job in (waiting, done, failed))
    assert "Gần đây đồng chí không có việc nào" in other


def test_a_failed_job_says_so(app, as_role, accounts):
    job = start(app, accounts, unexpected=1)  # noop_job takes no such argument
    assert record(app, job).status == "failed"
    assert "Chưa thực hiện được." in as_role("member").text(f"/jobs/{job}")


def test_in_process_worker_runs_jobs_in_a_thread(make, accounts, as_role):
    threaded = make(JOBS_EAGER=False, REDIS_URL="")
    job = start(threaded, accounts, steps=3)
    deadline = time.monotonic() + 15
    while record(threaded, job).status != "finished" and time.monotonic() < deadline:
        time.sleep(0.05)
    done = record(threaded, job)
    assert done.status == "finished" and done.progress == 100 and done.result == {"steps": 3}
    assert done.attempts == 1 and done.dispatched


def test_a_job_run_twice_finishes_once(app, accounts):
    job = start(app, accounts)
    first = record(app, job)
    with app.app_context():
        run_job(job)  # delivered a second time
    again = record(app, job)
    assert again.status == "finished" and again.attempts == first.attempts == 1
    assert again.finished_at == first.finished_at


@needs_redis
def test_rq_runs_jobs_on_redis(make, accounts, as_role, queue_name):
    app = make(REDIS_URL=redis_url(), JOBS_QUEUE=queue_name)
    job = start(app, accounts, steps=2)
    try:
        assert record(app, job).dispatched and record(app, job).status == "queued"
        assert rq_queue(app).count == 1
        member = as_role("member")
        assert "Đang thực hiện…" in member.text(f"/jobs/{job}")
        work_off(app)
        assert record(app, job).status == "finished"
        assert "Đã xong." in member.text(f"/jobs/{job}")
        # RQ delivers at least once: the same record queued again does not run again.
        with app.app_context():
            from core.jobs import dispatch

            dispatch(db.session.get(JobRecord, job))
        work_off(app)
        assert record(app, job).attempts == 1
    finally:
        drop_queue(app, job)


def test_redis_down_keeps_the_job_and_pages_answer(make, accounts, as_role, queue_name):
    app = make(REDIS_URL=CLOSED_PORT, JOBS_QUEUE=queue_name)
    job = start(app, accounts)
    kept = record(app, job)
    assert kept.status == "queued" and not kept.dispatched
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    from tests.support import Visitor

    member = Visitor(client)
    member.login(accounts["member"])
    assert member.get("/").status_code == 200
    assert "Đang thực hiện…" in member.text(f"/jobs/{job}")
    if not redis_url():
        return
    # Redis is back: the kept record is queued once, however often the flush runs.
    app.config["REDIS_URL"] = redis_url()
    app.extensions.pop("sotay.jobs", None)
    try:
        with app.app_context():
            assert flush_pending() == 1
            assert flush_pending() == 0
        assert rq_queue(app).count == 1 and record(app, job).dispatched
        work_off(app)
        assert record(app, job).status == "finished"
    finally:
        drop_queue(app, job)


def slow_job(ctx: JobContext, seconds: float = 0) -> dict:
    """The job-options plugin's job: takes its time."""
    time.sleep(seconds)
    return {"slept": seconds}


@pytest.fixture
def options_plugin(monkeypatch, tmp_path) -> dict:
    """A plugin with a job on a queue of its own, given 7 seconds, and one on the main queue."""
    from tests.core.test_hooks import memory_plugin

    return memory_plugin(monkeypatch, tmp_path, "opts", register_jobs=lambda: [
        Job("opts.slow", "tests.core.test_jobs:slow_job", queue="slow", timeout=7),
        Job("opts.quick", "tests.core.test_jobs:slow_job")])


@needs_redis
def test_queue_and_timeout_go_to_rq_and_a_worker_listens_on_the_queues_chosen(make, options_plugin,
                                                                               queue_name):
    from rq.job import Job as RQJob

    app = make(REDIS_URL=redis_url(), JOBS_QUEUE=queue_name, EXTRA_PLUGINS=options_plugin)
    with app.app_context():
        slow, quick = enqueue("opts.slow").id, enqueue("opts.quick").id
    try:
        connection = rq_queue(app).connection
        queued = RQJob.fetch(slow, connection=connection)
        assert queued.origin == f"{queue_name}.slow" and queued.timeout == 7
        assert RQJob.fetch(quick, connection=connection).origin == queue_name
        result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst", "--queue", "slow"])
        assert result.exit_code == 0, result.output
        assert record(app, slow).status == "finished"
        assert record(app, quick).status == "queued"  # not a queue this worker listens on
        work_off(app)
        assert record(app, quick).status == "finished"
    finally:
        drop_queue(app, slow, quick)
        from rq import Queue
        Queue(f"{queue_name}.slow", connection=rq_queue(app).connection).delete(delete_jobs=True)


def test_the_in_process_worker_logs_a_job_over_its_timeout(db_uri, tmp_path, monkeypatch, caplog):
    from tests.core.test_hooks import memory_plugin

    plugin = memory_plugin(monkeypatch, tmp_path, "opts", register_jobs=lambda: [
        Job("opts.late", "tests.core.test_jobs:slow_job", timeout=1)])
    app = make_app(db_uri, tmp_path / "instance", REDIS_URL="", EXTRA_PLUGINS=plugin)
    try:
        with app.app_context():
            late = enqueue("opts.late", seconds=1.2).id
        assert record(app, late).status == "finished"  # it cannot be stopped, only told of
        assert any("over its timeout of 1 s" in r.getMessage() for r in caplog.records)
    finally:
        dispose(app)
