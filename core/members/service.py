"""Member management behind the secretary's pages: scoped queries, the changes, their history.

Every query starts from core.org.scope.scope_ids; the callers commit, then call `announce`."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from core.audit import audit
from core.auth.accounts import issue_code, normalise_login
from core.auth.models import ResetRequest, User, UserSession
from core.collation import by_name
from core.extensions import db
from core.localtime import today_local
from core.members.lifecycle import PENDING, Change, MemberError
from core.org.models import Level, Member, MemberEvent, MemberKind, MemberStatus, Organisation, utcnow
from core.org.scope import can, granted_org_ids, scope_ids
from core.org.tree import ancestor_ids, name_matches, subtree_ids

CURRENT = (MemberStatus.ACTIVE.value, MemberStatus.EXEMPT.value)
ACTIVE_DAYS = 30
# A select longer than this would outgrow a phone's page budget: narrow it first.
CHOICE_LIMIT = 200
# Branches to pick from (radio buttons on the transfer page): beyond these, one finds them by name.
BRANCH_CHOICE_LIMIT = 60
LEVEL_ORDER = [level.value for level in Level]


# --- what the list shows ---------------------------------------------------------------------

@dataclass
class MemberFilter:
    """The list's filters, read from the query string; unknown values are ignored."""

    org: int | None = None
    status: str = ""  # "": members in good standing; "all"; or one MemberStatus value
    kind: str = ""
    account: str = ""  # "yes" / "no": has registered an account
    used: str = ""  # "yes" / "no": used the app in the last 30 days
    q: str = ""

    @classmethod
    def from_args(cls, args) -> MemberFilter:
        def choose(name: str, allowed) -> str:
            return args.get(name, "") if args.get(name, "") in allowed else ""

        return cls(org=args.get("org", type=int),
                   status=choose("status", {"all", *(s.value for s in MemberStatus)}),
                   kind=choose("kind", {k.value for k in MemberKind}),
                   account=choose("account", {"yes", "no"}), used=choose("used", {"yes", "no"}),
                   q=" ".join(args.get("q", "").split())[:100])

    def as_args(self) -> dict:
        """The filters worth keeping in a link (the pager's, the add form's)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class Overview:
    """The secretary's figures: members in good standing, with an account, using the app."""

    members: int
    registered: int
    active: int


@dataclass(frozen=True)
class AccountState:
    registered: bool
    enabled: bool
    last_used: datetime | None

    @property
    def used_recently(self) -> bool:
        return bool(self.last_used and self.last_used >= _cutoff())


def _cutoff() -> datetime:
    return utcnow() - timedelta(days=ACTIVE_DAYS)


def used_since(cutoff: datetime):
    """A condition on User: signed in or used the app since `cutoff`."""
    # A session row is touched on use even when user.last_seen_at is not (a short first visit).
    # Not correlated: the database hashes the few recent sessions once, not once per member.
    return or_(User.last_seen_at >= cutoff, User.id.in_(
        select(UserSession.user_id).where(UserSession.last_seen_at >= cutoff)))


def _has_account():
    return exists().where(User.member_id == Member.id, User.password_hash.is_not(None))


def _used_app():
    return exists().where(User.member_id == Member.id, used_since(_cutoff()))


def _within(user, org_id: int | None):
    """Members of the user's scope, or of one organisation's subtree (already checked)."""
    if org_id:
        return Member.org_id.in_(subtree_ids(org_id))
    return Member.org_id.in_(scope_ids(user, "members.view"))


def list_members(user, flt: MemberFilter):
    """The statement for one filtered, ordered list of members the user may see."""
    stmt = select(Member).where(_within(user, flt.org)).options(selectinload(Member.org))
    if flt.status == "":
        stmt = stmt.where(Member.status.in_(CURRENT))
    elif flt.status != "all":
        stmt = stmt.where(Member.status == flt.status)
    if flt.kind:
        stmt = stmt.where(Member.kind == flt.kind)
    if flt.account:
        stmt = stmt.where(_has_account() if flt.account == "yes" else ~_has_account())
    if flt.used:
        stmt = stmt.where(_used_app() if flt.used == "yes" else ~_used_app())
    order = [by_name(Member.full_name), Member.id]
    if flt.q:
        wide, exact = search_condition(flt.q)
        stmt = stmt.where(wide)
        order.insert(0, case((exact, 0), else_=1))  # exact spellings before loose matches
    return stmt.order_by(*order)


def search_condition(text: str):
    """(condition, exact condition) for a name, card number or phone as people type it.

    SQLite folds only ASCII case, so the usual spellings of a Vietnamese name are tried; a query
    typed without diacritics ("nguyen van an") also matches loosely, letters standing for vowels."""
    text = unicodedata.normalize("NFC", text)
    exact = [Member.full_name.contains(v, autoescape=True)
             for v in {text, text.lower(), text.title(), text.upper()}]
    exact.append(func.lower(Member.full_name).contains(text.lower(), autoescape=True))
    number = normalise_login(text)
    if number.isdigit():
        exact += [Member.card_number.contains(number), Member.phone.contains(number)]
    exact_condition = or_(*exact)
    plain = text.lower()
    if re.fullmatch(r"[a-z ]{3,}", plain):
        loose = "%" + re.sub(r"[aeiouyd]", "_", plain) + "%"
        return or_(exact_condition, func.lower(Member.full_name).like(loose)), exact_condition
    return exact_condition, exact_condition


def member_name_matches(text: str):
    """The condition on `Member` for a name, card number or phone as people type it: the members
    list's own search (loose matches included), for a plugin that picks people by name."""
    return search_condition(text)[0]


def overview(user, org_id: int | None) -> Overview:
    """Counts over members in good standing: one query, whatever the scope's size."""
    registered = case((User.password_hash.is_not(None), 1))
    active = case((used_since(_cutoff()), 1))
    row = db.session.execute(
        select(func.count(Member.id), func.count(registered), func.count(active))
        .select_from(Member).outerjoin(User, User.member_id == Member.id)
        .where(_within(user, org_id), Member.status.in_(CURRENT))).one()
    return Overview(*row)


def account_states(member_ids: list[int]) -> dict[int, AccountState]:
    """The account of each member who has one: registered, enabled, last use of the app."""
    if not member_ids:
        return {}
    last_session = (select(func.max(UserSession.last_seen_at)).where(UserSession.user_id == User.id)
                    .scalar_subquery())
    rows = db.session.execute(select(User.member_id, User.password_hash.is_not(None), User.is_enabled,
                                     User.last_seen_at, last_session)
                              .where(User.member_id.in_(member_ids)))
    return {member_id: AccountState(bool(registered), bool(enabled),
                                    max((t for t in (seen, session_seen) if t), default=None))
            for member_id, registered, enabled, seen, session_seen in rows}


def org_options(user, selected: int | None) -> list[Organisation]:
    """Organisations to filter by: the user's own, the path to the chosen one and its children."""
    visible = scope_ids(user, "members.view")
    path = set(granted_org_ids(user, "members.view"))
    if selected:
        path |= set(db.session.scalars(select(Organisation.id).where(
            Organisation.id.in_(ancestor_ids(selected)), Organisation.id.in_(visible))))
    stmt = (select(Organisation).where(or_(Organisation.id.in_(path), Organisation.parent_id.in_(path)),
                                       Organisation.id.in_(visible),
                                       Organisation.active.is_(True)).limit(CHOICE_LIMIT))
    return sorted(db.session.scalars(stmt), key=lambda o: (LEVEL_ORDER.index(o.level), o.name))


def branch_choices(user, permission: str, *, under: int | None = None, q: str = "",
                   exclude: int | None = None) -> tuple[list[tuple[int, str]], bool]:
    """Branches in the user's scope for `permission`, labelled with the level above.

    Returns (choices, more): `more` when there were too many to list."""
    stmt = (select(Organisation).where(Organisation.id.in_(scope_ids(user, permission)),
                                       Organisation.level == Level.BRANCH.value,
                                       Organisation.active.is_(True))
            .options(selectinload(Organisation.parent)).order_by(by_name(Organisation.name), Organisation.id))
    if under:
        stmt = stmt.where(Organisation.id.in_(subtree_ids(under)))
    if exclude:
        stmt = stmt.where(Organisation.id != exclude)
    if q:
        stmt = stmt.where(name_matches(q))
    orgs = list(db.session.scalars(stmt.limit(BRANCH_CHOICE_LIMIT + 1)))
    labels = [(o.id, f"{o.name} — {o.parent.name}" if o.parent else o.name) for o in orgs]
    return labels[:BRANCH_CHOICE_LIMIT], len(orgs) > BRANCH_CHOICE_LIMIT


# --- the changes -----------------------------------------------------------------------------

@dataclass
class MemberRecord:
    """What the add and edit forms hold about a member."""

    full_name: str
    card_number: str | None
    phone: str | None
    birth_date: date | None
    gender: str | None
    kind: str
    admission_date: date | None
    official_date: date | None
    notes: str | None

    @classmethod
    def from_form(cls, form) -> MemberRecord:
        return cls(**{f.name: getattr(form, f.name).data or None for f in fields(cls)})


def check_card(card: str | None, user, exclude_id: int | None = None) -> None:
    """Refuse a card number that is already someone's; name them only if the user may see them."""
    if not card:
        return
    owner = db.session.scalar(select(Member).where(Member.card_number == card,
                                                   Member.id != (exclude_id or 0)))
    if owner is None:
        return
    if can(user, "members.view", owner.org_id):
        raise MemberError("card_number", _("This card number already belongs to %(name)s (%(org)s).",
                                           name=owner.full_name, org=owner.org.name))
    error = MemberError("card_number", duplicate_card_message())
    error.card_holder = owner.id  # audited by the caller once its change is rolled back
    raise error


def duplicate_card_message() -> str:
    """The one answer about a card held outside the user's scope, in this province or another:
    it names nobody and does not say where."""
    return _("This card number is already registered. Please check it; if it is right, "
             "ask the level above.")


def audit_card_conflict(holder_id: int, user_id: int | None, source: str) -> None:
    """Keep a trace of a card typed (or imported) that someone out of scope holds; the caller
    commits. The province sees them in its audit log."""
    owner = db.session.get(Member, holder_id)
    audit("member.card_conflict", f"member:{holder_id}", user_id=user_id, source=source,
          org_id=owner.org_id if owner else None)


def add_member(record: MemberRecord, org_id: int, by_user_id: int) -> Member:
    """A new member of a branch, with the admission (and becoming official) in its history."""
    member = Member(org_id=org_id, status=MemberStatus.ACTIVE.value, **asdict(record))
    db.session.add(member)
    db.session.flush()
    _event(member, "admitted", record.admission_date or today_local(None), by_user_id, to_org_id=org_id)
    if record.kind == MemberKind.OFFICIAL.value and record.official_date:
        _event(member, "official", record.official_date, by_user_id)
    audit("member.created", f"member:{member.id}", org_id=org_id)
    return member


def update_member(member: Member, record: MemberRecord, by_user_id: int) -> None:
    """Correct a member's record; their sign-in name follows a corrected card number."""
    old_card = member.card_number
    for name, value in asdict(record).items():
        setattr(member, name, value)
    if old_card and record.card_number and old_card != record.card_number:
        user = db.session.scalar(select(User).where(User.member_id == member.id))
        taken = db.session.scalar(select(User.id).where(User.login == record.card_number))
        if user is not None and user.login == old_card and taken is None:
            user.login = record.card_number
    audit("member.edited", f"member:{member.id}", by=by_user_id)


def _event(member: Member, kind: str, on_date: date, by_user_id: int, **extra) -> None:
    db.session.add(MemberEvent(member_id=member.id, kind=kind, on_date=on_date,
                               by_user_id=by_user_id, **extra))


def history(member: Member) -> list[MemberEvent]:
    stmt = select(MemberEvent).where(MemberEvent.member_id == member.id)
    return list(db.session.scalars(stmt.order_by(MemberEvent.on_date.desc(), MemberEvent.id.desc())))


def org_names(ids) -> dict[int, str]:
    """Names of the organisations a member's history mentions."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    stmt = select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    return dict(db.session.execute(stmt).all())


def edited(member: Member, change: str) -> Change:
    """An add or an edit, as plugins hear of it (status changes and transfers: lifecycle)."""
    return Change(member.id, member.org.province_id, change)


# --- forgotten passwords: the secretary's side -----------------------------------------------


def pending_resets(user):
    """Requests waiting for a code (or for a new one) in the user's scope, newest first."""
    waiting = or_(ResetRequest.status.in_(("open", "expired")),
                  (ResetRequest.status == "code_issued") & (ResetRequest.code_expires_at > utcnow()))
    return (select(ResetRequest).join(Member, Member.id == ResetRequest.member_id)
            .where(ResetRequest.org_id.in_(scope_ids(user, "accounts.reset")), waiting,
                   Member.status.in_(CURRENT))
            .options(selectinload(ResetRequest.member))
            .order_by(ResetRequest.created_at.desc(), ResetRequest.id.desc()))


def hand_over_code(reset: ResetRequest, by_user_id: int | None, source: str = "web") -> str:
    """A fresh one-time code for `reset`; the member's other waiting requests are closed."""
    code = issue_code(reset, by_user_id)
    db.session.execute(update(ResetRequest).where(
        ResetRequest.member_id == reset.member_id, ResetRequest.id != reset.id,
        ResetRequest.status.in_(PENDING)).values(status="closed"))
    audit("reset.code_issued", f"reset:{reset.id}", user_id=by_user_id, member_id=reset.member_id,
          source=source)
    return code
