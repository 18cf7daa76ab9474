"""The upgrade to backup codes (core_0009) keeps every account and every signed-in device: a
database of an earlier release, with a secretary's authenticator and live sessions, is brought
to core_0008, then upgraded; sessions are still there (a rebuild of user_account would have
deleted them through ON DELETE CASCADE on SQLite), and the secretary signs in with the app's
code and gets backup codes. Down to core_0008 and up again is safe."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import flask_migrate
import pyotp
import sqlalchemy as sa

from core.extensions import db
from tests.conftest import _new_app
from tests.migrations.snapshot import load
from tests.migrations.test_upgrade_data import empty_db  # noqa: F401  (a fixture)
from tests.support import Visitor

SNAPSHOT = Path(__file__).parent / "data" / "core_0004.json"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _counts(conn) -> dict[str, int]:
    return {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("user_account", "user_session", "account_name", "role_assignment")}


def test_sessions_and_authenticators_survive_the_upgrade(empty_db, tmp_path):  # noqa: F811
    snapshot = json.loads(SNAPSHOT.read_text())
    app = _new_app(empty_db, tmp_path / "instance")
    secretary = snapshot["accounts"]["secretary"]
    now = datetime(2026, 12, 1, 8, 0)
    with app.app_context():
        for revision in snapshot["revisions"]:
            flask_migrate.upgrade(revision=revision)
        load(db.engine, snapshot)
        flask_migrate.upgrade(revision="core_0008")
        with db.engine.begin() as conn:
            users = conn.execute(sa.text("SELECT id, login FROM user_account ORDER BY id")).all()
            secretary_id = next(uid for uid, login in users if login == secretary["login"])
            conn.execute(sa.text("UPDATE user_account SET totp_secret = :s WHERE id = :id"),
                         {"s": SECRET, "id": secretary_id})
            conn.execute(sa.text(
                "INSERT INTO user_session (token, user_id, created_at, last_seen_at, expires_at, remember,"
                " second_factor_done) VALUES (:t, :u, :c, :c, :e, :r, :d)"),
                [{"t": f"token-{uid}", "u": uid, "c": now, "e": now + timedelta(days=30), "r": True, "d": True}
                 for uid, _login in users])
            before = _counts(conn)
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            assert _counts(conn) == before  # not one session lost
            assert conn.execute(sa.text("SELECT totp_secret, totp_last_device FROM user_account WHERE id = :id"),
                                {"id": secretary_id}).one() == (SECRET, None)
            assert conn.execute(sa.text("SELECT count(*) FROM backup_code")).scalar() == 0
        db.session.remove()

    person = Visitor(app.test_client())
    person.login(secretary)
    assert person.last.headers["Location"].startswith("/login/code")
    assert person.submit("/login/code", {"code": pyotp.TOTP(SECRET).now()}).status_code == 302
    made = person.submit("/account/authenticator/backup-codes", {"current": secretary["password"]},
                         form_page="/account/authenticator")
    assert made.status_code == 200
    assert len(re.findall(r"<li><code>\d{5} \d{5}</code></li>", made.get_data(as_text=True))) == 10

    with app.app_context():  # down and up again: the accounts and sessions stay
        flask_migrate.downgrade(revision="core_0008")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("user_account")}
            assert "totp_last_device" not in columns and not sa.inspect(conn).has_table("backup_code")
            kept = _counts(conn)
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            assert _counts(conn) == kept and kept["user_account"] == before["user_account"]
            assert kept["user_session"] >= before["user_session"]
        db.session.remove()
