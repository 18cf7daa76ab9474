"""Demo data: tasks given by the branch secretary, the grassroots committee and the district,
cascaded to every branch below, at various stages — one late, one waiting for acceptance, one
with more time asked for — so every demo role sees the feature working. Rows go in bulk."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from core.api import DemoWorld, Organisation, User, db, local_to_utc, today_local
from plugins.tasks import service
from plugins.tasks.models import ACCEPTED, DONE, PASSED, TO_BRANCHES, TO_MEMBERS, TasksEntry, TasksRow, TasksTask


def has_data() -> bool:
    """Seeded already (a plugin whose tables are missing is never called: core.demo.seed_plugins)."""
    return db.session.query(TasksTask.id).first() is not None


def _member(user_id: int | None) -> int | None:
    return db.session.scalar(select(User.member_id).where(User.id == user_id)) if user_id else None


def _org(org_id: int) -> Organisation:
    return db.session.get(Organisation, org_id)


def seed(demo: DemoWorld) -> None:
    today = today_local(demo.province_id)
    member, secretary = _member(demo.users["member"]), demo.users["secretary"]
    branch = _org(demo.orgs["secretary"])
    mates = [m for m in (member, _member(secretary)) if m]

    funds = service.new_task(branch, title="Vận động đóng góp Quỹ khuyến học của thôn",
                             description="Mỗi đồng chí đến vận động 5 hộ gia đình trong xóm mình phụ trách đóng "
                                         "góp Quỹ khuyến học năm học 2026–2027, ghi sổ và báo lại chi bộ.",
                             method="Đến tận nhà, giải thích mục đích của quỹ; không ép buộc; ghi tên hộ và số "
                                    "tiền vào sổ, chụp ảnh trang sổ gửi kèm báo cáo.",
                             due_on=today + timedelta(days=10), mode=TO_MEMBERS, repeat="none",
                             created_by_id=secretary, member_ids=mates)
    late = service.new_task(branch, title="Nộp bản kiểm điểm cá nhân cuối năm",
                            description="Đồng chí viết bản tự kiểm điểm năm 2026 theo mẫu của chi bộ, nộp cho "
                                        "đồng chí bí thư.", method="Viết tay hoặc đánh máy, ký tên.",
                            due_on=today - timedelta(days=3), due_time=time(17, 0), mode=TO_MEMBERS,
                            repeat="none", created_by_id=secretary, member_ids=mates)
    db.session.flush()
    if member:
        row = db.session.scalar(select(TasksRow).where(TasksRow.task_id == funds.id, TasksRow.member_id == member))
        row.state = ACCEPTED
        service.report(row, 40, "Đã đến vận động được 2 hộ: nhà bác Tư và nhà chị Hạnh, tổng 700.000 đồng.",
                       demo.users["member"])
        late_row = db.session.scalar(select(TasksRow).where(TasksRow.task_id == late.id,
                                                            TasksRow.member_id == member))
        service.ask_extension(late_row, today + timedelta(days=4), "Tôi đi viện mấy hôm, xin thêm ít ngày.",
                              demo.users["member"])

    grassroots = _org(demo.orgs["grassroots_admin"])
    service.new_task(grassroots, title="Báo cáo tình hình sinh hoạt chi bộ hằng tháng",
                     description="Các chi bộ báo cáo số buổi sinh hoạt, số đảng viên dự họp và nội dung chính "
                                 "trước ngày 25 hằng tháng.", method="Điền mẫu báo cáo đính kèm.",
                     due_on=today + timedelta(days=6), mode=TO_BRANCHES, repeat="monthly",
                     created_by_id=demo.users["grassroots_admin"])
    district = _org(demo.orgs["district_admin"])
    review = service.new_task(district, title="Rà soát, cập nhật lý lịch đảng viên năm 2026",
                              description="Các chi bộ rà soát thông tin lý lịch của đảng viên (nơi ở, nghề "
                                          "nghiệp, trình độ), đề nghị đảng viên bổ sung nếu thay đổi.",
                              method="Chi bộ phân công đảng viên tự kê khai; bí thư tổng hợp gửi Đảng ủy.",
                              due_on=today + timedelta(days=20), mode=TO_BRANCHES, repeat="none",
                              created_by_id=demo.users["district_admin"])
    db.session.flush()
    own_branch = db.session.scalar(select(TasksRow).where(TasksRow.task_id == review.id,
                                                          TasksRow.org_id == branch.id))
    if own_branch is not None and member:
        service.pass_on(own_branch, [member], secretary)
    _spread(review, demo)
    if demo.content:
        province = _org(demo.province_id)
        whole = service.new_task(province, title="Tổng kết 5 năm thực hiện Chỉ thị 05-CT/TW",
                                 description="Các chi bộ tổ chức tổng kết việc học tập và làm theo tư tưởng, "
                                             "đạo đức, phong cách Hồ Chí Minh giai đoạn 2021–2026.",
                                 method="Họp chi bộ chuyên đề, lập báo cáo theo đề cương gửi kèm.",
                                 due_on=today + timedelta(days=30), mode=TO_BRANCHES, repeat="none",
                                 created_by_id=demo.users["province_admin"])
        db.session.flush()
        _spread(whole, demo)
    other_province = demo.orgs.get("other_province_admin")
    if other_province:
        service.new_task(_org(other_province), title="Kiểm tra việc ghi sổ đảng viên",
                         description="Các chi bộ rà soát sổ danh sách đảng viên, báo cáo sai sót.",
                         due_on=today + timedelta(days=15), mode=TO_BRANCHES, repeat="none",
                         created_by_id=demo.users.get("other_province_admin"))
    _calendar(demo, today)
    other = demo.users.get("secretary_other_branch")
    other_member = _member(demo.users.get("member_other_branch"))
    if other and other_member:
        service.new_task(_org(demo.orgs["secretary_other_branch"]), title="Trực tiếp dân tại nhà văn hóa thôn",
                         description="Trực tiếp dân sáng thứ Bảy, ghi lại ý kiến của bà con.",
                         due_on=today + timedelta(days=5), mode=TO_MEMBERS, repeat="none",
                         created_by_id=other, member_ids=[other_member])


def _calendar(demo: DemoWorld, today) -> None:
    """Two entries of the demo member's own in their calendar."""
    for days, hour, title, place in ((1, 7, "Đi khám sức khỏe định kỳ", "Trạm y tế xã"),
                                     (4, 14, "Họp Hội Cựu chiến binh thôn", "Nhà văn hóa thôn")):
        at = local_to_utc(datetime.combine(today + timedelta(days=days), time(hour, 0)), demo.province_id)
        db.session.add(TasksEntry(user_id=demo.users["member"], title=title, starts_at=at, place=place))


def _spread(task: TasksTask, demo: DemoWorld) -> None:
    """Put the cascade's branch rows at various stages, in three bulk statements."""
    ids = list(db.session.scalars(select(TasksRow.id).where(TasksRow.task_id == task.id,
                                                            TasksRow.member_id.is_(None),
                                                            TasksRow.state == "new")))
    demo.rng.shuffle(ids)
    third = len(ids) // 3
    if third:
        db.session.execute(update(TasksRow).where(TasksRow.id.in_(ids[:third]))
                           .values(state=DONE, percent=100, done_at=task.created_at))
        db.session.execute(update(TasksRow).where(TasksRow.id.in_(ids[third:2 * third]))
                           .values(state=PASSED, percent=50))
