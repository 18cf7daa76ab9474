"""Every hook, answering with recognisable English text (tests are not translated)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape

import click

from core.api import (SECRETARY, CalendarEntry, HomeCard, Job, JobContext, NavLink, OrgChanged,
                      Permission, ReportSection, Role, Setting, current_province_id, db, emit, enqueue,
                      has_any, hookimpl, render, require, set_setting)

bp = Blueprint("fixture", __name__, url_prefix="/fixture", template_folder="templates")


@bp.get("/")
@login_required
def page():
    """A page of the plugin, with a slot of its own."""
    return render("fixture/page.html")


@bp.get("/tools/<int:org_id>")
@login_required
def tools(org_id: int):
    """A page guarded by the plugin's own permission."""
    require(current_user, "fixture.tools", org_id)
    return render("fixture/page.html", tools=True)


@bp.post("/job")
@login_required
def start_job():
    """Start the plugin's job and follow its progress."""
    record = enqueue("fixture.echo", user_id=current_user.id, province_id=current_province_id(),
                     text="echoed")
    return redirect(url_for("jobs.status", job_id=record.id))


@bp.post("/half/<int:org_id>")
@login_required
def half_done(org_id: int):
    """Write a row, emit an event, ask for a job, then fail: refused (?how=refuse, for an
    organisation outside the user's scope) or with an error."""
    set_setting(org_id, "fixture", "half", "written")
    emit(OrgChanged(current_province_id(), current_user.id, org_id, "half"))
    enqueue("fixture.echo", user_id=current_user.id, province_id=current_province_id(), text="half")
    if request.args.get("how") == "refuse":
        require(current_user, "fixture.tools", org_id)
    raise RuntimeError("the request fails after writing")


@bp.post("/rename/<int:org_id>")
@login_required
def rename(org_id: int):
    """Write a row and emit an event in one transaction, committed once (the outbox's way)."""
    require(current_user, "fixture.tools", org_id)
    set_setting(org_id, "fixture", "name", request.form.get("name", ""))
    emit(OrgChanged(current_province_id(), current_user.id, org_id, request.form.get("change", "renamed")))
    db.session.commit()
    return redirect(url_for("fixture.page"))


def echo_job(ctx: JobContext, text: str) -> dict:
    ctx.progress(50, "half way")
    return {"echo": text}


@hookimpl
def register_blueprints():
    return [bp]


@hookimpl
def register_permissions():
    return [Permission("fixture.tools", "Use the fixture tools", (SECRETARY, "fixture.keeper"))]


@hookimpl
def register_jobs():
    # `plugin` lies on purpose: the host must stamp the real owner.
    return [Job("fixture.echo", "tests.plugins.fixture_plugin.hooks:echo_job", plugin="core")]


@hookimpl
def menu_links(user):
    if not user.is_authenticated:
        return []
    links = [NavLink("Fixture link", url_for("fixture.page"), weight=70)]
    if has_any(user, "fixture.tools"):
        links.append(NavLink("Fixture tools", url_for("fixture.page"), section="manage"))
    return links


@hookimpl
def home_cards(user):
    return [HomeCard("Fixture card", url_for("fixture.page"), body="Fixture card body", weight=1)]


@hookimpl
def page_slot(slot, user, context):
    if slot == "home_top":
        return Markup('<p class="fixture-slot">Fixture slot for %s</p>') % user.display_name
    if slot == "fixture_slot":
        return f"<b>{context['number']}</b>"  # plain text: the core must escape it
    return None


@hookimpl
def track_event(event):
    if getattr(event, "change", None) == "boom":
        raise RuntimeError("a listener that fails")
    current_app.extensions.setdefault("fixture.events", []).append(event)


@hookimpl
def calendar_entries(user, start, end):
    return [CalendarEntry("Fixture later", start + timedelta(days=2), "/fixture/"),
            CalendarEntry("Fixture sooner", start + timedelta(days=1), "/fixture/")]


@hookimpl
def report_sections(org, user):
    return [ReportSection("Fixture section", {"org": org.name}, weight=50),
            ReportSection("Fixture first", {}, weight=1)]


@hookimpl
def hand_over_question(question):
    return f"/fixture/questions?from={escape(question.source)}"


@hookimpl
def register_settings():
    return [Setting("fixture.answer", "The fixture's answer", type="int", default=7, min=0, max=100,
                    level="grassroots"),
            Setting("fixture.open", "Fixture open to all", type="bool", default=False),
            Setting("fixture.colour", "Fixture colour", type="choice", default="red",
                    choices=(("red", "Red"), ("green", "Green")), level="branch"),
            Setting("fixture.opens_at", "Fixture opening time", type="time", default="07:00",
                    level="district")]


@click.group("fixture")
def fixture_cli():
    """The fixture plugin's commands."""


@fixture_cli.command("hello")
@click.argument("name")
def hello(name):
    """Greet NAME."""
    click.echo(f"fixture says hello to {name}")


@hookimpl
def register_commands():
    return [fixture_cli]


@hookimpl
def seed_demo(demo):
    current_app.extensions["fixture.seeded"] = demo  # what the test reads


@hookimpl
def register_roles():
    return [Role("fixture.keeper", "Fixture keeper", ("branch",))]
