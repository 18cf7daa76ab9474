"""Static files under content-hashed names with year-long cache headers.

`asset_url("app.css")` looks in the province theme's static folder, then the base theme's,
then core/static; a plugin's files are named "<plugin>/<file>"."""
from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_file, url_for

from core.paths import ROOT

bp = Blueprint("assets", __name__)
YEAR = 31536000


@dataclass(frozen=True)
class Asset:
    path: Path
    hashed: str  # e.g. "app.3f2a1b9c.css"


def _hashed_name(logical: str, path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    stem, dot, ext = logical.rpartition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{logical}.{digest}"


def _scan(folder: Path, prefix: str = "") -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {prefix + p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


def init_app(app: Flask) -> None:
    """Hash every static file once, at app creation."""
    from core.plugins import host
    from core.themes import available, theme_static_dirs

    shared = _scan(ROOT / "core" / "static")
    for name, info in host(app).plugins.items():
        shared.update(_scan(Path(info.package.__file__).parent / "static", f"{name}/"))
    by_theme: dict[str, dict[str, Asset]] = {}
    served: dict[str, Path] = {}
    for theme in available():
        files = dict(shared)
        for folder in reversed(theme_static_dirs(theme)):
            files.update(_scan(folder))
        assets = {logical: Asset(path, _hashed_name(logical, path)) for logical, path in files.items()}
        by_theme[theme] = assets
        served.update({a.hashed: a.path for a in assets.values()})
    app.extensions["sotay.assets"] = (by_theme, served)
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["has_asset"] = has_asset


def asset_url(logical: str) -> str:
    from core.themes import theme_for_request

    by_theme, _served = current_app.extensions["sotay.assets"]
    assets = by_theme.get(theme_for_request()) or by_theme["lite"]
    return url_for("assets.serve", filename=assets[logical].hashed)


def has_asset(logical: str) -> bool:
    """Does the request's theme (or the base theme) have this static file?"""
    from core.themes import theme_for_request

    by_theme, _served = current_app.extensions["sotay.assets"]
    return logical in (by_theme.get(theme_for_request()) or by_theme["lite"])


@bp.get("/a/<path:filename>")
def serve(filename: str):
    """Serve a hashed static file; its name changes whenever its content does."""
    _by_theme, served = current_app.extensions["sotay.assets"]
    path = served.get(filename)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=mimetypes.guess_type(path.name)[0], conditional=True,
                         max_age=YEAR)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
