"""The access matrix's parts that each plugin ships beside its tests, so a new plugin states its
own rules without editing the core's files: `tests/plugins/<name>/access.py` (or
`plugins/<name>/tests/access.py`) may define

- `RULES`: endpoint → `tests.security.rules.Route`, for every route of the plugin;
- `MAKERS`: kind of object → `maker(orgs, staff, users) -> list[Thing]` (see tests/security/world.py),
  run only when the plugin is loaded;
- `PARAM_KINDS` / `DERIVED`: how the plugin's route parameters are filled;
- `TAGS`: the words its objects carry in their "thử quyền <tag> #<org>" markers, and
  `HIDDEN_BELOW`, those of them never shown to a lower level (a branch's own records)."""
from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def plugin_access() -> list[tuple[str, ModuleType]]:
    """(plugin name, its access module) for every plugin that ships one, by name."""
    found = []
    for path in sorted([*ROOT.glob("tests/plugins/*/access.py"), *ROOT.glob("plugins/*/tests/access.py")]):
        name = path.parent.name if path.parent.name != "tests" else path.parent.parent.name
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found.append((name, importlib.import_module(module)))
    return found


_installed = False


def install() -> None:
    """Add every plugin's parts to the matrix (once): its rules to RULES, its makers, parameters
    and marker words to the world. Called by tests/security/conftest.py, before any test runs,
    so that the plugins' modules may import the rules' and the world's names."""
    global _installed
    if _installed:
        return
    _installed = True
    import re

    from tests.security import rules, world

    tags = set(world.CORE_TAGS)
    for name, module in plugin_access():
        for endpoint, route in getattr(module, "RULES", {}).items():
            assert endpoint.split(".")[0].startswith(name), f"{name} states a rule for {endpoint}"
            rules.RULES[endpoint] = route
        world.MAKERS.update({kind: (name, maker) for kind, maker in getattr(module, "MAKERS", {}).items()})
        world.PARAM_KINDS.update(getattr(module, "PARAM_KINDS", {}))
        world.DERIVED.update(getattr(module, "DERIVED", {}))
        tags |= set(getattr(module, "TAGS", ()))
        world.NOT_SEEN_FROM_BELOW.update(getattr(module, "HIDDEN_BELOW", ()))
    world.MARKER = re.compile(r"thử quyền (%s) #(\d+)" % "|".join(sorted(tags)))
