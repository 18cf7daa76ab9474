"""Demo data: a question bank on the Party Charter (Điều lệ Đảng) at the province, the written
round of the good-branch-secretary contest open now for the secretaries, a Charter contest open
for every member of the district, and (full demo only) a contest closed last week with results."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from core.api import SECRETARY, Audience, DemoWorld, db, utcnow
from plugins.quizzes.models import MEMBERS, MULTIPLE, SECRETARIES, SINGLE, QuizContest, QuizQuestion

CHARTER = "Điều lệ Đảng Cộng sản Việt Nam"
# (topic, difficulty, text, options, right indexes, explanation, article)
QUESTIONS = [
    ("Đảng viên", 1, "Theo Điều lệ Đảng, công dân Việt Nam được xét kết nạp vào Đảng phải ở độ tuổi nào?",
     ["Từ đủ 18 tuổi đến 60 tuổi", "Từ đủ 16 tuổi đến 60 tuổi", "Từ đủ 18 tuổi đến 55 tuổi", "Từ đủ 20 tuổi trở lên"],
     [0], "Người vào Đảng phải từ đủ mười tám tuổi đến sáu mươi tuổi (tính theo tháng).", "Điều 1, khoản 2"),
    ("Đảng viên", 1, "Thời gian dự bị của đảng viên mới được kết nạp là bao lâu?",
     ["6 tháng", "12 tháng", "18 tháng", "24 tháng"], [1],
     "Người được kết nạp vào Đảng phải trải qua thời kỳ dự bị mười hai tháng.", "Điều 5, khoản 1"),
    ("Đảng viên", 2, "Đảng viên dự bị không có những quyền nào sau đây?",
     ["Quyền biểu quyết", "Quyền ứng cử vào cơ quan lãnh đạo của Đảng", "Quyền bầu cử cơ quan lãnh đạo của Đảng",
      "Quyền được thông tin và thảo luận các vấn đề về Cương lĩnh, Điều lệ Đảng"], [0, 1, 2],
     "Đảng viên dự bị có các quyền như đảng viên chính thức, trừ quyền biểu quyết, ứng cử và bầu cử cơ quan "
     "lãnh đạo của Đảng.", "Điều 3"),
    ("Đảng viên", 1, "Điều lệ Đảng quy định đảng viên có bao nhiêu nhiệm vụ?",
     ["3 nhiệm vụ", "4 nhiệm vụ", "5 nhiệm vụ", "6 nhiệm vụ"], [1],
     "Điều 2 của Điều lệ Đảng quy định bốn nhiệm vụ của đảng viên.", "Điều 2"),
    ("Đảng viên", 1, "Điều lệ Đảng quy định đảng viên có bao nhiêu quyền?",
     ["3 quyền", "4 quyền", "5 quyền", "6 quyền"], [1],
     "Điều 3 của Điều lệ Đảng quy định bốn quyền của đảng viên.", "Điều 3"),
    ("Đảng viên", 2, "Người giới thiệu một quần chúng vào Đảng phải đáp ứng điều kiện nào?",
     ["Là đảng viên chính thức và cùng công tác với người vào Đảng ít nhất một năm",
      "Là đảng viên dự bị trở lên và cùng công tác ít nhất sáu tháng",
      "Là cấp ủy viên cơ sở", "Là bí thư chi bộ nơi người đó sinh hoạt"], [0],
     "Người giới thiệu phải là đảng viên chính thức và cùng công tác với người vào Đảng ít nhất một năm.",
     "Điều 4, khoản 2"),
    ("Đảng viên", 2, "Tuổi đảng của đảng viên được tính từ ngày nào?",
     ["Từ ngày có quyết định kết nạp", "Từ ngày được công nhận đảng viên chính thức",
      "Từ ngày nhận thẻ đảng viên", "Từ ngày làm đơn xin vào Đảng"], [1],
     "Tuổi đảng tính từ ngày được công nhận chính thức, trừ thời gian không tham gia sinh hoạt đảng.",
     "Điều 5, khoản 4"),
    ("Đảng viên", 2, "Khi hết thời kỳ dự bị, chậm nhất bao nhiêu ngày làm việc chi bộ phải xét công nhận "
     "đảng viên chính thức?", ["15 ngày làm việc", "30 ngày làm việc", "45 ngày làm việc", "60 ngày làm việc"], [1],
     "Chậm nhất ba mươi ngày làm việc kể từ ngày hết mười hai tháng dự bị, chi bộ phải xét và đề nghị "
     "công nhận chính thức.", "Điều 5, khoản 3"),
    ("Đảng viên", 1, "Đảng viên tuổi cao, sức khỏe yếu tự nguyện xin giảm, miễn công tác và sinh hoạt đảng "
     "thì cấp nào xem xét, quyết định?", ["Chi bộ", "Đảng ủy cơ sở", "Ủy ban kiểm tra cấp trên", "Huyện ủy"], [0],
     "Đảng viên tuổi cao, sức khỏe yếu, tự nguyện làm đơn thì chi bộ xem xét, quyết định cho giảm, miễn "
     "công tác và sinh hoạt đảng.", "Điều 7"),
    ("Đảng viên", 2, "Đảng viên bỏ sinh hoạt chi bộ hoặc không đóng đảng phí bao nhiêu tháng trong năm mà "
     "không có lý do chính đáng thì chi bộ xem xét, đề nghị xóa tên?",
     ["Hai tháng", "Ba tháng", "Bốn tháng", "Sáu tháng"], [1],
     "Đảng viên bỏ sinh hoạt chi bộ hoặc không đóng đảng phí ba tháng trong năm mà không có lý do chính "
     "đáng thì chi bộ xem xét, đề nghị lên cấp có thẩm quyền xóa tên.", "Điều 8, khoản 2"),
    ("Nguyên tắc tổ chức", 1, "Nguyên tắc tổ chức cơ bản của Đảng Cộng sản Việt Nam là gì?",
     ["Tập thể lãnh đạo, cá nhân phụ trách", "Tập trung dân chủ", "Tự phê bình và phê bình", "Đoàn kết thống nhất"],
     [1], "Đảng Cộng sản Việt Nam tổ chức theo nguyên tắc tập trung dân chủ.", "Điều 9"),
    ("Nguyên tắc tổ chức", 3, "Nội dung cơ bản của nguyên tắc tập trung dân chủ được Điều lệ Đảng nêu thành "
     "bao nhiêu điểm?", ["4 điểm", "5 điểm", "6 điểm", "7 điểm"], [2],
     "Điều 9 nêu sáu nội dung cơ bản của nguyên tắc tập trung dân chủ.", "Điều 9"),
    ("Nguyên tắc tổ chức", 1, "Cơ quan lãnh đạo cao nhất của Đảng là cơ quan nào?",
     ["Ban Chấp hành Trung ương", "Bộ Chính trị", "Đại hội đại biểu toàn quốc", "Ban Bí thư"], [2],
     "Cơ quan lãnh đạo cao nhất của Đảng là Đại hội đại biểu toàn quốc.", "Điều 15"),
    ("Nguyên tắc tổ chức", 1, "Đại hội đại biểu toàn quốc của Đảng được triệu tập thường lệ mấy năm một lần?",
     ["3 năm", "4 năm", "5 năm", "10 năm"], [2],
     "Đại hội đại biểu toàn quốc do Ban Chấp hành Trung ương triệu tập thường lệ năm năm một lần.", "Điều 15"),
    ("Nguyên tắc tổ chức", 2, "Ủy ban kiểm tra các cấp do ai bầu ra?",
     ["Đại hội đảng bộ cùng cấp", "Cấp ủy cùng cấp", "Ủy ban kiểm tra cấp trên", "Ban thường vụ cấp ủy cấp trên"],
     [1], "Ủy ban kiểm tra các cấp do cấp ủy cùng cấp bầu.", "Điều 32"),
    ("Tổ chức cơ sở đảng", 1, "Tổ chức cơ sở đảng có vai trò gì?",
     ["Là nền tảng của Đảng, hạt nhân chính trị ở cơ sở", "Là cơ quan tham mưu của cấp ủy cấp trên",
      "Là cơ quan quản lý nhà nước ở cơ sở", "Là tổ chức chính trị - xã hội ở cơ sở"], [0],
     "Tổ chức cơ sở đảng (chi bộ cơ sở, đảng bộ cơ sở) là nền tảng của Đảng, là hạt nhân chính trị ở cơ sở.",
     "Điều 21"),
    ("Tổ chức cơ sở đảng", 2, "Ở một đơn vị cơ sở, có từ bao nhiêu đảng viên chính thức trở lên thì được lập "
     "tổ chức cơ sở đảng?", ["2 đảng viên", "3 đảng viên", "5 đảng viên", "9 đảng viên"], [1],
     "Ở xã, phường, thị trấn và các đơn vị cơ sở có từ ba đảng viên chính thức trở lên được lập tổ chức "
     "cơ sở đảng.", "Điều 21"),
    ("Tổ chức cơ sở đảng", 2, "Tổ chức cơ sở đảng có từ bao nhiêu đảng viên trở lên thì lập đảng bộ cơ sở?",
     ["20 đảng viên", "25 đảng viên", "30 đảng viên", "50 đảng viên"], [2],
     "Tổ chức cơ sở đảng dưới ba mươi đảng viên lập chi bộ cơ sở; từ ba mươi đảng viên trở lên lập đảng bộ "
     "cơ sở, có các chi bộ trực thuộc.", "Điều 21"),
    ("Tổ chức cơ sở đảng", 1, "Chi bộ sinh hoạt thường kỳ bao lâu một lần?",
     ["Hai tuần một lần", "Mỗi tháng một lần", "Hai tháng một lần", "Mỗi quý một lần"], [1],
     "Chi bộ, chi ủy họp thường lệ mỗi tháng một lần.", "Điều 24"),
    ("Tổ chức cơ sở đảng", 2, "Chi bộ có từ bao nhiêu đảng viên chính thức trở lên thì bầu chi ủy?",
     ["5 đảng viên", "7 đảng viên", "9 đảng viên", "12 đảng viên"], [2],
     "Chi bộ có từ chín đảng viên chính thức trở lên bầu chi ủy; dưới chín đảng viên chính thức bầu bí thư, "
     "nếu cần bầu phó bí thư.", "Điều 24"),
    ("Tổ chức cơ sở đảng", 2, "Sau khi chi bộ xét và đề nghị kết nạp đảng viên, cấp nào quyết định kết nạp?",
     ["Đại hội chi bộ", "Ban thường vụ cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng",
      "Ủy ban kiểm tra đảng ủy cơ sở", "Ban Tổ chức Tỉnh ủy"], [1],
     "Ban thường vụ cấp ủy cấp trên trực tiếp của tổ chức cơ sở đảng (hoặc đảng ủy cơ sở được ủy quyền) "
     "xem xét, quyết định kết nạp.", "Điều 4, khoản 3"),
    ("Kỷ luật của Đảng", 2, "Những hình thức kỷ luật nào áp dụng đối với đảng viên dự bị?",
     ["Khiển trách", "Cảnh cáo", "Cách chức", "Khai trừ"], [0, 1],
     "Đảng viên dự bị vi phạm bị kỷ luật bằng hình thức khiển trách hoặc cảnh cáo.", "Điều 35"),
    ("Kỷ luật của Đảng", 2, "Những hình thức kỷ luật nào áp dụng đối với tổ chức đảng?",
     ["Khiển trách", "Cảnh cáo", "Cách chức", "Giải tán"], [0, 1, 3],
     "Tổ chức đảng vi phạm bị kỷ luật bằng các hình thức khiển trách, cảnh cáo, giải tán.", "Điều 35"),
    ("Kỷ luật của Đảng", 1, "Hình thức kỷ luật đối với đảng viên chính thức gồm những hình thức nào?",
     ["Khiển trách", "Cảnh cáo", "Cách chức", "Khai trừ"], [0, 1, 2, 3],
     "Đảng viên chính thức vi phạm bị kỷ luật bằng các hình thức khiển trách, cảnh cáo, cách chức, khai trừ.",
     "Điều 35"),
    ("Kỷ luật của Đảng", 3, "Đảng viên bị kỷ luật cách chức thì trong thời hạn bao lâu kể từ ngày có quyết định "
     "không được bầu vào cấp ủy, không được bổ nhiệm vào chức vụ tương đương hoặc cao hơn?",
     ["6 tháng", "Một năm", "Hai năm", "Ba năm"], [1],
     "Đảng viên bị kỷ luật cách chức, trong thời hạn một năm kể từ ngày có quyết định, không được bầu vào "
     "cấp ủy, không được bổ nhiệm vào chức vụ tương đương và cao hơn.", "Điều 38"),
    ("Cương lĩnh và mục đích", 1, "Đảng Cộng sản Việt Nam lấy gì làm nền tảng tư tưởng, kim chỉ nam cho hành động?",
     ["Chủ nghĩa Mác - Lênin và tư tưởng Hồ Chí Minh", "Chủ nghĩa Mác - Lênin",
      "Tư tưởng Hồ Chí Minh", "Cương lĩnh chính trị năm 1930"], [0],
     "Đảng lấy chủ nghĩa Mác - Lênin và tư tưởng Hồ Chí Minh làm nền tảng tư tưởng, kim chỉ nam cho hành động.",
     "Phần mở đầu"),
    ("Cương lĩnh và mục đích", 2, "Mục đích của Đảng được Điều lệ Đảng nêu gồm những nội dung nào?",
     ["Xây dựng nước Việt Nam độc lập, dân giàu, nước mạnh, dân chủ, công bằng, văn minh",
      "Không còn người bóc lột người", "Thực hiện thành công chủ nghĩa xã hội và cuối cùng là chủ nghĩa cộng sản",
      "Trở thành nước công nghiệp phát triển vào năm 2030"], [0, 1, 2],
     "Mục đích của Đảng là xây dựng nước Việt Nam độc lập, dân giàu, nước mạnh, dân chủ, công bằng, văn minh, "
     "không còn người bóc lột người, thực hiện thành công chủ nghĩa xã hội và cuối cùng là chủ nghĩa cộng sản.",
     "Phần mở đầu"),
]


def add_bank(org_id: int, created_by_id: int | None = None, count: int | None = None, *,
             topic: str | None = None, ref: str = "DL") -> int:
    """The Charter questions in `org_id`'s bank, in one insert (repeated to reach `count`, each
    numbered); `topic` puts them all under one topic of their own (a contest drawing from it)."""
    rows = []
    wanted = count or len(QUESTIONS)
    for n in range(wanted):
        own_topic, difficulty, text, options, correct, why, article = QUESTIONS[n % len(QUESTIONS)]
        if n >= len(QUESTIONS):
            text = f"{text} (câu {n + 1})"
        rows.append({"org_id": org_id, "ref": f"{ref}-{n + 1:03d}", "topic": topic or own_topic, "difficulty": difficulty,
                     "kind": MULTIPLE if len(correct) > 1 else SINGLE, "text": text, "options": options,
                     "correct": correct, "explanation": why, "source": f"{CHARTER}, {article}", "practice": True,
                     "created_by_id": created_by_id, "created_at": utcnow(), "updated_at": utcnow()})
    db.session.execute(insert(QuizQuestion), rows)
    return len(rows)


def seed(demo: DemoWorld) -> None:
    if db.session.scalar(select(QuizQuestion.id).limit(1)) is not None:
        return
    province, district = demo.orgs["province_admin"], demo.orgs["district_admin"]
    add_bank(province, demo.users.get("province_admin"))
    now = utcnow().replace(second=0, microsecond=0)
    db.session.add_all([
        QuizContest(org_id=province, title="Hội thi Bí thư chi bộ giỏi năm 2026 - vòng thi viết",
                    intro="Mỗi đồng chí bí thư chi bộ làm bài một lần, 20 câu trong 30 phút. Câu trả lời được lưu "
                          "ngay khi chọn; nếu mất sóng, đồng chí đăng nhập lại và làm tiếp, thời gian vẫn tính "
                          "theo máy chủ.",
                    audience=Audience(org_ids=(province,), roles=(SECRETARY,)).as_json(), takers=SECRETARIES,
                    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7), minutes=30,
                    question_count=20, shuffle=True, attempts_allowed=1, created_by_id=demo.users.get("province_admin")),
        QuizContest(org_id=district, title="Tìm hiểu Điều lệ Đảng",
                    intro="Cuộc thi dành cho mọi đảng viên trong huyện, 10 câu trong 15 phút, được làm hai lần.",
                    audience=Audience(org_ids=(district,)).as_json(), takers=MEMBERS,
                    opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=14), minutes=15,
                    question_count=10, shuffle=True, attempts_allowed=2, created_by_id=demo.users.get("district_admin")),
    ])
    if demo.content:
        seed_closed(demo, now)


def seed_closed(demo: DemoWorld, now) -> None:
    """A contest closed last week, with the demo members' attempts: results and rankings to read."""
    from plugins.quizzes.models import QuizAnswer, QuizAttempt
    from plugins.quizzes.service import draw, score_of

    grassroots = demo.orgs["grassroots_admin"]
    contest = QuizContest(org_id=grassroots, title="Thi tìm hiểu Điều lệ Đảng đợt 1",
                          audience=Audience(org_ids=(grassroots,)).as_json(), takers=MEMBERS,
                          opens_at=now - timedelta(days=10), closes_at=now - timedelta(days=7), minutes=15,
                          question_count=10, created_by_id=demo.users.get("grassroots_admin"))
    db.session.add(contest)
    db.session.flush()
    for n, role in enumerate(("member", "secretary", "member_other_branch", "secretary_other_branch")):
        user, org = demo.users.get(role), demo.orgs.get(role)
        if user is None:
            continue
        questions, orders = draw(contest, demo.rng)
        started = contest.opens_at + timedelta(hours=n + 1)
        attempt = QuizAttempt(contest_id=contest.id, user_id=user, org_id=org, question_ids=questions, orders=orders,
                              started_at=started, deadline=started + timedelta(minutes=15))
        db.session.add(attempt)
        db.session.flush()
        correct = dict(db.session.execute(select(QuizQuestion.id, QuizQuestion.correct).where(
            QuizQuestion.id.in_(questions))).all())
        for k, qid in enumerate(questions):
            right = demo.rng.random() < 0.9 - 0.15 * n
            picked = correct[qid] if right else [(correct[qid][0] + 1) % 4]
            db.session.add(QuizAnswer(attempt_id=attempt.id, question_id=qid, choices=picked,
                                      saved_at=started + timedelta(seconds=40 * (k + 1))))
        db.session.flush()
        attempt.score, attempt.answered = score_of(attempt)
        attempt.seconds = 40 * len(questions) + 30 * n
        attempt.submitted_at, attempt.closed_by = started + timedelta(seconds=attempt.seconds), "person"
