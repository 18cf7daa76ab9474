"""An applied import kept as one batch that can be undone: for each member, what it created or
changed (old and new values).

Undo restores an old value only where the current one is still the imported one (someone may
have corrected it since), reverses transfers and status changes through the member lifecycle,
removes the members the import created when nothing else refers to them, and keeps (and reports)
the others. It runs once however often it is posted: the batch's state changes from "applied"
in the same transaction as the undo."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.audit import audit
from core.auth.models import ResetRequest, User
from core.extensions import db
from core.localtime import today_local
from core.members import lifecycle
from core.org.models import Member, MemberEvent, OrgClosure, utcnow
from core.org.scope import can, granted_org_ids

PERMISSION = "members.import"
NOTE = "import"
UNDO_NOTE = "undo import"
CHUNK = 1000
DATES = ("birth_date", "admission_date", "official_date")


class MemberImport(db.Model):
    """One applied import: who, into where, when; and whether (and by whom) it was undone."""

    __tablename__ = "member_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(String(16), default="applied")  # applied, undone
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    undo_report: Mapped[dict | None] = mapped_column(JSON)


class MemberImportChange(db.Model):
    """What one row of a batch did to one member: `created` it, or `updated` fields (before/after)."""

    __tablename__ = "member_import_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("member_import.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    result: Mapped[str | None] = mapped_column(String(16))  # after an undo: undone, kept, changed


def stored(value):
    """A member field's value as JSON keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def restored(name: str, value):
    return date.fromisoformat(value) if name in DATES and value else value


def start(token: str, org_id: int, user_id: int) -> MemberImport:
    """The upload's batch: a new one, or the one an interrupted apply began (a job delivered
    again goes on with it; the rows it wrote already are unchanged now)."""
    batch = db.session.scalar(select(MemberImport).where(MemberImport.token == token))
    if batch is None:
        batch = MemberImport(token=token, org_id=org_id, user_id=user_id, state="applied")
        db.session.add(batch)
        db.session.flush()
    return batch


def may_undo(user, batch: MemberImport) -> bool:
    """The importer (still allowed there), or an administrator above the import's organisation."""
    if not can(user, PERMISSION, batch.org_id):
        return False
    if batch.user_id == user.id:
        return True
    return bool(db.session.scalar(
        select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id == batch.org_id, OrgClosure.depth > 0,
                                             OrgClosure.ancestor_id.in_(granted_org_ids(user, PERMISSION)))
        .limit(1)))


def recent(user, limit: int = 10) -> list[MemberImport]:
    """The last imports the user may see and undo: their own, and those below their level."""
    granted = granted_org_ids(user, PERMISSION)
    below = select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(granted), OrgClosure.depth > 0)
    return list(db.session.scalars(select(MemberImport).where(
        MemberImport.org_id.in_(select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id.in_(granted))),
        or_(MemberImport.user_id == user.id, MemberImport.org_id.in_(below)))
        .order_by(MemberImport.id.desc()).limit(limit)))


@dataclass
class UndoReport:
    """What an undo did, kept on the batch and shown on its page."""

    restored: int = 0  # members whose imported values were put back
    removed: int = 0  # members the import had created, removed again
    kept: list = field(default_factory=list)  # created members kept: something refers to them
    changed: list = field(default_factory=list)  # values changed since the import, left alone


def undo(batch_id: int, user) -> UndoReport | None:
    """Undo the batch (None when it was undone already); audits, commits, tells the plugins."""
    claimed = db.session.execute(update(MemberImport).where(
        MemberImport.id == batch_id, MemberImport.state == "applied")
        .values(state="undone", undone_at=utcnow(), undone_by_id=user.id))
    if claimed.rowcount != 1:
        db.session.rollback()
        return None
    report, changes = UndoReport(), []
    last = 0
    while True:
        rows = list(db.session.scalars(select(MemberImportChange).where(
            MemberImportChange.import_id == batch_id, MemberImportChange.id > last)
            .order_by(MemberImportChange.id).limit(CHUNK)))
        if not rows:
            break
        last = rows[-1].id
        _remove_created(batch_id, [r for r in rows if r.action == "created"], report)
        for row in rows:
            if row.action == "updated":
                changes += _restore(row, user.id, report)
    batch = db.session.get(MemberImport, batch_id)
    batch.undo_report = asdict(report)
    audit("members.import.undone", f"import:{batch_id}", user_id=user.id, org=batch.org_id,
          restored=report.restored, removed=report.removed, kept=len(report.kept),
          changed=len(report.changed))
    db.session.commit()
    lifecycle.announce(changes, user.id)
    return report


def _restore(row: MemberImportChange, user_id: int, report: UndoReport) -> list[lifecycle.Change]:
    """Put back the old values that are still the imported ones."""
    member = db.session.get(Member, row.member_id) if row.member_id else None
    if member is None:
        row.result = "changed"
        report.changed.append({"row": row.row, "member": None, "fields": sorted(row.after)})
        return []
    changes, left = [], []
    today = today_local(None)
    for name, value in row.after.items():
        if stored(getattr(member, name)) != value:
            left.append(name)
            continue
        old = restored(name, row.before.get(name))
        if name == "org_id":
            changes.append(lifecycle.transfer(member, old, today, UNDO_NOTE, user_id))
        elif name == "status":
            changes.append(lifecycle.set_status(member, old, today, UNDO_NOTE, user_id))
        else:
            setattr(member, name, old)
    row.result = "changed" if left else "undone"
    if len(left) < len(row.after):
        report.restored += 1
    if left:
        report.changed.append({"row": row.row, "member": member.id, "name": member.full_name,
                               "fields": sorted(left)})
    return changes


def _remove_created(batch_id: int, rows: list[MemberImportChange], report: UndoReport) -> None:
    """Remove the members the batch created, unless an account, a request, a later change or
    history of their own refers to them: those are kept and reported."""
    ids = [r.member_id for r in rows if r.member_id]
    if not ids:
        return
    used = set(db.session.scalars(select(User.member_id).where(User.member_id.in_(ids))))
    used |= set(db.session.scalars(select(User.helped_member_id).where(User.helped_member_id.in_(ids))))
    used |= set(db.session.scalars(select(ResetRequest.member_id).where(ResetRequest.member_id.in_(ids))))
    used |= set(db.session.scalars(select(MemberImportChange.member_id).where(
        MemberImportChange.member_id.in_(ids), MemberImportChange.import_id != batch_id)))
    used |= set(db.session.scalars(select(MemberEvent.member_id).where(
        MemberEvent.member_id.in_(ids), or_(MemberEvent.kind != "admitted", MemberEvent.note != NOTE))))
    names = dict(db.session.execute(select(Member.id, Member.full_name).where(Member.id.in_(used))).all())
    free = [i for i in ids if i not in used]
    if free and not _delete(free):  # a plugin's row refers to one of them: one at a time
        free = [i for i in free if _delete([i])]
    gone = set(free)
    for row in rows:
        if row.member_id in gone:
            row.result, row.member_id = "undone", None
            report.removed += 1
        elif row.member_id:
            row.result = "kept"
            report.kept.append({"row": row.row, "member": row.member_id, "name": names.get(row.member_id)})


def _delete(ids: list[int]) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(update(MemberImportChange).where(MemberImportChange.member_id.in_(ids))
                               .values(member_id=None).execution_options(synchronize_session=False))
            db.session.execute(delete(MemberEvent).where(MemberEvent.member_id.in_(ids)))
            db.session.execute(delete(Member).where(Member.id.in_(ids)).execution_options(
                synchronize_session=False))
        return True
    except IntegrityError:
        return False
