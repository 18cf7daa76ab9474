"""The dry run's plan, kept beside the upload as JSON lines: every update (field by field, old
and new value) and every conflict, so the preview can list all of them a page at a time.

A province's file may hold 100,000 rows: the dry run notes where every page starts in the file,
so showing a page reads 25 lines, never the whole plan."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from flask_babel import gettext as _

PLAN_PAGE = 25
LISTS = ("updated", "conflict")


def plan_path(folder: Path, token: str, kind: str) -> Path:
    return folder / f"{token}.{kind}.jsonl"


class PlanWriter:
    """Appends one JSON line per entry; `offsets` says where each page of PLAN_PAGE begins."""

    def __init__(self, folder: Path, token: str):
        self.folder, self.token = folder, token
        self.files: dict = {}
        self.counts = {kind: 0 for kind in LISTS}
        self.offsets: dict[str, list[int]] = {kind: [] for kind in LISTS}

    def add(self, kind: str, entry: dict) -> None:
        out = self.files.get(kind)
        if out is None:
            out = self.files[kind] = plan_path(self.folder, self.token, kind).open("w", encoding="utf-8")
        if self.counts[kind] % PLAN_PAGE == 0:
            self.offsets[kind].append(out.tell())
        out.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self.counts[kind] += 1

    def close(self) -> dict[str, list[int]]:
        for out in self.files.values():
            out.close()
        return self.offsets


def read_page(folder: Path, token: str, kind: str, offsets: list[int], number: int) -> list[dict]:
    """The entries of page `number` (from 1) of one list, read from where that page begins."""
    path = plan_path(folder, token, kind)
    if not offsets or not 1 <= number <= len(offsets) or not path.exists():
        return []
    entries = []
    with path.open("r", encoding="utf-8") as plan:
        plan.seek(offsets[number - 1])
        for line in plan:
            entries.append(json.loads(line))
            if len(entries) == PLAN_PAGE:
                break
    return entries


def remove(folder: Path, token: str) -> None:
    for kind in LISTS:
        plan_path(folder, token, kind).unlink(missing_ok=True)


def org_ids(entries: list[dict]) -> set[int]:
    """The organisations a page of entries names (one query finds their names)."""
    found = set()
    for entry in entries:
        for name, old, new in entry.get("changes", ()):
            if name == "org_id":
                found |= {old, new}
        for side in ("file", "holder"):
            if entry.get(side, {}).get("branch"):
                found.add(entry[side]["branch"])
    return {i for i in found if i}


def shown_value(name: str, value, orgs: dict[int, str]) -> str:
    """A member field's stored value as a person reads it."""
    from core.members.forms import KIND_LABELS, STATUS_LABELS

    if value in (None, ""):
        return "—"
    if name == "org_id" or name == "branch":
        return orgs.get(value, "?")
    if name in ("birth_date", "admission_date", "official_date", "birth"):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if name == "status":
        return str(STATUS_LABELS.get(value, value))
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "gender":
        return {"nam": _("Male"), "nữ": _("Female")}.get(value, value)
    return str(value)
