"""Administrators set the declared settings of the core and the plugins on their organisation;
what they set holds for everything below it, unless a lower level that may sets its own."""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.admin.views import bp, own_orgs, scoped_org
from core.audit import audit
from core.extensions import db
from core.org.models import Organisation
from core.org.settings import Setting, SettingError, parse, set_setting, settings_host
from core.plugins import CORE, host
from core.web import render

PERM = "settings.manage"


@dataclass
class SettingRow:
    """One setting as the form shows it: what is set here, and what applies if nothing is."""

    spec: Setting
    here: object  # the value set on this organisation, or None
    inherited: object  # what applies without it: set above, or the default
    source: str  # where `inherited` comes from
    error: str | None = None
    typed: str | None = None  # what was sent, shown again with its error


@dataclass
class SettingGroup:
    plugin: str
    title: str
    rows: list[SettingRow]


def groups(org: Organisation, sent: dict | None = None, errors: dict | None = None) -> list[SettingGroup]:
    """The settings an administrator may set on `org`, per plugin enabled for its province."""
    on = host().enabled(org.province_id)
    stored_here = settings_host().stored(org.id)
    above = settings_host().stored(org.parent_id) if org.parent_id else {}
    names = {}
    if org.parent_id:
        names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
            Organisation.id.in_({where for _v, where in above.values()}))).all())
    found: dict[str, SettingGroup] = {}
    for spec in settings_host().declared.values():
        plugin = spec.namespace
        if not spec.settable_at(org.level) or (plugin != CORE and plugin not in on):
            continue
        here = stored_here.get(spec.key)
        here_value = here[0] if here and here[1] == org.id else None
        value, where = above.get(spec.key, (None, None))
        inherited, source = (value, names.get(where, "")) if where else (spec.default, _("the default"))
        title = _("Core") if plugin == CORE else str(host().plugins[plugin].title)
        group = found.setdefault(plugin, SettingGroup(plugin, title, []))
        group.rows.append(SettingRow(spec, here_value, inherited, source,
                                     (errors or {}).get(spec.key), (sent or {}).get(spec.key)))
    return sorted(found.values(), key=lambda g: (g.plugin != CORE, g.title))


def page(org: Organisation, *, sent=None, errors=None, status: int = 200):
    return render("admin/settings.html", org=org, groups=groups(org, sent, errors),
                  form=FlaskForm(), status=status, private=True)


@bp.get("/settings")
@login_required
def settings():
    """The settings of the organisation the administrator holds."""
    return redirect(url_for("admin.settings_for", org_id=own_orgs(PERM)[0].id))


@bp.route("/settings/<int:org_id>", methods=["GET", "POST"])
@login_required
def settings_for(org_id: int):
    """Read and change the settings of an organisation in the administrator's subtree."""
    org = scoped_org(org_id, PERM)
    if request.method == "GET":
        return page(org)
    form = FlaskForm()
    if not form.validate():
        return page(org, status=400)
    shown = {row.spec.key: row.spec for group in groups(org) for row in group.rows}
    sent, errors, changes = {}, {}, {}
    for key, spec in shown.items():
        if key not in request.form:
            continue
        raw = request.form.get(key, "")
        sent[key] = raw
        if raw.strip() == "":
            changes[key] = None  # the level above (or the default) applies again
            continue
        try:
            changes[key] = parse(spec, raw)
        except SettingError as error:
            errors[key] = str(error)
    if errors:
        return page(org, sent=sent, errors=errors, status=400)
    for key, value in changes.items():
        spec = shown[key]
        set_setting(org.id, spec.namespace, spec.name, value)
    audit("settings.changed", f"org:{org.id}", keys=sorted(changes))
    db.session.commit()
    settings_host().forget()
    flash(_("The settings are saved."), "success")
    return redirect(url_for("admin.settings_for", org_id=org.id))
