"""Background jobs: RQ on Redis when REDIS_URL is set, an in-process worker otherwise.

Every job is first a `job_record` row, committed before anything is queued, so a job asked for
while Redis is down is kept and queued when Redis is back. Job functions are the same either way,
take a `JobContext` and keyword arguments, and must be safe to run twice (RQ delivers at least
once): `run_job` skips a record that already finished."""
from __future__ import annotations

import importlib
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Flask, abort, current_app, has_app_context
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import JSON, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.org.models import utcnow

log = logging.getLogger(__name__)
bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@dataclass(frozen=True)
class Job:
    """A job a plugin (or the core) may run: `func` is "module:function".

    With `every`, `flask jobs tick` (core.schedule) also starts it on that schedule: once for
    the core, once per province for a plugin's job (where the plugin is enabled)."""

    name: str
    func: str
    plugin: str = "core"
    title: str = ""
    every: timedelta | None = None


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

    def progress(self, percent: int, message: str | None = None) -> None:
        self.record.progress = max(0, min(100, int(percent)))
        if message is not None:
            self.record.message = message
        db.session.commit()


class JobRefused(Exception):
    """The job's plugin is not enabled for the province, or the job is unknown."""


def core_jobs() -> list[Job]:
    from flask_babel import lazy_gettext as _l

    return [Job("core.noop", "core.jobs:noop_job", title=_l("Checking the job queue"))]


def noop_job(ctx: JobContext, steps: int = 1) -> dict:
    """A job that only reports progress: used by the health check and the tests."""
    for step in range(1, steps + 1):
        ctx.progress(step * 100 // steps)
    return {"steps": steps}


def enqueue(name: str, *, user_id: int | None = None, province_id: int | None = None,
            **kwargs) -> JobRecord:
    """Record and dispatch job `name`; refused if its plugin is off for the province."""
    from core.plugins import host, plugin_enabled

    job = host().jobs.get(name)
    if job is None or not plugin_enabled(job.plugin, province_id):
        raise JobRefused(name)
    record = JobRecord(id=str(uuid.uuid4()), name=name, args=kwargs, user_id=user_id,
                       province_id=province_id)
    db.session.add(record)
    db.session.commit()
    dispatch(record)
    return record


def dispatch(record: JobRecord) -> bool:
    """Hand a committed record to the queue; on failure it stays undispatched for later."""
    app = current_app._get_current_object()
    backend = app.extensions.get("sotay.jobs") or _make_backend(app)
    try:
        backend.submit(record.id)
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
    record.status, record.attempts = "running", record.attempts + 1
    db.session.commit()
    module, func = job.func.split(":")
    try:
        result = getattr(importlib.import_module(module), func)(JobContext(record), **record.args)
    except Exception:
        db.session.rollback()
        log.exception("job %s failed", record_id)
        record = db.session.get(JobRecord, record_id)
        record.status, record.message = "failed", _("The job failed; it can be tried again.")
        db.session.commit()
        raise
    record.status, record.progress, record.result = "finished", 100, result
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

    def submit(self, record_id: str) -> None:
        if self.eager:
            self._run(record_id)
        else:
            self.pool.submit(self._run, record_id)

    def _run(self, record_id: str) -> None:
        with self.app.app_context():
            try:
                run_job(record_id)
            except Exception:
                pass  # already logged and recorded as failed
            finally:
                db.session.remove()


class RQBackend:
    """Jobs queued on Redis and run by `rq worker` processes (see `rq_entry`)."""

    def __init__(self, app: Flask):
        from redis import Redis
        from rq import Queue

        connection = Redis.from_url(app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2)
        # JOBS_RQ_SYNC (tests): RQ runs each job at once, in this process, through the real Redis.
        self.queue = Queue(queue_name(app), connection=connection,
                           is_async=not app.config.get("JOBS_RQ_SYNC", False))

    def submit(self, record_id: str) -> None:
        # The record id doubles as the RQ job id, so a repeated dispatch is not a second job.
        self.queue.enqueue("core.jobs.rq_entry", record_id, job_id=record_id, retry=None,
                           result_ttl=3600, failure_ttl=86400)


def queue_name(app: Flask) -> str:
    """The RQ queue of this deployment (JOBS_QUEUE; tests use one each)."""
    return app.config.get("JOBS_QUEUE") or "sotay"


_lock = threading.Lock()


def _make_backend(app: Flask):
    with _lock:
        if "sotay.jobs" not in app.extensions:
            backend = RQBackend(app) if app.config.get("REDIS_URL") else InProcessBackend(app)
            app.extensions["sotay.jobs"] = backend
    return app.extensions["sotay.jobs"]


_worker_app: Flask | None = None


def rq_entry(record_id: str) -> None:
    """What an RQ worker runs: the app is built once per worker process, not at import.

    A worker started inside an app context (`flask jobs worker`, the tests) uses that app."""
    global _worker_app
    if has_app_context():
        app = current_app._get_current_object()
    else:
        if _worker_app is None:
            from core import create_app

            _worker_app = create_app()
        app = _worker_app
    with app.app_context():
        try:
            run_job(record_id)
        finally:
            db.session.remove()


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
