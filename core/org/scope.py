"""The one scoping helper: what a user may see or change in the organisation tree.

Every query for members, meetings, documents, answers and reports goes through `scope_ids`
(or `can`), so a role never reaches above or beside its own subtree."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import exists, or_, select

from core.collation import by_name
from core.extensions import db
from core.org.models import OrgClosure

ADMIN = "admin"
SECRETARY = "secretary"
ROLES = (ADMIN, SECRETARY)
# The largest id an Integer column holds: a larger number (typed into a link) names nothing, and
# SQLite cannot even bind one above 2**63.
MAX_ID = 2 ** 31 - 1


def is_id(value) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


@dataclass(frozen=True)
class Role:
    """A role an administrator grants over an organisation's subtree: the core's (administrator,
    branch secretary) or a plugin's ("quizzes.organiser"). `levels` are the levels of the tree
    where it may be held (empty: any)."""

    name: str
    title: str  # or a lazy translation
    levels: tuple[str, ...] = ()

    def allowed_at(self, level: str) -> bool:
        return not self.levels or level in self.levels


def core_roles() -> list[Role]:
    from flask_babel import lazy_gettext as _l

    return [Role(ADMIN, _l("Administrator")), Role(SECRETARY, _l("Branch secretary"), ("branch",))]


def declared_roles() -> dict[str, Role]:
    """Every role this deployment knows (the core's and the loaded plugins'), by name."""
    from core.plugins import host

    return host(current_app).roles


def role_title(name: str) -> str:
    """A role's title in the reader's language (its name when it is no longer declared)."""
    found = declared_roles().get(name)
    return str(found.title) if found else name


@dataclass(frozen=True)
class Permission:
    """A named right, granted to roles over their subtree (`top_only`: only a province's)."""

    name: str
    title: str
    roles: tuple[str, ...]
    top_only: bool = False


def core_permissions() -> list[Permission]:
    from flask_babel import lazy_gettext as _l

    return [
        Permission("members.view", _l("See the members of the organisation"), (ADMIN, SECRETARY)),
        Permission("members.manage", _l("Add, edit and transfer members"), (ADMIN, SECRETARY)),
        Permission("members.import", _l("Import members from the party-member database"), (ADMIN,)),
        Permission("accounts.reset", _l("Give members one-time codes for a new password"),
                   (ADMIN, SECRETARY)),
        Permission("orgs.manage", _l("Create, rename, merge and move organisations"), (ADMIN,)),
        Permission("roles.delegate", _l("Appoint administrators and secretaries"), (ADMIN,)),
        Permission("plugins.manage", _l("Turn features on or off for the province"), (ADMIN,),
                   top_only=True),
        Permission("audit.view", _l("Read the audit log"), (ADMIN,)),
        Permission("settings.manage", _l("Change the settings of the organisation and below"), (ADMIN,)),
        Permission("content.publish", _l("Publish news, documents and announcements"),
                   (ADMIN, SECRETARY)),
    ]


def permission(name: str) -> Permission:
    """Look a permission up by name among the core's and the plugins' declarations."""
    from core.plugins import host

    try:
        return host(current_app).permissions[name]
    except KeyError:
        raise LookupError(f"unknown permission {name!r}") from None


def granted_org_ids(user, name: str) -> list[int]:
    """The organisations at which `user` holds a role granting permission `name`."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_helper:
        return []
    perm = permission(name)
    return [ra.org_id for ra in user.roles if ra.role in perm.roles
            and (not perm.top_only or ra.org.level == "province")]


def scope_ids(user, name: str):
    """A subquery of every organisation id where `user` has permission `name`."""
    return select(OrgClosure.descendant_id).where(
        OrgClosure.ancestor_id.in_(granted_org_ids(user, name)))


def can(user, name: str, org_id: int | None) -> bool:
    """May `user` use permission `name` on organisation `org_id`?"""
    granted = granted_org_ids(user, name)
    if not granted or not is_id(org_id):
        return False
    return bool(db.session.scalar(select(exists().where(
        OrgClosure.descendant_id == org_id, OrgClosure.ancestor_id.in_(granted)))))


def require(user, name: str, org_id: int | None) -> None:
    """Answer 404 (and audit the refusal) unless `user` may use `name` on `org_id`."""
    if not can(user, name, org_id):
        refuse(f"{name}:{org_id}")


def refuse(target: str):
    """Refuse access as if the object did not exist, and record the attempt.

    What the request wrote before it was refused is rolled back first (and the events and jobs
    it recorded with it): only the audit entry is committed."""
    from core.audit import audit

    db.session.rollback()
    audit("access.refused", target)
    db.session.commit()
    abort(404)


def get_scoped(model, object_id, user, name: str, org_attr: str = "org_id", *, home: bool = False):
    """Fetch `model` by id only if it lies inside the user's scope for `name` (with `home`, or
    belongs to the user's own branch, as a member reads it); else 404."""
    column = getattr(model, org_attr)
    if not is_id(object_id):
        refuse(f"{model.__tablename__}:{object_id}")
    allowed = column.in_(scope_ids(user, name))
    if home and home_of(user) is not None:
        allowed = or_(allowed, column == home_of(user))
    obj = db.session.scalar(select(model).where(model.id == object_id, allowed))
    if obj is None:
        refuse(f"{model.__tablename__}:{object_id}")
    return obj


def has_any(user, name: str) -> bool:
    """Does `user` hold `name` anywhere (to show a menu entry)?"""
    return bool(granted_org_ids(user, name))


# Acting on an account (and on a member record carrying accounts) also needs rank: core/org/rank.py.
from core.org.rank import members_not_outranked, outranks, refusal_message, users_not_outranked  # noqa: E402,F401


# --- what a member sees ---------------------------------------------------------------------
# A member (and a family helper, who reads for one) sees what their own branch and every level
# above it publishes, and the members of their own branch: never a sibling branch's things.

def home_of(user) -> int | None:
    """The branch whose life `user` follows (own, or the helped member's); None if anonymous."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.home_org_id


def publishing_ids(user):
    """A subquery of the organisations whose publications reach `user`: their branch and every
    level above it (empty when anonymous or without a branch)."""
    from core.org.tree import ancestor_ids

    home = home_of(user)
    if home is None:
        return select(OrgClosure.ancestor_id).where(False)
    return ancestor_ids(home)


def sees(user, org_id: int | None) -> bool:
    """Does what `org_id` publishes reach `user` (their branch or a level above it)?"""
    home = home_of(user)
    if home is None or not is_id(org_id):
        return False
    return db.session.get(OrgClosure, (org_id, home)) is not None


def get_visible(model, object_id, user, org_attr: str = "org_id"):
    """Fetch `model` by id only if it belongs to `user`'s branch or a level above it; else 404."""
    column = getattr(model, org_attr)
    if not is_id(object_id):
        refuse(f"{model.__tablename__}:{object_id}")
    obj = db.session.scalar(select(model).where(model.id == object_id, column.in_(publishing_ids(user))))
    if obj is None:
        refuse(f"{model.__tablename__}:{object_id}")
    return obj


def branch_mates(user):
    """The statement of the members in good standing of `user`'s own branch, by name."""
    from core.org.models import IN_GOOD_STANDING, Member

    home = home_of(user)
    return (select(Member).where(Member.org_id == home, Member.status.in_(IN_GOOD_STANDING))
            .order_by(by_name(Member.full_name), Member.id))
