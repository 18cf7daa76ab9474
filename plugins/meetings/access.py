"""Who may see and change a meeting, in one place for every page of the plugin.

Staff (the branch secretary, administrators above) reach a meeting through `meetings.manage`
over their subtree; upper levels read through `meetings.oversee`. A member reaches a meeting of
their own branch (`home_of`), and its confidential materials only when they are among its
participants. Family helpers read what their member may read, except confidential materials
and anything that acts in the member's name (answering, voting, rating, checking in)."""
from __future__ import annotations

from sqlalchemy import select

from core.api import can, db, get_scoped, home_of, is_id, refuse, scope_ids
from plugins.meetings.models import Meeting, Participant

MANAGE = "meetings.manage"  # create, invite, take attendance, record votes and minutes
OVERSEE = "meetings.oversee"  # see the branches below meet, remind them


def managed_meeting(meeting_id: int, user) -> Meeting:
    """A meeting the user runs or manages from above (404 otherwise)."""
    return get_scoped(Meeting, meeting_id, user, MANAGE)


def readable_meeting(meeting_id: int, user) -> Meeting:
    """A meeting of the user's own branch, or one the user manages or oversees (404 otherwise).
    A planned meeting (date and topic only) is not shown to members yet."""
    if not is_id(meeting_id):
        refuse(f"meetings_meeting:{meeting_id}")
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        refuse(f"meetings_meeting:{meeting_id}")
    if can(user, MANAGE, meeting.org_id) or can(user, OVERSEE, meeting.org_id):
        return meeting
    if meeting.org_id == home_of(user) and meeting.status != "planned":
        return meeting
    refuse(f"meetings_meeting:{meeting_id}")


def own_member_id(user) -> int | None:
    """The member the user is (None for a family helper, who never acts in the member's name)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_helper:
        return None
    return user.member_id


def participant_of(meeting: Meeting, user) -> Participant | None:
    """The user's own place among the meeting's participants, if invited."""
    member_id = own_member_id(user)
    if member_id is None:
        return None
    return db.session.scalar(select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.member_id == member_id))


def may_read_confidential(meeting: Meeting, user) -> bool:
    """Confidential materials: only the meeting's invitees (never a helper) and its managers."""
    return can(user, MANAGE, meeting.org_id) or participant_of(meeting, user) is not None


def managed_meetings(user):
    """The statement of every meeting in the user's MANAGE scope (add filters and an order)."""
    return select(Meeting).where(Meeting.org_id.in_(scope_ids(user, MANAGE)))

