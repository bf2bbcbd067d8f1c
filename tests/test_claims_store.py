"""Claims in the store: shared events across articles, contradictions, the stored queries and
the evaluation against the seeds' gold, each on both backends (conftest's `seeds_on`)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BACKENDS, ROOT, SparqlServer, write_articles
from test_stored_queries import every_row
from test_who_controlled import MADE_UP, MANIFEST

from kg.ask.claims import list_claims
from kg.ask.evaluate import evaluate, load_gold
from kg.ask.stored_queries import load_stored_queries, run_stored
from kg.build import build
from kg.store import GraphStore, RemoteStore, Store


@pytest.fixture(scope="module")
def seeds(seeds_on: GraphStore) -> GraphStore:
    return seeds_on


@pytest.fixture(scope="module", params=BACKENDS)
def made_up(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    """Three made-up articles that disagree, built into each backend."""
    folder = write_articles(tmp_path_factory.mktemp("made2") / "articles", MADE_UP, MANIFEST)
    server = SparqlServer(folder.parent / "server") if request.param == "remote" else None
    try:
        store = RemoteStore(server.location) if server else Store(folder.parent / "store")
        assert build(store, [folder], workers=1).ok
        yield store
    finally:
        if server:
            server.close()


def every_page(store: GraphStore, name: str) -> list:
    """A listing's rows as the API reads them, page by page (kg/ask/listings.py)."""
    return every_row(store, name, {})


def test_one_event_reported_by_several_articles(seeds: GraphStore) -> None:
    capture = [
        c
        for c in list_claims(seeds, type="control", place="Boukamal")
        if c["date"]
        and c["date"]["start"] == "2017-11-09"
        and c["controller"]
        and c["controller"]["wikidata"] == "Q113519305"
    ]
    events = {c["event"] for c in capture}
    assert len(events) == 1 and None not in events
    assert len({c["article"] for c in capture}) >= 2  # reported on the 9th, recalled later
    rows = every_page(seeds, "event_sources")
    assert max(int(r["articles"].value) for r in rows) >= 2


def test_contradictions_link_sources_that_disagree(made_up: GraphStore) -> None:
    claims = [
        c
        for c in list_claims(made_up, type="control")
        if c["date"] and c["date"]["start"] == "2019-03-09"
    ]
    government = [c for c in claims if c["controller"]["label"] == "Government of Syria"]
    rebels = [c for c in claims if c["controller"]["label"] == "Syrian opposition"]
    assert government and rebels
    assert all(c["contested"] for c in government + rebels)
    assert set(government[0]["contradicts"]) == {c["id"] for c in rebels}
    # succession on other days is not a contradiction
    tuesday = [
        c
        for c in list_claims(made_up, type="control")
        if c["date"] and c["date"]["start"] == "2019-03-05"
    ]
    assert tuesday and not any(c["contradicts"] for c in tuesday)
    rows = every_page(made_up, "contested_claims")
    assert {r["article"].value for r in rows} >= {"w2", "w3"}


def test_stored_queries_run_and_describe_themselves(seeds: GraphStore) -> None:
    queries = load_stored_queries()
    for name in (
        "claims_about_actor",
        "casualties_by_perpetrator",
        "contested_claims",
        "agency_cites_monitor",
        "event_sources",
        "who_controlled",
        "claims",
    ):
        assert queries[name].title and queries[name].description
    pairs = {
        (r["agency"].value, r["source"].value)
        for r in run_stored(seeds, "agency_cites_monitor", {})
    }
    assert ("Agence France-Presse", "Syrian Observatory for Human Rights") in pairs
    sohr = "https://w3id.org/conflict-kg/id/entity/sohr"
    roles = {r["role"].value for r in run_stored(seeds, "claims_about_actor", {"actor": sohr})}
    assert {"claimant", "reportedBy"} <= roles
    by_day = list(run_stored(seeds, "casualties_by_perpetrator", {}))
    assert any(
        r["perpetrator"].value == "Government of Syria" and int(r["largest"].value) >= 19
        for r in by_day
    )


def test_eval_on_the_seeds_gold(seeds: GraphStore) -> None:
    """A regression floor, not the target: the figures are in the closing note."""
    scores = evaluate(seeds, load_gold(sorted((ROOT / "tests" / "gold").glob("*.jsonl"))))
    for kind in ("control", "attack", "casualties", "statement", "diplomacy"):
        tally = scores.claims[kind]
        assert tally.precision() >= 0.85 and tally.recall() >= 0.85, (kind, tally)
    chain = scores.fields["reported_by"]
    assert chain.precision() >= 0.8 and chain.recall() >= 0.8


def test_kg_eval_command(seeds_store: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "eval",
            *map(str, sorted((ROOT / "tests" / "gold").glob("*.jsonl"))),
            "--store",
            str(seeds_store),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert '"casualties"' in out.stdout


def test_incremental_contradictions_equal_a_full_recompute(
    empty_store: GraphStore, tmp_path: Path
) -> None:
    """Articles added one build at a time, then one rebuilt, give the links a full pass gives."""
    from kg.derived import CONTRADICTIONS, Change
    from kg.vocab import DERIVED_GRAPH

    folder = write_articles(tmp_path / "articles", MADE_UP, MANIFEST)
    store = empty_store
    for name in ("w1.txt", "w2.txt", "w3.txt", "w2.txt"):
        build(store, [folder / name], force=True, workers=1)
    links = (
        f"SELECT ?a ?b WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }} "
        "ORDER BY ?a ?b"
    )
    step_by_step = [(r["a"].value, r["b"].value) for r in store.select(links)]
    CONTRADICTIONS.recompute(store, Change())
    assert step_by_step == [(r["a"].value, r["b"].value) for r in store.select(links)]
    assert len(step_by_step) == 4
