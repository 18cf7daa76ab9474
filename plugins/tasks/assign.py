"""The assigner's side: giving a task (to members, the whole branch, or every branch below), the
tasks given in one's part of the tree, and a task's progress — who is late, how each
organisation below stands, each branch's cascade to its members."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from core.api import (Level, Member, Organisation, already_done, children, commit_keyed, db, files,
                      granted_org_ids, is_id, new_idempotency_key, paginate, refuse, render, require, roster,
                      scope_ids)
from plugins.tasks import service
from plugins.tasks.access import ASSIGN, FILE_KINDS, MAX_FILE, followed_task, sees_task
from plugins.tasks.forms import MODE_LABELS, TaskForm
from plugins.tasks.models import (DONE, OPEN, SUBMITTED, TO_BRANCH, TO_BRANCHES, TO_MEMBERS, TasksFile, TasksRow,
                                  TasksTask)
from plugins.tasks.views import bp


def _assigning_org() -> Organisation:
    """The organisation where the task is given: ?org= (in the user's scope) or where they work."""
    raw = request.args.get("org")
    if raw is None:
        granted = granted_org_ids(current_user, ASSIGN)
        if not granted:
            abort(404)
        org_id = granted[0]
    else:
        org_id = request.args.get("org", type=int)
        if not is_id(org_id):
            refuse(f"{ASSIGN}:{raw}")
    require(current_user, ASSIGN, org_id)
    return db.session.get(Organisation, org_id)


def _task_form(org: Organisation, formdata=None) -> TaskForm:
    form = TaskForm(formdata=formdata) if formdata is not None else TaskForm()
    modes = (TO_MEMBERS, TO_BRANCH) if org.level == Level.BRANCH.value else (TO_BRANCHES,)
    form.mode.choices = [(m, MODE_LABELS[m]) for m in modes]
    if form.mode.data not in modes:
        form.mode.data = modes[0] if formdata is None else form.mode.data
    form.members.choices = ([(e.member_id, e.full_name) for e in roster(org.id)]
                            if org.level == Level.BRANCH.value else [])
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """A secretary or an administrator gives a task in their part of the tree."""
    org = _assigning_org()
    too_large = False
    now = service.local_now(org.province_id or org.id)
    today = now.date()
    form = _task_form(org, request.form if request.method == "POST" else None)
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        valid = form.validate()
        if form.due_on.data is not None and form.due_on.data < today:
            form.due_on.errors = [*form.due_on.errors, _("The deadline has passed: please choose today or a later day.")]
            valid = False
        elif form.due_on.data == today and form.due_time.data is not None and form.due_time.data <= now.time():
            form.due_time.errors = [*form.due_time.errors,
                                    _("This time of day has already passed: choose a later time or another day.")]
            valid = False
        if valid and form.mode.data == TO_MEMBERS and not form.members.data:
            form.members.errors = [_("Please choose at least one member.")]
            valid = False
        if valid:
            task = service.new_task(org, title=form.title.data.strip(), description=(form.description.data or "").strip(),
                                    method=(form.method.data or "").strip(), due_on=form.due_on.data, due_time=form.due_time.data,
                                    mode=form.mode.data, repeat=form.repeat.data, created_by_id=current_user.id,
                                    member_ids=form.members.data or ())
            rejected = _attach(task)
            if rejected is None:
                location = url_for(".task", task_id=task.id)
                if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                    return earlier
                flash(_("The task was given."), "success")
                return redirect(location)
            db.session.rollback()
            too_large = rejected.reason == "too_large"
            form.attachments.errors = [str(rejected), _("What you wrote is kept: choose the files again.")]
    else:
        form.idempotency_key.data = new_idempotency_key()
    status = 400 if form.errors else 200
    if request.method == "POST" and form.attachments.errors and too_large:
        status = 413
    return render("tasks/new.html", form=form, org=org, below=children(org)[:100], today=today,
                  max_size=files.human_size(MAX_FILE), status=status, private=True)


def _attach(task: TasksTask):
    """Keep the task's files; the first refusal (`files.FileRejected`), or None."""
    for upload in request.files.getlist("attachments"):
        if not upload or not upload.filename:
            continue
        try:
            stored = files.save_upload(upload, namespace="tasks", accept=FILE_KINDS, max_bytes=MAX_FILE,
                                       owner_id=current_user.id)
        except files.FileRejected as refused:
            return refused
        db.session.add(TasksFile(task_id=task.id, file_id=stored.id, filename=stored.filename))
    return None


@bp.get("/given")
@login_required
def given():
    """The tasks given in the user's part of the tree, newest first, with how they stand."""
    if not granted_org_ids(current_user, ASSIGN):
        abort(404)
    page = paginate(select(TasksTask).where(TasksTask.org_id.in_(scope_ids(current_user, ASSIGN)))
                    .order_by(TasksTask.created_at.desc(), TasksTask.id.desc()))
    ids = [t.id for t in page.items]
    stats = {}
    if ids:
        now = service.local_now(page.items[0].province_id)
        for task_id, total, done, late in db.session.execute(
                select(TasksRow.task_id, func.count(TasksRow.id),
                       func.count(TasksRow.id).filter(TasksRow.state == DONE),
                       func.count(TasksRow.id).filter(service.late_condition(now)))
                .where(TasksRow.task_id.in_(ids), TasksRow.branch_row_id.is_(None)).group_by(TasksRow.task_id)):
            stats[task_id] = (total, done, late)
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({t.org_id for t in page.items}))).all()) if ids else {}
    return render("tasks/given.html", page=page, stats=stats, names=names, private=True)


SHOWN = ("all", "late", "waiting", "done")


@bp.get("/<int:task_id>")
@login_required
def task(task_id: int):
    """A task's progress: figures, each organisation below, and every row (late ones on a tab)."""
    found = followed_task(task_id, current_user)
    now = service.local_now(found.province_id)
    shown = request.args.get("show", "all")
    shown = shown if shown in SHOWN else "all"
    stmt = select(TasksRow).where(TasksRow.task_id == found.id, TasksRow.branch_row_id.is_(None))
    if shown == "late":
        stmt = stmt.where(service.late_condition(now))
    elif shown == "waiting":
        stmt = stmt.where(TasksRow.state == SUBMITTED)
    elif shown == "done":
        stmt = stmt.where(TasksRow.state == DONE)
    page = paginate(stmt.order_by(TasksRow.org_id, TasksRow.id))
    orgs = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({r.org_id for r in page.items}))).all()) if page.items else {}
    people = dict(db.session.execute(select(Member.id, Member.full_name).where(
        Member.id.in_({r.member_id for r in page.items if r.member_id}))).all()) if page.items else {}
    org = db.session.get(Organisation, found.org_id)
    return render("tasks/task.html", task=found, org=org, counts=service.counts(found.id, now),
                  rollup=service.rollup(found, now) if found.mode == TO_BRANCHES else [],
                  page=page, orgs=orgs, people=people, shown=shown, now=now,
                  attachments=list(db.session.scalars(select(TasksFile).where(TasksFile.task_id == found.id))),
                  private=True)


@bp.get("/<int:task_id>/files/<int:attachment_id>")
@login_required
def task_file(task_id: int, attachment_id: int):
    """A file of the task, to its assigner's side and to everyone it reached."""
    found = db.session.get(TasksTask, task_id) if is_id(task_id) else None
    if found is None or not sees_task(found, current_user):
        refuse(f"tasks_task:{task_id}")
    attached = db.session.get(TasksFile, attachment_id) if is_id(attachment_id) else None
    if attached is None or attached.task_id != found.id:
        abort(404)
    stored = files.get(attached.file_id, "tasks")
    if stored is None:
        abort(404)
    return files.send(stored)
