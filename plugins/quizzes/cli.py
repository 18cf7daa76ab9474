"""`flask --app wsgi quizzes …`: the operators' and the bench's commands."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from core.api import User, db
from plugins.quizzes.models import QuizAttempt, QuizContest


group = AppGroup("quizzes", help="Contests: a demo contest for load tests, results as JSON.")


@group.command("results")
@click.argument("contest_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the only format for now).")
def results(contest_id, as_json):
    """Print every contestant's answers saved, score and whether the attempt is handed in."""
    contest = db.session.get(QuizContest, contest_id)
    if contest is None:
        raise click.ClickException(f"no contest {contest_id}")
    rows = db.session.execute(select(User.login, QuizAttempt).join(User, User.id == QuizAttempt.user_id)
                              .where(QuizAttempt.contest_id == contest.id)
                              .order_by(User.login, QuizAttempt.number))
    found = [{"login": login, "answered": a.answered, "score": a.score, "submitted": a.submitted_at is not None}
             for login, a in rows]
    click.echo(json.dumps({"contestants": found}, ensure_ascii=False))


@group.command("demo-contest")
@click.option("--contestants", type=click.IntRange(1, 100_000), required=True, help="How many contestant accounts.")
@click.option("--questions", type=click.IntRange(1, 200), default=30, show_default=True)
@click.option("--minutes", type=click.IntRange(1, 300), default=20, show_default=True)
def demo_contest(contestants, questions, minutes):
    """A bank and a contest open from now in the demo province, with CONTESTANTS accounts
    (instance/contest-accounts.json); prints the contest's URL."""
    from flask import current_app

    from core.api import Audience, Organisation, demo_people, notify_audience, utcnow
    from plugins.quizzes.demo import add_bank
    from plugins.quizzes.models import LIST, QuizContest

    province = _demo_province()
    branches = list(db.session.scalars(select(Organisation.id).where(
        Organisation.province_id == province.id, Organisation.level == "branch").order_by(Organisation.id)))
    if not branches:
        raise click.ClickException("the demo province has no branches: run `flask seed-demo` first")
    number = (db.session.scalar(select(func.count(QuizContest.id))) or 0) + 1
    topic = f"Thi thử tải số {number}"
    add_bank(province.id, count=questions, topic=topic, ref=f"TT{number}")
    people = demo_people(branches, contestants, password=f"thi-{secrets.token_hex(4)}", card_prefix="47")
    now = utcnow().replace(microsecond=0)
    audience = Audience(user_ids=tuple(p["user_id"] for p in people))
    contest = QuizContest(org_id=province.id, title=f"Hội thi bí thư chi bộ giỏi (thử tải số {number})",
                          intro="Cuộc thi thử tải: trả lời từng câu, bài được lưu trên máy chủ.",
                          audience=audience.as_json(), takers=LIST, opens_at=now,
                          closes_at=now + timedelta(minutes=minutes + 60), minutes=minutes,
                          question_count=questions, topic=topic, shuffle=True)
    db.session.add(contest)
    db.session.flush()
    url = f"/quizzes/{contest.id}"
    notify_audience("quizzes.contest", f"Cuộc thi mới: {contest.title}", audience, url=url,
                    dedupe_key=f"quizzes.contest:{contest.id}")
    db.session.commit()
    target = Path(current_app.instance_path) / "contest-accounts.json"
    target.write_text(json.dumps({"contest_id": contest.id, "contest_url": url,
                                  "contestants": [{"login": p["login"], "password": p["password"]} for p in people]},
                                 ensure_ascii=False, indent=1))
    click.echo(url)


def _demo_province():
    """The province of instance/demo-accounts.json (`flask seed-demo`), else the first province."""
    from flask import current_app

    from core.api import Organisation

    accounts = Path(current_app.instance_path) / "demo-accounts.json"
    if accounts.exists():
        name = json.loads(accounts.read_text())["province_admin"]["org"]
        found = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if found is not None:
            return found
    found = db.session.scalar(select(Organisation).where(Organisation.parent_id.is_(None)).order_by(Organisation.id))
    if found is None:
        raise click.ClickException("no province: run `flask seed-demo` first")
    return found
