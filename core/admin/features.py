"""A province administrator turns loaded plugins on or off, and picks the province's theme.

Changes take effect on the next request, without a restart: the plugin host reads the
plugin_state table per request."""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core import themes
from core.admin.forms import ThemeForm, ToggleForm
from core.admin.views import bp, own_orgs, scoped_org
from core.audit import audit
from core.events import PluginToggled, emit
from core.extensions import db
from core.org.models import Level, Organisation, PluginState
from core.org.scope import refuse
from core.org.settings import get_setting, set_setting
from core.plugins import PluginInfo, host
from core.web import render

PERM = "plugins.manage"


@dataclass(frozen=True)
class FeatureRow:
    """A loaded plugin as the province sees it."""

    info: PluginInfo
    title: str
    description: str
    enabled: bool
    missing: tuple[str, ...]  # titles of required plugins that are off for the province


def shown(info: PluginInfo, attr: str) -> str:
    """The plugin's title or description in the reader's language."""
    return str(getattr(info, attr))


def province(province_id: int) -> Organisation:
    org = scoped_org(province_id, PERM)
    if org.level != Level.PROVINCE.value:
        refuse(f"org:{province_id}")
    return org


def rows(province_id: int) -> list[FeatureRow]:
    on, loaded = host().enabled(province_id), host().plugins
    found = [FeatureRow(info, shown(info, "title"), shown(info, "description"), name in on,
                        tuple(shown(loaded[r], "title") for r in info.requires if r not in on))
             for name, info in loaded.items()]
    return sorted(found, key=lambda row: row.title)


def theme_form(province_id: int, formdata=None) -> ThemeForm:
    form = ThemeForm(formdata=formdata)
    form.theme.choices = [(name, name) for name in themes.available()]
    if formdata is None:
        form.theme.data = get_setting(province_id, "core", "theme") or themes.BASE_THEME
    return form


def features_page(org: Organisation, *, theme: ThemeForm | None = None, status: int = 200):
    return render("admin/plugins.html", province=org, provinces=own_orgs(PERM), rows=rows(org.id),
                  theme=theme if theme is not None else theme_form(org.id),
                  status=status, private=True)


@bp.get("/plugins")
@login_required
def plugins():
    """The province administrator sees which features are on for their province."""
    return features_page(own_orgs(PERM)[0])


@bp.get("/plugins/<int:province_id>")
@login_required
def plugins_for(province_id: int):
    """The same, for another province the administrator holds (a deployment may host several)."""
    return features_page(province(province_id))


@bp.post("/plugins/<int:province_id>/toggle")
@login_required
def toggle(province_id: int):
    """Turn one feature on or off for the province, at once."""
    org = province(province_id)
    form = ToggleForm()
    info = host().plugins.get(form.plugin.data or "")
    if info is None or not form.validate():
        refuse(f"plugin:{form.plugin.data}")
    enabled = form.enabled.data == "1"
    missing = [r for r in info.requires if r not in host().enabled(org.id)]
    if enabled and missing:
        needed = ", ".join(shown(host().plugins[r], "title") for r in missing)
        flash(_("“%(title)s” needs %(needed)s: turn that on first.", title=shown(info, "title"),
                needed=needed), "error")
        return features_page(org, status=400)
    state = db.session.get(PluginState, (org.id, info.name))
    if state is None:
        state = PluginState(province_id=org.id, plugin=info.name)
        db.session.add(state)
    state.enabled, state.changed_by_id = enabled, current_user.id
    audit("plugin.enabled" if enabled else "plugin.disabled", f"plugin:{info.name}",
          province=org.id)
    db.session.commit()
    host().forget(org.id)  # this request's cache predates the change
    emit(PluginToggled(org.id, current_user.id, info.name, enabled))
    title = shown(info, "title")
    flash(_("“%(title)s” is on.", title=title) if enabled else _("“%(title)s” is off.", title=title),
          "success")
    return redirect(url_for("admin.plugins_for", province_id=org.id))


@bp.post("/plugins/<int:province_id>/theme")
@login_required
def theme(province_id: int):
    """Choose the look of the province's pages."""
    org = province(province_id)
    form = theme_form(org.id, formdata=request.form)
    if not form.validate():
        return features_page(org, theme=form, status=400)
    set_setting(org.id, "core", "theme", form.theme.data)
    audit("theme.changed", f"org:{org.id}", theme=form.theme.data)
    db.session.commit()
    themes.forget(org.id)
    flash(_("The theme is now “%(name)s”.", name=form.theme.data), "success")
    return redirect(url_for("admin.plugins_for", province_id=org.id))
