"""Demo data of the branch's side: in the demo province's branches, a meeting held ten days ago
(participants, answers, attendance, comments, conclusions, resolution, minutes) and a meeting
next week with its agenda, draft resolution, materials (one confidential) and invitations sent,
some members having answered. The tests' database (`demo.content` False) gets none: each test
places the meetings it needs, and the other parts' tests count on empty branches. The hall's
and the overview's demo parts add their own."""
from __future__ import annotations

import importlib
from datetime import datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

from core.api import (ContentItem, Organisation, User, db, files, local_to_utc, today_local, utcnow)
from plugins.meetings.models import (AgendaItem, Comment, FileRole, Meeting, MeetingFile, MeetingKind,
                                     MeetingStatus, Participant)
from plugins.meetings.service import invite

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
AGENDA_PAST = ["Đánh giá kết quả thực hiện nghị quyết tháng trước",
               "Thông tin thời sự, văn bản mới của cấp trên",
               "Bàn biện pháp thu hoạch vụ mùa và phòng chống rét cho đàn trâu bò",
               "Phương hướng, nhiệm vụ tháng tới"]
AGENDA_NEXT = ["Kiểm điểm việc thực hiện nghị quyết tháng trước",
               "Học tập chuyên đề: trách nhiệm nêu gương của đảng viên",
               "Góp ý dự thảo nghị quyết về làm đường bê tông liên xóm",
               "Cho ý kiến về quần chúng ưu tú đề nghị kết nạp Đảng",
               "Phân công nhiệm vụ tháng tới"]
DRAFT = ("1. Mỗi đảng viên vận động ít nhất 5 hộ tham gia hiến đất, góp công làm 1,2 km đường bê tông "
         "liên xóm, hoàn thành trước ngày 30/4.\n2. Chi bộ phân công đồng chí Bí thư phụ trách chung, "
         "đồng chí Phó Bí thư theo dõi tiến độ hằng tuần.\n3. Tiếp tục vận động thu quỹ khuyến học, "
         "phấn đấu 100% hộ tham gia.")
COMMENTS = ["Đề nghị ghi rõ mức đóng góp của mỗi hộ để bà con dễ thực hiện.",
            "Tôi nhận vận động 7 hộ ở cuối xóm, đề nghị chi bộ hỗ trợ thêm xi măng cho hộ nghèo.",
            "Nên lùi hạn hoàn thành sang 15/5 vì tháng 4 đang vào vụ chè."]


def _pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with Vietnamese text (DejaVu Sans, as the watermark uses)."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    if FONT.exists():
        document.add_font("dejavu", fname=str(FONT))
        document.set_font("dejavu", size=13)
    else:  # pragma: no cover - ./sotay installs fonts-dejavu-core
        document.set_font("helvetica", size=13)
        title, lines = title.encode("ascii", "ignore").decode(), [l.encode("ascii", "ignore").decode() for l in lines]
    document.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    document.ln(4)
    for line in lines:
        document.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def _branches(demo) -> list[int]:
    own = [demo.orgs["secretary"], demo.orgs["secretary_other_branch"]]
    return own + [b for b in demo.branches if b not in own]


def _at(demo, day, hour: int, minute: int = 30) -> datetime:
    return local_to_utc(datetime.combine(day, time(hour, minute)), demo.province_id)


def _material(meeting: Meeting, title: str, data: bytes, *, confidential: bool = False, position: int = 0,
              role: str = FileRole.MATERIAL.value) -> MeetingFile:
    stored = files.save_bytes(data, namespace="meetings", filename=f"{title}.pdf", mimetype="application/pdf",
                              sensitive=confidential)
    row = MeetingFile(meeting_id=meeting.id, role=role, title=title, file_id=stored.id,
                      confidential=confidential, position=position, added_by_id=meeting.created_by_id)
    db.session.add(row)
    return row


def _secretary_of(demo, branch: int) -> int | None:
    for role in ("secretary", "secretary_other_branch"):
        if demo.orgs.get(role) == branch:
            return demo.users[role]
    return None


def _past(demo, branch: Organisation, today) -> Meeting:
    rng = demo.rng
    day = today - timedelta(days=10)
    meeting = Meeting(org_id=branch.id, kind=MeetingKind.REGULAR.value, title=f"Sinh hoạt chi bộ thường kỳ tháng {day:%m/%Y}",
                      topic="Thu hoạch vụ mùa, chăm lo đời sống nhân dân", starts_at=_at(demo, day, 19),
                      place=f"Nhà văn hóa {branch.name.replace('Chi bộ ', '')}", created_by_id=_secretary_of(demo, branch.id),
                      draft_resolution="Chi bộ vận động nhân dân thu hoạch vụ mùa gọn, nhanh; tiêm phòng cho đàn gia súc.")
    meeting.agenda = [AgendaItem(position=n, title=t) for n, t in enumerate(AGENDA_PAST)]
    db.session.add(meeting)
    db.session.flush()
    invite(meeting, tell=False)
    meeting.invited_at = meeting.starts_at - timedelta(days=5)
    present = 0
    for participant in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting.id)):
        if participant.member_status != "active":
            continue  # exempt: not expected
        roll = rng.random()
        if roll < 0.85:
            participant.rsvp, participant.presence = "yes", "present"
            present += 1
        elif roll < 0.95:
            participant.rsvp, participant.presence = "no", "excused"
            participant.rsvp_reason = participant.absence_reason = rng.choice(
                ["Đi làm ăn xa", "Ốm, đang điều trị tại trạm y tế xã", "Đưa con đi khám bệnh ở huyện"])
        else:
            participant.presence = "absent"
    meeting.present_count = present
    meeting.recorded_at = meeting.starts_at + timedelta(hours=2)
    meeting.conclusions = ("Chi bộ thống nhất: hoàn thành thu hoạch lúa mùa trước ngày 25; mỗi đảng viên "
                           "phụ trách vận động 5 hộ tiêm phòng cho trâu bò; chuẩn bị tốt cho ngày hội đại đoàn kết.")
    meeting.resolution = meeting.conclusions
    meeting.issued_at = meeting.recorded_at + timedelta(hours=20)
    meeting.status = MeetingStatus.REPORTED.value
    meeting.reported_at = meeting.issued_at
    _material(meeting, "Biên bản cuộc họp", _pdf("BIÊN BẢN SINH HOẠT CHI BỘ", [
        f"{branch.name}, ngày {day:%d/%m/%Y}", f"Có mặt {present} đồng chí.", *AGENDA_PAST, meeting.conclusions]),
        role=FileRole.MINUTES.value)
    return meeting


def _next_week(demo, branch: Organisation, today, members: dict[int, int]) -> Meeting:
    rng = demo.rng
    day = today + timedelta(days=7)
    thematic = rng.random() < 0.3
    meeting = Meeting(org_id=branch.id, kind=MeetingKind.THEMATIC.value if thematic else MeetingKind.REGULAR.value,
                      title=(f"Sinh hoạt chuyên đề tháng {day:%m/%Y}" if thematic
                             else f"Sinh hoạt chi bộ thường kỳ tháng {day:%m/%Y}"),
                      topic="Trách nhiệm nêu gương của cán bộ, đảng viên" if thematic else None,
                      starts_at=_at(demo, day, 19), place=f"Nhà văn hóa {branch.name.replace('Chi bộ ', '')}",
                      created_by_id=_secretary_of(demo, branch.id), draft_resolution=DRAFT)
    meeting.agenda = [AgendaItem(position=n, title=t) for n, t in enumerate(AGENDA_NEXT)]
    db.session.add(meeting)
    db.session.flush()
    document = db.session.scalar(select(ContentItem).where(
        ContentItem.kind == "document", ContentItem.status == "published",
        ContentItem.org_id.in_(select(Organisation.id).where(Organisation.province_id == demo.province_id)))
        .order_by(ContentItem.id).limit(1))
    if document is not None:
        db.session.add(MeetingFile(meeting_id=meeting.id, title=document.title, content_id=document.id, position=0))
    _material(meeting, "Dự thảo nghị quyết làm đường bê tông liên xóm",
              _pdf("DỰ THẢO NGHỊ QUYẾT", DRAFT.split("\n")), position=1)
    _material(meeting, "Hồ sơ quần chúng đề nghị kết nạp Đảng (mật)",
              _pdf("HỒ SƠ ĐỀ NGHỊ KẾT NẠP ĐẢNG — TÀI LIỆU MẬT", [
                  "Lý lịch, nhận xét của đoàn thể và chi ủy về quần chúng ưu tú.",
                  "Chỉ dùng trong cuộc họp chi bộ; không sao chụp, không chuyển tiếp."]),
              confidential=True, position=2)
    db.session.flush()
    invite(meeting)
    participants = list(db.session.scalars(select(Participant).where(Participant.meeting_id == meeting.id)))
    demo_member = members.get(demo.users.get("member"))
    for participant in participants:
        if participant.member_id == demo_member:
            continue  # the demo member answers it themselves
        roll = rng.random()
        if roll < 0.45:
            participant.rsvp, participant.rsvp_at = "yes", utcnow()
        elif roll < 0.55:
            participant.rsvp, participant.rsvp_at = "no", utcnow()
            participant.rsvp_reason = rng.choice(["Đi công tác dưới huyện", "Trực ca ở nhà máy", "Nhà có đám giỗ"])
    voices = [p for p in participants if p.member_id != demo_member][:len(COMMENTS)]
    for participant, text in zip(voices, COMMENTS):
        db.session.add(Comment(meeting_id=meeting.id, member_id=participant.member_id, body=text,
                               created_at=utcnow() - timedelta(hours=rng.randint(2, 40))))
    return meeting


def seed(demo) -> None:
    """The branch's meetings of the demo (the caller commits)."""
    if not demo.content:
        return
    today = today_local(demo.province_id)
    members = dict(db.session.execute(select(User.id, User.member_id).where(
        User.id.in_([u for u in demo.users.values() if u]))).all())
    made = []
    for branch_id in _branches(demo):
        branch = db.session.get(Organisation, branch_id)
        made += [_past(demo, branch, today), _next_week(demo, branch, today, members)]
    db.session.flush()
    try:  # the hall's demo part (attendance codes, votes, ratings), if it is there
        hall = importlib.import_module("plugins.meetings.demo_hall")
    except ModuleNotFoundError:
        return
    hall.seed(demo, made)
