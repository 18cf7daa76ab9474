"""A member's lifecycle, the same for the forms, the import and its undo: status changes and
transfers, with their history, their effect on the accounts, and the event plugins hear.

A member who leaves the Party (deceased, removed, expelled) can no longer sign in: their account
and their family helpers' are disabled, every session ends, waiting password requests close;
coming back re-enables them. A transfer takes waiting password requests to the new branch, so
the old branch's secretary cannot answer them. The callers commit, then call `announce`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from core.audit import audit
from core.auth.models import ResetRequest, User
from core.auth.sessions import end_all_sessions
from core.events import MemberChanged, emit
from core.extensions import db
from core.org.models import Member, MemberEvent, MemberKind, MemberStatus

# Password requests still waiting for the secretary (a code, or a new one).
PENDING = ("open", "code_issued", "expired")
LEAVING = {"deceased": MemberStatus.DECEASED, "removed": MemberStatus.REMOVED,
           "expelled": MemberStatus.EXPELLED}
# The event that reaching each status records (the vocabulary of member management).
STATUS_EVENTS = {MemberStatus.ACTIVE.value: "reinstated", MemberStatus.EXEMPT.value: "exempt",
                 MemberStatus.DECEASED.value: "deceased", MemberStatus.REMOVED.value: "removed",
                 MemberStatus.EXPELLED.value: "expelled"}


class MemberError(ValueError):
    """A change refused for a reason shown on the form's `field`."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Change:
    """One change of the lifecycle, as plugins hear of it after the commit."""

    member_id: int
    province_id: int | None
    change: str
    on_date: date | None = None
    from_org_id: int | None = None
    to_org_id: int | None = None


def allowed_actions(member: Member) -> list[str]:
    """The status changes that make sense from where the member stands."""
    if not member.in_good_standing:
        return ["reinstated"]
    actions = ["official"] if member.kind == MemberKind.PROBATIONARY.value else []
    actions.append("reinstated" if member.status == MemberStatus.EXEMPT.value else "exempt")
    return actions + list(LEAVING)


def change_status(member: Member, action: str, on_date: date, note: str | None, by_user_id: int) -> Change:
    """A status change from the form: only the ones that make sense, dated after admission."""
    if action not in allowed_actions(member):
        raise MemberError("action", _("This change is not possible for this member."))
    check_date(member, on_date)
    if action == "official":
        member.kind, member.official_date = MemberKind.OFFICIAL.value, on_date
        _event(member, action, on_date, by_user_id, note=note, value=member.status)
        audit("member.status", f"member:{member.id}", change=action)
        return Change(member.id, member.org.province_id, action, on_date)
    status = LEAVING[action].value if action in LEAVING else (
        MemberStatus.EXEMPT.value if action == "exempt" else MemberStatus.ACTIVE.value)
    return set_status(member, status, on_date, note, by_user_id)


def set_status(member: Member, status: str, on_date: date, note: str | None,
               by_user_id: int | None) -> Change:
    """Bring the member to `status` (as a form, an import or an undo says), with what follows."""
    was_current = member.in_good_standing
    member.status = status
    action = STATUS_EVENTS[status]
    _event(member, action, on_date, by_user_id, note=note, value=status)
    if not member.in_good_standing:
        close_accounts(member)
    elif not was_current:
        _set_accounts_enabled(member, True)
    audit("member.status", f"member:{member.id}", user_id=by_user_id, change=action)
    return Change(member.id, member.org.province_id, action, on_date)


def transfer(member: Member, to_org_id: int, on_date: date, note: str | None,
             by_user_id: int | None) -> Change:
    """Move a member's Party activities to another branch (chuyển sinh hoạt đảng)."""
    if to_org_id == member.org_id:
        raise MemberError("to_org", _("The member is already in this branch."))
    check_date(member, on_date)
    from_org_id = member.org_id
    _event(member, "transfer", on_date, by_user_id, note=note, from_org_id=from_org_id,
           to_org_id=to_org_id)
    # A password request waiting for a code goes to the new branch's secretary.
    db.session.execute(update(ResetRequest).where(
        ResetRequest.member_id == member.id, ResetRequest.status.in_(PENDING))
        .values(org_id=to_org_id))
    audit("member.transferred", f"member:{member.id}", user_id=by_user_id, from_org=from_org_id,
          to_org=to_org_id)
    member.org_id = to_org_id
    return Change(member.id, member.org.province_id, "transferred", on_date, from_org_id, to_org_id)


def check_date(member: Member, on_date: date) -> None:
    if member.admission_date and on_date < member.admission_date:
        raise MemberError("on_date", _("This date is before the member's admission (%(date)s).",
                                       date=member.admission_date.strftime("%d/%m/%Y")))


def close_accounts(member: Member) -> None:
    """Disable the member's account and their family helpers', end every session, drop requests."""
    _set_accounts_enabled(member, False)
    db.session.execute(update(ResetRequest).where(
        ResetRequest.member_id == member.id, ResetRequest.status.in_(PENDING))
        .values(status="closed"))


def _set_accounts_enabled(member: Member, enabled: bool) -> None:
    users = db.session.scalars(select(User).where(or_(User.member_id == member.id,
                                                      User.helped_member_id == member.id)))
    for user in users:
        user.is_enabled = enabled
        if not enabled:
            end_all_sessions(user.id)


def _event(member: Member, kind: str, on_date: date, by_user_id: int | None, **extra) -> None:
    db.session.add(MemberEvent(member_id=member.id, kind=kind, on_date=on_date,
                               by_user_id=by_user_id, **extra))


def announce(changes: list[Change], actor_id: int | None) -> None:
    """Tell the plugins, after the commit, of each change."""
    for change in changes:
        emit(MemberChanged(change.province_id, actor_id, change.member_id, change.change,
                           from_org_id=change.from_org_id, to_org_id=change.to_org_id,
                           on_date=change.on_date))
