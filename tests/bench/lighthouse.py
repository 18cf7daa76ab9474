"""`python -m tests.bench lighthouse`: Lighthouse (npm, node_modules/.bin/lighthouse, offline) on
the sign-in page and the member home, against gunicorn on the bench database, with Debian's
Chromium. Lighthouse's default mobile run: a Moto G class phone, simulated throttling."""
from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from tests.bench import server

CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = server.ROOT / "node_modules" / ".bin" / "lighthouse"


def audit(url: str, headers: dict[str, str] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        command = [str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json",
                   f"--output-path={out}", "--quiet",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        if headers:
            command.append(f"--extra-headers={json.dumps(headers)}")
        subprocess.run(command, check=True, timeout=240, env={"CHROME_PATH": CHROMIUM,
                                                              "PATH": "/usr/bin:/bin",
                                                              "HOME": folder})
        report = json.loads(out.read_text())
    audits = report["audits"]
    return {"score": report["categories"]["performance"]["score"],
            "fcp": audits["first-contentful-paint"]["numericValue"] / 1000,
            "lcp": audits["largest-contentful-paint"]["numericValue"] / 1000,
            "tbt": audits["total-blocking-time"]["numericValue"],
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "bytes": audits["total-byte-weight"]["numericValue"]}


def run(db: server.Database, accounts: dict, *, workers: int) -> str:
    if not LIGHTHOUSE.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: npm ci")
    rows = []
    with server.gunicorn(db, workers) as app:
        base = f"http://127.0.0.1:{app.port}"
        rows.append(("sign-in page `/login`", audit(base + "/login")))
        member = app.browser()
        member.sign_in(accounts["member"]["login"], accounts["member"]["password"])
        rows.append(("member home `/`", audit(base + "/", {"Cookie": member.cookie_header()})))
    lines = ["| page | performance | FCP s | LCP s | TBT ms | CLS | bytes |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, r in rows:
        lines.append(f"| {label} | {r['score']:.2f} | {r['fcp']:.1f} | {r['lcp']:.1f} | {r['tbt']:.0f} "
                     f"| {r['cls']:.3f} | {r['bytes']:,.0f} |")
    return "\n".join(lines)
