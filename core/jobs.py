"""Background jobs: RQ on Redis when REDIS_URL is set, an in-process worker otherwise.

Every job is first a `job_record` row, added to the caller's transaction and queued only once
that commits (core.outbox): a request that fails starts nothing, and a job asked for while Redis
is down (or by a process that died right after its commit) is kept and queued by the next
`flush_pending`. Job functions are the same either way, take a `JobContext` and keyword
arguments, and must be safe to run twice (RQ delivers at least once): `run_job` skips a record
that already finished."""
from __future__ import annotations

import importlib
import logging
import threading
import time as clock
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import Blueprint, Flask, abort, current_app
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import JSON, DateTime, Integer, String, Text, case, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.org.models import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__, url_prefix="/jobs")
MINE_LIMIT = 20  # the jobs listed on /jobs/: the running ones, then the latest finished


@dataclass(frozen=True)
class Job:
    """A job a plugin (or the core) may run: `func` is "module:function".

    With `every`, `flask jobs tick` (core.schedule) also starts it on that schedule: once for
    the core, once per province for a plugin's job (where the plugin is enabled); with `at` as
    well, at that local time of day in the province's time zone, every `every` (whole days).
    `queue` names the RQ queue it goes to (under the deployment's JOBS_QUEUE; the in-process
    backend ignores it); `timeout` is the seconds RQ lets it run (the in-process backend logs
    an overrun)."""

    name: str
    func: str
    plugin: str = "core"
    title: str = ""
    every: timedelta | None = None
    queue: str | None = None
    timeout: int | None = None
    at: time | None = None

    def __post_init__(self):
        if self.at is not None and (self.every is None or self.every < timedelta(days=1)
                                    or self.every % timedelta(days=1)):
            raise ValueError(f"job {self.name}: `at` needs `every` in whole days")
        if self.queue is not None and not self.queue.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"job {self.name}: queue {self.queue!r} is not a plain name")


class JobRecord(db.Model):
    __tablename__ = "job_record"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    province_id: Mapped[int | None] = mapped_column(Integer)
    # False while the record waits for Redis to come back.
    dispatched: Mapped[bool] = mapped_column(default=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class JobContext:
    """Handed to a job function: report progress the user sees, read the record's arguments."""

    def __init__(self, record: JobRecord):
        self.record = record
        self.note_at: int | None = None  # the percentage the last message was given at

    def progress(self, percent: int, message: str | None = None) -> None:
        self.record.progress = max(0, min(100, int(percent)))
        if message is not None:
            self.record.message, self.note_at = message, self.record.progress
        db.session.commit()


class JobRefused(Exception):
    """The job's plugin is not enabled for the province, or the job is unknown."""


def core_jobs() -> list[Job]:
    from flask_babel import lazy_gettext as _l

    return [Job("core.noop", "core.jobs:noop_job", title=_l("Checking the job queue")),
            Job("core.files.sweep", "core.files.service:sweep_job", title=_l("Deleting expired files"),
                every=timedelta(hours=1)),
            Job("core.sweep", "core.auth.sweep:sweep", title=_l("Clearing old sign-in records"),
                every=timedelta(hours=1))]


def noop_job(ctx: JobContext, steps: int = 1) -> dict:
    """A job that only reports progress: used by the health check and the tests."""
    for step in range(1, steps + 1):
        ctx.progress(step * 100 // steps)
    return {"steps": steps}


def enqueue(name: str, *, user_id: int | None = None, province_id: int | None = None,
            **kwargs) -> JobRecord:
    """Record job `name` in the caller's transaction, queued once it commits; refused if its
    plugin is off for the province. Called after the caller's commit, it is queued at once."""
    from core.outbox import commit_if_alone

    record = record_job(name, user_id=user_id, province_id=province_id, args=kwargs)
    commit_if_alone()
    return record


def record_job(name: str, *, user_id: int | None = None, province_id: int | None = None,
               args: dict | None = None, created_at: datetime | None = None) -> JobRecord:
    """Add job `name`'s record to the session, to be queued when the transaction commits."""
    from core.plugins import host, plugin_enabled

    job = host().jobs.get(name)
    if job is None or not plugin_enabled(job.plugin, province_id):
        raise JobRefused(name)
    record = JobRecord(id=str(uuid.uuid4()), name=name, args=args or {}, user_id=user_id,
                       province_id=province_id, created_at=created_at or utcnow())
    db.session().record(record, dispatch)
    return record


def dispatch(record: JobRecord) -> bool:
    """Hand a committed record to the queue; on failure it stays undispatched for later."""
    from core.plugins import host

    app = current_app._get_current_object()
    backend = app.extensions.get("sotay.jobs") or _make_backend(app)
    try:
        backend.submit(record.id, host().jobs.get(record.name))
    except Exception as exc:  # Redis down: keep the record, retry from flush_pending
        log.warning("job %s kept for later: %s", record.id, exc)
        return False
    record.dispatched = True
    db.session.commit()
    return True


def flush_pending() -> int:
    """Dispatch every record that was kept while the queue was unreachable."""
    count = 0
    for record in db.session.scalars(select(JobRecord).where(JobRecord.dispatched.is_(False))):
        count += dispatch(record)
    return count


def run_job(record_id: str) -> None:
    """Run one recorded job in the current app context, once."""
    from core.plugins import host, plugin_enabled

    record = db.session.get(JobRecord, record_id)
    if record is None or record.status == "finished":
        return
    job = host().jobs.get(record.name)
    if job is None or not plugin_enabled(job.plugin, record.province_id):
        record.status = "refused"  # the status page says the feature is off
        db.session.commit()
        return
    # Claimed in one statement: a second delivery of a job that another worker is running (RQ
    # delivers at least once) finds it taken. A dead worker's job is freed by core.worker.recover_abandoned.
    claimed = db.session.execute(
        update(JobRecord).where(JobRecord.id == record_id, JobRecord.status.not_in(("running", "finished")))
        .values(status="running", attempts=JobRecord.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if not claimed:
        return
    module, func = job.func.split(":")
    try:
        ctx = JobContext(record)
        result = getattr(importlib.import_module(module), func)(ctx, **record.args)
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", record_id)
        record = db.session.get(JobRecord, record_id)
        record.status, record.message = "failed", _("The job failed; it can be tried again.")
        db.session.commit()
        raise
    record.status, record.progress, record.result = "finished", 100, result
    if ctx.note_at is not None and ctx.note_at < 100:
        record.message = None  # "80% of the rows done" under a full bar would contradict it
    record.finished_at = utcnow()
    db.session.commit()


class InProcessBackend:
    """A single worker thread in this process (the embedded set-up); eager in tests.

    Without cron in the embedded set-up, a daemon thread also ticks the schedule every minute."""

    def __init__(self, app: Flask):
        self.app = app
        self.eager = app.config.get("JOBS_EAGER", False)
        self.pool = None if self.eager else ThreadPoolExecutor(1, thread_name_prefix="sotay-job")
        if not self.eager and not app.testing:
            from core.schedule import start_ticker

            start_ticker(app)

    def submit(self, record_id: str, job: Job | None = None) -> None:
        timeout = job.timeout if job else None
        if self.eager:
            self._run(record_id, timeout)
        else:
            self.pool.submit(self._run, record_id, timeout)

    def _run(self, record_id: str, timeout: int | None = None) -> None:
        started = clock.monotonic()
        with self.app.app_context():
            try:
                run_job(record_id)
            except Exception:
                pass  # already logged and recorded as failed
            finally:
                db.session.remove()
        took = clock.monotonic() - started
        if timeout is not None and took > timeout:  # one thread, no way to stop it: say so
            log.warning("job %s ran %.1f s, over its timeout of %s s", record_id, took, timeout)


class RQBackend:
    """Jobs queued on Redis and run by `rq worker` processes (see `rq_entry`)."""

    def __init__(self, app: Flask):
        from redis import Redis
        from rq import Queue

        from core.plugins import host

        connection = Redis.from_url(app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
        # JOBS_RQ_SYNC (tests): RQ runs each job at once, in this process, through the real Redis.
        self._queues = {name: Queue(name, connection=connection,
                                    is_async=not app.config.get("JOBS_RQ_SYNC", False))
                        for name in queue_names(app, host(app).jobs.values())}
        self.app = app

    def queues(self) -> list:
        """The deployment's queue first, then those the jobs name."""
        return list(self._queues.values())

    def submit(self, record_id: str, job: Job | None = None) -> None:
        queue = self._queues[queue_name(self.app, job.queue if job else None)]
        # The record id doubles as the RQ job id, so a repeated dispatch is not a second job.
        queue.enqueue("core.worker.rq_entry", record_id, job_id=record_id, retry=None,
                      result_ttl=3600, failure_ttl=86400,
                      job_timeout=job.timeout if job and job.timeout else None)


def queue_name(app: Flask, queue: str | None = None) -> str:
    """The RQ queue of this deployment (JOBS_QUEUE; tests use one each), or of a job's `queue`
    under it ("sotay.slow"): two deployments sharing a Redis never take each other's jobs."""
    base = app.config.get("JOBS_QUEUE") or "sotay"
    return base if queue in (None, "", DEFAULT_QUEUE) else f"{base}.{queue}"


DEFAULT_QUEUE = "default"  # what `flask jobs worker --queue` calls the deployment's own queue


def queue_names(app: Flask, jobs) -> list[str]:
    """Every RQ queue of the deployment: its own first, then those its jobs name."""
    names = [queue_name(app)]
    for job in jobs:
        if queue_name(app, job.queue) not in names:
            names.append(queue_name(app, job.queue))
    return names


_lock = threading.Lock()


def _make_backend(app: Flask):
    with _lock:
        if "sotay.jobs" not in app.extensions:
            backend = RQBackend(app) if app.config.get("REDIS_URL") else InProcessBackend(app)
            app.extensions["sotay.jobs"] = backend
    return app.extensions["sotay.jobs"]


def rq_entry(record_id: str) -> None:
    """The name jobs queued before core 0.2 carry in Redis; new ones name core.worker.rq_entry."""
    from core.worker import rq_entry as entry

    entry(record_id)


@bp.get("/")
@login_required
def mine():
    """The user's own jobs: those still running first, then the latest finished ones."""
    from core.plugins import host
    from core.web import render

    running = JobRecord.status.in_(("queued", "running"))
    records = db.session.scalars(
        select(JobRecord).where(JobRecord.user_id == current_user.id)
        .order_by(case((running, 0), else_=1), JobRecord.created_at.desc()).limit(MINE_LIMIT)).all()
    jobs = host().jobs
    titles = {r.id: (jobs[r.name].title if r.name in jobs else "") or _("A background job") for r in records}
    return render("jobs/mine.html", records=records, titles=titles, private=True)


@bp.get("/<job_id>")
@login_required
def status(job_id: str):
    """Show the progress of a job the user started; the page refreshes itself until done."""
    from core.web import render

    from core.plugins import host

    record = db.session.get(JobRecord, job_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    job = host().jobs.get(record.name)
    return render("jobs/status.html", record=record, title=job.title if job else "", private=True)
