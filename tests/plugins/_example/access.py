"""The example plugin's part of the access matrix: a branch's notes, read by its members and by
staff above, tidied by its secretary (tests/security/plugin_parts.py collects this file)."""
from __future__ import annotations

from core.extensions import db
from tests.security.rules import Home, Route, Scoped, Writes
from tests.security.world import Thing

READ = Home() | Scoped("_example.manage")

RULES = {
    "_example.index": Route(READ, post=READ & Writes(), query={"org": "org"}),
    "_example.note": Route(READ),
    "_example.archive": Route(None, post=Scoped("_example.manage"), query={"org": "org"}),
}
PARAM_KINDS = {"note_id": "note"}
TAGS = {"note"}
HIDDEN_BELOW = {"note"}


def _notes(orgs, staff, users) -> list[Thing]:
    from plugins._example.models import ExampleNote

    found = []
    for org in orgs.values():
        note = ExampleNote(org_id=org.id, author_id=staff[org.id], text=f"Ghi chú thử quyền note #{org.id}")
        db.session.add(note)
        db.session.flush()
        found.append(Thing("note", note.id, org.id))
    return found


MAKERS = {"note": _notes}
