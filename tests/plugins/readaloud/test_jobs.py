"""Audio on publish: a news item published over HTTP gets its audio made by `readaloud.make`
(title first, then sections), stored once per text version, under the item's organisation."""
from __future__ import annotations

import io

from mutagen.oggopus import OggOpus
from sqlalchemy import select

from core.api import ContentItem, files
from core.extensions import db
from plugins.readaloud.models import FAILED, MAX_ATTEMPTS, READY, ReadaloudReading, ReadaloudSection
from tests.core.test_content import item_id, publish


def readings(app, new):
    with app.app_context():
        return [(r.status, r.attempts, r.org_id, r.error, r.total) for r in db.session.scalars(
            select(ReadaloudReading).where(ReadaloudReading.item_id == new))]


def test_publishing_news_makes_real_audio_once_under_the_items_org(app, as_role):
    new = item_id(publish(as_role("secretary"), "news", body="<p>Chi bộ họp ngày 22/12/2024.</p>"))
    with app.app_context():
        item = db.session.get(ContentItem, new)
        [reading] = db.session.scalars(select(ReadaloudReading).where(ReadaloudReading.item_id == new)).all()
        assert (reading.status, reading.attempts, reading.org_id) == (READY, 1, item.org_id)
        parts = db.session.scalars(select(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id)
                                   .order_by(ReadaloudSection.number)).all()
        assert len(parts) == reading.total >= 2  # the title, then the text
        for part in parts:
            stored = files.get(part.file_id, "readaloud")
            assert stored.mimetype == "audio/ogg"
            with files.open(stored) as f:
                audio = OggOpus(io.BytesIO(f.read()))
            assert audio.info.channels == 1 and abs(audio.info.length - part.seconds) < 0.3
        from core.api import enqueue
        enqueue("readaloud.make", province_id=item.org.province_id, item_id=new)  # same text again
        db.session.commit()
    assert len(readings(app, new)) == 1 and readings(app, new)[0][:2] == (READY, 1)


def test_a_failing_engine_is_retried_at_most_three_times(app, as_role, monkeypatch):
    from plugins.readaloud import jobs
    from plugins.readaloud.engines import EngineFailed

    def broken(text, choice):
        raise EngineFailed("Máy đọc hỏng.")

    monkeypatch.setattr(jobs, "synthesise", broken)
    new = item_id(publish(as_role("secretary"), "news"))
    [(status, attempts, _org, error, _total)] = readings(app, new)
    assert (status, attempts, error) == (FAILED, MAX_ATTEMPTS, "Máy đọc hỏng.")
