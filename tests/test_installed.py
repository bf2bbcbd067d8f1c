"""The installed `kg` command, run from outside the checkout, finds everything it ships
(stored queries, ontology, shapes, data). Tests that import `kg` from the checkout cannot see
a packaging mistake; this one can, when the project is installed without -e."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def installed_kg() -> Path:
    script = Path(sys.executable).parent / "kg"
    if not script.exists():
        pytest.skip("the `kg` command is not installed in this environment")
    return script


def test_installed_command_answers_from_outside_the_checkout(
    seeds_store: Path, tmp_path: Path
) -> None:
    kg = installed_kg()
    out = subprocess.run(
        [str(kg), "ask", "who-controlled", "Boukamal", "2017-11-12", "--store", str(seeds_store)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["controller"]["wikidata"] == "Q2429253"
    probe = (
        "import kg, kg.resources as r; print(kg.__file__); "
        "print(sorted(p.name for p in r.queries_dir().glob('*.rq'))); "
        "print(sorted(p.name for p in r.ontology_dir().glob('*.ttl')))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60
    ).stdout.splitlines()
    assert "who_controlled.rq" in shown[1] and "claims.rq" in shown[1]
    assert "conflict.ttl" in shown[2] and "shapes.ttl" in shown[2]
    if not shown[0].startswith(str(ROOT)):  # a real install: the packaged copies are used
        assert "site-packages" in shown[0]
