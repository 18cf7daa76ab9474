"""core.api.granted_org_ids: the organisations *at* which a user holds a permission, without the
subtrees below them (scope_ids): the levels a person works at."""
from __future__ import annotations

from sqlalchemy import select

from core.api import granted_org_ids, scope_ids
from core.auth.models import User
from core.extensions import db
from core.org.models import Organisation


def _user(accounts, role):
    return db.session.scalar(select(User).where(User.login == accounts[role]["login"]))


def _org(accounts, role):
    return db.session.scalar(select(Organisation.id).where(Organisation.name == accounts[role]["org"]))


def test_the_levels_a_person_works_at_not_the_subtree(app, accounts):
    with app.app_context():
        admin = _user(accounts, "grassroots_admin")
        assert granted_org_ids(admin, "members.view") == [_org(accounts, "grassroots_admin")]
        below = set(db.session.scalars(scope_ids(admin, "members.view")))
        assert _org(accounts, "secretary") in below and len(below) > 1
        assert granted_org_ids(_user(accounts, "secretary"), "members.view") == [_org(accounts, "secretary")]
        assert granted_org_ids(_user(accounts, "secretary"), "members.import") == []  # admins only
        assert granted_org_ids(_user(accounts, "member"), "members.view") == []
        assert granted_org_ids(_user(accounts, "family_helper"), "members.view") == []
