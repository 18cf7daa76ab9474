"""A province that turns contests off: 404 on every page, no menu entry, no home card, the job
refused; on again, everything is back without a restart."""
from __future__ import annotations

import pytest

from core.jobs import JobRefused, enqueue
from tests.plugins.quizzes.support import MEMBERS_CONTEST, contest_id, start
from tests.plugins.support import province_of_role, switch


def test_disabled_province_gets_404_no_menu_no_card_no_job(app, as_role, accounts):
    contest = contest_id(app, MEMBERS_CONTEST)
    member, admin = as_role("member"), as_role("district_admin")
    attempt = start(member, contest)
    province = province_of_role(app, accounts, "member")
    switch(app, province, "quizzes", False)
    home = member.text("/")
    assert "Tìm hiểu Điều lệ Đảng" not in home and 'href="/quizzes/"' not in home
    for url in ("/quizzes/", f"/quizzes/{contest}", f"/quizzes/attempts/{attempt}/1"):
        assert member.get(url).status_code == 404, url
    assert admin.get(f"/quizzes/manage/{contest}").status_code == 404
    assert 'href="/quizzes/manage"' not in admin.text("/manage")
    with app.app_context(), pytest.raises(JobRefused):
        enqueue("quizzes.close_expired", province_id=province)
    # The other province is not affected.
    assert as_role("other_province_admin").get("/quizzes/manage").status_code == 200
    switch(app, province, "quizzes", True)  # back on, no restart
    assert "Tìm hiểu Điều lệ Đảng" in member.text("/")
    assert member.get(f"/quizzes/attempts/{attempt}/1").status_code == 200
