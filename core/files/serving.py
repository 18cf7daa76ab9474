"""Serving stored files: ranges (a phone on 3G resumes a download, a player seeks), an ETag,
the file's own name, and cache headers chosen by the caller."""
from __future__ import annotations

import logging
import unicodedata
from urllib.parse import quote

from flask import Response, abort, request, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from core.files.kinds import JPEG, PDF, PNG
from core.files.models import StoredFile
from core.files.service import open_file
from core.files.watermark import watermark_image, watermark_pdf

log = logging.getLogger(__name__)
NO_STORE = "no-store"
IMMUTABLE = "private, max-age=31536000, immutable"


def send(stored: StoredFile, *, private: bool = True, download: bool = False,
         download_name: str | None = None, watermark: str | None = None) -> Response:
    """The file as a response: `private` (the default) is never kept by any cache; otherwise
    the reader's browser keeps it a year (for URLs that change with the content, such as audio
    per text version). Sensitive and watermarked files are always no-store. `download` asks
    the browser to save it rather than show it. With `watermark`, a copy of a PDF or picture
    with that text drawn on it is served (whole, without ranges). 404 when the bytes are gone."""
    if watermark is not None:
        try:
            response = Response(watermarked(stored, watermark), mimetype=stored.mimetype)
        except FileNotFoundError:
            _missing(stored)
        cache = NO_STORE
    else:
        response = _ranged(stored)
        cache = NO_STORE if private or stored.sensitive else IMMUTABLE
    name = download_name or stored.filename
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    response.headers.set("Content-Disposition", "attachment" if download else "inline",
                         filename=ascii_name.encode("ascii", "ignore").decode() or "file",
                         **{"filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")})
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache
    return response


def _ranged(stored: StoredFile) -> Response:
    try:
        stream = open_file(stored)
    except FileNotFoundError:
        _missing(stored)
    if stored.sensitive:
        stream.peek(1)  # a wrong FILES_KEY fails here, as an error page, not as a cut-off download
    response = send_file(stream, mimetype=stored.mimetype, conditional=False, etag=stored.sha256)
    response.content_length = stored.size
    try:
        return response.make_conditional(request, accept_ranges=True, complete_length=stored.size)
    except RequestedRangeNotSatisfiable:
        response.close()
        refused = Response(status=416)
        refused.headers["Content-Range"] = f"bytes */{stored.size}"
        refused.headers["Accept-Ranges"] = "bytes"
        return refused


def _missing(stored: StoredFile):
    log.error("stored file %s (%s/%s) is missing from the backend", stored.id, stored.namespace,
              stored.key)
    abort(404)


def watermarked(stored: StoredFile, text: str) -> bytes:
    """A copy of a stored PDF (every page) or picture with `text` drawn across it, e.g.
    "Nguyễn Văn A — 46012345 — 02/12/2026". ValueError for any other type."""
    if stored.mimetype not in (PDF, JPEG, PNG):
        raise ValueError(f"{stored.mimetype} cannot be watermarked")
    with open_file(stored) as source:
        if stored.mimetype == PDF:
            return watermark_pdf(source, text)
        return watermark_image(source, stored.mimetype, text)
