"""The modules sit in layers and data flows one way: no import circle among the modules of `kg`
and `server`, and no module imports one of a layer above its own.

The layers, lowest first: the base modules (vocabulary, errors, files shipped, processes),
then the stages of the pipeline (read, extract, emit), the store, the data derived from the
articles, the questions over the store, then what runs them (the build, the command line, the
notebook helpers), and the web adapter on top. Imports are read from the source with `ast`,
at module level and inside functions alike; an `importlib.import_module("NAME")` with a literal
name counts as an import too.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# lowest first; a module's layer is that of the longest prefix naming it
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "kg.vocab",
            "kg.claim_view",
            "kg.resources",
            "kg.errors",
            "kg.malloc",
            "kg.parallel",
            "kg.cluster",
            "kg.assets",
            "kg.data",
        ),
    ),
    ("read", ("kg.read",)),
    ("extract", ("kg.extract",)),
    ("emit", ("kg.emit",)),
    ("store", ("kg.store",)),
    ("derived", ("kg.derived",)),
    ("ask", ("kg.ask",)),
    ("run", ("kg.build", "kg.cli", "kg.notebook", "kg")),
    ("server", ("server",)),
]
# Imports that go up on purpose, each with its reason. `kg serve` starts the web adapter: the
# command finds it by name when it runs (kg.cli's SERVE_MODULE), and nothing below imports it.
UPWARD_ALLOWED = {("kg.cli", "server.launch")}
# Circles not yet taken apart, each named: the gazetteer reads the places file through
# kg.extract.places, which builds on the gazetteer's entities (a function-level import).
KNOWN_CIRCLES = {frozenset({"kg.extract.gazetteer", "kg.extract.places"})}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of `kg` and `server`, by dotted name."""
    files = [*(ROOT / "kg").rglob("*.py"), *(ROOT / "server").rglob("*.py")]
    return {module_name(p): p for p in files if "__pycache__" not in p.parts}


def layer_of(name: str) -> int:
    """The index in LAYERS of the longest prefix that names this module."""
    best, found = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    if found < 0:
        raise AssertionError(f"{name} is in no layer: add it to LAYERS in {__file__}")
    return found


def imported(node: ast.AST, name: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The `kg` and `server` modules one import statement (or import_module call) names."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = name.split(".") if is_package else name.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        for alias in node.names:  # `from kg.derived import control`: the module itself
            full = f"{base}.{alias.name}"
            yield full if full in known else base
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
        == "import_module"
        and node.args
    ):
        yield from literal_names(node.args[0])


def literal_names(arg: ast.expr) -> Iterator[str]:
    """The module name an import_module call is given as a literal or a module constant."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        yield arg.value


def constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "string" assignments (a name given to import_module)."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    found[target.id] = node.value.value
    return found


def graph() -> dict[str, set[str]]:
    """Each module's imports of other `kg` and `server` modules."""
    known = modules()
    names = set(known)
    edges: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        named = constants(tree)
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
                if node.args[0].id in named:  # import_module(SOME_MODULE)
                    node = ast.Call(node.func, [ast.Constant(named[node.args[0].id])], [])
            for target in imported(node, name, path.name == "__init__.py", names):
                if target.split(".")[0] in ("kg", "server") and target != name:
                    found.add(target)
        edges[name] = found
    return edges


def cycle_from(start: str, edges: dict[str, set[str]]) -> list[str] | None:
    """An import path from ``start`` back to itself, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                return [*path, start]
            if nxt not in seen and nxt in edges:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_every_module_has_a_layer() -> None:
    for name in modules():
        layer_of(name)


def circles() -> dict[frozenset[str], list[str]]:
    """Each import circle (by its modules), with one path around it."""
    edges = graph()
    found = (cycle_from(name, edges) for name in sorted(edges))
    return {frozenset(c): c for c in found if c}


def test_no_import_circle() -> None:
    new = {k: c for k, c in circles().items() if k not in KNOWN_CIRCLES}
    assert not new, "import circles:\n" + "\n".join(" -> ".join(c) for c in new.values())


def test_the_known_circles_are_still_there() -> None:
    """A circle taken apart is taken out of the list, so it cannot come back unnoticed."""
    gone = KNOWN_CIRCLES - circles().keys()
    assert not gone, f"no longer circles: {sorted(sorted(c) for c in gone)}: drop them"


def test_no_upward_import() -> None:
    upward = [
        f"{name} ({LAYERS[layer_of(name)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for name, targets in sorted(graph().items())
        for target in sorted(targets)
        if layer_of(target) > layer_of(name) and (name, target) not in UPWARD_ALLOWED
    ]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_the_allowed_upward_imports_are_still_there() -> None:
    """An allowance nothing uses any more is taken out of the list."""
    edges = graph()
    for name, target in UPWARD_ALLOWED:
        assert target in edges[name], f"{name} no longer imports {target}: drop it from the list"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from kg.derived import control", {"kg.derived.control"}),
        ("from kg.store import Store", {"kg.store"}),
        ("def f():\n    from kg.ask.claims import get_claim", {"kg.ask.claims"}),
        ("import importlib\nM = 'server.launch'\nimportlib.import_module(M)", {"server.launch"}),
        ("from . import db", {"server.db"}),
    ],
)
def test_imports_are_read_from_the_source(
    tmp_path: Path, source: str, expected: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader of imports sees function-level imports, packages' modules, relative imports
    and import_module calls: a circle cannot hide behind any of them."""
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "probe.py").write_text(source)
    (tmp_path / "server" / "db.py").write_text("")
    for package in ("kg", "kg/derived", "kg/ask", "kg/store"):
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").write_text("")
    for module in ("kg/derived/control.py", "kg/ask/claims.py", "server/launch.py"):
        (tmp_path / module).write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert graph()["server.probe"] == expected
