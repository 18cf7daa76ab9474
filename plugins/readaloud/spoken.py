"""Read-aloud of text other plugins' pages offer that is not a library item (an assistant's
answer, a published answer, a survey's questions): the page puts a key in the `content_actions`
slot, the owning plugin returns the text through the core's `spoken_text` hook to whoever may
read it, and this module speaks it on demand.

Such texts are short, so they are synthesised when first asked for (espeak-ng speaks a minute of
audio in about a second here) and kept in the instance folder by the hash of what they depend on:
the same answer asked for again, by anyone, is sent from disk. The cache is bounded; the oldest
files go first."""
from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.api import refuse, render, spoken_text_for
from plugins.readaloud.engines import EngineFailed
from plugins.readaloud.speech import Choice, synthesise
from plugins.readaloud.views import bp

MAX_CHARS = 4000  # about four minutes of speech; longer texts belong in the library
KEEP_FILES = 500


def cache_dir() -> Path:
    folder = Path(current_app.instance_path) / "readaloud-spoken"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _trim(folder: Path) -> None:
    kept = sorted(folder.glob("*.ogg"), key=lambda path: path.stat().st_mtime)
    for old in kept[:max(0, len(kept) - KEEP_FILES)]:
        old.unlink(missing_ok=True)


def spoken_audio(text: str, choice: Choice) -> tuple[bytes, str]:
    """The Ogg audio of `text` and its ETag, made once per text, engine, voice and speed."""
    digest = hashlib.sha256(f"{choice.key}\n{text}".encode()).hexdigest()[:32]
    path = cache_dir() / f"{digest}.ogg"
    if path.exists():
        return path.read_bytes(), digest
    audio = synthesise(text, choice)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(audio.ogg)
    partial.replace(path)  # two workers making the same file end with one whole file
    _trim(path.parent)
    return audio.ogg, digest


@bp.get("/say/<path:key>.ogg")
@login_required
def say(key: str):
    """The audio of another plugin's text, to those that plugin lets read it (404 otherwise)."""
    found = spoken_text_for(key, current_user)
    if found is None:
        refuse(f"spoken:{key[:100]}")
    text = "\n".join(part for part in (str(found.title or ""), str(found.text or "")) if part.strip())
    try:
        ogg, etag = spoken_audio(text[:MAX_CHARS], Choice.for_org(found.org_id))
    except EngineFailed as failed:
        return render("readaloud/say_failed.html", reason=str(failed), status=503, private=True)
    response = send_file(io.BytesIO(ogg), mimetype="audio/ogg", etag=etag, conditional=True,
                         download_name=_("listen") + ".ogg", as_attachment=False)
    # Who may hear it depends on who asks, as for every personal page: not kept by the browser
    # (the server keeps the file, so a replay costs no synthesis).
    response.headers["Cache-Control"] = "no-store"
    return response
