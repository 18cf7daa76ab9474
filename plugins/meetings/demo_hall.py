"""The hall's part of the demo (A's demo.seed calls `seed(demo, meetings)`): for each past
meeting, the counters the overview reads, a show-of-hands vote and a secret phone vote on an
admission, and members' ratings with comments. The demo member's own rating is left for them
to give. The caller commits."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.api import User, db
from plugins.meetings.hall import eligible_count, passes, recount
from plugins.meetings.models import Ballot, Meeting, Participant, Rating, Vote

COMMENTS = ["Họp đúng giờ, nội dung thiết thực.", "Nên gửi tài liệu sớm hơn để đọc trước.",
            "Đồng chí bí thư điều hành gọn, ai cũng được phát biểu.", None, None,
            "Cần bàn kỹ hơn việc làm đường liên xóm.", None]


def seed(demo, meetings: list[Meeting]) -> None:
    rng = demo.rng
    demo_member = db.session.scalar(select(User.member_id).where(User.id == demo.users.get("member")))
    for meeting in meetings:
        if meeting.status not in ("held", "reported"):
            continue
        recount(meeting)
        people = list(db.session.scalars(select(Participant).where(Participant.meeting_id == meeting.id)
                                         .order_by(Participant.id)))
        present = [p for p in people if p.presence == "present"]
        hands = Vote(meeting_id=meeting.id, question="Thông qua nghị quyết chi bộ tháng này", method="hands",
                     electorate="all", threshold="majority", eligible_count=eligible_count(meeting, "all"),
                     opened_at=meeting.starts_at + timedelta(minutes=80),
                     closed_at=meeting.starts_at + timedelta(minutes=85))
        hands.yes_count = max(len(present) - 1, 0)
        hands.abstain_count = len(present) - hands.yes_count
        hands.passed = passes(hands)
        admission = Vote(meeting_id=meeting.id, question="Đề nghị kết nạp quần chúng Lò Thị Hoa vào Đảng",
                         method="phones", secret=True, electorate="official", threshold="two_thirds",
                         eligible_count=eligible_count(meeting, "official"),
                         opened_at=meeting.starts_at + timedelta(minutes=60),
                         closed_at=meeting.starts_at + timedelta(minutes=70))
        db.session.add_all([hands, admission])
        db.session.flush()
        for person in present:
            if person.member_status == "active" and person.member_kind == "official":
                choice = "yes" if rng.random() < 0.92 else "no"
                db.session.add(Ballot(vote_id=admission.id, member_id=person.member_id, choice=None,
                                      cast_at=admission.opened_at + timedelta(minutes=rng.randint(1, 9))))
                setattr(admission, f"{choice}_count", getattr(admission, f"{choice}_count") + 1)
        admission.passed = passes(admission)
        raters = [p for p in present if p.member_id != demo_member][:12]
        for person in raters:
            score = rng.choice([3, 4, 4, 4, 5, 5])
            db.session.add(Rating(meeting_id=meeting.id, member_id=person.member_id, score=score,
                                  comment=rng.choice(COMMENTS),
                                  created_at=meeting.starts_at + timedelta(hours=rng.randint(3, 30))))
            meeting.rating_count += 1
            meeting.rating_sum += score
