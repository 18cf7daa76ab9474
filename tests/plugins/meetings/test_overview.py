"""The upper levels' overview: the month-by-month grid of every branch below, attendance and
ratings, who has not met this month or held no thematic meeting this quarter, drilling down level
by level, reminders, and the signs of meetings held only on paper with their evidence."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from core.extensions import db
from core.notify.models import Notification
from plugins.meetings.models import Comment, MeetingFile
from tests.plugins.meetings.overview_support import add_meeting, branch_id, month_day
from tests.support import local_today


def row_of(page: str, name: str) -> str:
    match = re.search(r"<tr><td><label.*?%s</label></td>(.*?)</tr>" % re.escape(name), page, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def cells(row: str) -> list[str]:
    return re.findall(r"<td>(.*?)</td>", row, re.S)


def test_grassroots_sees_the_grid_attendance_and_ratings(app, as_role, accounts):
    own, other = (accounts[r]["org"] for r in ("secretary", "secretary_other_branch"))
    a = branch_id(app, own)
    for months_ago in range(1, 12):
        if months_ago != 4:  # missed four months ago
            add_meeting(app, a, -months_ago, expected=20, present=15, ratings=(4, 16))
    add_meeting(app, a, 0, kind="thematic", expected=20, present=19)
    add_meeting(app, a, -13, expected=20, present=1)  # older than a year: left out
    page = as_role("grassroots_admin").text("/meetings/overview/")
    assert "Tình hình sinh hoạt của các chi bộ" in page
    grid = cells(row_of(page, own))
    assert grid[11] == "CĐ" and grid[7] == "✗" and grid[:7].count("✓") == 7
    assert grid[12] == f"{round(100 * (15 * 10 + 19) / (20 * 11))}%" and grid[13] == "4.0"
    other_grid = cells(row_of(page, other))
    assert other_grid[:11] == ["✗"] * 11 and other_grid[11] == "…" and other_grid[12] == "–"
    # Not met this month: the other branch, ticked for a reminder; ours met.
    assert re.search(r'value="%d" checked> %s' % (branch_id(app, other), re.escape(other)), page)
    assert not re.search(r'value="%d" checked>' % a, page)
    not_met = as_role("grassroots_admin").text("/meetings/overview/?show=not_met")
    assert other in not_met and own not in not_met
    no_thematic = as_role("grassroots_admin").text("/meetings/overview/?show=no_thematic")
    assert other in no_thematic and own not in no_thematic


def test_province_drills_down_level_by_level(app, as_role, accounts):
    district, grassroots = accounts["district_admin"]["org"], accounts["grassroots_admin"]["org"]
    province = as_role("province_admin")
    top = province.text("/meetings/overview/")
    assert district in top and accounts["secretary"]["org"] in top
    d = branch_id(app, district)
    page = province.text(f"/meetings/overview/?org={d}")
    assert grassroots in page and f"?org={branch_id(app, accounts['province_admin']['org'])}" in page
    g = branch_id(app, grassroots)
    below = province.text(f"/meetings/overview/?org={g}")
    assert accounts["secretary"]["org"] in below and accounts["secretary_other_branch"]["org"] in below
    # The district sees its own part only; the grassroots admin cannot go up.
    assert as_role("district_admin").get(f"/meetings/overview/?org={g}").status_code == 200
    assert as_role("grassroots_admin").get(f"/meetings/overview/?org={d}").status_code == 404


def test_branches_are_paginated(app, as_role):
    app.config["PAGE_SIZE"] = 1
    page = as_role("province_admin").text("/meetings/overview/")
    assert "Trang 1 /" in page or "Trang 1 trên" in page or 'rel="next"' in page
    assert len(re.findall(r'name="branch"', page)) == 1


def test_reminder_goes_to_the_ticked_branches_once_a_month(app, as_role, accounts):
    other = branch_id(app, accounts["secretary_other_branch"]["org"])
    grassroots = as_role("grassroots_admin")
    for _ in range(2):
        response = grassroots.submit("/meetings/overview/remind", {"branch": str(other)},
                                     form_page="/meetings/overview/")
        assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.branch_reminder")) == 1
    assert f"Chi bộ chưa tổ chức sinh hoạt tháng {local_today():%m/%Y}" in as_role("secretary_other_branch").text("/inbox/")
    response = grassroots.submit("/meetings/overview/remind", {}, form_page="/meetings/overview/")
    assert response.status_code == 400
    assert "Đồng chí đánh dấu ít nhất một chi bộ cần nhắc." in response.get_data(as_text=True)


def test_other_scopes_get_404_and_nothing_is_sent(app, as_role, accounts):
    own = branch_id(app, accounts["secretary"]["org"])
    grassroots = branch_id(app, accounts["grassroots_admin"]["org"])
    other = as_role("other_province_admin")
    assert other.get(f"/meetings/overview/?org={grassroots}").status_code == 404
    assert other.get(f"/meetings/overview/branch/{own}").status_code == 404
    assert other.submit("/meetings/overview/remind", {"branch": str(own)}, form_page="/meetings/overview/").status_code == 404
    for role in ("member", "family_helper", "secretary"):
        assert as_role(role).get("/meetings/overview/").status_code == 404, role
        assert as_role(role).get(f"/meetings/overview/branch/{own}").status_code == 404, role
    assert as_role("grassroots_admin").submit("/meetings/overview/remind", {"branch": ["-5", "x"]},
                                              form_page="/meetings/overview/").status_code == 404
    assert as_role("grassroots_admin").get(f"/meetings/overview/branch/{grassroots}").status_code == 404
    with app.app_context():
        assert not db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.branch_reminder"))


def test_meetings_held_only_on_paper_are_flagged_with_evidence(app, as_role, accounts):
    from core import files

    own = accounts["secretary"]["org"]
    a = branch_id(app, own)
    ids = [add_meeting(app, a, -m, present=12, conclusions="Chi bộ thống nhất thực hiện tốt nhiệm vụ.",
                       recorded_days=20 if m == 1 else 0) for m in (4, 3, 2, 1)]
    with app.app_context():
        stored = files.save_bytes(b"%PDF-1.4 bien ban", namespace="meetings", filename="bien-ban.pdf",
                                  mimetype="application/pdf")
        for meeting_id in ids[-2:]:
            db.session.add(MeetingFile(meeting_id=meeting_id, role="minutes", title="Biên bản", file_id=stored.id))
        db.session.commit()
    grassroots = as_role("grassroots_admin")
    assert re.search(r"⚑ \d+", row_of(grassroots.text("/meetings/overview/"), own))
    page = grassroots.text(f"/meetings/overview/branch/{a}")
    assert "Dấu hiệu họp &#34;trên giấy&#34;" in page or 'Dấu hiệu họp "trên giấy"' in page
    assert "Biên bản giống tháng trước" in page and "là đúng tệp biên bản tháng" in page
    assert "lặp lại nguyên văn kết luận" in page
    assert "Đúng 12 người có mặt trong 4 buổi họp liền" in page
    assert "4 buổi họp liền không gửi tài liệu" in page and "không có đảng viên nào góp ý" in page
    assert "đến 20 ngày sau mới ghi nhận" in page
    # A branch that sends materials and hears comments, with varied attendance, shows no sign.
    b = branch_id(app, accounts["secretary_other_branch"]["org"])
    for m, present in ((3, 10), (2, 14), (1, 11)):
        meeting_id = add_meeting(app, b, -m, present=present, conclusions=f"Kết luận tháng {m}")
        with app.app_context():
            db.session.add(MeetingFile(meeting_id=meeting_id, role="material", title="Tài liệu"))
            db.session.add(Comment(meeting_id=meeting_id, body="Đề nghị bổ sung"))
            db.session.commit()
    assert "Không thấy dấu hiệu nào trong 12 tháng qua." in grassroots.text(f"/meetings/overview/branch/{b}")


def test_signs_name_the_months_of_the_province_calendar(app, as_role, accounts):
    """A meeting at 06:00 on the 1st is stored as 23:00 UTC the day before: its month is still
    the province's."""
    own = branch_id(app, accounts["secretary"]["org"])
    for m in (2, 1):
        add_meeting(app, own, -m, day=1, hour=6, conclusions="Kết luận sinh hoạt đầu tháng.")
    page = as_role("grassroots_admin").text(f"/meetings/overview/branch/{own}")
    this, before = (f"{month_day(-m, 1):%m/%Y}" for m in (1, 2))
    assert f"Kết luận tháng {this} lặp lại nguyên văn kết luận tháng {before}." in page


def test_report_section_counts_the_subtree(app, accounts):
    from core.org.models import Organisation
    from core.plugins import report_for

    a = branch_id(app, accounts["secretary"]["org"])
    add_meeting(app, a, 0, expected=20, present=16)
    add_meeting(app, a, 0, status="planned", expected=0, present=0)
    with app.test_request_context():
        grassroots = db.session.get(Organisation, branch_id(app, accounts["grassroots_admin"]["org"]))
        [section] = [s for s in report_for(grassroots, None) if s.title == "Sinh hoạt chi bộ"]
        assert section.figures["Số chi bộ"] == 2
        assert section.figures["Chi bộ đã sinh hoạt tháng này"] == 1
        assert section.figures["Tỷ lệ dự họp tháng này"] == "80%"
        assert section.figures["Chi bộ chưa sinh hoạt tháng này"] == 1
        assert "1 chi bộ chưa sinh hoạt trong tháng này." in section.alerts
        assert "2 chi bộ chưa sinh hoạt chuyên đề trong quý này." in section.alerts


def test_menu_leads_each_role_to_its_page(as_role):
    assert 'href="/meetings/overview/"' in as_role("grassroots_admin").text("/manage")
    assert 'href="/meetings/overview/plan"' in as_role("secretary").text("/manage")
    member_home = as_role("member").text("/")
    assert "/meetings/overview" not in member_home
    for role in ("grassroots_admin", "secretary", "member", "province_admin"):
        assert as_role(role).get("/").status_code == 200, role


def test_demo_year_shows_missed_months_and_the_paper_branch(app, as_role, accounts):
    import random

    from core.demo import DemoWorld
    from core.org.models import Organisation
    from plugins.meetings import demo_overview

    with app.app_context():
        province = db.session.get(Organisation, branch_id(app, accounts["province_admin"]["org"]))
        branches = tuple(db.session.scalars(select(Organisation.id).where(
            Organisation.province_id == province.id, Organisation.level == "branch")))
        orgs = {role: branch_id(app, accounts[role]["org"]) for role in ("secretary", "secretary_other_branch")}
        demo_overview.seed(DemoWorld(province.id, 0, orgs, {}, accounts, branches, random.Random(7), True))
        db.session.commit()
        paper = demo_overview._paper_branch(DemoWorld(province.id, 0, orgs, {}, accounts, branches, random.Random(7), True))
    province_admin = as_role("province_admin")
    page = province_admin.text("/meetings/overview/")
    assert "✓" in page and "⚑" in page
    evidence = province_admin.text(f"/meetings/overview/branch/{paper}")
    assert "Biên bản giống tháng trước" in evidence and "Ghi nhận muộn sau ngày họp" in evidence
    plans = province_admin.text("/meetings/overview/plans")
    assert "Chưa nhập" in plans


def test_no_materials_nor_comments_alone_is_no_sign(app, as_role, accounts):
    a = branch_id(app, accounts["secretary"]["org"])
    for m, present in ((3, 10), (2, 14), (1, 11)):
        add_meeting(app, a, -m, present=present, conclusions=f"Kết luận tháng {m}")
    page = as_role("grassroots_admin").text(f"/meetings/overview/branch/{a}")
    assert "Không thấy dấu hiệu nào trong 12 tháng qua." in page
