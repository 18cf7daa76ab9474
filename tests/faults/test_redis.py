"""Redis stopped, then frozen, while secretaries browse: pages keep serving (≥ 99 % of GETs), and
jobs asked for meanwhile — from a page and from code — each run exactly once after Redis is back.

Short outages by default; `FAULTS_LONG=1` gives the issue's 60 s stop and 30 s freeze (see
tests/faults/conftest.py)."""
from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlencode

from core.extensions import db
from core.jobs import enqueue
from tests.bench.client import TOKEN, Browser, text_of
from tests.faults.conftest import Load, job_records, runs, seconds, wait_finished
from tests.faults.plugin.hooks import WORK
from tests.plugins.support import province_of_role, switch

MIN_RATIO = 0.99


def ask_for_job(app, marks) -> str:
    """What a view does when a member starts a job: record it and hand it to the queue."""
    with app.app_context():
        record_id = enqueue(WORK, marks=str(marks)).id
        db.session.remove()
    return record_id


def archive_from_page(port: int, account: dict) -> tuple[int, str, float]:
    """The secretary presses "archive old notes" (the example plugin's job) on its page."""
    browser = Browser(port)
    browser.sign_in(account["login"], account["password"])
    page = text_of(browser.get("/example/"))
    match = TOKEN.search(page)
    sent = time.monotonic()
    reply = browser.request("POST", "/example/archive",
                            urlencode({"csrf_token": match.group(1) or match.group(2)}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
    job = re.search(r"/jobs/([0-9a-f-]{36})", reply.location)
    return reply.status, job.group(1) if job else "", time.monotonic() - sent


def outage(app, live_server, accounts, redis_server, workers, marks, figures, *, how: str, length: float):
    """Browse under load; break Redis for `length` seconds (stop or freeze) and ask for jobs
    meanwhile; bring it back; let cron's `flask jobs tick` run; check pages, jobs and timings."""
    switch(app, province_of_role(app, accounts, "secretary"), "_example", True)
    port = int(live_server.rsplit(":", 1)[1])
    workers.start()
    workers.start()
    before = ask_for_job(app, marks)  # a job while all is well
    wait_finished(app, [before], 30)
    asked, from_page = [], []
    with Load(port, accounts["secretary"]) as load:
        load.warmed(seconds=1)
        broken_at = load.now()
        redis_server.stop() if how == "stop" else redis_server.freeze()

        def keep_asking(ask):  # each ask may wait on a frozen Redis: several people at once
            while load.now() - broken_at < length:
                ask()
                time.sleep(0.3)
        askers = [threading.Thread(target=keep_asking, args=(lambda: asked.append(ask_for_job(app, marks)),))
                  for _ in range(3)]
        askers.append(threading.Thread(target=keep_asking, args=(
            lambda: from_page.append(archive_from_page(port, accounts["secretary"])),)))
        for thread in askers:
            thread.start()
        for thread in askers:
            thread.join()
        if how == "stop":  # cron's tick meanwhile: it keeps what it starts for later, and exits 0
            tick_during = workers.command("jobs", "tick")
            assert "0 abandoned job(s) queued again" in tick_during, tick_during
        redis_server.start() if how == "stop" else redis_server.thaw()
        back_at = load.now()
        ticked = workers.command("jobs", "tick")  # cron, the next minute
        tick_warnings = [w for w in workers.warnings if "worker died" in w]
        ids = asked + [job for _status, job, _t in from_page]
        wait_finished(app, ids, 90)
        drained = load.now() - back_at
        time.sleep(0.5)  # and pages still answer after the storm
        done_at = load.now()
    during = Load.summary(load.between(broken_at, back_at))
    overall = Load.summary(load.between(0, done_at))
    started, done = runs(marks)
    records = job_records(app, ids)
    slowest_post = max(t for _s, _j, t in from_page)
    figures(outage=f"Redis {how} {back_at - broken_at:.1f}s", gets_during=during, gets_overall=overall,
            jobs_asked=len(ids), page_posts={"count": len(from_page), "slowest_s": round(slowest_post, 1)},
            job_starts=sum(started[i] for i in asked), job_completions=sum(done[i] for i in asked),
            seconds_to_drain_after_return=round(drained, 1),
            tick=ticked.strip().replace("\n", " | "), tick_warnings=tick_warnings)

    assert during["gets"] > 10 * length, during  # the load really ran through the outage
    assert during["ratio"] >= MIN_RATIO, during
    assert overall["ratio"] >= MIN_RATIO, overall
    # The page that starts a job answered with its status page, Redis or not.
    assert all(status == 302 and job for status, job, _t in from_page), from_page
    assert len(asked) >= 3
    assert all(done[i] == 1 and started[i] == 1 for i in asked), (started, done)
    assert all(r.status == "finished" and r.attempts == 1 for r in records.values()), \
        {i: (r.status, r.attempts) for i, r in records.items()}
    assert done[before] == 1


def test_redis_stopped_under_load(app, live_server, accounts, redis_server, workers, marks, figures):
    outage(app, live_server, accounts, redis_server, workers, marks, figures, how="stop",
           length=seconds("FAULTS_REDIS_STOP", 5, 60))


def test_redis_frozen_under_load(app, live_server, accounts, redis_server, workers, marks, figures):
    outage(app, live_server, accounts, redis_server, workers, marks, figures, how="freeze",
           length=seconds("FAULTS_REDIS_FREEZE", 3, 30))
