"""Local time is the province's (a setting, else Asia/Ho_Chi_Minh), never the server's: around
midnight UTC+7 the date is already tomorrow's, and pages show stored UTC in the reader's time."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone

import pytest
from flask import render_template_string
from sqlalchemy import delete

from core.extensions import db
from core.localtime import local_to_utc, now_local, to_local, today_local, zone
from core.notify.models import Notification
from core.notify.service import notify
from core.org.settings import set_setting
from tests.plugins.support import org_named, province_of_role


@pytest.fixture
def server_elsewhere(monkeypatch):
    """The server's own clock set to New York: nothing below may follow it."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_half_past_five_utc_is_half_past_midnight_the_next_day(app, accounts, server_elsewhere):
    province = province_of_role(app, accounts, "member")
    with app.app_context():
        local = to_local(datetime(2025, 12, 31, 17, 30), province)
        assert (local.date(), local.hour, local.minute) == (date(2026, 1, 1), 0, 30)
        assert local.utcoffset().total_seconds() == 7 * 3600
        assert to_local(datetime(2025, 12, 31, 16, 59), province).date() == date(2025, 12, 31)
        assert local_to_utc(datetime(2026, 1, 1, 0, 30), province) == datetime(2025, 12, 31, 17, 30)
        assert today_local(province) == now_local(province).date() == \
            datetime.now(timezone.utc).astimezone(zone(province)).date()
        assert zone(None).key == "Asia/Ho_Chi_Minh"  # the deployment's, for a core job


def test_a_province_keeps_its_own_time_zone(app, accounts):
    ours, theirs = (province_of_role(app, accounts, role) for role in ("member", "other_province_admin"))
    with app.app_context():
        set_setting(theirs, "core", "time_zone", "Asia/Tokyo")
        db.session.commit()
        assert to_local(datetime(2025, 12, 31, 17, 30), theirs).hour == 2
        assert to_local(datetime(2025, 12, 31, 17, 30), ours).hour == 0
        set_setting(theirs, "core", "time_zone", "Mars/Olympus")  # a typo falls back, logged
        db.session.commit()
        assert zone(theirs).key == "Asia/Ho_Chi_Minh"


def test_pages_show_a_stored_time_in_the_readers_province_time(app, as_role, accounts, server_elsewhere):
    branch = org_named(app, accounts["member"]["org"]).id
    with app.app_context():
        db.session.execute(delete(Notification))
        note = notify("announcement", "Họp chi bộ cuối năm", org_id=branch)
        note.created_at = datetime(2030, 12, 31, 17, 30)  # UTC
        db.session.commit()
    member = as_role("member")
    assert "01/01/2031 00:30" in member.text("/inbox/")  # Vietnam: already New Year's Day
    with app.app_context():
        set_setting(org_named(app, accounts["member"]["org"]).province_id, "core", "time_zone",
                    "Asia/Tokyo")
        db.session.commit()
    assert "01/01/2031 02:30" in member.text("/inbox/")
    with app.test_request_context("/"):  # the filter, for a reader signed out: the deployment's zone
        shown = render_template_string('{{ moment|local_time }} {{ moment|local_time("HH:mm") }} '
                                       '{{ none|local_time }}.', moment=datetime(2030, 12, 31, 17, 30),
                                       none=None)
        assert shown == "01/01/2031 00:30 00:30 ."
