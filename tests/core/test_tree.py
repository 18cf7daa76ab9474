"""The closure table stays exactly what parent_id implies, through creates, moves and merges."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from core.org.models import Level, Member, MemberEvent, OrgClosure, Organisation, RoleAssignment
from core.org.tree import TreeError, create_org, merge_orgs, move_org, subtree_ids


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def recomputed() -> set[tuple[int, int, int]]:
    """(ancestor, descendant, depth) for every organisation, walking parent_id upwards."""
    parents = dict(db.session.execute(select(Organisation.id, Organisation.parent_id)).all())
    rows = set()
    for org_id in parents:
        node, depth = org_id, 0
        while node is not None:
            rows.add((node, org_id, depth))
            node, depth = parents[node], depth + 1
    return rows


def stored() -> set[tuple[int, int, int]]:
    db.session.flush()
    return set(db.session.execute(select(
        OrgClosure.ancestor_id, OrgClosure.descendant_id, OrgClosure.depth)).all())


def descendants(org_id: int) -> set[int]:
    return {d for a, d, _depth in recomputed() if a == org_id}


def assert_exact():
    assert stored() == recomputed()


def by_level(level: str, province_id: int | None = None) -> list[Organisation]:
    stmt = select(Organisation).where(Organisation.level == level, Organisation.active.is_(True))
    if province_id is not None:
        stmt = stmt.where(Organisation.province_id == province_id)
    return list(db.session.scalars(stmt.order_by(Organisation.id)))


def test_the_seeded_tree_is_exact(ctx):
    assert_exact()


def test_create_adds_the_paths_to_every_ancestor(ctx):
    province = by_level("province")[0]
    district = create_org("Đảng bộ huyện Mới", Level.DISTRICT, province)
    grassroots = create_org("Đảng bộ xã Mới", Level.GRASSROOTS, district)
    subunit = create_org("Đảng bộ bộ phận Mới", Level.SUBUNIT, grassroots)
    branch = create_org("Chi bộ Mới", Level.BRANCH, subunit)
    assert_exact()
    assert set(db.session.scalars(subtree_ids(district.id))) == {
        district.id, grassroots.id, subunit.id, branch.id}
    assert branch.province_id == province.id


def test_move_carries_the_whole_subtree(ctx):
    province = by_level("province")[0]
    first, second = by_level("district", province.id)[:2]
    grassroots = next(g for g in by_level("grassroots", province.id) if g.parent_id == first.id)
    under = set(db.session.scalars(subtree_ids(grassroots.id)))
    assert len(under) > 1
    move_org(grassroots, second)
    assert_exact()
    assert under <= set(db.session.scalars(subtree_ids(second.id)))
    assert not under & set(db.session.scalars(subtree_ids(first.id)))
    for org_id in (province.id, first.id, second.id, grassroots.id):
        assert set(db.session.scalars(subtree_ids(org_id))) == descendants(org_id)


def test_random_moves_keep_the_table_exact(ctx):
    rng = random.Random(3)
    province = by_level("province")[0]
    grassroots = by_level("grassroots", province.id)
    subunits = [create_org(f"Đảng bộ bộ phận {n}", Level.SUBUNIT, rng.choice(grassroots))
                for n in range(3)]
    for _ in range(25):
        org = rng.choice(by_level("branch", province.id) + subunits)
        places = grassroots + (subunits if org.level == "branch" else [])
        move_org(org, rng.choice(places))
    assert_exact()
    for org in [province] + grassroots + subunits:
        assert set(db.session.scalars(subtree_ids(org.id))) == descendants(org.id)


def test_merge_moves_units_members_and_roles(ctx):
    province = by_level("province")[0]
    source, target = by_level("grassroots", province.id)[:2]
    units = {o.id for o in by_level("branch") if o.parent_id == source.id}
    direct = create_org("Chi bộ trực thuộc", Level.BRANCH, source)
    units.add(direct.id)
    db.session.add(Member(org_id=source.id, full_name="Đảng viên trực thuộc đảng ủy"))
    moved = merge_orgs(source, target, by_user_id=None)
    assert_exact()
    assert moved == 1
    assert not source.active
    assert units <= {o.id for o in by_level("branch") if o.parent_id == target.id}
    assert units <= set(db.session.scalars(subtree_ids(target.id)))
    assert db.session.scalars(select(MemberEvent).where(
        MemberEvent.from_org_id == source.id, MemberEvent.to_org_id == target.id)).all()
    assert not db.session.scalars(select(RoleAssignment).where(
        RoleAssignment.org_id == source.id)).all()


def test_merge_drops_a_role_already_held_at_the_target(ctx):
    province = by_level("province")[0]
    source, target = by_level("grassroots", province.id)[:2]
    user = db.session.scalar(select(User).where(User.id.in_(
        select(RoleAssignment.user_id).where(RoleAssignment.org_id == source.id,
                                             RoleAssignment.role == "admin"))))
    db.session.add(RoleAssignment(user_id=user.id, org_id=target.id, role="admin"))
    db.session.add(RoleAssignment(user_id=user.id, org_id=source.id, role="secretary"))
    db.session.flush()
    merge_orgs(source, target, by_user_id=user.id)
    db.session.commit()
    held = sorted((ra.org_id, ra.role) for ra in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id)))
    assert held == [(target.id, "admin"), (target.id, "secretary")]


def test_the_tree_refuses_impossible_changes(ctx):
    province, other = by_level("province")[:2]
    branch = by_level("branch", province.id)[0]
    grassroots = db.session.get(Organisation, branch.parent_id)
    district = db.session.get(Organisation, grassroots.parent_id)
    other_grassroots = by_level("grassroots", other.id)[0]
    with pytest.raises(TreeError):
        create_org("Chi bộ mồ côi", Level.BRANCH, None)
    with pytest.raises(TreeError):
        create_org("Chi bộ dưới tỉnh", Level.BRANCH, province)
    with pytest.raises(TreeError):
        move_org(branch, other_grassroots)
    with pytest.raises(TreeError):
        move_org(district, district)
    with pytest.raises(TreeError):
        move_org(grassroots, province)
    with pytest.raises(TreeError):
        merge_orgs(branch, grassroots, None)
    with pytest.raises(TreeError):
        merge_orgs(branch, by_level("branch", other.id)[0], None)
    assert_exact()
