"""Importing members from an export of the party-member database: read, check, match, apply.

The file (xlsx through openpyxl in read-only mode, or UTF-8 CSV) is recognised by its content,
its header row by the Vietnamese column names the party-member software exports. Rows are
checked one by one, then matched and written a chunk at a time (core/members/import_match.py).
A dry run only counts, and keeps its plan (every update, every conflict) beside the upload for
the preview (import_plan.py); applying writes the same plan as one batch that can be undone
(batches.py). Uploads are kept by the file service (namespace "imports", encrypted, deleted
after IMPORT_KEEP_HOURS); a JSON file in instance/imports/ under a random token holds each
one's owner, state and report."""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Callable

from flask import current_app
from flask_babel import gettext as _

from core import files
from core.audit import audit
from core.extensions import db
from core.events import MembersImported, OrgChanged, emit
from core.files.kinds import XLSX
from core.jobs import Job
from core.members import batches, import_plan, lifecycle
from core.members.import_files import (REFUSALS, ImportFileError, check_zip, count_lines, read_rows,
                                       setting)
from core.members.import_match import PERMISSION, Report, plan, write
from core.members.import_rows import Branches, Row, RowChecker, find_header
from core.org.models import Organisation
from core.org.scope import can, scope_ids

JOB_CHECK, JOB_APPLY = "core.members.import_check", "core.members.import_apply"
CHUNK = 1000
TOKEN = re.compile(r"[0-9a-f]{32}")
COUNTS = ("rows", "new", "updated", "unchanged", "conflicts", "errors")


def import_jobs() -> list[Job]:
    """The import's background jobs, for the core's register_jobs hook."""
    from flask_babel import lazy_gettext as _l

    return [Job(JOB_CHECK, "core.members.importing:check_job", title=_l("Checking the member file")),
            Job(JOB_APPLY, "core.members.importing:apply_job", title=_l("Importing the members"))]


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
    batch_id: int | None = None  # once applied: the batch that can be undone
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


# --- Running a dry run or an apply -----------------------------------------------------------

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
    batch_id = batches.start(upload.token, upload.org_id, user.id).id if apply else None
    if apply:
        upload.batch_id = batch_id
    writer = None if apply else import_plan.PlanWriter(folder(), upload.token)

    def flush():
        outcomes = plan(chunk, scope, claimed, user, audit_conflicts=not apply)
        for outcome in outcomes:  # before the commit expires the members it reads
            report.add(outcome, branches, writer)
        changes = write(outcomes, user.id, batch_id) if apply else []
        if apply or db.session.new:  # a dry run commits only its audit of cards held out of scope
            db.session.commit()
        lifecycle.announce(changes, user.id)
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
    if writer is not None:
        report.lists = writer.close()
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
        import_plan.remove(folder(), upload.token)  # the batch keeps what was done
    else:
        upload.state, upload.report = "checked", asdict(report)
    save(upload)
    counts = {k: getattr(report, k) for k in COUNTS}
    audit("members.import" if apply else "members.import.preview", f"org:{upload.org_id}",
          user_id=user.id, **counts)
    if apply:
        target = db.session.get(Organisation, upload.org_id)
        emit(MembersImported(target.province_id, user.id, target.id, report.new, report.updated,
                             batch_id=upload.batch_id))
        emit(OrgChanged(target.province_id, user.id, target.id, "members.import"))
    db.session.commit()
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
                    progress=lambda percent: ctx.progress(percent, _("%(percent)s%% of the rows done.",
                                                                     percent=percent)))
        except ImportFileError:
            return {"token": token, "failed": True}
    result = upload.summary if apply else upload.report
    return {"token": token, "url": f"/members/import/{token}",
            **{k: result.get(k, 0) for k in COUNTS}}
