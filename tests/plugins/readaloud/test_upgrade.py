"""The upgrade to readaloud_0002 (members' listening positions) keeps the audio made before it: a
database at readaloud_0001 with a reading and its parts goes to every head, the rows are all
there and a position can be kept; down to readaloud_0001 and up again is safe."""
from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from core import files
from core.auth.models import User
from core.content.models import ContentItem
from core.extensions import db
from core.org.models import Organisation
from plugins.readaloud.models import ReadaloudReading, ReadaloudSection
from tests.conftest import _new_app
from tests.migrations.test_upgrade_data import empty_db  # noqa: F401  (a fixture)


def _rows(conn) -> dict:
    return {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("readaloud_reading", "readaloud_section", "core_file")}


def test_readings_survive_the_upgrade_to_positions(empty_db, tmp_path):  # noqa: F811
    app = _new_app(empty_db, tmp_path / "instance")
    with app.app_context():
        flask_migrate.upgrade(revision="readaloud_0001")
        with db.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("readaloud_position")
        # The models of these tables are as at readaloud_0001 (the core at its head).
        province = Organisation(name="Tỉnh thử nâng cấp", level="province")
        db.session.add(province)
        db.session.flush()
        item = ContentItem(org_id=province.id, kind="news", title="Tin cũ có bản đọc", status="published")
        db.session.add(item)
        db.session.flush()
        stored = files.save_bytes(b"OggS" + b"\0" * 100, namespace="readaloud", filename="tin-1.ogg",
                                  mimetype="audio/ogg")
        reading = ReadaloudReading(item_id=item.id, org_id=province.id, text_hash="a" * 64, status="ready",
                                   attempts=1, total=1)
        db.session.add(reading)
        db.session.flush()
        db.session.add(ReadaloudSection(reading_id=reading.id, number=0, file_id=stored.id, seconds=4.5))
        listener = User(login="nghe-thu-nang-cap", display_name="Nghe thử")
        db.session.add(listener)
        db.session.commit()
        item_id, reading_id, user = item.id, reading.id, listener.id
        db.session.remove()
        with db.engine.begin() as conn:
            before = _rows(conn)
        flask_migrate.upgrade(revision="heads")
        with db.engine.begin() as conn:
            assert _rows(conn) == before
            assert conn.execute(sa.text("SELECT status, total FROM readaloud_reading WHERE id = :r"),
                                {"r": reading_id}).one() == ("ready", 1)
            conn.execute(sa.text("INSERT INTO readaloud_position (user_id, item_id, number, seconds, updated_at)"
                                 " VALUES (:u, :i, 0, 2.0, :n)"), {"u": user, "i": item_id, "n": "2026-12-02 08:00:00"})
        flask_migrate.downgrade(revision="readaloud_0001")
        with db.engine.connect() as conn:
            assert not sa.inspect(conn).has_table("readaloud_position") and _rows(conn) == before
        flask_migrate.upgrade(revision="heads")
        with db.engine.connect() as conn:
            assert sa.inspect(conn).has_table("readaloud_position") and _rows(conn) == before
        db.session.remove()
        db.engine.dispose()
