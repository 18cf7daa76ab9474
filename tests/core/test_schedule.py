"""Scheduled jobs: `flask jobs tick` starts what is due, once; a run still going is not doubled;
a plugin's job runs per province that enables it; the embedded set-up ticks by itself."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from datetime import time as time_of_day

import pytest
from sqlalchemy import select

from core.extensions import db
from core.jobs import Job, JobRecord
from core.org.models import utcnow
from core.org.settings import set_setting
from core.schedule import tick
from tests.core.test_hooks import memory_plugin
from tests.core.test_notify import real_queue
from tests.plugins.support import dispose, make_app, province_of_role, switch

CORE_SCHEDULED = {"content.announce_due", "notify.digest", "content.feeds", "core.files.sweep", "core.sweep"}
PINGS: list = []


def ping(ctx, **kwargs) -> dict:
    """The scheduled job of the test plugin: notes which province it ran for."""
    PINGS.append(ctx.record.province_id)
    return {"province": ctx.record.province_id}


@pytest.fixture
def app(db_uri, tmp_path, monkeypatch):
    """The app with a plugin whose job runs every hour (per province)."""
    ticker = memory_plugin(monkeypatch, tmp_path, "ticker", register_jobs=lambda: [
        Job("ticker.ping", "tests.core.test_schedule:ping", every=timedelta(hours=1))])
    PINGS.clear()
    # Only the core and the ticker: the installed plugins' own scheduled jobs (meetings, feedback)
    # have their tests beside them.
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=ticker, PLUGINS=[], **real_queue())
    yield app
    dispose(app)


def started(app, **kwargs) -> list[tuple[str, int | None]]:
    with app.app_context():
        return sorted(((r.name, r.province_id) for r in tick(**kwargs)), key=str)


def test_tick_starts_each_due_job_once(app, accounts):
    first = started(app)
    assert {name for name, _p in first} == CORE_SCHEDULED | {"ticker.ping"}
    assert [p for name, p in first if name in CORE_SCHEDULED] == [None] * len(CORE_SCHEDULED)  # core: once
    assert started(app) == []  # nothing is due a second later
    soon = started(app, now=utcnow() + timedelta(minutes=31))
    assert {name for name, _p in soon} == {"content.announce_due", "content.feeds"}
    week = started(app, now=utcnow() + timedelta(days=8))
    assert {name for name, _p in week} == CORE_SCHEDULED | {"ticker.ping"}
    with app.app_context():
        statuses = set(db.session.scalars(select(JobRecord.status).where(JobRecord.name.in_(CORE_SCHEDULED))))
    assert statuses == {"finished"}


def test_a_plugin_job_runs_per_province_that_enables_it(app, accounts):
    ours, theirs = province_of_role(app, accounts, "member"), province_of_role(app, accounts, "other_province_admin")
    assert sorted(p for name, p in started(app) if name == "ticker.ping") == sorted([ours, theirs])
    assert sorted(PINGS) == sorted([ours, theirs])
    switch(app, theirs, "ticker", False)
    later = started(app, now=utcnow() + timedelta(hours=2))
    assert [p for name, p in later if name == "ticker.ping"] == [ours]


def test_a_run_still_going_is_not_doubled_unless_stuck(app):
    now = utcnow()
    with app.app_context():  # an import every 30 minutes, one still running after two hours
        db.session.add(JobRecord(id="r-busy", name="content.feeds", status="running",
                                 created_at=now - timedelta(hours=2)))
        db.session.commit()
    assert "content.feeds" not in {name for name, _p in started(app)}
    with app.app_context():  # a worker killed mid-job long ago no longer holds the schedule
        db.session.get(JobRecord, "r-busy").created_at = now - timedelta(hours=7)
        db.session.commit()
    assert "content.feeds" in {name for name, _p in started(app)}


def test_the_tick_command(app):
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert result.exit_code == 0 and "7 scheduled job(s) started" in result.output  # 5 + 2 provinces
    result = app.test_cli_runner().invoke(args=["jobs", "tick"])
    assert "0 scheduled job(s) started" in result.output


def test_the_embedded_set_up_ticks_by_itself(db_uri, tmp_path, monkeypatch):
    """No Redis, not testing: the first request starts the worker, whose thread ticks."""
    import core.schedule

    monkeypatch.setattr(core.schedule, "TICK_SECONDS", 0.2)
    app = make_app(db_uri, tmp_path / "embedded", REDIS_URL="", TESTING=False, JOBS_EAGER=False, PLUGINS=[])
    try:
        assert app.test_client().get("/healthz").status_code == 200
        deadline = time.monotonic() + 10
        names = set()
        while time.monotonic() < deadline and names != CORE_SCHEDULED:
            time.sleep(0.2)
            with app.app_context():
                names = set(db.session.scalars(select(JobRecord.name).where(JobRecord.status == "finished")))
        assert names == CORE_SCHEDULED
    finally:
        app.extensions["sotay.ticker"].set()
        app.extensions["sotay.jobs"].pool.shutdown(wait=True)
        dispose(app)


@pytest.fixture
def morning(db_uri, tmp_path, monkeypatch):
    """The app with a plugin whose job runs every day at 07:00, local time."""
    brief = memory_plugin(monkeypatch, tmp_path, "brief", register_jobs=lambda: [
        Job("brief.morning", "tests.core.test_schedule:ping", every=timedelta(days=1), at=time_of_day(7, 0))])
    PINGS.clear()
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=brief, **real_queue())
    yield app
    dispose(app)


def mornings(app, now: datetime) -> list[int | None]:
    return sorted(p for name, p in started(app, now=now) if name == "brief.morning")


def test_a_daily_job_runs_once_at_its_local_time(morning, accounts):
    """07:00 in Vietnam is 00:00 UTC; a province may keep another time zone (Tokyo: 22:00 UTC)."""
    ours, theirs = (province_of_role(morning, accounts, role) for role in ("member", "other_province_admin"))
    with morning.app_context():
        set_setting(theirs, "core", "time_zone", "Asia/Tokyo")
        db.session.commit()
    day = datetime(2031, 3, 10)  # Monday 10 March 2031, UTC
    assert mornings(morning, day - timedelta(hours=2, minutes=1)) == []  # 06:59 in Tokyo
    assert mornings(morning, day - timedelta(hours=2)) == [theirs]  # 07:00 in Tokyo
    assert mornings(morning, day - timedelta(minutes=1)) == []  # 06:59 in Vietnam
    assert mornings(morning, day) == [ours]  # 07:00 in Vietnam
    assert mornings(morning, day + timedelta(minutes=30)) == []  # once a day
    assert mornings(morning, day + timedelta(hours=21, minutes=59)) == []  # 06:59 next day in Tokyo
    assert mornings(morning, day + timedelta(hours=23, minutes=59)) == [theirs]  # late: made up
    assert mornings(morning, day + timedelta(days=1)) == [ours]  # the next morning
    assert sorted(PINGS) == sorted([theirs, ours, theirs, ours])
    with pytest.raises(ValueError):  # "at" needs whole days
        Job("brief.bad", "x:y", every=timedelta(hours=1), at=time_of_day(7, 0))
