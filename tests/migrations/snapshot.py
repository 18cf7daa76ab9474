"""Snapshots of databases filled by earlier releases, for the upgrade tests.

Make one from a checkout of the release being replaced (its own code, its own schema):
    SOTAY_INSTANCE=$(mktemp -d) python -m tests.migrations.snapshot dump tests/migrations/data/<rev>.json
The file holds every row of every table, as JSON, and the revision(s) the database was at."""
from __future__ import annotations

import base64
import json
import sys
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa


def _encode(value):
    if isinstance(value, datetime):
        return {"t": "dt", "v": value.isoformat()}
    if isinstance(value, date):
        return {"t": "d", "v": value.isoformat()}
    if isinstance(value, bytes):
        return {"t": "b", "v": base64.b64encode(value).decode()}
    return value


def _decode(value):
    if isinstance(value, dict) and set(value) == {"t", "v"}:
        kind, raw = value["t"], value["v"]
        return {"dt": datetime.fromisoformat, "d": date.fromisoformat,
                "b": base64.b64decode}[kind](raw)
    return value


def _derived(name: str) -> bool:
    """Tables without a model that the database fills itself (the search index, kept by
    triggers): not data to carry over, and their shape differs between SQLite and PostgreSQL."""
    from core.models import include_in_migrations

    return not include_in_migrations(None, name, "table", True, None)


def dump(engine: sa.Engine) -> dict:
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        versions = [r[0] for r in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
        tables = {}
        for table in meta.sorted_tables:
            if table.name == "alembic_version" or _derived(table.name):
                continue
            rows = conn.execute(sa.select(table)).mappings().all()
            tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    return {"revisions": sorted(versions), "tables": tables}


def load(engine: sa.Engine, snapshot: dict) -> None:
    """Insert a snapshot's rows into a database already at the snapshot's revisions."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            rows = snapshot["tables"].get(table.name)
            if rows:
                conn.execute(table.insert(), [{k: _decode(v) for k, v in row.items()} for row in rows])
        if engine.dialect.name == "postgresql":  # ids were inserted explicitly: move sequences on
            for table in meta.sorted_tables:
                if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and snapshot["tables"].get(table.name):
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"))


def main() -> None:
    import flask_migrate

    from core import create_app
    from core.demo import seed
    from core.extensions import db

    target = Path(sys.argv[2])
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///snapshot.db", "REDIS_URL": ""})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        accounts = json.loads(seed(40).read_text())
        snapshot = dump(db.engine)
    snapshot["accounts"] = accounts
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(snapshot, ensure_ascii=False, indent=0))


if __name__ == "__main__" and sys.argv[1:2] == ["dump"]:
    main()
