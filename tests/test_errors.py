"""One exception hierarchy and one error body: every exception class of `kg` and `server` is
declared in `kg/errors.py` (a module's private signal aside), and the JSON body of an error
answer is written in one place, `server.protocol.error_body`."""

from __future__ import annotations

import ast
import builtins
import json
from collections.abc import Iterator

from conftest import ROOT

import kg.errors
from server.protocol import error_body


def sources() -> Iterator[tuple[str, ast.Module]]:
    for folder in ("kg", "server"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            yield where, ast.parse(path.read_text(encoding="utf-8"), where)


def exception_names() -> set[str]:
    """kg.errors' classes and Python's exceptions: what an exception class derives from."""
    return {
        name
        for module in (kg.errors, builtins)
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, BaseException)
    }


def base_name(base: ast.expr) -> str:
    return base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")


def test_every_exception_class_is_in_kg_errors() -> None:
    known = exception_names()
    outside = [
        f"{where}:{node.lineno} {node.name}"
        for where, tree in sources()
        if where != "kg/errors.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and not node.name.startswith("_")
        and any(base_name(b) in known for b in node.bases)
    ]
    assert outside == []


def test_the_error_body_is_written_in_one_place() -> None:
    """A dict with an "error" key is built only by error_body."""
    builders = [
        f"{where}:{node.lineno}"
        for where, tree in sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "error" for k in node.keys)
    ]
    assert len(builders) == 1 and builders[0].startswith("server/protocol.py:"), builders
    assert json.loads(error_body("No graph <urn:g>", 404)) == {
        "error": "No graph <urn:g>",
        "status": 404,
    }
