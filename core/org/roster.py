"""Who belongs where: the members of an organisation on a date, role holders, and audiences.

A meeting needs the branch's members on the meeting's day with their kind (official members
vote on admissions, probationary ones do not) and status (exempt members are not expected);
dues and study need the same denominators; feedback needs the nearest level above that has
someone to answer; notifications, invitations, contests and tasks address an `Audience`."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import Select, and_, exists, false, or_, select

from core.collation import by_name
from core.extensions import db
from core.localtime import today_local
from core.org.models import (IN_GOOD_STANDING, Member, MemberEvent, MemberKind, MemberStatus,
                             OrgClosure, Organisation, RoleAssignment)

# The status each history event leaves a member in (see core/members/forms.py EVENT_LABELS).
STATUS_AFTER = {"exempt": MemberStatus.EXEMPT.value, "reinstated": MemberStatus.ACTIVE.value,
                "deceased": MemberStatus.DECEASED.value, "removed": MemberStatus.REMOVED.value,
                "expelled": MemberStatus.EXPELLED.value}


@dataclass(frozen=True)
class RosterEntry:
    """A member as they stood on the roster's date."""

    member_id: int
    full_name: str
    org_id: int
    kind: str  # MemberKind value on that date
    status: str  # MemberStatus value on that date
    user_id: int | None  # the member's own account, if they registered one

    @property
    def official(self) -> bool:
        return self.kind == MemberKind.OFFICIAL.value

    @property
    def expected(self) -> bool:
        """Expected at branch activities: in good standing and not exempt."""
        return self.status == MemberStatus.ACTIVE.value


def roster(org_id: int, on: date | None = None, *, subtree: bool = False,
           statuses: tuple[str, ...] = IN_GOOD_STANDING) -> list[RosterEntry]:
    """The members of `org_id` (with `subtree`, of everything under it) on date `on` (today
    when None), whose status that day is one of `statuses`, ordered by name.

    Today's roster is one query. A past date reads the members' history: who was transferred in
    or out since, who became official, who was exempted, removed or died."""
    from core.auth.models import User

    orgs = (select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == org_id) if subtree
            else select(Organisation.id).where(Organisation.id == org_id))
    account = select(User.id).where(User.member_id == Member.id).scalar_subquery()
    if on is None or on >= today_local(None):
        rows = db.session.execute(
            select(Member.id, Member.full_name, Member.org_id, Member.kind, Member.status, account)
            .where(Member.org_id.in_(orgs), Member.status.in_(statuses))
            .order_by(by_name(Member.full_name), Member.id))
        return [RosterEntry(*row) for row in rows]
    wanted = set(db.session.scalars(orgs))
    moved = select(MemberEvent.member_id).where(
        MemberEvent.kind == "transfer", MemberEvent.on_date > on,
        or_(MemberEvent.from_org_id.in_(wanted), MemberEvent.to_org_id.in_(wanted)))
    members = list(db.session.execute(
        select(Member, account).where(or_(Member.org_id.in_(wanted), Member.id.in_(moved)))))
    history: dict[int, list[MemberEvent]] = {}
    for event in db.session.scalars(select(MemberEvent).where(
            MemberEvent.member_id.in_([m.id for m, _u in members]))
            .order_by(MemberEvent.on_date, MemberEvent.id)):
        history.setdefault(event.member_id, []).append(event)
    entries = []
    for member, user_id in members:
        entry = _as_of(member, user_id, history.get(member.id, []), on)
        if entry is not None and entry.org_id in wanted and entry.status in statuses:
            entries.append(entry)
    return sorted(entries, key=lambda e: (e.full_name, e.member_id))


def _as_of(member: Member, user_id: int | None, events: list[MemberEvent], on: date) -> RosterEntry | None:
    """Where and how `member` stood on `on`, replaying their history; None before admission."""
    if member.admission_date and member.admission_date > on:
        return None
    org_id, status = member.org_id, MemberStatus.ACTIVE.value
    later_transfer = next((e for e in events if e.kind == "transfer" and e.on_date > on), None)
    if later_transfer is not None and later_transfer.from_org_id:
        org_id = later_transfer.from_org_id
    known_status = False
    for event in events:
        if event.on_date > on:
            break
        if event.kind in STATUS_AFTER:
            status, known_status = STATUS_AFTER[event.kind], True
    if not known_status and member.status != MemberStatus.ACTIVE.value and not events:
        status = member.status  # imported with a status and no history: the best we know
    official = member.kind == MemberKind.OFFICIAL.value and (
        member.official_date is None or member.official_date <= on)
    kind = MemberKind.OFFICIAL.value if official else MemberKind.PROBATIONARY.value
    return RosterEntry(member.id, member.full_name, org_id, kind, status, user_id)


@dataclass(frozen=True)
class RoleHolder:
    user_id: int
    org_id: int
    role: str


def role_holders(org_id: int, roles: tuple[str, ...] | None = None) -> list[RoleHolder]:
    """Who holds a role (of `roles`, or any) at exactly this organisation."""
    stmt = select(RoleAssignment.user_id, RoleAssignment.org_id, RoleAssignment.role).where(
        RoleAssignment.org_id == org_id)
    if roles:
        stmt = stmt.where(RoleAssignment.role.in_(roles))
    return [RoleHolder(*row) for row in db.session.execute(stmt.order_by(RoleAssignment.id))]


def nearest_with_role(org_id: int, roles: tuple[str, ...], *, include_self: bool = False) -> Organisation | None:
    """The nearest organisation above `org_id` (or itself, with `include_self`) where someone
    holds one of `roles`: where a question or report goes when a level has nobody to take it."""
    depth = OrgClosure.depth >= (0 if include_self else 1)
    stmt = (select(Organisation).join(OrgClosure, OrgClosure.ancestor_id == Organisation.id)
            .where(OrgClosure.descendant_id == org_id, depth, Organisation.active.is_(True),
                   exists().where(RoleAssignment.org_id == Organisation.id, RoleAssignment.role.in_(roles)))
            .order_by(OrgClosure.depth).limit(1))
    return db.session.scalar(stmt)


@dataclass(frozen=True)
class Audience:
    """Who something is addressed to: the members (or, with `roles`, the role holders) of the
    subtrees of `org_ids`, narrowed to member `kinds` and `statuses`, plus `user_ids` by name.

    Plugins store it as JSON (`as_json` / `from_json`) and the core resolves it: `users()` for
    account ids, `members()` for member rows, `includes(user)` for one person."""

    org_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = (MemberStatus.ACTIVE.value,)
    user_ids: tuple[int, ...] = field(default=())

    def as_json(self) -> dict:
        return {k: list(v) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict | None) -> Audience:
        data = data or {}
        return cls(**{k: tuple(data[k]) for k in ("org_ids", "roles", "kinds", "statuses", "user_ids")
                      if k in data})

    @property
    def whole_subtrees(self) -> bool:
        """Every member in good standing of the subtrees, nobody else: one notification row per
        organisation reaches them (core.notify), with no list of people."""
        return (not self.roles and not self.kinds and not self.user_ids
                and set(self.statuses) >= set(IN_GOOD_STANDING))

    def _orgs(self):
        return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(self.org_ids))

    def member_condition(self):
        """A condition on `Member` for the members it addresses (not role holders)."""
        if self.roles or not self.org_ids:
            return false()
        parts = [Member.org_id.in_(self._orgs())]
        if self.kinds:
            parts.append(Member.kind.in_(self.kinds))
        if self.statuses:
            parts.append(Member.status.in_(self.statuses))
        return and_(*parts)

    def members(self) -> Select:
        """The statement of the member rows addressed (without role holders or named people)."""
        return select(Member).where(self.member_condition())

    def users(self) -> Select:
        """The statement of every account id addressed: members' own accounts (never family
        helpers'), role holders, and the named people."""
        from core.auth.models import User

        parts = []
        if self.org_ids and self.roles:
            parts.append(select(RoleAssignment.user_id).where(
                RoleAssignment.org_id.in_(self._orgs()), RoleAssignment.role.in_(self.roles)))
        elif self.org_ids:
            parts.append(select(User.id).join(Member, Member.id == User.member_id)
                         .where(self.member_condition(), User.is_enabled.is_(True)))
        if self.user_ids:
            parts.append(select(User.id).where(User.id.in_(self.user_ids)))
        if not parts:
            return select(User.id).where(false())
        union = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
        return select(union.subquery().c[0])

    def includes(self, user) -> bool:
        """Is `user` addressed? One query."""
        if user is None or not getattr(user, "is_authenticated", False) or user.is_helper:
            return False
        if user.id in self.user_ids:
            return True
        if not self.org_ids:
            return False
        if self.roles:
            return bool(db.session.scalar(select(exists().where(
                RoleAssignment.user_id == user.id, RoleAssignment.role.in_(self.roles),
                RoleAssignment.org_id.in_(self._orgs())))))
        if user.member_id is None:
            return False
        return bool(db.session.scalar(select(exists().where(
            Member.id == user.member_id, self.member_condition()))))

