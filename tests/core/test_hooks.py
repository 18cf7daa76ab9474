"""One test_hook_<name> per hookspec, through a fixture plugin loaded with EXTRA_PLUGINS.

Where a hook shows something to users, the test reads the page; each test also turns the
plugin off for the province and checks that the hook's effect vanishes, without a restart."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, update

from core.auth.models import User
from core.events import Event, OrgChanged, UserLoggedIn, emit
from core.extensions import db
from core.jobs import JobRefused, enqueue
from core.org.models import OrgSetting
from core.org.settings import set_setting
from core.outbox import deliver_due
from core.plugins import calendar_for, hand_over, host, report_for
from core.types import Question
from tests.plugins.support import FIXTURE, dispose, make_app, org_named, province_of_role, switch


@pytest.fixture
def app(db_uri, tmp_path):
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=FIXTURE, REDIS_URL="")
    yield app
    dispose(app)


@pytest.fixture
def province(app, accounts):
    return province_of_role(app, accounts, "member")


def user_of(accounts, role: str) -> User:
    return db.session.scalar(select(User).where(User.login == accounts[role]["login"]))


def test_hook_register_blueprints(app, as_role, province):
    member, other = as_role("member"), as_role("other_province_admin")
    assert "Fixture page" in member.text("/fixture/")
    switch(app, province, "fixture", False)
    response = member.get("/fixture/")
    assert response.status_code == 404
    assert "Trang này không tồn tại" in response.get_data(as_text=True)
    assert other.get("/fixture/").status_code == 200  # the other province keeps it
    switch(app, province, "fixture", True)
    assert member.get("/fixture/").status_code == 200


def test_hook_register_permissions(app, as_role, accounts, province):
    branch_a = org_named(app, accounts["secretary"]["org"]).id
    branch_b = org_named(app, accounts["secretary_other_branch"]["org"]).id
    secretary, member = as_role("secretary"), as_role("member")
    assert "Fixture tools" in secretary.text("/manage")
    assert "Fixture tools" in secretary.text(f"/fixture/tools/{branch_a}")
    assert secretary.get(f"/fixture/tools/{branch_b}").status_code == 404
    assert member.get(f"/fixture/tools/{branch_a}").status_code == 404
    assert "fixture.tools" in host(app).permissions
    switch(app, province, "fixture", False)
    assert "Fixture tools" not in secretary.text("/manage")


def test_hook_register_jobs(app, as_role, province):
    assert host(app).jobs["fixture.echo"].plugin == "fixture"  # stamped by the host
    member = as_role("member")
    response = member.submit("/fixture/job", {}, form_page="/fixture/")
    assert response.status_code == 302 and "/jobs/" in response.location
    page = member.text(response.location)
    assert "Đã xong." in page and "100%" in page
    switch(app, province, "fixture", False)
    assert member.submit("/fixture/job", {}, form_page="/account").status_code == 404
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("fixture.echo", province_id=province, text="x")


def test_hook_menu_links(app, as_role, province):
    member = as_role("member")
    assert "Fixture link" in member.text("/")
    switch(app, province, "fixture", False)
    assert "Fixture link" not in member.text("/")
    assert "Fixture link" in as_role("other_province_admin").text("/")


def test_hook_home_cards(app, as_role, province):
    member = as_role("member")
    home = member.text("/")
    assert "Fixture card" in home and "Fixture card body" in home
    switch(app, province, "fixture", False)
    assert "Fixture card" not in member.text("/")


def test_hook_page_slot(app, as_role, accounts, province):
    member = as_role("member")
    # A plain string from a plugin is escaped: a plugin cannot slip HTML in by mistake.
    assert "&lt;b&gt;7&lt;/b&gt;" in member.text("/fixture/")
    home = member.text("/")
    assert re.search(r'<p class="fixture-slot">Fixture slot for [^<]+</p>', home), \
        "core/templates/home/index.html needs {{ slot(\"home_top\") }}"
    switch(app, province, "fixture", False)
    assert "fixture-slot" not in member.text("/")


def test_hook_track_event(app, visitor, accounts, province):
    visitor.login(accounts["member"])
    seen = app.extensions.get("fixture.events", [])
    assert any(isinstance(e, UserLoggedIn) and e.province_id == province for e in seen)
    with app.app_context():
        # A failing listener is logged; the caller (whose change is saved) carries on.
        emit(OrgChanged(province_id=province, actor_id=None, org_id=province, change="boom"))
        emit(OrgChanged(province_id=province, actor_id=None, org_id=province, change="renamed"))
    assert [e.change for e in seen if isinstance(e, OrgChanged)] == ["renamed"]
    switch(app, province, "fixture", False)
    count = len(seen)
    with app.app_context():
        emit(OrgChanged(province_id=province, actor_id=None, org_id=province, change="renamed"))
    assert len(seen) == count


def test_hook_calendar_entries(app, accounts, province):
    start, end = datetime(2026, 3, 1), datetime(2026, 3, 31)
    with app.app_context():
        member = user_of(accounts, "member")
        entries = calendar_for(member, start, end)
        assert [e.title for e in entries] == ["Fixture sooner", "Fixture later"]
    switch(app, province, "fixture", False)
    with app.app_context():
        assert calendar_for(user_of(accounts, "member"), start, end) == []


def test_hook_report_sections(app, accounts, province):
    with app.app_context():
        org = org_named(app, accounts["grassroots_admin"]["org"])
        # Other installed plugins (meetings) add their own sections: look at the fixture's.
        sections = [s for s in report_for(org, user_of(accounts, "grassroots_admin"))
                    if s.title.startswith("Fixture")]
        assert [s.title for s in sections] == ["Fixture first", "Fixture section"]
        assert sections[1].figures == {"org": org.name}
    switch(app, province, "fixture", False)
    with app.app_context():
        assert not [s for s in report_for(org, user_of(accounts, "grassroots_admin"))
                    if s.title.startswith("Fixture")]


def test_hook_hand_over_question(app, accounts, province):
    # The first plugin to take a question keeps it: with the feedback plugin off, the fixture takes it.
    switch(app, province, "feedback", False)
    with app.app_context():
        member = user_of(accounts, "member")
        question = Question("Đảng phí đóng thế nào?", member.id, member.home_org_id, "assistant")
        assert hand_over(question) == "/fixture/questions?from=assistant"
    switch(app, province, "fixture", False)
    with app.app_context():
        assert hand_over(question) is None


def memory_plugin(monkeypatch, tmp_path, name: str, **hooks) -> dict:
    """A plugin made in memory for one test: `hooks` are its hook implementations; returns the
    EXTRA_PLUGINS entry that loads it (enabled by default)."""
    import sys
    import types

    from core.plugins import hookimpl

    package = types.ModuleType(f"{name}_plugin")
    package.__file__, package.__path__ = str(tmp_path / f"{name}_plugin" / "__init__.py"), []
    package.TITLE, package.ENABLED_BY_DEFAULT = f"{name} plugin", True
    module = types.ModuleType(f"{name}_plugin.hooks")
    for hook_name, function in hooks.items():
        setattr(module, hook_name, hookimpl(function))
    monkeypatch.setitem(sys.modules, package.__name__, package)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    return {name: package.__name__}


@pytest.fixture
def kinds_app(db_uri, tmp_path, monkeypatch):
    """The app with a small plugin that declares three notification kinds (one off by default,
    one required)."""
    from core.types import NotificationKind
    from tests.core.test_notify import clear_inbox

    kinds = memory_plugin(monkeypatch, tmp_path, "kinds", notification_kinds=lambda: [
        NotificationKind("kinds.reminder", "Fixture reminders"),
        NotificationKind("kinds.rare", "Fixture rarities", False),
        NotificationKind("kinds.secret", "Fixture confidential notices", required=True)])
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=kinds, REDIS_URL="")
    clear_inbox(app)
    yield app
    dispose(app)


def test_hook_notification_kinds(kinds_app, accounts):
    from core.notify.service import notify
    from tests.support import Visitor

    app = kinds_app
    province = province_of_role(app, accounts, "member")
    with app.app_context():
        branch = org_named(app, accounts["member"]["org"]).id
        notify("kinds.reminder", "Fixture reminder for the branch", url="/", org_id=branch)
        notify("kinds.rare", "Fixture rarity for the branch", url="/", org_id=branch)
        db.session.commit()
    member = Visitor(app.test_client())
    member.login(accounts["member"])
    prefs = member.text("/inbox/prefs")
    assert "Fixture reminders" in prefs and "Fixture rarities" in prefs
    assert "Văn bản mới" in prefs  # the core's own kinds come through the same hook
    inbox = member.text("/inbox/")
    assert "Fixture reminder for the branch" in inbox
    assert "Fixture rarity for the branch" not in inbox  # default_on=False: only when chosen
    assert "Hộp thư (1)" in inbox
    switch(app, province, "kinds", False)
    assert "Fixture reminders" not in member.text("/inbox/prefs")
    inbox = member.text("/inbox/")
    assert "Fixture reminder for the branch" not in inbox and "Hộp thư (1)" not in inbox


def test_a_required_kind_cannot_be_turned_off(kinds_app, accounts):
    """A confidential notice reaches the member whatever they untick: the page lists it as
    always on, and a forged post naming it changes nothing."""
    from core.notify.service import notify
    from tests.support import Visitor

    app = kinds_app
    with app.app_context():
        branch = org_named(app, accounts["member"]["org"]).id
        notify("kinds.secret", "Fixture confidential notice", url="/", org_id=branch)
        notify("kinds.reminder", "Fixture reminder for the branch", url="/", org_id=branch)
        db.session.commit()
    member = Visitor(app.test_client())
    member.login(accounts["member"])
    prefs = member.text("/inbox/prefs")
    assert 'value="kinds.secret"' not in prefs  # no box to untick
    assert "Luôn được gửi, không tắt được:" in prefs and "Fixture confidential notices" in prefs
    # Untick everything, and forge the required kind's name as "off" as well.
    assert member.submit("/inbox/prefs", {}).status_code == 303
    assert member.submit("/inbox/prefs", {"kinds": "kinds.secret"}).status_code in (303, 400)
    inbox = member.text("/inbox/")
    assert "Fixture reminder for the branch" not in inbox
    assert "Fixture confidential notice" in inbox


def test_hook_register_settings(app, as_role, accounts, province):
    from core.org.settings import setting

    orgs = {role: org_named(app, accounts[role]["org"]).id
            for role in ("province_admin", "district_admin", "grassroots_admin", "member")}
    grassroots, top = as_role("grassroots_admin"), as_role("province_admin")
    page = grassroots.text(f"/admin/settings/{orgs['grassroots_admin']}")
    # Settable down to grassroots or branch: shown; only at a province or district: not.
    assert "The fixture&#39;s answer" in page and "Fixture colour" in page
    assert "Fixture open to all" not in page and "Fixture opening time" not in page
    assert "Fixture open to all" in top.text(f"/admin/settings/{orgs['province_admin']}")
    assert grassroots.get(f"/admin/settings/{orgs['province_admin']}").status_code == 404
    assert as_role("member").get(f"/admin/settings/{orgs['member']}").status_code == 404

    def value(key, role="member"):
        with app.app_context():
            return setting(key, orgs[role])

    assert value("fixture.answer") == 7  # the declared default
    url = f"/admin/settings/{orgs['province_admin']}"
    assert top.submit(url, {"fixture.answer": "42", "fixture.open": "1"}).status_code == 302
    assert value("fixture.answer") == 42 and value("fixture.open") is True
    url = f"/admin/settings/{orgs['grassroots_admin']}"
    assert grassroots.submit(url, {"fixture.answer": "5"}).status_code == 302
    assert value("fixture.answer") == 5 and value("fixture.answer", "district_admin") == 42
    # The page says what applies without a value here: the province's 42.
    assert re.search(r"42[^<]*" + re.escape(accounts["province_admin"]["org"]), grassroots.text(url))
    for bad in ("abc", "101", "4" * 30):
        response = grassroots.submit(url, {"fixture.answer": bad})
        assert response.status_code == 400 and bad[:20] in response.get_data(as_text=True)
        assert value("fixture.answer") == 5  # nothing saved
    assert grassroots.submit(url, {"fixture.colour": "purple"}).status_code == 400
    # A province-level setting sent from a grassroots form is ignored, not saved.
    grassroots.submit(url, {"fixture.open": "0"})
    assert value("fixture.open") is True
    assert grassroots.submit(url, {"fixture.answer": ""}).status_code == 302  # back to the level above
    assert value("fixture.answer") == 42
    switch(app, province, "fixture", False)
    assert "The fixture&#39;s answer" not in grassroots.text(url)


def test_hook_register_commands(app):
    result = app.test_cli_runner().invoke(args=["fixture", "hello", "An"])
    assert result.exit_code == 0 and "fixture says hello to An" in result.output


def test_hook_seed_demo(tmp_path):
    import flask_migrate

    from core.demo import seed

    app = make_app(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path / "instance",
                   EXTRA_PLUGINS=FIXTURE, REDIS_URL="")
    try:
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            accounts = json.loads(seed(40, content=False).read_text())
        demo = app.extensions["fixture.seeded"]
        assert demo.accounts == accounts and demo.content is False
        assert demo.orgs["member"] == org_named(app, accounts["member"]["org"]).id
        assert demo.orgs["province_admin"] == demo.province_id != demo.other_province_id
        assert demo.orgs["member"] in demo.branches and demo.orgs["other_province_admin"] not in demo.branches
        with app.app_context():
            member = user_of(accounts, "member")
            assert demo.users["member"] == member.id
    finally:
        dispose(app)


@dataclass(frozen=True)
class MeetingHeld(Event):
    """A plugin's own event (the "meetings" plugin of the test below)."""

    name = "meetings.held"
    meeting_id: int
    held_on: date


HEARD: list = []


def hear_meetings(event):
    """Another plugin's listener: subscribes by name, reads the fields, imports nothing."""
    if event.name == "meetings.held":
        HEARD.append((event.meeting_id, event.held_on))


def test_hook_register_events(db_uri, tmp_path, monkeypatch, accounts):
    HEARD.clear()
    plugins = {**memory_plugin(monkeypatch, tmp_path, "meetings", register_events=lambda: [MeetingHeld]),
               **memory_plugin(monkeypatch, tmp_path, "study", track_event=hear_meetings)}
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=plugins, REDIS_URL="",
                   OUTBOX_LEASE_SECONDS=0)
    try:
        province = province_of_role(app, accounts, "member")
        assert host(app).events["meetings.held"] is MeetingHeld
        with app.app_context():
            emit(MeetingHeld(province, None, 7, date(2026, 3, 2)))
            assert HEARD == [(7, date(2026, 3, 2))]
            # Delivered again from its row (a crash after the commit): the class comes back by name.
            app.config["OUTBOX_DISPATCH"] = False
            emit(MeetingHeld(province, None, 8, date(2026, 3, 9)))
            app.config["OUTBOX_DISPATCH"] = True
            assert deliver_due() == 1
            assert HEARD[-1] == (8, date(2026, 3, 9))
            with pytest.raises(LookupError):  # an event no plugin declared is a bug, said at once
                emit(Undeclared(province, None))
        switch(app, province, "study", False)
        with app.app_context():
            emit(MeetingHeld(province, None, 9, date(2026, 3, 16)))
        assert len(HEARD) == 2
        with pytest.raises(RuntimeError, match="must be named"):  # names carry the plugin's own
            make_app(db_uri, tmp_path / "bad", REDIS_URL="", EXTRA_PLUGINS=memory_plugin(
                monkeypatch, tmp_path, "tasks", register_events=lambda: [MeetingHeld]))
    finally:
        dispose(app)


@dataclass(frozen=True)
class Undeclared(Event):
    name = "nobody.said"


def re_point(source_id, target_id):
    """The merging plugin keeps a row per organisation (a setting of its own) and moves it."""
    db.session.execute(update(OrgSetting).where(OrgSetting.org_id == source_id,
                                                OrgSetting.namespace == "merger")
                       .values(org_id=target_id))


def refuse_to_move(source_id, target_id):
    raise RuntimeError("the plugin's table is locked")


@pytest.mark.parametrize("fails", [False, True])
def test_hook_org_merging(db_uri, tmp_path, monkeypatch, accounts, fails):
    from core.org.models import Member, Organisation
    from tests.support import Visitor

    plugin = memory_plugin(monkeypatch, tmp_path, "merger",
                           org_merging=refuse_to_move if fails else re_point)
    app = make_app(db_uri, tmp_path / "instance", EXTRA_PLUGINS=plugin, REDIS_URL="")
    try:
        source = org_named(app, accounts["secretary_other_branch"]["org"]).id
        target = org_named(app, accounts["secretary"]["org"]).id
        with app.app_context():
            set_setting(source, "merger", "notes", "sổ ghi chép của chi bộ")
            db.session.commit()
            members = db.session.scalar(select(func.count(Member.id)).where(Member.org_id == source))
        admin = Visitor(app.test_client())
        admin.login(accounts["grassroots_admin"])
        response = admin.submit(f"/admin/orgs/{source}/merge/{target}", {})
        with app.app_context():
            moved = db.session.get(OrgSetting, (target, "merger", "notes"))
            left = db.session.get(OrgSetting, (source, "merger", "notes"))
            still = db.session.scalar(select(func.count(Member.id)).where(Member.org_id == source))
            open_ = db.session.get(Organisation, source).active
        if not fails:  # in the merge's transaction: the rows moved with the members
            assert response.status_code == 302
            assert moved is not None and left is None and still == 0 and not open_
            return
        page = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "không chuyển được dữ liệu" in page and "chưa gộp" in page
        assert moved is None and left is not None  # the whole merge was rolled back
        assert still == members > 0 and open_
        switch(app, province_of_role(app, accounts, "secretary"), "merger", False)
        assert admin.submit(f"/admin/orgs/{source}/merge/{target}", {}).status_code == 302
    finally:
        dispose(app)


def test_hook_register_roles(app, as_role, accounts, province):
    import re as regex

    branch_b = org_named(app, accounts["secretary_other_branch"]["org"]).id
    grassroots = org_named(app, accounts["grassroots_admin"]["org"]).id
    admin = as_role("grassroots_admin")
    page = admin.text(f"/admin/roles/new?org={branch_b}")
    assert 'value="fixture.keeper"' in page and "Fixture keeper" in page

    def grant(org_id, role):
        form = admin.text(f"/admin/roles/new?org={org_id}")
        key = regex.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
        return admin.submit("/admin/roles/new", {"idempotency_key": key, "org_id": str(org_id),
                                                 "login": accounts["member_other_branch"]["login"],
                                                 "role": role}, form_page=f"/admin/roles/new?org={org_id}")

    refused = grant(grassroots, "fixture.keeper")  # held on branches only
    assert refused.status_code == 400 and "không giao ở cấp tổ chức này" in refused.get_data(as_text=True)
    keeper = as_role("member_other_branch")
    assert keeper.get(f"/fixture/tools/{branch_b}").status_code == 404  # no role yet
    assert grant(branch_b, "fixture.keeper").status_code == 302
    assert "Fixture keeper" in admin.text(f"/admin/roles?org={branch_b}")
    assert "Fixture tools" in keeper.text(f"/fixture/tools/{branch_b}")  # the plugin's permission
    assert keeper.get(f"/fixture/tools/{grassroots}").status_code == 404  # only its subtree
    assert grant(branch_b, "nobody.role").status_code == 400  # not a declared role
    switch(app, province, "fixture", False)
    assert 'value="fixture.keeper"' not in admin.text(f"/admin/roles/new?org={branch_b}")


def test_the_calendar_page_lists_the_plugins_entries_by_day(app, as_role, province):
    member = as_role("member")
    page = member.text("/calendar/")
    assert "Lịch" in page and "Fixture sooner" in page and "Fixture later" in page
    assert page.index("Fixture sooner") < page.index("Fixture later")  # by time, day by day
    assert "Fixture sooner" in member.text("/calendar/?month=2031-02")  # any month the plugin fills
    assert member.get("/calendar/?month=2026-13").status_code == 200  # a bad month: this one
    assert member.get("/calendar/?month=%00").status_code == 200
    switch(app, province, "fixture", False)
    assert "Fixture sooner" not in member.text("/calendar/")
    # A month no other plugin's demo data reaches (the tasks plugin's demo deadlines are this month's).
    assert "Tháng này chưa có việc gì" in member.text("/calendar/?month=2031-02")


def test_the_calendar_shows_a_week_and_a_day(app, as_role, province):
    member = as_role("member")
    week = member.text("/calendar/?view=week&day=2031-02-12")  # a Wednesday: the week from Monday 10
    assert "tuần 10/02–16/02/2031" in week and "11/02/2031" in week and "Fixture sooner" in week
    assert 'href="/calendar/?view=week&amp;day=2031-02-03"' in week  # the week before
    day = member.text("/calendar/?view=day&day=2031-02-12")
    assert "12/02/2031" in day and "Fixture sooner" not in day  # the fixture's entries fall on the next days
    assert "Ngày này chưa có việc gì trong lịch." in day
    assert 'href="/calendar/?view=day&amp;day=2031-02-13"' in day
    for bad in ("?view=week&day=2031-13-01", "?view=day&day=%00", "?view=year"):
        assert member.get(f"/calendar/{bad}").status_code == 200
