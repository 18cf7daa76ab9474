"""The figures behind planning and the upper levels' overview, with no request in sight: months in
the province's time, the branches below a user, one grouped query per page of branches, the
"held only on paper" evidence, and the reminders (idempotent per branch and month)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select

from core.api import (SECRETARY, Audience, Level, Organisation, db, files, local_to_utc, notify_audience,
                      scope_ids, subtree_ids, to_local)
from plugins.meetings.access import OVERSEE
from plugins.meetings.models import Comment, FileRole, Meeting, MeetingFile, MeetingKind, MeetingStatus

HELD = (MeetingStatus.HELD.value, MeetingStatus.REPORTED.value)
MONTHS = 12
REMINDER = "meetings.branch_reminder"


def add_months(day: date, n: int) -> date:
    """The first day of the month `n` months from `day`'s."""
    y, m = divmod(day.year * 12 + day.month - 1 + n, 12)
    return date(y, m + 1, 1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def utc_of(day: date, province_id: int) -> datetime:
    """Midnight of `day` in the province, as the stored (naive UTC) time."""
    return local_to_utc(datetime.combine(day, time()), province_id)


def month_bounds(first: date, province_id: int) -> tuple[datetime, datetime]:
    return utc_of(first, province_id), utc_of(add_months(first, 1), province_id)


# --- the branches below a user --------------------------------------------------------------

def scope_roots(user) -> list[Organisation]:
    """The highest organisations where the user oversees (the overview's starting point)."""
    scope = scope_ids(user, OVERSEE).subquery()
    parent_in_scope = exists().where(scope.c.descendant_id == Organisation.parent_id)  # an anti-join
    return list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_(select(scope.c.descendant_id)), Organisation.level != Level.BRANCH.value,
        ~parent_in_scope).order_by(Organisation.name, Organisation.id)))


def branches_below(user, org: Organisation | None):
    """The statement of every active branch the user oversees (under `org`, which the caller has
    checked the user oversees), by name. A whole province is read by its indexed province_id."""
    stmt = select(Organisation).where(Organisation.level == Level.BRANCH.value, Organisation.active.is_(True))
    if org is None:
        stmt = stmt.where(Organisation.id.in_(scope_ids(user, OVERSEE)))
    elif org.level == Level.PROVINCE.value:
        stmt = stmt.where(Organisation.province_id == org.id)
    else:
        stmt = stmt.where(Organisation.id.in_(subtree_ids(org.id)))
    return stmt.order_by(Organisation.name, Organisation.id)


@dataclass(frozen=True)
class Counts:
    total: int
    not_met: int
    no_thematic: int


def counts(base, this_month: tuple[datetime, datetime], quarter: tuple[datetime, datetime]) -> Counts:
    """How many branches `base` holds, have not met this month, held no thematic meeting this
    quarter: one statement (two index probes per branch on ix_meetings_meeting_org_starts)."""
    ids = base.order_by(None).with_only_columns(Organisation.id).subquery()
    row = db.session.execute(select(
        func.count(), func.sum(case((~held_between(*this_month), 1), else_=0)),
        func.sum(case((~held_between(*quarter, thematic=True), 1), else_=0)))
        .select_from(Organisation).where(Organisation.id.in_(select(ids.c.id)))).one()
    return Counts(row[0] or 0, int(row[1] or 0), int(row[2] or 0))


def held_between(start: datetime, end: datetime, thematic: bool = False):
    """A condition on Organisation: the branch held a meeting between `start` and `end`."""
    cond = and_(Meeting.org_id == Organisation.id, Meeting.status.in_(HELD),
                Meeting.starts_at >= start, Meeting.starts_at < end)
    if thematic:
        cond = and_(cond, Meeting.kind == MeetingKind.THEMATIC.value)
    return exists().where(cond)


def planned_between(start: datetime, end: datetime):
    """A condition on Organisation: the branch has a (not cancelled) meeting between these times."""
    return exists().where(Meeting.org_id == Organisation.id, Meeting.status != MeetingStatus.CANCELLED.value,
                          Meeting.starts_at >= start, Meeting.starts_at < end)


# --- the grid: one grouped query per page of branches --------------------------------------

@dataclass
class BranchRow:
    """One branch's line of the overview."""

    org: Organisation
    cells: list[str]  # per month, oldest first: "held", "thematic", "missed", "pending"
    expected: int = 0
    present: int = 0
    rating_count: int = 0
    rating_sum: int = 0
    thematic_quarter: int = 0
    flags: list = field(default_factory=list)

    @property
    def attendance(self) -> float | None:
        return self.present / self.expected if self.expected else None

    @property
    def rating(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None

    @property
    def met_this_month(self) -> bool:
        return self.cells[-1] in ("held", "thematic")


def month_firsts(today: date) -> list[date]:
    """The first days of the last MONTHS months, oldest first, this month last."""
    return [add_months(today, n) for n in range(1 - MONTHS, 1)]


def grid(orgs: list[Organisation], today: date, province_id: int) -> list[BranchRow]:
    """The overview's lines for these branches: a single grouped query over meetings_meeting
    (org_id IN page, starts_at in the last twelve months: the index ix_meetings_meeting_org_starts)."""
    firsts = month_firsts(today)
    bounds = [utc_of(first, province_id) for first in firsts] + [utc_of(add_months(today, 1), province_id)]
    quarter = utc_of(quarter_start(today), province_id)
    held = Meeting.status.in_(HELD)
    thematic = Meeting.kind == MeetingKind.THEMATIC.value

    def during(i):
        return and_(held, Meeting.starts_at >= bounds[i], Meeting.starts_at < bounds[i + 1])

    columns = [Meeting.org_id]
    for i in range(MONTHS):
        columns.append(func.sum(case((during(i), 1), else_=0)))
        columns.append(func.sum(case((and_(during(i), thematic), 1), else_=0)))
    columns += [func.sum(case((held, Meeting.expected_count), else_=0)),
                func.sum(case((held, Meeting.present_count), else_=0)),
                func.sum(case((held, Meeting.rating_count), else_=0)),
                func.sum(case((held, Meeting.rating_sum), else_=0)),
                func.sum(case((and_(held, thematic, Meeting.starts_at >= quarter), 1), else_=0))]
    found = {}
    if orgs:
        stmt = (select(*columns).where(Meeting.org_id.in_([o.id for o in orgs]),
                                       Meeting.starts_at >= bounds[0], Meeting.starts_at < bounds[-1])
                .group_by(Meeting.org_id))
        found = {row[0]: row for row in db.session.execute(stmt)}
    rows = []
    for org in orgs:
        row = found.get(org.id)
        cells = []
        for i in range(MONTHS):
            count, themed = (row[1 + 2 * i] or 0, row[2 + 2 * i] or 0) if row else (0, 0)
            cells.append("thematic" if themed else "held" if count else
                         "pending" if i == MONTHS - 1 else "missed")
        tail = [int(v or 0) for v in row[1 + 2 * MONTHS:]] if row else [0] * 5
        rows.append(BranchRow(org, cells, *tail))
    return rows


# --- reminders ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reminder:
    """What a reminder asks a branch to do, with the month it is about."""

    what: str  # "plan" (enter next month's plan) or "meet" (hold this month's meeting)
    month: date


def remind(branch_ids: list[int], reminder: Reminder, url: str) -> int:
    """Tell the secretaries of these branches, in one statement; each secretary gets a reminder
    of a kind once a month, however often (and by however many levels) it is sent. Returns how
    many new notifications went out."""
    if not branch_ids:
        return 0
    if reminder.what == "plan":
        title = _("Please enter the branch's meeting plan for %(month)s.", month=f"{reminder.month:%m/%Y}")
    else:
        title = _("Your branch has not held its meeting for %(month)s yet.", month=f"{reminder.month:%m/%Y}")
    key = f"meetings.remind:{reminder.what}:{reminder.month:%Y-%m}"
    return notify_audience(REMINDER, title, Audience(tuple(branch_ids), roles=(SECRETARY,)),
                           url=url, dedupe_key=key)


# --- "held only on paper" -------------------------------------------------------------------

RUN = 3  # the same attendance, no materials, no comments: over this many meetings in a row
LATE_DAYS = 7  # attendance recorded more than a week after the meeting
WEAK = {"no_materials", "no_comments"}  # shown only beside a stronger sign


@dataclass(frozen=True)
class Flag:
    """One sign that a branch's meetings may be held only on paper, with its evidence."""

    code: str  # same_minutes, same_conclusions, same_attendance, no_materials, no_comments, recorded_late
    starts_at: datetime  # the meeting it is seen on (the last of a run)
    evidence: str


def _runs(items: list, same) -> list[list]:
    """Runs of at least RUN consecutive items where `same(previous, item)` holds."""
    runs, current = [], items[:1]
    for previous, item in zip(items, items[1:]):
        if same(previous, item):
            current.append(item)
        else:
            current = [item]
        if len(current) == RUN:
            runs.append(current)
        elif len(current) > RUN:
            runs[-1] = current
    return runs


def paper_flags(branch_ids: list[int], since: datetime, province_id: int) -> dict[int, list[Flag]]:
    """The evidence, per branch, over its meetings held since `since`: four queries per page of
    branches (meetings, minutes' checksums, materials, comments), whatever the page's size."""
    if not branch_ids:
        return {}
    meetings = list(db.session.execute(
        select(Meeting.id, Meeting.org_id, Meeting.starts_at, Meeting.present_count, Meeting.conclusions,
               Meeting.recorded_at)
        .where(Meeting.org_id.in_(branch_ids), Meeting.status.in_(HELD), Meeting.starts_at >= since)
        .order_by(Meeting.org_id, Meeting.starts_at, Meeting.id)))
    ids = [m.id for m in meetings]
    minutes: dict[int, set[str]] = {}
    materials: dict[int, int] = {}
    comments: dict[int, int] = {}
    if ids:
        for meeting_id, sha in db.session.execute(
                select(MeetingFile.meeting_id, files.StoredFile.sha256)
                .join(files.StoredFile, files.StoredFile.id == MeetingFile.file_id)
                .where(MeetingFile.meeting_id.in_(ids), MeetingFile.role == FileRole.MINUTES.value)):
            minutes.setdefault(meeting_id, set()).add(sha)
        materials = dict(db.session.execute(
            select(MeetingFile.meeting_id, func.count()).where(
                MeetingFile.meeting_id.in_(ids), MeetingFile.role == FileRole.MATERIAL.value)
            .group_by(MeetingFile.meeting_id)).all())
        comments = dict(db.session.execute(
            select(Comment.meeting_id, func.count()).where(Comment.meeting_id.in_(ids))
            .group_by(Comment.meeting_id)).all())
    by_branch: dict[int, list] = {}
    for m in meetings:
        by_branch.setdefault(m.org_id, []).append(m)
    return {org_id: flags for org_id, held in by_branch.items()
            if (flags := _branch_flags(held, minutes, materials, comments, province_id))}


def month_of(moment: datetime, province_id: int) -> str:
    """The month of a stored time on the province's calendar (06:00 on the 1st is 23:00 UTC the
    day before)."""
    return f"{to_local(moment, province_id):%m/%Y}"


def _branch_flags(held: list, minutes: dict, materials: dict, comments: dict, province_id: int) -> list[Flag]:
    flags = []
    def _month(moment: datetime) -> str:
        return month_of(moment, province_id)

    for previous, m in zip(held, held[1:]):
        if minutes.get(m.id) and minutes.get(m.id) & minutes.get(previous.id, set()):
            flags.append(Flag("same_minutes", m.starts_at, _(
                "The minutes of %(month)s are the very same file as those of %(before)s.",
                month=_month(m.starts_at), before=_month(previous.starts_at))))
        if (m.conclusions or "").strip() and (m.conclusions or "").strip() == (previous.conclusions or "").strip():
            flags.append(Flag("same_conclusions", m.starts_at, _(
                "The conclusions of %(month)s repeat those of %(before)s word for word.",
                month=_month(m.starts_at), before=_month(previous.starts_at))))
    for run in _runs(held, lambda a, b: a.present_count == b.present_count and b.present_count > 0):
        flags.append(Flag("same_attendance", run[-1].starts_at, _(
            "Exactly %(n)s present at %(count)s meetings in a row (%(first)s to %(last)s).",
            n=run[-1].present_count, count=len(run), first=_month(run[0].starts_at),
            last=_month(run[-1].starts_at))))
    for run in _runs(held, lambda a, b: not materials.get(a.id) and not materials.get(b.id)):
        flags.append(Flag("no_materials", run[-1].starts_at, _(
            "No material was sent for %(count)s meetings in a row (%(first)s to %(last)s).",
            count=len(run), first=_month(run[0].starts_at), last=_month(run[-1].starts_at))))
    for run in _runs(held, lambda a, b: not comments.get(a.id) and not comments.get(b.id)):
        flags.append(Flag("no_comments", run[-1].starts_at, _(
            "No member commented on %(count)s meetings in a row (%(first)s to %(last)s).",
            count=len(run), first=_month(run[0].starts_at), last=_month(run[-1].starts_at))))
    for m in held:
        if m.recorded_at is not None and (m.recorded_at - m.starts_at).days > LATE_DAYS:
            flags.append(Flag("recorded_late", m.starts_at, _(
                "The meeting of %(day)s was recorded %(days)s days later.",
                day=f"{m.starts_at:%d/%m/%Y}", days=(m.recorded_at - m.starts_at).days)))
    if all(f.code in WEAK for f in flags):
        return []  # many honest branches send no material and hear no comment: not a sign alone
    return sorted(flags, key=lambda f: f.starts_at, reverse=True)



# --- the reports plugin's section -------------------------------------------------------------

def report(org: Organisation, today: date):
    """Figures over `org`'s subtree this month (three queries, whatever its size) and alerts."""
    from flask_babel import lazy_gettext as _l

    from core.api import ReportSection

    province_id = org.province_id or org.id
    start, end = month_bounds(today.replace(day=1), province_id)
    quarter = utc_of(quarter_start(today), province_id)
    below = subtree_ids(org.id)
    branches = db.session.scalar(select(func.count(Organisation.id)).where(
        Organisation.id.in_(below), Organisation.level == Level.BRANCH.value, Organisation.active.is_(True)))
    held = and_(Meeting.org_id.in_(below), Meeting.status.in_(HELD))
    met, present, expected = db.session.execute(select(
        func.count(func.distinct(Meeting.org_id)), func.sum(Meeting.present_count), func.sum(Meeting.expected_count))
        .where(held, Meeting.starts_at >= start, Meeting.starts_at < end)).one()
    themed = db.session.scalar(select(func.count(func.distinct(Meeting.org_id))).where(
        held, Meeting.kind == MeetingKind.THEMATIC.value, Meeting.starts_at >= quarter, Meeting.starts_at < end))
    rate = f"{round(100 * (present or 0) / expected)}%" if expected else "–"
    figures = {_("Branches"): branches, _("Branches that met this month"): met,
               _("Attendance this month"): rate, _("Branches that have not met this month"): branches - met,
               _("Branches without a thematic meeting this quarter"): branches - themed}
    alerts = []
    if branches - met:
        alerts.append(_("%(n)s branch(es) have not held their meeting this month.", n=branches - met))
    if branches - themed:
        alerts.append(_("%(n)s branch(es) have held no thematic meeting this quarter.", n=branches - themed))
    return ReportSection(str(_l("Branch meetings")), figures, tuple(alerts), weight=30)
