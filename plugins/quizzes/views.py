"""The contestant's side (blueprint "quizzes", /quizzes): the contests addressed to them, an
attempt one question per page or all on one page, handing in, the result.

Every answer is saved on the server when it is chosen (htmx posts the question's fieldset on
change) or when its page is sent (without JavaScript): the same post again is harmless, a
changed answer keeps the last choice. The clock is the server's (service.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import audit, db, render, utcnow
from plugins.quizzes import service
from plugins.quizzes.access import addressed, manages, own_attempt, readable_contest
from plugins.quizzes.forms import LETTERS, StartForm
from plugins.quizzes.models import QuizContest, QuizQuestion

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes", template_folder="templates")


@bp.app_template_filter("quizzes_clock")
def _clock(seconds: int) -> str:
    minutes, seconds = divmod(max(0, int(seconds)), 60)
    return _("%(m)s min %(s)s s", m=minutes, s=f"{seconds:02d}")


@bp.get("/")
@login_required
def index():
    """The contests addressed to the member: open ones first, then those closed."""
    now = utcnow()
    contests = service.contests_for(current_user)
    running = [c for c in contests if service.is_open(c, now)]
    later = [c for c in contests if c.opens_at > now]
    closed = [c for c in contests if c.closes_at <= now][:20]
    return render("quizzes/index.html", running=running, later=later, closed=closed, private=True)


@bp.get("/<int:contest_id>")
@login_required
def contest(contest_id: int):
    """The contest's rules and window; start, continue, or read one's results."""
    found = readable_contest(contest_id)
    taker = addressed(found)
    running = service.open_attempt(found, current_user) if taker else None  # closed if its time is up
    mine = service.attempts_of(found, current_user) if taker else []
    may_start = (taker and service.is_open(found) and running is None
                 and len(mine) < found.attempts_allowed)
    return render("quizzes/contest.html", contest=found, attempts=mine, running=running, may_start=may_start,
                  form=StartForm(formdata=None), organiser=manages(found), now=utcnow(), private=True)


def _refusal(message: str, status: int, attempt=None, contest=None):
    """A post that cannot be taken: the reason in Vietnamese, and the way back."""
    return render("quizzes/refused.html", message=message, attempt=attempt, contest=contest,
                  status=status, private=True)


@bp.post("/<int:contest_id>/start")
@login_required
def start(contest_id: int):
    """Start an attempt (or find the one already running: never two open at once)."""
    found = readable_contest(contest_id)
    if not addressed(found):
        abort(404)
    form = StartForm()
    try:
        attempt = service.start(found, current_user)
    except service.Refused as refused:
        return _refusal(str(refused), refused.status, contest=found)
    if form.layout.data == "all" and not attempt.one_page and attempt.answered == 0:
        attempt.one_page = True
        db.session.commit()
    return redirect(_where(attempt))


def _where(attempt, position: int | None = None) -> str:
    if attempt.submitted_at is not None:
        return url_for(".result", attempt_id=attempt.id)
    if attempt.one_page:
        return url_for(".paper", attempt_id=attempt.id)
    if position is None:  # the first question not answered yet
        saved = service.answers_of(attempt)
        position = next((n for n, qid in enumerate(attempt.question_ids, 1) if qid not in saved),
                        len(attempt.question_ids))
    return url_for(".question", attempt_id=attempt.id, position=position)


def _shown(attempt, question: QuizQuestion) -> list[tuple[int, str, str]]:
    """The options as this contestant sees them: (stored index, letter shown, text)."""
    order = attempt.orders.get(str(question.id)) or list(range(len(question.options)))
    return [(index, LETTERS[n], question.options[index]) for n, index in enumerate(order)
            if index < len(question.options)]


def _running(attempt_id: int):
    """The contestant's own attempt, still running; a closed one (time up) goes to its result."""
    attempt = own_attempt(attempt_id)
    service.close_if_expired(attempt)
    if attempt.submitted_at is not None:
        return attempt, redirect(url_for(".result", attempt_id=attempt.id))
    return attempt, None


@bp.get("/attempts/<int:attempt_id>")
@login_required
def overview(attempt_id: int):
    """Every question of the attempt, answered or not, and the hand-in button."""
    attempt, closed = _running(attempt_id)
    if closed:
        return closed
    saved = service.answers_of(attempt)
    rows = [(n, qid in saved) for n, qid in enumerate(attempt.question_ids, 1)]
    return render("quizzes/overview.html", attempt=attempt, contest=db.session.get(QuizContest, attempt.contest_id),
                  rows=rows, answered=len(saved), left=service.seconds_left(attempt), private=True)


@bp.get("/attempts/<int:attempt_id>/<int:position>")
@login_required
def question(attempt_id: int, position: int):
    """One question of the draw, with the answer already saved ticked and the time left."""
    attempt, closed = _running(attempt_id)
    if closed:
        return closed
    if not 1 <= position <= len(attempt.question_ids):
        abort(404)
    qid = attempt.question_ids[position - 1]
    found = db.session.get(QuizQuestion, qid)
    saved = service.answers_of(attempt)
    return render("quizzes/question.html", attempt=attempt, question=found, position=position,
                  total=len(attempt.question_ids), options=_shown(attempt, found), picked=saved.get(qid, []),
                  answered=len(saved), left=service.seconds_left(attempt), private=True)


@bp.get("/attempts/<int:attempt_id>/paper")
@login_required
def paper(attempt_id: int):
    """All the questions on one page (the contestant's choice): one form, each question saved on change."""
    attempt, closed = _running(attempt_id)
    if closed:
        return closed
    questions = {q.id: q for q in db.session.scalars(select(QuizQuestion).where(
        QuizQuestion.id.in_(attempt.question_ids)))}
    saved = service.answers_of(attempt)
    items = [(n, questions[qid], _shown(attempt, questions[qid]), saved.get(qid, []))
             for n, qid in enumerate(attempt.question_ids, 1) if qid in questions]
    return render("quizzes/paper.html", attempt=attempt, items=items, answered=len(saved),
                  total=len(attempt.question_ids), left=service.seconds_left(attempt), private=True)


def _choices_of(question_id: int) -> list[int] | None:
    """The ticked options of one question as posted (`q<id>`); None when one is not a number."""
    try:
        return [int(value) for value in request.form.getlist(f"q{question_id}")]
    except ValueError:
        return None


def _autosave() -> bool:
    """htmx's post of one question's answers on change (its target is the question's status line)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target", "").startswith("saved-")


def _refuse_post(attempt, refused: service.Refused, question_id=None):
    audit("quizzes.answer_refused", f"quizzes_attempt:{attempt.id}", question=question_id, reason=str(refused)[:80])
    db.session.commit()
    if _autosave():
        return render("quizzes/saved.html", message=str(refused), error=True, status=refused.status, private=True)
    return _refusal(str(refused), refused.status, attempt=attempt)


@bp.post("/attempts/<int:attempt_id>/answer")
@login_required
def answer(attempt_id: int):
    """Save one question's answer, then go where the contestant pressed (next, previous, the list)."""
    attempt = own_attempt(attempt_id)
    question_id = request.form.get("question", type=int)
    choices = _choices_of(question_id) if question_id is not None else None
    try:
        if question_id is None or choices is None:
            raise service.Refused(_("This question is not part of your contest paper."), status=400)
        saved = service.save_answer(attempt, question_id, choices)
    except service.Refused as refused:
        return _refuse_post(attempt, refused, question_id)
    if _autosave():
        return render("quizzes/saved.html", message=_("Saved.") if saved.choices else _("Not answered yet."),
                      error=False, private=True)
    position = attempt.question_ids.index(question_id) + 1
    go = request.form.get("go", "next")
    if go == "list" or (go == "next" and position >= len(attempt.question_ids)):
        return redirect(url_for(".overview", attempt_id=attempt.id))
    step = -1 if go == "prev" else 1
    return redirect(url_for(".question", attempt_id=attempt.id,
                            position=min(max(1, position + step), len(attempt.question_ids))))


@bp.post("/attempts/<int:attempt_id>/paper")
@login_required
def save_paper(attempt_id: int):
    """Save every answer of the one-page paper at once (without JavaScript, or before handing in)."""
    attempt = own_attempt(attempt_id)
    try:
        service.check_open(attempt)
        for qid in attempt.question_ids:
            choices = _choices_of(qid)
            if choices is None:
                raise service.Refused(_("Please choose from the answers shown."), status=400)
            if choices:  # a question left blank keeps what its autosave stored
                service.save_answer(attempt, qid, choices)
    except service.Refused as refused:
        return _refuse_post(attempt, refused)
    if request.form.get("go") == "submit":
        return _hand_in(attempt)
    flash(_("Your answers are saved."), "success")
    return redirect(url_for(".overview", attempt_id=attempt.id))


def _hand_in(attempt):
    late = utcnow() > attempt.deadline + service.GRACE
    service.finish(attempt, by="time" if late else "person")
    db.session.commit()
    flash(_("Time was up: your attempt was handed in with the answers saved before the end.") if late
          else _("Your attempt is handed in."), "success")
    return redirect(url_for(".result", attempt_id=attempt.id))


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    """Hand the attempt in with what was saved (sent twice: the first counts)."""
    attempt = own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for(".result", attempt_id=attempt.id))
    return _hand_in(attempt)


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    """The score and time taken; each answer with the right one and why, when the contest shows them."""
    attempt = own_attempt(attempt_id)
    service.close_if_expired(attempt)
    if attempt.submitted_at is None:
        return redirect(url_for(".overview", attempt_id=attempt.id))
    found = db.session.get(QuizContest, attempt.contest_id)
    visible = service.results_visible(found)
    review = []
    if visible:
        questions = {q.id: q for q in db.session.scalars(select(QuizQuestion).where(
            QuizQuestion.id.in_(attempt.question_ids)))}
        saved = service.answers_of(attempt)
        for n, qid in enumerate(attempt.question_ids, 1):
            q = questions.get(qid)
            if q is None:
                continue
            letters = {index: letter for index, letter, _text in _shown(attempt, q)}
            review.append({"n": n, "question": q, "options": _shown(attempt, q),
                           "picked": saved.get(qid, []), "right": sorted(saved.get(qid, [])) == sorted(q.correct),
                           "correct": [letters.get(i, "") for i in q.correct]})
    return render("quizzes/result.html", attempt=attempt, contest=found, visible=visible, review=review,
                  total=len(attempt.question_ids), private=True)
