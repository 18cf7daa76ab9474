"""The meetings plugin's part of the access matrix (tests/security/plugin_parts.py collects this
file). Each page group states its rules beside its tests: access_branch.py (preparing, inviting,
members' side), access_hall.py (attendance, votes, minutes, ratings), access_overview.py
(planning and the upper levels)."""
from __future__ import annotations

from tests.plugins.meetings import access_branch, access_hall, access_overview

PARTS = (access_branch, access_hall, access_overview)
RULES = {k: v for part in PARTS for k, v in getattr(part, "RULES", {}).items()}
MAKERS = {k: v for part in PARTS for k, v in getattr(part, "MAKERS", {}).items()}


def _extended(kind: str, maker):
    """A kind made by one part may be extended by others (`EXTEND`: kind → function of the list
    of Things, adding rows and `extra` entries): one meeting object serves every part."""
    extensions = [part.EXTEND[kind] for part in PARTS if kind in getattr(part, "EXTEND", {})]
    if not extensions:
        return maker

    def make(orgs, staff, users):
        things = maker(orgs, staff, users)
        for extend in extensions:
            extend(things)
        return things
    return make


MAKERS = {kind: _extended(kind, maker) for kind, maker in MAKERS.items()}
PARAM_KINDS = {k: v for part in PARTS for k, v in getattr(part, "PARAM_KINDS", {}).items()}
DERIVED = {k: v for part in PARTS for k, v in getattr(part, "DERIVED", {}).items()}
TAGS = {t for part in PARTS for t in getattr(part, "TAGS", ())}
HIDDEN_BELOW = {t for part in PARTS for t in getattr(part, "HIDDEN_BELOW", ())}
