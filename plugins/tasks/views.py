"""A task as the people it reaches use it: "Việc của tôi", one row's page with its history, and
the steps on it — accepting, reporting progress with a photo, asking for more time, and, for the
staff above, accepting or sending back a report, deciding on more time, passing a branch's share
on to members (blueprint "tasks", /tasks)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import case, select

from core.api import (Member, Organisation, already_done, can, has_any, commit_keyed, current_province_id, db, files,
                      new_idempotency_key, paginate, render, roster)
from plugins.tasks import service
from plugins.tasks.access import (ASSIGN, FILE_KINDS, MAX_FILE, followed_row, is_own, own_member_id, own_row,
                                  readable_row, staff_over)
from plugins.tasks.forms import DecisionForm, ExtensionForm, PassOnForm, ReportForm
from plugins.tasks.models import DONE, NEW, OPEN, SUBMITTED, TasksFile, TasksReport, TasksRow, TasksTask

bp = Blueprint("tasks", __name__, url_prefix="/tasks", template_folder="templates")


def state_label(state: str) -> str:
    return {"new": _("New"), "accepted": _("Accepted"), "working": _("In progress"),
            "submitted": _("Done, waiting for acceptance"), "done": _("Done"), "returned": _("Sent back"),
            "passed": _("Passed on to members")}.get(state, state)


@bp.app_template_filter("tasks_state")
def _state_filter(state: str) -> str:
    return state_label(state)


@bp.app_template_filter("tasks_deadline")
def _deadline_filter(item) -> str:
    return service.deadline(item)


@bp.app_template_filter("tasks_late")
def _late_filter(row, now) -> bool:
    return service.is_late(row, now)


def _now():
    return service.local_now(current_province_id())


def my_rows(member_id: int, now, finished: bool = False):
    """A member's rows: late first, then by deadline (finished ones on their own tab)."""
    late = service.late_condition(now)
    stmt = select(TasksRow).where(TasksRow.member_id == member_id)
    if finished:
        return stmt.where(TasksRow.state == DONE).order_by(TasksRow.done_at.desc(), TasksRow.id.desc())
    return stmt.where(TasksRow.state.in_(OPEN)).order_by(case((late, 0), else_=1), TasksRow.due_on,
                                                          TasksRow.due_time, TasksRow.id)


def tasks_of(rows) -> dict[int, TasksTask]:
    ids = {r.task_id for r in rows}
    if not ids:
        return {}
    return {t.id: t for t in db.session.scalars(select(TasksTask).where(TasksTask.id.in_(ids)))}


@bp.get("/")
@login_required
def index():
    """"Việc của tôi": the member's tasks, late first; the branch's share to pass on, for staff."""
    if current_user.is_helper:
        abort(404)
    now = _now()
    finished = request.args.get("show") == "done"
    member = own_member_id(current_user)
    page = paginate(my_rows(member, now, finished)) if member is not None else None
    incoming = []
    if current_user.home_org_id is not None and staff_over_org(current_user.home_org_id):
        incoming = list(db.session.execute(
            select(TasksRow, TasksTask).join(TasksTask, TasksTask.id == TasksRow.task_id)
            .where(TasksRow.org_id == current_user.home_org_id, TasksRow.member_id.is_(None),
                   TasksRow.state != DONE).order_by(TasksRow.due_on, TasksRow.id).limit(20)).all())
    tasks = tasks_of((page.items if page else []) + [r for r, _t in incoming])
    return render("tasks/index.html", page=page, tasks=tasks, incoming=incoming, now=now,
                  finished=finished, has_assign=has_any(current_user, ASSIGN), private=True)


def staff_over_org(org_id: int) -> bool:
    return can(current_user, ASSIGN, org_id)


def _row_context(row: TasksRow, **forms):
    task = db.session.get(TasksTask, row.task_id)
    now = _now()
    own, staff = is_own(row, current_user), staff_over(row, current_user)
    pending = service.pending_extension(row)
    history = list(db.session.scalars(select(TasksReport).where(TasksReport.row_id == row.id)
                                      .order_by(TasksReport.id.desc()).limit(50)))
    member = db.session.get(Member, row.member_id) if row.member_id else None
    branch = db.session.get(Organisation, row.org_id)
    context = dict(row=row, task=task, own=own, staff=staff, pending=pending, history=history, member=member,
                   branch=branch, follows_task=can(current_user, ASSIGN, task.org_id), late=service.is_late(row, now), now=now,
                   attachments=list(db.session.scalars(select(TasksFile).where(TasksFile.task_id == task.id))),
                   max_size=files.human_size(MAX_FILE))
    if own and row.member_id is not None:
        if row.state == NEW:
            forms.setdefault("accept", True)
        if row.state not in (DONE, SUBMITTED):
            report = forms.get("report_form") or ReportForm(formdata=None, percent=str(row.percent))
            if not report.idempotency_key.data:
                report.idempotency_key.data = new_idempotency_key()
            forms["report_form"] = report
            if pending is None:
                extension = forms.get("extension_form") or ExtensionForm(formdata=None)
                if not extension.idempotency_key.data:
                    extension.idempotency_key.data = new_idempotency_key()
                forms["extension_form"] = extension
    if staff and row.member_id is not None:
        if row.state == SUBMITTED:
            forms.setdefault("review_form", _decision_form("review"))
        if pending is not None:
            forms.setdefault("decide_form", _decision_form("extension"))
    if staff and row.member_id is None:
        context["children"] = list(db.session.execute(
            select(TasksRow, Member.full_name).join(Member, Member.id == TasksRow.member_id)
            .where(TasksRow.branch_row_id == row.id).order_by(Member.full_name, TasksRow.id).limit(200)).all())
        if row.state != DONE:
            forms.setdefault("pass_form", _pass_form(row))
    return {**context, **forms}


def _decision_form(kind: str, formdata=None) -> DecisionForm:
    form = DecisionForm(formdata=formdata, prefix=kind)
    form.decision.choices = ([("accept", _("Accept: the task is done")), ("return", _("Send back to be done again"))]
                             if kind == "review" else
                             [("grant", _("Grant the new deadline")), ("refuse", _("Refuse"))])
    return form


def _pass_form(row: TasksRow, formdata=None) -> PassOnForm:
    form = PassOnForm(formdata=formdata)
    have = set(db.session.scalars(select(TasksRow.member_id).where(TasksRow.branch_row_id == row.id)))
    form.members.choices = [(e.member_id, e.full_name) for e in roster(row.org_id) if e.member_id not in have]
    return form


def _show(row: TasksRow, status: int = 200, **forms):
    return render("tasks/row.html", status=status, private=True, **_row_context(row, **forms))


@bp.get("/row/<int:row_id>")
@login_required
def row(row_id: int):
    """One person's (or one branch's) share of a task: what to do, the deadline, the history."""
    return _show(readable_row(row_id, current_user))


def _refused(row, error: service.TaskError, **forms):
    db.session.rollback()
    flash(str(error), "error")
    db.session.refresh(row)
    return _show(row, status=error.status, **forms)


@bp.post("/row/<int:row_id>/accept")
@login_required
def accept(row_id: int):
    """The member accepts the task given to them."""
    found = own_row(row_id, current_user)
    try:
        service.accept(found, current_user.id)
    except service.TaskError as error:
        return _refused(found, error)
    db.session.commit()
    flash(_("You have accepted the task."), "success")
    return redirect(url_for(".row", row_id=found.id))


@bp.post("/row/<int:row_id>/report")
@login_required
def report(row_id: int):
    """The member reports progress (percent, what was done, a photo); saved once over 3G."""
    found = own_row(row_id, current_user)
    form = ReportForm()
    done = already_done(form.idempotency_key.data)
    if done:
        return done
    if not form.validate():
        return _show(found, status=400, report_form=form)
    file_id = None
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        try:
            file_id = files.save_upload(upload, namespace="tasks", accept=FILE_KINDS, max_bytes=MAX_FILE,
                                        owner_id=current_user.id).id
        except files.FileRejected as refused:
            db.session.rollback()
            form.photo.errors = [str(refused), _("Your text is kept: choose the file again or send without it.")]
            return _show(found, status=413 if refused.reason == "too_large" else 400, report_form=form)
    try:
        service.report(found, form.percent.number, form.text.data.strip(), current_user.id, file_id)
    except service.TaskError as error:
        return _refused(found, error, report_form=form)
    location = url_for(".row", row_id=found.id)
    if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
        return earlier
    flash(_("Your report was sent.") if found.state != SUBMITTED
          else _("The task is marked done; the assigner will accept it."), "success")
    return redirect(location)


@bp.post("/row/<int:row_id>/extend")
@login_required
def extend(row_id: int):
    """The member asks for more time, with a reason."""
    found = own_row(row_id, current_user)
    form = ExtensionForm()
    done = already_done(form.idempotency_key.data)
    if done:
        return done
    if not form.validate():
        return _show(found, status=400, extension_form=form)
    try:
        service.ask_extension(found, form.due_on.data, form.reason.data.strip(), current_user.id)
    except service.TaskError as error:
        return _refused(found, error, extension_form=form)
    location = url_for(".row", row_id=found.id)
    if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
        return earlier
    flash(_("Your request for more time was sent."), "success")
    return redirect(location)


def _answer(row_id: int, kind: str, form_name: str, apply):
    """The staff above answer a finished report or a request for more time (`apply(row, yes, comment)`)."""
    found = followed_row(row_id, current_user)
    form = _decision_form(kind, request.form)
    if not form.validate():
        return _show(found, status=400, **{form_name: form})
    try:
        apply(found, form.decision.data in ("accept", "grant"), (form.comment.data or "").strip())
    except service.TaskError as error:
        return _refused(found, error)
    db.session.commit()
    flash(_("Your answer was sent to the member."), "success")
    return redirect(url_for(".row", row_id=found.id))


@bp.post("/row/<int:row_id>/review")
@login_required
def review(row_id: int):
    """The staff above accept a finished task or send it back with a comment."""
    return _answer(row_id, "review", "review_form",
                   lambda row, yes, comment: service.review(row, yes, comment, current_user.id))


@bp.post("/row/<int:row_id>/decide")
@login_required
def decide(row_id: int):
    """The staff above grant or refuse more time."""
    return _answer(row_id, "extension", "decide_form",
                   lambda row, yes, comment: service.decide_extension(row, yes, comment, current_user.id))


@bp.post("/row/<int:row_id>/pass")
@login_required
def pass_on(row_id: int):
    """The branch secretary passes the branch's share on to members of the branch."""
    found = followed_row(row_id, current_user)
    form = _pass_form(found, request.form)
    if not form.validate() or not form.members.data:
        if not form.members.errors:
            form.members.errors = [_("Please choose at least one member.")]
        return _show(found, status=400, pass_form=form)
    try:
        made = service.pass_on(found, form.members.data, current_user.id)
    except service.TaskError as error:
        return _refused(found, error)
    db.session.commit()
    flash(_("The task was passed on to %(n)s member(s).", n=made), "success")
    return redirect(url_for(".row", row_id=found.id))


@bp.get("/row/<int:row_id>/evidence/<int:report_id>")
@login_required
def evidence(row_id: int, report_id: int):
    """The photo or file sent with a report, to the member and the staff above."""
    found = readable_row(row_id, current_user)
    step = db.session.get(TasksReport, report_id)
    if step is None or step.row_id != found.id or step.file_id is None:
        abort(404)
    stored = files.get(step.file_id, "tasks")
    if stored is None:
        abort(404)
    return files.send(stored)
