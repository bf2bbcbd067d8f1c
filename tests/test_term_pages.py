"""Term pages (kg/derived/paging.py): an article is on one page of each entity its claims name, a
term's pages fill in the order articles land and follow rebuilds; the listings of one term
answer the term's newest page when none is named, and /api/claims by place or actor reads every
page. (That each listing read page by page gives the whole listing is checked against the texts
from before in test_query_scale.py and test_contested.py.)"""

from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_query_scale import generated_store
from test_stored_queries import every_row

from kg.ask.claims import list_claims
from kg.ask.stored_queries import paged_listing, parse_stored_query, run_stored
from kg.build import build
from kg.derived import Change, paging, recompute
from kg.errors import InputError, StoreError
from kg.store import Store
from kg.vocab import ONTOLOGY, article_iri, entity_iri, graph_iri
from server.launch import stale_derived_note


def refresh_pages(store: Store, stems: list[str] | None = None) -> bool:
    """Both kinds of pages refreshed for these articles (every article when None); True when
    either was done whole."""
    whole = [kind.refresh(store, Change(stems)) for kind in (paging.DAYS, paging.TERMS)]
    return any(whole)


RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LINKS = """SELECT ?article ?page ?term ?part WHERE {
  ?article ckg:onTermPage ?page . ?page ckg:pageTerm ?term ; ckg:pagePart ?part
}"""


def ckg(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY + name)


def e(name: str) -> str:
    return entity_iri(name)


def land(
    store: Store, stem: str, agents: list[str], place: str | None, claimant: str | None
) -> None:
    """An article with one claim whose event has these agents and place, as a build lands it."""
    node, graph = ox.NamedNode(article_iri(stem)), ox.NamedNode(graph_iri(stem))
    claim, event = ox.NamedNode(f"{node.value}/c1"), ox.NamedNode(f"{node.value}/e1")
    quads = [
        ox.Quad(node, RDF_TYPE, ckg("Article"), graph),
        ox.Quad(node, ckg("stem"), ox.Literal(stem), graph),
        ox.Quad(claim, ckg("inArticle"), node, graph),
        ox.Quad(claim, ckg("about"), event, graph),
    ]
    quads += [ox.Quad(event, ckg("agent"), ox.NamedNode(e(a)), graph) for a in agents]
    if place:
        quads.append(ox.Quad(event, ckg("place"), ox.NamedNode(e(place)), graph))
    if claimant:
        quads.append(ox.Quad(claim, ckg("claimant"), ox.NamedNode(e(claimant)), graph))
    store.replace_graph(graph_iri(stem), quads)


def layout(store: Store) -> dict[str, dict[str, int]]:
    """Each article's term pages: {term name: part}; an article twice on one term's pages, or
    a page whose IRI names another term than its ckg:pageTerm, fails."""
    seen: dict[str, dict[str, int]] = {}
    for r in store.select(LINKS):
        stem, term = r["article"].value.rsplit("/", 1)[1], r["term"].value
        assert paging.TERMS.key(r["page"].value) == (term, int(r["part"].value))
        name = term.rsplit("/", 1)[1]
        assert name not in seen.setdefault(stem, {}), f"{stem} is on two pages of {name}"
        seen[stem][name] = int(r["part"].value)
    return seen


def check(store: Store, named: dict[str, set[str]]) -> dict[str, dict[str, int]]:
    """Every article on one page of each entity it names and of no other, no page over size."""
    seen = layout(store)
    assert {stem: set(terms) for stem, terms in seen.items()} == {
        stem: terms for stem, terms in named.items() if terms
    }
    sizes = Counter((term, part) for terms in seen.values() for term, part in terms.items())
    assert max(sizes.values()) <= paging.PAGE_SIZE
    assert paging.TERMS.marked(store)
    return seen


def test_a_terms_pages_fill_in_landing_order_and_follow_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    store = Store(tmp_path / "store")
    named: dict[str, set[str]] = {}
    for k in range(5):
        land(store, f"a{k}", ["army"], "town", "monitor" if k == 4 else None)
        named[f"a{k}"] = {"army", "town"} | ({"monitor"} if k == 4 else set())
    assert (
        paging.TERMS.refresh(store, Change()) is True
    )  # a store without term pages: every article
    seen = check(store, named)
    assert [seen[f"a{k}"]["army"] for k in range(5)] == [1, 1, 2, 2, 3]
    assert seen["a4"]["monitor"] == 1

    # rebuilt without the army: off its page (a hole), the town's page kept
    land(store, "a1", [], "town", None)
    named["a1"] = {"town"}
    paging.TERMS.refresh(store, Change(["a1"]))
    seen = check(store, named)
    assert seen["a1"] == {"town": 1}
    # two more: the last part's free place, then a new part; the hole is not filled
    for stem in ("a5", "a6"):
        land(store, stem, ["army"], None, None)
        named[stem] = {"army"}
    paging.TERMS.refresh(store, Change(["a5", "a6"]))
    seen = check(store, named)
    assert (seen["a5"]["army"], seen["a6"]["army"]) == (3, 4)
    army = ox.NamedNode(e("army"))
    assert paging.newest_term_page(store, army) == ox.NamedNode(paging.term_page_iri(e("army"), 4))
    # rebuilt as it was: nothing written
    before = set(store.quads())
    land(store, "a2", ["army"], "town", None)
    paging.TERMS.refresh(store, Change(["a2"]))
    assert set(store.quads()) == before
    # gone: every link of it; the newest page emptied, the newest is the last that holds one
    store.drop_graph(graph_iri("a6"))
    del named["a6"]
    paging.TERMS.refresh(store, Change(["a6"]))
    check(store, named)
    assert paging.newest_term_page(store, army) == ox.NamedNode(paging.term_page_iri(e("army"), 3))
    assert [p.value for p in paging.TERMS.pages_of(store, army)] == [
        paging.term_page_iri(e("army"), part) for part in (1, 2, 3)
    ]
    # the emptied last part is still the last: the next article goes there, not into a hole
    land(store, "a7", ["army"], None, None)
    named["a7"] = {"army"}
    paging.TERMS.refresh(store, Change(["a7"]))
    assert check(store, named)["a7"]["army"] == 4
    # the last part full, one of its articles gone and another landed in one build: the new
    # one takes the freed place
    land(store, "a8", ["army"], None, None)
    named["a8"] = {"army"}
    paging.TERMS.refresh(store, Change(["a8"]))
    assert check(store, named)["a8"]["army"] == 4
    store.drop_graph(graph_iri("a8"))
    del named["a8"]
    land(store, "a9", ["army"], None, None)
    named["a9"] = {"army"}
    paging.TERMS.refresh(store, Change(["a8", "a9"]))
    assert check(store, named)["a9"]["army"] == 4
    # a full recompute gives each article the same terms
    again = Store(tmp_path / "again")
    again.add(q for q in store.quads() if q.graph_name != ox.NamedNode(paging.TERM_PAGES_GRAPH))
    refresh_pages(again)
    check(again, named)


def test_a_term_outside_the_store_gets_a_page_iri_of_its_own(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    wikidata = "http://www.wikidata.org/entity/Q3001"
    node, graph = ox.NamedNode(article_iri("w")), ox.NamedNode(graph_iri("w"))
    claim = ox.NamedNode(f"{node.value}/c1")
    store.replace_graph(
        graph.value,
        [
            ox.Quad(node, RDF_TYPE, ckg("Article"), graph),
            ox.Quad(claim, ckg("inArticle"), node, graph),
            ox.Quad(claim, ckg("reportedBy"), ox.NamedNode(wikidata), graph),
        ],
    )
    refresh_pages(store)
    page = paging.newest_term_page(store, ox.NamedNode(wikidata))
    assert page is not None and paging.TERMS.key(page.value) == (wikidata, 1)
    assert "/termpage/~/" in page.value


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return generated_store(tmp_path_factory.mktemp("terms") / "store", 3000)


def test_a_listing_of_one_term_is_read_from_its_newest_page(
    seeds_store: Path, generated: Store
) -> None:
    """Behind the API, a listing of one term reads the term's pages from the newest: its
    first rows are those of the newest page, and every page in the end gives every row."""
    busy = ox.NamedNode(e("bench-actor-5"))
    pages = list(reversed(paging.TERMS.pages_of(generated, busy)))  # newest first
    assert len(pages) > 1  # the busy actor's articles fill more than one page
    for name in ("claims_about_actor", "claims_of_actor"):
        text = paged_listing(name).text  # type: ignore[union-attr]
        newest = [
            r["claim"] for r in generated.query(text, bindings={"actor": busy, "page": pages[0]})
        ]
        first = run_stored(generated, name, {"actor": busy.value, "limit": "5"})
        assert first.next and [r["claim"] for r in first] == newest[: len(first.rows)], name
        every = every_row(generated, name, {"actor": busy.value})
        assert {r["claim"] for r in every} == {
            r["claim"]
            for page in pages
            for r in generated.query(text, bindings={"actor": busy, "page": page})
        }, name
    # an unknown actor: nothing (not every page of the store)
    nobody = e("nobody-at-all")
    assert list(run_stored(generated, "claims_about_actor", {"actor": nobody})) == []
    # the seeds: a place by its name
    seeds = Store(seeds_store, read_only=True)
    found = list(run_stored(seeds, "claims_at_place", {"place": "Boukamal"}))
    assert found and all("page" not in r for r in found)


def test_claims_of_an_actor_over_every_page(generated: Store) -> None:
    """/api/claims?actor= and `kg claims` mean every claim: read over the actor's pages."""
    busy = e("bench-actor-5")
    every = list_claims(generated, actor=busy)
    newest = list(run_stored(generated, "claims_of_actor", {"actor": busy, "limit": "20"}))
    assert len(every) > len({r["claim"].value for r in newest}) > 0
    assert [c["article"] for c in every] == sorted(c["article"] for c in every)  # table order
    assert list_claims(generated, actor=busy, limit=10, offset=5) == every[5:15]


def test_claims_of_a_store_without_pages(seeds_store: Path, tmp_path: Path) -> None:
    """A store without pages (loaded by hand) is refused with a line saying to run
    `kg refresh`, which gives it the pages: the listings answer as before."""
    path = tmp_path / "store"
    shutil.copytree(seeds_store, path)
    store = Store(path)
    isis, town = e("isis"), e("abu-kamal")
    asked = [
        {},
        {"type": "control"},
        {"place": town},
        {"actor": isis},
        {"actor": isis, "type": "attack"},
    ]
    before = [list_claims(store, **a) for a in asked]
    assert all(before)
    store.drop_graph(paging.PAGES_GRAPH)
    store.drop_graph(paging.TERM_PAGES_GRAPH)
    with pytest.raises(StoreError, match="run `kg refresh`"):
        list_claims(store, actor=isis)
    recompute(store)
    assert [list_claims(store, **a) for a in asked] == before


def test_a_parameter_default_names_the_parameter_it_reads() -> None:
    text = (
        "# title: T\n# param: actor IRI  The actor\n"
        "# param: page IRI?=newest-term-page:actor  A page\nSELECT ?actor ?page WHERE {}\n"
    )
    _, page = parse_stored_query("t", text).params
    assert (page.required, page.default) == (False, "newest-term-page:actor")
    with pytest.raises(InputError, match="names no parameter 'place'"):
        parse_stored_query("t", text.replace("term-page:actor", "term-page:place"))


def test_build_gives_term_pages_to_a_store_without_them(seeds_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(seeds_store, path)
    store = Store(path)
    kept = layout(store)
    assert len(kept) == 5 and stale_derived_note(path) is None
    store.drop_graph(paging.TERM_PAGES_GRAPH)
    assert not paging.TERMS.marked(store) and paging.DAYS.marked(store)
    note = stale_derived_note(path)
    assert note and "no term pages of this version" in note
    report = build(store, [Path(__file__).parents[1] / "seeds"], workers=1)
    assert report.articles == 0 and report.unchanged == 5  # nothing extracted again
    assert paging.TERMS.marked(store) and layout(store) == kept


def test_term_pages_over_http(seeds_server, seeds_store: Path) -> None:
    def get(path: str, **params: str) -> dict:
        url = f"{seeds_server.url}{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=60) as r:
            return json.loads(r.read())

    seeds = Store(seeds_store, read_only=True)
    isis = e("isis")
    found = get("/api/queries/claims_about_actor", actor="ISIS")["results"]["bindings"]
    assert found and all("page" not in b for b in found)
    assert found == get("/api/queries/claims_about_actor", actor=isis)["results"]["bindings"]
    claims = get("/api/claims", actor=isis)
    assert {c["id"] for c in claims} == {c["id"] for c in list_claims(seeds, actor=isis)}
