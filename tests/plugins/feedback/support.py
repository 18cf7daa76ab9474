"""Helpers for the feedback plugin's tests: the app, the demo's people and organisations."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.auth.models import User
from core.extensions import db
from tests.plugins.support import org_named


def user_named(app, accounts, role: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == accounts[role]["login"]))
        db.session.expunge(user)
        return user


def org_id(app, accounts, role: str) -> int:
    return org_named(app, accounts[role]["org"]).id


def send(visitor, topic="Chế độ đảng viên miễn sinh hoạt", text="Tôi 75 tuổi, muốn hỏi thủ tục miễn sinh hoạt.",
         **extra) -> int:
    """A member sends a question through the form; returns its id."""
    response = visitor.submit("/feedback/new", {"kind": "question", "topic": topic, "text": text, **extra})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(re.search(r"/feedback/(\d+)$", response.location).group(1))


def forward(visitor, question_id: int, target: int, note: str = ""):
    return visitor.submit(f"/feedback/{question_id}/forward", {"target": str(target), "note": note},
                          form_page=f"/feedback/{question_id}")
