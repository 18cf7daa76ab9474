"""The read-aloud plugin's part of the access matrix (tests/security/plugin_parts.py collects this file).

Listening follows reading: whoever may read an item (published to their branch or above, or a
publisher over it) may open its listening page, fetch its audio and keep their place in it; a
family helper keeps a place of their own (as they keep bookmarks). Only a province's
administrators choose the engine, hear a sample, follow the queue and have an item's audio made
again, for items of their province. Another plugin's text (`spoken_text`) is heard by whoever that
plugin lets read it: a published answer's readers."""
from __future__ import annotations

from core.extensions import db
from tests.plugins.feedback.access import ReadsFaq, _faqs
from tests.security.rules import READ, Route, Scoped, Staff
from tests.security.world import Thing

MANAGE = Staff("readaloud.manage", ("admin",), top=True)

RULES = {
    "readaloud.listen": Route(READ),
    "readaloud.audio": Route(READ),
    "readaloud.position": Route(None, post=READ),
    "readaloud.admin": Route(MANAGE),
    "readaloud.sample": Route(MANAGE),
    "readaloud.redo": Route(None, post=Scoped("readaloud.manage", ("admin",), top=True)),
    # another plugin's text (a published answer here): heard by whoever may read it
    "readaloud.say": Route(ReadsFaq()),
}
PARAM_KINDS = {"key": "spoken"}
DERIVED = {"part": lambda item: 0}  # the title's part: every reading has it


def _readings(orgs, staff, users) -> list:
    """A made reading (one part) for every item the matrix placed, so that an allowed listener gets
    the audio and a refused one a 404 for a file that exists."""
    from sqlalchemy import select

    from core import files
    from core.content.models import ContentItem
    from plugins.readaloud.models import READY, ReadaloudReading, ReadaloudSection

    for item in db.session.scalars(select(ContentItem).where(ContentItem.title.like("Tin thử quyền %"))):
        reading = ReadaloudReading(item_id=item.id, org_id=item.org_id, text_hash=f"matrix{item.id}",
                                   status=READY, attempts=1, total=1)
        db.session.add(reading)
        db.session.flush()
        stored = files.save_bytes(b"OggS" + b"\0" * 400, namespace="readaloud", filename="thu-quyen.ogg",
                                  mimetype="audio/ogg")
        db.session.add(ReadaloudSection(reading_id=reading.id, number=0, file_id=stored.id, seconds=1.0))
    db.session.flush()
    return []


def _spoken(orgs, staff, users) -> list:
    """A published answer (feedback's) in every organisation, named by its `spoken_text` key."""
    return [Thing("spoken", f"feedback:faq:{faq.id}", faq.org_id) for faq in _faqs(orgs, staff, users)]


MAKERS = {"readaloud_reading": _readings, "spoken": _spoken}
