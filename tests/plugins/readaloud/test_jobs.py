"""Audio on publish: a news item published over HTTP gets its audio made by `readaloud.make`
(title first, then sections), stored once per text version, under the item's organisation; a
failing engine is tried again by `readaloud.retry` after a growing delay, at most three times."""
from __future__ import annotations

import io
from datetime import timedelta

from mutagen.oggopus import OggOpus
from sqlalchemy import select, update

from core.api import ContentItem, files, utcnow
from core.extensions import db
from core.jobs import JobRecord
from plugins.readaloud.models import FAILED, MAX_ATTEMPTS, READY, ReadaloudReading, ReadaloudSection
from tests.core.test_content import item_id, publish
from tests.plugins.readaloud.support import readings


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
        # The publisher follows the job on /jobs/.
        record = db.session.scalar(select(JobRecord).where(JobRecord.name == "readaloud.make")
                                   .order_by(JobRecord.created_at).limit(1))
        assert record.user_id is not None and record.status == "finished"
    assert readings(app, new) == [(READY, 1)]


def _retry(app, province: int, minutes_ago: int) -> dict:
    from core.jobs import enqueue

    with app.app_context():
        db.session.execute(update(ReadaloudReading).values(updated_at=utcnow() - timedelta(minutes=minutes_ago)))
        db.session.commit()
        record = enqueue("readaloud.retry", province_id=province)
        db.session.commit()
        result = db.session.get(JobRecord, record.id).result
        db.session.remove()
    return result


def test_a_failing_engine_is_retried_after_a_delay_at_most_three_times(app, as_role, accounts, monkeypatch):
    from plugins.readaloud import jobs
    from plugins.readaloud.engines import EngineFailed
    from tests.plugins.support import province_of_role

    def broken(text, choice):
        raise EngineFailed("Máy đọc hỏng.")

    monkeypatch.setattr(jobs, "synthesise", broken)
    new = item_id(publish(as_role("secretary"), "news"))
    province = province_of_role(app, accounts, "secretary")
    assert readings(app, new) == [(FAILED, 1)]
    assert _retry(app, province, minutes_ago=1) == {"retried": 0}  # too soon: 2 minutes first
    assert _retry(app, province, minutes_ago=3) == {"retried": 1}
    assert readings(app, new) == [(FAILED, 2)]
    assert _retry(app, province, minutes_ago=3) == {"retried": 0}  # then 4 minutes
    assert _retry(app, province, minutes_ago=5) == {"retried": 1}
    assert readings(app, new) == [(FAILED, MAX_ATTEMPTS)]
    assert _retry(app, province, minutes_ago=60) == {"retried": 0}  # never more
    with app.app_context():
        assert db.session.scalar(select(ReadaloudReading.error)) == "Máy đọc hỏng."
