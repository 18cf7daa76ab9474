"""The tasks plugin's section of an organisation's report: the shares of work in its subtree
(each member's row, each branch's row of a cascade), done on time or late, still open, and late."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from core.api import Organisation, ReportSection, db, subtree_ids
from plugins.tasks.models import DONE, OPEN, TasksRow, TasksTask
from plugins.tasks.service import done_in_time, late_condition, local_now


def sections(org: Organisation) -> list[ReportSection]:
    """One query over the subtree's top rows (a cascade's member rows count in their branch's row)."""
    province = org.province_id or org.id
    now = local_now(province)
    top = (TasksRow.org_id.in_(subtree_ids(org.id))) & TasksRow.branch_row_id.is_(None)
    done = TasksRow.state == DONE
    total, finished, on_time, late, waiting = db.session.execute(select(
        func.count(TasksRow.id), func.count(TasksRow.id).filter(done),
        func.count(TasksRow.id).filter(done_in_time(province)),
        func.count(TasksRow.id).filter(late_condition(now)),
        func.count(TasksRow.id).filter(TasksRow.state.in_(OPEN) & ~late_condition(now)))
        .where(top)).one()
    given = db.session.scalar(select(func.count(TasksTask.id)).where(TasksTask.org_id.in_(subtree_ids(org.id))))
    if not total and not given:
        return []
    figures = {_("tasks given here and below"): given, _("shares of work"): total, _("done"): finished,
               _("done by the deadline"): on_time, _("late"): late, _("in progress, not late"): waiting}
    alerts = (_("%(n)s share(s) of work are late.", n=late),) if late else ()
    return [ReportSection(_("Tasks"), figures, alerts, weight=40)]
