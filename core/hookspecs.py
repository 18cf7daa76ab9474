"""The hooks plugins implement. Each returns data; the core applies it.

A hookspec may gain arguments but never lose or rename one: implementations take only
the arguments they need. Every hook is documented in docs/hooks.md (a test checks it)."""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("sotay")


@hookspec
def register_blueprints():
    """Return a list of Flask blueprints; each is routed only for provinces that enable the plugin."""


@hookspec
def register_permissions():
    """Return a list of `Permission` the plugin checks with the core's scoping helper."""


@hookspec
def register_jobs():
    """Return a list of `Job` declarations the plugin may enqueue through core.jobs."""


@hookspec
def menu_links(user):
    """Return a list of `NavLink` for `user` (main menu or management menu)."""


@hookspec
def home_cards(user):
    """Return a list of `HomeCard` for `user`'s home page."""


@hookspec
def page_slot(slot, user, context):
    """Return HTML (Markup) to insert into the named `slot` of a page, or None."""


@hookspec
def register_events():
    """Return a list of the plugin's own `Event` classes, each named "<plugin>.<something>"."""


@hookspec
def track_event(event):
    """React to an `Event` after its transaction committed; enqueue slow work, return nothing."""


@hookspec
def org_merging(source_id, target_id):
    """Re-point the plugin's rows from organisation `source_id` to `target_id`, inside the merge."""


@hookspec
def calendar_entries(user, start, end):
    """Return a list of `CalendarEntry` for `user` between `start` and `end`."""


@hookspec
def report_sections(org, user):
    """Return a list of `ReportSection` about `org` (already in `user`'s scope)."""


@hookspec(firstresult=True)
def hand_over_question(question):
    """Take a `Question` another plugin could not answer; return a URL to follow it, or None."""


@hookspec
def published_answers(text, user, limit):
    """Return a list of `PublishedAnswer` matching `text` that `user` may read (at most `limit`)."""


@hookspec(firstresult=True)
def spoken_text(key, user):
    """Return the `SpokenText` named by `key` (a key of the plugin's own) if `user` may read it, else None."""


@hookspec
def notification_kinds():
    """Return a list of `NotificationKind` the plugin sends, for members to choose on /inbox/prefs."""


@hookspec
def register_settings():
    """Return a list of `Setting` the plugin reads with `core.org.settings.setting(key, org_id)`."""


@hookspec
def register_commands():
    """Return a list of click commands or groups added to `flask` (named after the plugin)."""


@hookspec
def seed_demo(demo):
    """Fill the plugin with demo data for `demo` (a `core.demo.DemoWorld`); return nothing."""


@hookspec
def register_roles():
    """Return a list of `Role` (named "<plugin>.<role>") that administrators grant within their subtree."""
