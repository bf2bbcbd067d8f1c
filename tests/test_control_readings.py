"""Materialised control (kg/derived/control.py): who-controlled read from the readings gives
exactly the answer read from the claims (queries/who_controlled.rq, run here as the oracle), on
the seeds, on a generated store and on long made-up histories that make the question look
several windows back; a build keeps the readings as a full refresh computes them; a store
without them is refused with a line saying what to run, and a build adds them."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import write_articles
from test_query_scale import PLACES, generated_store
from test_who_controlled import MADE_UP, MANIFEST

from kg.ask import who_controlled
from kg.ask.stored_queries import stored_text
from kg.ask.who_controlled import Reading
from kg.build import build
from kg.derived import CARDS, CONTRADICTIONS, CONTROL, Change, base, cards, recompute
from kg.errors import StoreError
from kg.store import Store, Term
from kg.store.sparql import bind_values
from kg.vocab import (
    DERIVED_GRAPH,
    ONTOLOGY,
    PREFIXES,
    article_iri,
    claim_iri,
    entity_iri,
    graph_iri,
)

DAYS = ["2012-01-15", "2013-06-01", "2015-06-01", "2016-02-29", "2017-11-10", "2017-11-12",
        "2017-11-21", "2019-03-10", "2019-03-12", "2024-01-01"]  # fmt: skip
AS_OF = [None, "2013-06-01", "2015-06-10", "2017-11-10", "2019-03-08", "2030-01-01"]
CONTROL_QUERY = f"""SELECT ?s ?p ?o WHERE {{
  GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o FILTER(?p != <{ONTOLOGY}contradicts>) }}
}} ORDER BY ?s ?p ?o"""


def day_literal(day: dt.date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))


def claims_readings(store: Store, place: Term, on: dt.date, as_of: dt.date | None) -> list:
    """The readings as queries/who_controlled.rq reads them from the claims themselves, with
    their claims' cards (what the evidence shows; the cards' own test checks them)."""
    bindings: dict[str, Term] = {"place": place, "date": day_literal(on)}
    if as_of is not None:
        bindings["asof"] = day_literal(as_of)
    rows = store.select(bind_values(stored_text("who_controlled"), bindings))
    cards = (
        f"SELECT ?claim ?card WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?claim ckg:claimCard ?card }} }}"
    )
    card = {r["claim"].value: r["card"].value for r in store.select(cards)}
    return [
        Reading(
            r["claim"].value,
            r["controller"].value,
            dt.date.fromisoformat(r["start"].value),
            int(r["order"].value),
            r["article"].value,
            r["printed"].value if "printed" in r else "",
            card.get(r["claim"].value, ""),
        )
        for r in rows
    ]


def from_claims(store: Store, place: str, day: str, as_of: str | None) -> dict:
    """The answer with its readings read from the claims."""
    saved = who_controlled.readings
    who_controlled.readings = claims_readings  # type: ignore[assignment]
    try:
        return answer(store, place, day, as_of)
    finally:
        who_controlled.readings = saved  # type: ignore[assignment]


def answer(store: Store, place: str, day: str, as_of: str | None) -> dict:
    on = dt.date.fromisoformat(day)
    as_of_day = dt.date.fromisoformat(as_of) if as_of else None
    return who_controlled.who_controlled(store, place, on, as_of_day)


def assert_same_answers(store: Store, places: list[str], days: list[str] = DAYS) -> int:
    """Every place, day and as-of day: the JSON from the readings is the JSON from the claims.
    Returns how many answers named a controller."""
    assert CONTROL.marked(store)
    named = 0
    for place in places:
        for day in days:
            for as_of in AS_OF:
                new = answer(store, place, day, as_of)
                assert new == from_claims(store, place, day, as_of), (place, day, as_of)
                named += new["controller"] is not None
    return named


def control_triples(store: Store) -> list[tuple[str, str, str]]:
    return [(str(r["s"]), str(r["p"]), str(r["o"])) for r in store.select(CONTROL_QUERY)]


def test_seeds_same_answers(seeds_store: Path) -> None:
    store = Store(seeds_store, read_only=True)
    places = [r["place"].value for r in store.select(PLACES)]
    assert len(places) >= 3
    assert assert_same_answers(store, places) > 20


def test_generated_store_same_answers(tmp_path_factory: pytest.TempPathFactory) -> None:
    store = generated_store(tmp_path_factory.mktemp("generated") / "store", 3000)
    places = [r["place"].value for r in store.select(PLACES)]
    hot = [entity_iri(f"bench-place-{k}") for k in range(20)]
    assert assert_same_answers(store, hot + places[:: max(1, len(places) // 30)]) > 100


def long_histories(path: Path, seed: int = 3) -> Store:
    """Three places with years of control claims by five sides, in the shape kg/emit/graph.py writes
    (one graph per article): a busy one (claims every few days), a quiet one (a claim every few
    months) and one whose sides all appear once, early. Some reports have no date."""
    rng, store = random.Random(seed), Store(path)
    x = PREFIXES["xsd"]
    sides = [entity_iri(f"side-{k}") for k in range(5)]
    histories = {
        "busy": [dt.date(2013, 1, 1) + dt.timedelta(days=3 * i) for i in range(600)],
        "quiet": [dt.date(2012, 1, 1) + dt.timedelta(days=95 * i) for i in range(30)],
        "early": [dt.date(2012, 5, 1) + dt.timedelta(days=i) for i in range(5)],
    }
    n = 0
    for name, days in histories.items():
        place = ox.NamedNode(entity_iri(name))
        for i, day in enumerate(days):
            stem = f"{name}{i:04d}"
            g, art = ox.NamedNode(graph_iri(stem)), ox.NamedNode(article_iri(stem))
            quads = [ox.Quad(art, ox.NamedNode(ONTOLOGY + "stem"), ox.Literal(stem), g)]
            if rng.random() < 0.9:
                published = day + dt.timedelta(days=rng.randrange(0, 40))
                printed = ox.Literal(published.isoformat(), datatype=ox.NamedNode(x + "date"))
                quads.append(ox.Quad(art, ox.NamedNode(ONTOLOGY + "published"), printed, g))
            for c in range(rng.choice([1, 1, 2, 3])):
                n += 1
                side = sides[i % 5] if name == "early" else rng.choice(sides[: 2 + i % 4])
                quads += claim_quads(stem, c, g, art, place, ox.NamedNode(side), day, rng)
            store.replace_graph(graph_iri(stem), quads)
    recompute(store)
    assert n > 1000
    return store


def claim_quads(stem, c, g, art, place, side, day, rng) -> list[ox.Quad]:
    x, k = PREFIXES["xsd"], ONTOLOGY
    claim = ox.NamedNode(claim_iri(stem, 0, c))
    event = ox.NamedNode(claim.value + "/event")
    lit = ox.Literal
    triples = [
        (claim, PREFIXES["rdf"] + "type", ox.NamedNode(k + "Claim")),
        (claim, k + "claimType", lit("control")),
        (claim, k + "inArticle", art),
        (claim, k + "sentenceText", lit(f"Claim {c} of {stem}.")),
        (claim, k + "sentenceIndex", lit("0", datatype=ox.NamedNode(x + "integer"))),
        (claim, k + "hedged", lit("false", datatype=ox.NamedNode(x + "boolean"))),
        (claim, k + "contested", lit("false", datatype=ox.NamedNode(x + "boolean"))),
        (claim, k + "about", event),
        (event, PREFIXES["rdf"] + "type", ox.NamedNode(k + "ControlChange")),
        (event, k + "place", place),
        (event, k + "controller", side),
        (event, k + "start", lit(day.isoformat(), datatype=ox.NamedNode(x + "date"))),
    ]
    if rng.random() < 0.1:
        triples.append((event, k + "orderInDay", lit("-1", datatype=ox.NamedNode(x + "integer"))))
    return [ox.Quad(s, ox.NamedNode(p), o, g) for s, p, o in triples]


@pytest.fixture(scope="module")
def histories(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return long_histories(tmp_path_factory.mktemp("histories") / "store")


def test_long_histories_same_answers(histories: Store) -> None:
    """Days spread over the histories: the question reads one window, two, or every month."""
    store = histories
    places = [entity_iri(p) for p in ("busy", "quiet", "early")]
    days = [(dt.date(2012, 3, 1) + dt.timedelta(days=61 * i)).isoformat() for i in range(45)]
    assert assert_same_answers(store, places, days) > 300


def test_the_busy_place_is_answered_from_its_newest_months(
    histories: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a busy place on a late day stops after the first window: one query for it."""
    store, seen = histories, []
    query = store.query
    monkeypatch.setattr(store, "query", lambda q, b=None: seen.append(q) or query(q, b))
    place = ox.NamedNode(entity_iri("busy"))
    found = who_controlled.readings(store, place, dt.date(2016, 6, 1), None)
    assert len(seen) == 1 and "monthReadings" in seen[0]
    every = claims_readings(store, place, dt.date(2016, 6, 1), None)
    assert found == every[: len(found)] and len(found) < len(every) / 3


def test_incremental_builds_keep_readings_as_a_full_refresh(tmp_path: Path) -> None:
    """Articles built one at a time, one rebuilt, one rebuilt without its town: after each
    build the readings, digests and sides equal those of a full refresh."""
    folder = write_articles(tmp_path / "articles", MADE_UP, MANIFEST)
    store = Store(tmp_path / "store")
    moved = MADE_UP["w3.txt"].replace("Qasr al-Fanar", "Tall Raml")
    for name in ("w1.txt", "w2.txt", "w3.txt", "w2.txt", "moved"):
        if name == "moved":
            (folder / "w3.txt").write_text(moved, encoding="utf-8")
            name = "w3.txt"
        build(store, [folder / name], force=True, workers=1)
        step = control_triples(store)
        CONTROL.recompute(store, Change())
        assert step == control_triples(store), name
    assert any("monthReadings" in p for _, p, _ in step)
    assert any("controlSides" in p for _, p, _ in step)


def test_a_first_build_writes_the_readings_extraction_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build into an empty store takes each article's readings and claim cards from its
    extraction (`Derived.of_article`), without reading the claims back: the derived graph is
    the one a full refresh then reads from the store, triple for triple. The seeds
    and the made-up town, one of its reports without a publication day (no readingPublished)
    and one with two captures in a day (an order in the day)."""
    folder = write_articles(tmp_path / "articles", MADE_UP, MANIFEST)
    (folder / "w4.txt").write_text(
        "Town Changes Hands Twice\n\nRebel fighters captured the town of Qasr al-Fanar on "
        "10 March 2019, then government forces recaptured the town of Qasr al-Fanar "
        "later that day, the Oasis Times reported.\n",
        encoding="utf-8",
    )

    def read_back(store: Store, claims: list[str]) -> list:
        assert not claims, "a first build read claim cards back from the store"
        return []

    monkeypatch.setattr(cards, "claim_card_quads", read_back)
    store = Store(tmp_path / "store")
    report = build(store, [Path(__file__).resolve().parent.parent / "seeds", folder], workers=1)
    assert report.ok and report.articles == 9
    monkeypatch.undo()
    first = control_triples(store)
    said = {p.rsplit("#", 1)[-1].rstrip(">") for _, p, _ in first}
    assert {"readingPublished", "readingOrder", "claimCard", "monthReadings"} <= said
    undated = article_iri("w4")
    assert any(o == f"<{undated}>" for _, p, o in first if p.endswith("readingArticle>"))
    for piece in (CARDS, CONTROL):  # every card and reading again, read from the articles
        piece.recompute(store, Change())
    assert control_triples(store) == first


def test_a_store_without_readings_is_refused_and_a_build_adds_them(
    seeds_store: Path, tmp_path: Path
) -> None:
    path = Path(shutil.copytree(seeds_store, tmp_path / "store"))
    store = Store(path)
    expected = control_triples(store)
    before = answer(store, "Boukamal", "2017-11-12", None)
    CONTROL.clear(store)
    assert not CONTROL.marked(store) and not CONTROL.content(store)
    with pytest.raises(StoreError, match="no control of this version: run `kg refresh`"):
        answer(store, "Boukamal", "2017-11-12", None)
    report = build(store, [Path(__file__).resolve().parent.parent / "seeds"], workers=1)
    assert report.articles == 0  # nothing to extract, yet the readings come back
    assert control_triples(store) == expected
    assert answer(store, "Boukamal", "2017-11-12", None) == before


def test_a_build_that_rebuilds_most_articles_refreshes_everything_at_once(
    seeds_store: Path, tmp_path: Path
) -> None:
    """Rebuilt articles past base.FEW and half the store's: every piece recomputed whole (0.4 s
    for FA-KES's 642 where the incremental refresh took 7.6 s), with the same triples."""
    from kg.derived import refresh

    store = Store(shutil.copytree(seeds_store, tmp_path / "store"))
    expected = control_triples(store)
    stems = [r["stem"].value for r in store.select("SELECT ?stem WHERE { ?a ckg:stem ?stem }")]
    many = stems + [f"gone{k}" for k in range(base.FEW)]  # articles no longer in the store
    assert all(piece.whole for piece in refresh(store, Change(many)))
    assert control_triples(store) == expected
    assert not any(piece.whole for piece in refresh(store, Change(stems)))
    assert control_triples(store) == expected


# The rule of kg.derived.contradictions over the claims themselves: ?a (a control claim of an
# article ?articleA) and ?b name different controllers of one place at one moment, from
# different articles or claimants
PAIRS = """
  GRAPH ?ga {
    ?a ckg:inArticle ?articleA ; ckg:claimType ?typeA ; ckg:about ?ea .
    ?ea ckg:place ?place ; ckg:controller ?ca ; ckg:start ?day .
    OPTIONAL { ?ea ckg:orderInDay ?oa }
    OPTIONAL { ?a ckg:claimant ?claimantA }
  }
  FILTER(?typeA = "control")
  GRAPH ?gb {
    ?eb ckg:place ?place ; ckg:start ?day ; ckg:controller ?cb .
    ?b ckg:about ?eb ; ckg:claimType ?typeB ; ckg:inArticle ?articleB .
    OPTIONAL { ?eb ckg:orderInDay ?ob }
    OPTIONAL { ?b ckg:claimant ?claimantB }
  }
  FILTER(?typeB = "control")
  FILTER(?ca != ?cb && COALESCE(?oa, 0) = COALESCE(?ob, 0))
  FILTER(?articleA != ?articleB || !SAMETERM(COALESCE(?claimantA, ?a), COALESCE(?claimantB, ?b)))
"""


LINKS = f"SELECT ?a ?b WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }}"


def links(store: Store) -> set[tuple[str, str]]:
    return {(r["a"].value, r["b"].value) for r in store.select(LINKS)}


@pytest.mark.parametrize("source", ["seeds", "generated", "histories"])
def test_contradictions_from_the_readings_are_those_from_the_claims(
    source: str, seeds_store: Path, tmp_path: Path
) -> None:
    """kg.derived.contradictions's rule over the control readings finds the links the rule over
    the claims finds, in full and for a few articles."""
    if source == "seeds":
        store = Store(shutil.copytree(seeds_store, tmp_path / "store"))
    elif source == "generated":
        store = Store(generated_store(tmp_path / "store", 3000).path)
    else:
        store = long_histories(tmp_path / "store")
    assert CONTROL.marked(store)
    pairs = f"SELECT DISTINCT ?a ?b WHERE {{ {PAIRS} }}"
    from_claims = {(r["a"].value, r["b"].value) for r in store.select(pairs)}
    assert len(from_claims) >= {"seeds": 0, "generated": 2, "histories": 50}[source]
    CONTRADICTIONS.clear(store)
    CONTRADICTIONS.recompute(store, Change())
    assert links(store) == from_claims
    stems = sorted({a.rsplit("/s", 1)[0].rsplit("/", 1)[-1] for a, _ in from_claims})[:5]
    before = {CONTRADICTIONS.name: CONTRADICTIONS.prepare(store, stems)}
    CONTRADICTIONS.update(store, Change(stems, before=before))
    assert links(store) == from_claims
