"""Planning: a branch secretary enters next month's date and topic; the levels above see who has
not, and remind them in one tap (once a month)."""
from __future__ import annotations

from sqlalchemy import func, select

from core.extensions import db
from core.notify.models import Notification
from plugins.meetings.models import Meeting
from plugins.meetings.overview_stats import add_months
from tests.plugins.meetings.overview_support import add_meeting, branch_id
from tests.support import local_today

NEXT = add_months(local_today(), 1)
LABEL = f"{NEXT:%m/%Y}"


def plan_data(**extra) -> dict:
    data = {"day": f"{NEXT:%Y}-{NEXT:%m}-12", "hour": "08:00", "kind": "thematic",
            "topic": "Học tập chuyên đề: làm theo tấm gương đạo đức Hồ Chí Minh", "place": "Nhà văn hóa xóm"}
    return {**data, **extra}


def planned(app, org_id: int) -> list[Meeting]:
    with app.app_context():
        found = list(db.session.scalars(select(Meeting).where(Meeting.org_id == org_id, Meeting.status == "planned")))
        db.session.expunge_all()
        return found


def test_secretary_enters_next_months_plan(app, as_role, accounts):
    secretary = as_role("secretary")
    page = secretary.text("/meetings/overview/plan")
    assert f"Kế hoạch sinh hoạt tháng {LABEL}" in page and accounts["secretary"]["org"] in page
    response = secretary.submit("/meetings/overview/plan", plan_data())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = secretary.text(response.location)
    assert "Đã lưu kế hoạch sinh hoạt tháng sau." in page and "Học tập chuyên đề" in page
    [meeting] = planned(app, branch_id(app, accounts["secretary"]["org"]))
    assert meeting.kind == "thematic" and meeting.title == f"Sinh hoạt chuyên đề tháng {LABEL}"
    # Saving again changes the same plan, never a second one.
    secretary.submit("/meetings/overview/plan", plan_data(kind="regular", topic="Kiểm điểm quý"))
    [meeting] = planned(app, meeting.org_id)
    assert meeting.kind == "regular" and meeting.topic == "Kiểm điểm quý"


def test_a_retried_plan_post_saves_one_meeting(app, as_role, accounts):
    secretary = as_role("secretary")
    data = plan_data(idempotency_key="p" * 32)
    assert secretary.submit("/meetings/overview/plan", data).status_code == 302
    assert secretary.submit("/meetings/overview/plan", data).status_code == 302
    assert len(planned(app, branch_id(app, accounts["secretary"]["org"]))) == 1


def test_bad_plans_are_refused_with_a_message_and_kept(app, as_role, accounts):
    secretary = as_role("secretary")
    for data, message in ((plan_data(day=""), "Đồng chí chọn ngày họp."),
                          (plan_data(day="2020-01-01"), f"Ngày họp phải trong tháng {LABEL}."),
                          (plan_data(day="31/02/xx"), "Vui lòng nhập ngày theo dạng 05/12/2025."),
                          (plan_data(topic="  "), "Đồng chí ghi nội dung, chủ đề buổi sinh hoạt."),
                          (plan_data(kind="secret"), "Vui lòng chọn trong danh sách."),
                          (plan_data(hour="25:99"), "Vui lòng nhập giờ theo dạng 19:30.")):
        response = secretary.submit("/meetings/overview/plan", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page, (data, page[-3000:])
        assert "Nhà văn hóa xóm" in page  # what was typed stays
    long_topic = "Nội dung rất dài. " * 2000
    assert secretary.submit("/meetings/overview/plan", plan_data(topic=long_topic)).status_code == 302
    assert planned(app, branch_id(app, accounts["secretary"]["org"]))[0].topic == long_topic.strip()


def test_plan_of_an_invited_meeting_is_not_changed_here(app, as_role, accounts):
    org = branch_id(app, accounts["secretary"]["org"])
    add_meeting(app, org, 1, status="invited", title="Họp đã mời")
    secretary = as_role("secretary")
    assert "Họp đã mời" in secretary.text("/meetings/overview/plan")
    response = secretary.submit("/meetings/overview/plan", plan_data(), form_page="/account")
    assert response.status_code == 400 and not planned(app, org)


def test_only_the_branchs_staff_plan_it(app, as_role, accounts):
    own, other = (branch_id(app, accounts[r]["org"]) for r in ("secretary", "secretary_other_branch"))
    for role in ("member", "family_helper", "member_other_branch"):
        assert as_role(role).get("/meetings/overview/plan").status_code == 404, role
    assert as_role("secretary").get(f"/meetings/overview/plan?org={other}").status_code == 404
    assert as_role("other_province_admin").get(f"/meetings/overview/plan?org={own}").status_code == 404
    response = as_role("member").submit("/meetings/overview/plan", plan_data(), form_page="/account")
    assert response.status_code == 404 and not planned(app, own)
    # An administrator above plans for a branch by naming it, and without one sees the list.
    grassroots = as_role("grassroots_admin")
    assert grassroots.submit(f"/meetings/overview/plan?org={other}", plan_data()).status_code == 302
    assert len(planned(app, other)) == 1
    assert grassroots.get("/meetings/overview/plan").location.endswith("/meetings/overview/plans")
    for forged in ("-1", "abc", "99999999999999999999"):
        assert grassroots.get(f"/meetings/overview/plan?org={forged}").status_code == 404


def test_levels_above_see_missing_plans_and_remind_once_a_month(app, as_role, accounts):
    own, other = (branch_id(app, accounts[r]["org"]) for r in ("secretary", "secretary_other_branch"))
    as_role("secretary").submit("/meetings/overview/plan", plan_data())
    grassroots = as_role("grassroots_admin")
    page = grassroots.text("/meetings/overview/plans")
    assert accounts["secretary_other_branch"]["org"] in page and "Chưa nhập" in page
    assert "Học tập chuyên đề" in page
    missing = grassroots.text("/meetings/overview/plans?show=missing")
    assert accounts["secretary_other_branch"]["org"] in missing and accounts["secretary"]["org"] not in missing
    response = grassroots.submit("/meetings/overview/plans/remind", {}, form_page="/meetings/overview/plans")
    assert response.status_code == 302
    assert "Đã nhắc đồng chí bí thư của 1 chi bộ." in grassroots.text(response.location)
    grassroots.submit("/meetings/overview/plans/remind", {}, form_page="/meetings/overview/plans")
    assert "Các chi bộ này đã được nhắc trong tháng." in grassroots.text("/meetings/overview/plans")
    with app.app_context():
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind == "meetings.branch_reminder")) == 1
    inbox = as_role("secretary_other_branch").text("/inbox/")
    assert f"Đề nghị chi bộ nhập kế hoạch sinh hoạt tháng {LABEL}." in inbox
    assert f"kế hoạch sinh hoạt tháng {LABEL}" not in as_role("secretary").text("/inbox/")


def test_other_province_and_members_do_not_see_the_plans(app, as_role, accounts):
    grassroots = branch_id(app, accounts["grassroots_admin"]["org"])
    for role in ("member", "secretary", "family_helper"):
        assert as_role(role).get("/meetings/overview/plans").status_code == 404, role
    other = as_role("other_province_admin")
    assert other.get(f"/meetings/overview/plans?org={grassroots}").status_code == 404
    assert other.submit(f"/meetings/overview/plans/remind?org={grassroots}", {},
                        form_page="/account").status_code == 404
    assert accounts["secretary"]["org"] not in other.text("/meetings/overview/plans")
