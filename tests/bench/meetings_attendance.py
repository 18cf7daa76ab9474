"""Bytes on the wire of the attendance page of a 60-member branch (docs/bench.md, "Meetings
attendance"): the whole page and its htmx navigation, raw, gzip and brotli as the app sends them,
against the 14 KB budget (one TCP initial window on 3G).

    python -m tests.bench.meetings_attendance [--members 60] [--no-save]

Runs in-process on a fresh SQLite database of its own: migrate, seed the demo, fill the demo
secretary's branch to --members, invite a meeting of today (every participant a row), sign in
as the secretary and fetch /meetings/<id>/attendance with each Accept-Encoding."""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
from pathlib import Path

from tests.bench import machine, report
from tests.bench.pages import FRAGMENT, FRAGMENT_BUDGET, HTML_BUDGET
from tests.bench.report import table


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m tests.bench.meetings_attendance", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if not 1 <= args.members <= 500:
        parser.error("--members must be in [1, 500]")
    return args


def measure(members: int) -> list[list]:
    import flask_migrate

    from core.demo import seed
    from core.extensions import db
    from tests.conftest import BASE_CONFIG
    from tests.plugins.meetings.hall_fixtures import fill_branch, make_meeting, org_id_of
    from tests.support import Visitor

    folder = Path(tempfile.mkdtemp(prefix="bench-attendance-"))
    from core import create_app

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
                      "INSTANCE_PATH": str(folder)})
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        seed(60, content=False)
        db.session.remove()
    accounts = json.loads((folder / "demo-accounts.json").read_text())
    branch = org_id_of(app, accounts["secretary"]["org"])
    fill_branch(app, branch, members)
    meeting = make_meeting(app, branch, title="Sinh hoạt chi bộ thường kỳ tháng 12")
    secretary = Visitor(app.test_client())
    secretary.login(accounts["secretary"])
    url = f"/meetings/{meeting}/attendance"
    rows = []
    for label, extra, budget in (("whole page", {}, HTML_BUDGET), ("htmx navigation", FRAGMENT, FRAGMENT_BUDGET)):
        raw = secretary.get(url, headers={**extra, "Accept-Encoding": "identity"}).get_data()
        sizes = {}
        for encoding in ("gzip", "br"):
            response = secretary.get(url, headers={**extra, "Accept-Encoding": encoding})
            assert response.status_code == 200, response.status_code
            sizes[encoding] = len(response.get_data()) if response.headers.get("Content-Encoding") == encoding \
                else len(gzip.compress(response.get_data(), 9)) if encoding == "gzip" else None
        rows.append([label, members, raw.count(b'value="present"'), len(raw), sizes["gzip"],
                     sizes["br"] if sizes["br"] is not None else "—",
                     "yes" if sizes["gzip"] <= budget else "NO", f"{budget // 1024} KB"])
    return rows


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    facts = machine.describe(None)
    rows = measure(args.members)
    body = (f"{facts['date']}, {facts['cores']} cores ({facts['cpu']}), SQLite, in-process test client.\n\n"
            + table(["page", "members", "rows", "bytes", "gzip", "brotli", "within budget", "budget"], rows))
    text = f"## Meetings attendance: the page of a {args.members}-member branch\n\n{body}\n"
    print(text)
    if not args.no_save:
        report.save_section("meetings_attendance", text)
    return 0 if all(r[6] == "yes" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
