"""At and after the meeting: attendance and self check-in, votes, conclusions and resolution,
minutes, ratings (blueprint "meetings_hall", under /meetings/<id>/...).

Attendance is one form for the whole branch: a row per participant with three choices, one
Save. It is an update, not a create (saving twice leaves the same record), so it carries no
idempotency key; a member who checked in with the code after the secretary's page was drawn
stays present. After the report went upward, every change also writes a Revision row."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange

from core.api import (ADMIN, SECRETARY, Organisation, Radio, User, already_done, can, commit_keyed, db, files,
                      guesses_paused, is_id, nearest_with_role, new_idempotency_key, notify, paginate, refuse,
                      render, role_holders, to_local, today_local, utcnow, wrong_guess)
from plugins.meetings.access import MANAGE, managed_meeting, participant_of, readable_meeting
from plugins.meetings.models import (Ballot, Electorate, FileRole, Meeting, MeetingFile, MeetingStatus,
                                     Participant, Presence, Rating, Revision, Rsvp, Threshold, Vote,
                                     VoteMethod)

bp = Blueprint("meetings_hall", __name__, url_prefix="/meetings", template_folder="templates")

# The meeting took place, or is taking place: attendance can be recorded.
RECORDABLE = (MeetingStatus.INVITED.value, MeetingStatus.HELD.value, MeetingStatus.REPORTED.value)
CHARTER_ABSENCES = 3  # absences without reason in twelve months: the Charter's warning
CODE_DIGITS = 6
CODE_TRIES = 5  # wrong codes a member may type for one meeting, on any phone, in a window of:
CODE_WINDOW_SECONDS = 6 * 3600
MAX_REASON = 2000


def province_of(meeting: Meeting) -> int:
    return db.session.get(Organisation, meeting.org_id).province_id


def meeting_day(meeting: Meeting):
    return to_local(meeting.starts_at, province_of(meeting)).date()


def has_begun(meeting: Meeting) -> bool:
    """The meeting's day has come (in the province's time)."""
    return meeting_day(meeting) <= today_local(province_of(meeting))


def participants(meeting: Meeting) -> list[Participant]:
    return list(db.session.scalars(select(Participant).where(Participant.meeting_id == meeting.id)
                                   .order_by(Participant.full_name, Participant.id)))


def record_change(meeting: Meeting, field: str, old, new) -> None:
    """After the report went upward, every change of the meeting keeps its history."""
    if meeting.status == MeetingStatus.REPORTED.value and (old or None) != (new or None):
        db.session.add(Revision(meeting_id=meeting.id, field=field[:64],
                                old_value=None if old is None else str(old),
                                new_value=None if new is None else str(new),
                                changed_by_id=current_user.id))


def recount(meeting: Meeting) -> None:
    """The counters the overview reads: expected = in good standing and not exempt; present =
    the expected ones who came (an exempt member who comes is welcome, not counted)."""
    rows = participants(meeting)
    expected = [p for p in rows if p.member_status == "active"]
    meeting.expected_count = len(expected)
    meeting.present_count = sum(1 for p in expected if p.presence == Presence.PRESENT.value)


def prefill(person: Participant) -> tuple[str | None, str]:
    """What the attendance form shows: what was recorded, else the member's own answer."""
    if person.presence:
        return person.presence, person.absence_reason or ""
    if person.rsvp == Rsvp.YES.value:
        return Presence.PRESENT.value, ""
    if person.rsvp == Rsvp.NO.value:
        return Presence.EXCUSED.value, person.rsvp_reason or ""
    return None, ""


def charter_warnings(meeting: Meeting) -> list[tuple[str, int]]:
    """Participants absent without reason three times or more in the twelve months up to this
    meeting, across every meeting they were invited to: (name, absences)."""
    since = meeting.starts_at - timedelta(days=365)
    ids = select(Participant.member_id).where(Participant.meeting_id == meeting.id)
    counted = (select(Participant.member_id, func.count(Participant.id))
               .join(Meeting, Meeting.id == Participant.meeting_id)
               .where(Participant.member_id.in_(ids), Participant.presence == Presence.ABSENT.value,
                      Meeting.starts_at >= since, Meeting.starts_at <= meeting.starts_at,
                      Meeting.status.in_((MeetingStatus.HELD.value, MeetingStatus.REPORTED.value)))
               .group_by(Participant.member_id)
               .having(func.count(Participant.id) >= CHARTER_ABSENCES))
    found = dict(db.session.execute(counted).all())
    if not found:
        return []
    return [(p.full_name, found[p.member_id]) for p in participants(meeting) if p.member_id in found]


def _shown_at(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(meeting_id: int):
    """The secretary takes attendance of the whole branch on one page: present, absent with a
    reason, absent without one; pre-filled from the members' answers."""
    meeting = managed_meeting(meeting_id, current_user)
    rows = participants(meeting)
    recordable = meeting.status in RECORDABLE and has_begun(meeting) and bool(rows)
    chosen = {p.id: prefill(p) for p in rows}
    errors: list[str] = []
    if request.method == "POST":
        if not recordable:
            return _attendance_page(meeting, rows, chosen, recordable,
                                    [_("Attendance can be taken from the day of the meeting, once the invitation has gone out.")],
                                    400)
        shown = _shown_at(request.form.get("shown"))
        posted = {}
        for person in rows:
            value = request.form.get(f"p{person.id}") or None
            reason = (request.form.get(f"r{person.id}") or "").strip()
            if value not in (None, *[p.value for p in Presence]):
                errors.append(_("Please choose present, absent with a reason or absent without a reason for %(name)s.",
                                name=person.full_name))
                value = None
            if value == Presence.EXCUSED.value and not reason:
                errors.append(_("Please write the reason %(name)s gave for being absent.", name=person.full_name))
            if len(reason) > MAX_REASON:
                errors.append(_("The reason given for %(name)s is too long (at most %(n)s characters).",
                                name=person.full_name, n=MAX_REASON))
            if (value != Presence.PRESENT.value and person.checked_in_at is not None
                    and (shown is None or person.checked_in_at > shown)):
                value, reason = Presence.PRESENT.value, ""  # checked in after this page was drawn
            posted[person.id] = (value, reason)
        chosen.update(posted)
        if errors:
            return _attendance_page(meeting, rows, chosen, recordable, errors, 400)
        for person in rows:
            value, reason = posted[person.id]
            if value is None and person.presence is None:
                continue  # not marked yet: stays unrecorded
            reason = reason if value == Presence.EXCUSED.value else None
            record_change(meeting, f"presence:{person.full_name}", person.presence, value)
            record_change(meeting, f"absence_reason:{person.full_name}", person.absence_reason, reason)
            person.presence, person.absence_reason = value, reason
        if meeting.status == MeetingStatus.INVITED.value:
            meeting.status = MeetingStatus.HELD.value
        meeting.recorded_at = meeting.recorded_at or utcnow()
        old = (meeting.expected_count, meeting.present_count)
        recount(meeting)
        record_change(meeting, "present_count", old[1], meeting.present_count)
        db.session.commit()
        missing = sum(1 for p in rows if p.presence is None)
        flash(_("Attendance saved: %(present)s of %(expected)s members present.",
                present=meeting.present_count, expected=meeting.expected_count)
              + (" " + _("%(n)s not marked yet.", n=missing) if missing else ""), "success")
        return redirect(url_for(".attendance", meeting_id=meeting.id))
    return _attendance_page(meeting, rows, chosen, recordable, errors, 200)


def _attendance_page(meeting, rows, chosen, recordable, errors, status):
    return render("meetings/hall_attendance.html", meeting=meeting, rows=rows, chosen=chosen,
                  recordable=recordable, errors=errors, warnings=charter_warnings(meeting),
                  shown=utcnow().isoformat(), day=meeting_day(meeting),
                  may_show_code=recordable and meeting_day(meeting) == today_local(province_of(meeting)),
                  status=status, private=True)


@bp.post("/<int:meeting_id>/checkin-code")
@login_required
def checkin_code(meeting_id: int):
    """The secretary shows a short code at the meeting; members type it on their phones."""
    meeting = managed_meeting(meeting_id, current_user)
    if meeting.status not in RECORDABLE or meeting_day(meeting) != today_local(province_of(meeting)):
        flash(_("Members can check themselves in only on the day of the meeting."), "error")
        return redirect(url_for(".attendance", meeting_id=meeting.id)), 303
    if not meeting.checkin_code or request.form.get("new"):
        meeting.checkin_code = "".join(secrets.choice("0123456789") for _n in range(CODE_DIGITS))
        db.session.commit()
    return redirect(url_for(".attendance", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/checkin", methods=["GET", "POST"])
@login_required
def checkin(meeting_id: int):
    """A member checks in at the meeting by typing the code the secretary shows."""
    meeting = readable_meeting(meeting_id, current_user)
    person = participant_of(meeting, current_user)
    if person is None:  # not invited, or a family helper (never acts for the member)
        refuse(f"meetings_meeting:{meeting_id}")
    open_now = (meeting.status in RECORDABLE and bool(meeting.checkin_code)
                and meeting_day(meeting) == today_local(province_of(meeting)))
    error = None
    if request.method == "POST" and person.presence != Presence.PRESENT.value:
        key = f"meetings:checkin:{meeting.id}:{current_user.id}"
        code = "".join((request.form.get("code") or "").split())
        if not open_now:
            error = _("Checking in is open only during the meeting, once the secretary shows the code.")
        elif guesses_paused(key):
            error = _("Too many wrong codes. Please ask the secretary to mark you present.")
        elif not secrets.compare_digest(code.encode(), meeting.checkin_code.encode()):
            wrong_guess(key, CODE_TRIES, CODE_WINDOW_SECONDS)
            db.session.commit()
            error = _("That code is not right. Please look again at the code the secretary shows.")
        else:
            person.presence, person.absence_reason, person.checked_in_at = Presence.PRESENT.value, None, utcnow()
            if meeting.status == MeetingStatus.INVITED.value:
                meeting.status = MeetingStatus.HELD.value
                meeting.recorded_at = meeting.recorded_at or utcnow()
            recount(meeting)
            db.session.commit()
            flash(_("You are checked in. Thank you."), "success")
            return redirect(url_for(".checkin", meeting_id=meeting.id))
    return render("meetings/hall_checkin.html", meeting=meeting, person=person, open_now=open_now,
                  error=error, status=400 if error else 200, private=True)


# --- votes ------------------------------------------------------------------------------------

ONE_OF = _l("Please choose one of the options.")


class VoteForm(FlaskForm):
    question = TextAreaField(_l("The matter put to the vote"),
                             validators=[DataRequired(_l("Please write what the branch votes on."))])
    method = Radio(_l("How members vote"), message=ONE_OF, default=VoteMethod.HANDS.value,
                        choices=[(VoteMethod.HANDS.value, _l("Show of hands, counted by the secretary")),
                                 (VoteMethod.PHONES.value, _l("Each member on their phone"))])
    secret = Radio(_l("Ballot"), message=ONE_OF, default="open",
                        choices=[("open", _l("Open")), ("secret", _l("Secret: nobody sees who voted how"))])
    threshold = Radio(_l("Passes with"), message=ONE_OF, default=Threshold.MAJORITY.value,
                           choices=[(Threshold.MAJORITY.value, _l("More than half")),
                                    (Threshold.TWO_THIRDS.value, _l("At least two thirds"))])
    electorate = Radio(_l("Who votes"), message=ONE_OF, default=Electorate.ALL.value,
                            choices=[(Electorate.ALL.value, _l("Every member (not the exempt)")),
                                     (Electorate.OFFICIAL.value, _l("Official members only (e.g. admitting a new member)"))])
    idempotency_key = HiddenField()


class CountForm(FlaskForm):
    yes = IntegerField(_l("In favour"), validators=[InputRequired(_l("Please enter a number.")),
                                                    NumberRange(min=0, message=_l("Please enter a number of 0 or more."))])
    no = IntegerField(_l("Against"), validators=[InputRequired(_l("Please enter a number.")),
                                                 NumberRange(min=0, message=_l("Please enter a number of 0 or more."))])
    abstain = IntegerField(_l("Abstaining"), validators=[InputRequired(_l("Please enter a number.")),
                                                         NumberRange(min=0, message=_l("Please enter a number of 0 or more."))])


CHOICES = ("yes", "no", "abstain")
VOTING = (MeetingStatus.INVITED.value, MeetingStatus.HELD.value)


def may_vote(vote: Vote, person: Participant | None) -> bool:
    """The Charter's electorate: members in good standing, not exempt; on an official-only
    matter, official members (probationary ones do not vote on it)."""
    if person is None or person.member_status != "active":
        return False
    return vote.electorate != Electorate.OFFICIAL.value or person.member_kind == "official"


def eligible_count(meeting: Meeting, electorate: str) -> int:
    probe = Vote(electorate=electorate)
    return sum(1 for p in participants(meeting) if may_vote(probe, p))


def passes(vote: Vote) -> bool:
    """More than half, or at least two thirds, of the eligible members voted in favour."""
    if vote.eligible_count <= 0:
        return False
    if vote.threshold == Threshold.TWO_THIRDS.value:
        return 3 * vote.yes_count >= 2 * vote.eligible_count
    return 2 * vote.yes_count > vote.eligible_count


def needed(vote: Vote) -> int:
    """Votes in favour the matter needs."""
    if vote.threshold == Threshold.TWO_THIRDS.value:
        return -(-2 * vote.eligible_count // 3)
    return vote.eligible_count // 2 + 1


def meeting_vote(meeting: Meeting, vote_id: int) -> Vote:
    vote = db.session.get(Vote, vote_id) if is_id(vote_id) else None
    if vote is None or vote.meeting_id != meeting.id:
        refuse(f"meetings_vote:{vote_id}")
    return vote


def _votes_page(meeting: Meeting, form: VoteForm | None = None, count_form=None, count_for=None,
                errors=None, status=200):
    manager = can(current_user, MANAGE, meeting.org_id)
    person = participant_of(meeting, current_user)
    votes = list(db.session.scalars(select(Vote).where(Vote.meeting_id == meeting.id).order_by(Vote.id)))
    cast = {}
    if person is not None and votes:
        cast = dict(db.session.execute(select(Ballot.vote_id, Ballot.choice).where(
            Ballot.member_id == person.member_id, Ballot.vote_id.in_([v.id for v in votes]))).all())
    if manager and form is None:
        form = VoteForm(formdata=None)
        form.idempotency_key.data = new_idempotency_key()
    return render("meetings/hall_votes.html", meeting=meeting, votes=votes, form=form,
                  manager=manager, person=person, cast=cast, may_vote=may_vote, needed=needed,
                  count_form=count_form, count_for=count_for, errors=errors or [],
                  key=new_idempotency_key(), open_for_votes=meeting.status in VOTING and has_begun(meeting),
                  status=status, private=True)


@bp.get("/<int:meeting_id>/votes")
@login_required
def votes(meeting_id: int):
    """The matters put to the vote: the secretary opens, counts and closes them; members vote
    on their phones and read the results once closed."""
    meeting = readable_meeting(meeting_id, current_user)
    if meeting.status == MeetingStatus.PLANNED.value:
        refuse(f"meetings_meeting:{meeting_id}")
    return _votes_page(meeting)


@bp.post("/<int:meeting_id>/votes")
@login_required
def open_vote(meeting_id: int):
    meeting = managed_meeting(meeting_id, current_user)
    form = VoteForm()
    if (done := already_done(form.idempotency_key.data)) is not None:
        return done
    if not (meeting.status in VOTING and has_begun(meeting)):
        return _votes_page(meeting, form, errors=[_("Votes are taken at the meeting: from its day, before the report goes upward.")],
                           status=400)
    if not form.validate():
        return _votes_page(meeting, form, status=400)
    electorate = form.electorate.data
    vote = Vote(meeting_id=meeting.id, question=form.question.data.strip(), method=form.method.data,
                secret=form.secret.data == "secret", threshold=form.threshold.data, electorate=electorate,
                eligible_count=eligible_count(meeting, electorate), opened_at=utcnow())
    db.session.add(vote)
    db.session.flush()
    location = url_for(".votes", meeting_id=meeting.id, _anchor=f"v{vote.id}")
    if (earlier := commit_keyed(form.idempotency_key.data, location)) is not None:
        return earlier
    flash(_("The vote is open."), "success")
    return redirect(location)


@bp.post("/<int:meeting_id>/votes/<int:vote_id>/ballot")
@login_required
def ballot(meeting_id: int, vote_id: int):
    """A member votes on their phone: once; a retried post counts once; refused once closed."""
    meeting = readable_meeting(meeting_id, current_user)
    vote = meeting_vote(meeting, vote_id)
    person = participant_of(meeting, current_user)
    if person is None or vote.method != VoteMethod.PHONES.value:  # not invited, a helper, not a phone vote
        refuse(f"meetings_vote:{vote_id}")
    location = url_for(".votes", meeting_id=meeting.id, _anchor=f"v{vote.id}")
    key = request.form.get("idempotency_key")
    if (done := already_done(key)) is not None:
        return done
    if db.session.scalar(select(Ballot.id).where(Ballot.vote_id == vote.id, Ballot.member_id == person.member_id)):
        flash(_("You have already voted on this matter; your vote was counted once."), "success")
        return redirect(location)
    choice = request.form.get("choice")
    error = None
    if not may_vote(vote, person):
        error = _("This matter is voted on by official members only.") if person.member_status == "active" \
            else _("Exempt members do not vote.")
    elif vote.closed_at is not None:
        error = _("This vote is closed.")
    elif choice not in CHOICES:
        error = _("Please choose in favour, against or abstain.")
    if error:
        return _votes_page(meeting, errors=[error], status=400 if vote.closed_at is None else 409)
    try:
        db.session.add(Ballot(vote_id=vote.id, member_id=person.member_id,
                              choice=None if vote.secret else choice))
        db.session.flush()
        counted = db.session.execute(update(Vote).where(Vote.id == vote.id, Vote.closed_at.is_(None))
                                     .values({f"{choice}_count": getattr(Vote, f"{choice}_count") + 1}))
        if counted.rowcount != 1:  # closed in the meantime
            db.session.rollback()
            return _votes_page(meeting, errors=[_("This vote is closed.")], status=409)
        if (earlier := commit_keyed(key, location)) is not None:
            return earlier
    except IntegrityError:  # the same member's other post got there first: counted once
        db.session.rollback()
        flash(_("You have already voted on this matter; your vote was counted once."), "success")
        return redirect(location)
    flash(_("Your vote was counted."), "success")
    return redirect(location)


@bp.post("/<int:meeting_id>/votes/<int:vote_id>/count")
@login_required
def count_hands(meeting_id: int, vote_id: int):
    """The secretary enters the show of hands."""
    meeting = managed_meeting(meeting_id, current_user)
    vote = meeting_vote(meeting, vote_id)
    form = CountForm()
    errors = []
    if vote.method != VoteMethod.HANDS.value or vote.closed_at is not None:
        errors.append(_("This vote is closed.") if vote.closed_at else _("Members vote on their phones here."))
    elif form.validate() and form.yes.data + form.no.data + form.abstain.data > vote.eligible_count:
        errors.append(_("More votes than the %(n)s members who may vote.", n=vote.eligible_count))
    if errors or form.errors:
        return _votes_page(meeting, count_form=form, count_for=vote.id, errors=errors, status=400)
    vote.yes_count, vote.no_count, vote.abstain_count = form.yes.data, form.no.data, form.abstain.data
    db.session.commit()
    flash(_("The count is saved."), "success")
    return redirect(url_for(".votes", meeting_id=meeting.id, _anchor=f"v{vote.id}"))


@bp.post("/<int:meeting_id>/votes/<int:vote_id>/close")
@login_required
def close_vote(meeting_id: int, vote_id: int):
    """The secretary closes the vote; the result is computed on the eligible members."""
    meeting = managed_meeting(meeting_id, current_user)
    vote = meeting_vote(meeting, vote_id)
    if vote.closed_at is None:
        db.session.execute(update(Vote).where(Vote.id == vote.id, Vote.closed_at.is_(None))
                           .values(closed_at=utcnow()))
        db.session.refresh(vote)
        vote.passed = passes(vote)
        db.session.commit()
        flash(_("The vote is closed: passed.") if vote.passed else _("The vote is closed: not passed."), "success")
    return redirect(url_for(".votes", meeting_id=meeting.id, _anchor=f"v{vote.id}"))


# --- conclusions, resolution, issuing -------------------------------------------------------------

class ResultsForm(FlaskForm):
    conclusions = TextAreaField(_l("Conclusions of the meeting"))
    resolution = TextAreaField(_l("Resolution"))


AFTER = (MeetingStatus.HELD.value, MeetingStatus.REPORTED.value)  # attendance recorded


@bp.route("/<int:meeting_id>/results", methods=["GET", "POST"])
@login_required
def results(meeting_id: int):
    """The secretary records the conclusions and the resolution (no length limit), then issues
    them to every participant."""
    meeting = managed_meeting(meeting_id, current_user)
    form = ResultsForm(obj=meeting) if request.method == "GET" else ResultsForm()
    held = meeting.status in AFTER
    if request.method == "POST":
        if not held:
            flash(_("Record the attendance first: conclusions follow a meeting that took place."), "error")
            return render("meetings/hall_results_form.html", meeting=meeting, form=form, held=held,
                          status=400, private=True)
        if form.validate():
            for name in ("conclusions", "resolution"):
                value = (getattr(form, name).data or "").strip() or None
                record_change(meeting, name, getattr(meeting, name), value)
                setattr(meeting, name, value)
            db.session.commit()
            flash(_("The conclusions and the resolution are saved."), "success")
            return redirect(url_for(".results", meeting_id=meeting.id))
    return render("meetings/hall_results_form.html", meeting=meeting, form=form, held=held,
                  status=400 if form.errors else 200, private=True)


@bp.post("/<int:meeting_id>/issue")
@login_required
def issue(meeting_id: int):
    """"Ban hành": the conclusions and the resolution go to every participant's inbox."""
    meeting = managed_meeting(meeting_id, current_user)
    if meeting.status not in AFTER or not (meeting.resolution or meeting.conclusions):
        flash(_("Write the conclusions or the resolution first."), "error")
        return redirect(url_for(".results", meeting_id=meeting.id)), 303
    member_ids = select(Participant.member_id).where(Participant.meeting_id == meeting.id)
    url = url_for("meetings.show", meeting_id=meeting.id)
    for user_id in db.session.scalars(select(User.id).where(User.member_id.in_(member_ids),
                                                            User.is_enabled.is_(True))):
        notify("meetings.resolution", _("Resolution of the meeting: %(title)s", title=meeting.title),
               url=url, user_id=user_id, dedupe_key=f"meetings.resolution:{meeting.id}:{user_id}")
    first = meeting.issued_at is None
    meeting.issued_at = meeting.issued_at or utcnow()
    db.session.commit()
    flash(_("Issued to every participant.") if first else _("Already issued; the newcomers to the list were told."),
          "success")
    return redirect(url_for(".results", meeting_id=meeting.id))


# --- ratings ------------------------------------------------------------------------------------

class RatingForm(FlaskForm):
    score = RadioField(_l("How was the meeting?"), choices=[("5", _l("5 – very good")), ("4", _l("4 – good")),
                                                            ("3", _l("3 – fair")), ("2", _l("2 – poor")),
                                                            ("1", _l("1 – very poor"))],
                       validate_choice=False,
                       validators=[InputRequired(_l("Please choose a score from 1 to 5.")),
                                   AnyOf(["1", "2", "3", "4", "5"], message=_l("Please choose a score from 1 to 5."))])
    comment = TextAreaField(_l("Comment (optional; the secretary does not see your name)"))


@bp.route("/<int:meeting_id>/rating", methods=["GET", "POST"])
@login_required
def rating(meeting_id: int):
    """A member who attended rates the meeting (once, and may change it); the secretary reads
    only the average and the comments, without names."""
    meeting = readable_meeting(meeting_id, current_user)
    manager = can(current_user, MANAGE, meeting.org_id)
    person = participant_of(meeting, current_user)
    if person is None and not manager:
        refuse(f"meetings_meeting:{meeting_id}")
    may_rate = (person is not None and person.presence == Presence.PRESENT.value
                and meeting.status in AFTER)
    mine = db.session.scalar(select(Rating).where(Rating.meeting_id == meeting.id,
                                                  Rating.member_id == person.member_id)) if person else None
    form = RatingForm(formdata=None, score=str(mine.score) if mine else None,
                      comment=mine.comment if mine else None) if request.method == "GET" else RatingForm()
    if request.method == "POST":
        if person is None:  # staff above, who read the ratings but never give one
            refuse(f"meetings_meeting:{meeting_id}")
        if not may_rate:
            return render("meetings/hall_rating.html", meeting=meeting, form=form, may_rate=False, mine=mine,
                          manager=manager, person=person, comments=None, refused=True,
                          status=400, private=True)
        if form.validate():
            score, comment = int(form.score.data), (form.comment.data or "").strip() or None
            if mine is None:
                try:
                    with db.session.begin_nested():
                        db.session.add(Rating(meeting_id=meeting.id, member_id=person.member_id,
                                              score=score, comment=comment))
                    db.session.execute(update(Meeting).where(Meeting.id == meeting.id).values(
                        rating_count=Meeting.rating_count + 1, rating_sum=Meeting.rating_sum + score))
                except IntegrityError:  # a retried post: the first one counted
                    db.session.rollback()
                    mine = db.session.scalar(select(Rating).where(Rating.meeting_id == meeting.id,
                                                                  Rating.member_id == person.member_id))
            if mine is not None:
                db.session.execute(update(Meeting).where(Meeting.id == meeting.id).values(
                    rating_sum=Meeting.rating_sum + score - mine.score))
                mine.score, mine.comment = score, comment
            db.session.commit()
            flash(_("Thank you: your rating is saved."), "success")
            return redirect(url_for(".rating", meeting_id=meeting.id))
    comments = None
    if manager:
        comments = paginate(select(Rating.comment).where(Rating.meeting_id == meeting.id,
                                                         Rating.comment.is_not(None))
                            .order_by(Rating.comment))
    return render("meetings/hall_rating.html", meeting=meeting, form=form, may_rate=may_rate, mine=mine,
                  manager=manager, person=person, comments=comments,
                  status=400 if form.errors else 200, private=True)


# --- the report upward ----------------------------------------------------------------------------

@bp.post("/<int:meeting_id>/report")
@login_required
def report(meeting_id: int):
    """"Gửi báo cáo lên cấp trên": the meeting is reported; the grassroots level's staff are told.
    From now on every change of the meeting keeps its history."""
    meeting = managed_meeting(meeting_id, current_user)
    if meeting.status == MeetingStatus.REPORTED.value:
        flash(_("The report has already gone upward."), "success")
        return redirect(url_for(".results", meeting_id=meeting.id))
    if meeting.status != MeetingStatus.HELD.value:
        flash(_("Record the attendance first: conclusions follow a meeting that took place."), "error")
        return redirect(url_for(".results", meeting_id=meeting.id)), 303
    meeting.status, meeting.reported_at = MeetingStatus.REPORTED.value, utcnow()
    above = nearest_with_role(meeting.org_id, (ADMIN, SECRETARY))
    branch = db.session.get(Organisation, meeting.org_id)
    if above is not None:
        for holder in role_holders(above.id, (ADMIN, SECRETARY)):
            notify("meetings.report", _("Meeting report from %(branch)s: %(title)s", branch=branch.name,
                                        title=meeting.title),
                   url=url_for("meetings.show", meeting_id=meeting.id), user_id=holder.user_id,
                   dedupe_key=f"meetings.report:{meeting.id}:{holder.user_id}")
    db.session.commit()
    flash(_("The report went up to %(org)s.", org=above.name) if above else _("The report is recorded."), "success")
    return redirect(url_for(".results", meeting_id=meeting.id))


@bp.app_context_processor
def hall_context():
    """`hall_block(meeting)` for the include on the meeting's page (hall_results.html)."""
    return {"hall_block": hall_block}


def hall_block(meeting: Meeting) -> dict:
    """What the meeting's page shows of the hall to the current reader."""
    manager = can(current_user, MANAGE, meeting.org_id) and not current_user.is_helper
    person = participant_of(meeting, current_user)
    today = meeting.status in RECORDABLE and meeting_day(meeting) == today_local(province_of(meeting))
    return {"manager": manager, "person": person,
            "checkin": today and person is not None and person.presence != Presence.PRESENT.value
            and bool(meeting.checkin_code),
            "issued": meeting.issued_at is not None, "after": meeting.status in AFTER,
            "begun": meeting.status in RECORDABLE and has_begun(meeting),
            "minutes": minutes_of(meeting) if (manager or person is not None) and meeting.status in AFTER else []}


# --- minutes ------------------------------------------------------------------------------------

MINUTES_KINDS = ("pdf", "docx", "image")
MINUTES_MAX = 15 * 2 ** 20
MINUTES_FILES = 30  # pages of photos in one upload


def minutes_of(meeting: Meeting) -> list[MeetingFile]:
    return list(db.session.scalars(select(MeetingFile).where(
        MeetingFile.meeting_id == meeting.id, MeetingFile.role == FileRole.MINUTES.value)
        .order_by(MeetingFile.position, MeetingFile.id)))


@bp.route("/<int:meeting_id>/minutes", methods=["GET", "POST"])
@login_required
def minutes(meeting_id: int):
    """The secretary adds the minutes: a PDF or DOCX, or several photos of the handwritten pages
    taken with the phone (re-encoded on upload; HEIC from iPhones accepted)."""
    meeting = managed_meeting(meeting_id, current_user)
    errors: list[str] = []
    held = meeting.status in AFTER
    if request.method == "POST":
        key = request.form.get("idempotency_key")
        if (done := already_done(key)) is not None:
            return done
        chosen = [f for f in request.files.getlist("pages") if f and f.filename]
        if not held:
            errors.append(_("Record the attendance first: conclusions follow a meeting that took place."))
        elif not chosen:
            errors.append(_("Please choose the file of the minutes, or the photos of its pages."))
        elif len(chosen) > MINUTES_FILES:
            errors.append(_("At most %(n)s files at a time.", n=MINUTES_FILES))
        start = len(minutes_of(meeting))
        for number, upload in enumerate(chosen if not errors else [], 1):
            try:
                stored = files.save_upload(upload, namespace="meetings", accept=MINUTES_KINDS,
                                           max_bytes=MINUTES_MAX, owner_id=current_user.id, image_max_px=2000)
            except files.FileRejected as refused_file:
                errors.append(str(refused_file))
                continue
            title = stored.filename if len(chosen) == 1 else _("Page %(n)s", n=start + number)
            db.session.add(MeetingFile(meeting_id=meeting.id, role=FileRole.MINUTES.value, title=title[:255],
                                       file_id=stored.id, position=start + number, added_by_id=current_user.id))
            record_change(meeting, "minutes", None, title)
        if errors:
            db.session.rollback()  # the files already kept go with it
            return _minutes_page(meeting, errors, 400)
        location = url_for(".minutes", meeting_id=meeting.id)
        if (earlier := commit_keyed(key, location)) is not None:
            return earlier
        flash(_("The minutes are saved (%(n)s files).", n=len(chosen)), "success")
        return redirect(location)
    return _minutes_page(meeting, errors, 200)


def _minutes_page(meeting, errors, status):
    return render("meetings/hall_minutes.html", meeting=meeting, pages=minutes_of(meeting), errors=errors,
                  held=meeting.status in AFTER, key=new_idempotency_key(),
                  max_size=files.human_size(MINUTES_MAX), status=status, private=True)


@bp.get("/<int:meeting_id>/minutes/<int:page_id>")
@login_required
def minutes_file(meeting_id: int, page_id: int):
    """A page of the minutes, to the branch's staff and the meeting's participants (no-store)."""
    meeting = readable_meeting(meeting_id, current_user)
    page = db.session.get(MeetingFile, page_id) if is_id(page_id) else None
    allowed = can(current_user, MANAGE, meeting.org_id) or participant_of(meeting, current_user) is not None
    if page is None or page.meeting_id != meeting.id or page.role != FileRole.MINUTES.value or not allowed:
        refuse(f"meetings_file:{page_id}")
    stored = files.get(page.file_id, "meetings") if page.file_id else None
    if stored is None:
        refuse(f"meetings_file:{page_id}")
    return files.send(stored)
