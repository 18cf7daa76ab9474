"""The feedback plugin's sections of an organisation's report: questions from its subtree,
answered on time or not, the level that answered them, and survey participation."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.api import Organisation, ReportSection, db, subtree_ids, utcnow
from plugins.feedback.access import deadline_days
from plugins.feedback.models import (OPEN_STATES, FeedbackQuestion, FeedbackStep, FeedbackSurvey,
                                     FeedbackSurveyParticipant)

LEVELS = {"branch": "branch", "subunit": "subunit", "grassroots": "grassroots", "district": "district",
          "province": "province"}


def _level_name(level: str) -> str:
    return {"branch": _("by branches"), "subunit": _("by sub-units"), "grassroots": _("by grassroots committees"),
            "district": _("by district committees"), "province": _("by the province committee")}.get(level, level)


def sections(org: Organisation) -> list[ReportSection]:
    below = subtree_ids(org.id)
    days = deadline_days(org.province_id or org.id)
    limit = timedelta(days=days)
    questions = select(FeedbackQuestion).where(FeedbackQuestion.org_id.in_(below)).subquery()
    total, waiting = db.session.execute(select(
        func.count(), func.count().filter(questions.c.status.in_(OPEN_STATES))).select_from(questions)).one()
    overdue = db.session.scalar(select(func.count()).select_from(questions).where(
        questions.c.status.in_(OPEN_STATES), questions.c.held_since < utcnow() - limit))
    answered = list(db.session.execute(
        select(Organisation.level, FeedbackStep.created_at, FeedbackQuestion.created_at)
        .join(FeedbackQuestion, FeedbackQuestion.id == FeedbackStep.question_id)
        .join(Organisation, Organisation.id == FeedbackStep.org_id)
        .where(FeedbackStep.kind == "answered", FeedbackQuestion.org_id.in_(below))
        .limit(100_000)))
    on_time = sum(1 for _level, at, asked in answered if at - asked <= limit)
    figures = {_("questions received"): total, _("waiting for an answer"): waiting,
               _("answers given"): len(answered), _("answered within %(n)s days", n=days): on_time}
    for level in LEVELS:
        count = sum(1 for row in answered if row[0] == level)
        if count:
            figures[_("answered %(by)s", by=_level_name(level))] = count
    alerts = (_("%(n)s question(s) have waited longer than %(d)s days.", n=overdue, d=days),) if overdue else ()
    found = [ReportSection(_("Members' questions"), figures, alerts, weight=60)]
    surveys = db.session.scalar(select(func.count(FeedbackSurvey.id)).where(FeedbackSurvey.org_id.in_(below)))
    if surveys:
        answers = db.session.scalar(select(func.count()).select_from(FeedbackSurveyParticipant).where(
            FeedbackSurveyParticipant.org_id.in_(below)))
        found.append(ReportSection(_("Surveys"), {_("surveys"): surveys, _("members who answered"): answers},
                                   weight=61))
    return found
