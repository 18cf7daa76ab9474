"""The example plugin's pages: a branch's notes, scoped with the core's helper."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired

from core.api import (JobRefused, already_done, can, commit_keyed, current_province_id, db,
                      enqueue, get_scoped, new_idempotency_key, paginate, render, require)
from plugins._example.models import ExampleNote

bp = Blueprint("_example", __name__, url_prefix="/example", template_folder="templates")
MANAGE = "_example.manage"


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Note"), validators=[DataRequired(_l("Please write the note."))])
    idempotency_key = HiddenField()


def _branch_id() -> int:
    """The branch shown: the user's own, or (?org=) one the user manages."""
    org_id = request.args.get("org", type=int)
    if org_id is None or org_id == current_user.home_org_id:
        if current_user.home_org_id is None:
            abort(404)
        return current_user.home_org_id
    require(current_user, MANAGE, org_id)
    return org_id


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """A member reads the branch's notes and adds one; a secretary can tidy old ones away."""
    org_id = _branch_id()
    form = NoteForm()
    if request.method == "POST":
        if current_user.is_helper:  # family helpers only read
            abort(404)
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        if form.validate():
            db.session.add(ExampleNote(org_id=org_id, author_id=current_user.id,
                                       text=form.text.data.strip()))
            location = url_for(".index", org=request.args.get("org"))
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("Your note was saved."), "success")
            return redirect(location)
    else:
        form.idempotency_key.data = new_idempotency_key()
    notes = paginate(select(ExampleNote).where(ExampleNote.org_id == org_id,
                                               ExampleNote.archived.is_(False))
                     .order_by(ExampleNote.created_at.desc(), ExampleNote.id.desc()))
    return render("_example/index.html", form=form, notes=notes, org_id=org_id,
                  may_archive=can(current_user, MANAGE, org_id),
                  status=400 if form.errors else 200, private=True)


@bp.get("/<int:note_id>")
@login_required
def note(note_id: int):
    """Read one note: of the user's own branch, or of a branch the user manages."""
    found = get_scoped(ExampleNote, note_id, current_user, MANAGE, home=True)
    return render("_example/note.html", note=found, private=True)


@bp.post("/archive")
@login_required
def archive():
    """A secretary archives the branch's notes older than 30 days, as a background job."""
    org_id = _branch_id()
    require(current_user, MANAGE, org_id)
    try:
        record = enqueue("_example.archive", user_id=current_user.id,
                         province_id=current_province_id(), org_id=org_id, days=30)
    except JobRefused:
        abort(404)
    db.session.commit()  # queued as it commits
    return redirect(url_for("jobs.status", job_id=record.id))
