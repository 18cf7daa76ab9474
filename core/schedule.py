"""Scheduled jobs: `flask --app wsgi jobs tick` (cron or a systemd timer, every minute) starts
each job declared with `Job(every=...)` whose time has come.

A job's last run is the newest `job_record` of its name (and province): a failed run waits for
its next turn like a finished one, and a run still queued or running is never doubled. The
core's jobs run once; a plugin's run once per province where the plugin is enabled. A job with
`at` runs at that time of day in the province's time zone (the deployment's for a core job):
every `every` days after the day of its last run, and, never run yet, once today's time has
come; a run missed while the tick was down is made up once at the next tick. In the embedded
set-up (no Redis, no cron) the in-process backend ticks from a daemon thread."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from core.extensions import db
from core.jobs import Job, JobRecord, JobRefused, record_job
from core.localtime import local_to_utc, to_local
from core.org.models import Organisation, utcnow

log = logging.getLogger(__name__)
TICK_SECONDS = 60
# A record "running" for longer than this (a worker killed mid-job) no longer holds the schedule.
STALE_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class Due:
    """One scheduled run to start: a job, for a province (None for a core job)."""

    job: Job
    province_id: int | None


def scheduled_jobs() -> list[Job]:
    from core.plugins import host

    return [job for job in host().jobs.values() if job.every]


def _is_core(job: Job) -> bool:
    from core.plugins import CORE, CORE_MODULES

    return job.plugin == CORE or job.plugin in CORE_MODULES


def due(now: datetime | None = None) -> list[Due]:
    """The scheduled runs whose time has come: two grouped queries, whatever the job count."""
    from core.plugins import host

    now = now or utcnow()
    jobs = scheduled_jobs()
    if not jobs:
        return []
    names = [job.name for job in jobs]
    last = {(name, province): when for name, province, when in db.session.execute(
        select(JobRecord.name, JobRecord.province_id, func.max(JobRecord.created_at))
        .where(JobRecord.name.in_(names)).group_by(JobRecord.name, JobRecord.province_id))}
    busy = set(db.session.execute(
        select(JobRecord.name, JobRecord.province_id).distinct()
        .where(JobRecord.name.in_(names), JobRecord.status.in_(("queued", "running")),
               JobRecord.created_at > now - STALE_AFTER)).all())
    provinces = None
    result = []
    for job in jobs:
        if _is_core(job):
            targets = [None]
        else:
            if provinces is None:
                provinces = list(db.session.scalars(select(Organisation.id).where(
                    Organisation.parent_id.is_(None), Organisation.active.is_(True))))
            targets = [p for p in provinces if job.plugin in host().enabled(p)]
        for province in targets:
            when = last.get((job.name, province))
            if (job.name, province) not in busy and now >= next_run(job, when, now, province):
                result.append(Due(job, province))
    return result


def next_run(job: Job, last: datetime | None, now: datetime, province_id: int | None) -> datetime:
    """When the job's next run is due (naive UTC), given its last run."""
    if job.at is None:
        return now if last is None else last + job.every
    if last is None:  # today's time, in the province's time zone
        day = to_local(now, province_id).date()
    else:  # the day of the last run's turn (a run just before `at` belongs to the day before)
        ran = to_local(last, province_id)
        day = ran.date() if ran.time() >= job.at else ran.date() - timedelta(days=1)
        day += timedelta(days=job.every.days)
    return local_to_utc(datetime.combine(day, job.at), province_id)


def tick(now: datetime | None = None) -> list[JobRecord]:
    """Start every scheduled run that is due, each in its own transaction, stamped `now`;
    returns the new job records."""
    now = now or utcnow()
    started = []
    for item in due(now):
        try:
            record = record_job(item.job.name, province_id=item.province_id, created_at=now)
            db.session.commit()  # queued as it commits
            started.append(record)
        except JobRefused:  # turned off between the check and now
            continue
        except Exception:  # one broken job must not keep the others from their turn
            db.session.rollback()
            log.exception("scheduled job %s (province %s) could not start", item.job.name,
                          item.province_id)
    return started


_started: set[int] = set()
_lock = threading.Lock()


def start_ticker(app: Flask) -> None:
    """Tick every minute from a daemon thread of this process (the embedded set-up only)."""
    with _lock:
        if id(app) in _started:
            return
        _started.add(id(app))
    stop = threading.Event()
    app.extensions["sotay.ticker"] = stop
    threading.Thread(target=_tick_forever, args=(app, stop), name="sotay-tick", daemon=True).start()


def _tick_forever(app: Flask, stop: threading.Event) -> None:
    from core.jobs import flush_pending
    from core.outbox import deliver_due

    while not stop.wait(TICK_SECONDS):
        with app.app_context():
            try:
                flush_pending()  # what a process that died after its commit left
                deliver_due()
                count = len(tick())
                if count:
                    log.info("schedule: %s job(s) started", count)
            except Exception:
                log.exception("schedule tick failed")
            finally:
                db.session.remove()
