"""Themes: `themes/lite` is the base; a province may choose another that overrides it.

Jinja caches templates by loader and name, so each theme gets its own environment (an overlay
of the app's), never a loader that looks at the request."""
from __future__ import annotations

from pathlib import Path

from cachetools import TTLCache
from flask import Flask, current_app, g, has_request_context
from jinja2 import ChoiceLoader, FileSystemLoader, FunctionLoader, TemplateNotFound

from core.icons import icon
from core.paths import ROOT

THEMES = ROOT / "themes"
BASE_THEME = "lite"
# Themes may restyle members' pages but never the administration pages.
PROTECTED_PREFIXES = ("admin/",)


class ThemeLoader(FileSystemLoader):
    """A theme's templates, refusing to override protected ones."""

    def get_source(self, environment, template):
        if template.startswith(PROTECTED_PREFIXES):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


def available() -> list[str]:
    return sorted(p.name for p in THEMES.iterdir() if (p / "templates").is_dir() or (p / "static").is_dir())


def init_app(app: Flask) -> None:
    base = ChoiceLoader([FileSystemLoader(str(THEMES / BASE_THEME / "templates")),
                         FileSystemLoader(str(ROOT / "core" / "templates")),
                         app.jinja_env.loader])
    app.jinja_env.loader = base
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(display_classes=display_classes, nav_links=nav_links, icon=icon)
    envs = {BASE_THEME: app.jinja_env}
    for name in available():
        if name != BASE_THEME:
            envs[name] = app.jinja_env.overlay(
                loader=ChoiceLoader([ThemeLoader(str(THEMES / name / "templates")), base]))
    app.extensions["sotay.themes"] = envs
    seconds = app.config.get("PROVINCE_CACHE_SECONDS", 5)
    app.extensions["sotay.theme_cache"] = TTLCache(maxsize=4096, ttl=seconds) if seconds else None
    # For htmx navigations the same page templates extend "_fragment.html" instead of the
    # layout, so they render only <title> and the main block (with their own imports intact).
    app.extensions["sotay.fragment_themes"] = {
        name: env.overlay(loader=ChoiceLoader([FunctionLoader(_fragment_layout(env)), env.loader]))
        for name, env in envs.items()}


def _fragment_layout(env):
    def load(name: str):
        if name != "base.html":
            return None
        source, filename, uptodate = env.loader.get_source(env, "_fragment.html")
        return source, filename, uptodate
    return load


def theme_for_request() -> str:
    """The theme of the user's province, else the deployment's."""
    if not has_request_context():
        return current_app.config["THEME"]
    if "_sotay_theme" not in g:
        from core.plugins import current_province_id

        g._sotay_theme = province_theme(current_province_id())
    return g._sotay_theme


def province_theme(province_id: int | None) -> str:
    """The theme a province chose, kept a few seconds per process like its enabled plugins."""
    from core.org.settings import get_setting

    cache = current_app.extensions["sotay.theme_cache"]
    if cache is not None and province_id in cache:
        return cache[province_id]
    chosen = get_setting(province_id, "core", "theme") if province_id else None
    theme = chosen if chosen in current_app.extensions["sotay.themes"] else current_app.config["THEME"]
    if cache is not None:
        cache[province_id] = theme
    return theme


def forget(province_id: int | None) -> None:
    """Drop a province's cached theme (after the administrator chose another)."""
    cache = current_app.extensions["sotay.theme_cache"]
    if cache is not None:
        cache.pop(province_id, None)


def env_for_request(fragment: bool = False):
    """The Jinja environment of the request's theme (its fragment twin for htmx navigations)."""
    envs = current_app.extensions["sotay.fragment_themes" if fragment else "sotay.themes"]
    return envs.get(theme_for_request(), envs[BASE_THEME])


def theme_static_dirs(name: str) -> list[Path]:
    """Where a theme's static files are looked up: its own folder, then the base theme's."""
    dirs = [THEMES / name / "static"] if name != BASE_THEME else []
    return dirs + [THEMES / BASE_THEME / "static"]


def display_classes() -> str:
    """Body classes for the member's display choices (large text, high contrast)."""
    from flask import request

    return " ".join(name for name in ("large", "contrast") if request.cookies.get(name))


def all_links():
    """Every menu entry the current user gets from the core and the enabled plugins, computed
    once per request (the header, the home tiles and /manage all read it)."""
    from flask_login import current_user

    from core.plugins import collect

    if "sotay_links" not in g:
        g.sotay_links = sorted(collect("menu_links", user=current_user), key=lambda link: link.weight)
    return g.sotay_links


def nav_links():
    """The main menu, from the core's and the enabled plugins' `menu_links`."""
    from flask import url_for
    from flask_babel import gettext as _

    from core.types import NavLink

    every = all_links()
    links = [link for link in every if link.section == "main"]
    if any(link.section == "manage" for link in every):
        links.append(NavLink(_("Manage"), url_for("home.manage"), weight=50, icon="manage"))
    return sorted(links, key=lambda link: link.weight)
