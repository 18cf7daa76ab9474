"""The core's own hook implementations: core features use the same hooks as plugins."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from core.jobs import core_jobs
from core.members.importing import import_jobs
from core.org.scope import core_permissions, core_roles, has_any
from core.plugins import hookimpl
from core.types import HomeCard, NavLink


@hookimpl
def register_permissions():
    return core_permissions()


@hookimpl
def register_roles():
    return core_roles()


@hookimpl
def register_jobs():
    return core_jobs() + import_jobs()


@hookimpl
def menu_links(user):
    links = [NavLink(_("Home"), url_for("home.index"), weight=0, icon="home")]
    if not user.is_authenticated:
        return links
    links.append(NavLink(_("Calendar"), url_for("calendar.index"), weight=80, icon="calendar"))
    links.append(NavLink(_("My account"), url_for("auth.account"), weight=90, icon="account"))
    if has_any(user, "members.view"):
        links.append(NavLink(_("Members"), url_for("members.index"), weight=10, section="manage", icon="members",
                             description=_("Add, edit, transfer members; who uses the app")))
    if has_any(user, "accounts.reset"):
        links.append(NavLink(_("Password requests"), url_for("members.resets"), weight=20, icon="key",
                             section="manage",
                             description=_("Give one-time codes to members who forgot a password")))
    if has_any(user, "orgs.manage"):
        links.append(NavLink(_("Organisations"), url_for("admin.orgs"), weight=30, section="manage", icon="organisation",
                             description=_("Create, rename, merge and move organisations")))
    if has_any(user, "roles.delegate"):
        links.append(NavLink(_("Roles"), url_for("admin.roles"), weight=40, section="manage", icon="role",
                             description=_("Appoint administrators and secretaries")))
    if has_any(user, "members.import"):
        links.append(NavLink(_("Import members"), url_for("imports.start"), weight=50, icon="import",
                             section="manage",
                             description=_("From an Excel or CSV export of the member database")))
    if has_any(user, "settings.manage"):
        links.append(NavLink(_("Settings"), url_for("admin.settings"), weight=65, section="manage", icon="settings",
                             description=_("How the features work in your organisation and below")))
    if has_any(user, "plugins.manage"):
        links.append(NavLink(_("Features"), url_for("admin.plugins"), weight=60, section="manage", icon="features",
                             description=_("Turn features on or off for the province")))
    return links


@hookimpl
def home_cards(user):
    if not user.is_authenticated:
        return []
    # Management is a tile of its own ("Manage"): no card repeats it. Staff without a second
    # factor are asked, on top of their home, to link the phone they hold.
    from core.auth.second_factor import is_staff

    if user.is_helper or user.totp_secret or not is_staff(user):
        return []
    return [HomeCard(_("Protect your account with a second factor"), url_for("auth.authenticator"),
                     weight=15, icon="shield",
                     body=_("You manage members' records: link an authenticator app on your phone, "
                            "it takes a minute."))]
