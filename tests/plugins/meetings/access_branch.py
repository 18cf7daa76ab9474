"""Access-matrix rules of the meetings plugin: the branch pages (see access.py).

A meeting is read by the members of its branch (and their family helpers) once invited, and by
staff over it; prepared and invited by staff holding meetings.manage over its branch. Answering
and commenting are for its invitees, who are members (administrators above hold no member
record), never for a family helper."""
from __future__ import annotations

from core.extensions import db
from tests.security.rules import Home, Route, Rule, Scoped, Writes
from tests.security.world import Thing

MANAGE = Scoped("meetings.manage")
READ = Home() | MANAGE
# The demo roles that are members of the organisation they work in (the secretaries are
# members of their branch; administrators above and family helpers are not).
MEMBERS = {"member", "member_other_branch", "secretary", "secretary_other_branch"}


class Invitee(Rule):
    """A participant of a meeting of their own branch: a member, acting for themselves."""

    def allows(self, case):
        return case.role in MEMBERS and case.relation in (None, "same")


RULES = {
    "meetings.index": Route(READ, query={"org": "org"}),
    "meetings.new": Route(MANAGE, post=MANAGE & Writes(), query={"org": "org"}),
    "meetings.show": Route(READ),
    "meetings.edit": Route(MANAGE, post=MANAGE & Writes()),
    "meetings.send_invitation": Route(None, post=MANAGE & Writes()),
    "meetings.materials": Route(MANAGE, post=MANAGE & Writes()),
    "meetings.material": Route(READ),
    "meetings.remove_material": Route(None, post=MANAGE & Writes(), last=True),
    "meetings.rsvp": Route(None, post=Invitee()),
    "meetings.comment": Route(None, post=Invitee()),
}
PARAM_KINDS = {"meeting_id": "meeting"}
DERIVED = {"file_id": lambda first: first.extra["material"]}  # the meeting's own material
TAGS = {"meeting"}
HIDDEN_BELOW = {"meeting"}


def _materials(meetings: list[Thing]) -> None:
    """Extends the shared "meeting" maker (access_hall.py): an ordinary material per meeting."""
    from core.api import files
    from plugins.meetings.models import MeetingFile

    for thing in meetings:
        stored = files.save_bytes(b"%PDF-1.4 thu quyen", namespace="meetings", filename="tai-lieu.pdf",
                                  mimetype="application/pdf")
        material = MeetingFile(meeting_id=thing.id, title=f"Tài liệu thử quyền meeting #{thing.org_id}",
                               file_id=stored.id)
        db.session.add(material)
        db.session.flush()
        thing.extra["material"] = material.id


EXTEND = {"meeting": _materials}
