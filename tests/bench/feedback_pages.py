"""The feedback pages a province looks at most, for 100,000 members on PostgreSQL: the overdue
list and a province-wide survey's results, p95 latency and app CPU per page as a ratio to /healthz
in the same run (docs/bench.md, "Feedback").

    python -m tests.bench.feedback_pages [--members 100000] [--seconds 10] [--keep | --reuse]

Seeds a fresh database of its own: the core's demo (`flask seed-demo` with no plugin loaded), then,
in bulk: one question from every fifth member with an account, held by their branch or one, two
or three levels up (its `feedback_reach` rows on the way), held since up to 20 days (the deadline
is 7: about two thirds are overdue), a fifth answered; and one anonymous province-wide survey of
four questions (one choice, several choices, 1–5 scale, free text) answered by every third member
with an account. Starts gunicorn on a free 127.0.0.1 port and loads, each for --seconds: the
province administrator's overdue list, the district administrator's, the survey's results for the
province and for one district, and /healthz."""
from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import ExitStack

import sqlalchemy as sa

from tests.bench import home, plugin_pages, report, server

log = logging.getLogger("tests.bench.feedback_pages")

# The bulk rows, in SQL: an INSERT … SELECT each, so 100,000 members seed in seconds.
QUESTIONS = """
INSERT INTO feedback_question (org_id, holder_org_id, asker_id, kind, topic, text, show_name, status,
                               source, held_since, replied, created_at)
SELECT m.org_id, m.org_id, u.id, 'question', 'Sinh hoạt chi bộ',
       'Đề nghị cấp ủy hướng dẫn cách ghi biên bản sinh hoạt chi bộ chuyên đề theo Hướng dẫn 12-HD/BTCTW.',
       u.id % 2 = 0, 'received', 'web',
       now() - make_interval(days => (u.id * 7) % 20, hours => u.id % 24),
       false, now() - make_interval(days => (u.id * 7) % 20)
FROM user_account u JOIN member m ON m.id = u.member_id WHERE u.id % 5 = 0"""
HOLDERS = """
UPDATE feedback_question q SET holder_org_id = c.ancestor_id,
       status = CASE WHEN c.depth > 0 THEN 'forwarded' ELSE 'received' END
FROM org_closure c WHERE c.descendant_id = q.org_id AND c.depth = q.id % 4"""
REACH = """
INSERT INTO feedback_reach (question_id, org_id)
SELECT q.id, c.ancestor_id FROM feedback_question q
JOIN org_closure h ON h.descendant_id = q.org_id AND h.ancestor_id = q.holder_org_id
JOIN org_closure c ON c.descendant_id = q.org_id AND c.depth <= h.depth"""
ANSWERED = "UPDATE feedback_question SET status = 'answered', answered_at = now() WHERE id % 5 = 0"
PARTICIPANTS = """
INSERT INTO feedback_survey_participant (survey_id, user_id, org_id, answered_at)
SELECT :survey, u.id, m.org_id, now() FROM user_account u JOIN member m ON m.id = u.member_id
WHERE u.id % 3 = 0"""
RESPONSES = """
INSERT INTO feedback_survey_response (survey_id, org_id, user_id, created_at)
SELECT survey_id, org_id, NULL, answered_at FROM feedback_survey_participant WHERE survey_id = :survey"""
ANSWERS = """
INSERT INTO feedback_survey_answer (response_id, question_id, choice, text)
SELECT r.id, :single, r.id % 4, NULL FROM feedback_survey_response r WHERE r.survey_id = :survey
UNION ALL SELECT r.id, :multiple, r.id % 3, NULL FROM feedback_survey_response r WHERE r.survey_id = :survey
UNION ALL SELECT r.id, :multiple, 3, NULL FROM feedback_survey_response r WHERE r.survey_id = :survey AND r.id % 2 = 0
UNION ALL SELECT r.id, :scale, 1 + (r.id * 7) % 5, NULL FROM feedback_survey_response r WHERE r.survey_id = :survey
UNION ALL SELECT r.id, :text, NULL, 'Nên giảm bớt văn bản, tăng thời gian trao đổi ý kiến của đảng viên.'
          FROM feedback_survey_response r WHERE r.survey_id = :survey AND r.id % 10 = 0"""


def seed_feedback() -> None:
    """Inside the app (SOTAY_CONFIG, DATABASE_URL from the environment): questions and a survey, in bulk."""
    from datetime import timedelta

    import flask_migrate
    from sqlalchemy import select, text

    from core import create_app
    from core.extensions import db
    from core.localtime import today_local
    from core.org.models import Organisation
    from plugins.feedback.models import FeedbackSurvey, FeedbackSurveyQuestion

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
    with open(os.path.join(os.environ["SOTAY_INSTANCE"], "demo-accounts.json")) as f:
        accounts = json.load(f)
    with app.app_context():
        by_name = dict(db.session.execute(select(Organisation.name, Organisation.id)).all())
        province_id = by_name[accounts["province_admin"]["org"]]
        for statement in (QUESTIONS, HOLDERS, REACH, ANSWERED):
            db.session.execute(text(statement))
        today = today_local(province_id)
        survey = FeedbackSurvey(org_id=province_id, title="Lấy ý kiến về chất lượng sinh hoạt chi bộ năm 2026",
                                intro="Ý kiến của đồng chí giúp cấp ủy cải tiến nội dung sinh hoạt.",
                                opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=10),
                                anonymous=True)
        kinds = [("single", "Chi bộ của đồng chí sinh hoạt định kỳ thế nào?",
                  ["Đủ 12 kỳ", "Từ 9 đến 11 kỳ", "Dưới 9 kỳ", "Không rõ"]),
                 ("multiple", "Nội dung nào cần tăng thêm?",
                  ["Học tập nghị quyết", "Tình hình địa phương", "Phê bình và tự phê bình", "Sinh hoạt chuyên đề"]),
                 ("scale", "Đồng chí chấm chất lượng sinh hoạt chi bộ (1 đến 5)", []),
                 ("text", "Ý kiến khác", [])]
        survey.questions = [FeedbackSurveyQuestion(position=i, kind=kind, text=words, choices=choices)
                            for i, (kind, words, choices) in enumerate(kinds)]
        db.session.add(survey)
        db.session.flush()
        ids = {q.kind: q.id for q in survey.questions}
        for statement in (PARTICIPANTS, RESPONSES, ANSWERS):
            db.session.execute(text(statement), {"survey": survey.id, **ids})
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        district = by_name[accounts["district_admin"]["org"]]
        with open(os.path.join(os.environ["SOTAY_INSTANCE"], "bench-feedback.json"), "w") as f:
            json.dump({"survey": survey.id, "district": district}, f)


def figures(db: server.Database) -> dict[str, int]:
    engine = sa.create_engine(db.url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        found = {"members": conn.scalar(sa.text("SELECT count(*) FROM member")),
                 "questions": conn.scalar(sa.text("SELECT count(*) FROM feedback_question")),
                 "overdue": conn.scalar(sa.text(
                     "SELECT count(*) FROM feedback_question WHERE status <> 'answered' "
                     "AND held_since < now() - interval '7 days'")),
                 "responses": conn.scalar(sa.text("SELECT count(*) FROM feedback_survey_response")),
                 "answers": conn.scalar(sa.text("SELECT count(*) FROM feedback_survey_answer"))}
    engine.dispose()
    return found


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--seed-feedback"]:
        seed_feedback()
        return 0
    args = plugin_pages.parse(argv, prog="python -m tests.bench.feedback_pages", doc=__doc__,
                              db_name="sotay_bench_feedback")
    with ExitStack() as stack:
        db = plugin_pages.database(stack, args, "tests.bench.feedback_pages", "--seed-feedback")
        counts = figures(db)
        accounts = json.loads((db.instance / "demo-accounts.json").read_text())
        made = json.loads((db.instance / "bench-feedback.json").read_text())
        survey = made["survey"]
        paths = [("overdue list (province admin)", "/feedback/overdue", "province_admin"),
                 ("overdue list (district admin)", "/feedback/overdue", "district_admin"),
                 ("survey results, province", f"/feedback/surveys/{survey}/results", "province_admin"),
                 ("survey results, one district", f"/feedback/surveys/{survey}/results?org={made['district']}",
                  "province_admin"),
                 ("/healthz (floor)", "/healthz", "member")]
        runs, sizes = plugin_pages.load_pages(db, args, accounts, paths)
        text = markdown(args, counts, runs, sizes)
        print(text, flush=True)
        if not args.no_save:
            report.save_section("feedback_pages", text)
    return 0


def markdown(args, counts: dict, runs: list[home.HomeRun], sizes: dict) -> str:
    return (f"## Feedback: the overdue list and a survey's results\n\n"
            f"{counts['members']:,} members, {counts['questions']:,} questions ({counts['overdue']:,} overdue), "
            f"a survey with {counts['responses']:,} responses and {counts['answers']:,} answers, on PostgreSQL; "
            f"gunicorn `--workers {args.workers}` (sync), {args.connections} connections, "
            f"{args.seconds:g} s per page ({runs[0].load.tool}).\n\n" + plugin_pages.page_table(runs, sizes) + "\n")


if __name__ == "__main__":
    sys.exit(main())
