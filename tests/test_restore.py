"""`kg restore` leaves the data derived from the articles current, whatever the backup held."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from test_served_writes import CLAIM_TRIPLES, GRAPH, ID

from kg.store import Store


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_restore_leaves_the_derived_data_current(seeds_store: Path, tmp_path: Path) -> None:
    """A backup may hold articles whose derived data was not refreshed yet (taken while a
    build ran between writing them and refreshing): `kg restore` recomputes it, so who
    controlled a place is answered from every claim the restored store holds."""
    source = Path(shutil.copytree(seeds_store, tmp_path / "source"))
    written = Store(source)
    written.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {CLAIM_TRIPLES} }} }}")  # no refresh
    written.flush()
    del written
    assert kg("backup", str(tmp_path / "backup"), "--store", str(source)).returncode == 0
    target = Path(shutil.copytree(seeds_store, tmp_path / "target"))
    restored = kg("restore", str(tmp_path / "backup"), "--store", str(target))
    assert restored.returncode == 0, restored.stderr
    out = kg("ask", "who-controlled", "Boukamal", "2017-11-16", "--store", str(target))
    assert json.loads(out.stdout)["controller"]["iri"] == f"{ID}entity/syrian-armed-forces"
