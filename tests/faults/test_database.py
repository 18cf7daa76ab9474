"""PostgreSQL restarted under load (`pg_ctl restart -m fast` of a private server): the app and the
job worker recover without being restarted themselves — requests sent once the database is back
all succeed, and a job asked for afterwards runs.

Always on a private PostgreSQL (whatever DATABASE_URL says): the machine's shared one is never
restarted."""
from __future__ import annotations

import json
import time

import pytest

from core.extensions import db
from core.jobs import enqueue
from tests.bench.client import Browser
from tests.faults.conftest import Load, runs, wait_finished
from tests.faults.plugin.hooks import WORK
from tests.faults.servers import PrivatePostgres
from tests.plugins.support import dispose, make_app

DEMO_MEMBERS = 60


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    """A private server with the demo province migrated and seeded into database "sotay"."""
    import flask_migrate
    import sqlalchemy as sa

    from core.demo import seed

    server = PrivatePostgres()
    try:
        admin = sa.create_engine(server.url.replace("postgresql://", "postgresql+psycopg://"),
                                 isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE "sotay"'))
        admin.dispose()
        instance = tmp_path_factory.mktemp("pg-instance")
        app = make_app(server.url_for("sotay"), instance, REDIS_URL="")
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            seed(DEMO_MEMBERS)
        dispose(app)
        server.accounts = json.loads((instance / "demo-accounts.json").read_text())
        yield server
    finally:
        server.close()


@pytest.fixture
def db_uri(postgres):
    """The app (tests/faults/conftest.py) and its workers use the private server."""
    return postgres.url_for("sotay")


@pytest.fixture
def accounts(postgres):
    return postgres.accounts


def finished_before(answers, moment: float) -> list:
    """The answers that came back before `moment` (not those cut off in flight)."""
    return [a for a in answers if a[0] + a[3] < moment]


def test_database_restart_under_load(app, live_server, accounts, postgres, workers, marks, figures):
    """Restarted while secretaries browse: what is in flight fails; everything sent once the
    server is back succeeds, and the worker (started before) runs a job asked for after."""
    port = int(live_server.rsplit(":", 1)[1])
    workers.start()
    with Load(port, accounts["secretary"]) as load:
        load.warmed()
        down_at = load.now()
        postgres.restart()
        back_at = load.now()
        time.sleep(2)
        with app.app_context():  # a job asked for after the restart, from a pooled connection
            job = enqueue(WORK, marks=str(marks)).id
            db.session.remove()
        drained = wait_finished(app, [job], 30)
        time.sleep(0.5)
        end = load.now()
    before = Load.summary(finished_before(load.between(0, down_at), down_at))
    during = Load.summary(load.between(down_at, back_at))
    after = Load.summary(load.between(back_at, end))
    started, done = runs(marks)
    figures(restart_seconds=round(back_at - down_at, 2), gets_before=before, gets_during=during,
            gets_after=after, job_after_restart_seconds=round(drained, 1))
    assert before["ratio"] == 1.0, before
    # Pages asked for while the server was down say "busy, try again" (503), never a 500.
    assert set(during["failed"]) <= {"503"}, during
    assert after["gets"] >= 10 and after["ratio"] == 1.0, after
    assert (started[job], done[job]) == (1, 1)


def test_database_restart_while_idle(app, live_server, accounts, postgres, figures):
    """Restarted at night: the pool still holds connections to the old server. The morning's
    first pages must not be the ones that find out (pool_pre_ping in core/app.py)."""
    port = int(live_server.rsplit(":", 1)[1])
    people = []
    for role in ("secretary", "member", "grassroots_admin"):
        browser = Browser(port)
        browser.sign_in(accounts[role]["login"], accounts[role]["password"])
        people.append(browser)
    warm = [person.get(path).status for person in people for path in ("/", "/news/")]
    postgres.restart()
    first = [(path, person.get(path).status) for path in ("/", "/documents/", "/inbox/") for person in people]
    health = Browser(port).get("/healthz").status
    figures(warm=warm, first_after_restart=first, healthz_after=health)
    assert set(warm) == {200}
    assert all(status == 200 for _path, status in first), first
    assert health == 200
