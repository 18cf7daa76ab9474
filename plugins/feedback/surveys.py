"""Surveys: an administrator builds a short survey for a part of the tree (single choice,
multiple choice, a 1–5 scale, free text), open between two dates, anonymous or named; members
answer once; results as server-drawn SVG bars with a table beside each, per organisation below,
and an Excel export."""
from __future__ import annotations

import io
from datetime import timedelta

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DateField, FieldList, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from core.api import (Audience, Choice, Member, Organisation, User, already_done, audit, can, children, commit_keyed,
                      current_province_id, db, get_scoped, granted_org_ids, new_idempotency_key, paginate,
                      publishing_ids, refuse, render, subtree_ids, today_local)
from plugins.feedback.access import (MANAGE, MAX_TEXT, addressed_condition, get_addressed, own_user_id,
                                     period_state)
from plugins.feedback.models import (FeedbackSurvey, FeedbackSurveyAnswer, FeedbackSurveyParticipant,
                                     FeedbackSurveyQuestion, FeedbackSurveyResponse)
from plugins.feedback.views import bp

SLOTS = 6
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]  # the date picker's, and what people type without it
BAD_DATE = _l("Please enter a date such as 05/12/2025.")
KIND_LABELS = {"single": _l("One choice"), "multiple": _l("Several choices"), "scale": _l("A scale from 1 to 5"),
               "text": _l("Free text")}


class SlotForm(FlaskForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind of question"), choices=[("", _l("(no question)"))] + list(KIND_LABELS.items()),
                       validate_choice=False)
    text = StringField(_l("Question"), validators=[Length(max=500, message=_l("A question is at most 500 characters."))])
    choices = TextAreaField(_l("Choices, one per line"), validators=[Optional()])


class SurveyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200, message=_l("The title is at most 200 characters."))])
    intro = TextAreaField(_l("A few words to the members"), validators=[Length(max=2000)])
    org_id = Choice(_l("For the members of"), message=_l("Please choose the organisation the survey is for."), coerce=int)
    opens_on = DateField(_l("Opens on"), validators=[Optional()], format=DATE_FORMATS, invalid_value_message=BAD_DATE)
    closes_on = DateField(_l("Closes on"), validators=[Optional()], format=DATE_FORMATS, invalid_value_message=BAD_DATE)
    anonymous = BooleanField(_l("Anonymous: nobody sees who answered what"), default=True)
    questions = FieldList(FormField(SlotForm), min_entries=SLOTS, max_entries=SLOTS)
    idempotency_key = HiddenField()

    def validate_title(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_("Please write the survey's title."))

    def validate_closes_on(self, field):
        if self.opens_on.data is None or field.data is None:
            raise ValidationError(_("Please give the opening and closing dates."))
        if field.data < self.opens_on.data:
            raise ValidationError(_("The closing date cannot be before the opening date."))
        if field.data > self.opens_on.data + timedelta(days=366):
            raise ValidationError(_("A survey stays open at most a year."))


def _targets(user) -> list[tuple[int, str]]:
    """Where a survey may go: the levels the user administers and the organisations just below."""
    found = []
    for org_id in granted_org_ids(user, MANAGE):
        org = db.session.get(Organisation, org_id)
        found.append((org.id, org.name))
        found += [(child.id, child.name) for child in children(org)]
    return found


def _slots(form) -> tuple[list[dict], list[str]]:
    """The questions filled in, and what is wrong with them."""
    questions, errors = [], []
    for number, slot in enumerate(form.questions.entries, 1):
        kind, text = slot.form.kind.data, (slot.form.text.data or "").strip()
        if not kind and not text:
            continue
        if kind not in KIND_LABELS or not text:
            errors.append(_("Question %(n)s: choose its kind and write it.", n=number))
            continue
        choices = [c.strip()[:200] for c in (slot.form.choices.data or "").splitlines() if c.strip()]
        if kind in ("single", "multiple") and not 2 <= len(choices) <= 12:
            errors.append(_("Question %(n)s: give between 2 and 12 choices, one per line.", n=number))
            continue
        questions.append({"kind": kind, "text": text, "choices": choices if kind in ("single", "multiple") else []})
    if not questions and not errors:
        errors.append(_("Please write at least one question."))
    return questions, errors


def _managed(survey_id) -> FeedbackSurvey:
    return get_scoped(FeedbackSurvey, survey_id, current_user, MANAGE)


@bp.get("/surveys")
@login_required
def surveys():
    """The surveys for the user's branch, and those the user runs."""
    stmt = select(FeedbackSurvey).where(addressed_condition(FeedbackSurvey, current_user))
    page = paginate(stmt.order_by(FeedbackSurvey.closes_on.desc(), FeedbackSurvey.id.desc()))
    done = set()
    if own_user_id(current_user) is not None and page.items:
        done = set(db.session.scalars(select(FeedbackSurveyParticipant.survey_id).where(
            FeedbackSurveyParticipant.user_id == current_user.id,
            FeedbackSurveyParticipant.survey_id.in_([s.id for s in page.items]))))
    return render("feedback/surveys.html", page=page, done=done, state=period_state,
                  manages=bool(granted_org_ids(current_user, MANAGE)),
                  may_manage=lambda s: can(current_user, MANAGE, s.org_id), private=True)


@bp.route("/surveys/new", methods=["GET", "POST"])
@login_required
def survey_new():
    """An administrator builds a survey."""
    targets = _targets(current_user)
    if not targets:
        abort(404)
    form = SurveyForm()
    form.org_id.choices = targets
    errors = []
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        valid = form.validate()
        if form.org_id.data not in {t[0] for t in targets}:
            form.org_id.errors = [_("Please choose the organisation the survey is for.")]
            valid = False
        questions, errors = _slots(form)
        if valid and not errors:
            survey = FeedbackSurvey(org_id=form.org_id.data, title=form.title.data.strip(),
                                    intro=(form.intro.data or "").strip(), opens_on=form.opens_on.data,
                                    closes_on=form.closes_on.data, anonymous=form.anonymous.data,
                                    created_by_id=current_user.id)
            db.session.add(survey)
            db.session.flush()
            for position, q in enumerate(questions):
                db.session.add(FeedbackSurveyQuestion(survey_id=survey.id, position=position, **q))
            location = url_for(".survey", survey_id=survey.id)
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("The survey was saved."), "success")
            return redirect(location)
    else:
        form.idempotency_key.data = new_idempotency_key()
        today = today_local(current_province_id())
        form.opens_on.data, form.closes_on.data = today, today + timedelta(days=14)
    return render("feedback/survey_new.html", form=form, errors=errors,
                  status=400 if (form.errors or errors) else 200, private=True)


def _read_answers(survey) -> tuple[list[tuple], list[str]]:
    """(question, choice, text) rows from the posted form, and what is missing or wrong."""
    rows, errors = [], []
    for number, q in enumerate(survey.questions, 1):
        field = f"q{q.id}"
        if q.kind == "text":
            text = (request.form.get(field) or "").strip()
            if len(text) > MAX_TEXT:
                errors.append(_("Question %(n)s: the text is too long.", n=number))
            elif text:
                rows.append((q, None, text))
            continue
        values = request.form.getlist(field)
        allowed = range(1, 6) if q.kind == "scale" else range(len(q.choices))
        picked = []
        for value in values:
            if not value.isdigit() or int(value) not in allowed:
                errors.append(_("Question %(n)s: this choice is not among the question's.", n=number))
                break
            picked.append(int(value))
        if not picked:
            errors.append(_("Question %(n)s: please choose an answer.", n=number))
        elif q.kind != "multiple" and len(picked) > 1:
            errors.append(_("Question %(n)s: choose only one answer.", n=number))
        else:
            rows += [(q, choice, None) for choice in sorted(set(picked))]
    return rows, errors


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@login_required
def survey(survey_id: int):
    """A member answers the survey once, while it is open."""
    survey = get_addressed(FeedbackSurvey, survey_id, current_user)
    state = period_state(survey)
    user_id = own_user_id(current_user)
    answered = user_id is not None and db.session.get(FeedbackSurveyParticipant, (survey.id, user_id)) is not None
    may_answer = (user_id is not None and state == "open" and not answered
                  and survey.org_id in set(db.session.scalars(publishing_ids(current_user))))
    errors, status = [], 200
    if request.method == "POST":
        if user_id is None:
            abort(404)
        form = FlaskForm()
        if not form.validate():
            errors, status = [_("The form has expired: please send it again.")], 400
        elif answered:  # a second answer, or a send repeated over a weak line: one is kept
            flash(_("You have already answered this survey. Thank you."), "success")
            return redirect(url_for(".survey", survey_id=survey.id), 303)
        elif state != "open":
            errors, status = [_("This survey is not open: it runs from %(a)s to %(b)s.",
                                a=survey.opens_on.strftime("%d/%m/%Y"), b=survey.closes_on.strftime("%d/%m/%Y"))], 409
        elif not may_answer:
            abort(404)
        else:
            rows, errors = _read_answers(survey)
            if not errors:
                db.session.add(FeedbackSurveyParticipant(survey_id=survey.id, user_id=user_id,
                                                         org_id=current_user.home_org_id))
                response = FeedbackSurveyResponse(survey_id=survey.id, org_id=current_user.home_org_id,
                                                  user_id=None if survey.anonymous else user_id)
                db.session.add(response)
                try:
                    db.session.flush()
                except Exception:  # a second answer sent at the same moment: the key refused it
                    db.session.rollback()
                    flash(_("You have already answered this survey. Thank you."), "success")
                    return redirect(url_for(".survey", survey_id=survey.id))
                for q, choice, text in rows:
                    db.session.add(FeedbackSurveyAnswer(response_id=response.id, question_id=q.id,
                                                        choice=choice, text=text))
                db.session.commit()
                flash(_("Thank you, your answers were recorded."), "success")
                return redirect(url_for(".survey", survey_id=survey.id))
            status = 400
    return render("feedback/survey.html", survey=survey, state=state, answered=answered, may_answer=may_answer,
                  errors=errors, posted=request.form, may_manage=can(current_user, MANAGE, survey.org_id),
                  status=status, private=True)


def tally(survey, org_id: int | None = None) -> dict:
    """Counts per question and choice (one grouped query), for the survey or one organisation's subtree."""
    stmt = (select(FeedbackSurveyAnswer.question_id, FeedbackSurveyAnswer.choice, func.count())
            .join(FeedbackSurveyResponse, FeedbackSurveyResponse.id == FeedbackSurveyAnswer.response_id)
            .where(FeedbackSurveyResponse.survey_id == survey.id, FeedbackSurveyAnswer.choice.is_not(None))
            .group_by(FeedbackSurveyAnswer.question_id, FeedbackSurveyAnswer.choice))
    if org_id is not None:
        stmt = stmt.where(FeedbackSurveyResponse.org_id.in_(subtree_ids(org_id)))
    counts: dict = {}
    for question_id, choice, n in db.session.execute(stmt):
        counts.setdefault(question_id, {})[choice] = n
    return counts


def breakdown(survey, org, limit: int | None = 50) -> tuple[tuple[int, int], list[tuple]]:
    """Participation in `org`'s subtree, (members who answered, members addressed), and the same
    for each organisation one level below it: one grouped count of the members and one of the
    participants over the subtree, added up per child (the province's page reads each member
    once, not once per level)."""
    members = dict(db.session.execute(
        select(Member.org_id, func.count()).where(Audience((org.id,)).member_condition())
        .group_by(Member.org_id)).all())
    answered = dict(db.session.execute(
        select(FeedbackSurveyParticipant.org_id, func.count())
        .where(FeedbackSurveyParticipant.survey_id == survey.id,
               FeedbackSurveyParticipant.org_id.in_(subtree_ids(org.id)))
        .group_by(FeedbackSurveyParticipant.org_id)).all())
    rows = []
    for child in children(org)[:limit]:
        ids = set(db.session.scalars(subtree_ids(child.id)))
        rows.append((child, sum(n for i, n in answered.items() if i in ids),
                     sum(n for i, n in members.items() if i in ids)))
    return (sum(answered.values()), sum(members.values())), rows


def charts(survey, counts: dict) -> list[dict]:
    """What the SVG bars and their tables show, per question with choices."""
    found = []
    for q in survey.questions:
        if q.kind == "text":
            continue
        labels = [str(v) for v in range(1, 6)] if q.kind == "scale" else q.choices
        keys = range(1, 6) if q.kind == "scale" else range(len(q.choices))
        values = [counts.get(q.id, {}).get(k, 0) for k in keys]
        total = sum(values)
        top = max(values) if values and max(values) else 1
        bars = [{"label": label, "n": n, "width": round(260 * n / top), "share": round(100 * n / total) if total else 0}
                for label, n in zip(labels, values)]
        mean = (round(sum(k * v for k, v in zip(keys, values)) / total, 1) if q.kind == "scale" and total else None)
        found.append({"question": q, "bars": bars, "total": total, "mean": mean})
    return found


@bp.get("/surveys/<int:survey_id>/results")
@login_required
def survey_results(survey_id: int):
    """The results: bars with a table beside each, participation per organisation below."""
    survey = _managed(survey_id)
    org_id = request.args.get("org", type=int)
    base = db.session.get(Organisation, survey.org_id)
    if org_id is not None and org_id != survey.org_id:
        if not can(current_user, MANAGE, org_id) or org_id not in set(db.session.scalars(subtree_ids(survey.org_id))):
            refuse(f"org:{org_id}")
    shown = db.session.get(Organisation, org_id or survey.org_id)
    total, rows = breakdown(survey, shown)
    texts = paginate(select(FeedbackSurveyAnswer).join(FeedbackSurveyResponse).where(
        FeedbackSurveyResponse.survey_id == survey.id, FeedbackSurveyAnswer.text.is_not(None),
        FeedbackSurveyResponse.org_id.in_(subtree_ids(shown.id))).order_by(FeedbackSurveyAnswer.id.desc()))
    return render("feedback/survey_results.html", survey=survey, base=base, shown=shown,
                  total=total, rows=rows, texts=texts,
                  charts=charts(survey, tally(survey, None if shown.id == survey.org_id else shown.id)),
                  questions={q.id: q for q in survey.questions}, private=True)


@bp.get("/surveys/<int:survey_id>/results.xlsx")
@login_required
def survey_export(survey_id: int):
    """The results in Excel: the counts, participation per organisation, every answer (named only if the survey is)."""
    from openpyxl import Workbook

    survey = _managed(survey_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    sheet.append([survey.title])
    for chart in charts(survey, tally(survey)):
        sheet.append([])
        sheet.append([chart["question"].text])
        for bar in chart["bars"]:
            sheet.append([bar["label"], bar["n"], f"{bar['share']}%"])
    orgs = book.create_sheet(_("Organisations")[:31])
    orgs.append([_("Organisation"), _("Answered"), _("Members")])
    base = db.session.get(Organisation, survey.org_id)
    total, rows = breakdown(survey, base, limit=None)
    for org, answered, addressed in [(base, *total), *rows]:
        orgs.append([org.name, answered, addressed])
    answers = book.create_sheet(_("Answers")[:31])
    answers.append([_("Answer number"), _("Organisation"), _("Member"), _("Question"), _("Answer")])
    names: dict = {}
    questions = {q.id: q for q in survey.questions}
    stmt = (select(FeedbackSurveyResponse, FeedbackSurveyAnswer)
            .join(FeedbackSurveyAnswer, FeedbackSurveyAnswer.response_id == FeedbackSurveyResponse.id)
            .where(FeedbackSurveyResponse.survey_id == survey.id)
            .order_by(FeedbackSurveyResponse.id, FeedbackSurveyAnswer.id).limit(200_000))
    people: dict = {}
    for response, answer in db.session.execute(stmt):
        q = questions.get(answer.question_id)
        if q is None:
            continue
        if response.org_id not in names:
            org = db.session.get(Organisation, response.org_id)
            names[response.org_id] = org.name if org else ""
        who = ""
        if not survey.anonymous and response.user_id:
            if response.user_id not in people:
                person = db.session.get(User, response.user_id)
                people[response.user_id] = person.display_name if person else ""
            who = people[response.user_id]
        value = (answer.text if q.kind == "text" else str(answer.choice) if q.kind == "scale"
                 else q.choices[answer.choice] if answer.choice is not None and answer.choice < len(q.choices) else "")
        answers.append([response.id, names[response.org_id], who, q.text, value])
    out = io.BytesIO()
    book.save(out)
    audit("feedback.survey_export", f"feedback_survey:{survey.id}")
    db.session.commit()
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=khao-sat-{survey.id}.xlsx",
                             "Cache-Control": "no-store"})
