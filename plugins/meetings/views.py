"""The branch's side of a meeting: the secretary prepares and invites, members read the
invitation and its materials, answer and comment (blueprint "meetings", /meetings)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.api import (ContentItem, Member, Organisation, Radio, already_done, audit, can, commit_keyed,
                      content_visible_to, db, files, home_of, is_id, local_to_utc, new_idempotency_key,
                      paginate, refuse, render, require, setting, to_local, today_local, utcnow)
from plugins.meetings.access import (MANAGE, managed_meeting, may_read_confidential, own_member_id,
                                     participant_of, readable_meeting)
from plugins.meetings.models import (AgendaItem, Comment, FileRole, Meeting, MeetingFile,
                                     MeetingKind, MeetingStatus, Participant, Revision, Rsvp)
from plugins.meetings.service import invite, is_ahead

bp = Blueprint("meetings", __name__, url_prefix="/meetings", template_folder="templates")

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
TIME_FORMATS = ("%H:%M", "%Hh%M", "%H.%M", "%Hh", "%H")
MATERIALS = ("pdf", "docx", "xlsx", "image")
WATERMARKABLE = ("application/pdf", "image/jpeg", "image/png")
MAX_MATERIAL = 20 * 2 ** 20
KIND_LABELS = {MeetingKind.REGULAR.value: _l("Regular monthly meeting"),
               MeetingKind.THEMATIC.value: _l("Thematic meeting")}
STATUS_LABELS = {MeetingStatus.PLANNED.value: _l("Planned"), MeetingStatus.INVITED.value: _l("Invited"),
                 MeetingStatus.HELD.value: _l("Held"), MeetingStatus.REPORTED.value: _l("Reported upward"),
                 MeetingStatus.CANCELLED.value: _l("Cancelled")}
# What an edit after the report went upward keeps in the history, with the label shown.
TRACKED = {"kind": _l("Kind"), "title": _l("Meeting title"), "topic": _l("Topic"), "starts_at": _l("Date and time"),
           "place": _l("Place"), "online_url": _l("Online link"), "agenda": _l("Agenda"),
           "draft_resolution": _l("Draft resolution")}


def _parse(value: str | None, formats) -> datetime | None:
    value = (value or "").strip().lower()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


class MeetingForm(FlaskForm):
    kind = Radio(_l("Kind of meeting"), choices=list(KIND_LABELS.items()), message=_l("Please choose the kind of meeting."),
                  default=MeetingKind.REGULAR.value)
    title = StringField(_l("Meeting title"), validators=[DataRequired(_l("Please write the meeting's title.")),
                                                 Length(max=255, message=_l("At most 255 characters."))])
    topic = TextAreaField(_l("Topic (for a thematic meeting: its theme)"), validators=[Optional()])
    day = StringField(_l("Date (dd/mm/yyyy)"), validators=[DataRequired(_l("Please write the date, e.g. 05/01/2027."))])
    hour = StringField(_l("Time (hh:mm)"), validators=[DataRequired(_l("Please write the time, e.g. 19:30."))])
    place = StringField(_l("Place"), validators=[Length(max=255, message=_l("At most 255 characters."))])
    online_url = StringField(_l("Online meeting link"),
                             validators=[Length(max=500, message=_l("At most 500 characters."))])
    agenda = TextAreaField(_l("Agenda (one item per line)"))
    draft_resolution = TextAreaField(_l("Draft resolution (members may comment on it)"))
    idempotency_key = HiddenField()

    def __init__(self, *args, online_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.online_allowed = online_allowed
        if not online_allowed:
            del self.online_url

    def validate_day(self, field):
        parsed = _parse(field.data, DATE_FORMATS)
        if parsed is None:
            raise ValidationError(_("Please write the date as dd/mm/yyyy, e.g. 05/01/2027."))
        today = today_local(None)
        if not (today - timedelta(days=366) <= parsed.date() <= today + timedelta(days=2 * 366)):
            raise ValidationError(_("The date must lie within a year before and two years after today."))

    def validate_hour(self, field):
        if _parse(field.data, TIME_FORMATS) is None:
            raise ValidationError(_("Please write the time as hh:mm, e.g. 19:30."))

    def validate_place(self, field):
        link = self.online_url.data.strip() if self.online_allowed and self.online_url.data else ""
        if not (field.data or "").strip() and not link:
            raise ValidationError(_("Please write where the meeting takes place."))

    def validate_online_url(self, field):
        link = (field.data or "").strip()
        if link and not link.startswith(("https://", "http://")):
            raise ValidationError(_("The link must begin with https://"))

    def starts_at(self, province_id: int | None) -> datetime:
        day = _parse(self.day.data, DATE_FORMATS).date()
        hour = _parse(self.hour.data, TIME_FORMATS).time()
        return local_to_utc(datetime.combine(day, hour), province_id)

    def agenda_lines(self) -> list[str]:
        return [line.strip() for line in (self.agenda.data or "").splitlines() if line.strip()]


class MaterialForm(FlaskForm):
    title = StringField(_l("Title of the material"), validators=[Length(max=255, message=_l("At most 255 characters."))])
    content_id = StringField(_l("Or a document of the library"))
    confidential = BooleanField(_l("Confidential: only the invitees read it, with their name on each page"))
    idempotency_key = HiddenField()


class RsvpForm(FlaskForm):
    answer = Radio(_l("Your answer"), choices=[(Rsvp.YES.value, _l("I will attend")),
                                              (Rsvp.NO.value, _l("I cannot attend"))],
                   message=_l("Please choose an answer."))
    reason = TextAreaField(_l("Reason for absence"))

    def validate_reason(self, field):
        if self.answer.data == Rsvp.NO.value and not (field.data or "").strip():
            raise ValidationError(_("Please write the reason for your absence."))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment or proposal on the draft resolution"),
                         validators=[DataRequired(_l("Please write your comment."))])
    idempotency_key = HiddenField()


def _org(org_id: int) -> Organisation:
    return db.session.get(Organisation, org_id)


def _branch_id() -> int:
    """The branch shown: the user's own (or the helped member's), or (?org=) one the user manages."""
    raw = request.args.get("org")
    home = home_of(current_user)
    if raw is None or raw == str(home):
        if home is None:
            abort(404)
        return home
    org_id = request.args.get("org", type=int)
    if org_id is None or not is_id(org_id):
        refuse(f"org:{raw}")
    require(current_user, MANAGE, org_id)
    return org_id


def _writer():
    """Family helpers only read: 404 for anything they post."""
    if current_user.is_helper:
        abort(404)


@bp.get("/")
@login_required
def index():
    """The branch's meetings, newest first; a secretary also sees planned ones and creates one."""
    org_id = _branch_id()
    manages = can(current_user, MANAGE, org_id)
    stmt = select(Meeting).where(Meeting.org_id == org_id)
    if not manages:
        stmt = stmt.where(Meeting.status != MeetingStatus.PLANNED.value)
    meetings = paginate(stmt.order_by(Meeting.starts_at.desc(), Meeting.id.desc()))
    return render("meetings/meeting_index.html", meetings=meetings, org=_org(org_id), manages=manages,
                  kinds=KIND_LABELS, statuses=STATUS_LABELS, org_arg=request.args.get("org"), private=True)


def _fill(meeting: Meeting, form: MeetingForm, province_id: int | None) -> None:
    meeting.kind = form.kind.data
    meeting.title = form.title.data.strip()
    meeting.topic = (form.topic.data or "").strip() or None
    meeting.starts_at = form.starts_at(province_id)
    meeting.place = (form.place.data or "").strip() or None
    if form.online_allowed:
        meeting.online_url = (form.online_url.data or "").strip() or None
    meeting.draft_resolution = (form.draft_resolution.data or "").strip() or None
    lines = form.agenda_lines()
    if [item.title for item in meeting.agenda] != lines:
        meeting.agenda[:] = [AgendaItem(position=n, title=line) for n, line in enumerate(lines)]


def _snapshot(meeting: Meeting, province_id: int | None) -> dict[str, str | None]:
    """The tracked fields as people read them (the time in the province's local time)."""
    values = {name: getattr(meeting, name) for name in TRACKED if name not in ("agenda", "starts_at")}
    values["starts_at"] = (to_local(meeting.starts_at, province_id).strftime("%H:%M %d/%m/%Y")
                           if meeting.starts_at else None)
    values["agenda"] = "\n".join(item.title for item in meeting.agenda) or None
    return values


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """The secretary creates a meeting of the branch (not yet invited)."""
    org_id = _branch_id()
    require(current_user, MANAGE, org_id)
    org = _org(org_id)
    form = MeetingForm(online_allowed=bool(setting("meetings.online_allowed", org_id)))
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        if form.validate():
            meeting = Meeting(org_id=org_id, created_by_id=current_user.id, status=MeetingStatus.PLANNED.value)
            _fill(meeting, form, org.province_id)
            db.session.add(meeting)
            db.session.flush()
            location = url_for(".show", meeting_id=meeting.id)
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("The meeting was created. Add materials, then send the invitation."), "success")
            return redirect(location)
    else:
        form.idempotency_key.data = new_idempotency_key()
        form.title.data = _("Regular meeting of %(branch)s", branch=org.name)
    return render("meetings/meeting_form.html", form=form, org=org, meeting=None,
                  status=400 if form.errors else 200, private=True)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    """Change the meeting; after its report went upward every change is kept in its history."""
    meeting = managed_meeting(meeting_id, current_user)
    org = _org(meeting.org_id)
    form = MeetingForm(online_allowed=bool(setting("meetings.online_allowed", meeting.org_id)))
    if request.method == "POST":
        if form.validate():
            before = _snapshot(meeting, org.province_id)
            _fill(meeting, form, org.province_id)
            if meeting.status == MeetingStatus.REPORTED.value:
                after = _snapshot(meeting, org.province_id)
                for name, old in before.items():
                    if after[name] != old:
                        db.session.add(Revision(meeting_id=meeting.id, field=name, old_value=old,
                                                new_value=after[name], changed_by_id=current_user.id))
            db.session.commit()
            flash(_("The meeting was saved."), "success")
            return redirect(url_for(".show", meeting_id=meeting.id))
    else:
        when = to_local(meeting.starts_at, org.province_id)
        form.kind.data, form.title.data, form.topic.data = meeting.kind, meeting.title, meeting.topic
        form.day.data, form.hour.data = when.strftime("%d/%m/%Y"), when.strftime("%H:%M")
        form.place.data, form.draft_resolution.data = meeting.place, meeting.draft_resolution
        form.agenda.data = "\n".join(item.title for item in meeting.agenda)
        if form.online_allowed:
            form.online_url.data = meeting.online_url
    return render("meetings/meeting_form.html", form=form, org=org, meeting=meeting,
                  status=400 if form.errors else 200, private=True)


@bp.post("/<int:meeting_id>/invite")
@login_required
def send_invitation(meeting_id: int):
    """Send the invitation (again: only newcomers are told, leavers without a record dropped)."""
    meeting = managed_meeting(meeting_id, current_user)
    if meeting.status == MeetingStatus.CANCELLED.value or not is_ahead(meeting):
        flash(_("This meeting has already taken place: its invitation can no longer be sent."), "error")
        return redirect(url_for(".show", meeting_id=meeting.id)), 303
    again = meeting.invited_at is not None
    result = invite(meeting)
    db.session.commit()
    if again:
        flash(_("Invitation refreshed: %(added)s added, %(dropped)s no longer in the branch.",
                added=result.added, dropped=result.dropped), "success")
    else:
        flash(_("The invitation was sent to %(count)s members.", count=result.total), "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


def _materials(meeting: Meeting) -> list[MeetingFile]:
    return list(db.session.scalars(select(MeetingFile).where(
        MeetingFile.meeting_id == meeting.id, MeetingFile.role == FileRole.MATERIAL.value)
        .order_by(MeetingFile.position, MeetingFile.id)))


@bp.get("/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    """The invitation: time and place in local time, agenda, materials, answers, comments."""
    return _show(readable_meeting(meeting_id, current_user))


def _show(meeting: Meeting, *, rsvp_form: RsvpForm | None = None, comment_form: CommentForm | None = None,
          status: int = 200):
    org = _org(meeting.org_id)
    manages = can(current_user, MANAGE, meeting.org_id)
    mine = participant_of(meeting, current_user)
    materials = _materials(meeting)
    contents = {c.id: c for c in db.session.scalars(select(ContentItem).where(
        ContentItem.id.in_([m.content_id for m in materials if m.content_id])))} if materials else {}
    counts = dict(db.session.execute(select(Participant.rsvp, func.count()).where(
        Participant.meeting_id == meeting.id).group_by(Participant.rsvp)).all())
    comments = paginate(select(Comment).where(Comment.meeting_id == meeting.id)
                        .order_by(Comment.created_at, Comment.id))
    authors = dict(db.session.execute(select(Member.id, Member.full_name).where(
        Member.id.in_([c.member_id for c in comments.items if c.member_id]))).all()) if comments.items else {}
    revisions = list(db.session.scalars(select(Revision).where(Revision.meeting_id == meeting.id)
                                        .order_by(Revision.changed_at.desc(), Revision.id.desc()).limit(50)))
    open_for_comments = meeting.status in (MeetingStatus.INVITED.value, MeetingStatus.HELD.value) \
        and meeting.issued_at is None
    may_comment = open_for_comments and own_member_id(current_user) is not None and (mine is not None or manages)
    if comment_form is None:
        comment_form = CommentForm(formdata=None)
        comment_form.idempotency_key.data = new_idempotency_key()
    if rsvp_form is None and mine is not None:
        rsvp_form = RsvpForm(formdata=None)
        rsvp_form.answer.data, rsvp_form.reason.data = mine.rsvp, mine.rsvp_reason
    return render("meetings/meeting_show.html", meeting=meeting, org=org, manages=manages, mine=mine,
                  materials=materials, contents=contents, counts=counts, comments=comments,
                  authors=authors, revisions=revisions, tracked=TRACKED, kinds=KIND_LABELS,
                  statuses=STATUS_LABELS, may_comment=may_comment, comment_form=comment_form,
                  rsvp_form=rsvp_form, may_answer=mine is not None and is_ahead(meeting),
                  ahead=is_ahead(meeting), confidential_ok=may_read_confidential(meeting, current_user)
                  and not current_user.is_helper, status=status, private=True)


@bp.route("/<int:meeting_id>/materials", methods=["GET", "POST"])
@login_required
def materials(meeting_id: int):
    """Attach a material: a document of the library, or an upload (PDF, Word, Excel, a photo)."""
    meeting = managed_meeting(meeting_id, current_user)
    form = MaterialForm()
    library = list(db.session.scalars(content_visible_to(current_user).where(
        ContentItem.kind == "document").order_by(ContentItem.issued_on.desc(), ContentItem.id.desc()).limit(40)))
    errors: list[str] = []
    if request.method == "POST":
        done = already_done(form.idempotency_key.data)
        if done:
            return done
        upload = request.files.get("file")
        upload = upload if upload and upload.filename else None
        raw_content = (form.content_id.data or "").strip()
        title = (form.title.data or "").strip()
        row = None
        if form.validate():
            if upload is None and not raw_content:
                errors.append(_("Please choose a file to upload or a document of the library."))
            elif upload is not None and raw_content:
                errors.append(_("Please choose either a file or a library document, not both."))
            elif raw_content:
                item = None
                if raw_content.isdigit() and is_id(int(raw_content)):
                    item = db.session.scalar(content_visible_to(current_user).where(
                        ContentItem.id == int(raw_content)))
                if item is None:
                    errors.append(_("Please choose from the list."))
                elif form.confidential.data:
                    errors.append(_("A library document is read by every member: it cannot be confidential here. Upload the confidential copy as a file."))
                else:
                    row = MeetingFile(meeting_id=meeting.id, title=title or item.title, content_id=item.id)
            else:
                try:
                    stored = files.save_upload(upload, namespace="meetings", accept=MATERIALS,
                                               max_bytes=MAX_MATERIAL, sensitive=bool(form.confidential.data),
                                               owner_id=current_user.id)
                except files.FileRejected as refused:
                    errors.append(str(refused))
                else:
                    if form.confidential.data and stored.mimetype not in WATERMARKABLE:
                        errors.append(_("A confidential material must be a PDF or a picture, so that the "
                                        "reader's name can be printed on each page."))
                    else:
                        row = MeetingFile(meeting_id=meeting.id, title=title or stored.filename,
                                          file_id=stored.id, confidential=bool(form.confidential.data))
        if row is not None and not errors:
            row.added_by_id = current_user.id
            row.position = len(_materials(meeting))
            db.session.add(row)
            location = url_for(".show", meeting_id=meeting.id)
            if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
                return earlier
            flash(_("The material was attached."), "success")
            return redirect(location)
        db.session.rollback()  # a file already kept goes with it
    else:
        form.idempotency_key.data = new_idempotency_key()
    return render("meetings/meeting_materials.html", meeting=meeting, form=form, library=library,
                  errors=errors, max_size=files.human_size(MAX_MATERIAL),
                  status=400 if (errors or form.errors) else 200, private=True)


@bp.post("/<int:meeting_id>/materials/<int:file_id>/remove")
@login_required
def remove_material(meeting_id: int, file_id: int):
    meeting = managed_meeting(meeting_id, current_user)
    row = db.session.get(MeetingFile, file_id) if is_id(file_id) else None
    if row is None or row.meeting_id != meeting.id or row.role != FileRole.MATERIAL.value:
        refuse(f"meetings_file:{file_id}")
    stored = files.get(row.file_id, "meetings") if row.file_id else None
    db.session.delete(row)
    if stored is not None:
        files.delete(stored)
    db.session.commit()
    flash(_("The material was removed."), "success")
    return redirect(url_for(".show", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/materials/<int:file_id>")
@login_required
def material(meeting_id: int, file_id: int):
    """A material's file. A confidential one: only to the invitees and managers (never a family
    helper), never cached, with the reader's name and card number on every page, audited."""
    meeting = readable_meeting(meeting_id, current_user)
    row = db.session.get(MeetingFile, file_id) if is_id(file_id) else None
    if row is None or row.meeting_id != meeting.id or row.role != FileRole.MATERIAL.value:
        refuse(f"meetings_file:{file_id}")
    if row.content_id is not None:
        return redirect(url_for("content.read", item_id=row.content_id))
    stored = files.get(row.file_id, "meetings")
    if stored is None:
        abort(404)
    if not row.confidential:
        return files.send(stored)
    if current_user.is_helper or not may_read_confidential(meeting, current_user):
        refuse(f"meetings_file:{file_id}")
    card = None
    if current_user.member_id:
        card = db.session.scalar(select(Member.card_number).where(Member.id == current_user.member_id))
    mark = f"{current_user.display_name} — {card or current_user.login} — {today_local(org_province(meeting)):%d/%m/%Y}"
    audit("meetings.confidential_view", f"meetings_file:{row.id}", meeting=meeting.id)
    db.session.commit()
    return files.send(stored, watermark=mark)


def org_province(meeting: Meeting) -> int | None:
    return db.session.scalar(select(Organisation.province_id).where(Organisation.id == meeting.org_id))


@bp.post("/<int:meeting_id>/rsvp")
@login_required
def rsvp(meeting_id: int):
    """A member answers the invitation: attending, or absent with a reason (a retry changes nothing)."""
    _writer()
    meeting = readable_meeting(meeting_id, current_user)
    mine = participant_of(meeting, current_user)
    if mine is None:
        refuse(f"meetings_meeting:{meeting_id}:rsvp")
    if not is_ahead(meeting):
        flash(_("The meeting has already taken place: answers are closed."), "error")
        return redirect(url_for(".show", meeting_id=meeting.id)), 303
    form = RsvpForm()
    if not form.validate():
        return _show(meeting, rsvp_form=form, status=400)
    mine.rsvp = form.answer.data
    mine.rsvp_reason = (form.reason.data or "").strip() or None if form.answer.data == Rsvp.NO.value else None
    mine.rsvp_at = utcnow()
    db.session.commit()
    flash(_("Thank you: your answer was sent to the secretary."), "success")
    return redirect(url_for(".show", meeting_id=meeting.id) + "#answer")


@bp.post("/<int:meeting_id>/comments")
@login_required
def comment(meeting_id: int):
    """A comment or proposal on the draft resolution, before and during the meeting."""
    _writer()
    meeting = readable_meeting(meeting_id, current_user)
    manages = can(current_user, MANAGE, meeting.org_id)
    member_id = own_member_id(current_user)
    if member_id is None or (participant_of(meeting, current_user) is None and not manages):
        refuse(f"meetings_meeting:{meeting_id}:comment")
    form = CommentForm()
    done = already_done(form.idempotency_key.data)
    if done:
        return done
    if meeting.status not in (MeetingStatus.INVITED.value, MeetingStatus.HELD.value) or meeting.issued_at:
        flash(_("Comments on this meeting are closed."), "error")
        return redirect(url_for(".show", meeting_id=meeting.id)), 303
    if not form.validate():
        return _show(meeting, comment_form=form, status=400)
    db.session.add(Comment(meeting_id=meeting.id, member_id=member_id, author_id=current_user.id,
                           body=form.body.data.strip()))
    location = url_for(".show", meeting_id=meeting.id) + "#comments"
    if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
        return earlier
    flash(_("Your comment was posted."), "success")
    return redirect(location)
