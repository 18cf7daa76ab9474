"""A worker killed mid-job: the job is run again and completes once. Also the horse alone killed
(what the kernel's out-of-memory killer does), and the same job delivered twice at once."""
from __future__ import annotations

import os
import signal
import time

from core.extensions import db
from core.jobs import JobRecord, dispatch, enqueue
from tests.faults.conftest import job_records, runs, wait_finished
from tests.faults.plugin.hooks import WORK

SLOW = 30  # the first attempt's wait: the kill always lands mid-job


def ask(app, marks, first_seconds: float = SLOW) -> str:
    with app.app_context():
        record_id = enqueue(WORK, marks=str(marks), first_seconds=first_seconds).id
        db.session.remove()
    return record_id


def horse_of(marks, job_id: str, seconds: float = 30) -> int:
    """The pid of the process running the job, once it has started (from the job's own mark)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for line in marks.read_text().splitlines():
            kind, found, *pid = line.split()
            if kind == "start" and found == job_id:
                return int(pid[0])
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never started")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_worker_killed_mid_job_is_run_again_once(app, workers, marks, figures):
    """SIGKILL to the worker and its work horse (a lost machine, `systemctl kill`); the worker
    restarted by systemd finds the job abandoned and runs it again, once."""
    first = workers.start()
    job = ask(app, marks)
    horse = horse_of(marks, job)
    killed_at = time.monotonic()
    os.kill(first.pid, signal.SIGKILL)
    os.kill(horse, signal.SIGKILL)
    first.wait(timeout=10)
    assert job_records(app, [job])[job].status == "running"  # what the dead worker left
    second = workers.start()
    wait_finished(app, [job], 60)
    took = time.monotonic() - killed_at
    started, done = runs(marks)
    record = job_records(app, [job])[job]
    figures(kill="worker + horse SIGKILL", starts=started[job], completions=done[job],
            attempts=record.attempts, seconds_from_kill_to_done=round(took, 1),
            restart_said=[line for line in workers.log(second).splitlines() if "abandoned" in line])
    assert (started[job], done[job]) == (2, 1)
    assert record.status == "finished" and record.attempts == 2


def test_work_horse_killed_is_run_again_once(app, workers, marks, figures):
    """The out-of-memory killer takes the horse only: RQ marks the job failed; the next
    `flask jobs tick` (cron, every minute) queues it again and the same worker finishes it."""
    workers.start()
    job = ask(app, marks)
    horse = horse_of(marks, job)
    killed_at = time.monotonic()
    os.kill(horse, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not gone(horse) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the worker notices its horse died and tells RQ
    tick = workers.command("jobs", "tick")
    wait_finished(app, [job], 60)
    started, done = runs(marks)
    record = job_records(app, [job])[job]
    figures(kill="horse SIGKILL", starts=started[job], completions=done[job], attempts=record.attempts,
            seconds_from_kill_to_done=round(time.monotonic() - killed_at, 1),
            tick=tick.strip().replace("\n", " | "))
    assert "1 abandoned job(s) queued again" in tick
    assert (started[job], done[job]) == (2, 1)
    assert record.status == "finished" and record.attempts == 2


def test_jobs_lost_with_redis_are_queued_again(app, workers, redis_server, marks, figures):
    """Redis killed and restarted empty (no snapshot yet): the queued jobs are gone from it, but
    not from the database; the next worker to start queues them again."""
    jobs = [ask(app, marks, first_seconds=0) for _ in range(3)]
    assert all(r.dispatched for r in job_records(app, jobs).values())
    redis_server.crash()
    worker = workers.start()
    took = wait_finished(app, jobs, 60)
    started, done = runs(marks)
    said = [line for line in workers.log(worker).splitlines() if "queued again" in line]
    figures(jobs=len(jobs), completions=sum(done[j] for j in jobs), worker_said=said,
            seconds_to_done=round(took, 1))
    assert said == ["3 abandoned job(s) queued again"]
    assert all(started[j] == done[j] == 1 for j in jobs), (started, done)


def test_a_job_delivered_twice_at_once_runs_once(app, workers, marks, figures):
    """A job queued twice (Redis frozen: the first enqueue timed out but was kept and ran once
    Redis woke up, and the flush queued it again) is taken by two workers at the same time."""
    workers.start()
    workers.start()
    job = ask(app, marks, first_seconds=2)
    with app.app_context():
        dispatch(db.session.get(JobRecord, job))  # the second delivery
        db.session.remove()
    wait_finished(app, [job], 60)
    time.sleep(1)  # the other worker's delivery, were it still going
    started, done = runs(marks)
    record = job_records(app, [job])[job]
    figures(deliveries=2, starts=started[job], completions=done[job], attempts=record.attempts)
    assert (started[job], done[job]) == (1, 1)
    assert record.attempts == 1
