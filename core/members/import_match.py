"""Matching checked rows with existing members, and writing them: one chunk at a time.

Rows are matched by card number, or for probationary members without one by name + birth date
+ branch, with a few queries per chunk, never one per row. A row whose card belongs to someone
clearly different (another name, another date of birth) is a conflict a person resolves; a row
that would change a member whose accounts outrank the importer is refused. New members go in as
bulk inserts; transfers and status changes (few) go through the member lifecycle, as the forms'
do; everything written is recorded in the import's batch (core/members/batches.py) for undo."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import insert, select

from core.extensions import db
from core.localtime import today_local
from core.members import lifecycle
from core.members.batches import NOTE, MemberImportChange, stored
from core.members.import_rows import FIELD_LABELS, Branches, Row, same, same_person
from core.members.service import audit_card_conflict, duplicate_card_message
from core.org.models import Member, MemberEvent, MemberKind, MemberStatus, utcnow
from core.org.scope import members_not_outranked

PERMISSION = "members.import"
SAMPLES = 5
KEPT_MESSAGES = 5000
UPDATABLE = ("full_name", "card_number", "birth_date", "gender", "admission_date", "official_date",
             "org_id", "status", "kind", "phone")


@dataclass
class Outcome:
    row: Row
    kind: str  # "new", "updated", "unchanged", "conflict" or "error"
    member: Member | None = None
    changes: dict = field(default_factory=dict)


@dataclass
class Report:
    """What a dry run found or an apply did; `messages` holds the first row errors, `lists`
    where each page of the updates and conflicts begins in the plan files (import_plan.py)."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    errors: int = 0
    messages: list = field(default_factory=list)
    samples: dict = field(default_factory=lambda: {"new": [], "unchanged": []})
    ignored: list = field(default_factory=list)
    lists: dict = field(default_factory=dict)

    def add(self, outcome: Outcome, branches: Branches, plan=None) -> None:
        self.rows += 1
        counter = {"error": "errors", "conflict": "conflicts"}.get(outcome.kind, outcome.kind)
        setattr(self, counter, getattr(self, counter) + 1)
        row = outcome.row
        if outcome.kind == "error":
            if len(self.messages) < KEPT_MESSAGES:
                self.messages.extend(_("Row %(row)s: %(problem)s", row=row.number, problem=problem)
                                     for problem in row.errors[:3])
        elif outcome.kind in ("updated", "conflict"):
            if plan is not None:
                plan.add(outcome.kind, entry(outcome))
        elif len(self.samples[outcome.kind]) < SAMPLES:
            self.samples[outcome.kind].append({
                "row": row.number, "name": row.full_name, "card": row.card_number or "",
                "branch": branches.names.get(row.org_id, "")})


def entry(outcome: Outcome) -> dict:
    """An update (field by field) or a conflict (both identities) as the plan file keeps it."""
    row, member = outcome.row, outcome.member
    if outcome.kind == "conflict":
        return {"row": row.number, "card": row.card_number,
                "file": {"name": row.full_name, "birth": stored(row.birth_date), "branch": row.org_id},
                "holder": {"member": member.id, "name": member.full_name,
                           "birth": stored(member.birth_date), "branch": member.org_id}}
    return {"row": row.number, "name": member.full_name, "card": member.card_number or row.card_number,
            "member": member.id,
            "changes": [[name, stored(getattr(member, name)), stored(value)]
                        for name, value in outcome.changes.items()]}


def plan(rows: list[Row], scope: set[int], claimed: dict[int, int], actor, *, audit_conflicts=False) -> list[Outcome]:
    """Match one chunk of checked rows with existing members: a few queries, whatever its size."""
    good = [r for r in rows if not r.errors]
    cards = [r.card_number for r in good if r.card_number]
    by_card = {m.card_number: m for m in db.session.scalars(
        select(Member).where(Member.card_number.in_(cards)))} if cards else {}
    loose = [r for r in good if r.card_number not in by_card]
    by_key = defaultdict(list)
    if loose:
        for m in db.session.scalars(select(Member).where(
                Member.card_number.is_(None), Member.org_id.in_({r.org_id for r in loose}))):
            by_key[(same(m.full_name), m.birth_date, m.org_id)].append(m)
    outcomes = []
    for row in rows:
        member = None
        if not row.errors:
            member = by_card.get(row.card_number)
            if member is None:
                found = by_key.get(row.key, [])
                if len(found) > 1:
                    row.errors.append(_("several members without a card have this name, date of birth "
                                        "and branch; please add the card number"))
                member = found[0] if len(found) == 1 else None
        if member is not None and member.org_id not in scope:
            # The same words as the member form's, whether the holder is in this province or
            # another: nobody is named, nothing says where.
            row.errors.append(duplicate_card_message())
            if audit_conflicts:
                audit_card_conflict(member.id, getattr(actor, "id", None), "import")
        elif member is not None and member.id in claimed:
            row.errors.append(_("the same member is already in row %(row)s", row=claimed[member.id]))
        if row.errors:
            outcomes.append(Outcome(row, "error"))
        elif member is None:
            outcomes.append(Outcome(row, "new"))
        elif row.card_number and not same_person(member.full_name, member.birth_date, row):
            outcomes.append(Outcome(row, "conflict", member))
        else:
            claimed[member.id] = row.number
            changes = differences(member, row)
            outcomes.append(Outcome(row, "updated" if changes else "unchanged", member, changes))
    _refuse_outranked(outcomes, actor)
    return outcomes


def _refuse_outranked(outcomes: list[Outcome], actor) -> None:
    """An update of a member whose accounts hold a role at or above the importer's level is the
    level above's to make: that row becomes an error (one query for the chunk)."""
    updates = [o for o in outcomes if o.kind == "updated"]
    above = members_not_outranked(actor, PERMISSION, [o.member.id for o in updates])
    for outcome in updates:
        if outcome.member.id in above:
            outcome.row.errors.append(_("this member's account holds a role at or above your level: "
                                        "the level above updates this member"))
            outcome.kind, outcome.changes = "error", {}


def differences(member: Member, row: Row) -> dict:
    """The fields the row would change; an empty cell never erases what is known."""
    changes = {}
    for name in UPDATABLE:
        value = getattr(row, name)
        current = getattr(member, name)
        if value is None or value == current or (name == "full_name" and same(current) == same(value)):
            continue
        changes[name] = value
    if row.kind is None and row.official_date and member.kind == MemberKind.PROBATIONARY.value:
        changes["kind"] = MemberKind.OFFICIAL.value  # an official date means the member became official
    return changes


def write(outcomes: list[Outcome], user_id: int | None, batch_id: int) -> list[lifecycle.Change]:
    """Insert the new members in bulk, update the changed ones (transfers and status changes
    through the lifecycle), and record all of it in the batch. Returns the lifecycle's changes."""
    today, now = today_local(None), utcnow()
    new = [o.row for o in outcomes if o.kind == "new"]
    events, records, changes = [], [], []
    if new:
        ids = db.session.scalars(insert(Member).returning(Member.id, sort_by_parameter_order=True), [
            {"org_id": r.org_id, "full_name": r.full_name, "card_number": r.card_number,
             "phone": r.phone, "birth_date": r.birth_date, "gender": r.gender,
             "kind": r.kind or (MemberKind.OFFICIAL.value if r.card_number or r.official_date
                                else MemberKind.PROBATIONARY.value),
             "status": r.status or MemberStatus.ACTIVE.value, "admission_date": r.admission_date,
             "official_date": r.official_date, "created_at": now, "updated_at": now} for r in new]).all()
        events += [{"member_id": i, "kind": "admitted", "on_date": r.admission_date or today,
                    "to_org_id": r.org_id, "by_user_id": user_id, "note": NOTE} for i, r in zip(ids, new)]
        records += [{"import_id": batch_id, "member_id": i, "row": r.number, "action": "created",
                     "before": None, "after": None} for i, r in zip(ids, new)]
    for outcome in outcomes:
        if outcome.kind == "updated":
            member, wanted = outcome.member, outcome.changes
            records.append({"import_id": batch_id, "member_id": member.id, "row": outcome.row.number,
                            "action": "updated", "before": {n: stored(getattr(member, n)) for n in wanted},
                            "after": {n: stored(v) for n, v in wanted.items()}})
            if wanted.get("kind") == MemberKind.OFFICIAL.value:
                events.append({"member_id": member.id, "by_user_id": user_id, "note": NOTE,
                               "kind": "official", "value": MemberKind.OFFICIAL.value,
                               "on_date": wanted.get("official_date") or member.official_date or today})
            for name, value in wanted.items():
                if name not in ("org_id", "status"):
                    setattr(member, name, value)
            if "org_id" in wanted:
                changes.append(lifecycle.transfer(member, wanted["org_id"], today, NOTE, user_id))
            if "status" in wanted:
                changes.append(lifecycle.set_status(member, wanted["status"], today, NOTE, user_id))
    if events:
        db.session.execute(insert(MemberEvent), [{"from_org_id": None, "to_org_id": None, "value": None,
                                                   **event} for event in events])
    if records:
        db.session.execute(insert(MemberImportChange), [{"result": None, **r} for r in records])
    return changes


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))
