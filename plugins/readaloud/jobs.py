"""`readaloud.make`: the audio of a content item's current text, title first then section by
section, each stored as it is made (so the first plays in seconds). Safe to run twice: a reading
is keyed by the hash of its normalised text, engine, voice and rate, and its sections by number.
A failure is recorded on the reading; `readaloud.retry` (every few minutes) starts it again after
a growing delay, at most `MAX_ATTEMPTS` times in all."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from core.api import ContentItem, JobContext, db, enqueue, files, subtree_ids, utcnow
from plugins.readaloud.engines import EngineFailed
from plugins.readaloud.models import (EMPTY, FAILED, MAX_ATTEMPTS, PENDING, QUEUED, READY, WORKING,
                                      ReadaloudReading, ReadaloudSection)
from plugins.readaloud.normalize import speakable, spoken_form
from plugins.readaloud.speech import Choice, synthesise

SECTION_CHARS = 1500  # about a minute and a half of speech
RETRY_AFTER = timedelta(minutes=2)  # doubled after each failed attempt: 2, then 4 minutes


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


def spoken_sections(item: ContentItem) -> list[str]:
    """The sections that have something to say (a section of dots and dashes is left out)."""
    return [part for part in sections(item) if speakable(spoken_form(part))]


def text_hash(item: ContentItem, choice: Choice) -> str:
    spoken = "\n\n".join(spoken_form(part) for part in sections(item))
    return hashlib.sha256(f"{choice.key}\n{spoken}".encode()).hexdigest()


def current_reading(item_id: int) -> ReadaloudReading | None:
    """The reading members hear: the one made or asked for last (one indexed query)."""
    return db.session.scalar(select(ReadaloudReading).where(ReadaloudReading.item_id == item_id)
                             .order_by(ReadaloudReading.updated_at.desc(), ReadaloudReading.id.desc()).limit(1))


def ask_for(item: ContentItem, user_id: int | None = None, province_id: int | None = None):
    """A reading of the item's text is wanted: a placeholder shows "being prepared" at once, and
    the job is queued (both in the caller's transaction). The job record, or None when an earlier
    request is still waiting for its job."""
    placeholder = f"{PENDING}{item.version}"
    waiting = db.session.scalar(select(ReadaloudReading).where(ReadaloudReading.item_id == item.id,
                                                               ReadaloudReading.text_hash == placeholder))
    if waiting is not None and waiting.status == QUEUED:
        waiting.updated_at = utcnow()
        return None
    if waiting is None:
        db.session.add(ReadaloudReading(item_id=item.id, org_id=item.org_id, text_hash=placeholder,
                                        status=QUEUED, attempts=0, total=0))
        db.session.flush()
    return enqueue("readaloud.make", user_id=user_id, province_id=province_id or _province(item),
                   item_id=item.id)


def _province(item: ContentItem) -> int:
    return item.org.province_id or item.org_id


def reading_for(item: ContentItem) -> ReadaloudReading:
    """The reading of the item's current text: found, made from a waiting placeholder, or new."""
    key = text_hash(item, Choice.for_org(item.org_id))
    found = db.session.scalar(select(ReadaloudReading).where(ReadaloudReading.item_id == item.id,
                                                             ReadaloudReading.text_hash == key))
    waiting = db.session.scalars(select(ReadaloudReading).where(
        ReadaloudReading.item_id == item.id, ReadaloudReading.text_hash.startswith(PENDING))).all()
    if found is None and waiting:
        found, waiting = waiting[0], waiting[1:]
        found.text_hash = key
    for extra in waiting:
        db.session.delete(extra)
    if found is None:
        found = ReadaloudReading(item_id=item.id, org_id=item.org_id, text_hash=key, attempts=0, total=0)
        db.session.add(found)
    found.updated_at = utcnow()  # the current one again (a text changed back finds its audio)
    db.session.flush()
    return found


def make(ctx: JobContext, item_id: int) -> dict:
    item = db.session.get(ContentItem, item_id)
    if item is None:
        return {"skipped": "gone"}
    reading = reading_for(item)
    if reading.status in (READY, EMPTY) or reading.attempts >= MAX_ATTEMPTS:
        db.session.commit()
        return {"skipped": reading.status}
    choice = Choice.for_org(item.org_id)
    parts = spoken_sections(item)
    if not parts:
        reading.status, reading.total, reading.error = EMPTY, 0, _("There is nothing to read aloud.")
        db.session.commit()
        return {"empty": True}
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
        return {"failed": str(failed), "attempts": reading.attempts}
    reading.status = READY
    db.session.commit()
    return {"sections": len(parts)}


def retry(ctx: JobContext) -> dict:
    """Failed readings of the province whose delay has passed are made again (2, then 4 minutes
    after the last attempt; at most MAX_ATTEMPTS in all)."""
    province = ctx.record.province_id
    now = utcnow()
    started = 0
    failed = db.session.scalars(select(ReadaloudReading).where(
        ReadaloudReading.status == FAILED, ReadaloudReading.attempts < MAX_ATTEMPTS,
        ReadaloudReading.org_id.in_(subtree_ids(province))).limit(200)).all()
    for reading in failed:
        if reading.updated_at > now - RETRY_AFTER * 2 ** max(reading.attempts - 1, 0):
            continue
        if current_reading(reading.item_id).id != reading.id:  # the text changed since: not worth it
            continue
        reading.status = QUEUED
        enqueue("readaloud.make", province_id=province, item_id=reading.item_id)
        started += 1
    db.session.commit()
    return {"retried": started}


def forget(reading: ReadaloudReading) -> None:
    """Delete a reading with its sections and their files (in the caller's transaction)."""
    stored = [files.get(fid, "readaloud") for fid in db.session.scalars(
        select(ReadaloudSection.file_id).where(ReadaloudSection.reading_id == reading.id))]
    db.session.execute(delete(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id))
    for found in stored:
        if found is not None:
            files.delete(found)
    db.session.delete(reading)
    db.session.flush()
