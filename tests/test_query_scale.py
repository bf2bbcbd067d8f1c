"""Rewrites for speed keep the answers: old and new query texts, and one-by-one versus batched
claim fetching, give identical results on the seeds store and on a generated store."""

from __future__ import annotations

import importlib.util
import json
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ask.claims import get_claim, get_claims, list_claims, listing_query
from kg.ask.stored_queries import get_stored_query, paged_listing
from kg.derived import paging
from kg.store import Store, with_values
from kg.store.sparql import bind_values, select_variables
from kg.vocab import PREFIXES

ROOT = Path(__file__).resolve().parent.parent

# claims about an actor written the plain way, with a UNION (over a minute at 10k claims:
# oxigraph runs the UNION once per claim of the store): the reference for the rows
OLD_CLAIMS_ABOUT_ACTOR = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?actor ?role ?type ?claim ?article ?published ?day ?sentence
WHERE {
  {
    ?claim ckg:about ?event .
    VALUES ?prop { ckg:agent ckg:target ckg:controller }
    ?event ?prop ?actor .
    BIND(STRAFTER(STR(?prop), "#") AS ?role)
  } UNION {
    VALUES ?prop { ckg:claimant ckg:reportedBy }
    ?claim ?prop ?actor .
    BIND(STRAFTER(STR(?prop), "#") AS ?role)
  }
  ?claim ckg:claimType ?type ; ckg:sentenceText ?sentence ; ckg:inArticle ?a ; ckg:about ?e .
  ?a ckg:stem ?article .
  OPTIONAL { ?a ckg:published ?published }
  OPTIONAL { ?e ckg:start ?day }
}
ORDER BY DESC(?published) ?claim ?role
"""
# queries/who_controlled.rq before it started from the place (it scanned every control claim)
OLD_WHO_CONTROLLED = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?place ?date ?asof ?claim ?controller ?start ?order ?printed ?article
WHERE {
  ?event ckg:place ?place ;
         ckg:controller ?controller ;
         ckg:start ?start .
  ?claim ckg:about ?event ;
         ckg:claimType "control" ;
         ckg:inArticle ?article .
  OPTIONAL { ?article ckg:published ?printed }
  BIND(COALESCE(?printed, "9999-12-31"^^<http://www.w3.org/2001/XMLSchema#date>) AS ?published)
  OPTIONAL { ?event ckg:orderInDay ?inDay }
  BIND(COALESCE(?inDay, 0) AS ?order)
  FILTER(?start <= ?date)
  FILTER(COALESCE(?published <= ?asof, true))
}
ORDER BY DESC(?start) DESC(?order) ?claim
"""
PLACES = "SELECT DISTINCT ?place WHERE { ?e ckg:controller ?c ; ckg:place ?place } ORDER BY ?place"
ACTORS = """SELECT DISTINCT ?actor WHERE {
  ?x ckg:agent|ckg:target|ckg:controller|ckg:claimant|ckg:reportedBy ?actor
} ORDER BY ?actor"""


def rows(result, drop: str | None = None, keep: list[str] | None = None) -> list[tuple]:
    """The solutions as tuples: every column but ``drop``, or the columns ``keep``."""
    names = keep or [v.value for v in result.variables if v.value != drop]
    return [tuple(None if s[n] is None else str(s[n]) for n in names) for s in result]


def paged(name: str) -> str:
    """The paged text the API and the claims listings read a listing by."""
    listing = paged_listing(name)
    assert listing is not None, name
    return listing.text


def plain(store: Store, name: str, bindings: dict) -> tuple[list[tuple], list[tuple], list[str]]:
    """A stored query as users run it, its parameters in its VALUES blocks: the rows on the
    embedded store and as kg.store.RemoteStore sends it, and its columns."""
    text = bind_values(get_stored_query(name).text, bindings)
    names = select_variables(text)
    return rows(store.query(text), keep=names), remote_style(store, text, {}, keep=names), names


def remote_style(
    store: Store,
    text: str,
    bindings: dict,
    drop: str | None = None,
    keep: list[str] | None = None,
) -> list[tuple]:
    """The query as kg.store.RemoteStore sends it: parameters in a VALUES row."""
    return rows(
        store.oxigraph.query(
            with_values(text, bindings), prefixes=PREFIXES, use_default_graph_as_union=True
        ),
        drop,
        keep,
    )


def over_term_pages(store: Store, text: str, bindings: dict, term: str) -> list[list[tuple]]:
    """A listing of one term read page by page over every page of the term that ``bindings``
    names under ``term`` (kg/derived/paging.py), without the page column: substituted (Store) and
    bound in a VALUES row (RemoteStore). Each page in the listing's order, pages in theirs."""
    found: list[list[tuple]] = [[], []]
    for page in paging.TERMS.pages_of(store, bindings[term]):
        b = {**bindings, "page": page}
        found[0] += rows(store.query(text, bindings=b), drop="page")
        found[1] += remote_style(store, text, b, drop="page")
    return found


def generated_store(path: Path, claims: int) -> Store:
    spec = importlib.util.spec_from_file_location("bench_queries", ROOT / "bench" / "queries.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.load(path, claims)
    return Store(path, read_only=True)


@pytest.fixture(scope="module")
def stores(seeds_store: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Store]:
    generated = generated_store(tmp_path_factory.mktemp("generated") / "store", 1500)
    return [Store(seeds_store, read_only=True), generated]


def test_claims_about_actor_same_answers(stores: list[Store]) -> None:
    """The stored query as users run it, and read by page, gives the rows of the plain way."""
    new = paged("claims_about_actor")
    checked = 0
    for store in stores:
        actors = [r["actor"] for r in store.select(ACTORS)]
        assert actors
        for actor in actors[:25]:
            b = {"actor": actor}
            expected = rows(store.query(OLD_CLAIMS_ABOUT_ACTOR, bindings=b))
            for got in over_term_pages(store, new, b, "actor"):  # read by page
                assert Counter(got) == Counter(expected), actor
            *as_is, names = plain(store, "claims_about_actor", b)
            for got in as_is:
                assert got == rows(store.query(OLD_CLAIMS_ABOUT_ACTOR, bindings=b), keep=names)
            checked += len(expected)
    assert checked > 100


def test_batched_claims_equal_the_table(stores: list[Store]) -> None:
    """Claims read whole from their IRIs (get_claims, get_claim) are the table's rows."""
    for store in stores:
        table = {c["id"]: c for c in list_claims(store)}
        sample = list(table)[:: max(1, len(table) // 60)]
        batched = get_claims(store, sample)
        assert set(batched) == set(sample)
        for iri in sample:
            assert batched[iri] == table[iri] == get_claim(store, iri), iri


def test_generated_store_has_the_model_shape(stores: list[Store]) -> None:
    """bench/queries.py writes what kg/emit/graph.py writes: occurrences, reporting steps, the
    entities graph (contradictions, in the derived graph, are too rare at this size)."""
    store = stores[1]
    ask = {
        "occurrence": "ASK { ?c ckg:occurrence ?o . ?o ckg:start ?d }",
        "steps": "ASK { ?c ckg:reportingStep ?s . ?s ckg:position 2 ; ckg:reporter ?r }",
        "entities": "ASK { GRAPH <https://w3id.org/conflict-kg/id/graph/entities> "
        "{ ?e rdfs:label ?l } }",
    }
    for name, query in ask.items():
        assert store.query(query), name
    assert isinstance(store.oxigraph, ox.Store)


def test_who_controlled_same_answers(stores: list[Store]) -> None:
    day = ox.NamedNode(PREFIXES["xsd"] + "date")
    checked = 0
    for store in stores:
        for place in [r["place"] for r in store.select(PLACES)][:25]:
            for asof in (None, "2013-06-01", "2017-11-10"):
                b = {"place": place, "date": ox.Literal("2017-11-12", datatype=day)}
                if asof:
                    b["asof"] = ox.Literal(asof, datatype=day)
                *as_is, names = plain(store, "who_controlled", b)
                expected = rows(store.query(OLD_WHO_CONTROLLED, bindings=b), keep=names)
                assert as_is == [expected, expected], (place, asof)
                checked += len(expected)
    assert checked > 20


# -- the claims listings and the whole-store queries rewritten for scale --------------------

# queries/agency_cites_monitor.rq before its patterns were hash-joined (nine index lookups per
# claim, one by one)
OLD_AGENCY_CITES_MONITOR = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?agency ?source (COUNT(DISTINCT ?claim) AS ?claims) (COUNT(DISTINCT ?article) AS ?articles)
WHERE {
  ?claim ckg:reportingStep ?first , ?second ; ckg:inArticle ?article .
  ?first ckg:position 1 ; ckg:reporter/rdfs:label ?agency .
  ?second ckg:position 2 ; ckg:reporter/rdfs:label ?source .
}
GROUP BY ?agency ?source
ORDER BY DESC(?claims)
"""
# queries/contested_claims.rq before each UNION branch carried the whole pattern (it read every
# claim and re-ran the union once per claim)
OLD_CONTESTED_CLAIMS = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?claim ?other ?article ?claimant ?otherArticle ?otherClaimant ?sentence ?otherSentence
WHERE {
  {
    ?claim ckg:contradicts ?other .
    ?other ckg:inArticle/ckg:stem ?otherArticle ; ckg:sentenceText ?otherSentence .
    OPTIONAL { ?other ckg:claimant/rdfs:label ?otherClaimant }
  } UNION {
    ?claim ckg:contested true .
  }
  ?claim ckg:inArticle/ckg:stem ?article ; ckg:sentenceText ?sentence .
  OPTIONAL { ?claim ckg:claimant/rdfs:label ?claimant }
}
ORDER BY ?article ?claim ?other
"""
# queries/claims_by_type.rq before it started from the type (it read every claim)
OLD_CLAIMS_BY_TYPE = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?type ?claim ?article ?published ?sentence
WHERE {
  ?claim a ckg:Claim ;
         ckg:claimType ?type ;
         ckg:inArticle ?article .
  OPTIONAL { ?claim ckg:sentenceText ?sentence }
  OPTIONAL { ?article ckg:published ?published }
}
ORDER BY DESC(?published) ?claim
"""
# queries/claims.rq before it was read by page: the whole table of every claim, optional filters
OLD_CLAIMS = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>

SELECT ?article ?type ?place ?actor ?claim ?stem ?published ?sentence ?index ?headline
       ?start ?end ?dateText ?agent ?target ?controller ?count ?qualifier ?victims
       ?claimant ?hedged ?contested ?eventPlace ?contradicted ?occurrence
WHERE {
  ?claim a ckg:Claim ;
         ckg:claimType ?type ;
         ckg:inArticle ?articleNode ;
         ckg:sentenceText ?sentence ;
         ckg:sentenceIndex ?index ;
         ckg:hedged ?hedged ;
         ckg:contested ?contested ;
         ckg:about ?event .
  ?articleNode ckg:stem ?stem .
  # optional parameters: unbound, the comparison errs and COALESCE lets the row pass
  FILTER(COALESCE(?stem = ?article, true))
  OPTIONAL { ?articleNode ckg:published ?published }
  OPTIONAL { ?claim ckg:itemHeadline ?headline }
  OPTIONAL { ?claim ckg:dateText ?dateText }
  OPTIONAL { ?claim ckg:claimant ?claimant }
  OPTIONAL { ?claim ckg:occurrence ?occurrence }
  BIND(EXISTS { ?claim ckg:contradicts ?other } AS ?contradicted)
  OPTIONAL { ?event ckg:start ?start }
  OPTIONAL { ?event ckg:end ?end }
  OPTIONAL { ?event ckg:place ?eventPlace }
  OPTIONAL { ?event ckg:agent ?agent }
  OPTIONAL { ?event ckg:target ?target }
  OPTIONAL { ?event ckg:controller ?controller }
  OPTIONAL { ?event ckg:count ?count }
  OPTIONAL { ?event ckg:countQualifier ?qualifier }
  OPTIONAL { ?event ckg:victims ?victims }
  FILTER(COALESCE(IF(?place = ?place, COALESCE(?eventPlace = ?place, false), true), true))
  FILTER(COALESCE(IF(?actor = ?actor, EXISTS {
    { ?event ckg:agent|ckg:target|ckg:controller ?actor }
    UNION { ?claim ckg:claimant|ckg:reportedBy ?actor }
  }, true), true))
}
ORDER BY ?stem ?index ?claim
"""
ARTICLES = "SELECT DISTINCT ?stem WHERE { ?a ckg:stem ?stem } ORDER BY ?stem"
EVENT_PLACES = "SELECT DISTINCT ?place WHERE { ?e ckg:place ?place } ORDER BY ?place"


def same_rows(new: list[tuple], old: list[tuple], key: int, label: object) -> None:
    """The same rows (as a bag) in the same order of the sort column ``key``: rows that tie on
    the ORDER BY may come in either order."""
    assert Counter(new) == Counter(old), label
    assert [r[key] for r in new] == [r[key] for r in old], label


def both_ways(store: Store, text: str, bindings: dict) -> list[list[tuple]]:
    """The rows with the parameters substituted (Store) and bound in a VALUES row
    (RemoteStore)."""
    return [rows(store.query(text, bindings=bindings)), remote_style(store, text, bindings)]


def listing_cases(store: Store) -> list[tuple[str, dict]]:
    """(listing query, bindings) for a sample of articles, places and actors, alone and with
    the other filters."""
    stems = [r["stem"] for r in store.select(ARTICLES)]
    places = [r["place"] for r in store.select(EVENT_PLACES)]
    actors = [r["actor"] for r in store.select(ACTORS)]
    control = ox.Literal("control")
    cases: list[tuple[str, dict]] = []
    for stem in stems[:: max(1, len(stems) // 15)]:
        cases += [("claims_in_article", {"article": stem})]
        cases += [("claims_in_article", {"article": stem, "type": control})]
        cases += [("claims_in_article", {"article": stem, "place": places[0]})]
        cases += [("claims_in_article", {"article": stem, "actor": actors[0]})]
    for place in places[: min(15, len(places))]:
        cases += [("claims_at_place", {"place": place})]
        cases += [("claims_at_place", {"place": place, "type": control})]
        cases += [("claims_at_place", {"place": place, "actor": actors[1]})]
        cases += [("claims_at_place", {"place": place, "article": stems[0]})]
    for actor in actors[: min(15, len(actors))]:
        cases += [("claims_of_actor", {"actor": actor})]
        cases += [("claims_of_actor", {"actor": actor, "type": control})]
        cases += [("claims_of_actor", {"actor": actor, "place": places[2]})]
    return cases


def test_claims_listings_same_rows_as_claims(stores: list[Store]) -> None:
    """claims_in_article, claims_at_place and claims_of_actor start from their term and give
    the rows of claims.rq (optional filters in COALESCE) for the same bindings: the last two
    over every page of their term (each page sorted as the listing is)."""
    general = OLD_CLAIMS
    checked = 0
    for store in stores:
        for name, b in listing_cases(store):
            expected = rows(store.query(general, bindings=b))
            *as_is, names = plain(store, name, b)
            for got in as_is:  # as users run it
                keep = rows(store.query(general, bindings=b), keep=names)
                same_rows(got, keep, names.index("claim"), (name, b))
            if name != "claims_in_article":  # and read by page
                term = "place" if name == "claims_at_place" else "actor"
                for got in over_term_pages(store, paged(name), b, term):
                    assert Counter(got) == Counter(expected), (name, b)
            checked += len(expected)
    assert checked > 500


def test_the_table_page_by_page_is_the_whole_table(stores: list[Store]) -> None:
    """claims.rq reads a day page: over every page, with and without filters, the rows of the
    whole table as it was; list_claims (every claim) in its order, and one claim by its page."""
    text = paged("claims")
    control = ox.Literal("control")
    for store in stores:
        pages = paging.DAYS.pages_of(store)
        assert len(pages) > 1
        for b in ({}, {"type": control}):
            expected = rows(store.query(OLD_CLAIMS, bindings=b))
            got: list[tuple] = []
            for page in pages:
                found = rows(store.query(text, bindings={**b, "page": page}), drop="page")
                assert found == remote_style(store, text, {**b, "page": page}, drop="page")
                got += found
            assert Counter(got) == Counter(expected) and expected, b
            *as_is, names = plain(store, "claims", b)
            keep = rows(store.query(OLD_CLAIMS, bindings=b), keep=names)
            for whole in as_is:
                same_rows(whole, keep, names.index("claim"), b)
        ordered = list(dict.fromkeys(r[4][1:-1] for r in rows(store.query(OLD_CLAIMS))))  # ?claim
        every = list_claims(store)
        assert [c["id"] for c in every] == ordered
        middle = every[len(every) // 2]
        assert get_claim(store, middle["id"]) == middle


def test_listing_query_picks_the_bound_term() -> None:
    place = ox.NamedNode("https://example.org/p")
    assert listing_query({}) == "claims"
    assert listing_query({"type": ox.Literal("control")}) == "claims"
    assert listing_query({"place": place, "article": ox.Literal("a")}) == "claims_in_article"
    assert listing_query({"place": place, "actor": place}) == "claims_at_place"
    assert listing_query({"actor": place}) == "claims_of_actor"
    assert listing_query({"claim": place, "actor": place}) == "claims"


def test_list_claims_pages_and_filters(stores: list[Store]) -> None:
    for store in stores:
        everything = list_claims(store)
        ids = [c["id"] for c in everything]
        pages = [list_claims(store, limit=7, offset=k) for k in range(0, len(ids) + 7, 7)]
        assert [c["id"] for page in pages for c in page] == ids
        assert list_claims(store, limit=0) == []
        assert list_claims(store, limit=3, offset=2) == everything[2:5]
        stem = everything[len(everything) // 2]["article"]
        in_article = list_claims(store, article=stem)
        assert in_article == [c for c in everything if c["article"] == stem]
        place = next(c["place"] for c in everything if c["place"])["iri"]
        assert list_claims(store, place=place) == [
            c for c in everything if c["place"] and c["place"]["iri"] == place
        ]
        # an actor's claims, read over every page of the actor, in the table's order
        busiest = Counter(c["claimant"]["iri"] for c in everything if c["claimant"])
        actor = busiest.most_common(1)[0][0]
        of_actor = list_claims(store, actor=actor)
        assert of_actor == [c for c in everything if actor in actors_of(c)]
        assert list_claims(store, actor=actor, limit=5, offset=3) == of_actor[3:8]


def actors_of(claim: dict) -> set[str]:
    """The actors a claim's JSON names: agent, target, controller, claimant, reporters."""
    named = [claim[k] for k in ("agent", "target", "controller", "claimant")]
    return {e["iri"] for e in [*named, *claim["reported_by"]] if e}


def test_whole_store_queries_same_rows(stores: list[Store]) -> None:
    """The whole-store query (contested_claims and claims_by_type are read by
    page now: tests/test_listing_pages.py compares their pages with the texts above)."""
    checked = 0
    for store in stores:
        expected = rows(store.query(OLD_AGENCY_CITES_MONITOR))
        for got in both_ways(store, get_stored_query("agency_cites_monitor").text, {}):
            same_rows(got, expected, 2, "agency_cites_monitor")  # sorted by ?claims
        checked += len(expected)
    assert checked > 100


def test_claims_route_and_command_page(seeds_server, seeds_store: Path, capsys) -> None:
    """/api/claims and `kg claims` take limit and offset (whole numbers; default: all)."""
    from kg.cli import main

    def get(query: str) -> tuple[int, object]:
        try:
            with urllib.request.urlopen(f"{seeds_server.url}/api/claims?{query}", timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    status, everything = get("type=control")
    assert status == 200 and isinstance(everything, list) and len(everything) > 4
    assert get("type=control&limit=2&offset=1") == (200, everything[1:3])
    assert get("type=control&offset=3")[1] == everything[3:]
    status, error = get("limit=-1")
    assert status == 400 and "limit" in error["error"]
    assert (
        main(
            [
                "claims",
                "--store",
                str(seeds_store),
                "--type",
                "control",
                "--limit",
                "2",
                "--offset",
                "1",
                "--format",
                "jsonl",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [c["id"] for c in everything[1:3]]
