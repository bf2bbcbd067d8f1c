"""Pages of the listings (kg/derived/paging.py): every article is on one page of its publication
day, a day's pages fill in the order articles land and keep their articles across rebuilds; the
listings read page by page give every row of the whole listing, and answer the newest page when
none is named."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from test_query_scale import (
    OLD_CLAIMS_BY_TYPE,
    OLD_CONTESTED_CLAIMS,
    generated_store,
    paged,
    plain,
    remote_style,
    rows,
)
from test_stored_queries import every_row

from kg.ask.stored_queries import (
    bind_params,
    get_stored_query,
    parse_stored_query,
    run_stored,
    stored_text,
)
from kg.build import build
from kg.derived import Change, paging
from kg.errors import InputError, StoreError
from kg.store import Store
from kg.store.sparql import bind_values, select_variables
from kg.vocab import ONTOLOGY, article_iri, graph_iri
from server.launch import stale_derived_note


def refresh_pages(store: Store, stems: list[str] | None = None) -> bool:
    """Both kinds of pages refreshed for these articles (every article when None); True when
    either was done whole."""
    whole = [kind.refresh(store, Change(stems)) for kind in (paging.DAYS, paging.TERMS)]
    return any(whole)


XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
# queries/event_sources.rq before it was read by page: every event of the store
OLD_EVENT_SOURCES = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT ?event ?type ?place ?day (COUNT(DISTINCT ?claim) AS ?claims)
       (COUNT(DISTINCT ?article) AS ?articles) (COUNT(DISTINCT ?claimant) AS ?claimants)
WHERE {
  ?claim ckg:occurrence ?event ; ckg:claimType ?type ; ckg:inArticle ?article .
  OPTIONAL { ?claim ckg:claimant ?claimant }
  OPTIONAL { ?event ckg:place/rdfs:label ?place }
  OPTIONAL { ?event ckg:start ?day }
}
GROUP BY ?event ?type ?place ?day
ORDER BY DESC(?articles) ?day
"""
PAGE_OF = """SELECT ?article ?page ?group ?part WHERE {
  ?article ckg:onPage ?page . ?page ckg:pageGroup ?group ; ckg:pagePart ?part
}"""


def ckg(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY + name)


def land(store: Store, stem: str, day: str | None) -> None:
    """An article as a build lands it, as far as pages are concerned: its graph, replaced."""
    node, graph = ox.NamedNode(article_iri(stem)), ox.NamedNode(graph_iri(stem))
    quads = [
        ox.Quad(node, RDF_TYPE, ckg("Article"), graph),
        ox.Quad(node, ckg("stem"), ox.Literal(stem), graph),
    ]
    if day:
        quads.append(ox.Quad(node, ckg("published"), ox.Literal(day, datatype=XSD_DATE), graph))
    store.replace_graph(graph_iri(stem), quads)


def layout(store: Store) -> dict[str, tuple[str, int]]:
    """Each article's page, as (group, part); an article on two pages fails."""
    seen: dict[str, tuple[str, int]] = {}
    for r in store.select(PAGE_OF):
        stem = r["article"].value.rsplit("/", 1)[1]
        assert stem not in seen, f"{stem} is on two pages"
        seen[stem] = (r["group"].value, int(r["part"].value))
    return seen


def check_pages(store: Store, days: dict[str, str | None]) -> dict[str, tuple[str, int]]:
    """Every article on one page of its day (or undated), no page over the size."""
    seen = layout(store)
    assert set(seen) == set(days)
    for stem, (group, _) in seen.items():
        assert group == (days[stem] or paging.UNDATED), stem
    assert max(Counter(seen.values()).values()) <= paging.PAGE_SIZE
    assert paging.DAYS.marked(store)
    # the newest page's mark is the newest page found among every page
    found = store.select(paging.NEWEST())
    assert paging.newest_page(store) == found[0]["page"]
    return seen


def test_a_day_fills_its_pages_in_landing_order_and_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "PAGE_SIZE", 3)
    store = Store(tmp_path / "store")
    days: dict[str, str | None] = {f"d{k}": "2017-11-09" for k in range(8)}
    days |= {"u0": None, "u1": None, "e0": "2017-11-19"}
    for stem, day in days.items():
        land(store, stem, day)
    assert refresh_pages(store) is True  # a store without pages: every article
    seen = check_pages(store, days)
    assert [seen[f"d{k}"] for k in range(8)] == [("2017-11-09", 1 + k // 3) for k in range(8)]
    assert seen["u0"] == seen["u1"] == ("undated", 1) and seen["e0"] == ("2017-11-19", 1)
    assert paging.newest_page(store) == ox.NamedNode(paging.page_iri("2017-11-19", 1))

    # two more on the 9th: the last part's free place, then a new part
    for stem in ("d8", "d9"):
        days[stem] = "2017-11-09"
        land(store, stem, "2017-11-09")
    assert refresh_pages(store, ["d8", "d9"]) is False
    seen = check_pages(store, days)
    assert seen["d8"] == ("2017-11-09", 3) and seen["d9"] == ("2017-11-09", 4)
    # rebuilt as it was: the same page; nothing written
    before = set(store.quads())
    land(store, "d1", "2017-11-09")
    refresh_pages(store, ["d1"])
    assert check_pages(store, days)["d1"] == ("2017-11-09", 1)
    assert set(store.quads()) == before
    # rebuilt with another day: to that day's last part; the hole it leaves is not filled
    days["d0"] = "2017-11-19"
    land(store, "d0", "2017-11-19")
    refresh_pages(store, ["d0"])
    seen = check_pages(store, days)
    assert seen["d0"] == ("2017-11-19", 1) and seen["d2"] == ("2017-11-09", 1)
    # gone (its graph dropped): its page link too; undated goes on the undated pages
    store.drop_graph(graph_iri("d5"))
    del days["d5"]
    days["u2"] = None
    land(store, "u2", None)
    refresh_pages(store, ["d5", "u2"])
    seen = check_pages(store, days)
    assert seen["u2"] == ("undated", 1)
    # a new article fills the last part's place that a leaving one freed
    days["d3"] = "2017-11-19"
    land(store, "d3", "2017-11-19")
    days["d10"] = "2017-11-09"
    land(store, "d10", "2017-11-09")
    refresh_pages(store, ["d3", "d10"])
    assert check_pages(store, days)["d10"] == ("2017-11-09", 4)
    # the last part full, then one of its articles gone and another landed in one build: the
    # new one takes the freed place
    days["d12"] = "2017-11-09"
    land(store, "d12", "2017-11-09")
    refresh_pages(store, ["d12"])
    assert check_pages(store, days)["d12"] == ("2017-11-09", 4)
    store.drop_graph(graph_iri("d12"))
    del days["d12"]
    days["d13"] = "2017-11-09"
    land(store, "d13", "2017-11-09")
    refresh_pages(store, ["d12", "d13"])
    assert check_pages(store, days)["d13"] == ("2017-11-09", 4)
    # the newest page's articles gone: the newest page is found again among every page
    gone = [stem for stem, day in days.items() if day == "2017-11-19"]
    for stem in gone:
        store.drop_graph(graph_iri(stem))
        del days[stem]
    refresh_pages(store, gone)
    check_pages(store, days)
    assert paging.newest_page(store) == ox.NamedNode(paging.page_iri("2017-11-09", 4))
    # the pages a full recompute gives hold the same articles per day
    again = Store(tmp_path / "again")
    again.add(q for q in store.quads() if q.graph_name != ox.NamedNode(paging.PAGES_GRAPH))
    refresh_pages(again)
    by_day = Counter(group for group, _ in check_pages(again, days).values())
    assert by_day == Counter(group for group, _ in layout(store).values())


def test_an_article_with_two_publication_days_is_on_one_page(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    land(store, "twice", "2017-11-19")
    node, graph = ox.NamedNode(article_iri("twice")), ox.NamedNode(graph_iri("twice"))
    store.add([ox.Quad(node, ckg("published"), ox.Literal("2017-11-09", datatype=XSD_DATE), graph)])
    refresh_pages(store)
    assert layout(store) == {"twice": ("2017-11-09", 1)}  # the earlier day
    before = set(store.quads())
    refresh_pages(store, ["twice"])  # and it stays there
    assert set(store.quads()) == before


def test_a_parameter_names_its_default() -> None:
    text = "# title: T\n# param: page IRI?=newest-page  A page\nSELECT ?page WHERE {}\n"
    (page,) = parse_stored_query("t", text).params
    assert (page.name, page.type, page.required, page.default) == (
        "page",
        "IRI",
        False,
        "newest-page",
    )
    assert page.description == "A page"
    with pytest.raises(InputError, match="no default named 'oldest-page'"):
        parse_stored_query("t", text.replace("newest-page", "oldest-page"))


@pytest.fixture(scope="module")
def stores(seeds_store: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Store]:
    generated = generated_store(tmp_path_factory.mktemp("paged") / "store", 3000)
    return [Store(seeds_store, read_only=True), generated]


def page_list(store: Store) -> list[ox.NamedNode]:
    """The day pages, newest first, as the API reads the whole-store listings."""
    return list(reversed(paging.DAYS.pages_of(store)))


def by_page(store: Store, name: str, bindings: dict) -> tuple[Counter, int]:
    """Every page's rows of the listing's paged text (bound both ways: substituted, and in a
    VALUES row), the page column dropped; and how many pages had rows."""
    text = paged(name)
    page_at = [v.value for v in store.query(text, bindings=bindings).variables].index("page")
    union: Counter = Counter()
    pages_with_rows = 0
    for page in page_list(store):
        b = {**bindings, "page": page}
        got = rows(store.query(text, bindings=b))
        assert got == remote_style(store, text, b), (name, page)
        assert all(r[page_at] == str(page) for r in got)
        union.update(r[:page_at] + r[page_at + 1 :] for r in got)
        pages_with_rows += bool(got)
    return union, pages_with_rows


def test_listings_page_by_page_give_the_whole_listing(stores: list[Store]) -> None:
    for store in stores:
        assert len(page_list(store)) > 1
        for kind in ("control", "attack", "casualties", "statement"):
            b = {"type": ox.Literal(kind)}
            whole = Counter(rows(store.query(OLD_CLAIMS_BY_TYPE, bindings=b)))
            union, filled = by_page(store, "claims_by_type", b)
            assert union == whole and filled > 1, kind
            # as users run it: the same rows, without the type column it was given
            as_is = plain(store, "claims_by_type", b)[0]
            assert Counter(as_is) == Counter(r[1:] for r in whole.elements()), kind
        whole = Counter(rows(store.query(OLD_CONTESTED_CLAIMS)))
        assert by_page(store, "contested_claims", {})[0] == whole and whole
        assert Counter(plain(store, "contested_claims", {})[0]) == whole
        # an event is on the page of each article that reports it: the same rows, repeated
        whole_events = set(rows(store.query(OLD_EVENT_SOURCES)))
        union, _ = by_page(store, "event_sources", {})
        assert set(union) == whole_events and sum(union.values()) >= len(whole_events) > 10
        assert set(plain(store, "event_sources", {})[0]) == whole_events


def test_the_api_reads_a_listing_from_the_newest_page(stores: list[Store]) -> None:
    """A listing behind the API: its rows from the newest page on, a few pages an answer and
    ``limit`` rows at most, each answer's cursor going on where it stopped, every row of the
    listing in the end."""
    for store in stores:
        newest = paging.newest_page(store)
        days = [paging.DAYS.key(page.value)[0] for page in page_list(store)]
        latest = max(day for day in days if day != paging.UNDATED)
        assert newest is not None and f"/page/{latest}/" in newest.value
        for name, b in (("claims_by_type", {"type": "control"}), ("event_sources", {})):
            names = select_variables(stored_text(name))
            whole = every_row(store, name, b)
            keys = [tuple(r.get(n) for n in names) for r in whole]
            as_is = {
                tuple(r[n] for n in names)
                for r in store.query(bind_values(stored_text(name), bind_params_of(name, b)))
            }
            assert set(keys) == as_is, name
            first = run_stored(store, name, {**b, "limit": "3"})
            assert first.next and "page" not in first.names, name
            assert first.rows and first.rows == whole[: len(first.rows)], name
            if name == "claims_by_type":  # no row twice, whatever the answers' sizes
                assert len(keys) == len(set(keys)) and every_row(store, name, b, 4) == whole
        newest_claims = {
            r["claim"]
            for r in store.query(
                paged("claims_by_type"), bindings={"type": ox.Literal("control"), "page": newest}
            )
        }
        first = run_stored(store, "claims_by_type", {"type": "control", "limit": "1"})
        assert not newest_claims or first.rows[0]["claim"] in newest_claims
        with pytest.raises(InputError, match="cursor"):
            run_stored(store, "claims_by_type", {"type": "control", "cursor": "nowhere 3"})


def bind_params_of(name: str, values: dict) -> dict:
    return bind_params(get_stored_query(name), values)


def test_build_pages_a_store_without_pages(seeds_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    shutil.copytree(seeds_store, path)
    store = Store(path)
    kept = layout(store)
    assert len(kept) == 5 and stale_derived_note(path) is None
    paged_rows = every_row(store, "contested_claims", {})
    assert paged_rows
    store.drop_graph(paging.PAGES_GRAPH)
    assert not paging.DAYS.marked(store)
    with pytest.raises(StoreError, match="no day pages of this version: run `kg refresh`"):
        every_row(store, "contested_claims", {})
    note = stale_derived_note(path)
    assert note and "no day pages of this version" in note and "run `kg refresh` once" in note
    report = build(store, [Path(__file__).parents[1] / "seeds"], workers=1)
    assert report.articles == 0 and report.unchanged == 5  # nothing extracted again
    assert paging.DAYS.marked(store) and layout(store) == kept
    assert every_row(store, "contested_claims", {}) == paged_rows


def test_paged_listings_over_http(seeds_server) -> None:
    def get(path: str, **params: str) -> tuple[int, dict, str]:
        url = f"{seeds_server.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                return r.status, json.loads(r.read()), r.headers.get("Link", "")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read()), ""

    def follow(url: str) -> list[dict]:
        """Every row, answer after answer, through the Link headers."""
        read = []
        while url:
            with urllib.request.urlopen(url, timeout=60) as r:
                read += json.loads(r.read())["results"]["bindings"]
                link = r.headers.get("Link", "")
            url = link[1 : link.index(">")] if link else ""
        return read

    status, first, link = get("/api/queries/event_sources", limit="7")
    assert status == 200 and "page" not in first["head"]["vars"]
    assert 0 < len(first["results"]["bindings"]) <= 7 and "cursor=" in link
    every = follow(f"{seeds_server.url}/api/queries/event_sources?limit=7")
    whole = follow(f"{seeds_server.url}/api/queries/event_sources")
    assert every[: len(first["results"]["bindings"])] == first["results"]["bindings"]
    assert {json.dumps(b, sort_keys=True) for b in every} == {
        json.dumps(b, sort_keys=True) for b in whole
    }
    status, error, _ = get("/api/queries/contested_claims", page="2017-11-09/1")
    assert status == 400 and "page" in error["error"]
    status, error, _ = get("/api/queries/event_sources", limit="many")
    assert status == 400 and "limit" in error["error"]
