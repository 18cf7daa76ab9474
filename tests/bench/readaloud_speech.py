"""Read-aloud figures (docs/bench.md, "Read-aloud"): the real-time factor of synthesis on one
core, KB per minute of the audio members download, the time to first sound of a 20-page
document, and the queue's throughput when 200 documents are published at once.

    python -m tests.bench.readaloud_speech [--pages 20] [--documents 200] [--no-save]

Runs the real pipeline (normaliser, espeak-ng, opusenc, the file service, `readaloud.make`) in an
app of its own on a throw-away SQLite database, pinned to one core (os.sched_setaffinity: the
engines it starts inherit it). CPU is counted for this process and its children (getrusage), so a
busy shared machine changes the wall times more than the CPU figures."""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from tests.bench import machine, report

SENTENCES = [
    "Ngày 22/12/2024, Bộ Chính trị ban hành Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ.",
    "Đảng bộ xã đề ra 12 chỉ tiêu, trong đó tỷ lệ hộ nghèo giảm còn 2,5% vào cuối năm 2025.",
    "Đ/c Bí thư Chi bộ quán triệt Kết luận 123-KL/TW và Quyết định 99/QĐ-UBND của UBND tỉnh.",
    "Hội nghị BCH Đảng bộ huyện lần thứ 4 khóa XXI họp từ 7h30 đến 11h30 tại hội trường UBND huyện.",
    "Kinh phí làm đường bê tông liên thôn là 1,2 tỷ đồng, nhân dân đóng góp 150 triệu đồng và 600 ngày công.",
]
PAGE_CHARS = 3000  # a printed A4 page of a Party document


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def document(pages: int) -> str:
    paragraphs, size, n = [], 0, 0
    while size < pages * PAGE_CHARS:
        text = " ".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(3))
        paragraphs.append(f"<p>{text}</p>")
        size += len(text)
        n += 1
    return "".join(paragraphs)


class Timed:
    """A job context that notes when each part was stored."""

    record = None

    def __init__(self):
        self.start, self.marks = time.perf_counter(), []

    def progress(self, percent, message=None):
        self.marks.append(time.perf_counter() - self.start)


def run(pages: int, documents: int) -> dict:
    import flask_migrate
    from sqlalchemy import func, select

    from core import create_app
    from core.content.models import ContentItem
    from core.extensions import db
    from core.org.models import Level
    from core.org.tree import create_org
    from plugins.readaloud.jobs import make
    from plugins.readaloud.models import ReadaloudSection
    from plugins.readaloud.speech import Choice, synthesise

    folder = Path(tempfile.mkdtemp(prefix="readaloud-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "INSTANCE_PATH": str(folder),
                      "PLUGINS": ["readaloud"], "JOBS_EAGER": True, "REDIS_URL": "", "TESTING": True})
    figures = {}
    with app.app_context():
        flask_migrate.upgrade(revision="heads")
        province = create_org("Tỉnh đo đạc", Level.PROVINCE, None)
        db.session.commit()
        # 1. Real-time factor and size, sentence by sentence.
        choice, cpu0, wall0, seconds, size = Choice("espeak", "vi", 145), _cpu(), time.perf_counter(), 0.0, 0
        for _round in range(4):
            for sentence in SENTENCES:
                audio = synthesise(sentence, choice)
                seconds, size = seconds + audio.seconds, size + len(audio.ogg)
        cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
        figures["rtf"] = {"audio_s": seconds, "cpu_s": cpu, "wall_s": wall, "kb_per_min": size / 1024 / seconds * 60}
        # 2. A 20-page document through readaloud.make: first part stored, then all.
        item = ContentItem(org_id=province.id, kind="document", title="Báo cáo chính trị của Ban Chấp hành Đảng bộ",
                           body=document(pages), status="published", version=1, search_text="")
        db.session.add(item)
        db.session.commit()
        ctx, cpu0 = Timed(), _cpu()
        make(ctx, item.id)
        total = db.session.scalar(select(func.sum(ReadaloudSection.seconds)))
        figures["document"] = {"pages": pages, "chars": len(item.body), "parts": len(ctx.marks),
                               "first_s": ctx.marks[0], "second_s": ctx.marks[1] if len(ctx.marks) > 1 else None,
                               "all_s": ctx.marks[-1], "cpu_s": _cpu() - cpu0, "audio_s": total}
        # 3. 200 documents published at once, made one after another by one worker.
        ids = []
        for n in range(documents):
            doc = ContentItem(org_id=province.id, kind="news", title=f"Tin số {n + 1} của Đảng bộ",
                              body=f"<p>{SENTENCES[n % 5]} {SENTENCES[(n + 2) % 5]}</p>", status="published",
                              version=1, search_text="")
            db.session.add(doc)
            db.session.flush()
            ids.append(doc.id)
        db.session.commit()
        wall0, cpu0 = time.perf_counter(), _cpu()
        for item_id in ids:
            make(Timed(), item_id)
        wall = time.perf_counter() - wall0
        figures["queue"] = {"documents": documents, "wall_s": wall, "cpu_s": _cpu() - cpu0,
                            "per_minute": documents / wall * 60}
        db.session.remove()
        db.engine.dispose()
    return figures


def markdown(figures: dict, facts: dict) -> str:
    rtf, doc, queue = figures["rtf"], figures["document"], figures["queue"]
    second = f"{doc['second_s']:.2f} s" if doc["second_s"] is not None else "—"
    return f"""## Read-aloud (`python -m tests.bench.readaloud_speech`, {facts['date']})

{facts['cpu']}, pinned to one of {facts['cores']} cores; espeak-ng voice `vi` at 145 words per minute,
Ogg Opus mono at 16 kbit/s. The machine was shared with other sessions' test runs: wall times are
upper bounds, CPU times are this process's and its children's.

| measure | result |
|---|---|
| real-time factor (CPU ÷ audio), 20 sentences | {rtf['cpu_s'] / rtf['audio_s']:.3f} ({rtf['cpu_s']:.1f} s CPU for {rtf['audio_s']:.0f} s of speech; wall {rtf['wall_s']:.1f} s) |
| size of the audio | {rtf['kb_per_min']:.0f} KB per minute |
| {doc['pages']}-page document ({doc['chars']:,} characters, {doc['parts']} parts, {doc['audio_s'] / 60:.0f} min of speech): time to first sound | {doc['first_s']:.2f} s (the title part stored; the first part of the text at {second}) |
| the same document, every part made | {doc['all_s']:.1f} s wall, {doc['cpu_s']:.1f} s CPU |
| {queue['documents']} short documents published at once, one worker | {queue['wall_s']:.1f} s ({queue['per_minute']:.0f} documents per minute; {queue['cpu_s']:.1f} s CPU) |
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.readaloud_speech", description=__doc__)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    if not (1 <= args.pages <= 200 and 1 <= args.documents <= 1000):
        parser.error("--pages in 1..200, --documents in 1..1000")
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    figures = run(args.pages, args.documents)
    text = markdown(figures, machine.describe(None))
    print(text, flush=True)
    if not args.no_save:
        report.save_section("readaloud", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
