"""Every string a user sees has a Vietnamese translation, and the committed catalog is current."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "i18n"))
import catalog  # noqa: E402


def extracted(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "--ignore-dirs", ".* __pycache__ node_modules build",
                    "-k", "lazy_gettext", "-k", "_l", "--no-location", "--omit-header",
                    "-o", str(pot), str(ROOT)], check=True, capture_output=True)
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_every_string_has_a_vietnamese_translation(tmp_path):
    missing = sorted(extracted(tmp_path) - set(catalog.table()))
    assert not missing, "add to i18n/vi/<area>.tsv:\n" + "\n".join(missing)


def test_the_committed_catalog_is_current(tmp_path):
    with catalog.PO.open("rb") as f:
        committed = {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(f) if m.id}
    table = catalog.table()
    stale = sorted(k for k in extracted(tmp_path) if committed.get(k) != table.get(k))
    assert not stale, "run `python i18n/catalog.py update`:\n" + "\n".join(stale[:20])


def test_placeholders_survive_translation():
    for english, vietnamese in catalog.table().items():
        for token in ("%(", "%s"):
            assert english.count(token) == vietnamese.count(token), english


def test_one_english_string_has_one_translation(tmp_path):
    (tmp_path / "content.tsv").write_text("Title\tTiêu đề\nSave\tLưu\n", encoding="utf-8")
    (tmp_path / "meetings.tsv").write_text("Save\tLưu\nTitle\tTên cuộc họp\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"meetings.tsv:2: 'Title' is already translated differently in content.tsv:1"):
        catalog.table(tmp_path)
    assert catalog.table()["Title"] == "Tiêu đề"  # the project's own files agree with each other
