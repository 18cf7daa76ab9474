"""The inbox: what the member's committees and features announced, and what to be told about."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.widgets import CheckboxInput, ListWidget

from core.fields import Boxes
from core.notify import service
from core.security import safe_next
from core.web import paginate, render

bp = Blueprint("notify", __name__, url_prefix="/inbox")


@bp.before_app_request
def _embedded_jobs():
    """Without Redis, the first request starts the in-process worker and its schedule ticker."""
    app = current_app._get_current_object()
    if "sotay.jobs" not in app.extensions and not app.config.get("REDIS_URL"):
        from core.jobs import _make_backend

        _make_backend(app)


class PrefsForm(FlaskForm):
    kinds = Boxes(_l("Tell me about"), coerce=str, widget=ListWidget(prefix_label=False),
                  option_widget=CheckboxInput())


class MarkAllForm(FlaskForm):
    """Only the CSRF token."""


@bp.get("/")
@login_required
def index():
    """A member reads what was sent to them, their branch and the levels above, newest first."""
    page = paginate(service.inbox(current_user))
    unread = service.unread_among(current_user, page.items)
    titles = {choice.kind.name: choice.kind.title for choice in service.choices(current_user)}
    return render("notify/index.html", page=page, unread_ids=unread, titles=titles, form=MarkAllForm(),
                  unread=service.unread_count(current_user), private=True)


@bp.get("/<int:notification_id>")
@login_required
def open_(notification_id: int):
    """Opening a notification marks it read and leads to what it announces."""
    # A plain link (a GET that redirects) works without JavaScript; marking read twice is harmless.
    note = service.open_for(current_user, notification_id)
    if note is None:
        abort(404)
    return redirect(safe_next(note.url, url_for("notify.index")), 303)


@bp.post("/read-all")
@login_required
def read_all():
    """A member marks everything read at once: the count in the menu goes back to nothing."""
    if MarkAllForm().validate_on_submit():
        service.mark_all_read(current_user)
        flash(_("All notifications are marked read."), "success")
    return redirect(url_for("notify.index"), 303)


@bp.route("/prefs", methods=["GET", "POST"])
@login_required
def prefs():
    """A member chooses what to be told about; the kinds turned off vanish from the inbox."""
    offered = service.choices(current_user)
    current = [c for c in offered if not c.kind.required]
    always = [c.kind for c in offered if c.kind.required]
    form = PrefsForm()
    form.kinds.choices = [(c.kind.name, c.kind.title) for c in current]
    if form.validate_on_submit():
        # A family helper's choices are their own account's, not the member's.
        service.save_choices(current_user, set(form.kinds.data or ()))
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("notify.prefs"), 303)
    if not form.is_submitted():
        form.kinds.data = [c.kind.name for c in current if c.enabled]
    return render("notify/prefs.html", form=form, always=always, status=400 if form.errors else 200,
                  private=True)
