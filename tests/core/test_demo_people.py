"""core.api.demo_people: thousands of demo accounts in bulk, each signing in with the password given."""
from __future__ import annotations

from sqlalchemy import func, select

from core.api import demo_people
from core.auth.models import User
from core.extensions import db
from core.org.models import Member, Organisation
from tests.support import Visitor


def test_demo_people_sign_in_and_belong_to_the_branches_given(app, accounts):
    with app.app_context():
        branches = list(db.session.scalars(select(Organisation.id).where(Organisation.level == "branch").limit(3)))
        people = demo_people(branches, 30, password="mật khẩu thử tải")
        db.session.commit()
        assert len(people) == 30 and len({p["login"] for p in people}) == 30
        members = db.session.scalars(select(Member).join(User, User.member_id == Member.id).where(
            User.id.in_([p["user_id"] for p in people])))
        assert {m.org_id for m in members} == set(branches)
        assert db.session.scalar(select(func.count(User.id)).where(User.login == people[7]["login"])) == 1
    visitor = Visitor(app.test_client())
    visitor.login({"login": people[7]["login"], "password": "mật khẩu thử tải"})
    assert "Xin chào" in visitor.text("/")
