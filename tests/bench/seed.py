"""How long `flask seed-demo --members N` takes, on PostgreSQL and on SQLite."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from tests.bench.server import Database, flask

log = logging.getLogger(__name__)


@dataclass
class SeedRun:
    backend: str
    members: int
    upgrade_seconds: float
    seed_seconds: float
    seed_cpu: float  # CPU of the flask process (the database server's own work is not in it)
    counts: dict[str, int]


def seed(db: Database, members: int) -> SeedRun:
    """`flask db upgrade` then `flask seed-demo --members N` on an empty database, timed."""
    upgrade = flask(db, "db", "upgrade")
    log.info("%s: seeding %s members", db.backend, members)
    run = flask(db, "seed-demo", "--members", str(members))
    return SeedRun(db.backend, members, upgrade.wall, run.wall, run.cpu, counts(db))


def counts(db: Database) -> dict[str, int]:
    """What the seed made: organisations per level, members, accounts, closure rows."""
    url = db.url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = dict(conn.execute(sa.text("SELECT level, count(*) FROM org GROUP BY level")).all())
        for table in ("member", "user_account", "org_closure"):
            found[table] = conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
    engine.dispose()
    return found
