"""Importing members from an export of the party-member database: read, check, match, apply.

The file (xlsx through openpyxl in read-only mode, or UTF-8 CSV) is recognised by its content,
its header row by the Vietnamese column names the party-member software exports. Rows are
checked one by one, then matched a chunk at a time against existing members -- by card number,
or for probationary members without one by name + birth date + branch -- with one query per
chunk, never one per row. A dry run only counts; applying writes the same plan and records
transfers and status changes as MemberEvent rows. Uploads are kept by the file service (namespace
"imports", encrypted, deleted after IMPORT_KEEP_HOURS); a JSON file in instance/imports/ under a
random token holds each one's owner, state and report."""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO, Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select

from core import files
from core.audit import audit
from core.extensions import db
from core.files.kinds import XLSX
from core.events import OrgChanged, emit
from core.jobs import Job
from core.members.import_files import (REFUSALS, ImportFileError, check_zip, count_lines, read_rows,
                                       setting)
from core.members.import_rows import FIELD_LABELS, Branches, Row, RowChecker, find_header, same
from core.org.models import Member, MemberEvent, MemberKind, MemberStatus, Organisation, utcnow
from core.org.scope import can, scope_ids

PERMISSION = "members.import"
JOB_CHECK, JOB_APPLY = "core.members.import_check", "core.members.import_apply"
CHUNK = 1000
SAMPLES = 5
KEPT_MESSAGES = 5000
TOKEN = re.compile(r"[0-9a-f]{32}")
UPDATABLE = ("full_name", "card_number", "birth_date", "gender", "admission_date", "official_date",
             "org_id", "status", "kind", "phone")
# The event a status change records (the vocabulary of member management).
STATUS_EVENTS = {MemberStatus.ACTIVE.value: "reinstated", MemberStatus.EXEMPT.value: "exempt",
                 MemberStatus.DECEASED.value: "deceased", MemberStatus.REMOVED.value: "removed",
                 MemberStatus.EXPELLED.value: "expelled"}
NOTE = "import"


def import_jobs() -> list[Job]:
    """The import's background jobs, for the core's register_jobs hook."""
    return [Job(JOB_CHECK, "core.members.importing:check_job", title="member import: dry run"),
            Job(JOB_APPLY, "core.members.importing:apply_job", title="member import: apply")]


# --- Uploads kept server-side ----------------------------------------------------------------

@dataclass
class Upload:
    """An uploaded file and what became of it; stored as JSON beside the file."""

    token: str
    user_id: int
    org_id: int
    kind: str
    rows_estimate: int = 0
    state: str = "new"  # new, checking, checked, applying, applied, failed
    error: str | None = None
    report: dict | None = None
    summary: dict | None = None
    created: float = field(default_factory=time.time)
    file_id: int | None = None  # the uploaded file, in the file service

    @property
    def job_id(self) -> str | None:
        marker = folder() / f"{self.token}.job"
        return marker.read_text().strip() if marker.exists() else None


def folder() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def receive(file, user_id: int, org_id: int) -> Upload:
    """Keep an uploaded file (size-limited, xlsx or CSV by its content), find its header."""
    sweep()
    try:
        stored = files.save_upload(file, namespace="imports", accept=("xlsx", "csv"), sensitive=True,
                                   max_bytes=setting("IMPORT_MAX_BYTES"), owner_id=user_id,
                                   retain=timedelta(hours=setting("IMPORT_KEEP_HOURS")))
    except files.FileRejected as refused:
        raise ImportFileError(_refusal(refused)) from None
    kind = "xlsx" if stored.mimetype == XLSX else "csv"
    upload = Upload(secrets.token_hex(16), user_id, org_id, kind, file_id=stored.id)
    try:
        if upload.kind == "xlsx":
            with files.open(stored) as source:
                sheet_bytes, declared = check_zip(source)
            upload.rows_estimate = sheet_bytes // 400 + 1  # ~300-550 bytes of XML a row
        else:
            with files.open(stored) as source:
                declared, upload.rows_estimate = True, count_lines(source)
        if declared or upload.rows_estimate <= setting("IMPORT_JOB_ROWS"):
            find_header(enumerate(read_rows(files.open(stored), upload.kind), 1))  # else the dry run will
    except ImportFileError:
        db.session.rollback()  # the file goes with its row
        raise
    db.session.commit()
    save(upload)
    return upload


def _refusal(refused: files.FileRejected) -> str:
    """The file service's refusal, in the words the import page has always used where it has its own."""
    if refused.reason == "too_large":
        return _("The file is larger than %(mb)s MB. Please split it.",
                 mb=setting("IMPORT_MAX_BYTES") // 2 ** 20)
    return str(REFUSALS.get(refused.reason, refused))


def opened(upload: Upload) -> BinaryIO:
    """The uploaded file, to read; ImportFileError once it was deleted (IMPORT_KEEP_HOURS)."""
    stored = files.get(upload.file_id, "imports")
    try:
        if stored is not None:
            return files.open(stored)
    except FileNotFoundError:
        pass
    raise ImportFileError(_("The uploaded file is no longer kept. Please upload it again."))


def forget_file(upload: Upload) -> None:
    """Delete the uploaded file (once the caller commits)."""
    stored = files.get(upload.file_id, "imports")
    if stored is not None:
        files.delete(stored)


def save(upload: Upload) -> None:
    target = folder() / f"{upload.token}.json"
    temp = target.with_suffix(".tmp")
    with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        json.dump(asdict(upload), out, default=str)
    os.replace(temp, target)  # a reader never sees half a report


def load(token: str) -> Upload | None:
    """The upload for a token from a form or URL; the token is checked, never used as a path."""
    if not token or not TOKEN.fullmatch(token):
        return None
    meta = folder() / f"{token}.json"
    if not meta.exists():
        return None
    return Upload(**json.loads(meta.read_text()))


def note_job(upload: Upload, job_id: str) -> None:
    (folder() / f"{upload.token}.job").write_text(job_id)


def discard(upload: Upload) -> None:
    forget_file(upload)
    db.session.commit()
    for leftover in folder().glob(f"{upload.token}.*"):
        leftover.unlink(missing_ok=True)


def sweep() -> None:
    """Delete uploads and reports older than IMPORT_KEEP_HOURS: member lists are personal data."""
    files.sweep_files("imports")
    cutoff = time.time() - setting("IMPORT_KEEP_HOURS") * 3600
    for path in folder().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


# --- Matching and applying -------------------------------------------------------------------

@dataclass
class Outcome:
    row: Row
    kind: str  # "new", "updated", "unchanged" or "error"
    member: Member | None = None
    changes: dict = field(default_factory=dict)


@dataclass
class Report:
    """What a dry run found or an apply did; `messages` holds the first row errors."""

    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    messages: list = field(default_factory=list)
    samples: dict = field(default_factory=lambda: {"new": [], "updated": [], "unchanged": []})
    ignored: list = field(default_factory=list)

    def add(self, outcome: Outcome, branches: Branches) -> None:
        self.rows += 1
        counter = "errors" if outcome.kind == "error" else outcome.kind
        setattr(self, counter, getattr(self, counter) + 1)
        row = outcome.row
        if outcome.kind == "error":
            if len(self.messages) < KEPT_MESSAGES:
                self.messages.extend(_("Row %(row)s: %(problem)s", row=row.number, problem=problem)
                                     for problem in row.errors[:3])
        elif len(self.samples[outcome.kind]) < SAMPLES:
            self.samples[outcome.kind].append({
                "row": row.number, "name": row.full_name, "card": row.card_number or "",
                "branch": branches.names.get(row.org_id, ""),
                "changes": [str(FIELD_LABELS[name]) for name in outcome.changes]})


def plan(rows: list[Row], scope: set[int], claimed: dict[int, int]) -> list[Outcome]:
    """Match one chunk of checked rows with existing members: two queries, whatever its size."""
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
            row.errors.append(_("the Party-card number %(card)s belongs to a member outside the "
                                "organisations you manage", card=row.card_number))
        elif member is not None and member.id in claimed:
            row.errors.append(_("the same member is already in row %(row)s", row=claimed[member.id]))
        if row.errors:
            outcomes.append(Outcome(row, "error"))
        elif member is None:
            outcomes.append(Outcome(row, "new"))
        else:
            claimed[member.id] = row.number
            changes = differences(member, row)
            outcomes.append(Outcome(row, "updated" if changes else "unchanged", member, changes))
    return outcomes


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


def write(outcomes: list[Outcome], user_id: int | None) -> None:
    """Insert the new members and update the changed ones, with their events, in bulk."""
    today, now = date.today(), utcnow()
    new = [o.row for o in outcomes if o.kind == "new"]
    events = []
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
    for outcome in outcomes:
        if outcome.kind == "updated":
            events += member_events(outcome.member, outcome.changes, user_id, today)
            for name, value in outcome.changes.items():
                setattr(outcome.member, name, value)
    if events:
        db.session.execute(insert(MemberEvent), [{"from_org_id": None, "to_org_id": None, "value": None,
                                                   **event} for event in events])


def member_events(member: Member, changes: dict, user_id: int | None, today: date) -> list[dict]:
    """The history a change leaves: a transfer, a status change, becoming official."""
    base = {"member_id": member.id, "by_user_id": user_id, "note": NOTE, "on_date": today}
    events = []
    if "org_id" in changes:
        events.append({**base, "kind": "transfer", "from_org_id": member.org_id,
                       "to_org_id": changes["org_id"]})
    if "status" in changes:
        events.append({**base, "kind": STATUS_EVENTS[changes["status"]], "value": changes["status"]})
    if changes.get("kind") == MemberKind.OFFICIAL.value:
        events.append({**base, "kind": "official", "value": MemberKind.OFFICIAL.value,
                       "on_date": changes.get("official_date") or member.official_date or today})
    return events


def run(upload: Upload, user, *, apply: bool, progress: Callable[[int], None] | None = None) -> Report:
    """Read, check and match every row of `upload`; with `apply`, write them chunk by chunk."""
    source = opened(upload)  # ImportFileError once swept after IMPORT_KEEP_HOURS
    target = db.session.get(Organisation, upload.org_id)
    rows = enumerate(read_rows(source, upload.kind), 1)
    header = find_header(rows)
    branches = Branches(target)
    if "branch" not in header.columns and branches.default is None:
        raise ImportFileError(_("The file has no “Chi bộ” column. Without it, members can only be "
                                "imported into one branch: choose that branch as the organisation."))
    checker = RowChecker(header.columns, branches)
    scope = set(db.session.scalars(scope_ids(user, PERMISSION)))
    claimed: dict[int, int] = {}
    report = Report(ignored=header.ignored)
    last_row = header.row + setting("IMPORT_MAX_ROWS")
    chunk: list[Row] = []

    def flush():
        outcomes = plan(chunk, scope, claimed)
        if apply:
            write(outcomes, user.id)
            db.session.commit()
        for outcome in outcomes:
            report.add(outcome, branches)
        chunk.clear()
        if progress:
            progress(min(99, report.rows * 100 // max(upload.rows_estimate, 1)))

    for number, cells in rows:
        if number > last_row:
            raise ImportFileError(_("The file has more than %(limit)s rows. Please split it.",
                                    limit=setting("IMPORT_MAX_ROWS")))
        row = checker.check(number, cells)
        if row is not None:
            chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return report


def execute(upload: Upload, user, *, apply: bool, progress=None) -> Report:
    """Run the dry run (or the apply) of `upload`, keep its report beside it, and audit it."""
    try:
        report = run(upload, user, apply=apply, progress=progress)
    except ImportFileError as exc:
        db.session.rollback()
        upload.state, upload.error = "failed", str(exc)
        save(upload)
        raise
    if apply:
        upload.state, upload.summary = "applied", asdict(report)
        forget_file(upload)  # applied: the member list need not be kept
    else:
        upload.state, upload.report = "checked", asdict(report)
    save(upload)
    counts = {k: getattr(report, k) for k in ("rows", "new", "updated", "unchanged", "errors")}
    audit("members.import" if apply else "members.import.preview", f"org:{upload.org_id}",
          user_id=user.id, **counts)
    db.session.commit()
    if apply:
        target = db.session.get(Organisation, upload.org_id)
        emit(OrgChanged(target.province_id, user.id, target.id, "members.import"))
    return report


def check_job(ctx, token: str) -> dict:
    """Job: the dry run of a large upload, with progress."""
    return _job(ctx, token, apply=False)


def apply_job(ctx, token: str) -> dict:
    """Job: apply a checked upload, chunk by chunk, with progress."""
    return _job(ctx, token, apply=True)


def _job(ctx, token: str, *, apply: bool) -> dict:
    from core.auth.models import User

    upload = load(token)
    if upload is None:
        return {"token": token, "missing": True}
    done = "applied" if apply else "checked"
    if upload.state != done:  # a second delivery of a finished job changes nothing
        user = db.session.get(User, upload.user_id)
        if user is None or not can(user, PERMISSION, upload.org_id):
            upload.state, upload.error = "failed", _("You can no longer import into this organisation.")
            save(upload)
            return {"token": token, "refused": True}
        try:
            execute(upload, user, apply=apply,
                    progress=lambda percent: ctx.progress(percent, _("%(percent)s%% of the rows",
                                                                     percent=percent)))
        except ImportFileError:
            return {"token": token, "failed": True}
    result = upload.summary if apply else upload.report
    return {"token": token, "url": f"/members/import/{token}",
            **{k: result[k] for k in ("rows", "new", "updated", "unchanged", "errors")}}
