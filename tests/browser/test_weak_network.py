"""The main forms over Slow 3G with the connection dropped mid-submit, JavaScript on and off.

Each form is sent three times: the first post is lost on the way (the server never sees it), the
second reaches the server but its answer is lost, the third goes through. Afterwards the change
exists exactly once. With JavaScript on, a form sent by htmx keeps the page as typed and shows
the Vietnamese "weak network, press again" notice. A plain post (JavaScript off, or the member
import, plain by design) ends on the browser's own error page, whose reload sends the same post
again, what was typed and the chosen file included; when the cut connection was one Chromium had
kept open, Chromium sends the post again by itself, and the member sees the result at once.

test_network.py has the sign-in page over Slow 3G, a sign-in post lost on the way, and the held
button; this file runs every main form through both kinds of drop.

Plugins add their forms (meeting attendance, quiz answer, feedback, task report…): a
`weak_forms.py` in `tests/plugins/<name>/` or `plugins/<name>/tests/` with `WEAK_FORMS = [...]`
of `WeakForm` subclasses is picked up here (see `plugin_forms`)."""
from __future__ import annotations

import importlib
import re
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.steps import HOME_GREETING, SIGN_IN, at, count_members, sign_in
from tests.browser.test_network import NET_ERROR, SLOW_3G
from tests.core.test_attachments import PDF

ROOT = Path(__file__).resolve().parents[2]
SAVE = "main form[method=post] button[type=submit]"


def query(app, statement):
    """One scalar from the test's database."""
    from core.extensions import db

    with app.app_context():
        value = db.session.scalar(statement)
        db.session.remove()
    return value


class WeakForm:
    """A form a member sends over a weak line. Subclasses say where it is, what to type, and how
    to count what a successful send leaves in the database (0 before, 1 after)."""

    name = ""
    path = ""  # where the form is, and where it posts
    role: str | None = None  # who signs in first; None: nobody (login, forgotten password)
    htmx = True  # sent by htmx; False: a plain post by design
    each_send_saves = False  # True: every send that reaches the server leaves its own row
    # Also run with JavaScript off. Off, the browser itself sends the same post again (reload),
    # which reaches the same keyed code as the run with JavaScript on: worth it where the form
    # carries a file, signs in, or is the plugin's own.
    without_js = True
    button = SAVE

    def __init__(self, app, accounts, folder: Path):
        self.app, self.accounts, self.folder = app, accounts, folder
        self.unique = secrets.token_hex(3)

    def file(self, name: str, data: bytes) -> Path:
        """A file on disk, as the phone's file picker gives one (a reload sends it again; a
        file made in memory would be lost on the way)."""
        path = self.folder / name
        path.write_bytes(data)
        return path

    def open(self, page) -> None:
        page.goto(self.path)

    def typing(self) -> dict[str, str]:
        """{selector: text} typed into the form, which must survive a drop."""
        return {}

    def fill(self, page) -> dict[str, str]:
        """Type into the form (subclasses tick and choose the rest); returns what was typed."""
        typed = self.typing()
        for selector, value in typed.items():
            page.locator(selector).fill(value)
        return typed

    def posts_to(self, url: str) -> bool:
        """Is this the form's own post (and not, say, the page it leads to)?"""
        return urlsplit(url).path == self.path

    def saved(self) -> int:
        raise NotImplementedError

    def shows_result(self, page) -> None:
        """What the member sees once it went through."""
        raise NotImplementedError

    def press(self, page) -> None:
        page.locator(self.button).last.click()


class Login(WeakForm):
    """Each sign-in that reaches the server opens a session: the one whose answer was lost is
    never used (its cookie never arrived) and ends after SESSION_IDLE_HOURS; until then it is
    listed among the member's devices on /account."""

    name, path = "login", "/login"
    each_send_saves = True

    def typing(self):
        member = self.accounts["member"]
        return {"[name=login]": member["login"], "[name=password]": member["password"]}

    def press(self, page):
        page.get_by_role("button", name=SIGN_IN, exact=True).click()

    def saved(self):
        from core.auth.models import User, UserSession

        return query(self.app, select(func.count(UserSession.token)).join(User, User.id == UserSession.user_id)
                     .where(User.login == self.accounts["member"]["login"]))

    def shows_result(self, page):
        page.wait_for_url(at("/"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(HOME_GREETING)


class AddMember(WeakForm):
    name, path, role = "add member", "/members/new", "secretary"

    def typing(self):
        self.card = "97" + f"{secrets.randbelow(10**10):010d}"
        return {"[name=full_name]": f"Lò Thị Mẩy {self.unique}", "[name=card_number]": self.card,
                "[name=admission_date]": "1998-02-03", "[name=official_date]": "1999-02-03",
                "[name=notes]": "Nhà ở bản Mường Lìm, đường đi khó."}

    def fill(self, page):
        page.locator("input[name=kind][value=official]").check()
        return super().fill(page)

    def saved(self):
        return count_members(self.app, self.card)

    def shows_result(self, page):
        page.wait_for_url(re.compile(r"/members/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Lò Thị Mẩy {self.unique}")


class EditMember(WeakForm):
    """Saving the same correction twice changes nothing more: counted, the members of that name."""

    name, role, without_js = "edit member", "secretary", False

    def open(self, page):
        from core.org.models import Member, Organisation

        self.member_id = query(self.app, select(Member.id).join(Organisation).where(
            Organisation.name == self.accounts["secretary"]["org"]).order_by(Member.id.desc()).limit(1))
        self.path = f"/members/{self.member_id}/edit"
        super().open(page)

    def typing(self):
        return {"[name=full_name]": f"Hà Văn Sửa {self.unique}", "[name=notes]": "Đã chuyển về ở cùng con trai."}

    def saved(self):
        from core.org.models import Member

        return query(self.app, select(func.count(Member.id)).where(
            Member.full_name == f"Hà Văn Sửa {self.unique}"))

    def shows_result(self, page):
        page.wait_for_url(at(f"/members/{self.member_id}"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Hà Văn Sửa {self.unique}")


class PublishNews(WeakForm):
    name, path, role, without_js = "publish news", "/publish/new/news", "secretary", False
    headline = "Hội nghị sơ kết 6 tháng đầu năm"

    def typing(self):
        self.title = f"{self.headline} ({self.unique})"
        return {"[name=title]": self.title, "[name=summary]": "Đánh giá kết quả, bàn nhiệm vụ.",
                "[name=body]": "Sáng nay tại hội trường xã.\n\nĐồng chí Bí thư phát biểu."}

    def saved(self):
        from core.content.models import ContentItem

        return query(self.app, select(func.count(ContentItem.id)).where(ContentItem.title == self.title))

    def shows_result(self, page):
        page.wait_for_url(re.compile(r"/c/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(self.title)


class PublishDocument(PublishNews):
    """A document with its file: the file must come along when the post is sent again."""

    name, path, without_js = "publish document", "/publish/new/document", True
    headline = "Nghị quyết về chuyển đổi số"

    def typing(self):
        return {**super().typing(), "[name=number]": "57-NQ/TW"}

    def fill(self, page):
        page.locator("[name=files]").set_input_files(self.file("Nghị quyết.pdf", PDF))
        return super().fill(page)

    def shows_result(self, page):
        super().shows_result(page)
        expect(page.get_by_role("link", name="Nghị quyết.pdf")).to_have_count(1)

    def saved(self):
        from core.content.models import Attachment, ContentItem

        items = super().saved()
        files = query(self.app, select(func.count(Attachment.id)).join(ContentItem).where(
            ContentItem.title == self.title))
        assert files == items, f"{files} file(s) for {items} document(s)"
        return items


class Preferences(WeakForm):
    """Counted: the member's "announcements: off" choice."""

    name, path, role, without_js = "notification preferences", "/inbox/prefs", "member", False
    KIND = "Thông báo của cấp ủy"

    def fill(self, page):
        page.get_by_label(self.KIND).uncheck()
        return {}

    def saved(self):
        from core.auth.models import User
        from core.notify.models import NotificationPreference

        return query(self.app, select(func.count()).select_from(NotificationPreference).join(
            User, User.id == NotificationPreference.user_id).where(
            User.login == self.accounts["member"]["login"], NotificationPreference.kind == "announcement",
            NotificationPreference.enabled.is_(False)))

    def kept(self, page):
        expect(page.get_by_label(self.KIND)).not_to_be_checked()

    def shows_result(self, page):
        expect(page.get_by_text("Đã lưu lựa chọn của đồng chí.")).to_be_visible()
        self.kept(page)


class ForgotPassword(WeakForm):
    """Counted: the member's requests to their secretary."""

    name, path, without_js = "forgotten password", "/forgot", False

    def typing(self):
        return {"[name=login]": self.accounts["member_other_branch"]["login"]}

    def saved(self):
        from core.auth.accounts import find_member
        from core.auth.models import ResetRequest
        from core.extensions import db

        with self.app.app_context():
            member = find_member(self.accounts["member_other_branch"]["login"])
            count = db.session.scalar(select(func.count(ResetRequest.id)).where(
                ResetRequest.member_id == member.id))
            db.session.remove()
        return count

    def shows_result(self, page):
        page.wait_for_url(at("/forgot/sent"))


class ImportMembers(WeakForm):
    """An administrator uploads a member list, then confirms the import: two plain posts (a big
    file on 3G outlasts htmx's timeout). Counted: the imported members (all of them, or none)."""

    name, path, role, htmx = "member import", "/members/import/", "grassroots_admin", False

    def open(self, page):
        from tests.core.test_import import csv_bytes, person

        branch = self.accounts["secretary"]["org"]
        base = secrets.randbelow(10**5)
        self.cards = [f"86{base:05d}{n}" for n in range(3)]
        self.csv = self.file("danh-sach.csv", csv_bytes([
            person(n + 1, branch, card=card, name=f"Nguyễn Văn Nhập {self.unique} {n}")
            for n, card in enumerate(self.cards)]))
        super().open(page)

    def fill(self, page):
        page.locator("[name=file]").set_input_files(self.csv)
        return {}

    def posts_to(self, url):
        return urlsplit(url).path in (self.path, "/members/import/apply")

    def saved(self):
        from core.org.models import Member

        found = query(self.app, select(func.count(Member.id)).where(Member.card_number.in_(self.cards)))
        assert found in (0, len(self.cards)), f"{found} of {len(self.cards)} members imported"
        return found // len(self.cards)

    def shows_result(self, page):
        expect(page.get_by_role("heading", level=1)).to_have_text("Đã nhập xong")


CORE_FORMS = [Login, AddMember, EditMember, PublishNews, PublishDocument, Preferences, ForgotPassword]


def plugin_forms() -> list[type[WeakForm]]:
    """WEAK_FORMS from tests/plugins/<name>/weak_forms.py and plugins/<name>/tests/weak_forms.py."""
    found = []
    for path in sorted([*ROOT.glob("tests/plugins/*/weak_forms.py"), *ROOT.glob("plugins/*/tests/weak_forms.py")]):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found += importlib.import_module(module).WEAK_FORMS
    return found


FORMS = CORE_FORMS + plugin_forms()


class LoseAnswers:
    """Around the app (WSGI): a post the test arms runs in full, then the connection is cut
    before the answer leaves — the server did the work, the browser never hears of it (nor of
    its cookies).

    Every answer says "Connection: close", so an htmx post travels on a fresh connection: when the
    answer on a reused (or opened-ahead) connection is cut, Chromium quietly sends the post again
    itself — which the idempotency keys survive too, but the member would see no drop. A plain
    post may still go on a connection Chromium opened ahead (see drop_and_retry)."""

    def __init__(self, app, form: WeakForm):
        self.wsgi_app, self.form, self.armed, self.lost, self.reached = app.wsgi_app, form, False, [], 0
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        ours = environ["REQUEST_METHOD"] == "POST" and self.form.posts_to(environ["PATH_INFO"])
        self.reached += ours
        if not (self.armed and ours):
            return self.wsgi_app(environ, lambda status, headers, exc_info=None: start_response(
                status, [*headers, ("Connection", "close")], exc_info))
        self.armed = False
        answer = self.wsgi_app(environ, lambda status, headers, exc_info=None: self.lost.append(status))
        try:
            for _chunk in answer:
                pass
        finally:
            getattr(answer, "close", lambda: None)()
        environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
        start_response("204 No Content", [])  # written to a closed connection: never arrives
        return []


class Drops:
    """Route handler: the form's first post is lost on the way (the server never sees it), the
    second reaches the server but its answer is lost, the next ones go through."""

    def __init__(self, app, form: WeakForm):
        self.form, self.seen = form, []
        self.answers = LoseAnswers(app, form)

    def __call__(self, route):
        if route.request.method != "POST" or len(self.seen) >= 2:
            route.continue_()
        elif not self.seen:
            self.seen.append("lost on the way")
            route.abort("connectionreset")
        else:
            self.seen.append("answer lost")
            self.answers.armed = True
            route.continue_()


def slow_3g(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    page.set_default_timeout(40_000)


def resend(page) -> None:
    """The browser's "reload" on its error page: the same post again, what was typed included."""
    for _ in range(20):
        try:
            page.reload()
            return
        except PlaywrightError as error:
            if "Not attached to an active page" in str(error):  # the error page is being swapped in
                page.wait_for_timeout(250)
                continue
            assert re.search(r"ERR_(CONNECTION_RESET|EMPTY_RESPONSE)", str(error)), error
            page.wait_for_url(on_error_url)  # dropped again
            return
    raise AssertionError("the browser's error page never became ready for a reload")


def kept_as_typed(page, form: WeakForm, typed: dict) -> None:
    for selector, value in typed.items():
        expect(page.locator(selector).first).to_have_value(value)
    if hasattr(form, "kept"):
        form.kept(page)


def on_error_url(url: str) -> bool:
    return url.startswith("chrome-error://")


def on_error_page(page) -> bool:
    return on_error_url(page.url)


def drop_and_retry(page, form: WeakForm, typed: dict, via_htmx: bool) -> None:
    """Send three times through the drops; check what the member sees and what is saved."""
    drops = Drops(form.app, form)
    page.route(form.posts_to, drops)
    before = form.saved()
    form.press(page)  # lost on the way
    if via_htmx:
        shows_retry_notice(page, form, typed)
    else:
        page.wait_for_url(on_error_url)
    assert drops.seen == ["lost on the way"] and form.saved() == before, (drops.seen, form.saved())
    if via_htmx:  # the answer is lost
        form.press(page)
        shows_retry_notice(page, form, typed)
    else:
        resend(page)
    assert drops.seen == ["lost on the way", "answer lost"], drops.seen
    if not form.each_send_saves:
        assert form.saved() == before + 1, form.saved()
    if via_htmx:
        form.press(page)
    elif on_error_page(page):
        # Else Chromium sent the post again by itself (its answer was cut on a connection it had
        # opened ahead), and the page shows the result at once.
        resend(page)
    form.shows_result(page)
    if via_htmx:
        expect(page.locator(".net-error")).to_be_hidden()
    # Each send that reached the server, or just the one.
    expected = before + (drops.answers.reached if form.each_send_saves else 1)
    assert form.saved() == expected, f"{form.name}: {form.saved() - before} saved after {drops.seen}"


def shows_retry_notice(page, form: WeakForm, typed: dict) -> None:
    notice = page.locator(".net-error")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(NET_ERROR)
    kept_as_typed(page, form, typed)


@pytest.mark.parametrize("form_class,js", [
    pytest.param(form, js, id=f"{form.name}-{'js' if js else 'nojs'}")
    for form in FORMS for js in (True, False) if js or form.without_js])
def test_a_dropped_send_is_kept_and_sent_once(form_class, js, open_page, app, accounts, tmp_path):
    form = form_class(app, accounts, tmp_path)
    page = open_page(js=js)
    if form.role:
        sign_in(page, accounts[form.role])
    form.open(page)
    typed = form.fill(page)
    slow_3g(page)
    drop_and_retry(page, form, typed, via_htmx=js and form.htmx)


def test_member_import_dropped_twice_imports_once(open_page, app, accounts, tmp_path):
    """Upload, then confirm: plain posts (a big file on 3G outlasts htmx's timeout), so a drop
    shows the browser's own error page — with JavaScript on or off alike — and its reload sends
    the same post again, the file included. Each is dropped twice (on the way, then its
    answer); the members come in once."""
    form = ImportMembers(app, accounts, tmp_path)
    page = open_page(js=True)
    sign_in(page, accounts[form.role])
    form.open(page)
    form.fill(page)
    slow_3g(page)
    drops = Drops(app, form)
    page.route(form.posts_to, drops)

    def through_two_drops(press):
        drops.seen.clear()
        press()
        page.wait_for_url(on_error_url)  # lost on the way
        resend(page)  # reaches the server; its answer is lost
        assert drops.seen == ["lost on the way", "answer lost"], drops.seen
        if on_error_page(page):  # else Chromium sent it again by itself
            resend(page)

    through_two_drops(lambda: page.get_by_role("button", name="Kiểm tra tệp").click())
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra trước khi nhập")
    assert form.saved() == 0  # a dry run writes nothing, however often it runs
    through_two_drops(lambda: page.get_by_role("button", name="Nhập", exact=True).click())
    form.shows_result(page)
    assert form.saved() == 1
