"""The worker side of the jobs (core.jobs): what an RQ worker process runs, and the recovery of
jobs whose worker died. Kept apart from core.jobs because a worker builds the app
(`core.create_app`), which core.jobs — imported by the app — must not."""
from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select, update

from core.extensions import db
from core.jobs import JobRecord, RQBackend, _make_backend, dispatch, run_job

log = logging.getLogger(__name__)

# A job whose worker died this many times is given up (it may be what kills the worker).
ABANDONED_TRIES = 3


def recover_abandoned() -> int:
    """Queue again the jobs whose worker died mid-job (SIGKILL, out of memory, a reboot) or that
    Redis lost; returns how many. Run by `flask jobs tick` and when a worker starts.

    RQ alone would only move such a job to its failed registry, minutes later, and the record
    would say "running" for ever. A job still running on a live process is left alone."""
    if not current_app.config.get("REDIS_URL"):
        return 0  # the embedded set-up: no RQ to ask
    backend = current_app.extensions.get("sotay.jobs") or _make_backend(current_app._get_current_object())
    if not isinstance(backend, RQBackend):
        return 0
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    queues = backend.queues()
    try:
        for queue in queues:  # executions whose heartbeat stopped → failed
            queue.started_job_registry.cleanup()
    except RedisError as exc:  # Redis down: nothing can be told now; the next tick will
        log.warning("abandoned jobs not checked: %s", exc)
        return 0
    connection = queues[0].connection
    count = 0
    for record_id in db.session.scalars(select(JobRecord.id).where(
            JobRecord.dispatched.is_(True), JobRecord.status.in_(("queued", "running")))).all():
        record = db.session.get(JobRecord, record_id)
        seen = record.status, record.attempts  # read before asking Redis: a worker may move on
        try:
            job = RQJob.fetch(record_id, connection=connection)
        except NoSuchJobError:
            job = None
        except RedisError:
            return count
        if seen[0] not in ("queued", "running") or (job is not None and not _abandoned(job)):
            continue
        give_up = seen[1] >= ABANDONED_TRIES
        changes = ({"status": "failed", "message": _("The job failed; it can be tried again.")} if give_up
                   else {"status": "queued", "dispatched": False})
        # Only if no worker took or finished it since it was read.
        changed = db.session.execute(update(JobRecord).where(
            JobRecord.id == record_id, JobRecord.status == seen[0], JobRecord.attempts == seen[1])
            .values(**changes).execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if not changed:
            continue
        log.warning("job %s (%s, %s): its worker died or Redis lost it (%s)", record_id, record.name,
                    seen[0], job.get_status(refresh=False) if job is not None else "not in Redis")
        try:
            if job is not None:
                job.delete()
        except RedisError:  # gone again: flush_pending queues it at the next tick
            return count
        if not give_up:
            count += dispatch(db.session.get(JobRecord, record_id))
    return count


def _abandoned(job) -> bool:
    """RQ gave the job up (its work horse died), or it was started by a process of this machine
    that is gone. A job started elsewhere is judged by RQ's heartbeat (cleanup above)."""
    from rq.job import JobStatus

    status = job.get_status(refresh=False)
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return True
    if status != JobStatus.STARTED or job.meta.get("host") != socket.gethostname():
        return False
    return not _alive(job.meta.get("pid") or 0)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return True  # not known yet: the worker has not written it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # killed but not yet reaped: a zombie is dead too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True



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
    # Which process runs it, so that `recover_abandoned` can tell a dead worker from a slow job
    # (a hint only: with Redis gone this instant, the job still runs).
    from redis.exceptions import RedisError
    from rq import get_current_job

    job = get_current_job()
    if job is not None:
        job.meta.update(pid=os.getpid(), host=socket.gethostname())
        try:
            job.save_meta()
        except RedisError:
            log.warning("job %s: Redis is unreachable; running it anyway", record_id)
    with app.app_context():
        try:
            run_job(record_id)
        finally:
            db.session.remove()
