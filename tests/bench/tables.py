"""The bench's results as Markdown."""
from __future__ import annotations

from tests.bench import pages
from tests.bench.home import HomeRun
from tests.bench.profile import Profile
from tests.bench.report import table
from tests.bench.seed import SeedRun


def seeds(runs: list[SeedRun]) -> str:
    rows = [[r.backend, r.members, r.upgrade_seconds, r.seed_seconds, r.seed_cpu,
             r.counts.get("district", 0), r.counts.get("grassroots", 0), r.counts.get("branch", 0),
             r.counts.get("member", 0), r.counts.get("user_account", 0), r.counts.get("org_closure", 0)]
            for r in runs]
    return ("`flask --app wsgi seed-demo --members N` on an empty database after `flask db upgrade` "
            "(both provinces are counted).\n\n" + table(
                ["database", "--members", "db upgrade s", "seed-demo s", "seed CPU s", "district-level",
                 "grassroots", "branches", "members", "accounts", "closure rows"], rows))


def home(config: str, runs: list[HomeRun], notes: list[str]) -> str:
    rows = [[r.label, r.load.tool, r.load.connections, r.load.seconds, r.load.requests, r.load.per_second,
             r.load.p50_ms, r.load.p95_ms, r.load.p99_ms, r.cpu_ms, round(r.per_cpu_second), r.db_cpu_ms,
             r.load.not_ok, r.load_average] for r in runs]
    return config + "\n\n" + table(
        ["page", "tool", "conns", "s", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms",
         "app CPU ms/req", "req per CPU-s", "db CPU ms/req", "not 200", "load avg"], rows) + (
        "\n\napp CPU: gunicorn master + workers (utime+stime from /proc); db CPU: the PostgreSQL "
        "backends of the bench database; load avg: the machine's 1-minute load average at the end "
        "of the run (this machine is shared: above ~2, every number here is inflated). "
        "Budget (DESIGN.md): ≤ 4 ms app CPU per member page, ≥ 250 req per CPU-s."
        + "".join(f"\n- {note}" for note in notes))


def page_weights(found: list[pages.Page], assets: list[tuple[str, int, int]]) -> str:
    def mark(value: int, budget: int) -> str:
        return f"{value:,}" + (" ⚠" if value > budget else "")

    rows = [[p.role, f"`{p.path}`", p.status, p.html_bytes, mark(p.gzip_bytes, pages.HTML_BUDGET),
             mark(p.fragment_gzip, pages.FRAGMENT_BUDGET) if p.fragment_status == 200
             else f"answered {p.fragment_status}", p.ms] for p in found]
    total = sum(a[2] for a in assets)
    return (table(["role", "page", "status", "HTML bytes", "gzip bytes", "htmx gzip", "ms"], rows)
            + "\n\n" + table(["asset", "bytes", "gzip bytes"], [[f"`{u}`", b, g] for u, b, g in assets])
            + f"\n\nOne row per kind of page (`/members/12` and `/members/13` are one). gzip: the HTML "
              f"compressed at level 6; htmx: the same page fetched as an htmx navigation. CSS + JS: "
              f"{total:,} bytes gzip (budget {pages.ASSET_BUDGET:,}). ⚠ marks a page over "
              f"{pages.HTML_BUDGET:,} bytes gzip or an htmx navigation over {pages.FRAGMENT_BUDGET:,}.")


def profile(found: Profile, path: str) -> str:
    rows = [[label.replace("  ", "\u2003"), ms, f"{share:.0%}"] for label, ms, share in found.parts]
    return (f"CPU of the gunicorn workers while loading `{path}` ({found.requests:,} requests; "
            f"{found.proc_cpu_ms / max(1, found.requests):.2f} ms CPU per request from /proc), split by "
            f"where the samples fell (tests/bench/sampler.py: SIGPROF on CPU time, so waiting is not "
            f"counted). Parts nest: a sample counts for every part on its stack.\n\n"
            + table(["part", "CPU ms/req", "of it in SQLAlchemy + psycopg"], rows))
