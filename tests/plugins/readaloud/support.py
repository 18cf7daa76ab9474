"""Helpers for the read-aloud tests: an item published over HTTP (its audio made by the eager
job), the reading members hear, their positions."""
from __future__ import annotations

from sqlalchemy import select

from core.extensions import db
from plugins.readaloud.models import ReadaloudPosition, ReadaloudReading, ReadaloudSection
from tests.core.test_content import item_id, publish

BODY = ("<p>Chi bộ thôn Đồng Tâm họp ngày 22/12/2024 để quán triệt Nghị quyết 57-NQ/TW.</p>"
        "<p>Đồng chí Bí thư nêu ba nhiệm vụ trọng tâm của quý I/2025.</p>")


def published(as_role, role: str = "secretary", body: str = BODY, **fields) -> int:
    """An item published by `role` (a news item of the secretary's branch by default)."""
    return item_id(publish(as_role(role), fields.pop("kind", "news"), body=body, **fields))


def reading_of(app, item: int) -> dict:
    """The current reading of an item and its sections, as plain values."""
    from plugins.readaloud.jobs import current_reading

    with app.app_context():
        reading = current_reading(item)
        if reading is None:
            return {}
        parts = db.session.scalars(select(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id)
                                   .order_by(ReadaloudSection.number)).all()
        found = {"id": reading.id, "status": reading.status, "attempts": reading.attempts, "error": reading.error,
                 "total": reading.total, "seconds": [p.seconds for p in parts], "files": [p.file_id for p in parts]}
        db.session.remove()
    return found


def readings(app, item: int) -> list:
    with app.app_context():
        found = [(r.status, r.attempts) for r in db.session.scalars(
            select(ReadaloudReading).where(ReadaloudReading.item_id == item).order_by(ReadaloudReading.id))]
        db.session.remove()
    return found


def position_of(app, user_login: str, item: int):
    from core.auth.models import User

    with app.app_context():
        user = db.session.scalar(select(User.id).where(User.login == user_login))
        found = db.session.get(ReadaloudPosition, (user, item))
        value = (found.number, found.seconds) if found else None
        db.session.remove()
    return value
