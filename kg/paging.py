"""Pages of the listings: every article on one page of its publication day, a few dozen a page.

The whole-store listings (`contested_claims`, `claims_by_type`, `event_sources`) return rows
that grow with the store, and each row costs reads of terms that get dearer as the store
outgrows RocksDB's caches: read whole, they grow 150-340 times for 100 times the claims. So
they are read a page at a time. A page is a day's worth of articles, cut into parts of at most
`PAGE_SIZE` articles (in the order they landed), and a listing reads the claims of one page's
articles: its cost is bounded by the page, not by the store. The stored queries take the page
as a parameter and answer the newest page when none is given (`kg.stored_queries`); the stored
query `listing_pages` lists the pages, newest first.

In the graph `id:graph/pages`, for an article published on day DAY (YYYY-MM-DD), on that
day's first part:

    <article> ckg:onPage <id:page/DAY/1> .
    <id:page/DAY/1> a ckg:ListingPage ; ckg:pageGroup "DAY" ;
        ckg:pageDay "DAY"^^xsd:date ; ckg:pagePart 1 .

Undated articles go to the pages of the group "undated" (no `ckg:pageDay`). A page is kept
across rebuilds of its articles: a build gives a page to each article it landed that has none,
or whose publication day changed, at the end of its day's last part (a new part once that one
holds `PAGE_SIZE`), and takes the link of an article that is gone. An article that leaves a
page leaves a hole in it; parts are never renumbered, so a page's address stays valid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg.store import Store, Term, VersionMark, triple_lines, values
from kg.vocab import BASE, ONTOLOGY, RDF_TYPE_NODE, XSD_DATE, XSD_INTEGER, article_iri
from kg.vocab import ckg_node as ckg

VERSION = 1  # bump when the shape of the pages changes: builds then give every article a page
PAGES_GRAPH = f"{BASE}graph/pages"
PAGE_SIZE = 50  # articles a part: a page of the listings reads their claims, whatever the store
UNDATED = "undated"
WRITE_BATCH = 20_000  # quads a transaction when every article gets its page

G = ox.NamedNode(PAGES_GRAPH)
P = f"<{PAGES_GRAPH}>"


ON_PAGE, PAGE_GROUP, PAGE_DAY, PAGE_PART = (
    ckg("onPage"),
    ckg("pageGroup"),
    ckg("pageDay"),
    ckg("pagePart"),
)
NEWEST_PAGE = ckg("newestPage")
MARK = VersionMark(PAGES_GRAPH, ONTOLOGY + "pagesVersion", VERSION)
PREFIX = f"PREFIX ckg: <{ONTOLOGY}>\n"

# the articles (a VALUES block, or every one) with their publication day and page if any (one
# pattern per OPTIONAL, looked up per article: with two, Oxigraph would read every page link
# of the store into a hash table; a page's IRI names its group)
ARTICLES = f"""{PREFIX}SELECT ?article ?day ?page WHERE {{
  {{only}}
  ?article a ckg:Article .
  OPTIONAL {{ ?article ckg:published ?day }}
  OPTIONAL {{ ?article ckg:onPage ?page }}
}}"""
# the parts of some groups, with how many articles each holds
PARTS = f"""{PREFIX}SELECT ?group ?part (COUNT(?article) AS ?articles) WHERE {{
  VALUES ?group {{ {{groups}} }}
  ?page ckg:pageGroup ?group ; ckg:pagePart ?part .
  OPTIONAL {{ ?article ckg:onPage ?page }}
}} GROUP BY ?group ?part"""
# the pages of the articles that are gone (their page links, in the pages graph only)
GONE = f"""{PREFIX}SELECT ?article ?page WHERE {{
  {{only}}
  GRAPH <{PAGES_GRAPH}> {{ ?article ckg:onPage ?page }}
  FILTER NOT EXISTS {{ ?article a ckg:Article }}
}}"""
# the newest page that holds an article: the latest day, its last part; undated pages last.
# It reads every page, so a build keeps its answer in the mark (ckg:newestPage), which the
# listings read when no page is named
NEWEST = f"""SELECT ?page WHERE {{ GRAPH {P} {{
  ?page ckg:pagePart ?part .
  OPTIONAL {{ ?page ckg:pageDay ?day }}
  FILTER EXISTS {{ ?article ckg:onPage ?page }}
}} }} ORDER BY DESC(?day) DESC(?part) LIMIT 1"""
NEWEST_MARK = f"{PREFIX}SELECT ?page WHERE {{ GRAPH {P} {{ {P} ckg:newestPage ?page }} }}"
RENEW_NEWEST = f"""DELETE WHERE {{ GRAPH {P} {{ {P} ckg:newestPage ?old }} }};
INSERT {{ GRAPH {P} {{ {P} ckg:newestPage ?page }} }} WHERE {{ {{ {NEWEST} }} }}"""


def page_iri(group: str, part: int) -> str:
    return f"{BASE}page/{group}/{part}"


def group_of(day: Term | None) -> str:
    """The group of an article published on ``day``: the day itself, or `undated`."""
    return day.value if day is not None else UNDATED


def page_triples(group: str, part: int) -> list[ox.Triple]:
    page = ox.NamedNode(page_iri(group, part))
    triples = [
        ox.Triple(page, RDF_TYPE_NODE, ckg("ListingPage")),
        ox.Triple(page, PAGE_GROUP, ox.Literal(group)),
        ox.Triple(page, PAGE_PART, ox.Literal(str(part), datatype=XSD_INTEGER)),
    ]
    if group != UNDATED:
        triples.append(ox.Triple(page, PAGE_DAY, ox.Literal(group, datatype=XSD_DATE)))
    return triples


def is_current(store: Store) -> bool:
    """Whether the store's articles have pages of the current shape."""
    return MARK.holds(store)


def newest_page(store: Store) -> ox.NamedNode | None:
    """The page a listing answers when none is named; None for a store without pages."""
    rows = store.select(NEWEST_MARK)
    return rows[0]["page"] if rows else None  # type: ignore[return-value]


def _order(page: tuple[str, int]) -> tuple[bool, str, int]:
    """Pages from oldest to newest: by day, then part; the undated ones first (oldest)."""
    group, part = page
    return (group != UNDATED, group, part)


def _key(page: str) -> tuple[str, int]:
    group, part = page.removeprefix(f"{BASE}page/").rsplit("/", 1)
    return group, int(part)


def refresh_pages(store: Store, stems: Iterable[str] | None = None, full: bool = False) -> bool:
    """Give a page to each of these landed articles that has none (or one of another day), and
    take the page of those that are gone; every article of the store when ``full``, when no
    stems are given, or when the store has no pages of this version. True when it did them all."""
    if full or stems is None or not is_current(store):
        store.drop_graph(PAGES_GRAPH)
        rows = store.select(ARTICLES.replace("{only}", ""))
        placed = _place(_moving(rows), {})
        # written in transactions of a bounded size, the version mark last: a build cut short
        # before it leaves a store without pages, which the next build pages again
        batch: list[ox.Quad] = []
        for quad in _quads(placed):
            batch.append(quad)
            if len(batch) == WRITE_BATCH:
                store.add(batch)
                batch = []
        if placed:
            newest = ox.NamedNode(page_iri(*max(placed, key=_order)))
            batch.append(ox.Quad(G, NEWEST_PAGE, newest, G))
        store.add([*batch, MARK.quad])
        return True
    stems = sorted(set(stems))
    if not stems:
        return False
    only = values("article", [article_iri(s) for s in stems])
    rows = store.select(ARTICLES.replace("{only}", only))
    moving = _moving(rows)
    moved = {a.value for articles in moving.values() for a in articles}
    leaving = [
        (r["article"], r["page"]) for r in rows if "page" in r and r["article"].value in moved
    ]
    leaving += [(r["article"], r["page"]) for r in store.select(GONE.replace("{only}", only))]
    fill = _fill(store, sorted(moving), leaving)
    placed = _place(moving, fill)
    old = [f"{a} {ON_PAGE} {p} ." for a, p in leaving]
    if not old and not placed:
        return False
    update = PREFIX
    if old:
        lines = "\n".join(old)
        update += f"DELETE DATA {{ GRAPH {P} {{\n{lines}\n}} }};\n"
    if placed:
        update += f"INSERT DATA {{ GRAPH {P} {{\n{triple_lines(_quads(placed))}\n}} }};\n"
    update += _newest(store, placed, [p.value for _, p in leaving])
    store.update(update)  # one update: readers see the old pages or the new
    return False


def _newest(store: Store, placed: Iterable[tuple[str, int]], left: list[str]) -> str:
    """The update that keeps the newest page's mark: the newest of the old one and the pages
    given articles now, or found again among every page when articles left the old one."""
    marked = newest_page(store)
    if marked is None or marked.value in left:
        return RENEW_NEWEST
    newest = max([_key(marked.value), *placed], key=_order)
    if page_iri(*newest) == marked.value:
        return ""
    return (
        f"DELETE DATA {{ GRAPH {P} {{ {P} {NEWEST_PAGE} {marked} }} }};\n"
        f"INSERT DATA {{ GRAPH {P} {{ {P} {NEWEST_PAGE} <{page_iri(*newest)}> }} }}"
    )


def _moving(rows: list[dict[str, Term]]) -> dict[str, list[Term]]:
    """The articles to place, by group: those without a page, or on a page of another day (of
    an article with two publication days, hand-edited, the earlier)."""
    groups: dict[str, str] = {}
    pages: dict[str, str] = {}
    articles: dict[str, Term] = {}
    for r in rows:
        key = r["article"].value
        articles[key] = r["article"]
        group = group_of(r.get("day"))
        groups[key] = min(groups.get(key, group), group, key=lambda g: _order((g, 0)))
        if "page" in r:
            pages[key] = _key(r["page"].value)[0]
    moving: dict[str, list[Term]] = defaultdict(list)
    for key in sorted(articles):  # a build's articles in a stable order
        if pages.get(key) != groups[key]:
            moving[groups[key]].append(articles[key])
    return moving


def _fill(
    store: Store, groups: list[str], leaving: list[tuple[Term, Term]]
) -> dict[str, tuple[int, int]]:
    """Each group's last part and how many articles it holds once the leaving ones (moving to
    another day, or gone) are off it."""
    if not groups:
        return {}
    block = " ".join(str(ox.Literal(g)) for g in groups)
    left: dict[str, int] = defaultdict(int)
    for _, page in leaving:
        left[page.value] += 1
    fill: dict[str, tuple[int, int]] = {}
    for r in store.select(PARTS.replace("{groups}", block)):
        group, part = r["group"].value, int(r["part"].value)
        if part >= fill.get(group, (0, 0))[0]:
            held = int(r["articles"].value) - left[page_iri(group, part)]
            fill[group] = (part, held)
    return fill


def _place(
    moving: dict[str, list[Term]], fill: dict[str, tuple[int, int]]
) -> dict[tuple[str, int], list[Term]]:
    """The moving articles at the end of their group's last part, then on new parts."""
    placed: dict[tuple[str, int], list[Term]] = {}
    for group, articles in sorted(moving.items()):
        part, held = fill.get(group, (0, PAGE_SIZE))
        for article in articles:
            if held >= PAGE_SIZE:
                part, held = part + 1, 0
            placed.setdefault((group, part), []).append(article)
            held += 1
    return placed


def _quads(placed: dict[tuple[str, int], list[Term]]) -> Iterator[ox.Quad]:
    for (group, part), articles in placed.items():
        page = ox.NamedNode(page_iri(group, part))
        for t in page_triples(group, part):  # written again for an existing part: no change
            yield ox.Quad(t.subject, t.predicate, t.object, G)
        for article in articles:
            yield ox.Quad(article, ON_PAGE, page, G)  # type: ignore[arg-type]  # an article IRI
