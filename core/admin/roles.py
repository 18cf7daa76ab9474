"""Appointing and removing administrators and secretaries inside the administrator's subtree."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from core.admin.forms import GrantForm
from core.admin.views import bp, own_orgs, scoped_org, strictly_below_own
from core.audit import audit
from core.events import RoleGranted, RoleRevoked, emit
from core.auth import second_factor
from core.auth.accounts import account_for, find_member, find_user
from core.auth.models import User
from core.auth.sessions import end_all_sessions
from core.extensions import db
from core.org.models import Organisation, RoleAssignment
from core.org.scope import (ADMIN, SECRETARY, declared_roles, get_scoped, outranks, refusal_message,
                            role_title, scope_ids, users_not_outranked)
from core.org.tree import name_matches, subtree_ids
from core.web import already_done, commit_keyed, new_idempotency_key, paginate, render

PERM = "roles.delegate"


def in_scope(org_id: int | None) -> bool:
    return org_id is not None and bool(db.session.scalar(select(exists().where(
        Organisation.id == org_id, Organisation.id.in_(scope_ids(current_user, PERM))))))


def find_person(login: str, org: Organisation) -> User | None:
    """A member in good standing inside the administrator's subtree (an account is made for
    them if they never signed in), or a staff-only account already serving in this province."""
    member = find_member(login)
    if member is not None and in_scope(member.org_id):
        user = account_for(member)
        return user if user.is_enabled else None
    user = find_user(login)
    if user is None or user.is_helper or not user.is_enabled:
        return None
    if user.member is not None:
        return user if user.member.in_good_standing and in_scope(user.member.org_id) else None
    return user if any(ra.org.province_id == org.province_id for ra in user.roles) else None


def _peer_admin(ra: RoleAssignment, below: set[int]) -> bool:
    """Is this an administrator role at the user's own level that the user did not grant?
    Only the level above, or whoever appointed them, acts on such a role."""
    return ra.role == ADMIN and ra.org_id not in below and ra.granted_by_id != current_user.id


def revoke_problem(ra: RoleAssignment, below: set[int]) -> str | None:
    """Why the user may not remove this role, or None."""
    if ra.role == ADMIN and ra.user_id == current_user.id:
        return _("You cannot remove your own administrator role: ask the level above.")
    if _peer_admin(ra, below):
        return _("An administrator at your own level is removed by the level above, "
                 "or by whoever appointed them.")
    return None


def own_factor(ra: RoleAssignment) -> str | None:
    """Why the user may not clear this second factor here: it is their own."""
    if ra.user_id == current_user.id:
        return _("You turn off your own second factor on your account page.")
    return None




def roles_page(org: Organisation | None, status: int = 200):
    stmt = (select(RoleAssignment).join(Organisation, Organisation.id == RoleAssignment.org_id)
            .where(RoleAssignment.org_id.in_(scope_ids(current_user, PERM)),
                   Organisation.active.is_(True)))
    if org is not None:
        stmt = stmt.where(RoleAssignment.org_id.in_(subtree_ids(org.id)))
    page = paginate(stmt.order_by(Organisation.name, RoleAssignment.role, RoleAssignment.id)
                    .options(selectinload(RoleAssignment.org)))
    people = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({ra.user_id for ra in page.items})))}
    below = strictly_below_own({ra.org_id for ra in page.items}, PERM)
    problems = {ra.id: revoke_problem(ra, below) for ra in page.items}
    # The second factor is judged on the person (all their roles), not on the one row.
    above = users_not_outranked(current_user, PERM, [u.id for u in people.values() if u.totp_secret])
    clearable = {ra.id for ra in page.items if people[ra.user_id].totp_secret
                 and ra.user_id not in above and own_factor(ra) is None}
    return render("admin/roles.html", page=page, people=people, org=org, problems=problems,
                  clearable=clearable, role_title=role_title, status=status, private=True)


@bp.get("/roles")
@login_required
def roles():
    """Administrators and secretaries appointed in the subtree, optionally under one organisation."""
    own_orgs(PERM)
    within = request.args.get("org", type=int)
    return roles_page(scoped_org(within, PERM) if within else None)


def role_choices(org: Organisation | None) -> list[tuple[str, str]]:
    """The roles an administrator may grant: the core's and those of the plugins enabled in the
    province, the ones held at this organisation's level first."""
    from core.plugins import host

    on = host().enabled(org.province_id) if org is not None else set()
    offered = [role for role in declared_roles().values()
               if role.name in (ADMIN, SECRETARY) or role.name.split(".", 1)[0] in on]
    offered.sort(key=lambda role: (org is not None and not role.allowed_at(org.level),
                                   role.name not in (ADMIN, SECRETARY)))
    return [(role.name, str(role.title)) for role in offered]


def grant_page(org: Organisation | None, form: GrantForm, key: str, status: int = 200):
    q = (request.args.get("q") or "").strip()[:100]
    places = None
    if org is None:
        stmt = select(Organisation).where(Organisation.id.in_(scope_ids(current_user, PERM)),
                                          Organisation.active.is_(True))
        if q:
            stmt = stmt.where(name_matches(q))
        places = paginate(stmt.order_by(Organisation.name, Organisation.id))
    return render("admin/role_new.html", org=org, form=form, key=key, places=places, q=q,
                  status=status, private=True)


@bp.route("/roles/new", methods=["GET", "POST"])
@login_required
def grant():
    """Appoint a member as administrator of an organisation, or secretary of a branch."""
    own_orgs(PERM)
    form = GrantForm()
    if request.method == "GET":
        org_id = request.args.get("org", type=int)
        org = scoped_org(org_id, PERM) if org_id else None
        form.role.choices = role_choices(org)
        if org is not None:
            form.org_id.data = org.id
            form.role.data = SECRETARY if org.is_branch else ADMIN
        return grant_page(org, form, new_idempotency_key())
    key = request.form.get("idempotency_key")
    done = already_done(key)
    if done:
        return done
    org_id = str(form.org_id.data or "")
    org = scoped_org(int(org_id) if org_id.isascii() and org_id.isdigit() else 0, PERM)
    form.role.choices = role_choices(org)
    if not form.validate():
        return grant_page(org, form, key, status=400)
    if form.role.data == SECRETARY and not org.is_branch:
        form.role.errors = [_("A secretary is appointed on a Party branch (chi bộ); "
                              "choose “Administrator” for this organisation.")]
        return grant_page(org, form, key, status=400)
    if not declared_roles()[form.role.data].allowed_at(org.level):
        form.role.errors = [_("This role is not held at this level of the organisation.")]
        return grant_page(org, form, key, status=400)
    person = find_person(form.login.data, org)
    if person is None:
        form.login.errors = [_("No Party member with this card number or phone was found in "
                               "your organisations.")]
        return grant_page(org, form, key, status=400)
    if person.id == current_user.id:
        form.login.errors = [_("You cannot appoint yourself.")]
        return grant_page(org, form, key, status=400)
    if not outranks(current_user, PERM, user=person):
        # Appointing a superior inside one's subtree would hand over the roles page's powers
        # (clearing their second factor, ending their sessions) over them.
        db.session.rollback()  # find_person may have made an account for the member
        form.login.errors = [refusal_message(user=person, login=form.login.data)]
        audit("access.outranked", f"user:{person.id}", endpoint=request.endpoint)
        db.session.commit()
        return grant_page(org, form, key, status=403)
    held = db.session.scalar(select(exists().where(
        RoleAssignment.user_id == person.id, RoleAssignment.org_id == org.id,
        RoleAssignment.role == form.role.data)))
    if held:
        form.login.errors = [_("Comrade %(name)s already holds this role here.",
                               name=person.display_name)]
        return grant_page(org, form, key, status=400)
    db.session.add(RoleAssignment(user_id=person.id, org_id=org.id, role=form.role.data,
                                  granted_by_id=current_user.id))
    audit("role.granted", f"user:{person.id}", org=org.id, role=form.role.data)
    emit(RoleGranted(org.province_id, current_user.id, person.id, org.id, form.role.data))
    if (earlier := commit_keyed(key, url_for("admin.roles", org=org.id))) is not None:
        return earlier
    flash(_("Comrade %(name)s is now %(role)s of %(org)s.", name=person.display_name,
            role=role_title(form.role.data), org=org.name), "success")
    if not person.password_hash:
        flash(_("This comrade has no password yet: they ask for a one-time code with “Forgot "
                "password” and get it from their branch secretary."), "success")
    return redirect(url_for("admin.roles", org=org.id))


@bp.post("/roles/<int:ra_id>/revoke")
@login_required
def revoke(ra_id: int):
    """Take a role away from someone in the subtree."""
    ra = get_scoped(RoleAssignment, ra_id, current_user, PERM)
    problem = revoke_problem(ra, strictly_below_own([ra.org_id], PERM))
    if problem:
        flash(problem, "error")
        return roles_page(ra.org, status=400)
    org_id, done = ra.org_id, _("Comrade %(name)s is no longer %(role)s of %(org)s.",
                                name=db.session.get(User, ra.user_id).display_name,
                                role=role_title(ra.role), org=ra.org.name)
    audit("role.revoked", f"user:{ra.user_id}", org=ra.org_id, role=ra.role)
    emit(RoleRevoked(ra.org.province_id, current_user.id, ra.user_id, ra.org_id, ra.role))
    db.session.delete(ra)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("admin.roles", org=org_id))


@bp.post("/roles/<int:ra_id>/second-factor")
@login_required
def clear_second_factor(ra_id: int):
    """Someone in the subtree lost the phone with their authenticator: clear it, end their
    sessions; they sign in with their password and set up the new phone."""
    ra = get_scoped(RoleAssignment, ra_id, current_user, PERM)
    problem = own_factor(ra)
    if problem:  # no one outranks themselves: refused as the rank rule refuses
        flash(problem, "error")
        return roles_page(ra.org, status=403)
    person = db.session.get(User, ra.user_id)
    if not outranks(current_user, PERM, user=person):
        audit("access.outranked", f"user:{person.id}", endpoint=request.endpoint)
        db.session.commit()
        flash(refusal_message(user=person, login=person.login), "error")
        return roles_page(ra.org, status=403)
    if person.totp_secret:
        second_factor.clear(person)
        end_all_sessions(person.id)
        audit("second_factor.cleared", f"user:{person.id}", org=ra.org_id)
        db.session.commit()
    flash(_("Comrade %(name)s's authenticator is cleared and they are signed out everywhere: "
            "they sign in with their password and set up the new phone.",
            name=person.display_name), "success")
    return redirect(url_for("admin.roles", org=ra.org_id))
