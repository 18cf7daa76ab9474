"""Static files under content-hashed names with year-long cache headers.

`asset_url("app.css")` looks in the province theme's static folder, then the base theme's,
then core/static; a plugin's files are named "<plugin>/<file>".

Text files (CSS, JavaScript, SVG, JSON ...) are compressed once per process, on their first
request, with brotli (quality 11) and gzip (level 9), and kept in memory: each hit then only
picks the encoding the browser accepts. `encoded_response` does the same for the other bodies
that are the same for everyone (the service worker, the manifest, the offline page)."""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path

import brotli
from cachetools import LRUCache
from flask import Blueprint, Flask, Response, abort, current_app, request, send_file, url_for

from core.paths import ROOT

bp = Blueprint("assets", __name__)
YEAR = 31536000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
TEXT_TYPES = ("application/javascript", "text/javascript", "application/json",
              "application/manifest+json", "image/svg+xml", "application/xml")
ENCODINGS = ("br", "gzip")  # the server's preference when the browser accepts both equally
_encoded_lock = threading.Lock()
# Compressed bodies by content digest: the static files, and the few shared dynamic bodies
# (one per theme each); bounded so a body that changes often cannot grow it without end.
_encoded: LRUCache = LRUCache(maxsize=256)


def is_text(mimetype: str | None) -> bool:
    return bool(mimetype) and (mimetype.startswith("text/") or mimetype in TEXT_TYPES)


@dataclass(frozen=True)
class Encoded:
    """One body in every encoding a browser may get, and its content digest."""

    digest: str
    bodies: dict  # "identity" | "br" | "gzip" -> bytes


def _encode(body: bytes) -> Encoded:
    digest = hashlib.sha256(body).hexdigest()[:20]
    found = _encoded.get(digest)
    if found is None:
        bodies = {"identity": body, "br": brotli.compress(body, quality=11),
                  "gzip": gzip.compress(body, 9, mtime=0)}
        # An encoding only goes out when it is smaller than the body itself.
        found = Encoded(digest, {k: v for k, v in bodies.items()
                                 if k == "identity" or len(v) < len(body)})
        with _encoded_lock:
            _encoded[digest] = found
    return found


def _accepted(header: str) -> dict[str, float]:
    """Accept-Encoding as {coding: quality}."""
    accepted: dict[str, float] = {}
    for part in header.lower().split(","):
        coding, _sep, params = part.strip().partition(";")
        if not coding:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[coding.strip()] = quality
    return accepted


def choose_encoding(header: str, available) -> str:
    """The best encoding of `available` the browser accepts; "identity" when none."""
    accepted = _accepted(header)
    best, best_quality = "identity", 0.0
    for coding in ENCODINGS:
        if coding not in available:
            continue
        quality = accepted.get(coding, accepted.get("*", 0.0))
        if quality > best_quality:
            best, best_quality = coding, quality
    return best


def encoded_response(body: bytes | str, mimetype: str, cache_control: str) -> Response:
    """A body that is the same for everyone, compressed once, sent in the encoding the browser
    accepts, with `Vary: Accept-Encoding`, an ETag per encoding and 304 on revalidation."""
    if isinstance(body, str):
        body = body.encode()
    encoded = _encode(body)
    coding = choose_encoding(request.headers.get("Accept-Encoding", ""), encoded.bodies)
    etag = f"{encoded.digest}-{coding}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(encoded.bodies[coding], mimetype=mimetype)
        if coding != "identity":
            response.headers["Content-Encoding"] = coding
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    response.vary.add("Accept-Encoding")
    return response


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
    mimetype = mimetypes.guess_type(path.name)[0]
    if is_text(mimetype):
        return encoded_response(_read(path), mimetype, IMMUTABLE)
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=YEAR)
    response.headers["Cache-Control"] = IMMUTABLE
    return response


_files: dict[Path, bytes] = {}


def _read(path: Path) -> bytes:
    """A static file's bytes, read once per process (its name changes with its content)."""
    data = _files.get(path)
    if data is None:
        data = _files[path] = path.read_bytes()
    return data
