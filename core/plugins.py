"""The plugin host: loads the configured plugins and calls hooks per province.

Three levels: installed (an entry point in "sotay.plugins"), loaded (named in the deployment's
PLUGINS; every other installed plugin is blocked), and enabled per province (the plugin_state
table, changed at run time on /admin/plugins). A disabled plugin is left out at three points:
hooks (`hook` skips it), routes (`_guard_routes` answers 404) and jobs (core.jobs refuses them)."""
from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import logging
import threading
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType

import pluggy
from cachetools import TTLCache
from flask import Flask, abort, current_app, g, has_request_context, request
from markupsafe import Markup, escape
from sqlalchemy import select

from core import hookspecs
from core.events import registry
from core.extensions import db

log = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("sotay")
CORE = "core"
CORE_MODULES = ("core.corehooks", "core.content.hooks", "core.content.library_hooks", "core.notify.hooks")


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin's metadata, read from its package's `__init__.py`."""

    name: str
    title: str  # or a lazy translation
    description: str
    requires: tuple[str, ...]
    enabled_by_default: bool
    package: ModuleType


class PluginHost:
    """One per app, kept in app.extensions["sotay.plugins"]."""

    def __init__(self, pm: pluggy.PluginManager, plugins: dict[str, PluginInfo]):
        self.pm = pm
        self.plugins = plugins
        self.blueprint_owner: dict[str, str] = {}
        self.permissions = {}
        self.roles = {}
        self.jobs = {}
        self.events = {}  # {name: Event class}: the core's and those of the loaded plugins
        self._lock = threading.Lock()
        self._enabled: TTLCache | None = None  # None: no caching (PROVINCE_CACHE_SECONDS = 0)

    @classmethod
    def build(cls, app: Flask) -> "PluginHost":
        """Load the configured plugins; also install the route guard and the `slot` global."""
        pm = pluggy.PluginManager("sotay")
        pm.add_hookspecs(hookspecs)
        # The core's own features use the same hooks as plugins; they are never switched off.
        for module in CORE_MODULES:
            pm.register(importlib.import_module(module), name=module if module != "core.corehooks" else CORE)
        extra = dict(app.config.get("EXTRA_PLUGINS", {}))
        wanted = list(app.config["PLUGINS"])
        packages = {ep.name: ep for ep in entry_points(group="sotay.plugins")}
        packages.update(extra)
        plugins: dict[str, PluginInfo] = {}
        for name in sorted(packages):
            if name not in wanted and name not in extra:
                pm.set_blocked(name)
                continue
            source = packages[name]
            package = importlib.import_module(source) if isinstance(source, str) else source.load()
            plugins[name] = _info(name, package)
            pm.register(importlib.import_module(package.__name__ + ".hooks"), name=name)
            _import_models(package)
        missing = set(wanted) - set(plugins)
        if missing:
            raise RuntimeError(f"configured plugins are not installed: {sorted(missing)}")
        for info in plugins.values():
            for needed in info.requires:
                if needed not in plugins:
                    raise RuntimeError(f"plugin {info.name} requires {needed}, which is not loaded")
        pm.check_pending()
        host = cls(pm, plugins)
        seconds = app.config.get("PROVINCE_CACHE_SECONDS", 5)
        host._enabled = TTLCache(maxsize=4096, ttl=seconds) if seconds else None
        host.permissions = {p.name: p for _, group in host.each_plugin("register_permissions")
                            for p in group}
        host.roles = {}
        for owner, group in host.each_plugin("register_roles"):
            for role in group:
                if owner not in (CORE, *CORE_MODULES) and not role.name.startswith(owner + "."):
                    raise RuntimeError(f"role {role.name!r} of {owner} must be named {owner}.<role>")
                host.roles[role.name] = role
        # The host, not the plugin, says whose job it is: enablement checks rely on it.
        host.jobs = {j.name: dataclasses.replace(j, plugin=owner)
                     for owner, group in host.each_plugin("register_jobs") for j in group}
        host.events = registry(host.each_plugin("register_events"))
        app.before_request(_guard_routes)
        app.add_template_global(slot, "slot")
        return host

    def each_plugin(self, name: str, **kwargs):
        """(plugin name, result) for every plugin (the core included) implementing hook `name`."""
        for impl in getattr(self.pm.hook, name).get_hookimpls():
            result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            if result:
                yield impl.plugin_name, result

    def plugin_blueprints(self):
        """(plugin name, blueprint) pairs returned by each loaded plugin."""
        for name, group in self.each_plugin("register_blueprints"):
            yield from ((name, bp) for bp in group)

    def enabled(self, province_id: int | None) -> set[str]:
        """Names of the loaded plugins enabled for `province_id` (defaults when None).

        Kept a few seconds per process (PROVINCE_CACHE_SECONDS): every page asks, and a toggle
        made in another process is seen by this one that much later."""
        if self._enabled is not None:
            with self._lock:
                cached = self._enabled.get(province_id)
            if cached is not None:
                return cached
        states = {}
        if province_id is not None:
            from core.org.models import PluginState

            states = dict(db.session.execute(select(PluginState.plugin, PluginState.enabled)
                                             .where(PluginState.province_id == province_id)).all())
        result = {name for name, info in self.plugins.items()
                  if states.get(name, info.enabled_by_default)}
        # A plugin whose requirement is off is off too.
        result = frozenset(n for n in result if all(r in result for r in self.plugins[n].requires))
        if self._enabled is not None:
            with self._lock:
                self._enabled[province_id] = result
        return result

    def forget(self, province_id: int | None) -> None:
        """Drop the cached enablement of a province (after a toggle in this process)."""
        if self._enabled is not None:
            with self._lock:
                self._enabled.pop(province_id, None)

    def hook(self, name: str, province_id: int | None):
        """The hook caller for `name`, leaving out plugins disabled for the province."""
        disabled = set(self.plugins) - self.enabled(province_id)
        if not disabled:
            return getattr(self.pm.hook, name)
        return self.pm.subset_hook_caller(
            name, [self.pm.get_plugin(n) for n in disabled if self.pm.get_plugin(n)])


def installed_folders(app: Flask) -> list:
    """The package folder of every installed plugin, loaded or not, found without importing it."""
    from pathlib import Path

    sources = {ep.name: ep.value for ep in entry_points(group="sotay.plugins")}
    for name, source in app.config.get("EXTRA_PLUGINS", {}).items():
        sources[name] = source if isinstance(source, str) else source.__name__
    folders = []
    for name in sorted(sources):
        spec = importlib.util.find_spec(sources[name].split(":")[0])
        if spec is not None and spec.submodule_search_locations:
            folders.append(Path(list(spec.submodule_search_locations)[0]))
    return folders


def host(app: Flask | None = None) -> PluginHost:
    return (app or current_app).extensions["sotay.plugins"]


def _info(name: str, package: ModuleType) -> PluginInfo:
    return PluginInfo(
        name=name,
        # Kept lazy: rendered in the reader's language when shown, not when the app is built.
        title=getattr(package, "TITLE", name),
        description=getattr(package, "DESCRIPTION", ""),
        requires=tuple(getattr(package, "REQUIRES", ())),
        enabled_by_default=bool(getattr(package, "ENABLED_BY_DEFAULT", False)),
        package=package,
    )


def _import_models(package: ModuleType) -> None:
    """Put a plugin's tables on db.metadata, so Alembic's autogenerate sees them."""
    if importlib.util.find_spec(package.__name__ + ".models") is not None:
        importlib.import_module(package.__name__ + ".models")


def _guard_routes():
    """A disabled plugin's pages answer 404 for the users of that province; someone signed out
    has no province yet, and is asked to sign in first (as on any other page)."""
    from flask_login import current_user

    owners = host().blueprint_owner
    for name in request.blueprints:
        owner = owners.get(name)
        if owner is not None and not plugin_enabled(owner):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            abort(404)


def province_of(user) -> int | None:
    """The province of `user`'s home organisation (None when anonymous or without one)."""
    from core.org.models import Member, Organisation

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "province_id", None) is not None:  # read with the session (auth/sessions.py)
        return user.province_id
    member_id = user.helped_member_id or user.member_id
    if member_id is not None:  # one query, without loading the member
        return db.session.scalar(select(Organisation.province_id)
                                 .join(Member, Member.org_id == Organisation.id)
                                 .where(Member.id == member_id))
    org_id = user.home_org_id
    return db.session.scalar(select(Organisation.province_id).where(Organisation.id == org_id)) if org_id else None


def current_province_id() -> int | None:
    """The province of the signed-in user (None when anonymous)."""
    from flask_login import current_user

    if not has_request_context():
        return None
    if "_sotay_province" not in g:
        g._sotay_province = province_of(current_user)
    return g._sotay_province


def hook(name: str, province_id: int | None = -1):
    """The caller of hook `name` for a province (default: the current user's)."""
    if province_id == -1:
        province_id = current_province_id()
    return host().hook(name, province_id)


def collect(name: str, province_id: int | None = -1, **kwargs) -> list:
    """Call a list-returning hook for a province (default: the current user's), flattened."""
    return [item for group in hook(name, province_id)(**kwargs) if group for item in group]


def plugin_enabled(plugin: str, province_id: int | None = -1) -> bool:
    """Is `plugin` on for a province (default: the current user's)? The core always is."""
    if province_id == -1:
        province_id = current_province_id()
    return plugin == CORE or plugin in CORE_MODULES or plugin in host().enabled(province_id)


def slot(name: str, **context) -> Markup:
    """Jinja global `slot("name", key=value)`: the HTML the enabled plugins put in that place."""
    from flask_login import current_user

    parts = hook("page_slot")(slot=name, user=current_user, context=context)
    # In plugin order; a plain string from a plugin is text, not HTML (escape leaves Markup alone).
    return Markup("").join(escape(part) for part in reversed(parts) if part)


def calendar_for(user, start, end) -> list:
    """`CalendarEntry` items from the plugins enabled for `user`'s province, by start time."""
    entries = collect("calendar_entries", province_of(user), user=user, start=start, end=end)
    return sorted(entries, key=lambda entry: (entry.starts_at, str(entry.title)))


def report_for(org, user) -> list:
    """`ReportSection` items about `org` (the caller checked it is in `user`'s scope), by weight."""
    sections = collect("report_sections", org.province_id, org=org, user=user)
    return sorted(sections, key=lambda section: (section.weight, str(section.title)))


def answers_for(text: str, user, limit: int = 5) -> list:
    """`PublishedAnswer` items matching `text` that `user` may read, from the enabled plugins."""
    if not (text or "").strip():
        return []
    return collect("published_answers", province_of(user), text=text, user=user, limit=limit)[:limit]


def spoken_text_for(key: str, user):
    """The `SpokenText` a plugin names `key`, if `user` may read it (None otherwise, or when no
    enabled plugin owns the key): what read-aloud speaks for another plugin's page."""
    if not key or len(key) > 200:
        return None
    return hook("spoken_text", province_of(user))(key=key, user=user)


def hand_over(question) -> str | None:
    """Hand an unanswered `Question` to the plugin that follows such questions; its URL, or None."""
    from core.org.models import Organisation

    org = db.session.get(Organisation, question.org_id)
    return hook("hand_over_question", org.province_id if org else None)(question=question)
