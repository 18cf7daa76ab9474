"""The province administrator's read-aloud page: the engine, voice and speed, a sample heard on
demand, the queue and its failures with their error, and "Làm lại" (the audio of an item made
again). Pages of the blueprint "readaloud", under /readaloud/admin."""
from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from wtforms import HiddenField

from core.api import (Choice, ContentItem, already_done, audit, commit_keyed, db, granted_org_ids,
                      new_idempotency_key, paginate, refuse, render, set_setting, subtree_ids)
from plugins.readaloud.access import MANAGE, managed_item
from plugins.readaloud.engines import ENGINES, EngineFailed
from plugins.readaloud.jobs import ask_for, forget
from plugins.readaloud.models import (EMPTY, FAILED, QUEUED, READY, WORKING, ReadaloudReading,
                                      ReadaloudSection)
from plugins.readaloud.speech import DEFAULT_RATE
from plugins.readaloud.speech import Choice as Spoken
from plugins.readaloud.speech import synthesise
from plugins.readaloud.views import bp

SAMPLE = "Kính chào các đồng chí. Chi bộ họp thường kỳ lúc 8h00 ngày 22/12/2024, bàn việc thực hiện Nghị quyết 57-NQ/TW."
RATES = sorted({*range(90, 221, 10), DEFAULT_RATE})
STATUS_LABELS = {QUEUED: _l("Waiting"), WORKING: _l("Being made"), READY: _l("Ready"), FAILED: _l("Failed"),
                 EMPTY: _l("Nothing to read")}


class VoiceForm(FlaskForm):
    engine = Choice(_l("Speech engine for read-aloud"), choices=[(name, e.title) for name, e in ENGINES.items()])
    voice = Choice(_l("Read-aloud voice"), choices=[])
    rate = Choice(_l("Reading speed (words per minute)"), coerce=int, choices=[(r, str(r)) for r in RATES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.voice.choices = [(v.id, f"{v.title} ({e.name})") for e in ENGINES.values() for v in e.voices()]

    def validate_voice(self, field):
        engine = ENGINES.get(self.engine.data)
        if engine is not None and field.data not in {v.id for v in engine.voices()}:
            from wtforms.validators import ValidationError

            raise ValidationError(_("This voice does not belong to the chosen engine."))


class RedoForm(FlaskForm):
    idempotency_key = HiddenField()


def province_of_admin() -> int:
    """The province whose read-aloud the administrator manages (404 for anyone else)."""
    granted = granted_org_ids(current_user, MANAGE)
    if not granted:
        refuse("readaloud.manage")
    return granted[0]


def chosen(province: int) -> Spoken:
    return Spoken.for_org(province)


def _queue(province: int):
    """The readings of the province not yet ready, being made first, then waiting, then failed."""
    order = case((ReadaloudReading.status == WORKING, 0), (ReadaloudReading.status == QUEUED, 1), else_=2)
    return (select(ReadaloudReading)
            .where(ReadaloudReading.org_id.in_(subtree_ids(province)),
                   ReadaloudReading.status.in_((WORKING, QUEUED, FAILED, EMPTY)))
            .order_by(order, ReadaloudReading.updated_at.desc(), ReadaloudReading.id.desc()))


def _details(readings: list) -> tuple[dict, dict]:
    """The titles of the page's items and how many parts each reading has made (two queries)."""
    if not readings:
        return {}, {}
    titles = dict(db.session.execute(select(ContentItem.id, ContentItem.title).where(
        ContentItem.id.in_({r.item_id for r in readings}))).all())
    made = dict(db.session.execute(select(ReadaloudSection.reading_id, func.count()).where(
        ReadaloudSection.reading_id.in_([r.id for r in readings])).group_by(ReadaloudSection.reading_id)).all())
    return titles, made


def _counts(province: int) -> dict:
    rows = db.session.execute(select(ReadaloudReading.status, func.count()).where(
        ReadaloudReading.org_id.in_(subtree_ids(province))).group_by(ReadaloudReading.status)).all()
    return {status: count for status, count in rows}


def _page(province: int, form: VoiceForm, status: int = 200):
    page = paginate(_queue(province))
    titles, made = _details(page.items)
    problems = {name: engine.problem() for name, engine in ENGINES.items()}
    return render("readaloud/admin.html", form=form, page=page, counts=_counts(province), problems=problems,
                  engines=ENGINES, labels=STATUS_LABELS, titles=titles, made=made, redo=RedoForm(), key=new_idempotency_key(),
                  choice=chosen(province), status=status, private=True)


@bp.route("/admin", methods=["GET", "POST"])
@login_required
def admin():
    """The province administrator chooses the engine, voice and speed, and follows the queue."""
    province = province_of_admin()
    now = chosen(province)
    form = VoiceForm(data={"engine": now.engine, "voice": now.voice, "rate": now.rate})
    if request.method == "GET":
        return _page(province, form)
    if not form.validate():
        return _page(province, form, status=400)
    for name in ("engine", "voice", "rate"):
        set_setting(province, "readaloud", name, form[name].data)
    audit("readaloud.settings", f"org:{province}", engine=form.engine.data, voice=form.voice.data,
          rate=form.rate.data)
    db.session.commit()
    problem = ENGINES[form.engine.data].problem()
    flash(_("Saved. New and changed items are read with this voice; press “Make again” for the others."),
          "success")
    if problem:
        flash(problem, "error")
    return redirect(url_for(".admin"))


@bp.get("/admin/sample")
@login_required
def sample():
    """A short sample read with the province's engine, voice and speed (made on demand)."""
    province = province_of_admin()
    try:
        audio = synthesise(SAMPLE, chosen(province))
    except EngineFailed as failed:
        return render("readaloud/sample_failed.html", reason=str(failed), status=503, private=True)
    response = Response(audio.ogg, mimetype="audio/ogg")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline; filename=nghe-thu.ogg"
    return response


@bp.post("/admin/<int:item_id>/redo")
@login_required
def redo(item_id: int):
    """The administrator has an item's audio made again (a second press with the same key leads
    to the first one's job)."""
    item = managed_item(item_id, current_user)
    form = RedoForm()
    key = form.idempotency_key.data
    if (done := already_done(key)) is not None:
        return done
    if not form.validate():
        flash(_("The page had expired; please press again."), "error")
        return redirect(url_for(".admin"))
    readings = db.session.scalars(select(ReadaloudReading).where(ReadaloudReading.item_id == item.id)).all()
    if any(r.status == WORKING for r in readings):
        flash(_("The audio of this item is being made right now; wait until it is done."), "error")
        return redirect(url_for(".admin"))
    for reading in readings:
        forget(reading)
    record = ask_for(item, user_id=current_user.id)
    audit("readaloud.redo", f"content_item:{item.id}")
    location = url_for("jobs.status", job_id=record.id)
    again = commit_keyed(key, location)
    return again or redirect(location)

