"""The organiser picks a contest's contestants one by one: members with their own account under
the organising organisation, found by name (the core's member search), never anyone else —
an id sent from outside that subtree is not offered, so the form refuses it."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from core.api import IN_GOOD_STANDING, Member, Organisation, User, db, member_name_matches, subtree_ids

FOUND_MAX = 20  # names shown for one search: type more of the name to narrow it
CHOSEN_MAX = 500


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    branch: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.branch})"


def _under(org_id: int):
    return (select(User.id, Member.full_name, Organisation.name)
            .join(Member, Member.id == User.member_id).join(Organisation, Organisation.id == Member.org_id)
            .where(Member.org_id.in_(subtree_ids(org_id)), Member.status.in_(IN_GOOD_STANDING),
                   User.is_enabled.is_(True), User.helped_member_id.is_(None)))


def found(org_id: int, text: str, leave_out=()) -> tuple[list[Person], bool]:
    """Up to FOUND_MAX people under `org_id` whose name matches `text`; True if there are more."""
    text = " ".join((text or "").split())[:100]
    if len(text) < 2:
        return [], False
    stmt = _under(org_id).where(member_name_matches(text))
    if leave_out:
        stmt = stmt.where(User.id.not_in(list(leave_out)))
    rows = db.session.execute(stmt.order_by(Member.full_name, User.id).limit(FOUND_MAX + 1)).all()
    return [Person(*row) for row in rows[:FOUND_MAX]], len(rows) > FOUND_MAX


def chosen(org_id: int, user_ids) -> list[Person]:
    """Those of `user_ids` who are under `org_id` (the others are simply not offered)."""
    ids = sorted({i for i in user_ids or () if isinstance(i, int)})[:CHOSEN_MAX]
    if not ids:
        return []
    rows = db.session.execute(_under(org_id).where(User.id.in_(ids)).order_by(Member.full_name, User.id)).all()
    return [Person(*row) for row in rows]
