"""Importing members from an export of the party-member database (Excel or CSV).

Upload → dry run (a preview, nothing written) → apply → summary. Small files run in the request;
larger ones (IMPORT_JOB_ROWS) run as jobs whose progress the same page shows."""
from __future__ import annotations

import logging
from collections import defaultdict

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired

from core.extensions import db
from core.jobs import JobRecord, JobRefused, enqueue
from core.members import batches, importing
from core.members.batches import MemberImport, MemberImportChange
from core.members.import_match import field_label
from core.members.import_plan import LISTS, PLAN_PAGE, org_ids, read_page, shown_value
from core.members.import_rows import fold
from core.members.importing import PERMISSION, ImportFileError
from core.members.service import org_names
from core.org.models import Level, Member, Organisation
from core.org.scope import can, has_any, is_id, refuse, require, scope_ids
from core.plugins import current_province_id
from core.fields import options
from core.web import Page, already_done, commit_keyed, paginate, render

log = logging.getLogger(__name__)
bp = Blueprint("imports", __name__, url_prefix="/members/import")
MAX_CHOICES = 300  # above this many organisations, the list leaves the lowest levels out


class UploadForm(FlaskForm):
    # Not limited to the listed ones: an organisation found through ?q= may be posted; the view
    # checks the permission on whatever comes.
    org_id = SelectField(_l("Organisation to import into"), coerce=int, validate_choice=False)
    file = FileField(_l("File exported from the party-member database"),
                     validators=[FileRequired(_l("Please choose the file."))])


class TokenForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """A button that needs only the CSRF token (undo)."""


@bp.route("/", methods=["GET", "POST"])
@login_required
def start():
    """An administrator uploads a member export; a dry run follows before anything is written."""
    if not has_any(current_user, PERMISSION):
        refuse("imports")
    if request.method == "POST":
        require(current_user, PERMISSION, request.form.get("org_id", type=int))
    form = UploadForm()
    query = " ".join(request.args.get("q", "").split())[:100]
    choices, more = target_choices(current_user, query)
    form.org_id.choices = options(choices)
    if form.validate_on_submit():
        upload = None
        try:
            upload = importing.receive(form.file.data, current_user.id, form.org_id.data)
            begin(upload, apply=False)
        except ImportFileError as exc:
            form.file.errors.append(str(exc))
            if upload is not None:
                importing.discard(upload)
        else:
            return redirect(url_for(".show", token=upload.token))
    recent = batches.recent(current_user)
    return render("members/import_start.html", form=form, status=400 if form.errors else 200,
                  private=True, max_mb=importing.setting("IMPORT_MAX_BYTES") // 2 ** 20,
                  more=more, query=query, recent=recent, orgs=org_names({b.org_id for b in recent}))


@bp.get("/<token>")
@login_required
def show(token: str):
    """The dry run's preview (counts; row errors, every update and every conflict, a page at a
    time), its progress, or the final summary."""
    upload = own_upload(token)
    target = db.session.get(Organisation, upload.org_id)
    if upload.state == "applied":
        batch = db.session.get(MemberImport, upload.batch_id) if upload.batch_id else None
        return render("members/import_done.html", upload=upload, report=upload.summary,
                      target=target, batch=batch, private=True)
    if upload.state == "checked":
        report = upload.report
        shown = request.args.get("list") if request.args.get("list") in LISTS else "errors"
        number = max(1, request.args.get("page", 1, type=int) or 1)
        if shown == "errors":
            page = paginate(report["messages"], number)
        else:
            total = report.get("updated" if shown == "updated" else "conflicts", 0)
            offsets = report.get("lists", {}).get(shown, [])
            number = min(number, max(1, len(offsets)))
            page = Page(read_page(importing.folder(), upload.token, shown, offsets, number), number,
                        PLAN_PAGE, total)
        return render("members/import_preview.html", upload=upload, report=report, target=target,
                      page=page, shown=shown, orgs=org_names(org_ids(page.items) if shown != "errors" else ()),
                      value=shown_value, label=field_label, private=True)
    record = db.session.get(JobRecord, upload.job_id) if upload.job_id else None
    if (record is not None and record.status in ("failed", "refused")) or upload.state == "new":
        upload.state, upload.error = "failed", upload.error or (record.message if record else None)
    return render("members/import_wait.html", upload=upload, record=record, target=target,
                  private=True)


@bp.post("/apply")
@login_required
def apply():
    """Apply a checked file: rows with errors are skipped, the others written."""
    upload = posted_upload()
    key = "import:" + upload.token
    # A second press (or a retried post on a weak line) finds the first and follows it.
    done = already_done(key)
    if done is not None or upload.state != "checked":
        return done or redirect(url_for(".show", token=upload.token))
    if commit_keyed(key, url_for(".show", token=upload.token)) is not None:
        return redirect(url_for(".show", token=upload.token))
    try:
        begin(upload, apply=True)
    except ImportFileError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".show", token=upload.token))


@bp.post("/discard")
@login_required
def discard():
    """Throw an uploaded file away without importing it."""
    upload = posted_upload()
    if upload.state not in ("checking", "applying"):
        importing.discard(upload)
        flash(_("The file was deleted; nothing was imported."), "success")
    return redirect(url_for(".start"))


def posted_upload() -> importing.Upload:
    """The upload named by a posted form's token (CSRF-checked), if it is the user's own."""
    form = TokenForm()
    if not form.validate_on_submit():
        refuse("imports")
    return own_upload(form.token.data)


def own_upload(token: str) -> importing.Upload:
    """The current user's own upload, into an organisation still in their scope; else 404."""
    upload = importing.load(token)
    if upload is None or upload.user_id != current_user.id or not can(current_user, PERMISSION,
                                                                       upload.org_id):
        refuse("imports:upload")
    return upload


def begin(upload: importing.Upload, *, apply: bool) -> None:
    """Run the dry run (or the apply) in this request, or as a job when the file is large."""
    if upload.rows_estimate > importing.setting("IMPORT_JOB_ROWS"):
        upload.state = "applying" if apply else "checking"
        importing.save(upload)  # before enqueueing: an eager job saves its own result
        try:
            record = enqueue(importing.JOB_APPLY if apply else importing.JOB_CHECK,
                             user_id=current_user.id, province_id=current_province_id(),
                             token=upload.token)
            db.session.commit()  # queued as it commits
        except JobRefused:
            log.warning("import jobs are not registered; %s rows run in the request",
                        upload.rows_estimate)
        else:
            importing.note_job(upload, record.id)
            return
    importing.execute(upload, current_user, apply=apply)


def target_choices(user, q: str = "") -> tuple[list[tuple[int, str]], bool]:
    """Organisations the user may import into, as an indented tree, and whether some were left
    out: branches go first when there are many, then grassroots organisations (a province of
    5,000 branches would make the page heavy on 3G); `q` finds any of them by name instead."""
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.level,
                                     Organisation.parent_id).where(
        Organisation.id.in_(scope_ids(user, PERMISSION)), Organisation.active.is_(True))).all()
    if q:
        wanted = fold(q)
        found = sorted((r for r in rows if wanted in fold(r.name)), key=lambda r: fold(r.name))
        return [(r.id, r.name) for r in found[:MAX_CHOICES]], len(found) > MAX_CHOICES
    more = False
    for level in (Level.BRANCH.value, Level.GRASSROOTS.value):
        if len(rows) > MAX_CHOICES:
            rows, more = [r for r in rows if r.level != level], True
    ids = {r.id for r in rows}
    under = defaultdict(list)
    for r in rows:
        under[r.parent_id if r.parent_id in ids else None].append(r)
    choices = []

    def walk(parent, depth):
        for r in sorted(under[parent], key=lambda r: fold(r.name)):
            choices.append((r.id, "— " * depth + r.name))
            walk(r.id, depth + 1)

    walk(None, 0)
    return choices, more


# --- an applied import, kept as one batch that can be undone ------------------------------------

def own_batch(import_id: int) -> MemberImport:
    """The batch, if the user imported it (and may still import there) or administers above it."""
    batch = db.session.get(MemberImport, import_id) if is_id(import_id) else None
    if batch is None or not batches.may_undo(current_user, batch):
        refuse(f"member_import:{import_id}")
    return batch


@bp.get("/batches/<int:import_id>")
@login_required
def batch(import_id: int):
    """What an applied import did, member by member, with the button that undoes it."""
    batch = own_batch(import_id)
    page = paginate(select(MemberImportChange).where(MemberImportChange.import_id == batch.id)
                    .order_by(MemberImportChange.id))
    names = dict(db.session.execute(select(Member.id, Member.full_name).where(
        Member.id.in_({c.member_id for c in page.items if c.member_id}))).all())
    rows = [(change, names.get(change.member_id), [
        (k, (change.before or {}).get(k), v) for k, v in (change.after or {}).items()]
        if change.action == "updated" else []) for change in page.items]
    ids = {v for _c, _n, triples in rows for k, old, new in triples if k == "org_id" for v in (old, new)}
    return render("members/import_batch.html", batch=batch, page=page, rows=rows, orgs=org_names(ids),
                  target=db.session.get(Organisation, batch.org_id), value=shown_value,
                  label=field_label, private=True)


@bp.post("/batches/<int:import_id>/undo")
@login_required
def undo(import_id: int):
    """Undo an applied import; a second press (or a retried post) finds it undone already."""
    batch = own_batch(import_id)
    if not ConfirmForm().validate_on_submit():
        refuse(f"member_import:{import_id}")
    report = batches.undo(batch.id, current_user)
    if report is None:
        flash(_("This import was undone already."), "success")
    else:
        flash(_("The import is undone: %(restored)s members restored, %(removed)s added members removed.",
                restored=report.restored, removed=report.removed), "success")
    return redirect(url_for(".batch", import_id=import_id))
