"""A contest's results for its organisers: the ranking (each contestant's best attempt, higher
score first, ties broken by the shorter time), figures, the organisations below, the questions
most got wrong, and the Excel export (cells that a spreadsheet would run as a formula neutralised)."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from core.api import Organisation, User, audit, children, db, subtree_ids, to_local
from plugins.quizzes.models import QuizAnswer, QuizAttempt, QuizContest, QuizQuestion

ORGS_SHOWN = 60
STATS_ROWS = 300_000  # answers read for the per-question figures
EXPORT_ROWS = 100_000


def under(contest: QuizContest, org_id: int) -> bool:
    """Is `org_id` the contest's organisation or one below it?"""
    stmt = subtree_ids(contest.org_id)
    return db.session.scalar(stmt.where(stmt.selected_columns[0] == org_id).limit(1)) is not None


def _handed_in(contest: QuizContest, org_id: int):
    return (QuizAttempt.contest_id == contest.id, QuizAttempt.submitted_at.is_not(None),
            QuizAttempt.org_id.in_(subtree_ids(org_id)))


def ranking(contest: QuizContest, org_id: int):
    """The statement of each contestant's best attempt under `org_id`, in ranking order."""
    best = (select(QuizAttempt.id, func.row_number().over(
        partition_by=QuizAttempt.user_id,
        order_by=(QuizAttempt.score.desc(), QuizAttempt.seconds.asc(), QuizAttempt.id.asc())).label("place"))
        .where(*_handed_in(contest, org_id)).subquery())
    return (select(QuizAttempt).join(best, best.c.id == QuizAttempt.id).where(best.c.place == 1)
            .order_by(QuizAttempt.score.desc(), QuizAttempt.seconds.asc(), QuizAttempt.id.asc()))


# The levels a ranking is given at, top down (a sub-unit, where there is one, is not one of them).
LEVELS = (("province", _l("Province")), ("district", _l("District")), ("grassroots", _l("Grassroots")),
          ("branch", _l("Branch")))


@dataclass
class Ranked:
    """A contestant's best attempt, their place in the organisation shown and at each level."""

    attempt: QuizAttempt
    place: int = 0
    places: dict = field(default_factory=dict)  # level → place among the contestants of their unit there
    units: dict = field(default_factory=dict)  # level → the organisation id of that unit


def levels_for(contest: QuizContest) -> list[tuple[str, str]]:
    """The levels from the contest's organisation down to the branch."""
    level = db.session.scalar(select(Organisation.level).where(Organisation.id == contest.org_id))
    names = [name for name, _label in LEVELS]
    start = names.index(level) if level in names else len(names) - 1
    return [(name, str(label)) for name, label in LEVELS[start:]]


def _places(rows: list[Ranked], key, store) -> None:
    """Competition places (1, 2, 2, 4) within each group of `key`, rows already in ranking order:
    the higher score first, and for the same score the shorter time."""
    seen: dict = {}
    for row in rows:
        group = key(row)
        if group is None:
            continue
        count, last, place = seen.get(group, (0, None, 0))
        count += 1
        mark = (row.attempt.score, row.attempt.seconds)
        place = place if mark == last else count
        seen[group] = (count, mark, place)
        store(row, place)


def across_levels(contest: QuizContest, shown: Organisation) -> list[Ranked]:
    """Every contestant under `shown` in ranking order, with their place under `shown` and their
    place at each level (branch, grassroots, district, province) among all the contest's
    contestants of that unit, wherever the organiser is looking from."""
    attempts = list(db.session.scalars(ranking(contest, contest.org_id).limit(EXPORT_ROWS)))
    tree = {oid: (parent, level) for oid, parent, level in db.session.execute(
        select(Organisation.id, Organisation.parent_id, Organisation.level)
        .where(Organisation.id.in_(subtree_ids(contest.org_id))))}
    levels = [name for name, _label in levels_for(contest)]
    rows = []
    for attempt in attempts:
        row, org, path = Ranked(attempt), attempt.org_id, set()
        while org is not None and org in tree and org not in path:  # up the tree, to the contest's organisation
            path.add(org)
            parent, level = tree[org]
            if level in levels:
                row.units.setdefault(level, org)
            org = parent
        row.units["_path"] = path
        rows.append(row)
    for level in levels:
        _places(rows, lambda r, lv=level: r.units.get(lv), lambda r, p, lv=level: r.places.__setitem__(lv, p))
    mine = [r for r in rows if shown.id in r.units["_path"]]
    _places(mine, lambda r: 0, lambda r, p: setattr(r, "place", p))
    for row in rows:
        del row.units["_path"]
    return mine


def names(attempts) -> tuple[dict[int, str], dict[int, str]]:
    """People's and branches' names for a page of attempts."""
    users = {a.user_id for a in attempts}
    orgs = {a.org_id for a in attempts}
    people = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(users))).all()) if users else {}
    branches = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(orgs))).all()) if orgs else {}
    return people, branches


def figures(contest: QuizContest, org_id: int) -> dict:
    base = (QuizAttempt.contest_id == contest.id, QuizAttempt.org_id.in_(subtree_ids(org_id)))
    started, running = db.session.execute(select(
        func.count(func.distinct(QuizAttempt.user_id)),
        func.count().filter(QuizAttempt.submitted_at.is_(None))).where(*base)).one()
    handed, average, top = db.session.execute(select(
        func.count(func.distinct(QuizAttempt.user_id)), func.avg(QuizAttempt.score), func.max(QuizAttempt.score))
        .where(*_handed_in(contest, org_id))).one()
    return {"started": started, "running": running, "handed": handed,
            "average": round(float(average), 1) if average is not None else None, "top": top}


def by_org(contest: QuizContest, shown: Organisation) -> list[dict]:
    """Each organisation just below `shown`: contestants who handed in, average and best score."""
    rows = []
    for child in children(shown)[:ORGS_SHOWN]:
        handed, average, top = db.session.execute(select(
            func.count(func.distinct(QuizAttempt.user_id)), func.avg(QuizAttempt.score), func.max(QuizAttempt.score))
            .where(*_handed_in(contest, child.id))).one()
        rows.append({"org": child, "handed": handed, "top": top,
                     "average": round(float(average), 1) if average is not None else None})
    rows.sort(key=lambda r: (-(r["average"] or -1), r["org"].name))
    return rows


def hardest(contest: QuizContest, org_id: int, limit: int = 10) -> list[dict]:
    """The questions most got wrong in the attempts handed in under `org_id`."""
    answers = db.session.execute(select(QuizAnswer.question_id, QuizAnswer.choices)
                                 .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
                                 .where(*_handed_in(contest, org_id)).limit(STATS_ROWS))
    counts: dict[int, list[int]] = {}
    rights: dict[int, list] = {}
    for qid, picked in answers:
        if qid not in rights:
            rights[qid] = sorted(db.session.scalar(select(QuizQuestion.correct).where(QuizQuestion.id == qid)) or [])
        seen = counts.setdefault(qid, [0, 0])
        seen[0] += 1
        seen[1] += sorted(picked) == rights[qid]
    worst = sorted(counts.items(), key=lambda kv: (kv[1][1] / kv[1][0], -kv[1][0]))[:limit]
    texts = dict(db.session.execute(select(QuizQuestion.id, QuizQuestion.text).where(
        QuizQuestion.id.in_([qid for qid, _seen in worst]))).all()) if worst else {}
    return [{"text": texts.get(qid, ""), "answered": seen[0], "right": seen[1],
             "share": round(100 * seen[1] / seen[0])} for qid, seen in worst]


def safe_cell(value):
    """Text a spreadsheet would take for a formula (= + - @) is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def clock(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


def export(contest: QuizContest, shown: Organisation) -> Response:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Ranking")[:31]
    sheet.append([safe_cell(contest.title)])
    sheet.append([safe_cell(shown.name)])
    levels = levels_for(contest)
    sheet.append([_("Rank"), _("Contestant"), _("Branch"), _("Score"), _("Number of questions"), _("Answered"),
                  _("Time taken (min:s)"), _("Handed in at")]
                 + [_("Rank in the %(level)s", level=label.lower()) for _name, label in levels])
    ranked = across_levels(contest, shown)
    attempts = [row.attempt for row in ranked]
    people, branches = names(attempts)
    province = shown.province_id or shown.id
    for row in ranked:
        attempt = row.attempt
        sheet.append([row.place, safe_cell(people.get(attempt.user_id, "")), safe_cell(branches.get(attempt.org_id, "")),
                      attempt.score, len(attempt.question_ids), attempt.answered, clock(attempt.seconds),
                      to_local(attempt.submitted_at, province).strftime("%H:%M:%S %d/%m/%Y")]
                     + [row.places.get(name) for name, _label in levels])
    orgs = book.create_sheet(_("Organisations")[:31])
    orgs.append([_("Organisation"), _("Handed in"), _("Average score"), _("Best score")])
    for row in by_org(contest, shown):
        orgs.append([safe_cell(row["org"].name), row["handed"], row["average"], row["top"]])
    out = io.BytesIO()
    book.save(out)
    audit("quizzes.export", f"quizzes_contest:{contest.id}", org=shown.id, rows=len(attempts), user=current_user.id)
    db.session.commit()
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=ket-qua-cuoc-thi-{contest.id}.xlsx",
                             "Cache-Control": "no-store"})
