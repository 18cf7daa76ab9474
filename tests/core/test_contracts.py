"""Contracts that keep code, documentation and plugins in step.

Every hookspec is documented in docs/hooks.md with its exact signature and has a
test_hook_<name>; every installed plugin (and the fixture plugin) is well-formed."""
from __future__ import annotations

import ast
import inspect
import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from core import create_app, hookspecs
from core.extensions import db
from tests.plugins.support import FIXTURE

ROOT = Path(__file__).resolve().parents[2]
HEADING = re.compile(r"^## `(\w+)\((.*)\)`\s*$", re.M)


def specs() -> dict[str, str]:
    """{hook name: "name(arg1, arg2)"} from core.hookspecs."""
    return {name: f"{name}({', '.join(inspect.signature(fn).parameters)})"
            for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "sotay_spec")}


def documented() -> dict[str, str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    return {m.group(1): f"{m.group(1)}({m.group(2)})" for m in HEADING.finditer(text)}


def sections() -> dict[str, str]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    parts = HEADING.split(text)
    return {parts[i]: parts[i + 2] for i in range(1, len(parts), 3)}


def test_every_hookspec_is_documented_with_its_exact_signature():
    assert specs(), "no hookspecs found"
    assert documented() == specs()


def test_every_hook_section_says_when_what_and_shows_an_example():
    for name, body in sections().items():
        for needed in ("**When**", "**Receives**", "**Returns**", "```python"):
            assert needed in body, f"docs/hooks.md: {name} lacks {needed}"


def test_every_hookspec_has_a_one_line_docstring():
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if hasattr(fn, "sotay_spec"):
            assert fn.__doc__ and "\n" not in fn.__doc__.strip(), name


def test_every_hookspec_has_a_test_hook():
    tests = set()
    for folder in (ROOT / "tests", ROOT / "plugins"):
        for path in folder.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            tests |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    missing = [name for name in specs() if f"test_hook_{name}" not in tests]
    assert not missing, f"hooks without a test_hook_<name>: {missing}"


# --- plugins -------------------------------------------------------------------------------

INSTALLED = sorted(ep.name for ep in entry_points(group="sotay.plugins"))


@pytest.fixture(scope="module")
def plugin_app(tmp_path_factory):
    """Every installed plugin loaded, and the fixture plugin."""
    instance = tmp_path_factory.mktemp("contracts")
    return create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "REDIS_URL": "",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'unused.db'}",
                       "PLUGINS": INSTALLED, "EXTRA_PLUGINS": FIXTURE})


def prefix(name: str) -> str:
    """Table prefix of a plugin: "_example" → "example_"."""
    return name.strip("_") + "_"


def folder(info) -> Path:
    return Path(info.package.__file__).parent


def test_installed_plugins_include_the_example():
    assert "_example" in INSTALLED


@pytest.mark.parametrize("name", INSTALLED + list(FIXTURE))
def test_plugin_is_well_formed(plugin_app, name):
    from core.plugins import host

    plugins = host(plugin_app)
    info = plugins.plugins[name]
    assert getattr(info.package, "TITLE", None), f"{name}: __init__.py has no TITLE"
    assert plugins.pm.get_plugin(name).__name__ == info.package.__name__ + ".hooks"
    assert_metadata_only(folder(info) / "__init__.py")
    assert_no_foreign_imports(name, plugins.plugins)
    assert_core_api_only(folder(info))
    assert_templates_namespaced(name, folder(info))
    assert_tables_prefixed(name, info.package.__name__, folder(info))
    with plugin_app.app_context():
        assert_migrations_are_own_branch(name, plugin_app, folder(info))
    for blueprint, owner in plugins.blueprint_owner.items():
        if owner == name:
            assert blueprint == name or blueprint.startswith(name + "_"), blueprint
    for job in plugins.jobs.values():
        if job.plugin == name:
            assert job.name.startswith(name + "."), job.name
            assert job.func.startswith(info.package.__name__ + "."), job.func
    for owner, group in plugins.each_plugin("register_permissions"):
        if owner == name:
            assert all(p.name.startswith(name + ".") for p in group), [p.name for p in group]


def assert_metadata_only(path: Path) -> None:
    """__init__.py holds a docstring, imports and constant metadata: nothing runs on import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
            continue
        assert isinstance(node, ast.Assign), f"{path}: line {node.lineno} is not metadata"
        assert all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets), path
        value = node.value
        if isinstance(value, ast.Call):  # only a translated title: _l("...")
            assert isinstance(value.func, ast.Name) and value.func.id in ("_l", "lazy_gettext")
            assert all(isinstance(a, ast.Constant) for a in value.args), path
        else:
            ast.literal_eval(value)


def assert_no_foreign_imports(name: str, plugins: dict) -> None:
    """No plugin imports another: they cooperate through the core's hooks."""
    own = plugins[name].package.__name__
    others = [info.package.__name__ for other, info in plugins.items() if other != name] + ["plugins"]
    for path in folder(plugins[name]).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for module in modules:
                if module == own or module.startswith(own + "."):
                    continue
                foreign = [o for o in others if module == o or module.startswith(o + ".")]
                assert not foreign, f"{path}:{node.lineno} imports {module}"


def assert_core_api_only(root: Path) -> None:
    """A plugin uses the core through core.api alone: the names the core keeps stable."""
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for module in modules:
                assert module == "core.api" or not (module == "core" or module.startswith("core.")), \
                    f"{path}:{node.lineno} imports {module}: use core.api (docs/api.md)"


def test_the_public_api_resolves_and_says_what_it_offers():
    import core.api

    assert sorted(core.api.__all__) == sorted(set(core.api.__all__)), "a name listed twice"
    for name in core.api.__all__:
        assert hasattr(core.api, name), f"core.api lists {name} but has no such name"
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in core.api.__all__ if f"`{name}" not in text]
    assert not missing, f"docs/api.md does not describe: {missing}"


def assert_templates_namespaced(name: str, root: Path) -> None:
    templates = root / "templates"
    for path in templates.rglob("*") if templates.is_dir() else ():
        if path.is_file():
            assert path.relative_to(templates).parts[0] == name, f"{path} not under templates/{name}/"


def assert_tables_prefixed(name: str, package: str, root: Path) -> None:
    for mapper in db.Model.registry.mappers:
        if mapper.class_.__module__.startswith(package + "."):
            assert mapper.local_table.name.startswith(prefix(name)), mapper.local_table.name
    for path in (root / "migrations").rglob("*.py") if (root / "migrations").is_dir() else ():
        for table in re.findall(r"create_table\(\s*['\"](\w+)", path.read_text(encoding="utf-8")):
            assert table.startswith(prefix(name)), f"{path}: {table}"


def assert_migrations_are_own_branch(name: str, app, root: Path) -> None:
    """Every migration in the plugin's folder is on the branch labelled with its name, alone."""
    versions = root / "migrations" / "versions"
    if not versions.is_dir():
        return
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    mine = [rev for rev in script.walk_revisions() if Path(rev.path).parent == versions]
    assert mine, f"{versions} is not among Alembic's version locations"
    roots = [rev for rev in mine if rev.down_revision is None]
    assert len(roots) == 1, f"{name}: one first migration, not {len(roots)}"
    assert tuple(roots[0].module.branch_labels) == (name,), f"{name}: branch_labels = ({name!r},)"
    assert roots[0].dependencies, f"{name}: the first migration needs depends_on a core revision"
    for rev in mine:
        assert name in rev.branch_labels, f"{rev.path} is not on the {name} branch"
        assert rev.down_revision is None or Path(script.get_revision(
            rev.down_revision).path).parent == versions, f"{rev.path} continues another branch"
    for rev in script.walk_revisions():
        if name in rev.branch_labels:
            assert Path(rev.path).parent == versions, f"{rev.path} claims the {name} branch"
