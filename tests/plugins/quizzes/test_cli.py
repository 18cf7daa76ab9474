"""The operators' and the bench's commands: `quizzes demo-contest` and `quizzes results --json`."""
from __future__ import annotations

import json
import re
from pathlib import Path

from tests.plugins.quizzes.support import answer, attempt_row, question_of
from tests.support import Visitor


def test_demo_contest_makes_contestants_who_reach_it_from_the_home_page(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quizzes", "demo-contest", "--contestants", "4", "--questions", "5",
                                 "--minutes", "10"])
    assert result.exit_code == 0, result.output
    written = json.loads((Path(app.instance_path) / "contest-accounts.json").read_text())
    assert result.output.strip() == written["contest_url"] == f"/quizzes/{written['contest_id']}"
    assert len(written["contestants"]) == 4
    person = Visitor(app.test_client())
    person.login(written["contestants"][0])
    home = person.text("/")
    assert f'href="{written["contest_url"]}"' in home  # followed from the home page, as a person would
    response = person.submit(f"{written['contest_url']}/start", {"layout": "one"}, form_page=written["contest_url"])
    attempt = int(re.search(r"/attempts/(\d+)/", response.location).group(1))
    ids = attempt_row(app, attempt).question_ids
    assert len(ids) == 5
    answer(person, attempt, ids[0], question_of(app, ids[0]).correct)
    answer(person, attempt, ids[1], [0])
    person.submit(f"/quizzes/attempts/{attempt}/submit", {}, form_page="/account")
    outsider = Visitor(app.test_client())
    outsider.login(written["contestants"][1])
    result = runner.invoke(args=["quizzes", "results", str(written["contest_id"]), "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["login"]: r for r in json.loads(result.output)["contestants"]}
    first = rows[written["contestants"][0]["login"]]
    assert first["answered"] == 2 and first["submitted"] is True and first["score"] >= 1
    assert len(rows) == 1  # only those who started


def test_results_of_an_unknown_contest_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["quizzes", "results", "999999", "--json"])
    assert result.exit_code != 0 and "no contest" in result.output
