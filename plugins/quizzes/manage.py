"""The organiser's side (blueprint "quizzes", /quizzes/manage and /quizzes/bank): the question
bank, contests for the organisations below, results, rankings and the Excel export."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from core.api import (SECRETARY, Audience, Organisation, already_done, ancestor_ids, can, commit_keyed,
                      current_province_id, db, local_to_utc, new_idempotency_key, notify_audience, paginate,
                      render, scope_ids, to_local, utcnow)
from plugins.quizzes import people, results, service
from plugins.quizzes.access import ORGANISE, desks, managed_contest, managed_question
from plugins.quizzes.forms import LEVELS, MAX_TOPICS, ContestForm, QuestionForm
from plugins.quizzes.models import LIST, MULTIPLE, SECRETARIES, QuizContest, QuizQuestion
from plugins.quizzes.views import bp


def _organisers_only() -> list[Organisation]:
    found = desks()
    if not found:
        abort(404)
    return found


def _bank_scope():
    """The questions an organiser may draw on: their subtree's banks and the banks above them."""
    above = [QuizQuestion.org_id.in_(ancestor_ids(org.id)) for org in desks()]
    return or_(QuizQuestion.org_id.in_(scope_ids(current_user, ORGANISE)), *above)


@bp.get("/bank")
@login_required
def bank():
    """The questions of the organiser's banks, by topic."""
    _organisers_only()
    topic = request.args.get("topic", "")
    stmt = select(QuizQuestion).where(QuizQuestion.org_id.in_(scope_ids(current_user, ORGANISE)))
    if topic:
        stmt = stmt.where(QuizQuestion.topic == topic)
    page = paginate(stmt.order_by(QuizQuestion.topic, QuizQuestion.id))
    topics = list(db.session.scalars(select(QuizQuestion.topic).distinct().where(
        QuizQuestion.org_id.in_(scope_ids(current_user, ORGANISE))).order_by(QuizQuestion.topic).limit(100)))
    return render("quizzes/bank.html", page=page, topic=topic, topics=topics, private=True)


def _fill_question(question: QuizQuestion, form: QuestionForm) -> None:
    question.org_id = form.org_id.data
    question.topic = form.topic.data.strip()
    question.difficulty = form.difficulty.data
    question.kind = form.kind.data
    question.text = form.text.data.strip()
    question.options = form.options()
    question.correct = sorted(form.correct.data)
    question.explanation = (form.explanation.data or "").strip()
    question.source = (form.source.data or "").strip()
    question.practice = bool(form.practice.data)


@bp.route("/bank/new", methods=["GET", "POST"])
@login_required
def question_new():
    """The organiser writes a question: one or several right answers, an explanation, its source."""
    orgs = _organisers_only()
    form = QuestionForm()
    form.org_id.choices = [(o.id, o.name) for o in orgs]
    if request.method == "POST":
        if (done := already_done(form.idempotency_key.data)) is not None:
            return done
        if form.validate():
            question = QuizQuestion(created_by_id=current_user.id)
            _fill_question(question, form)
            db.session.add(question)
            db.session.flush()
            location = url_for(".bank", topic=question.topic)
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("The question was added to the bank."), "success")
            return redirect(location)
    else:
        form.idempotency_key.data = new_idempotency_key()
    return render("quizzes/question_form.html", form=form, question=None,
                  status=400 if form.errors else 200, private=True)


@bp.route("/bank/<int:quiz_question_id>", methods=["GET", "POST"])
@login_required
def question_edit(quiz_question_id: int):
    """The organiser corrects a question of a bank in their subtree."""
    question = managed_question(quiz_question_id)
    orgs = _organisers_only()
    choices = {o.id: o.name for o in orgs}
    if question.org_id not in choices:
        choices[question.org_id] = db.session.get(Organisation, question.org_id).name
    if request.method == "POST":
        form = QuestionForm()
    else:
        form = QuestionForm(obj=question)
        for n, text in enumerate(question.options[:6]):
            getattr(form, f"option_{n + 1}").data = text
        form.correct.data = list(question.correct)
    form.org_id.choices = list(choices.items())
    if request.method == "POST" and form.validate():
        if not can(current_user, ORGANISE, form.org_id.data):
            abort(404)
        _fill_question(question, form)
        db.session.commit()
        flash(_("The question was saved."), "success")
        return redirect(url_for(".bank", topic=question.topic))
    return render("quizzes/question_form.html", form=form, question=question,
                  status=400 if form.errors else 200, private=True)


@bp.get("/manage")
@login_required
def contests():
    """The contests the organiser's organisations run, newest first."""
    _organisers_only()
    page = paginate(select(QuizContest).where(QuizContest.org_id.in_(scope_ids(current_user, ORGANISE)))
                    .order_by(QuizContest.opens_at.desc(), QuizContest.id.desc()))
    return render("quizzes/contests.html", page=page, now=utcnow(), private=True)


def _window(form: ContestForm, province_id: int) -> tuple[datetime, datetime] | None:
    opens = local_to_utc(datetime.combine(form.opens_on.data, form.opens_time.data), province_id)
    closes = local_to_utc(datetime.combine(form.closes_on.data, form.closes_time.data), province_id)
    if closes <= opens:
        form.closes_on.errors = [*form.closes_on.errors, _("The contest must close after it opens.")]
        return None
    if closes <= utcnow():
        form.closes_on.errors = [*form.closes_on.errors, _("This closing time has already passed.")]
        return None
    return opens, closes


def _drawable_topics(orgs: list[Organisation]) -> list[str]:
    """The topics a contest of these organisations can draw from (their banks and those above)."""
    above = or_(*(QuizQuestion.org_id.in_(ancestor_ids(o.id)) for o in orgs))
    return list(db.session.scalars(select(QuizQuestion.topic).distinct().where(above)
                                   .order_by(QuizQuestion.topic).limit(MAX_TOPICS)))


def _draws(form: ContestForm, counts: dict, topics: list[str]) -> list | None:
    """The [topic, difficulty, how many] cells the organiser filled in (None: one is wrong, the
    field says why); an empty list when the table is left empty (the simple draw)."""
    cells, seen, wrong = [], set(), False
    for row in form.draws:
        topic = row.topic.data or ""
        if topic not in topics or topic in seen:
            row.easy.errors = [*row.easy.errors, _("This topic is not in the question bank.")]
            wrong = True
            continue
        seen.add(topic)
        for level, cell in row.cells():
            asked = cell.data or 0
            if cell.errors or not asked:
                continue
            have = counts.get((topic, level), 0)
            if asked > have:
                label = next(str(text).lower() for n, _name, text in LEVELS if n == level)
                cell.errors = [*cell.errors, _("%(topic)s, %(level)s: the bank has only %(have)s questions, "
                                               "not %(asked)s.", topic=topic, level=label, have=have, asked=asked)]
                wrong = True
            cells.append([topic, level, asked])
    if wrong or any(cell.errors for row in form.draws for _level, cell in row.cells()):
        return None
    if sum(n for *_cell, n in cells) > 200:
        form.draws.errors = [_("Between 1 and 200 questions.")]
        return None
    return cells


def _enough_for_simple_draw(form: ContestForm, org_id: int) -> bool:
    """The simple draw (a number from one topic or all): the bank must hold that many."""
    counts = service.cell_counts(org_id)
    have = sum(n for (topic, _level), n in counts.items() if not form.topic.data or topic == form.topic.data)
    if have < form.question_count.data:
        form.question_count.errors = [*form.question_count.errors, _(
            "The bank has only %(have)s questions for this draw, not %(asked)s.", have=have,
            asked=form.question_count.data)]
        return False
    return True


@bp.route("/manage/new", methods=["GET", "POST"])
@login_required
def contest_new():
    """The organiser sets up a contest: who takes part, the window, minutes, the draw, when results show."""
    orgs = _organisers_only()
    form = ContestForm()
    form.org_id.choices = [(o.id, o.name) for o in orgs]
    topics = list(db.session.scalars(select(QuizQuestion.topic).distinct().where(_bank_scope())
                                     .order_by(QuizQuestion.topic).limit(100)))
    form.topic.choices = [("", _("Every topic"))] + [(t, t) for t in topics]
    drawable = _drawable_topics(orgs)
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
        today = to_local(utcnow(), current_province_id()).date()
        form.opens_on.data = form.opens_on.data or today
        form.closes_on.data = form.closes_on.data or today
        for topic in drawable:
            form.draws.append_entry({"topic": topic})
        return render("quizzes/contest_form.html", form=form, counts=service.cell_counts(orgs[0].id),
                      levels=LEVELS, picked=[], found=[], more=False, private=True)
    if (done := already_done(form.idempotency_key.data)) is not None:
        return done
    org_id = form.org_id.data if form.org_id.data in {o.id for o in orgs} else orgs[0].id
    counts = service.cell_counts(org_id)
    picked, found, more = _picker(form, org_id)
    if request.form.get("action") == "find":  # the search button: the same form again, with the names found
        return render("quizzes/contest_form.html", form=form, counts=counts, levels=LEVELS, picked=picked,
                      found=found, more=more, searched=True, private=True)
    valid = form.validate()
    if valid and form.takers.data == LIST and not form.people.data:
        form.people.errors = [_("Please find and tick at least one contestant.")]
        valid = False
    cells = _draws(form, counts, drawable)
    window = _window(form, current_province_id()) if valid else None
    if window is not None and cells is not None and (cells or _enough_for_simple_draw(form, org_id)):
        org = db.session.get(Organisation, form.org_id.data)
        audience = (Audience(org_ids=(org.id,), roles=(SECRETARY,)) if form.takers.data == SECRETARIES
                    else Audience(user_ids=tuple(sorted(form.people.data))) if form.takers.data == LIST
                    else Audience(org_ids=(org.id,)))
        contest = QuizContest(org_id=org.id, title=form.title.data.strip(), intro=(form.intro.data or "").strip(),
                              audience=audience.as_json(), takers=form.takers.data, opens_at=window[0],
                              closes_at=window[1], minutes=form.minutes.data,
                              question_count=sum(n for *_cell, n in cells) if cells else form.question_count.data,
                              topic="" if cells else (form.topic.data or ""), draws=cells,
                              shuffle=bool(form.shuffle.data),
                              attempts_allowed=form.attempts_allowed.data, show_results=form.show_results.data,
                              created_by_id=current_user.id)
        db.session.add(contest)
        db.session.flush()
        location = url_for(".results_page", contest_id=contest.id)
        notify_audience("quizzes.contest", _("New contest: %(title)s", title=contest.title), audience,
                        url=url_for(".contest", contest_id=contest.id), dedupe_key=f"quizzes.contest:{contest.id}")
        if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
            return earlier
        flash(_("The contest was created."), "success")
        return redirect(location)
    return render("quizzes/contest_form.html", form=form, counts=counts, levels=LEVELS, picked=picked, found=found,
                  more=more, status=400, private=True)


def _picker(form: ContestForm, org_id: int):
    """The people already ticked (those under `org_id`) and those the search found: what the
    boxes offer, so that an id from elsewhere is refused."""
    picked = people.chosen(org_id, form.people.data or [])
    found, more = people.found(org_id, form.find.data, leave_out=[p.user_id for p in picked])
    form.people.choices = [(p.user_id, p.label) for p in picked + found]
    return picked, found, more


@bp.get("/manage/people")
@login_required
def people_found():
    """The contest form's picker (htmx): the people ticked and those whose name matches, under
    the organising organisation (one the organiser runs contests for; any other: 404)."""
    orgs = _organisers_only()
    org_id = request.args.get("org_id", type=int) or orgs[0].id
    if org_id not in {o.id for o in orgs}:
        abort(404)
    ticked = [int(v) for v in request.args.getlist("people") if v.isdigit()]
    picked = people.chosen(org_id, ticked)
    found, more = people.found(org_id, request.args.get("find", ""), leave_out=[p.user_id for p in picked])
    return render("quizzes/_people.html", picked=picked, found=found, more=more,
                  query=request.args.get("find", ""), private=True)


def _shown_org(contest: QuizContest) -> Organisation:
    """?org=: an organisation under the contest's, in the organiser's scope; else the contest's own."""
    org_id = request.args.get("org", type=int)
    if org_id is None or org_id == contest.org_id:
        return db.session.get(Organisation, contest.org_id)
    if not results.under(contest, org_id) or not can(current_user, ORGANISE, org_id):
        abort(404)
    return db.session.get(Organisation, org_id)


@bp.get("/manage/<int:contest_id>")
@login_required
def results_page(contest_id: int):
    """Figures, the ranking across levels (ties broken by time), the organisations below, the questions most got wrong."""
    contest = managed_contest(contest_id)
    shown = _shown_org(contest)
    page = paginate(results.across_levels(contest, shown))
    people, branches = results.names([row.attempt for row in page.items])
    return render("quizzes/results.html", contest=contest, shown=shown, page=page, people=people, branches=branches,
                  levels=results.levels_for(contest),
                  figures=results.figures(contest, shown.id), orgs=results.by_org(contest, shown),
                  hardest=results.hardest(contest, shown.id), now=utcnow(), multiple=MULTIPLE, private=True)


@bp.get("/manage/<int:contest_id>/results.xlsx")
@login_required
def export(contest_id: int):
    """The ranking and the organisations below in Excel (audited)."""
    contest = managed_contest(contest_id)
    shown = _shown_org(contest)
    return results.export(contest, shown)
