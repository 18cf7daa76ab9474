"""Demo data of the overview: a year of past meetings for every branch of the demo province
(some months missed, a thematic meeting most quarters, attendance and ratings on the counters),
one branch whose meetings look held only on paper, and next month's plans of about half the
branches (not the demo secretary's, who enters it)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from core.api import Member, MemberStatus, Organisation, db, files, local_to_utc, today_local
from plugins.meetings.models import FileRole, Meeting, MeetingFile, MeetingKind, MeetingStatus
from plugins.meetings.overview_stats import HELD, add_months

TOPICS = ["Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
          "Xây dựng nông thôn mới, đường giao thông liên xóm",
          "Phòng chống thiên tai mùa mưa bão", "Chuyển đổi số trong sinh hoạt chi bộ",
          "Công tác phát triển đảng viên mới", "Giữ gìn vệ sinh môi trường khu dân cư"]
CHUNK = 5000  # rows per bulk insert
SAME_CONCLUSIONS = "Chi bộ thống nhất tiếp tục thực hiện tốt các nhiệm vụ đã đề ra."
# One page, as a scanner would give it: the same file uploaded month after month.
MINUTES_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _paper_branch(demo) -> int:
    """A branch beside the demo secretary's (under the same grassroots), not the other secretary's."""
    branch_a = db.session.get(Organisation, demo.orgs["secretary"])
    siblings = [b for b in db.session.scalars(select(Organisation.id).where(
        Organisation.parent_id == branch_a.parent_id, Organisation.level == "branch").order_by(Organisation.id))
        if b not in (demo.orgs["secretary"], demo.orgs["secretary_other_branch"])]
    return siblings[0] if siblings else demo.orgs["secretary_other_branch"]


def seed(demo) -> None:
    """Fill the overview for the demo province (the caller commits)."""
    rng = demo.rng
    today = today_local(demo.province_id)
    expected = dict(db.session.execute(select(Member.org_id, func.count(Member.id)).where(
        Member.org_id.in_(demo.branches), Member.status == MemberStatus.ACTIVE.value).group_by(Member.org_id)).all())
    paper = _paper_branch(demo)
    minutes = files.save_bytes(MINUTES_PDF, namespace="meetings", filename="bien-ban-hop-chi-bo.pdf",
                               mimetype="application/pdf")
    meetings: list[dict] = []
    for branch in demo.branches:
        members = expected.get(branch, 0) or 10
        careless = rng.random() < 0.2  # a branch that often misses its meeting
        for months_ago in range(12, 0, -1):
            first = add_months(today, -months_ago)
            if branch != paper and rng.random() < (0.35 if careless else 0.06):
                continue  # missed
            kind = (MeetingKind.THEMATIC.value if first.month % 3 == 2 and rng.random() < 0.8
                    else MeetingKind.REGULAR.value)
            day = date(first.year, first.month, rng.choice([3, 5, 8, 10, 12, 15]))
            starts = local_to_utc(datetime.combine(day, time(8 if rng.random() < 0.5 else 19, 30)), demo.province_id)
            if branch == paper:
                present, recorded = min(12, members), starts + timedelta(days=rng.choice([9, 12, 20]))
            else:
                present = max(1, round(members * rng.uniform(0.65, 0.97)))
                recorded = starts + timedelta(hours=rng.choice([2, 3, 20]))
            raters = rng.randint(0, present)
            meetings.append(dict(
                org_id=branch, kind=kind, title=(f"Sinh hoạt chuyên đề tháng {first:%m/%Y}" if kind == "thematic"
                                                 else f"Sinh hoạt chi bộ thường kỳ tháng {first:%m/%Y}"),
                topic=rng.choice(TOPICS), starts_at=starts, place="Nhà văn hóa xóm",
                status=MeetingStatus.REPORTED.value if months_ago > 1 else MeetingStatus.HELD.value,
                expected_count=members, present_count=present, rating_count=raters,
                rating_sum=sum(rng.randint(3, 5) for _ in range(raters)),
                conclusions=SAME_CONCLUSIONS if branch == paper else
                f"Tháng {first:%m/%Y}, chi bộ thống nhất: {rng.choice(TOPICS).lower()}; giao đảng viên thực hiện.",
                invited_at=starts - timedelta(days=5), recorded_at=recorded,
                reported_at=recorded + timedelta(days=1) if months_ago > 1 else None,
                created_at=recorded, updated_at=recorded, draft_resolution=None))
    for start in range(0, len(meetings), CHUNK):  # a 100,000-member province has 5,000 branches
        db.session.execute(insert(Meeting), meetings[start:start + CHUNK])
    db.session.add_all([MeetingFile(meeting_id=meeting_id, role=FileRole.MINUTES.value, title="Biên bản cuộc họp",
                                    file_id=minutes.id)
                        for meeting_id in db.session.scalars(select(Meeting.id).where(
                            Meeting.org_id == paper, Meeting.status.in_(HELD)))])
    _plans(demo, today)


def _plans(demo, today: date) -> None:
    """Next month's plans of about half the branches; the demo secretary's is left to enter."""
    month = add_months(today, 1)
    rows = []
    for branch in demo.branches:
        if branch == demo.orgs["secretary"] or demo.rng.random() < 0.5:
            continue
        day = date(month.year, month.month, demo.rng.choice([4, 6, 9, 11]))
        rows.append(dict(org_id=branch, kind=MeetingKind.REGULAR.value, status=MeetingStatus.PLANNED.value,
                         title=f"Sinh hoạt chi bộ thường kỳ tháng {month:%m/%Y}", topic=demo.rng.choice(TOPICS),
                         starts_at=local_to_utc(datetime.combine(day, time(8)), demo.province_id),
                         place="Nhà văn hóa xóm"))
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Meeting), rows[start:start + CHUNK])
