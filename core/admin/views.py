"""Organisation, role and feature administration, each limited to the admin's own subtree.

The pages live in core/admin/orgs.py, roles.py and features.py; this module holds the
blueprint and what they share."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from core.collation import by_name
from core.extensions import db
from core.org.models import Level, OrgClosure, Organisation
from core.org.scope import get_scoped, granted_org_ids, refuse

bp = Blueprint("admin", __name__, url_prefix="/admin")

LEVEL_TITLES = {
    Level.PROVINCE.value: _l("Provincial Party committee"),
    Level.DISTRICT.value: _l("District-level Party committee"),
    Level.GRASSROOTS.value: _l("Grassroots Party organisation"),
    Level.SUBUNIT.value: _l("Sub-unit Party committee"),
    Level.BRANCH.value: _l("Party branch"),
}


@bp.context_processor
def _level_titles():
    return {"level_title": lambda level: LEVEL_TITLES.get(level, level)}


def scoped_org(org_id, perm: str) -> Organisation:
    """An active organisation inside the user's scope for `perm`; 404 otherwise."""
    org = get_scoped(Organisation, org_id, current_user, perm, org_attr="id")
    if not org.active:
        refuse(f"org:{org_id}")
    return org


def own_orgs(perm: str) -> list[Organisation]:
    """The active organisations at which the user holds `perm` (the tops of their scope)."""
    ids = granted_org_ids(current_user, perm)
    if not ids:
        refuse(perm)
    stmt = select(Organisation).where(Organisation.id.in_(ids), Organisation.active.is_(True))
    return list(db.session.scalars(stmt.order_by(by_name(Organisation.name))))


def strictly_below_own(org_ids, perm: str) -> set[int]:
    """Those of `org_ids` lying strictly under an organisation where the user holds `perm`.

    An administrator changes what is below them; their own organisation (and peers appointed
    at it by someone else) belong to the level above."""
    granted = granted_org_ids(current_user, perm)
    if not granted or not org_ids:
        return set()
    return set(db.session.scalars(select(OrgClosure.descendant_id).distinct().where(
        OrgClosure.descendant_id.in_(list(org_ids)), OrgClosure.depth > 0,
        OrgClosure.ancestor_id.in_(granted))))


from core.admin import features, orgs, roles, settings  # noqa: E402,F401  (their routes join bp)
