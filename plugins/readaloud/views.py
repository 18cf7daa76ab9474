"""The member's side of read-aloud: the listening page of an item (a plain <audio controls> per
section and a download link, working with JavaScript off; player.js adds the controls), its audio
with ranges and long caching, and the place where the member stopped (blueprint "readaloud",
/readaloud)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.api import can, db, files, new_idempotency_key, render, utcnow
from plugins.readaloud.access import MANAGE, readable_item
from plugins.readaloud.jobs import ask_for, current_reading
from plugins.readaloud.models import EMPTY, FAILED, MAX_ATTEMPTS, READY, ReadaloudPosition, ReadaloudReading, \
    ReadaloudSection

bp = Blueprint("readaloud", __name__, url_prefix="/readaloud", template_folder="templates",
               static_folder=None)
MAX_SECONDS = 6 * 3600  # no section lasts longer: a larger position is a forged one

def parts_of(reading: ReadaloudReading | None) -> list[ReadaloudSection]:
    if reading is None:
        return []
    return list(db.session.scalars(select(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id)
                                   .order_by(ReadaloudSection.number)))

@bp.app_template_filter("readaloud_clock")
def clock(seconds: float) -> str:
    """"1:05" for 65 seconds: how long a section lasts."""
    whole = int(round(seconds or 0))
    return f"{whole // 60}:{whole % 60:02d}"

def state_of(reading: ReadaloudReading | None) -> str:
    if reading is None:
        return "none"
    if reading.status in (READY, EMPTY):
        return reading.status
    if reading.status == FAILED:
        return "failed" if reading.attempts >= MAX_ATTEMPTS else "retrying"
    return "preparing"

@bp.get("/<int:item_id>")
@login_required
def listen(item_id: int):
    """A member listens to an item, section by section, from where they stopped last time."""
    item = readable_item(item_id, current_user)
    reading = current_reading(item.id)
    if reading is None and item.status == "published":  # published before read-aloud was on
        ask_for(item)
        db.session.commit()
        reading = current_reading(item.id)
    parts = parts_of(reading)
    position = db.session.get(ReadaloudPosition, (current_user.id, item.id))
    if position is not None and position.number >= len(parts):
        position = None
    manages = can(current_user, MANAGE, item.org_id)
    return render("readaloud/listen.html", item=item, reading=reading, parts=parts, state=state_of(reading),
                  position=position, manages=manages, key=new_idempotency_key() if manages else None,
                  private=True)

@bp.get("/<int:item_id>/<int:part>.ogg")
@login_required
def audio(item_id: int, part: int):
    """One section's audio, to those who may read the item: ranges, an ETag, cached a year
    (the address names the reading, which never changes)."""
    item = readable_item(item_id, current_user)
    version = request.args.get("v", type=int)
    reading = db.session.get(ReadaloudReading, version) if version else None
    if reading is None or reading.item_id != item.id:
        current = current_reading(item.id)
        if current is None:
            return render("readaloud/no_audio.html", item=item, status=404, private=True)
        return redirect(url_for(".audio", item_id=item.id, part=part, v=current.id,
                                download=request.args.get("download") or None))
    section = db.session.scalar(select(ReadaloudSection).where(ReadaloudSection.reading_id == reading.id,
                                                               ReadaloudSection.number == part))
    stored = files.get(section.file_id, "readaloud") if section is not None else None
    if stored is None:
        return render("readaloud/no_audio.html", item=item, status=404, private=True)
    name = f"{item.title[:60]} - {_('part %(n)s', n=part + 1)}.ogg"
    return files.send(stored, private=False, download=bool(request.args.get("download")), download_name=name)

@bp.post("/<int:item_id>/position")
@login_required
def position(item_id: int):
    """Remember where the member stopped (the player sends it on pause; without JavaScript the
    member says which part they reached)."""
    item = readable_item(item_id, current_user)
    reading = current_reading(item.id)
    parts = parts_of(reading)
    number = request.form.get("section", type=int)
    seconds = request.form.get("seconds", default=0.0, type=float)
    if number is None or not 1 <= number <= len(parts) or not 0 <= (seconds or 0) <= MAX_SECONDS \
            or seconds != seconds:
        return _position_refused(item, reading, parts)
    seconds = min(float(seconds), parts[number - 1].seconds)
    found = db.session.get(ReadaloudPosition, (current_user.id, item.id))
    if found is None:
        found = ReadaloudPosition(user_id=current_user.id, item_id=item.id)
        db.session.add(found)
    found.number, found.seconds, found.updated_at = number - 1, seconds, utcnow()
    db.session.commit()
    if request.headers.get("X-Readaloud") == "position":  # the player's own save: nothing to show
        return "", 204
    message = _("Remembered: you are at part %(n)s.", n=number)
    if request.headers.get("HX-Request"):
        return render("readaloud/_position.html", item=item, parts=parts, position=found, saved=message,
                      private=True)
    flash(message, "success")
    return redirect(url_for(".listen", item_id=item.id) + "#where")

def _position_refused(item, reading, parts):
    message = _("Please choose the part you have listened to.")
    if request.headers.get("X-Readaloud") == "position":
        return message, 400
    if request.headers.get("HX-Request"):
        return render("readaloud/_position.html", item=item, parts=parts, position=None, error=message,
                      status=400, private=True)
    db.session.rollback()
    flash(message, "error")
    return render("readaloud/listen.html", item=item, reading=reading, parts=parts, state=state_of(reading),
                  position=None, status=400, private=True)
