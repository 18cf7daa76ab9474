"""Access-matrix rules of the meetings plugin: the hall pages (see access.py).

The secretary (and the levels above, who manage their branches) takes attendance and shows the
check-in code; a member checks in only at a meeting of their own branch they were invited to,
never a family helper (who reads, never acts) and never an administrator without a member
record. The "meeting" maker places, in every organisation, a meeting held today with its
participants (today's roster), as the invitation leaves it: the branch and overview parts use
the same objects (`meeting_id`)."""
from __future__ import annotations

from datetime import datetime

from core.extensions import db
from tests.security.rules import Home, Rule, Route, Scoped
from tests.security.world import Thing

MANAGE = Scoped("meetings.manage")
MEMBERS = {"member", "secretary", "secretary_other_branch", "member_other_branch"}  # have a member record


class Invited(Rule):
    """A participant of the meeting: a member of its branch, acting for themselves."""

    def allows(self, case):
        return case.role in MEMBERS and case.relation == "same"


RULES = {
    "meetings_hall.attendance": Route(MANAGE),
    "meetings_hall.checkin_code": Route(None, post=MANAGE),
    "meetings_hall.checkin": Route(Invited(), post=Invited()),
    "meetings_hall.votes": Route(Home() | MANAGE),
    "meetings_hall.open_vote": Route(None, post=MANAGE),
    "meetings_hall.ballot": Route(None, post=Invited()),
    "meetings_hall.count_hands": Route(None, post=MANAGE),
    "meetings_hall.close_vote": Route(None, post=MANAGE, last=True),
    "meetings_hall.results": Route(MANAGE),
    "meetings_hall.issue": Route(None, post=MANAGE),
    "meetings_hall.rating": Route(Invited() | MANAGE, post=Invited()),
    "meetings_hall.minutes": Route(MANAGE),
    "meetings_hall.minutes_file": Route(Invited() | MANAGE),
    "meetings_hall.report": Route(None, post=MANAGE, last=True),
}
PARAM_KINDS = {"meeting_id": "meeting"}
DERIVED = {"vote_id": lambda meeting: meeting.extra["vote"],  # the meeting's own matter
           "page_id": lambda meeting: meeting.extra["minutes"]}  # a page of its minutes
TAGS = {"meeting"}
HIDDEN_BELOW = {"meeting"}


def _meetings(orgs, staff, users) -> list[Thing]:
    from core.localtime import local_to_utc, today_local
    from core.org.roster import roster
    from core import files
    from plugins.meetings.models import Meeting, MeetingFile, Participant, Vote
    from tests.security.world import PDF

    found = []
    for org in orgs.values():
        starts = local_to_utc(datetime.combine(today_local(org.province_id), datetime.min.time())
                              .replace(hour=8), org.province_id)
        meeting = Meeting(org_id=org.id, title=f"Sinh hoạt chi bộ thử quyền meeting #{org.id}",
                          starts_at=starts, status="invited", created_by_id=staff.get(org.id))
        db.session.add(meeting)
        db.session.flush()
        for entry in roster(org.id):
            db.session.add(Participant(meeting_id=meeting.id, member_id=entry.member_id,
                                       full_name=entry.full_name, member_kind=entry.kind,
                                       member_status=entry.status))
        vote = Vote(meeting_id=meeting.id, question=f"Biểu quyết thử quyền meeting #{org.id}",
                    method="phones", opened_at=meeting.starts_at)
        db.session.add(vote)
        db.session.flush()
        stored = files.save_bytes(PDF, namespace="meetings", filename="bien-ban.pdf", mimetype="application/pdf")
        page = MeetingFile(meeting_id=meeting.id, role="minutes", title=f"Biên bản thử quyền meeting #{org.id}",
                           file_id=stored.id)
        db.session.add(page)
        db.session.flush()
        found.append(Thing("meeting", meeting.id, org.id, extra={"vote": vote.id, "minutes": page.id}))
    return found


MAKERS = {"meeting": _meetings}
