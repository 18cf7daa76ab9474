"""Search latency over 20,000 documents, on PostgreSQL and on SQLite.

`python -m tests.bench.search` (or `main(argv)` from the bench runner): seeds a province tree
and N documents (bulk inserts, the search index filled by its triggers) into a fresh
PostgreSQL database and a fresh SQLite file, then runs a mixed set of searches through the
library's own code (a member's visibility, the filters, the page of results with its count and
extracts) and reports p50/p95/max in milliseconds. `--keep` keeps both databases, `--reuse`
times them again without seeding."""
from __future__ import annotations

import argparse
import logging
import math
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta

import flask_migrate
from sqlalchemy import func, insert, select, text

from core import create_app
from core.content.library import LibraryFilter, documents, extracts, news, page_of
from core.content.models import ContentItem
from core.content.search import index_text
from core.content.service import plain_text
from core.extensions import db
from core.org.models import Level, Organisation, utcnow
from core.org.tree import create_org
from tests.bench import server

log = logging.getLogger(__name__)
CHUNK = 2000

TOPICS = [
    "đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
    "phát triển kinh tế tư nhân", "hội nhập quốc tế trong tình hình mới",
    "đổi mới công tác xây dựng và thi hành pháp luật",
    "tăng cường xây dựng, chỉnh đốn Đảng và hệ thống chính trị",
    "công tác phát triển đảng viên", "nâng cao chất lượng sinh hoạt chi bộ",
    "bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
    "phòng, chống tham nhũng, lãng phí, tiêu cực", "xây dựng nông thôn mới nâng cao",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "công tác cán bộ và bảo vệ chính trị nội bộ", "phát triển văn hóa, con người Việt Nam",
    "bảo đảm quốc phòng, an ninh trên địa bàn", "chăm sóc sức khỏe nhân dân",
    "phát triển giáo dục và đào tạo", "quản lý đất đai và bảo vệ môi trường",
    "công tác dân vận trong tình hình mới", "phát triển kinh tế đồi chè",
    "giảm nghèo bền vững vùng đồng bào dân tộc thiểu số",
    "sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả",
    "thực hiện dân chủ ở cơ sở", "kiểm tra, giám sát và thi hành kỷ luật đảng",
    "đại hội đảng bộ các cấp nhiệm kỳ 2025 - 2030", "phát triển du lịch gắn với di tích ATK Định Hóa",
    "phòng chống thiên tai và tìm kiếm cứu nạn", "xây dựng Đảng bộ trong sạch, vững mạnh",
]
# (category, Vietnamese name, number code)
KINDS = [("resolution", "Nghị quyết", "NQ"), ("regulation", "Quy định", "QĐ"),
         ("directive", "Chỉ thị", "CT"), ("conclusion", "Kết luận", "KL"),
         ("guidance", "Hướng dẫn", "HD")]
SENTENCES = [
    "Các cấp ủy, tổ chức đảng quán triệt sâu sắc nội dung và tổ chức thực hiện nghiêm túc.",
    "Chi bộ phân công đảng viên phụ trách từng nhiệm vụ cụ thể, báo cáo kết quả hằng tháng.",
    "Đề cao trách nhiệm nêu gương của cán bộ, đảng viên, trước hết là người đứng đầu.",
    "Tăng cường công tác kiểm tra, giám sát việc thực hiện; kịp thời biểu dương, khen thưởng.",
    "Đẩy mạnh ứng dụng công nghệ thông tin, chuyển đổi số trong hoạt động của chi bộ.",
    "Ủy ban Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội phối hợp tuyên truyền sâu rộng.",
    "Định kỳ sơ kết, tổng kết, rút kinh nghiệm và đề xuất sửa đổi, bổ sung cho phù hợp.",
    "Ban Tuyên giáo hướng dẫn việc học tập, quán triệt đến từng đảng viên trong chi bộ.",
    "Nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng và chất lượng đảng viên.",
    "Kinh phí thực hiện được bố trí từ ngân sách nhà nước và các nguồn huy động hợp pháp khác.",
    "Văn phòng cấp ủy theo dõi, đôn đốc và tổng hợp tình hình, báo cáo Ban Thường vụ.",
    "Phát huy vai trò của Nhân dân trong giám sát cán bộ, đảng viên nơi cư trú.",
]
QUERIES = [
    "nghi quyet 57", "Nghị quyết 57", "57-NQ/TW", "57 nq tw", "57-nq", "chuyen doi so",
    "chuyển đổi số", "xay dung dang", "phát triển đảng viên", "nong thon moi", "chi bo",
    "sinh hoat chi bo thang 5", "tài liệu sinh hoạt chi bộ", "chuyen de hoc tap", "ho chi minh",
    "kinh te tu nhan", "tham nhung", "che", "doi che", "ATK Định Hóa", "du lich", "quoc phong an ninh",
    "ket luan", "huong dan 12", "12-HD/BTGTU", "chi thi 05", "quy dinh", "cong tac can bo",
    "dan van", "thien tai", "giam ngheo ben vung", "dai hoi 2025", "nhiem ky 2025 - 2030",
    "xyzzy", "nghi quyet hoi nhap quoc te", "phan bac quan diem sai trai", "moi truong dat dai",
    "tinh uy thai nguyen", "huyen uy dai tu", "dang uy xa",
]


@dataclass(frozen=True)
class Reader:
    """A member as visible_to sees one: signed in, following a branch."""

    home_org_id: int
    is_authenticated: bool = True


@dataclass
class Timing:
    backend: str
    documents: int
    visible: int
    seed_seconds: float
    runs: int
    p50: float
    p95: float
    max: float
    slowest: str
    lists: dict[str, tuple[float, float]]  # other pages' queries: (p50, p95) in ms


def seed_tree():
    """A province of 16 district-level committees, 10 grassroots each, 5 branches each."""
    province = create_org("Đảng bộ tỉnh Thái Nguyên", Level.PROVINCE, None)
    orgs = {"province": [province], "district": [], "grassroots": [], "branch": []}
    for d in range(16):
        district = create_org(f"Đảng bộ huyện {d + 1}", Level.DISTRICT, province)
        orgs["district"].append(district)
        for g in range(10):
            grassroots = create_org(f"Đảng bộ xã {d + 1}.{g + 1}", Level.GRASSROOTS, district)
            orgs["grassroots"].append(grassroots)
            orgs["branch"] += [create_org(f"Chi bộ xóm {d + 1}.{g + 1}.{b + 1}", Level.BRANCH,
                                          grassroots) for b in range(5)]
    db.session.commit()
    return orgs


def _document(rng: random.Random, org, org_level: str, serial: int) -> dict:
    """One document row as the publisher would store it."""
    issued = date(2026, 11, 1) - timedelta(days=rng.randint(0, 12 * 365))
    roll = rng.random()
    suffix = {"province": "TU", "district": "HU", "grassroots": "ĐU", "branch": "CB"}[org_level]
    level = "local" if org_level != "province" else "province"
    if org_level == "province" and rng.random() < 0.45:
        suffix, level = "TW", "central"
    issuer = {"TW": "Ban Chấp hành Trung ương", "TU": "Tỉnh ủy Thái Nguyên", "HU": "Huyện ủy",
              "ĐU": "Đảng ủy xã", "CB": "Chi bộ"}[suffix] + ("" if suffix == "TW" else f" ({org.name})")
    topic = rng.choice(TOPICS)
    if roll < 0.12:
        category, title = "monthly", f"Tài liệu sinh hoạt chi bộ tháng {issued.month}/{issued.year}"
        number = None
    elif roll < 0.2:
        category = "thematic"
        title = f"Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {issued.year}: {topic}"
        number = None
    else:
        category, name, code = rng.choice(KINDS)
        number = f"{rng.randint(1, 120):02d}-{code}/{suffix}"
        title = f"{name} số {number} về {topic}"
    summary = f"{rng.choice(SENTENCES)} {topic.capitalize()}."
    body = "".join(f"<p>{' '.join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 6)))}</p>"
                   for _ in range(rng.randint(4, 14)))
    now = utcnow()
    return {"org_id": org.id, "kind": "document", "level": level, "category": category,
            "title": title, "number": number, "issuer": issuer, "issued_on": issued,
            "summary": summary, "body": body, "status": "published", "publish_at": None,
            "version": 1, "search_text": index_text(title, number, issuer, summary, plain_text(body)),
            "created_at": now - timedelta(days=serial % 3000), "updated_at": now}


def seed_documents(orgs, count: int, news: int = 0, seed_value: int = 57) -> None:
    """`count` documents (and `news` news items): 45% issued by the province (half of the
    documents the Centre's), the rest spread over districts, grassroots and branches."""
    rng = random.Random(seed_value)
    shares = [("province", 0.45), ("district", 0.28), ("grassroots", 0.2), ("branch", 0.07)]
    rows = []
    for serial in range(count + news):
        pick, acc = rng.random(), 0.0
        for org_level, share in shares:
            acc += share
            if pick < acc:
                break
        org = rng.choice(orgs[org_level])
        row = _document(rng, org, org_level, serial)
        if serial >= count:
            row.update(kind="news", number=None, category=None, level=None, issued_on=None,
                       title=f"{org.name}: hội nghị về {row['title'].split(' về ', 1)[-1]}")
        rows.append(row)
        if len(rows) >= CHUNK:
            db.session.execute(insert(ContentItem), rows)
            rows = []
    if rows:
        db.session.execute(insert(ContentItem), rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does soon after a load: statistics, and the visibility map that lets
        # the lists be read from their index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def cases(count: int) -> list[LibraryFilter]:
    """`count` searches: mostly words (with and without diacritics, numbers, rare and common
    words), some narrowed by type, level or date, a few with no words at all."""
    rng = random.Random(3)
    found = []
    for _ in range(count):
        roll = rng.random()
        q = rng.choice(QUERIES)
        if roll < 0.75:
            found.append(LibraryFilter(q=q))
        elif roll < 0.85:
            found.append(LibraryFilter(q=q, category=rng.choice(["resolution", "directive", "guidance"])))
        elif roll < 0.92:
            found.append(LibraryFilter(q=q, level=rng.choice(["central", "province", "district", "grassroots"])))
        elif roll < 0.97:
            found.append(LibraryFilter(q=q, issued_from=date(2020, 1, 1), issued_to=date(2024, 12, 31)))
        else:
            found.append(LibraryFilter())
    return found


def time_searches(reader: Reader, searches: list[LibraryFilter]) -> list[tuple[float, str]]:
    """Each search as the library page runs it: the page of results with its count, and the
    extracts it shows."""
    timings = []
    for flt in searches:
        start = time.perf_counter()
        page = page_of(documents(reader, flt))
        extracts(page.items)
        timings.append(((time.perf_counter() - start) * 1000, _describe(flt)))
        db.session.rollback()
    return timings


def time_lists(reader: Reader, runs: int = 50) -> dict[str, tuple[float, float]]:
    """The member's other pages that read the library: the home cards (the busiest page of all),
    the news list and the library without words."""
    from core.content.library_hooks import home_cards

    pages = {"home cards (news + documents)": lambda: home_cards(reader),
             "news list, page 1": lambda: page_of(news(reader)),
             "library, no words, page 1": lambda: page_of(documents(reader, LibraryFilter()))}
    found = {}
    for label, run in pages.items():
        ms = []
        for _ in range(runs):
            start = time.perf_counter()
            run()
            ms.append((time.perf_counter() - start) * 1000)
            db.session.rollback()
        ms.sort()
        found[label] = (statistics.median(ms), _p95(ms))
    return found


def _p95(ms: list[float]) -> float:
    return ms[max(0, math.ceil(len(ms) * 0.95) - 1)]


def _describe(flt: LibraryFilter) -> str:
    return " ".join(f"{key}={value}" for key, value in flt.as_args().items()) or "(no words)"


def run_backend(backend: str, args) -> Timing:
    """Seed (or reuse) one backend's database and time the searches on it."""
    name = f"{args.db_name}_{backend}"
    if args.reuse:
        database = server.Database(server.pg_url(args.pg, name) if backend == "postgresql"
                                   else f"sqlite:///{server.instance_dir(name) / 'bench.db'}",
                                   server.instance_dir(name), backend)
    else:
        database = server.create_database(backend, name, args.pg)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, "INSTANCE_PATH": str(database.instance),
                          "REDIS_URL": "", "TESTING": True})
        with app.app_context(), app.test_request_context():
            seeded = 0.0
            if not args.reuse:
                flask_migrate.upgrade(revision="heads")
                start = time.perf_counter()
                seed_documents(seed_tree(), args.documents, news=args.news)
                seeded = time.perf_counter() - start
                log.info("%s: seeded %s documents in %.1f s", backend, args.documents, seeded)
            reader = Reader(db.session.scalars(select(Organisation.id).where(
                Organisation.level == Level.BRANCH.value).order_by(Organisation.id).offset(7).limit(1)).one())
            time_searches(reader, cases(len(QUERIES)))  # warm the caches once
            timings = sorted(time_searches(reader, cases(args.queries)))
            visible = page_of(documents(reader, LibraryFilter())).total
            documents_count = db.session.scalar(select(func.count()).where(ContentItem.kind == "document"))
            ms = [t for t, _q in timings]
            result = Timing(backend, documents_count, visible, seeded, len(ms), statistics.median(ms),
                            _p95(ms), ms[-1], timings[-1][1], time_lists(reader))
            db.session.remove()
            db.engine.dispose()
        return result
    finally:
        if not (args.keep or args.reuse):
            server.drop_database(database, name, args.pg)


def table(results: list[Timing]) -> str:
    lines = ["| database | documents | visible to the member | searches | p50 | p95 | max | slowest |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        lines.append(f"| {r.backend} | {r.documents:,} | {r.visible:,} | {r.runs} | {r.p50:.1f} ms | "
                     f"{r.p95:.1f} ms | {r.max:.1f} ms | `{r.slowest}` |")
    lines += ["", "| database | page | p50 | p95 |", "| --- | --- | ---: | ---: |"]
    for r in results:
        lines += [f"| {r.backend} | {label} | {p50:.1f} ms | {p95:.1f} ms |" for label, (p50, p95) in r.lists.items()]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines.append(f"\nLoad average after the run: {load} ({os.cpu_count()} cores).")
    return "\n".join(lines)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.search", description=__doc__)
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--news", type=int, default=5_000, help="news items beside the documents")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://127.0.0.1:5432/"))
    parser.add_argument("--db-name", default="sotay_bench_search")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the databases kept by --keep")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    args = parse(sys.argv[1:] if argv is None else argv)
    results = [run_backend(b.strip(), args) for b in args.backends.split(",") if b.strip()]
    print(table(results), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
