"""Member management for secretaries and administrators, scoped by the organisation tree."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.audit import audit
from core.auth.accounts import open_request, reveal_code, seal_code
from core.auth.models import ResetRequest
from core.extensions import db
from core.members import lifecycle, service
from core.members.forms import (ACTION_LABELS, EVENT_LABELS, KIND_LABELS, NOTE_LABELS, STATUS_LABELS,
                                AddMemberForm, CodeForm, MemberForm, StatusForm, TransferForm)
from core.members.service import MemberError, MemberFilter, MemberRecord
from core.org.models import Member
from core.org.scope import (can, get_scoped, has_any, members_not_outranked, outranks, refusal_message, refuse,
                            require)
from core.sender import send_text
from core.fields import offered
from core.web import already_done, commit_keyed, new_idempotency_key, paginate, render

bp = Blueprint("members", __name__, url_prefix="/members")
# The pad that unseals the code just given (core.auth.accounts.seal_code), for the redirect to
# the page that shows it once; the code itself never enters the (readable) session cookie.
SHOWN_CODE = "members.shown_code"


@bp.context_processor
def labels():
    return {"status_labels": STATUS_LABELS, "kind_labels": KIND_LABELS,
            "event_labels": EVENT_LABELS, "action_labels": ACTION_LABELS, "note_labels": NOTE_LABELS}


def _require_any(name: str) -> None:
    if not has_any(current_user, name):
        refuse(f"{name}:*")


def _page(template: str, form, **context):
    """A form page: 400 when it comes back with errors."""
    return render(template, form=form, status=400 if form.errors else 200, private=True, **context)


def _fail(form, error: Exception):
    """Put a refused change's message on its field; nothing of it was saved."""
    db.session.rollback()
    if isinstance(error, MemberError):
        getattr(form, error.field).errors.append(str(error))
        if getattr(error, "card_holder", None):
            service.audit_card_conflict(error.card_holder, current_user.id, "form")
            db.session.commit()
    else:  # a concurrent add took the card number between our check and the commit
        form.card_number.errors.append(service.duplicate_card_message())


def _keyed(form):
    """(key, earlier result): a form's idempotency key, and where a retry goes."""
    if request.method == "GET":
        form.idempotency_key.data = new_idempotency_key()
        return form.idempotency_key.data, None
    return form.idempotency_key.data, already_done(form.idempotency_key.data)


def _save(form, key: str | None, apply, message):
    """Carry out a change once (keyed), then tell the plugins; None when it was refused.

    `apply` returns the member and the lifecycle.Change the plugins hear of."""
    try:
        member, change = apply()
        location = url_for(".detail", member_id=member.id)
        if (earlier := commit_keyed(key, location)) is not None:
            return earlier
    except (MemberError, IntegrityError) as error:
        _fail(form, error)
        return None
    lifecycle.announce([change], current_user.id)
    flash(message(member), "success")
    return redirect(location)


@bp.get("/")
@login_required
def index():
    """The secretary's overview: the members, who registered, who used the app in 30 days."""
    _require_any("members.view")
    flt = MemberFilter.from_args(request.args)
    if flt.org:
        require(current_user, "members.view", flt.org)
    page = paginate(service.list_members(current_user, flt))
    return render("members/index.html", flt=flt, page=page,
                  overview=service.overview(current_user, flt.org),
                  accounts=service.account_states([m.id for m in page.items]),
                  orgs=[(o.id, o.name) for o in service.org_options(current_user, flt.org)],
                  can_add=has_any(current_user, "members.manage"), private=True)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def add():
    """Add a member to a branch by card number, official or probationary, with their dates."""
    _require_any("members.manage")
    form = AddMemberForm()
    under = request.args.get("org", type=int)
    if under and not can(current_user, "members.manage", under):
        under = None
    form.org_id.choices, more = service.branch_choices(current_user, "members.manage", under=under)
    key, done = _keyed(form)
    if done:
        return done
    if request.method == "GET":
        ids = offered(form.org_id)
        home = current_user.home_org_id
        form.org_id.data = home if home in ids else (ids[0] if len(ids) == 1 else None)

    def apply():
        require(current_user, "members.manage", form.org_id.data)
        service.check_card(form.card_number.data, current_user)
        member = service.add_member(MemberRecord.from_form(form), form.org_id.data, current_user.id)
        return member, service.edited(member, "created")

    if form.validate_on_submit() and (saved := _save(form, key, apply, lambda m: _(
            "Member %(name)s was added.", name=m.full_name))):
        return saved
    return _page("members/form.html", form, more=more, member=None)


@bp.get("/<int:member_id>")
@login_required
def detail(member_id: int):
    """A member's record, history and account, with the actions the user may take."""
    return _detail_page(get_scoped(Member, member_id, current_user, "members.view"))


def _detail_page(member: Member, status: int = 200):
    """The detail page; the actions on the record and its account are offered only when the user
    outranks every account attached to it, and otherwise the page says who does it."""
    events = service.history(member)
    waiting = db.session.scalar(select(ResetRequest.id).where(
        ResetRequest.member_id == member.id, ResetRequest.status.in_(lifecycle.PENDING)).limit(1))
    can_manage = can(current_user, "members.manage", member.org_id)
    can_reset = member.in_good_standing and can(current_user, "accounts.reset", member.org_id)
    mine = not (can_manage or can_reset) or outranks(current_user, "members.manage", member_id=member.id)
    return render("members/detail.html", member=member, events=events,
                  orgs=service.org_names([e.from_org_id for e in events] + [e.to_org_id for e in events]),
                  account=service.account_states([member.id]).get(member.id), waiting=waiting,
                  can_manage=can_manage and mine, can_reset=can_reset and mine,
                  refusal=None if mine else _refusal(member), refused=status == 403,
                  code_form=CodeForm(), status=status, private=True)


def _refusal(member: Member) -> str:
    return refusal_message(member_id=member.id, login=member.card_number or member.phone)


def _outranked(member: Member, permission: str):
    """None when the user outranks every account of the record; else the record's page, refused
    with 403 and the reason (the user may see the record, so it is not a 404)."""
    if outranks(current_user, permission, member_id=member.id):
        return None
    audit("access.outranked", f"member:{member.id}", permission=permission, endpoint=request.endpoint)
    db.session.commit()
    return _detail_page(member, status=403)


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@login_required
def edit(member_id: int):
    """Correct a member's record (name, card number, phone, dates)."""
    member = get_scoped(Member, member_id, current_user, "members.manage")
    if (refused := _outranked(member, "members.manage")) is not None:
        return refused
    form = MemberForm(obj=member)
    key, done = _keyed(form)
    if done:
        return done

    def apply():
        service.check_card(form.card_number.data, current_user, exclude_id=member.id)
        service.update_member(member, MemberRecord.from_form(form), current_user.id)
        return member, service.edited(member, "edited")

    if form.validate_on_submit() and (saved := _save(form, key, apply, lambda m: _("The changes are saved."))):
        return saved
    return _page("members/form.html", form, member=member, more=False)


@bp.route("/<int:member_id>/transfer", methods=["GET", "POST"])
@login_required
def transfer(member_id: int):
    """Move a member's Party activities to another branch the user manages."""
    member = get_scoped(Member, member_id, current_user, "members.manage")
    if (refused := _outranked(member, "members.manage")) is not None:
        return refused
    query = " ".join(request.args.get("q", "").split())[:100]
    form = TransferForm()
    form.to_org.choices, more = service.branch_choices(current_user, "members.manage", q=query,
                                                       exclude=member.org_id)
    key, done = _keyed(form)
    if done:
        return done

    def apply():
        require(current_user, "members.manage", form.to_org.data)
        return member, lifecycle.transfer(member, form.to_org.data, form.on_date.data,
                                          form.note.data or None, current_user.id)

    if form.validate_on_submit() and (saved := _save(form, key, apply, lambda m: _(
            "The member now belongs to %(org)s.", org=m.org.name))):
        return saved
    return _page("members/transfer.html", form, member=member, more=more, query=query)


@bp.route("/<int:member_id>/status", methods=["GET", "POST"])
@login_required
def status(member_id: int):
    """Record an exemption, a death, a removal, an expulsion, a return, or becoming official."""
    member = get_scoped(Member, member_id, current_user, "members.manage")
    if (refused := _outranked(member, "members.manage")) is not None:
        return refused
    form = StatusForm()
    form.action.choices = [(a, ACTION_LABELS[a]) for a in lifecycle.allowed_actions(member)]
    key, done = _keyed(form)
    if done:
        return done
    if request.method == "GET":
        form.action.data = request.args.get("action")

    def apply():
        return member, lifecycle.change_status(member, form.action.data, form.on_date.data,
                                               form.note.data or None, current_user.id)

    if form.validate_on_submit() and (saved := _save(form, key, apply, lambda m: _(
            "Saved: %(change)s.", change=ACTION_LABELS[form.action.data]))):
        return saved
    return _page("members/status.html", form, member=member)


@bp.get("/resets")
@login_required
def resets():
    """Password requests of the user's members, newest first, each with a button to give a code."""
    _require_any("accounts.reset")
    page = paginate(service.pending_resets(current_user))
    # Requests of members whose accounts outrank the user wait for the level above.
    above = members_not_outranked(current_user, "accounts.reset", [r.member_id for r in page.items])
    return render("members/resets.html", page=page, form=CodeForm(), above=above, private=True)


@bp.post("/resets/<int:request_id>/code")
@login_required
def give_code(request_id: int):
    """Give a one-time code for a member's request; it is shown once on the next page."""
    reset = get_scoped(ResetRequest, request_id, current_user, "accounts.reset")
    if (refused := _outranked(reset.member, "accounts.reset")) is not None:
        return refused
    if reset.status not in lifecycle.PENDING or not reset.member.in_good_standing:
        flash(_("This request is closed already."), "error")
        return redirect(url_for(".resets"))
    return _hand_over(reset)


@bp.post("/<int:member_id>/code")
@login_required
def give_code_to_member(member_id: int):
    """The member phoned the secretary: give them a code at once, without a request of theirs."""
    member = get_scoped(Member, member_id, current_user, "accounts.reset")
    if (refused := _outranked(member, "accounts.reset")) is not None:
        return refused
    if not member.in_good_standing:
        flash(_("Only a member in good standing can get a code."), "error")
        return redirect(url_for(".detail", member_id=member.id))
    reset = open_request(member)
    db.session.flush()
    return _hand_over(reset)


def _hand_over(reset: ResetRequest):
    code = service.hand_over_code(reset, current_user.id)
    pad = seal_code(reset, code)
    db.session.commit()
    member = reset.member
    send_text(member.phone, _("Party member handbook: your one-time code is %(code)s. It works once, "
                              "within %(hours)s hours.", code=code, hours=_code_hours()))
    session[SHOWN_CODE] = {"request": reset.id, "pad": pad}
    return redirect(url_for(".code", request_id=reset.id))


def _code_hours() -> int:
    return current_app.config["RESET_CODE_HOURS"]


@bp.get("/resets/<int:request_id>/code")
@login_required
def code(request_id: int):
    """Show the code once, large, to read out to the member in person or over the phone."""
    reset = get_scoped(ResetRequest, request_id, current_user, "accounts.reset")
    if (refused := _outranked(reset.member, "accounts.reset")) is not None:
        return refused
    shown = session.pop(SHOWN_CODE, None) or {}
    code = None
    if shown.get("request") == reset.id:  # shown once: the row forgets it, a replayed cookie finds nothing
        code = reveal_code(reset, shown.get("pad"))
        db.session.commit()
    return render("members/code.html", reset=reset, member=reset.member, hours=_code_hours(),
                  code=f"{code[:4]} {code[4:]}" if code else None, form=CodeForm(), private=True)
