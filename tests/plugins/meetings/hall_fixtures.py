"""Helpers for the hall tests: a meeting of a branch with its participants (the roster snapshot
the invitation takes), and extra members to make a 60-member branch."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from core.api import Member, Organisation, db, local_to_utc, roster, today_local, utcnow
from plugins.meetings.models import Meeting, Participant


def org_id_of(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def make_meeting(app, org_id: int, *, days_from_today: int = 0, status: str = "invited",
                 title: str = "Sinh hoạt chi bộ thường kỳ", hour: int = 8, rsvp: dict | None = None,
                 **fields) -> int:
    """A meeting of `org_id` on a day relative to the province's today, invited (participants
    taken from today's roster). `rsvp`: {member_id: ("yes"|"no", reason)}."""
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        day = today_local(org.province_id) + timedelta(days=days_from_today)
        starts = local_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hour), org.province_id)
        meeting = Meeting(org_id=org_id, title=title, starts_at=starts, status=status,
                          invited_at=utcnow() if status != "planned" else None, **fields)
        db.session.add(meeting)
        db.session.flush()
        if status != "planned":
            for entry in roster(org_id):
                answer = (rsvp or {}).get(entry.member_id)
                db.session.add(Participant(
                    meeting_id=meeting.id, member_id=entry.member_id, full_name=entry.full_name,
                    member_kind=entry.kind, member_status=entry.status,
                    rsvp=answer[0] if answer else None, rsvp_reason=answer[1] if answer else None))
        db.session.commit()
        return meeting.id


def participants(app, meeting_id: int) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id)
                                  .order_by(Participant.full_name, Participant.id))
        return [{"id": p.id, "member_id": p.member_id, "name": p.full_name, "kind": p.member_kind,
                 "status": p.member_status, "presence": p.presence, "reason": p.absence_reason}
                for p in rows]


def meeting_row(app, meeting_id: int) -> dict:
    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        return {c.name: getattr(m, c.name) for c in Meeting.__table__.columns}


def member_id_of(app, login: str) -> int:
    from core.api import User

    with app.app_context():
        return db.session.scalar(select(User.member_id).where(User.login == login))


def fill_branch(app, org_id: int, size: int = 60) -> None:
    """Add members to `org_id` until it has `size` in good standing (long Vietnamese names)."""
    with app.app_context():
        have = len(roster(org_id))
        today = today_local(None)
        for n in range(size - have):
            db.session.add(Member(org_id=org_id, full_name=f"Nguyễn Thị Phương Thảo {n:02d}",
                                  kind="official", status="active", gender="female",
                                  birth_date=today - timedelta(days=40 * 365),
                                  admission_date=today - timedelta(days=10 * 365),
                                  official_date=today - timedelta(days=9 * 365)))
        db.session.commit()
