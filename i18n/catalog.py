"""Extract, merge and compile the Vietnamese catalogs.

usage: python i18n/catalog.py update|compile"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "core" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"


def table(folder: Path = ROOT / "i18n" / "vi") -> dict[str, str]:
    """All English → Vietnamese pairs from i18n/vi/*.tsv (\\n in a cell is a newline).

    The files share one catalog, so one English string has one translation: two files that
    translate it differently would let the last one win silently on every page (a meeting's
    "Title" once renamed the announcement form's), and are refused instead."""
    pairs: dict[str, str] = {}
    where: dict[str, str] = {}
    for tsv in sorted(folder.glob("*.tsv")):
        for number, line in enumerate(tsv.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            english, sep, vietnamese = line.partition("\t")
            if not sep:
                raise SystemExit(f"{tsv.name}:{number}: no TAB between English and Vietnamese")
            english, vietnamese = english.replace("\\n", "\n"), vietnamese.replace("\\n", "\n")
            if english in pairs and pairs[english] != vietnamese:
                raise SystemExit(f"{tsv.name}:{number}: {english!r} is already translated differently in "
                                 f"{where[english]}; give one of them its own English words")
            pairs[english] = vietnamese
            where.setdefault(english, f"{tsv.name}:{number}")
    return pairs


def update() -> None:
    pot = ROOT / "build" / "messages.pot"
    pot.parent.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "--ignore-dirs", ".* __pycache__ node_modules build", "-k", "lazy_gettext", "-k", "_l", "--no-location",
                    "--omit-header", "--sort-output", "-o", str(pot), str(ROOT)], check=True,
                   capture_output=True)
    with pot.open("rb") as f:
        template = read_po(f)
    pairs = table()
    catalog = Catalog(locale="vi", project="sotay", charset="utf-8")
    missing = []
    for message in template:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        text = pairs.get(key)
        if text is None:
            missing.append(key)
        catalog.add(message.id, string=text or "", context=message.context)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, width=100)
    for key in missing:
        print(f"missing: {key!r}")


def compile_all() -> None:
    for po in list(ROOT.glob("core/translations/*/LC_MESSAGES/*.po")) + list(
            ROOT.glob("plugins/*/translations/*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        with po.with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog)


if __name__ == "__main__":
    {"update": update, "compile": compile_all}[sys.argv[1] if len(sys.argv) > 1 else "update"]()
