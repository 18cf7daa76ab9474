"""Members' questions and opinions: sending and following them (members), the desk of each
level that receives, answers and passes them up (staff), and the overdue list
(blueprint "feedback", /feedback)."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import (Organisation, already_done, audit, commit_keyed, current_province_id, db, files,
                      new_idempotency_key, paginate, render)
from plugins.feedback import routing
from plugins.feedback.access import (FILE_KINDS, MAX_FILE, asked_question, asker_label, deadline_days,
                                     desk_ids, held_question, is_asker, overdue_condition, own_user_id,
                                     readable_question, staff_questions)
from plugins.feedback.forms import AnswerForm, CloseForm, ForwardForm, ReplyForm, SendForm
from plugins.feedback.models import ANSWERED, CLOSED, OPEN_STATES, STATES, FeedbackQuestion

bp = Blueprint("feedback", __name__, url_prefix="/feedback", template_folder="templates")


def state_label(status: str) -> str:
    return {"sent": _("Sent"), "received": _("Received"), "forwarded": _("Passed up"),
            "answered": _("Answered"), "closed": _("Closed")}.get(status, status)


@bp.app_template_filter("feedback_state")
def _state_filter(status: str) -> str:
    return state_label(status)


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


def _asker_only():
    if own_user_id(current_user) is None or current_user.home_org_id is None:
        abort(404)


@bp.get("/")
@login_required
def index():
    """A member's own questions and their states."""
    _asker_only()
    mine = paginate(select(FeedbackQuestion).where(FeedbackQuestion.asker_id == current_user.id)
                    .order_by(FeedbackQuestion.created_at.desc(), FeedbackQuestion.id.desc()))
    return render("feedback/index.html", questions=mine,
                  names=_names(q.holder_org_id for q in mine.items), private=True)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """A member sends a question or an opinion to the branch."""
    _asker_only()
    form = SendForm()
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        if form.validate():
            file_id = None
            upload = form.attachment.data
            if upload and getattr(upload, "filename", ""):
                try:
                    stored = files.save_upload(upload, namespace="feedback", accept=FILE_KINDS,
                                               max_bytes=MAX_FILE, sensitive=True, owner_id=current_user.id)
                    file_id = stored.id
                except files.FileRejected as refused:
                    form.attachment.errors = [str(refused), _("Your text is kept: choose the file again or send without it.")]
            if not form.attachment.errors:
                question = routing.send(asker_id=current_user.id, org_id=current_user.home_org_id,
                                        topic=form.topic.data.strip(), text=form.text.data.strip(),
                                        kind=form.kind.data, show_name=form.show_name.data, file_id=file_id)
                location = url_for(".show", question_id=question.id)
                if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                    return earlier
                flash(_("Your question was sent to your branch."), "success")
                return redirect(location)
            db.session.rollback()
    else:
        form.idempotency_key.data = new_idempotency_key()
    return render("feedback/new.html", form=form, max_size=files.human_size(MAX_FILE),
                  status=400 if form.errors else 200, private=True)


def _show(question, *, status=200, **forms):
    user = current_user
    holder_acts = question.holder_org_id in desk_ids(user)
    staff = not is_asker(question, user) or bool(desk_ids(user))
    names = _names([question.org_id, question.holder_org_id]
                   + [s.org_id for s in question.steps] + [s.to_org_id for s in question.steps])
    waiting = question.status in OPEN_STATES
    context = dict(question=question, names=names, asker=asker_label(question, user, names.get(question.org_id)),
                   staff=staff and not is_asker(question, user), holder_acts=holder_acts and waiting,
                   may_close=holder_acts and question.status != CLOSED,
                   asker_acts=is_asker(question, user) and question.status == ANSWERED,
                   may_publish=(not is_asker(question, user) and bool(desk_ids(user))
                                and question.status in (ANSWERED, CLOSED) and answer_of(question) is not None))
    if context["holder_acts"]:
        forward = forms.get("forward_form") or ForwardForm(formdata=None)
        forward.target.choices = [(o.id, o.name) for o in routing.levels_above(question)]
        forms["forward_form"] = forward
        forms.setdefault("answer_form", AnswerForm(formdata=None))
    if context["may_close"]:
        forms.setdefault("close_form", CloseForm(formdata=None))
    if context["asker_acts"] and not question.replied:
        forms.setdefault("reply_form", ReplyForm(formdata=None))
    return render("feedback/show.html", status=status, private=True, **context, **forms)


def answer_of(question):
    answers = [s for s in question.steps if s.kind == "answered"]
    return answers[-1] if answers else None


@bp.get("/<int:question_id>")
@login_required
def show(question_id: int):
    """The question, its way up and its answer, as this reader may see it."""
    question = readable_question(question_id, current_user, current_province_id())
    if question.holder_org_id in desk_ids(current_user) and not is_asker(question, current_user):
        if routing.mark_received(question, current_user.id):
            db.session.commit()
    return _show(question)


@bp.get("/<int:question_id>/file")
@login_required
def attachment(question_id: int):
    """The photo or file sent with the question, to whoever may read the question."""
    question = readable_question(question_id, current_user, current_province_id())
    stored = files.get(question.file_id, "feedback") if question.file_id else None
    if stored is None:
        abort(404)
    return files.send(stored)


def _act(question, step, form, form_name):
    """Run one routing step; a refused step shows the page again with the message, text kept."""
    try:
        step()
    except routing.RoutingError as refused:
        db.session.rollback()
        flash(str(refused), "error")
        db.session.refresh(question)
        return _show(question, status=400, **{form_name: form})
    db.session.commit()
    return None


@bp.post("/<int:question_id>/answer")
@login_required
def answer(question_id: int):
    """The level holding the question answers it; the asker is told in the inbox."""
    question = held_question(question_id, current_user)
    form = AnswerForm()
    if not form.validate():
        return _show(question, status=400, answer_form=form)
    refused = _act(question, lambda: routing.answer(question, form.text.data.strip(), current_user.id),
                   form, "answer_form")
    if refused is not None:
        return refused
    flash(_("The answer was sent to the member."), "success")
    return redirect(url_for(".show", question_id=question.id))


@bp.post("/<int:question_id>/forward")
@login_required
def forward(question_id: int):
    """The level holding the question passes it to a level above, with a note."""
    question = held_question(question_id, current_user)
    form = ForwardForm()
    form.target.choices = [(o.id, o.name) for o in routing.levels_above(question)]
    if not form.validate():
        return _show(question, status=400, forward_form=form)
    refused = _act(question, lambda: routing.move_up(question, form.target.data, actor_id=current_user.id,
                                                     note=(form.note.data or "").strip()),
                   form, "forward_form")
    if refused is not None:
        return refused
    flash(_("The question was passed up."), "success")
    return redirect(url_for(".desk"))


@bp.post("/<int:question_id>/close")
@login_required
def close(question_id: int):
    """The level holding it closes it (an opinion taken note of, a duplicate)."""
    question = held_question(question_id, current_user)
    form = CloseForm()
    if not form.validate():
        return _show(question, status=400, close_form=form)
    refused = _act(question, lambda: routing.close(question, current_user.id, (form.note.data or "").strip()),
                   form, "close_form")
    if refused is not None:
        return refused
    flash(_("The question was closed."), "success")
    return redirect(url_for(".show", question_id=question.id))


@bp.post("/<int:question_id>/reply")
@login_required
def reply(question_id: int):
    """The asker writes once more after the answer."""
    question = asked_question(question_id, current_user)
    form = ReplyForm()
    if not form.validate():
        return _show(question, status=400, reply_form=form)
    refused = _act(question, lambda: routing.reply(question, form.text.data.strip(), current_user.id),
                   form, "reply_form")
    if refused is not None:
        return refused
    flash(_("Your reply was sent."), "success")
    return redirect(url_for(".show", question_id=question.id))


@bp.post("/<int:question_id>/rate")
@login_required
def rate(question_id: int):
    """The asker says whether the answer helped (which closes the question)."""
    question = asked_question(question_id, current_user)
    helped = request.form.get("helped")
    if helped not in ("yes", "no"):
        flash(_("Please say whether the answer helped."), "error")
        return _show(question, status=400)
    refused = _act(question, lambda: routing.rate(question, helped == "yes", current_user.id),
                   CloseForm(formdata=None), "rate_form")
    if refused is not None:
        return refused
    flash(_("Thank you, your view was recorded."), "success")
    return redirect(url_for(".show", question_id=question.id))


def _desk_statement(status: str):
    stmt = staff_questions(current_user)
    if status == "open":
        stmt = stmt.where(FeedbackQuestion.status.in_(OPEN_STATES),
                          FeedbackQuestion.holder_org_id.in_(desk_ids(current_user)))
    elif status in STATES:
        stmt = stmt.where(FeedbackQuestion.status == status)
    return stmt.order_by(FeedbackQuestion.held_since.desc(), FeedbackQuestion.id.desc())


def _staff_only():
    if not desk_ids(current_user):
        abort(404)


@bp.get("/desk")
@login_required
def desk():
    """The questions that reached the user's level: waiting ones first."""
    _staff_only()
    shown = request.args.get("status", "open")
    if shown not in STATES + ("open", "all"):
        shown = "open"
    page = paginate(_desk_statement(shown))
    names = _names([q.org_id for q in page.items] + [q.holder_org_id for q in page.items])
    rows = [(q, asker_label(q, current_user, names.get(q.org_id))) for q in page.items]
    return render("feedback/desk.html", page=page, rows=rows, names=names, shown=shown,
                  deadline=deadline_days(current_province_id()), private=True)


@bp.get("/desk.csv")
@login_required
def export():
    """The questions that reached the user's level as a spreadsheet, names as the reader may see them."""
    _staff_only()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Number"), _("Sent on"), _("From"), _("Branch"), _("Held by"), _("State"),
                     _("Topic"), _("Question or opinion"), _("Answer")])
    questions = list(db.session.scalars(_desk_statement("all").limit(5000)))
    names = _names([q.org_id for q in questions] + [q.holder_org_id for q in questions])
    for q in questions:
        given = answer_of(q)
        writer.writerow([q.id, q.created_at.strftime("%d/%m/%Y"), asker_label(q, current_user, names.get(q.org_id)),
                         names.get(q.org_id, ""), names.get(q.holder_org_id, ""), state_label(q.status),
                         q.topic, q.text, given.text if given else ""])
    audit("feedback.export", f"user:{current_user.id}", rows=len(questions))
    db.session.commit()
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=cau-hoi.csv",
                             "Cache-Control": "no-store"})


@bp.get("/overdue")
@login_required
def overdue():
    """Open questions past the deadline, held by the user's level or the level just below it."""
    _staff_only()
    province_id = current_province_id()
    page = paginate(select(FeedbackQuestion).where(overdue_condition(current_user, province_id))
                    .order_by(FeedbackQuestion.held_since, FeedbackQuestion.id))
    names = _names([q.org_id for q in page.items] + [q.holder_org_id for q in page.items])
    rows = [(q, asker_label(q, current_user, names.get(q.org_id))) for q in page.items]
    return render("feedback/overdue.html", page=page, rows=rows, names=names,
                  deadline=deadline_days(province_id), private=True)
