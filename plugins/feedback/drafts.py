"""Comments on drafts: an administrator opens a library document for comments during a period;
members comment section by section; the administrator reads them grouped by section and by
organisation, and exports them to Excel to write the summary report."""
from __future__ import annotations

import io
from datetime import timedelta

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from core.api import (Choice, ContentItem, Organisation, User, already_done, audit, can, commit_keyed, get_scoped,
                      current_province_id, db, new_idempotency_key, paginate, publishing_ids,
                      render, scope_ids, today_local)
from plugins.feedback.access import (MANAGE, MAX_TEXT, addressed_condition, get_addressed, own_user_id,
                                     period_state)
from plugins.feedback.models import FeedbackDraft, FeedbackDraftComment
from plugins.feedback.surveys import BAD_DATE, DATE_FORMATS, _targets
from plugins.feedback.views import bp


class DraftForm(FlaskForm):
    content_id = Choice(_l("Document from the library"), message=_l("Please choose the draft document."), coerce=int)
    org_id = Choice(_l("Comments from the members of"), message=_l("Please choose the organisation the draft is for."),
                    coerce=int)
    title = StringField(_l("Title"), validators=[Length(max=300, message=_l("The title is at most 300 characters."))])
    sections = TextAreaField(_l("Sections, one per line"))
    opens_on = DateField(_l("Opens on"), validators=[Optional()], format=DATE_FORMATS, invalid_value_message=BAD_DATE)
    closes_on = DateField(_l("Closes on"), validators=[Optional()], format=DATE_FORMATS, invalid_value_message=BAD_DATE)
    idempotency_key = HiddenField()

    def validate_sections(self, field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if not 1 <= len(lines) <= 60:
            raise ValidationError(_("Please list the sections, one per line (at most 60)."))

    def validate_closes_on(self, field):
        if self.opens_on.data is None or field.data is None:
            raise ValidationError(_("Please give the opening and closing dates."))
        if field.data < self.opens_on.data:
            raise ValidationError(_("The closing date cannot be before the opening date."))


def _documents(user) -> list[tuple[int, str]]:
    """The library's documents the user may open for comments: issued in their part of the tree
    or by a level above it (a province draft collected at district level)."""
    stmt = (select(ContentItem.id, ContentItem.title)
            .where(or_(ContentItem.org_id.in_(scope_ids(user, MANAGE)), ContentItem.org_id.in_(publishing_ids(user))),
                   ContentItem.kind == "document")
            .order_by(ContentItem.created_at.desc()).limit(50))
    return [(i, t[:120]) for i, t in db.session.execute(stmt)]


def _managed(draft_id) -> FeedbackDraft:
    return get_scoped(FeedbackDraft, draft_id, current_user, MANAGE)


@bp.get("/drafts")
@login_required
def drafts():
    """Drafts open for the user's comments, and those the user opened."""
    stmt = select(FeedbackDraft).where(addressed_condition(FeedbackDraft, current_user))
    page = paginate(stmt.order_by(FeedbackDraft.closes_on.desc(), FeedbackDraft.id.desc()))
    return render("feedback/drafts.html", page=page, state=period_state, manages=bool(_targets(current_user)),
                  may_manage=lambda d: can(current_user, MANAGE, d.org_id), private=True)


@bp.route("/drafts/new", methods=["GET", "POST"])
@login_required
def draft_new():
    """An administrator opens a library document for comments."""
    targets = _targets(current_user)
    if not targets:
        abort(404)
    documents = _documents(current_user)
    form = DraftForm()
    form.org_id.choices, form.content_id.choices = targets, documents
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        valid = form.validate()
        if form.org_id.data not in {t[0] for t in targets}:
            form.org_id.errors = [_("Please choose the organisation the draft is for.")]
            valid = False
        if form.content_id.data not in {d[0] for d in documents}:
            form.content_id.errors = [_("Please choose the draft document.")]
            valid = False
        if valid:
            item = db.session.get(ContentItem, form.content_id.data)
            draft = FeedbackDraft(org_id=form.org_id.data, content_id=item.id,
                                  title=(form.title.data or "").strip() or item.title[:300],
                                  sections=[line.strip()[:300] for line in form.sections.data.splitlines() if line.strip()],
                                  opens_on=form.opens_on.data, closes_on=form.closes_on.data,
                                  created_by_id=current_user.id)
            db.session.add(draft)
            db.session.flush()
            location = url_for(".draft", draft_id=draft.id)
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("The draft is open for comments."), "success")
            return redirect(location)
    else:
        form.idempotency_key.data = new_idempotency_key()
        today = today_local(current_province_id())
        form.opens_on.data, form.closes_on.data = today, today + timedelta(days=14)
    return render("feedback/draft_new.html", form=form, status=400 if form.errors else 200, private=True)


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def draft(draft_id: int):
    """A member reads the draft and comments on its sections during the period."""
    draft = get_addressed(FeedbackDraft, draft_id, current_user)
    state = period_state(draft)
    item = db.session.get(ContentItem, draft.content_id) if draft.content_id else None
    user_id = own_user_id(current_user)
    may_comment = user_id is not None and draft.org_id in set(db.session.scalars(publishing_ids(current_user)))
    errors, status = [], 200
    if request.method == "POST":
        if not may_comment:
            abort(404)
        texts = {i: (request.form.get(f"s{i}") or "").strip() for i in range(len(draft.sections))}
        texts = {i: t for i, t in texts.items() if t}
        if not FlaskForm().validate():
            errors = [_("The form has expired: please send it again.")]
        elif state != "open":
            errors, status = [_("Comments are taken from %(a)s to %(b)s only.", a=draft.opens_on.strftime("%d/%m/%Y"),
                                b=draft.closes_on.strftime("%d/%m/%Y"))], 409
        elif not texts:
            errors = [_("Please write a comment on at least one section.")]
        elif any(len(t) > MAX_TEXT for t in texts.values()):
            errors = [_("A comment is too long: at most %(n)s characters.", n=f"{MAX_TEXT:,}")]
        else:
            for section, text in texts.items():
                db.session.add(FeedbackDraftComment(draft_id=draft.id, section=section, org_id=current_user.home_org_id,
                                                    user_id=user_id, text=text))
            db.session.commit()
            flash(_("Thank you, your comments were recorded."), "success")
            return redirect(url_for(".draft", draft_id=draft.id))
        status = status if status != 200 else 400
    mine = []
    if user_id is not None:
        mine = list(db.session.scalars(select(FeedbackDraftComment).where(
            FeedbackDraftComment.draft_id == draft.id, FeedbackDraftComment.user_id == user_id)
            .order_by(FeedbackDraftComment.id)))
    return render("feedback/draft.html", draft=draft, item=item, state=state, may_comment=may_comment and state == "open",
                  errors=errors, posted=request.form, mine=mine, may_manage=can(current_user, MANAGE, draft.org_id),
                  status=status, private=True)


def _grouped(draft) -> list[dict]:
    """Comments per section, and within each per organisation (one query)."""
    rows = db.session.execute(
        select(FeedbackDraftComment, Organisation.name)
        .join(Organisation, Organisation.id == FeedbackDraftComment.org_id)
        .where(FeedbackDraftComment.draft_id == draft.id)
        .order_by(FeedbackDraftComment.section, Organisation.name, FeedbackDraftComment.id).limit(20_000))
    sections = [{"title": title, "orgs": {}} for title in draft.sections]
    for comment, org_name in rows:
        if 0 <= comment.section < len(sections):
            sections[comment.section]["orgs"].setdefault(org_name, []).append(comment)
    return sections


@bp.get("/drafts/<int:draft_id>/comments")
@login_required
def draft_comments(draft_id: int):
    """The administrator reads the comments grouped by section and by organisation."""
    draft = _managed(draft_id)
    count = db.session.scalar(select(func.count(FeedbackDraftComment.id)).where(FeedbackDraftComment.draft_id == draft.id))
    return render("feedback/draft_comments.html", draft=draft, sections=_grouped(draft), count=count, private=True)


@bp.get("/drafts/<int:draft_id>/comments.xlsx")
@login_required
def draft_export(draft_id: int):
    """The comments in Excel, by section and organisation, with who wrote them."""
    from openpyxl import Workbook

    draft = _managed(draft_id)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Comments")[:31]
    sheet.append([draft.title])
    sheet.append([_("Section"), _("Organisation"), _("Member"), _("Comment")])
    people: dict = {}
    for section in _grouped(draft):
        for org_name, comments in section["orgs"].items():
            for comment in comments:
                if comment.user_id not in people:
                    person = db.session.get(User, comment.user_id) if comment.user_id else None
                    people[comment.user_id] = person.display_name if person else ""
                sheet.append([section["title"], org_name, people[comment.user_id], comment.text])
    out = io.BytesIO()
    book.save(out)
    audit("feedback.draft_export", f"feedback_draft:{draft.id}")
    db.session.commit()
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=gop-y-du-thao-{draft.id}.xlsx",
                             "Cache-Control": "no-store"})
