"""The quizzes plugin's section of an organisation's report: contests run in its subtree, the
people of its subtree who took part and handed in, and their average score."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.api import Organisation, ReportSection, db, subtree_ids, utcnow
from plugins.quizzes.models import QuizAttempt, QuizContest


def sections(org: Organisation) -> list[ReportSection]:
    below = subtree_ids(org.id)
    now = utcnow()
    run, running = db.session.execute(select(
        func.count(QuizContest.id), func.count().filter(QuizContest.opens_at <= now, QuizContest.closes_at > now))
        .where(QuizContest.org_id.in_(below))).one()
    people, handed, average = db.session.execute(select(
        func.count(func.distinct(QuizAttempt.user_id)),
        func.count().filter(QuizAttempt.submitted_at.is_not(None)), func.avg(QuizAttempt.score))
        .where(QuizAttempt.org_id.in_(below))).one()
    if not run and not people:
        return []
    figures = {_("contests run"): run, _("contests open now"): running, _("contestants"): people,
               _("attempts handed in"): handed}
    if average is not None:
        figures[_("average score")] = round(float(average), 1)
    return [ReportSection(_("Contests"), figures, weight=70)]
