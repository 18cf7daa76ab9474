"""The home-screen app: the web app manifest, the service worker and its offline page.

All three sit at fixed addresses (a service worker's scope is the folder it is served from, so
/sw.js covers the site) and are the same for everyone: no session is read or written. The
worker keeps only the content-hashed static files and the offline page (see notify/sw.js)."""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response
from flask_babel import gettext as _

from core.assets import asset_url, encoded_response

bp = Blueprint("pwa", __name__)
THEME_COLOUR = "#a50000"  # the lite theme's top bar
BACKGROUND = "#ffffff"
# The files a member needs for any page, fetched while the worker installs.
SHELL = ("app.css", "app.js", "vendor/htmx.min.js", "icons/icon-192.png")
OFFLINE = "/offline"


def _env():
    from core.themes import env_for_request

    return env_for_request()


def _offline_html() -> str:
    return _env().get_template("notify/offline.html").render(theme_color=THEME_COLOUR)


def _response(body: str, mimetype: str, max_age: int) -> Response:
    # Public and the same for everyone; "no-cache" still revalidates on every use (an ETag
    # per encoding answers that with a 304). Compressed once per process, not per hit.
    return encoded_response(body, mimetype, f"public, max-age={max_age}" if max_age else "no-cache")


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone needs to put the handbook on its home screen: name, colours, icons."""
    manifest = {
        "id": "/",
        "name": "Sổ tay đảng viên",
        "short_name": "Sổ tay ĐV",
        "description": _("The electronic Party member handbook"),
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND,
        "icons": [
            {"src": asset_url("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": asset_url("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": asset_url("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return _response(json.dumps(manifest, ensure_ascii=False), "application/manifest+json", 86400)


def precache() -> list[str]:
    """The hashed static files and the offline page the worker keeps."""
    return [asset_url(name) for name in SHELL] + [OFFLINE]


@bp.get("/sw.js")
def service_worker():
    """The service worker; its cache name changes with every static file and the offline page,
    so an upgrade replaces the whole cache and never leaves stale files behind."""
    urls = precache()
    digest = hashlib.sha256("\n".join(urls + [_offline_html()]).encode()).hexdigest()[:12]
    source = _env().loader.get_source(_env(), "notify/sw.js")[0]
    body = (source.replace("__CACHE__", json.dumps(f"sotay-{digest}"))
            .replace("__PRECACHE__", json.dumps(urls)))
    return _response(body, "text/javascript", 0)


@bp.get(OFFLINE)
def offline():
    """Shown by the service worker when a page is opened without a network."""
    return _response(_offline_html(), "text/html", 0)
