"""Planning and the upper levels' overview: next month's dates and topics, the grid of held and
missed meetings of every branch below, the meetings held only on paper, reminders
(blueprint "meetings_overview", /meetings/overview)."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from wtforms import DateField, HiddenField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.api import (Level, Organisation, Page, Radio, already_done, can, commit_keyed, db, has_any, home_of,
                      is_id, local_to_utc, new_idempotency_key, paginate, refuse, render, require, scope_ids,
                      setting, to_local, today_local)
from plugins.meetings.access import MANAGE, OVERSEE
from plugins.meetings.models import Meeting, MeetingKind, MeetingStatus
from plugins.meetings.overview_stats import (HELD, Reminder, add_months, branches_below, counts, grid,
                                             held_between, month_bounds, month_firsts, paper_flags,
                                             planned_between, quarter_start, remind, scope_roots, utc_of)

bp = Blueprint("meetings_overview", __name__, url_prefix="/meetings/overview", template_folder="templates")

KINDS = [(MeetingKind.REGULAR.value, _l("Regular monthly meeting")),
         (MeetingKind.THEMATIC.value, _l("Thematic meeting"))]
MARKS = {"held": "✓", "thematic": _l("Th"), "missed": "✗", "pending": "…"}
FLAG_TITLES = {"same_minutes": _l("Same minutes as the month before"),
               "same_conclusions": _l("Same conclusions as the month before"),
               "same_attendance": _l("The same attendance every month"),
               "no_materials": _l("No materials"), "no_comments": _l("No comments"),
               "recorded_late": _l("Recorded long after the meeting")}
STATUSES = {MeetingStatus.PLANNED.value: _l("Planned"), MeetingStatus.INVITED.value: _l("Invitation sent"),
            MeetingStatus.HELD.value: _l("Held"), MeetingStatus.REPORTED.value: _l("Held and reported"),
            MeetingStatus.CANCELLED.value: _l("Cancelled")}
SHOW = {"not_met": _l("Not met this month"), "no_thematic": _l("No thematic meeting this quarter")}


class PlanForm(FlaskForm):
    """Next month's meeting of a branch: the day, the hour, the kind and the topic."""

    idempotency_key = HiddenField()
    day = DateField(_l("Day of the meeting"), [InputRequired(_l("Please choose the day of the meeting."))],
                    format=["%Y-%m-%d", "%d/%m/%Y"],
                    invalid_value_message=_l("Please enter a date such as 05/12/2025."))
    hour = TimeField(_l("Time"), [InputRequired(_l("Please enter a time such as 19:30."))], default=time(8, 0),
                     format=["%H:%M", "%Hh%M", "%H.%M", "%Hh"],
                     invalid_value_message=_l("Please enter a time such as 19:30."))
    kind = Radio(_l("Kind of meeting"), choices=KINDS, default=MeetingKind.REGULAR.value)
    topic = TextAreaField(_l("Topic"), [DataRequired(_l("Please write the topic of the meeting."))])
    place = StringField(_l("Place"), [Optional(), Length(max=255, message=_l("A place has at most 255 characters."))])


# --- planning: the branch's side ------------------------------------------------------------

def _planned_branch() -> Organisation | None:
    """The branch whose plan is shown: ?org= (one the user manages) or the user's own; None when
    the user manages no branch of their own (an administrator: the list of branches instead)."""
    raw = request.args.get("org")
    org_id = request.args.get("org", type=int) if raw is not None else home_of(current_user)
    if raw is None:
        home = db.session.get(Organisation, org_id) if org_id is not None else None
        if home is None or home.level != Level.BRANCH.value or not can(current_user, MANAGE, org_id):
            return None
        return home
    if not is_id(org_id) or not can(current_user, MANAGE, org_id):
        refuse(f"meetings.plan:{raw}")
    branch = db.session.get(Organisation, org_id)
    if branch is None or branch.level != Level.BRANCH.value:
        refuse(f"meetings.plan:{raw}")
    return branch


def _next_month_meeting(branch: Organisation, start: datetime, end: datetime) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(
        Meeting.org_id == branch.id, Meeting.status != MeetingStatus.CANCELLED.value,
        Meeting.starts_at >= start, Meeting.starts_at < end).order_by(Meeting.starts_at, Meeting.id).limit(1))


def plan_title(kind: str, month: date) -> str:
    if kind == MeetingKind.THEMATIC.value:
        return _("Thematic meeting of %(month)s", month=f"{month:%m/%Y}")
    return _("Regular branch meeting of %(month)s", month=f"{month:%m/%Y}")


@bp.route("/plan", methods=["GET", "POST"])
@login_required
def plan():
    """The branch secretary enters next month's date and topic (a meeting with status planned)."""
    branch = _planned_branch()
    if branch is None:
        if has_any(current_user, OVERSEE):
            return redirect(url_for(".plans"))
        abort(404)
    province_id = branch.province_id
    today = today_local(province_id)
    month = add_months(today, 1)
    start, end = month_bounds(month, province_id)
    deadline = date(today.year, today.month, int(setting("meetings.plan_day", branch.id) or 20))
    existing = _next_month_meeting(branch, start, end)
    editable = existing is None or existing.status == MeetingStatus.PLANNED.value
    form = PlanForm()
    if request.method == "POST":
        if not editable:
            form.form_errors.append(_("The invitation for this meeting has gone out: change it on the meeting's page."))
            return _plan_page(form, branch, month, deadline, existing, editable, 400)
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        if form.validate() and not (form.day.data.year == month.year and form.day.data.month == month.month):
            form.day.errors.append(_("The day must be in %(month)s.", month=f"{month:%m/%Y}"))
        if form.errors:
            return _plan_page(form, branch, month, deadline, existing, editable, 400)
        meeting = existing or Meeting(org_id=branch.id, status=MeetingStatus.PLANNED.value,
                                      created_by_id=current_user.id)
        meeting.kind = form.kind.data
        meeting.title = plan_title(form.kind.data, month)
        meeting.topic = form.topic.data.strip()
        meeting.place = (form.place.data or "").strip() or None
        meeting.starts_at = local_to_utc(datetime.combine(form.day.data, form.hour.data), province_id)
        db.session.add(meeting)
        location = url_for(".plan", org=request.args.get("org"))
        if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
            return earlier
        flash(_("Next month's meeting plan was saved."), "success")
        return redirect(location)
    form.idempotency_key.data = new_idempotency_key()
    if existing is not None:
        local = to_local(existing.starts_at, province_id)
        form.day.data, form.hour.data = local.date(), local.time().replace(tzinfo=None)
        form.kind.data, form.topic.data, form.place.data = existing.kind, existing.topic, existing.place
    return _plan_page(form, branch, month, deadline, existing, editable, 200)


def _plan_page(form, branch, month, deadline, existing, editable, status):
    return render("meetings/plan_form.html", form=form, branch=branch, month=month, deadline=deadline,
                  existing=existing, editable=editable, late=today_local(branch.province_id) > deadline,
                  status=status, private=True)


# --- the levels above: who watches ----------------------------------------------------------

def _overseen() -> tuple[Organisation | None, list[Organisation]]:
    """The organisation looked at (?org=, one the user oversees) and the user's starting points."""
    raw = request.args.get("org") or request.form.get("org") or None
    if raw is not None:
        org_id = int(raw) if raw.isdigit() else raw
        require(current_user, OVERSEE, org_id)
        return db.session.get(Organisation, org_id), []
    roots = scope_roots(current_user)
    if not roots:
        refuse("meetings.overview")
    return (roots[0] if len(roots) == 1 else None), roots


def _province_of(org: Organisation | None, roots: list[Organisation]) -> int:
    top = org or roots[0]
    return top.province_id or top.id


def _levels_below(org: Organisation | None, roots: list[Organisation]) -> list[Organisation]:
    """The organisations one level down to drill into (branches are the list's rows)."""
    if org is None:
        return roots
    return list(db.session.scalars(select(Organisation).where(
        Organisation.parent_id == org.id, Organisation.active.is_(True),
        Organisation.level != Level.BRANCH.value).order_by(Organisation.name, Organisation.id)))


def _up(org: Organisation | None) -> Organisation | None:
    if org is None or org.parent_id is None or not can(current_user, OVERSEE, org.parent_id):
        return None
    return org.parent


def _page(stmt, total: int) -> Page:
    """One page of `stmt` whose size is already counted (paginate would count it again)."""
    size = current_app.config["PAGE_SIZE"]
    number = min(max(1, request.args.get("page", 1, type=int) or 1), max(1, -(-total // size)))
    return Page(list(db.session.scalars(stmt.limit(size).offset((number - 1) * size))), number, size, total)


@bp.get("/plans")
@login_required
def plans():
    """The levels above see which branches have entered next month's plan, and remind the rest."""
    org, roots = _overseen()
    province_id = _province_of(org, roots)
    month = add_months(today_local(province_id), 1)
    start, end = month_bounds(month, province_id)
    base = branches_below(current_user, org)
    missing_only = request.args.get("show") == "missing"
    ids = base.order_by(None).with_only_columns(Organisation.id).subquery()
    total, missing = db.session.execute(select(func.count(), func.sum(case((~planned_between(start, end), 1), else_=0)))
                                        .select_from(Organisation).where(Organisation.id.in_(select(ids.c.id)))).one()
    missing = int(missing or 0)
    page = _page(base.where(~planned_between(start, end)) if missing_only else base, missing if missing_only else total)
    found = {}
    if page.items:
        for meeting in db.session.scalars(select(Meeting).where(
                Meeting.org_id.in_([b.id for b in page.items]), Meeting.status != MeetingStatus.CANCELLED.value,
                Meeting.starts_at >= start, Meeting.starts_at < end).order_by(Meeting.starts_at.desc())):
            found[meeting.org_id] = meeting
    return render("meetings/plan_list.html", org=org, up=_up(org), below=_levels_below(org, roots), month=month,
                  page=page, plans=found, missing_only=missing_only, total=total, missing=missing, province_id=province_id,
                  private=True)


@bp.post("/plans/remind")
@login_required
def remind_plans():
    """One tap: remind every branch below (under ?org=) that has not entered next month's plan."""
    org, roots = _overseen()
    province_id = _province_of(org, roots)
    month = add_months(today_local(province_id), 1)
    start, end = month_bounds(month, province_id)
    ids = list(db.session.scalars(branches_below(current_user, org)
                                  .where(~planned_between(start, end)).with_only_columns(Organisation.id)))
    sent = remind(ids, Reminder("plan", month), url_for(".plan"))
    db.session.commit()
    _flash_sent(len(ids), sent)
    return redirect(url_for(".plans", org=request.args.get("org")))


def _flash_sent(branches: int, sent: int) -> None:
    if not branches:
        flash(_("Every branch here is up to date: nobody to remind."), "success")
    elif sent:
        flash(_("A reminder went to the secretaries of %(n)s branch(es).", n=branches), "success")
    else:
        flash(_("These branches were already reminded this month."), "success")


def _selected_branches() -> list[int]:
    """The branches ticked on the overview, each one the user oversees (404 for any other)."""
    raw = request.form.getlist("branch")
    if not all(value.isdigit() and is_id(int(value)) for value in raw):
        refuse("meetings.remind:forged")
    ids = sorted({int(value) for value in raw})
    if ids:
        allowed = set(db.session.scalars(select(Organisation.id).where(
            Organisation.id.in_(ids), Organisation.level == Level.BRANCH.value,
            Organisation.id.in_(scope_ids(current_user, OVERSEE)))))
        if allowed != set(ids):
            refuse(f"meetings.remind:{','.join(map(str, sorted(set(ids) - allowed)))}")
    return ids


@bp.get("/")
@login_required
def index():
    """Every branch below, month by month: held and missed meetings, attendance, ratings, flags."""
    return _overview_page()


def _overview_page(status: int = 200, error: str | None = None):
    org, roots = _overseen()
    province_id = _province_of(org, roots)
    today = today_local(province_id)
    this_month = month_bounds(today.replace(day=1), province_id)
    quarter = (utc_of(quarter_start(today), province_id), this_month[1])
    year_start = utc_of(month_firsts(today)[0], province_id)
    base = branches_below(current_user, org)
    show = request.args.get("show") if request.args.get("show") in SHOW else None
    stmt = base
    if show == "not_met":
        stmt = base.where(~held_between(*this_month))
    elif show == "no_thematic":
        stmt = base.where(~held_between(*quarter, thematic=True))
    figures = counts(base, this_month, quarter)
    total = {"not_met": figures.not_met, "no_thematic": figures.no_thematic}.get(show, figures.total)
    page = _page(stmt, total)
    rows = grid(page.items, today, province_id)
    flags = paper_flags([row.org.id for row in rows], year_start, province_id)
    for row in rows:
        row.flags = flags.get(row.org.id, [])
    return render("meetings/overview_index.html", org=org, up=_up(org), below=_levels_below(org, roots),
                  page=page, rows=rows, months=month_firsts(today), show=show, shows=SHOW, marks=MARKS,
                  total=figures.total, not_met=figures.not_met, no_thematic=figures.no_thematic,
                  error=error, status=status, private=True)


@bp.post("/remind")
@login_required
def remind_branches():
    """Remind the ticked branches that they have not met this month (once a month per branch)."""
    ids = _selected_branches()
    if not ids:
        return _overview_page(400, _("Please tick at least one branch to remind."))
    branch = db.session.get(Organisation, ids[0])
    today = today_local(branch.province_id)
    sent = remind(ids, Reminder("meet", today.replace(day=1)), _branch_meetings_url())
    db.session.commit()
    _flash_sent(len(ids), sent)
    back = {k: request.args.get(k) for k in ("org", "show", "page") if request.args.get(k)}
    return redirect(url_for(".index", **back))


def _branch_meetings_url() -> str:
    """Where a reminded secretary goes: the branch's meetings (helper A's list), else the plan."""
    from flask import current_app

    return url_for("meetings.index") if "meetings.index" in current_app.view_functions else url_for(".plan")


@bp.get("/branch/<int:branch_id>")
@login_required
def branch(branch_id: int):
    """One branch's last twelve months, and the evidence of meetings held only on paper."""
    require(current_user, OVERSEE, branch_id)
    found = db.session.get(Organisation, branch_id)
    if found is None or found.level != Level.BRANCH.value:
        refuse(f"meetings.branch:{branch_id}")
    today = today_local(found.province_id)
    since = utc_of(month_firsts(today)[0], found.province_id)
    meetings = paginate(select(Meeting).where(Meeting.org_id == found.id, Meeting.starts_at >= since)
                        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()))
    return render("meetings/overview_branch.html", branch=found, up=_up(found), meetings=meetings,
                  row=grid([found], today, found.province_id)[0], months=month_firsts(today),
                  flags=paper_flags([found.id], since, found.province_id).get(found.id, []), held=HELD,
                  flag_titles=FLAG_TITLES, statuses=STATUSES, private=True)
