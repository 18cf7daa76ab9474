"""The read-aloud form sent over 3G (tests/browser/test_weak_network.py collects WEAK_FORMS): the
member says which part they reached; sent again after a drop, one place is kept."""
from __future__ import annotations

import importlib
import re
import sys

from playwright.sync_api import expect
from sqlalchemy import func, select

_host = sys.modules.get("test_weak_network") or importlib.import_module("tests.browser.test_weak_network")
WeakForm, query = _host.WeakForm, _host.query


class RememberPart(WeakForm):
    """"Ghi nhớ chỗ đang nghe" on the listening page: the member's place, kept once."""

    name, role = "listening position", "member"

    def open(self, page):
        from tests.plugins.readaloud.support import published
        from tests.support import Visitor

        secretary = Visitor(self.app.test_client())
        secretary.login(self.accounts["secretary"])
        self.item = published(lambda role: secretary, body="<p>Đoạn một.</p>" + "<p>Đoạn hai dài hơn.</p>" * 90)
        self.path = f"/readaloud/{self.item}/position"
        page.goto(f"/readaloud/{self.item}")

    def fill(self, page):
        page.get_by_label("Đồng chí đã nghe đến").select_option("2")
        return {}

    def kept(self, page):
        expect(page.get_by_label("Đồng chí đã nghe đến")).to_have_value("2")

    def press(self, page):
        page.get_by_role("button", name="Ghi nhớ chỗ đang nghe").click()

    def saved(self):
        from core.auth.models import User
        from plugins.readaloud.models import ReadaloudPosition

        return query(self.app, select(func.count()).select_from(ReadaloudPosition).join(
            User, User.id == ReadaloudPosition.user_id).where(
            User.login == self.accounts["member"]["login"], ReadaloudPosition.item_id == self.item,
            ReadaloudPosition.number == 1))

    def shows_result(self, page):
        expect(page.get_by_text("Đã ghi nhớ: đồng chí đang nghe đến phần 2.")).to_be_visible()
        assert re.search(rf"/readaloud/{self.item}", page.url)


WEAK_FORMS: list = [RememberPart]
