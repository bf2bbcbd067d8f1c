"""The paged texts of the listings (kg/ask/paged/, what the API reads) keep the plan that makes a
page cost its own claims: they start from the page, and look each OPTIONAL up row by row.
Oxigraph's planner is sensitive to the shape of a text (one required pattern more and it reads
each OPTIONAL's property for the whole store into a hash table; SCALING.md, "Writing queries
that Oxigraph plans well"), so the plans are read with `oxigraph query --explain`, from the
server binary of the same version as pyoxigraph."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import oxigraph_binary

from kg.ask.stored_queries import paged_listing

PAGED = {
    "claims": "onPage",
    "claims_by_type": "onPage",
    "contested_claims": "onPage",
    "event_sources": "onPage",
    "claims_about_actor": "onTermPage",
    "claims_of_actor": "onTermPage",
    "claims_at_place": "onTermPage",
    "contested_at_place": "onTermPage",
}


@pytest.fixture(scope="module")
def explain(seeds_store: Path, tmp_path_factory: pytest.TempPathFactory):
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("no `oxigraph` server binary: pip install oxigraph")
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
    if ox.__version__ not in version:
        pytest.skip(f"oxigraph {version.strip()} plans as pyoxigraph {ox.__version__} may not")
    location = tmp_path_factory.mktemp("plans") / "store"
    shutil.copytree(seeds_store, location)

    def plan(name: str) -> list[str]:
        query = tmp_path_factory.mktemp("q") / f"{name}.rq"
        listing = paged_listing(name)
        assert listing is not None, name
        query.write_text(listing.text, encoding="utf-8")
        done = subprocess.run(
            [binary, "query", "--location", str(location), "--query-file", str(query)]
            + ["--results-format", "tsv", "--explain"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return re.findall(r'name: "(.*)",', done.stderr)

    return plan


@pytest.mark.parametrize("name", sorted(PAGED))
def test_a_paged_listing_starts_from_its_page_and_looks_optionals_up(explain, name: str) -> None:
    nodes = explain(name)
    patterns = [n for n in nodes if n.startswith(("QuadPattern", "StaticBindings"))]
    assert patterns and PAGED[name] in patterns[0], patterns[:3]  # the one-row VALUES first
    assert "QuadPattern" in patterns[1] and f"?{PAGED[name]} ?page" in patterns[1], patterns[:3]
    assert not [n for n in nodes if "HashBuildRightProbeLeft" in n], name
    assert not [n for n in nodes if re.match(r"Join\(HashBuild\w+, keys = \)", n)], name
