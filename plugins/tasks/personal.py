"""The member's personal calendar: their own entries, their tasks' deadlines (through the core's
`calendar_entries` hook, beside the meetings and whatever other plugins give), and an iCalendar
feed at a private, revocable address so that the phone's own calendar can subscribe.

The calendar page itself is the core's (`/calendar/`, by day, week or month); this module adds
the entries, the actions above the list (`calendar_actions` slot) and the feed."""
from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta, timezone

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from icalendar import Calendar, Event
from markupsafe import Markup
from sqlalchemy import select

from core.api import (CalendarEntry, User, already_done, audit, calendar_for, commit_keyed, current_province_id,
                      db, is_id, local_to_utc, new_idempotency_key, plugin_enabled, refuse, render, to_local,
                      today_local, utcnow)
from plugins.tasks.access import own_member_id
from plugins.tasks.forms import EntryForm
from plugins.tasks.models import OPEN, TasksEntry, TasksFeed, TasksRow, TasksTask
from plugins.tasks.views import bp

DEADLINE_HOUR = time(7, 0)  # a deadline without a time of day shows at the top of its day
FEED_PAST, FEED_AHEAD = timedelta(days=31), timedelta(days=366)


def _province(user) -> int | None:
    from core.api import Organisation

    if user.home_org_id is None:
        return None
    return db.session.scalar(select(Organisation.province_id).where(Organisation.id == user.home_org_id))


def entries_for(user, start: datetime, end: datetime) -> list[CalendarEntry]:
    """The user's task deadlines and own entries between `start` and `end` (UTC)."""
    if not getattr(user, "is_authenticated", False) or user.is_helper:
        return []
    province = _province(user)
    found = []
    member = own_member_id(user)
    if member is not None:
        first, last = to_local(start, province).date(), to_local(end, province).date()
        rows = db.session.execute(select(TasksRow.id, TasksRow.due_on, TasksRow.due_time, TasksTask.title)
                                  .join(TasksTask, TasksTask.id == TasksRow.task_id)
                                  .where(TasksRow.member_id == member, TasksRow.state.in_(OPEN),
                                         TasksRow.due_on >= first, TasksRow.due_on <= last)
                                  .order_by(TasksRow.due_on).limit(200))
        for row_id, due_on, due_time, title in rows:
            at = local_to_utc(datetime.combine(due_on, due_time or DEADLINE_HOUR), province)
            if start <= at < end:
                found.append(CalendarEntry(_("Deadline: %(title)s", title=title), at, f"/tasks/row/{row_id}",
                                           uid=f"tasks-row-{row_id}"))
    for entry in db.session.scalars(select(TasksEntry).where(
            TasksEntry.user_id == user.id, TasksEntry.starts_at >= start, TasksEntry.starts_at < end)
            .order_by(TasksEntry.starts_at).limit(200)):
        found.append(CalendarEntry(entry.title, entry.starts_at, f"/tasks/calendar/{entry.id}",
                                   location=entry.place, uid=f"tasks-entry-{entry.id}"))
    return found


def actions(user) -> Markup | None:
    """The calendar's actions: add a personal entry, follow the calendar on the phone."""
    if not getattr(user, "is_authenticated", False) or user.is_helper:
        return None
    return Markup(render_template("tasks/_calendar_actions.html"))


def _writer():
    if current_user.is_helper:
        abort(404)


@bp.route("/calendar/new", methods=["GET", "POST"])
@login_required
def entry_new():
    """A member adds an entry of their own to the calendar."""
    _writer()
    form = EntryForm()
    province = current_province_id()
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        if form.validate():
            at = local_to_utc(datetime.combine(form.day.data, form.hour.data or time(7, 0)), province)
            entry = TasksEntry(user_id=current_user.id, title=form.title.data.strip(), starts_at=at,
                               place=(form.place.data or "").strip())
            db.session.add(entry)
            db.session.flush()
            location = url_for("calendar.index", view="day", day=form.day.data.isoformat())
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("The entry was added to your calendar."), "success")
            return redirect(location)
    else:
        form.idempotency_key.data = new_idempotency_key()
        form.day.data = today_local(province)
    return render("tasks/entry_new.html", form=form, status=400 if form.errors else 200, private=True)


def _own_entry(entry_id) -> TasksEntry:
    entry = db.session.get(TasksEntry, entry_id) if is_id(entry_id) else None
    if entry is None or entry.user_id != current_user.id:
        refuse(f"tasks_entry:{entry_id}")
    return entry


@bp.get("/calendar/<int:entry_id>")
@login_required
def entry(entry_id: int):
    """One of the member's own entries."""
    found = _own_entry(entry_id)
    return render("tasks/entry.html", entry=found, private=True)


@bp.post("/calendar/<int:entry_id>/delete")
@login_required
def entry_delete(entry_id: int):
    """The member removes an entry of their own."""
    found = _own_entry(entry_id)
    day = to_local(found.starts_at, current_province_id()).date()
    db.session.delete(found)
    db.session.commit()
    flash(_("The entry was removed."), "success")
    return redirect(url_for("calendar.index", view="day", day=day.isoformat()))


@bp.route("/calendar/feed", methods=["GET", "POST"])
@login_required
def feed():
    """The private address of the member's calendar, to subscribe from the phone; made anew or revoked."""
    _writer()
    held = db.session.get(TasksFeed, current_user.id)
    if request.method == "POST":
        if held is not None:
            db.session.delete(held)
            db.session.flush()
        if request.form.get("action") == "make":
            db.session.add(TasksFeed(user_id=current_user.id, token=secrets.token_urlsafe(32)))
            flash(_("A new address was made; the old one no longer works."), "success")
        else:
            flash(_("The address was revoked: no calendar can read it any more."), "success")
        audit("tasks.feed", f"user:{current_user.id}", change=request.form.get("action") or "revoke")
        db.session.commit()
        return redirect(url_for(".feed"))
    address = url_for(".ical", feed_token=held.token, _external=True) if held else None
    return render("tasks/feed.html", address=address, private=True)


@bp.get("/feed/<feed_token>.ics")
def ical(feed_token: str):
    """The calendar as iCalendar text, for whoever holds the private address (no sign-in)."""
    held = db.session.scalar(select(TasksFeed).where(TasksFeed.token == feed_token)) if len(feed_token) < 100 else None
    owner = db.session.get(User, held.user_id) if held else None
    if owner is None or not owner.is_enabled or not plugin_enabled("tasks", province_id=_province(owner)):
        abort(404)
    now = utcnow()
    calendar = Calendar()
    calendar.add("prodid", "-//So tay dang vien//Lich ca nhan//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My calendar"))
    base = request.host_url.rstrip("/")
    for item in calendar_for(owner, now - FEED_PAST, now + FEED_AHEAD):
        event = Event()
        event.add("uid", f"{item.uid or hash((item.title, item.starts_at))}@sotay")
        event.add("summary", item.title)
        event.add("dtstart", item.starts_at.replace(tzinfo=timezone.utc))
        event.add("dtend", (item.ends_at or item.starts_at + timedelta(hours=1)).replace(tzinfo=timezone.utc))
        event.add("dtstamp", now.replace(tzinfo=timezone.utc))
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url if item.url.startswith("http") else base + item.url)
        calendar.add_component(event)
    return Response(calendar.to_ical(), mimetype="text/calendar",
                    headers={"Cache-Control": "no-store", "Content-Disposition": "inline; filename=lich.ics"})
