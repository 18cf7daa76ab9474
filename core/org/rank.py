"""Who outranks whom: acting on an account needs a place strictly above every role it holds.

A secretary can see the record of the province administrator who lives in the branch, but may
not give that record a code, close it or rename its login: that would take the account over.
So anything done to an account (or to a member record carrying accounts: the member's own and
their family helpers') is allowed only when every role those accounts hold lies strictly below
an organisation where the actor holds the permission. Re-exported by core.org.scope."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from core.extensions import db
from core.org.models import Level, OrgClosure, Organisation, RoleAssignment


def _unreached(granted: list[int]):
    """A condition on RoleAssignment: the role does not lie strictly below any of `granted`."""
    return ~exists().where(OrgClosure.descendant_id == RoleAssignment.org_id, OrgClosure.depth > 0,
                           OrgClosure.ancestor_id.in_(granted or [0]))


def members_not_outranked(actor, permission: str, member_ids) -> set[int]:
    """Those of `member_ids` whose accounts hold a role the actor does not outrank: one query."""
    from core.auth.models import User
    from core.org.scope import granted_org_ids

    ids = list({i for i in member_ids if i})
    if not ids:
        return set()
    holder = func.coalesce(User.member_id, User.helped_member_id)
    stmt = (select(holder).distinct().select_from(RoleAssignment)
            .join(User, User.id == RoleAssignment.user_id)
            .where(or_(User.member_id.in_(ids), User.helped_member_id.in_(ids)),
                   _unreached(granted_org_ids(actor, permission))))
    return set(db.session.scalars(stmt))


def outranks(actor, permission: str, *, member_id: int | None = None, user=None) -> bool:
    """May `actor` act on this member record (and its accounts), or on this account?

    True only when every role held by the target's accounts lies strictly below an organisation
    where the actor holds `permission`; a target holding no role is outranked by anyone who has
    it in scope (checked by the caller, as always). An account with a member record is judged
    with that record's accounts: its helpers' roles count too."""
    if user is not None and user.member_id:
        member_id = user.member_id
    if member_id is not None:
        return not members_not_outranked(actor, permission, [member_id])
    if user is None:
        raise ValueError("outranks() needs a member or a user")
    from core.org.scope import granted_org_ids

    return not db.session.scalar(select(exists().where(
        RoleAssignment.user_id == user.id, _unreached(granted_org_ids(actor, permission)))))


def users_not_outranked(actor, permission: str, user_ids) -> set[int]:
    """Those of `user_ids` that the actor does not outrank (for a page of roles): two queries."""
    from core.auth.models import User

    ids = list({i for i in user_ids if i})
    if not ids:
        return set()
    users = db.session.execute(select(User.id, User.member_id).where(User.id.in_(ids))).all()
    by_member = {member_id: user_id for user_id, member_id in users if member_id}
    refused = {by_member[m] for m in members_not_outranked(actor, permission, by_member)}
    from core.org.scope import granted_org_ids

    alone = [user_id for user_id, member_id in users if not member_id]
    if alone:
        refused |= set(db.session.scalars(select(RoleAssignment.user_id).distinct().where(
            RoleAssignment.user_id.in_(alone), _unreached(granted_org_ids(actor, permission)))))
    return refused


def refusal_message(*, member_id: int | None = None, user=None, login: str | None = None) -> str:
    """What the actor is told when the target outranks them; a province administrator's account
    is outranked by nobody in the app, so the message names the operator's commands."""
    from core.auth.models import User

    holders = select(User.id).where(or_(User.member_id == member_id, User.helped_member_id == member_id)) \
        if member_id is not None else select(User.id).where(User.id == user.id)
    at_top = db.session.scalar(select(exists().where(
        RoleAssignment.user_id.in_(holders), Organisation.id == RoleAssignment.org_id,
        Organisation.level == Level.PROVINCE.value)))
    message = _("This account holds a role at or above your level: this is done by the level above.")
    if at_top:
        message += " " + _("No one in the app is above a province administrator: the server's operator "
                           "gives a one-time code with “flask --app wsgi accounts code %(login)s”, or "
                           "clears a lost authenticator with “flask --app wsgi accounts "
                           "clear-second-factor %(login)s”.", login=login or "…")
    return message
