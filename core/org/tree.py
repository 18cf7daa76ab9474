"""Changes to the organisation tree, keeping the closure table exact; each tells the plugins
(OrgMoved, OrgsMerged) once the caller commits."""
from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from core.auth.models import ResetRequest
from core.collation import by_name
from core.events import OrgMoved, OrgsMerged, emit
from core.extensions import db
from core.localtime import today_local
from core.org.models import CHILD_LEVELS, Level, Member, MemberEvent, OrgClosure, Organisation, RoleAssignment
from core.text import fold


class TreeError(ValueError):
    """A change the tree cannot take; the message (translatable) is shown to the user."""


NOT_AT_TOP = _l("Only a provincial Party committee can stand at the top of the tree.")
LEVEL_NOT_ALLOWED = _l("This kind of organisation cannot be placed there.")
INTO_ITSELF = _l("An organisation cannot be moved into itself or one of its own units.")
SAME_NAME = _l("There is already an organisation of this name here: please choose another name.")


class DuplicateName(TreeError):
    """A sibling (or, at the top, another province) already bears the name."""
OTHER_PROVINCE = _l("An organisation cannot be moved to another province.")
MERGE_LEVELS = _l("Only two different organisations of the same level can be merged.")
log = logging.getLogger(__name__)


def name_matches(text: str):
    """A condition on Organisation for a name as people type part of it ("đồng tâm", "Đồng
    Tâm"), wildcards in it taken literally. The one organisation-name search of the app."""
    text = " ".join((text or "").split())
    variants = {text, text.lower(), text.title(), text.upper()}
    return or_(*[Organisation.name.contains(v, autoescape=True) for v in variants],
               func.lower(Organisation.name).contains(text.lower(), autoescape=True))


def subtree_ids(org_id: int):
    """A subquery of every organisation under `org_id`, itself included: one indexed query."""
    return select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == org_id)


def ancestor_ids(org_id: int):
    """A subquery of `org_id` and every organisation above it."""
    return select(OrgClosure.ancestor_id).where(OrgClosure.descendant_id == org_id)


def ancestors(org: Organisation) -> list[Organisation]:
    """The path from the province down to `org`, itself included."""
    stmt = (select(Organisation).join(OrgClosure, OrgClosure.ancestor_id == Organisation.id)
            .where(OrgClosure.descendant_id == org.id).order_by(OrgClosure.depth.desc()))
    return list(db.session.scalars(stmt))


def level_above(org: Organisation) -> Organisation | None:
    """The organisation one level up (the one a question or report goes to next)."""
    return org.parent


def children(org: Organisation) -> list[Organisation]:
    stmt = select(Organisation).where(Organisation.parent_id == org.id, Organisation.active.is_(True))
    return list(db.session.scalars(stmt.order_by(by_name(Organisation.name))))


def create_org(name: str, level: Level | str, parent: Organisation | None) -> Organisation:
    """Add an organisation under `parent` (None for a province)."""
    level = Level(level)
    if parent is None and level is not Level.PROVINCE:
        raise TreeError(NOT_AT_TOP)
    if parent is not None and level not in CHILD_LEVELS[Level(parent.level)]:
        raise TreeError(LEVEL_NOT_ALLOWED)
    name = " ".join(name.split())
    siblings = select(Organisation.name).where(
        Organisation.parent_id == parent.id if parent is not None else Organisation.parent_id.is_(None))
    if any(fold(other) == fold(name) for other in db.session.scalars(siblings)):
        raise DuplicateName(SAME_NAME)
    org = Organisation(name=name, level=level.value, parent_id=parent.id if parent else None)
    db.session.add(org)
    db.session.flush()
    org.province_id = parent.province_id if parent else org.id
    rows = [{"ancestor_id": org.id, "descendant_id": org.id, "depth": 0}]
    if parent is not None:
        for ancestor_id, depth in db.session.execute(
                select(OrgClosure.ancestor_id, OrgClosure.depth).where(OrgClosure.descendant_id == parent.id)):
            rows.append({"ancestor_id": ancestor_id, "descendant_id": org.id, "depth": depth + 1})
    db.session.execute(insert(OrgClosure), rows)
    return org


def is_within(org_id: int, ancestor_id: int) -> bool:
    """True when `org_id` lies in the subtree of `ancestor_id` (itself included)."""
    return db.session.get(OrgClosure, (ancestor_id, org_id)) is not None


def move_org(org: Organisation, new_parent: Organisation, by_user_id: int | None = None) -> None:
    """Move `org` and its whole subtree under `new_parent` in the same province."""
    if Level(org.level) not in CHILD_LEVELS[Level(new_parent.level)]:
        raise TreeError(LEVEL_NOT_ALLOWED)
    if is_within(new_parent.id, org.id):
        raise TreeError(INTO_ITSELF)
    if new_parent.province_id != org.province_id:
        raise TreeError(OTHER_PROVINCE)
    subtree = select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == org.id).scalar_subquery()
    old_above = select(OrgClosure.ancestor_id).where(
        OrgClosure.descendant_id == org.id, OrgClosure.depth > 0).scalar_subquery()
    db.session.execute(delete(OrgClosure).where(
        OrgClosure.descendant_id.in_(subtree), OrgClosure.ancestor_id.in_(old_above)))
    above = db.session.execute(select(OrgClosure.ancestor_id, OrgClosure.depth)
                               .where(OrgClosure.descendant_id == new_parent.id)).all()
    below = db.session.execute(select(OrgClosure.descendant_id, OrgClosure.depth)
                               .where(OrgClosure.ancestor_id == org.id)).all()
    db.session.execute(insert(OrgClosure), [
        {"ancestor_id": a, "descendant_id": d, "depth": da + db_ + 1}
        for a, da in above for d, db_ in below])
    emit(OrgMoved(org.province_id, by_user_id, org.id, org.parent_id, new_parent.id))
    org.parent_id = new_parent.id


def merge_orgs(source: Organisation, target: Organisation, by_user_id: int | None) -> int:
    """Fold `source` into `target` (same level): its units, members and roles move, the plugins
    re-point their rows (`org_merging`); it is closed. Returns the number of members moved.

    A plugin that fails raises TreeError: the caller rolls the whole merge back."""
    if source.id == target.id or source.level != target.level:
        raise TreeError(MERGE_LEVELS)
    if source.province_id != target.province_id:
        raise TreeError(OTHER_PROVINCE)
    for child in children(source):
        move_org(child, target, by_user_id)
    members = list(db.session.scalars(select(Member).where(Member.org_id == source.id)))
    today = today_local(source.province_id)
    for member in members:
        db.session.add(MemberEvent(member_id=member.id, kind="transfer", on_date=today,
                                   from_org_id=source.id, to_org_id=target.id, by_user_id=by_user_id,
                                   note="merge"))
        member.org_id = target.id
    # A role already held at the target would collide with the unique (user, org, role): drop
    # the source's copy first, then move the rest.
    db.session.flush()
    same = aliased(RoleAssignment)
    db.session.execute(delete(RoleAssignment).where(
        RoleAssignment.org_id == source.id,
        exists().where(and_(same.org_id == target.id, same.user_id == RoleAssignment.user_id,
                            same.role == RoleAssignment.role)))
        .execution_options(synchronize_session=False))
    db.session.execute(update(RoleAssignment).where(RoleAssignment.org_id == source.id)
                       .values(org_id=target.id).execution_options(synchronize_session=False))
    # Password requests waiting at the closed unit go to the secretary of the merged one.
    db.session.execute(update(ResetRequest).where(ResetRequest.org_id == source.id)
                       .values(org_id=target.id).execution_options(synchronize_session=False))
    _plugins_re_point(source, target)
    # The bulk statements bypassed loaded objects (a user's roles); everything was flushed above.
    db.session.expire_all()
    source.active = False
    emit(OrgsMerged(source.province_id, by_user_id, source.id, target.id, len(members)))
    return len(members)


def _plugins_re_point(source: Organisation, target: Organisation) -> None:
    """Each plugin enabled for the province moves its rows to the merged organisation, in this
    transaction; the first that fails stops the merge with its name."""
    from core.plugins import host

    kwargs = {"source_id": source.id, "target_id": target.id}
    for impl in host().hook("org_merging", source.province_id).get_hookimpls():
        try:
            impl.function(*[kwargs[arg] for arg in impl.argnames])
        except Exception as exc:
            log.exception("org_merging of %s failed (%s into %s)", impl.plugin_name, source.id, target.id)
            info = host().plugins.get(impl.plugin_name)
            raise TreeError(_l("“%(feature)s” could not move its records to the merged organisation, "
                               "so nothing was merged. Please try again later, or tell the "
                               "technical staff.", feature=info.title if info else impl.plugin_name)) from exc
        db.session.flush()
