"""The upgrade to the file service (core_0007) keeps every attachment: a database of the
core_0004 release with files in instance/uploads is upgraded, and its member still downloads
them, byte for byte; a downgrade gives the old columns back, and upgrading again is safe."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import flask_migrate
import sqlalchemy as sa

from core.extensions import db
from tests import samples
from tests.conftest import _new_app
from tests.migrations.snapshot import load
from tests.migrations.test_upgrade_data import empty_db  # noqa: F401  (a fixture)
from tests.support import Visitor

SNAPSHOT = Path(__file__).parent / "data" / "core_0004.json"
KEYS = ("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210",
        "00000000000000000000000000000000")


def test_attachments_survive_the_upgrade_and_are_downloaded(empty_db, tmp_path):  # noqa: F811
    snapshot = json.loads(SNAPSHOT.read_text())
    instance = tmp_path / "instance"
    app = _new_app(empty_db, instance)
    item_id = snapshot["tables"]["content_bookmark"][0]["item_id"]  # a document the member reads
    pdf, photo = samples.pdf("Nghi quyet 57", pages=2), samples.photo("JPEG", (320, 200), gps=False)
    old = instance / "uploads"
    old.mkdir(parents=True)
    (old / KEYS[0]).write_bytes(pdf)
    (old / KEYS[1]).write_bytes(photo)  # the third attachment's file was lost before the upgrade
    with app.app_context():
        for revision in snapshot["revisions"]:
            flask_migrate.upgrade(revision=revision)
        load(db.engine, snapshot)
        table = sa.table("content_attachment", *[sa.column(c) for c in (
            "id", "item_id", "filename", "mimetype", "size", "sha256", "storage_key", "created_at")])
        rows = [{"id": n + 1, "item_id": item_id, "filename": name, "mimetype": mimetype, "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest(), "storage_key": key,
                 "created_at": datetime(2026, 11, 20, 8, n)}
                for n, (name, mimetype, data, key) in enumerate((
                    ("Nghị quyết 57.pdf", "application/pdf", pdf, KEYS[0]),
                    ("ảnh hội nghị.jpg", "image/jpeg", photo, KEYS[1]),
                    ("mất.pdf", "application/pdf", pdf, KEYS[2])))]
        with db.engine.begin() as conn:
            conn.execute(table.insert(), rows)
        flask_migrate.upgrade(revision="heads")
        kept = {r.key: r for r in db.session.execute(sa.text(
            "SELECT f.*, a.id AS attachment_id FROM core_file f JOIN content_attachment a ON a.file_id = f.id"))}
        db.session.remove()
    for before in rows:  # every attachment's metadata, now the file service's
        after = kept[before["storage_key"]]
        assert (after.namespace, after.filename, after.mimetype, after.size, after.sha256) == (
            "content", before["filename"], before["mimetype"], before["size"], before["sha256"])
        assert after.attachment_id == before["id"] and not after.sensitive and after.expires_at is None
    new = instance / "files" / "content"
    assert (new / KEYS[0]).read_bytes() == pdf and (new / KEYS[1]).read_bytes() == photo
    assert (old / KEYS[0]).exists()  # left for a downgrade; it costs no space (a hard link)
    assert (new / KEYS[0]).stat().st_ino == (old / KEYS[0]).stat().st_ino

    member = Visitor(app.test_client())
    member.login(snapshot["accounts"]["member"])
    page = member.text(f"/c/{item_id}")
    assert "Nghị quyết 57.pdf" in page and f"/c/{item_id}/files/1" in page
    response = member.get(f"/c/{item_id}/files/1")
    assert response.status_code == 200 and response.data == pdf
    assert response.headers["Cache-Control"] == "no-store"
    assert member.get(f"/c/{item_id}/files/2", headers={"Range": "bytes=0-9"}).data == photo[:10]
    assert member.get(f"/c/{item_id}/files/3").status_code == 404  # lost before, still 404, no 500
    other = Visitor(app.test_client())
    other.login(snapshot["accounts"]["other_province_admin"])  # another province: not theirs
    assert other.get(f"/c/{item_id}/files/1").status_code == 404

    with app.app_context():  # down again: the old columns come back as they were
        flask_migrate.downgrade(revision="core_0004")
        reflected = sa.Table("content_attachment", sa.MetaData(), autoload_with=db.engine)
        back = {r.id: dict(r._mapping) for r in db.session.execute(sa.select(reflected))}
        db.session.remove()
    assert back == {r["id"]: r for r in rows}
    with app.app_context():  # and up again: the files already in place are skipped
        flask_migrate.upgrade(revision="heads")
        db.session.remove()
    assert member.get(f"/c/{item_id}/files/1").data == pdf
    with app.app_context():
        db.engine.dispose()
