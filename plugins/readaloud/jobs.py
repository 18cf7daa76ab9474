"""`readaloud.make`: the audio of a content item's current text, title first then section by
section, each stored as it is made (so the first plays in seconds). Safe to run twice: a reading
is keyed by the hash of its normalised text, engine, voice and rate, and its sections by number.
A failure is recorded on the reading and retried by the job itself, at most `MAX_ATTEMPTS` times."""
from __future__ import annotations

import hashlib
import re

from flask_babel import gettext as _
from sqlalchemy import select

from core.api import ContentItem, JobContext, db, files
from plugins.readaloud.engines import EngineFailed
from plugins.readaloud.models import FAILED, MAX_ATTEMPTS, READY, WORKING, ReadaloudReading, ReadaloudSection
from plugins.readaloud.normalize import spoken_form
from plugins.readaloud.speech import Choice, synthesise

SECTION_CHARS = 1500  # about a minute and a half of speech


def plain_text(html: str | None) -> str:
    text = re.sub(r"(?i)<\s*(br|/p|/div|/li|/h[1-6])[^>]*>", "\n", html or "")
    text = re.sub(r"<[^>]+>", " ", text)
    for entity, char in (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"),
                         ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def sections(item: ContentItem) -> list[str]:
    """The title, then the summary and body as groups of whole paragraphs of about SECTION_CHARS."""
    parts = [item.title.strip()]
    chunk = ""
    for paragraph in (p.strip() for p in plain_text("\n".join(filter(None, [item.summary, item.body]))).split("\n")):
        if not paragraph:
            continue
        if chunk and len(chunk) + len(paragraph) > SECTION_CHARS:
            parts.append(chunk)
            chunk = ""
        chunk = f"{chunk}\n{paragraph}".strip()
    if chunk:
        parts.append(chunk)
    return [p for p in parts if p]


def text_hash(item: ContentItem, choice: Choice) -> str:
    spoken = "\n\n".join(spoken_form(part) for part in sections(item))
    return hashlib.sha256(f"{choice.key}\n{spoken}".encode()).hexdigest()


def reading_for(item: ContentItem) -> ReadaloudReading:
    """The reading of the item's current text (new and queued if the text is new)."""
    key = text_hash(item, Choice.for_org(item.org_id))
    reading = db.session.scalar(select(ReadaloudReading).where(ReadaloudReading.item_id == item.id,
                                                               ReadaloudReading.text_hash == key))
    if reading is None:
        reading = ReadaloudReading(item_id=item.id, org_id=item.org_id, text_hash=key, attempts=0, total=0)
        db.session.add(reading)
        db.session.flush()
    return reading


def make(ctx: JobContext, item_id: int) -> dict:
    item = db.session.get(ContentItem, item_id)
    if item is None:
        return {"skipped": "gone"}
    reading = reading_for(item)
    if reading.status == READY or reading.attempts >= MAX_ATTEMPTS:
        db.session.commit()
        return {"skipped": reading.status}
    choice = Choice.for_org(item.org_id)
    parts = sections(item)
    reading.status, reading.total, reading.attempts, reading.error = WORKING, len(parts), reading.attempts + 1, None
    db.session.commit()
    done = set(db.session.scalars(select(ReadaloudSection.number).where(ReadaloudSection.reading_id == reading.id)))
    try:
        for number, text in enumerate(parts):
            if number in done:
                continue
            audio = synthesise(text, choice)
            stored = files.save_bytes(audio.ogg, namespace="readaloud", filename=f"{item.title[:80]}-{number + 1}.ogg",
                                      mimetype="audio/ogg")
            db.session.add(ReadaloudSection(reading_id=reading.id, number=number, file_id=stored.id,
                                            seconds=audio.seconds))
            db.session.commit()
            ctx.progress((number + 1) * 100 // len(parts), _("Sections ready: %(done)s/%(total)s",
                                                               done=number + 1, total=len(parts)))
    except EngineFailed as failed:
        db.session.rollback()
        reading = db.session.get(ReadaloudReading, reading.id)
        reading.status, reading.error = FAILED, str(failed)
        db.session.commit()
        if reading.attempts < MAX_ATTEMPTS:
            from core.api import enqueue

            enqueue("readaloud.make", province_id=ctx.record.province_id, item_id=item_id)
            db.session.commit()
        return {"failed": str(failed), "attempts": reading.attempts}
    reading.status = READY
    db.session.commit()
    return {"sections": len(parts)}
