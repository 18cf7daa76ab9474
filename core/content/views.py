"""Publishing news, documents, announcements and useful-life pages down the tree, and reading
them: an item, its files, the announcements and the useful-life sections."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from core import files
from core.auth.models import User
from core.content import service
from core.content.forms import (DOCUMENT_CATEGORIES, FORMS, KIND_HINTS, KIND_TITLES, LEVEL_TITLES,
                                LIFE_CATEGORIES, STATE_TITLES, ConfirmForm)
from core.content.models import Attachment, ContentItem, ContentRevision, Kind, Status
from core.content.query import PUBLISH, manageable_by, seen_visible, visible_to
from core.content.service import DRAFT, LATER, NOW, ContentError, ItemData
from core.extensions import db
from core.files.kinds import JPEG, PNG
from core.localtime import reader_province, to_local
from core.org.models import OrgClosure, Organisation, utcnow
from core.org.scope import can, get_scoped, granted_org_ids, has_any, refuse, require
from core.org.tree import name_matches
from core.web import already_done, commit_keyed, new_idempotency_key, paginate, render

bp = Blueprint("content", __name__)
ORG_CHOICES = 40  # a longer list would outgrow a phone's page budget: search instead
INLINE = {JPEG, PNG}  # pictures are shown in the page; documents are downloaded
NEWEST = (func.coalesce(ContentItem.publish_at, ContentItem.created_at).desc(), ContentItem.id.desc())


@bp.context_processor
def labels():
    return {"kind_titles": KIND_TITLES, "level_titles": LEVEL_TITLES, "state_titles": STATE_TITLES,
            "category_titles": {**DOCUMENT_CATEGORIES, **LIFE_CATEGORIES},
            "life_titles": LIFE_CATEGORIES, "human_size": files.human_size,
            "state_of": service.state_of}


# --- publishing -------------------------------------------------------------------------------

def _publisher() -> None:
    if not has_any(current_user, PUBLISH):
        refuse(f"{PUBLISH}:*")


def _kind(name: str) -> Kind:
    try:
        return Kind(name)
    except ValueError:
        abort(404)


def org_choices(q: str = "", also: int | None = None) -> tuple[list[tuple[int, str]], bool]:
    """Organisations the user may publish for, their own first; (choices, more than listed)."""
    granted = granted_org_ids(current_user, PUBLISH)
    stmt = (select(Organisation, func.min(OrgClosure.depth).label("depth"))
            .join(OrgClosure, OrgClosure.descendant_id == Organisation.id)
            .where(OrgClosure.ancestor_id.in_(granted), Organisation.active.is_(True))
            .group_by(Organisation.id).order_by("depth", Organisation.name, Organisation.id))
    if q:
        stmt = stmt.where(name_matches(q))
    orgs = [org for org, _depth in db.session.execute(stmt.limit(ORG_CHOICES + 1))]
    choices = [(o.id, o.name) for o in orgs[:ORG_CHOICES]]
    if also and also not in dict(choices):
        org = db.session.get(Organisation, also)
        choices.insert(0, (org.id, org.name))
    return choices, len(orgs) > ORG_CHOICES


def _posted_org() -> int | None:
    """The organisation posted (None on a GET, or when it is not a number); one outside the
    user's scope is answered as if it did not exist."""
    raw = request.form.get("org_id", "").strip() if request.method == "POST" else ""
    try:  # read as the form reads it: int() also takes "+10", "١٠" (Arabic-Indic) and "1_0"
        org_id = int(raw)
    except ValueError:
        return None
    require(current_user, PUBLISH, org_id)
    return org_id


def _uploads(form) -> list[files.StoredFile] | None:
    """The chosen files, checked and kept (until the transaction ends without a commit); None
    when one is refused (the messages are on the form, and none of them is kept)."""
    chosen = [f for f in form.files.data or [] if f and f.filename]
    kept, ok = [], True
    for upload in chosen:
        try:
            kept.append(service.store_upload(upload, current_user.id))
        except files.FileRejected as error:
            form.files.errors.append(str(error))
            ok = False
    if not ok:
        db.session.rollback()
        return None
    return kept


def _data(form) -> ItemData:
    fields = {name: getattr(form, name).data for name in ("number", "issuer", "issued_on", "level",
                                                          "category") if getattr(form, name, None)}
    return ItemData(org_id=form.org_id.data, title=" ".join(form.title.data.split()),
                    summary=form.summary.data, body=form.body.data,
                    when=form.when.data if form.when else None, publish_at=form.publish_at(),
                    **{k: (v.strip() or None) if isinstance(v, str) else v for k, v in fields.items()})


def _saved_message(item: ContentItem) -> str:
    state = service.state_of(item)
    if state == "scheduled":
        return _("Saved. It will be published at %(time)s.",
                 time=format_datetime(item.publish_at, "HH:mm dd/MM/yyyy"))
    if state == "draft":
        return _("Saved as a draft: members do not see it yet.")
    if state == "archived":
        return _("Saved. The item stays withdrawn.")
    return _("Published: members now see it.")


def _save(form, apply, key: str | None = None, was_visible: bool = False):
    """Carry out a create or an edit with its files once (keyed), then tell the plugins; None
    when it was refused (the message is on the form)."""
    uploads = _uploads(form)
    if uploads is None:
        return None
    try:
        item = apply(_data(form))
        service.attach(item, uploads)
        location = url_for(".read", item_id=item.id)
        service.announce(item, was_visible, current_user.id)  # told once the commit is made
        # A concurrent retry won: this one rolled back, and the files kept above went with it.
        if (earlier := commit_keyed(key, location)) is not None:
            return earlier
    except ContentError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(str(error))
        return None
    except Exception:
        db.session.rollback()
        raise
    flash(_saved_message(item), "success")
    return redirect(location)


def _form_page(form, kind: Kind, item=None, **context):
    return render("content/form.html", form=form, kind=kind, item=item,
                  status=400 if form.errors else 200, private=True, confirm=ConfirmForm(),
                  max_size=files.human_size(service.max_upload()), **context)


@bp.get("/publish/")
@login_required
def manage():
    """A publisher's items (drafts, scheduled, published, withdrawn), newest first."""
    _publisher()
    kind = request.args.get("kind", "") if request.args.get("kind") in KIND_TITLES else ""
    state = request.args.get("state", "") if request.args.get("state") in STATE_TITLES else ""
    stmt = manageable_by(current_user).options(selectinload(ContentItem.org))
    if kind:
        stmt = stmt.where(ContentItem.kind == kind)
    if state in ("draft", "archived"):
        stmt = stmt.where(ContentItem.status == state)
    elif state:
        due = or_(ContentItem.publish_at.is_(None), ContentItem.publish_at <= utcnow())
        stmt = stmt.where(ContentItem.status == Status.PUBLISHED.value,
                          due if state == "published" else ~due)
    page = paginate(stmt.order_by(ContentItem.updated_at.desc(), ContentItem.id.desc()))
    return render("content/manage.html", page=page, kind=kind, state=state, private=True)


@bp.get("/publish/new")
@login_required
def choose_kind():
    """What to publish: news, a document, an announcement or a useful-life page."""
    _publisher()
    return render("content/kinds.html", hints=KIND_HINTS, org=request.args.get("org", type=int),
                  private=True)


@bp.route("/publish/new/<kind>", methods=["GET", "POST"])
@login_required
def new(kind: str):
    """Publish an item for an organisation in the user's scope: now, at a set time, or as a draft."""
    kind = _kind(kind)
    _publisher()
    wanted = _posted_org() or request.args.get("org", type=int)
    if wanted and not can(current_user, PUBLISH, wanted):
        wanted = None
    query = " ".join(request.args.get("q", "").split())[:100]
    form = FORMS[kind]()
    form.org_id.choices, more = org_choices(query, also=wanted)
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
        form.org_id.data = wanted or granted_org_ids(current_user, PUBLISH)[0]
    elif done := already_done(form.idempotency_key.data):
        return done
    if form.validate_on_submit() and (saved := _save(
            form, lambda data: service.create_item(kind, data, current_user),
            key=form.idempotency_key.data)):
        return saved
    return _form_page(form, kind, more=more, query=query)


def _defaults(form, item: ContentItem) -> None:
    """The edit form as the item stands: its text as typed, its state, its scheduled time."""
    form.body.data = service.editable_text(item.body)
    state = service.state_of(item)
    if form.when:
        form.when.data = {"draft": DRAFT, "scheduled": LATER}.get(state, NOW)
    if state == "scheduled":
        local = to_local(item.publish_at, reader_province())
        form.publish_date.data, form.publish_time.data = local.date(), local.time()


@bp.route("/publish/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    """Correct an item; the text before is kept in its history, files can be added or removed."""
    item = get_scoped(ContentItem, item_id, current_user, PUBLISH)
    posted_org = _posted_org()
    kind = Kind(item.kind)
    form = FORMS[kind](obj=item)
    if item.status == Status.ARCHIVED.value:
        # A withdrawn item comes back only through "Publish again": no time to publish at
        # either (fields the page does not show must not refuse the post unseen).
        del form.when, form.publish_date, form.publish_time
    form.org_id.choices, _more = org_choices(also=posted_org or item.org_id)
    if request.method == "GET":
        _defaults(form, item)
    was_visible = service.is_visible(item)
    if form.validate_on_submit() and (saved := _save(
            form, lambda data: service.update_item(item, data, current_user),
            was_visible=was_visible)):
        return saved
    return _form_page(form, kind, item=item, more=False, query="")


def _confirmed_change(item_id: int, change, message: str):
    """A button's post (withdraw, publish again): apply, commit, tell the plugins."""
    item = get_scoped(ContentItem, item_id, current_user, PUBLISH)
    if ConfirmForm().validate_on_submit():
        was_visible = service.is_visible(item)
        change(item)
        service.announce(item, was_visible, current_user.id)
        db.session.commit()
        flash(message, "success")
    return redirect(url_for(".read", item_id=item.id))


@bp.post("/publish/<int:item_id>/withdraw")
@login_required
def withdraw(item_id: int):
    """Withdraw a published item: members no longer see it; it can be published again."""
    return _confirmed_change(item_id, service.withdraw, _("Withdrawn: members no longer see it."))


@bp.post("/publish/<int:item_id>/republish")
@login_required
def republish(item_id: int):
    """Publish a withdrawn item again."""
    return _confirmed_change(item_id, service.republish, _("Published again: members see it."))


@bp.post("/publish/<int:item_id>/files/<int:attachment_id>/remove")
@login_required
def remove_file(item_id: int, attachment_id: int):
    """Remove an attachment from an item."""
    item = get_scoped(ContentItem, item_id, current_user, PUBLISH)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.item_id != item.id:
        refuse(f"content_attachment:{attachment_id}")
    if ConfirmForm().validate_on_submit():
        service.remove_attachment(attachment)
        db.session.commit()
        flash(_("The file %(name)s was removed.", name=attachment.filename), "success")
    return redirect(url_for(".edit", item_id=item.id))


@bp.get("/publish/<int:item_id>/history")
@login_required
def history(item_id: int):
    """Every version of an item: who changed it and when."""
    item = get_scoped(ContentItem, item_id, current_user, PUBLISH)
    revisions = list(db.session.scalars(select(ContentRevision).where(
        ContentRevision.item_id == item.id).order_by(ContentRevision.version.desc())))
    editor_ids = {r.edited_by_id for r in revisions} | {item.created_by_id}
    names = dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(editor_ids))).all())
    return render("content/history.html", item=item, revisions=revisions, names=names, private=True)


@bp.get("/publish/<int:item_id>/history/<int:version>")
@login_required
def version(item_id: int, version: int):
    """The text of one version of an item."""
    item = get_scoped(ContentItem, item_id, current_user, PUBLISH)
    shown = item if version == item.version else db.session.scalar(select(ContentRevision).where(
        ContentRevision.item_id == item.id, ContentRevision.version == version))
    if shown is None:
        abort(404)
    return render("content/version.html", item=item, shown=shown,
                  body=Markup(service.sanitise(shown.body)), private=True)


# --- reading ----------------------------------------------------------------------------------

def readable(item_id: int) -> ContentItem:
    """An item the user may read (published to them) or manages; 404 for anyone else."""
    # The issuing organisation in the same query: the page names it.
    item = db.session.scalar(visible_to(current_user).where(ContentItem.id == item_id)
                             .options(joinedload(ContentItem.org)))
    if item is not None:
        seen_visible(current_user, item_id)
    if item is None and has_any(current_user, PUBLISH):
        item = db.session.scalar(manageable_by(current_user).where(ContentItem.id == item_id))
    if item is None:
        refuse(f"content_item:{item_id}")
    return item


@bp.get("/c/<int:item_id>")
@login_required
def read(item_id: int):
    """A member reads an item: its text in the page, its files to download."""
    item = readable(item_id)
    manages = has_any(current_user, PUBLISH) and can(current_user, PUBLISH, item.org_id)
    return render("content/item.html", item=item, body=Markup(service.sanitise(item.body)),
                  manages=manages, confirm=ConfirmForm(), private=True)


@bp.get("/c/<int:item_id>/files/<int:attachment_id>")
@login_required
def download(item_id: int, attachment_id: int):
    """An attachment, only to those who may read its item; ranges let a phone resume."""
    item = readable(item_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.item_id != item.id:
        refuse(f"content_attachment:{attachment_id}")
    # A Party document may be confidential: no cache keeps it (DESIGN.md), not even the phone's;
    # an interrupted download still resumes with a range request.
    return files.send(attachment.file, private=True, download=attachment.mimetype not in INLINE)


@bp.get("/announcements/")
@login_required
def announcements():
    """The announcements of the member's committees, newest first."""
    stmt = visible_to(current_user).where(ContentItem.kind == Kind.ANNOUNCEMENT.value)
    page = paginate(stmt.options(selectinload(ContentItem.org)).order_by(*NEWEST))
    return render("content/announcements.html", page=page, private=True)


@bp.get("/life/")
@login_required
def life():
    """The useful-life sections (health, culture, new rural development) that have pages."""
    stmt = (visible_to(current_user).where(ContentItem.kind == Kind.PAGE.value)
            .with_only_columns(ContentItem.category, func.count()).group_by(ContentItem.category))
    counts = dict(db.session.execute(stmt).all())
    sections = [(key, title, counts[key]) for key, title in LIFE_CATEGORIES.items() if counts.get(key)]
    return render("content/life.html", sections=sections, private=True)


@bp.get("/life/<category>")
@login_required
def life_section(category: str):
    """The pages of one useful-life section, newest first."""
    if category not in LIFE_CATEGORIES:
        abort(404)
    stmt = visible_to(current_user).where(ContentItem.kind == Kind.PAGE.value,
                                          ContentItem.category == category)
    page = paginate(stmt.options(selectinload(ContentItem.org)).order_by(*NEWEST))
    return render("content/life_section.html", page=page, category=category, private=True)
