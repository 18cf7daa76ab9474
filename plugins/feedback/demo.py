"""Demo data: realistic questions routed at various levels, a published answer, a survey with answers."""
from __future__ import annotations

from datetime import timedelta


from core.api import DemoWorld, db, fold, today_local, utcnow
from plugins.feedback import routing
from plugins.feedback.models import (FeedbackFaq, FeedbackQuestion, FeedbackSurvey, FeedbackSurveyAnswer,
                                     FeedbackSurveyParticipant, FeedbackSurveyQuestion, FeedbackSurveyResponse)


def seed(demo: DemoWorld) -> None:
    member, secretary = demo.users["member"], demo.users["secretary"]
    other = demo.users.get("member_other_branch")
    branch, grassroots = demo.orgs["member"], demo.orgs["grassroots_admin"]
    district, province = demo.orgs["district_admin"], demo.orgs["province_admin"]

    answered = routing.send(asker_id=member, org_id=branch, topic="Thủ tục miễn sinh hoạt đảng",
                            text="Tôi năm nay 76 tuổi, sức khỏe yếu, đi họp chi bộ khó khăn. Xin hỏi thủ tục "
                                 "xin miễn công tác và sinh hoạt đảng thế nào?", show_name=True)
    routing.mark_received(answered, secretary)
    routing.answer(answered, "Đồng chí làm đơn gửi chi bộ, chi bộ xem xét tại kỳ họp tháng tới; đồng chí "
                             "vẫn được dự họp khi sức khỏe cho phép.", secretary)
    routing.rate(answered, True, member)

    held = routing.send(asker_id=member, org_id=branch, topic="Đóng đảng phí khi đi làm ăn xa",
                        text="Con tôi là đảng viên đi làm ở Bình Dương 6 tháng. Đảng phí đóng ở đâu, "
                             "có phải chuyển sinh hoạt tạm thời không?")
    routing.mark_received(held, secretary)
    routing.move_up(held, grassroots, actor_id=secretary, note="Chi bộ đề nghị Đảng ủy xã hướng dẫn.")

    late = routing.send(asker_id=other or member, org_id=demo.orgs.get("member_other_branch", branch),
                        kind="opinion", topic="Kiến nghị sửa đường vào xóm",
                        text="Đoạn đường bê tông vào xóm bị sạt sau mưa lũ, học sinh đi lại nguy hiểm. "
                             "Đề nghị cấp ủy kiến nghị xã sửa sớm.")
    routing.move_up(late, grassroots, note="Chi bộ chuyển Đảng ủy xã.")
    routing.move_up(late, district, note="Vượt thẩm quyền của xã.")
    late.held_since = utcnow() - timedelta(days=10)  # overdue: the district and the province see it

    public = routing.send(asker_id=member, org_id=branch, topic="Chuyển đảng chính thức",
                          text="Đảng viên dự bị đủ 12 tháng thì chi bộ họp xét chuyển chính thức khi nào?")
    for target in (grassroots, district, province):
        routing.move_up(public, target)
    routing.answer(public, "Chậm nhất 30 ngày làm việc kể từ ngày hết 12 tháng dự bị, chi bộ phải họp xét "
                           "và đề nghị cấp trên quyết định.", demo.users["province_admin"])
    db.session.flush()
    db.session.add(FeedbackFaq(org_id=province, question_id=public.id, topic=public.topic,
                               question_text=public.text, answer_text="Chậm nhất 30 ngày làm việc kể từ ngày "
                               "hết 12 tháng dự bị, chi bộ phải họp xét và đề nghị cấp trên quyết định.",
                               search_text=fold(f"{public.topic} {public.text} chuyen chinh thuc"),
                               published_by_id=demo.users["province_admin"]))

    today = today_local(demo.province_id)
    survey = FeedbackSurvey(org_id=grassroots, title="Lấy ý kiến về chất lượng sinh hoạt chi bộ",
                            intro="Xin đồng chí dành 2 phút trả lời, phiếu không ghi tên.",
                            opens_on=today - timedelta(days=3), closes_on=today + timedelta(days=11),
                            anonymous=True, created_by_id=demo.users["grassroots_admin"])
    db.session.add(survey)
    db.session.flush()
    questions = [FeedbackSurveyQuestion(survey_id=survey.id, position=0, kind="single",
                                        text="Chi bộ của đồng chí họp thường kỳ có đều không?",
                                        choices=["Đều hằng tháng", "Thỉnh thoảng lỡ", "Ít khi họp"]),
                 FeedbackSurveyQuestion(survey_id=survey.id, position=1, kind="scale",
                                        text="Đồng chí hài lòng với nội dung buổi sinh hoạt ở mức nào?"),
                 FeedbackSurveyQuestion(survey_id=survey.id, position=2, kind="text",
                                        text="Đồng chí có đề xuất gì thêm?")]
    db.session.add_all(questions)
    db.session.flush()
    for user_id, org_id, picks in ((secretary, branch, (0, 4, "Nên có chuyên đề về kinh tế hộ.")),
                                   (other, demo.orgs.get("member_other_branch"), (1, 3, None))):
        if user_id is None or org_id is None:
            continue
        db.session.add(FeedbackSurveyParticipant(survey_id=survey.id, user_id=user_id, org_id=org_id))
        response = FeedbackSurveyResponse(survey_id=survey.id, org_id=org_id)
        db.session.add(response)
        db.session.flush()
        db.session.add(FeedbackSurveyAnswer(response_id=response.id, question_id=questions[0].id, choice=picks[0]))
        db.session.add(FeedbackSurveyAnswer(response_id=response.id, question_id=questions[1].id, choice=picks[1]))
        if picks[2]:
            db.session.add(FeedbackSurveyAnswer(response_id=response.id, question_id=questions[2].id, text=picks[2]))


def has_data() -> bool:
    """Seeded already (a plugin whose tables are missing is never called: core.demo.seed_plugins)."""
    return db.session.query(FeedbackQuestion.id).first() is not None
