"""The account's device list reads like the phones in the member's hand: names a person
recognises (ua-parser), Vietnam's local time, one row per device however often it signed in,
and ended sessions pruned when a new one starts."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from core.auth.device_names import describe
from core.auth.models import User, UserSession
from core.extensions import db
from tests.support import Visitor

PHONE = ("Mozilla/5.0 (Linux; Android 10; SM-A107F) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Mobile Safari/537.36")
LAPTOP = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")


def on(app, agent: str) -> Visitor:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    return Visitor(client)


def sessions_of(app, login: str) -> list[UserSession]:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.login == login))
        rows = list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def test_readable_names():
    assert describe(PHONE) == "Samsung SM-A107F · Chrome Mobile 120 · Android 10"
    assert describe(LAPTOP) == "Chrome 120 · Windows 10"
    assert describe("") == "" and describe(None) == ""


def test_one_row_per_device_in_local_time_and_ended_sessions_pruned(app, accounts):
    account = accounts["member"]
    phone = on(app, PHONE)
    for _ in range(3):  # signed in and out on the phone, three times
        phone.login(account)
        phone.logout()
    laptop = on(app, LAPTOP)
    laptop.login(account)
    phone.login(account)
    other_tab = on(app, PHONE)
    other_tab.login(account)  # the same phone, a second browser session
    rows = sessions_of(app, account["login"])
    assert all(row.revoked_at is None for row in rows), "ended sessions are pruned at sign-in"
    assert len(rows) == 3
    page = phone.text("/account")
    devices = re.search(r"<ul class=\"devices\">(.*?)</ul>", page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", devices, re.S)
    assert len(items) == 2, items  # the phone once, the laptop once
    assert "Samsung SM-A107F · Chrome Mobile 120 · Android 10" in items[0] and "thiết bị này" in items[0]
    assert "Chrome 120 · Windows 10" in items[1]
    assert "Mozilla/5.0" not in page
    # Vietnam's time (UTC+7), not the server's UTC.
    with app.app_context():
        newest = db.session.scalar(select(func.max(UserSession.last_seen_at)))
        db.session.remove()
    local = (newest.hour + 7) % 24
    assert re.search(rf"\b{local:02d}:{newest.minute:02d}\b", items[0]), (items[0], newest)
