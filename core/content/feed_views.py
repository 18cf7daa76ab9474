"""A province administrator adds the provincial Party portal's feed, and sees how its import goes."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from core.audit import audit
from core.content.feeds import PUBLISH, check_url, feed_provinces
from core.content.models import FeedSource
from core.extensions import db
from core.jobs import enqueue
from core.org.models import Organisation
from core.org.scope import get_scoped, refuse
from core.fields import Choice
from core.web import already_done, commit_keyed, new_idempotency_key, render

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
TOO_LONG = _l("This is too long.")


def _http_url(form, field):
    message = check_url(field.data or "")
    if message:
        raise ValidationError(message)


class FeedForm(FlaskForm):
    name = StringField(_l("Source name shown under each item"),
                       [DataRequired(_l("Please enter the name of the source.")), Length(max=255, message=TOO_LONG)],
                       default=_l("Provincial Party committee's web portal"))
    url = StringField(_l("Address of the RSS or Atom feed"),
                      [DataRequired(_l("Please enter the address of the feed.")),
                       Length(max=1000, message=TOO_LONG), _http_url])
    org_id = Choice(_l("Province"), coerce=int)
    idempotency_key = HiddenField()


class ActionForm(FlaskForm):
    """Only the CSRF token (check now, remove)."""


def _provinces_or_404() -> list[int]:
    provinces = feed_provinces(current_user)
    if not provinces:
        refuse("feeds")
    return provinces


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """A province administrator adds the portal's feed; each feed shows its last check and error."""
    provinces = _provinces_or_404()
    if request.method == "POST" and request.form.get("org_id", type=int) not in provinces:
        refuse("feeds")  # not a province of theirs (forged; the page offers no other)
    form = FeedForm()
    form.org_id.choices = [(org.id, org.name) for org in db.session.scalars(
        select(Organisation).where(Organisation.id.in_(provinces)).order_by(Organisation.name))]
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
    elif (done := already_done(form.idempotency_key.data)) is not None:
        return done
    if form.validate_on_submit():
        feed = FeedSource(org_id=form.org_id.data, name=form.name.data.strip(), url=form.url.data.strip())
        db.session.add(feed)
        db.session.flush()
        audit("feed.add", f"content_feed:{feed.id}", url=feed.url)
        if (earlier := commit_keyed(form.idempotency_key.data, url_for(".index"))) is not None:
            return earlier
        flash(_("The feed is added. Press \"Check now\" to import its news at once."), "success")
        return redirect(url_for(".index"), 303)
    feeds = db.session.scalars(select(FeedSource).where(FeedSource.org_id.in_(provinces))
                               .order_by(FeedSource.id)).all()
    return render("feeds/index.html", form=form, feeds=feeds, action=ActionForm(),
                  status=400 if form.errors else 200, private=True)


@bp.post("/<int:feed_id>/check")
@login_required
def check(feed_id: int):
    """The administrator imports a feed now, watching the job's progress."""
    feed = get_scoped(FeedSource, feed_id, current_user, PUBLISH)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".index"), 303)
    org = db.session.get(Organisation, feed.org_id)
    record = enqueue("content.feeds", user_id=current_user.id, province_id=org.province_id,
                     feed_id=feed.id)
    db.session.commit()  # queued as it commits
    return redirect(url_for("jobs.status", job_id=record.id), 303)


@bp.post("/<int:feed_id>/remove")
@login_required
def remove(feed_id: int):
    """Stop importing a feed; the news already imported stays."""
    feed = get_scoped(FeedSource, feed_id, current_user, PUBLISH)
    if ActionForm().validate_on_submit():
        audit("feed.remove", f"content_feed:{feed.id}", url=feed.url)
        db.session.delete(feed)
        db.session.commit()
        flash(_("The feed is removed; the news already imported stays."), "success")
    return redirect(url_for(".index"), 303)
