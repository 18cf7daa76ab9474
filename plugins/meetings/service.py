"""What the meeting's pages share beyond access: sending (and refreshing) the invitation.

`invite(meeting)` snapshots the branch's roster into Participant rows. Helper pages of the hall
and the overview call it too (a planned meeting invited from the plan, for instance)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from core.api import (MemberStatus, Organisation, db, notify, roster, to_local, today_local,
                      utcnow)
from plugins.meetings.models import FileRole, Meeting, MeetingFile, MeetingStatus, Participant

INVITATION = "meetings.invitation"
CONFIDENTIAL = "meetings.confidential"  # required: a member cannot turn it off


@dataclass(frozen=True)
class Invited:
    """What an invitation (or its refresh) did."""

    added: int  # new participants (each told in their inbox, if they have an account)
    dropped: int  # no longer on the roster, with nothing recorded yet
    total: int  # participants now


def is_ahead(meeting: Meeting) -> bool:
    """Still to come: no attendance recorded yet and its time not passed."""
    return meeting.recorded_at is None and meeting.starts_at > utcnow()


def has_confidential(meeting: Meeting) -> bool:
    return db.session.scalar(select(MeetingFile.id).where(
        MeetingFile.meeting_id == meeting.id, MeetingFile.role == FileRole.MATERIAL.value,
        MeetingFile.confidential.is_(True)).limit(1)) is not None


def meeting_url(meeting: Meeting) -> str:
    """The meeting's page (also outside a request: the demo seed, a job)."""
    try:
        return url_for("meetings.show", meeting_id=meeting.id)
    except RuntimeError:
        return f"/meetings/{meeting.id}"


def _has_record(participant: Participant) -> bool:
    return (participant.rsvp is not None or participant.presence is not None
            or participant.checked_in_at is not None)


def invite(meeting: Meeting, *, tell: bool = True) -> Invited:
    """Send the meeting's invitation: the branch's members (in good standing) become its
    participants, as they stand on the roster, and each is told in their inbox.

    Called again while the meeting is ahead, it refreshes the list: members who joined the
    branch are added (and told), those who left it (transferred, removed, deceased) are dropped
    unless something is already recorded for them (an answer, a presence); nobody is told twice.
    Once the meeting has taken place the list is a record and stays as it is. With `tell`
    False nobody is notified (a meeting entered after the fact, the demo's past meetings).
    The caller commits."""
    if meeting.status in (MeetingStatus.CANCELLED.value,):
        raise ValueError("a cancelled meeting is not invited")
    province_id = db.session.scalar(select(Organisation.province_id).where(Organisation.id == meeting.org_id))
    current = {p.member_id: p for p in db.session.scalars(
        select(Participant).where(Participant.meeting_id == meeting.id))}
    if meeting.recorded_at is not None:  # taken place: the list is the record
        return Invited(0, 0, len(current))
    day = to_local(meeting.starts_at, province_id).date()
    entries = roster(meeting.org_id, on=day if day < today_local(province_id) else None)
    on_roster = {entry.member_id: entry for entry in entries}
    added, dropped = [], 0
    for member_id, participant in list(current.items()):
        entry = on_roster.get(member_id)
        if entry is None:
            if not _has_record(participant):
                db.session.delete(participant)
                del current[member_id]
                dropped += 1
            continue
        participant.full_name, participant.member_kind = entry.full_name, entry.kind
        participant.member_status = entry.status
    for entry in entries:
        if entry.member_id not in current:
            participant = Participant(meeting_id=meeting.id, member_id=entry.member_id,
                                      full_name=entry.full_name, member_kind=entry.kind,
                                      member_status=entry.status)
            db.session.add(participant)
            current[entry.member_id] = participant
            added.append(entry)
    if meeting.status == MeetingStatus.PLANNED.value:
        meeting.status = MeetingStatus.INVITED.value
    if meeting.invited_at is None:
        meeting.invited_at = utcnow()
    meeting.expected_count = sum(1 for p in current.values() if p.member_status == MemberStatus.ACTIVE.value)
    if tell:
        _tell(meeting, province_id, [e for e in added if e.user_id is not None])
    db.session.flush()
    return Invited(len(added), dropped, len(current))


def _tell(meeting: Meeting, province_id: int | None, entries) -> None:
    """One inbox notice per participant with an account; the key makes a refresh tell only
    the newcomers."""
    when = to_local(meeting.starts_at, province_id)
    title = _("Invitation: %(title)s", title=meeting.title)
    body = _("%(time)s on %(day)s, at %(place)s.", time=when.strftime("%H:%M"),
             day=when.strftime("%d/%m/%Y"), place=meeting.place or meeting.online_url or "")
    kind = INVITATION
    if has_confidential(meeting):
        body += " " + _("Some materials are confidential: read them only in the app.")
        kind = CONFIDENTIAL
    url = meeting_url(meeting)
    for entry in entries:
        notify(kind, title, url=url, body=body, user_id=entry.user_id,
               dedupe_key=f"meetings.invite:{meeting.id}:{entry.member_id}")
