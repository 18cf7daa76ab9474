"""What a person does in the browser, in the words of the Vietnamese interface."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

LOGIN = "Số thẻ đảng viên hoặc số điện thoại"
PASSWORD = "Mật khẩu"
SIGN_IN = "Đăng nhập"
REMEMBER = "Ghi nhớ đăng nhập trên điện thoại này"
WRONG_PASSWORD = "Số thẻ/số điện thoại hoặc mật khẩu không đúng."
HOME_GREETING = "Xin chào đồng chí"


# Cache Storage as the page sees it: {cache name: [paths kept]}.
CACHES = """async () => {
    const kept = {};
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        kept[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
    }
    return kept;
}"""


def cached(page) -> dict[str, list[str]]:
    return page.evaluate(CACHES)


def is_static(path: str) -> bool:
    """What the service worker may keep (core/pwa.py): hashed static files, the offline page."""
    return path.startswith("/a/") or path == "/offline"


def at(path: str):
    """A wait_for_url predicate: the page shown is `path` (any query)."""
    return lambda url: urlsplit(url).path == path


def path_of(page) -> str:
    return urlsplit(page.url).path


def fill_login(page, login: str, password: str) -> None:
    page.get_by_label(LOGIN).fill(login)
    page.get_by_label(PASSWORD, exact=True).fill(password)


def sign_in(page, account: dict) -> None:
    """Open /login, type the account's card number and password, and reach the home page."""
    page.goto("/login")
    fill_login(page, account["login"], account["password"])
    page.get_by_role("button", name=SIGN_IN, exact=True).click()
    page.wait_for_url(at("/"))
    page.get_by_role("heading", name=re.compile(HOME_GREETING)).wait_for()


def member_name(app, login: str) -> str:
    """The full name the secretary sees for the member who signs in with `login`."""
    from core.auth.accounts import find_member
    from core.extensions import db

    with app.app_context():
        member = find_member(login)
        assert member is not None, f"no member in good standing signs in as {login}"
        name = member.full_name
        db.session.remove()
    return name


def count_members(app, card_number: str) -> int:
    from core.extensions import db
    from core.org.models import Member

    with app.app_context():
        found = len(db.session.scalars(select(Member.id).where(Member.card_number == card_number)).all())
        db.session.remove()
    return found
