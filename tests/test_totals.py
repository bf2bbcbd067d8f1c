"""Totals kept at build time (kg/derived/totals.py): the stored queries agency_cites_monitor and
casualties_by_perpetrator, read from them, give the rows the queries gave when they grouped
every claim (the texts below); after articles are rebuilt, changed or removed, the totals
refreshed for those articles alone equal totals recomputed from scratch; a build keeps them,
and a store without them gets them from its next build."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import write_articles
from test_query_scale import OLD_AGENCY_CITES_MONITOR, generated_store

from kg.ask.stored_queries import get_stored_query, run_stored
from kg.build import build
from kg.derived import TOTALS, Change, totals
from kg.errors import StoreError
from kg.store import Store
from kg.vocab import ONTOLOGY, graph_iri
from server.launch import stale_derived_note

# The references: agency_cites_monitor as it was (grouping every claim: test_query_scale), and
# the casualty claims, one row per perpetrator, day, victims and claimant, summed up in Python
# below (Oxigraph's GROUP_CONCAT and MAX give no value for a group where a claim lacks one)
CASUALTY_ROWS = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?claim ?perpetrator ?day ?count ?victims ?article ?source WHERE {
  ?claim ckg:claimType "casualties" ; ckg:about ?event ; ckg:inArticle ?a .
  ?a ckg:stem ?article .
  ?event ckg:count ?count .
  FILTER NOT EXISTS { ?event ckg:countSubset true }  # "including 20 children" is in the 50
  OPTIONAL { ?event ckg:victims ?victims }
  OPTIONAL { ?event ckg:start ?day }
  OPTIONAL { ?event ckg:agent/rdfs:label ?agentLabel }
  OPTIONAL { ?claim ckg:claimant/rdfs:label ?source }
  BIND(COALESCE(?agentLabel, "(not stated)") AS ?perpetrator)
}
"""
LISTS = {"victimGroups", "articles", "claimants"}  # joined names: their order is not defined
TOTALS_QUERY = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{totals.TOTALS_GRAPH}> {{ ?s ?p ?o }} }}"


def normalised(result) -> Counter:
    """Rows as a bag, each a sorted tuple of (variable, value); joined names as a sorted
    tuple of names."""
    names = [v.value for v in result.variables]
    bag: Counter = Counter()
    for solution in result:
        row = []
        for name in names:
            term = solution[name]
            value = None if term is None else str(term)
            if name in LISTS and term is not None and not isinstance(term, ox.NamedNode):
                value = tuple(sorted(n for n in term.value.split(", ") if n))
            row.append((name, value))
        bag[tuple(row)] += 1
    return bag


def casualties_from_claims(store: Store) -> Counter:
    """casualties_by_perpetrator's rows, grouped here from every casualty claim."""
    groups: dict[tuple, dict] = {}
    for r in store.query(CASUALTY_ROWS):
        day = None if r["day"] is None else str(r["day"])
        group = groups.setdefault((r["perpetrator"].value, day), {
            "claims": set(), "largest": 0, "victimGroups": set(), "articles": set(),
            "claimants": set()})  # fmt: skip
        group["claims"].add(r["claim"].value)
        group["largest"] = max(group["largest"], int(r["count"].value))
        group["articles"].add(r["article"].value)
        for name, var in (("victimGroups", "victims"), ("claimants", "source")):
            if r[var] is not None:
                group[name].add(r[var].value)
    integer = "^^<http://www.w3.org/2001/XMLSchema#integer>"
    return Counter(
        (
            ("perpetrator", str(ox.Literal(perpetrator))),
            ("day", day),
            ("claims", f'"{len(g["claims"])}"{integer}'),
            ("largest", f'"{g["largest"]}"{integer}'),
            *((name, tuple(sorted(g[name]))) for name in ("victimGroups", "articles", "claimants")),
        )
        for (perpetrator, day), g in groups.items()
    )


def assert_same_as_from_claims(store: Store) -> int:
    """Both stored queries give the rows computed from every claim. Returns how many rows
    were compared."""
    agency = normalised(store.query(OLD_AGENCY_CITES_MONITOR))
    assert normalised(store.query(get_stored_query("agency_cites_monitor").text)) == agency
    casualties = casualties_from_claims(store)
    found = normalised(store.query(get_stored_query("casualties_by_perpetrator").text))
    assert found == casualties
    return sum(agency.values()) + sum(casualties.values())


def totals_triples(store: Store) -> set[tuple[str, str, str]]:
    return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in store.select(TOTALS_QUERY)}


def test_seeds_same_rows(seeds_store: Path) -> None:
    store = Store(seeds_store, read_only=True)
    assert TOTALS.marked(store)
    assert assert_same_as_from_claims(store) >= 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generated") / "store"
    generated_store(path, 3000)
    return path


def test_generated_store_same_rows(generated: Path) -> None:
    store = Store(generated, read_only=True)
    rows = normalised(store.query(get_stored_query("casualties_by_perpetrator").text))
    assert len(rows) > 100 and any(dict(r)["day"] is None for r in rows)
    assert assert_same_as_from_claims(store) > 300


def changed(store: Store, stem: str, rng: random.Random) -> list[ox.Quad]:
    """The article's graph with some of its claims changed: another perpetrator or none,
    another day or none, another reporter in a chain, a claim dropped."""
    quads = list(store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri(stem))))
    agents = sorted({q.object for q in store.oxigraph.quads_for_pattern(
        None, ox.NamedNode(ONTOLOGY + "agent"), None)}, key=str)  # fmt: skip
    reporters = sorted({q.object for q in store.oxigraph.quads_for_pattern(
        None, ox.NamedNode(ONTOLOGY + "reporter"), None)}, key=str)  # fmt: skip
    out = []
    for q in quads:
        name = q.predicate.value.removeprefix(ONTOLOGY)
        roll = rng.random()
        if name == "agent" and roll < 0.5:
            if roll < 0.25:
                continue  # no perpetrator stated any more
            q = ox.Quad(q.subject, q.predicate, rng.choice(agents), q.graph_name)
        elif name == "start" and roll < 0.3:
            if roll < 0.1:
                continue  # undated now
            day = ox.Literal(
                f"2011-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", datatype=q.object.datatype
            )
            q = ox.Quad(q.subject, q.predicate, day, q.graph_name)
        elif name == "reporter" and roll < 0.4:
            q = ox.Quad(q.subject, q.predicate, rng.choice(reporters), q.graph_name)
        elif name == "count" and roll < 0.3:
            q = ox.Quad(
                q.subject,
                q.predicate,
                ox.Literal(str(rng.randint(1, 500)), datatype=q.object.datatype),
                q.graph_name,
            )
        elif name == "claimType" and roll < 0.05:
            continue  # a claim that is no longer read as anything
        out.append(q)
    return out


def test_refresh_of_some_articles_equals_a_full_recompute(generated: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(generated, path)
    store, rng = Store(path), random.Random(7)
    stems = sorted(r["stem"].value for r in store.select("SELECT ?stem { ?a ckg:stem ?stem }"))
    before = totals_triples(store)
    for round_ in range(3):
        picked = rng.sample(stems, 12)
        for stem in picked[:9]:  # changed
            store.replace_graph(graph_iri(stem), changed(store, stem, rng))
        for stem in picked[9:]:  # removed
            store.drop_graph(graph_iri(stem))
            stems.remove(stem)
        assert TOTALS.refresh(store, Change(picked)) is False
        incremental = totals_triples(store)
        assert incremental != before, round_
        # in transactions, or in one bulk load (what a first build does)
        TOTALS.recompute(store, Change(bulk=round_ == 1))
        assert totals_triples(store) == incremental, round_
        assert_same_as_from_claims(store)
        before = incremental


def test_every_share_removed_removes_the_row(tmp_path: Path) -> None:
    """A group whose last article goes is gone from the answer, not left at zero."""
    store = Store(tmp_path / "store")
    write = write_articles(tmp_path / "in", {
        "a.txt": "Published on Nov. 20, 2017.\n\nAn air strike by the Syrian army killed 14 "
                 "civilians in Raqqa on Friday, Ahmed Hassan, a local council official, told "
                 "Reuters.\n",
    })  # fmt: skip
    build(store, [write], workers=1)
    agency = list(store.query(get_stored_query("agency_cites_monitor").text))
    casualties = list(store.query(get_stored_query("casualties_by_perpetrator").text))
    assert agency and casualties
    store.drop_graph(graph_iri("a"))
    TOTALS.refresh(store, Change(["a"]))
    assert list(store.query(get_stored_query("agency_cites_monitor").text)) == []
    assert list(store.query(get_stored_query("casualties_by_perpetrator").text)) == []
    assert {p for _, p, _ in totals_triples(store)} == {f"<{ONTOLOGY}totalsVersion>"}


def test_build_keeps_them_and_a_store_without_them_gets_them(
    seeds_store: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store"
    shutil.copytree(seeds_store, path)
    store = Store(path)
    kept = totals_triples(store)
    assert len(kept) > 50
    assert stale_derived_note(path) is None
    Store(tmp_path / "empty")  # nothing built yet: nothing to say
    assert stale_derived_note(tmp_path / "empty") is None
    store.drop_graph(totals.TOTALS_GRAPH)
    assert not TOTALS.marked(store) and totals_triples(store) == set()
    with pytest.raises(StoreError, match="no totals of this version: run `kg refresh`"):
        run_stored(store, "agency_cites_monitor", {})
    note = stale_derived_note(path)  # what `kg serve` prints for such a store
    assert note and "no totals of this version" in note and "run `kg refresh` once" in note
    report = build(store, [Path(__file__).parents[1] / "seeds"], workers=1)
    assert report.articles == 0 and report.unchanged == 5  # nothing extracted again
    assert TOTALS.marked(store) and totals_triples(store) == kept
