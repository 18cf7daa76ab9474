"""Access-matrix rules of the meetings plugin: planning and the upper levels' overview (see
access.py). A branch's staff plan its next meeting; administrators oversee the branches below
them (meetings.oversee), never a branch beside or above, nor another province's."""
from __future__ import annotations

from datetime import datetime, timedelta

from core.extensions import db
from tests.security.rules import ADMINS, Route, Scoped
from tests.security.world import Thing

OVERSEE = Scoped("meetings.oversee", ADMINS)

RULES = {
    "meetings_overview.plan": Route(Scoped("meetings.manage"), query={"org": "branch"}),
    "meetings_overview.plans": Route(OVERSEE, query={"org": "org"}),
    "meetings_overview.remind_plans": Route(None, post=OVERSEE, query={"org": "org"}),
    "meetings_overview.index": Route(OVERSEE, query={"org": "org"}),
    "meetings_overview.remind_branches": Route(None, post=OVERSEE, form={"branch": "branch"}),
    "meetings_overview.branch": Route(OVERSEE),
}
PARAM_KINDS = {"branch_id": "branch"}
TAGS = {"plan"}
HIDDEN_BELOW = {"plan"}


def _plans(orgs, staff, users) -> list[Thing]:
    """Next month's planned meeting in every branch, its topic carrying the marker."""
    from plugins.meetings.models import Meeting

    found = []
    soon = datetime.utcnow().replace(day=15, hour=1) + timedelta(days=31)
    for org in orgs.values():
        if org.level != "branch":
            continue
        meeting = Meeting(org_id=org.id, status="planned", kind="regular", title="Sinh hoạt tháng sau",
                          topic=f"Nội dung thử quyền plan #{org.id}", starts_at=soon,
                          created_by_id=staff.get(org.id))
        db.session.add(meeting)
        db.session.flush()
        found.append(Thing("plan", meeting.id, org.id))
    return found


MAKERS = {"plan": _plans}
