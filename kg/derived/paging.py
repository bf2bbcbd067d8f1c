"""Pages of the listings: the articles of a day, or that name a term, a few dozen a page.

A listing whose rows grow with the store cannot stay as fast as the store grows: each row costs
reads of terms that get dearer as the store outgrows RocksDB's caches, so read whole the
listings grew 150-340 times for 100 times the claims. So they are read a page at a time, and a
page holds at most `PAGE_SIZE` articles, cut in the order they landed: a listing reads the
claims of one page's articles, whatever the size of the store (`kg.ask.listings` reads a
listing page by page from the newest). Two kinds of pages:

- **day pages** (graph `id:graph/pages`), for the whole-store listings (`claims`,
  `contested_claims`, `claims_by_type`, `event_sources`): each article is on one page of its
  publication day (or of the undated ones). The newest page is kept in a mark by each
  build.

      <article> ckg:onPage <id:page/DAY/1> .
      <id:page/DAY/1> a ckg:ListingPage ; ckg:pageGroup "DAY" ;
          ckg:pageDay "DAY"^^xsd:date ; ckg:pagePart 1 .

- **term pages** (graph `id:graph/term-pages`), for the listings of one named term
  (`claims_about_actor`, `claims_of_actor`, `claims_at_place`, `contested_at_place`): an
  article is on one page of each entity that a claim of it names (agent, target, controller or
  place of its event, its claimant or a reporter).

      <article> ckg:onTermPage <id:termpage/entity/NAME/1> .
      <id:termpage/entity/NAME/1> a ckg:TermPage ; ckg:pageTerm <id:entity/NAME> ;
          ckg:pagePart 1 .

A page is kept across rebuilds of its articles: a build gives each article it landed the pages
it lacks (at the end of the group's last part, a new part once that one holds `PAGE_SIZE`) and
takes the links it no longer has (an article gone, a day changed, a term no longer named). An
article that leaves a page leaves a hole in it; parts are never renumbered, so a page's address
stays valid.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox

from kg.derived.base import Change, Derived
from kg.emit.graph import TERM_ROLES
from kg.store import GraphStore, Sparql, Term, VersionMark, delete_data, insert_data, load
from kg.vocab import (
    BASE,
    ONTOLOGY,
    PAGES_GRAPH,
    RDF_TYPE_NODE,
    TERM_PAGES_GRAPH,
    XSD_DATE,
    XSD_INTEGER,
    article_iri,
)
from kg.vocab import ckg_node as ckg

PAGE_SIZE = 50  # articles a part: a page of a listing reads their claims, whatever the store
UNDATED = "undated"
PAGE_PART = ckg("pagePart")
Known = Mapping[str, Iterable[str]]  # stem: what a build knows of the article's groups
LINKS, PAGES = load("kg.derived", "paging_links"), load("kg.derived", "paging_pages")
LAST_PARTS = load("kg.derived", "paging_last_parts")
LAST_PARTS_BEFORE = load("kg.derived", "paging_last_parts_before")
LAST_PARTS_OF = load("kg.derived", "paging_last_parts_of")
ARTICLES_ON = load("kg.derived", "paging_articles_on")


class Pages(Derived):
    """One kind of pages: which groups an article belongs to (`wanted`), how a page is named,
    and the graph, link and version mark they are kept with."""

    LINK: ox.NamedNode  # article -> page
    GROUP: ox.NamedNode  # page -> its group
    # rows of ?article and ?group: the groups of the articles given ($article), or of every one
    WANTED: Sparql

    def page_iri(self, group: str, part: int) -> str:
        raise NotImplementedError

    def key(self, page: str) -> tuple[str, int]:
        """The group and part a page's IRI names."""
        raise NotImplementedError

    def group_term(self, group: str) -> ox.NamedNode | ox.Literal:
        raise NotImplementedError

    def page_triples(self, group: str, part: int) -> list[ox.Triple]:
        page = ox.NamedNode(self.page_iri(group, part))
        number = ox.Literal(str(part), datatype=XSD_INTEGER)
        return [
            ox.Triple(page, self.GROUP, self.group_term(group)),  # type: ignore[arg-type]
            ox.Triple(page, PAGE_PART, number),
        ]

    def group_of(self, row: dict[str, Term]) -> str:
        return row["group"].value

    def chosen(self, groups: set[str]) -> set[str]:
        """The groups an article is put on, of those it belongs to."""
        return groups

    # -- what a build adds besides the pages (the newest page's mark) ------------------------

    def full_extra(self, placed: dict[tuple[str, int], list[Term]]) -> list[ox.Quad]:
        return []

    def update_extra(
        self, store: GraphStore, placed: Iterable[tuple[str, int]], left: list[str]
    ) -> str:
        return ""

    # -- keeping the pages -----------------------------------------------------------------

    @property
    def g(self) -> ox.NamedNode:
        return ox.NamedNode(self.graph)

    def default_page(self, store: GraphStore, group: Term | None) -> Term | None:
        """The page a listing reads when none is named (``group``: the term its listing names,
        for term pages); None: left unbound."""
        raise NotImplementedError

    def content(self, store: GraphStore) -> set[str]:
        """Which group each article is on. (Which part of the group it is on depends on the
        order the articles landed in: a refresh gives an article the end of its group's last
        part, and leaves a hole where one left.)"""
        rows = store.select(self.of_kind(LINKS)(article=None))
        return {f"{r['article']} {self.key(r['page'].value)[0]}" for r in rows}

    def of_kind(self, query: Sparql) -> Sparql:
        """A query of pages, about pages of this kind: its graph, link and grouping bound."""
        known: dict[str, str | ox.NamedNode] = {
            "graph": self.graph,
            "link": self.LINK,
            "grouping": self.GROUP,
        }
        return query.bind(**{k: v for k, v in known.items() if k in query.params})

    def wanted(
        self, store: GraphStore, stems: list[str] | None, known: Known | None = None
    ) -> dict[str, set[str]]:
        """The groups each article (of these, or every one) goes on (``known``: what the build
        knows of some, by stem, where a kind of pages can use it)."""
        only = None if stems is None else [article_iri(s) for s in stems]
        found: dict[str, set[str]] = defaultdict(set)
        for row in store.select(self.WANTED(article=only)):
            found[row["article"].value].add(self.group_of(row))
        return {article: self.chosen(groups) for article, groups in found.items()}

    def links(self, store: GraphStore, articles: list[str]) -> dict[str, dict[str, str]]:
        """The pages these articles are on, by group (in this kind's graph only: an article
        gone from the store keeps its links there until a build takes them)."""
        found: dict[str, dict[str, str]] = defaultdict(dict)
        for row in store.select(self.of_kind(LINKS)(article=articles)):
            found[row["article"].value][self.key(row["page"].value)[0]] = row["page"].value
        return found

    def recompute(self, store: GraphStore, change: Change) -> None:
        """Every article of the store paged again (``change.known``: what extraction found of
        some, by stem, where a kind of pages can use it). The graph is replaced whole, with its
        version mark, in one write: readers see the old pages or the new."""
        wanted = self.wanted(store, None, change.known_of(self))
        placed = self._place(_by_group(wanted), {})
        quads = [*self._quads(placed), *self.full_extra(placed), self.mark.quad]
        nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        store.replace_graphs([self.graph], nquads or b"")

    def update(self, store: GraphStore, change: Change) -> None:
        """Give these landed articles the pages they lack and take those they no longer belong
        on, in one update: readers see the old pages or the new."""
        stems = sorted(set(change.stems or []))
        wanted = self.wanted(store, stems, change.known_of(self))
        links = self.links(store, [article_iri(s) for s in stems])
        leaving = [
            (article, page)
            for article, pages in sorted(links.items())
            for group, page in sorted(pages.items())
            if group not in wanted.get(article, ())
        ]
        arriving = {
            article: {g for g in groups if g not in links.get(article, {})}
            for article, groups in wanted.items()
        }
        by_group = _by_group(arriving)
        placed = self._place(by_group, self._fill(store, sorted(by_group), leaving))
        if not leaving and not placed:
            return
        update = []
        if leaving:
            quads = (
                ox.Quad(ox.NamedNode(a), self.LINK, ox.NamedNode(p), self.g) for a, p in leaving
            )
            update.append(delete_data(quads))
        if placed:
            update.append(insert_data(self._quads(placed)))
        update.append(self.update_extra(store, placed, [p for _, p in leaving]))
        store.update(";\n".join(u for u in update if u))

    def pages_of(self, store: GraphStore, group: Term | None = None) -> list[ox.NamedNode]:
        """Every page (of ``group``, when given) that holds an article, first to last."""
        rows = store.select(self.of_kind(PAGES)(), {"group": group} if group is not None else None)
        return [r["page"] for r in rows]  # type: ignore[misc]

    def newest_first(self, store: GraphStore, group: Term | None = None) -> Iterator[ox.NamedNode]:
        """Every page (of ``group``, for term pages), newest first, found a step at a time:
        a reader that stops after a few pages pays for those, not for a list of every page
        (2,131 day pages at a million claims). A page may hold nothing (its articles left)."""
        raise NotImplementedError

    def last_parts(
        self, store: GraphStore, group: Term | None, before: str | None, most: int = 1
    ) -> list[tuple[str, int]]:
        """(group, its last part) of ``group``, else of the ``most`` latest groups before
        ``before``, latest first."""
        if before is None:
            query = self.of_kind(LAST_PARTS)(most=most)
        else:
            query = self.of_kind(LAST_PARTS_BEFORE)(most=most, before=ox.Literal(before))
        rows = store.select(query, {"group": group} if group is not None else None)
        return [(r["group"].value, int(r["last"].value)) for r in rows]

    def _fill(
        self, store: GraphStore, groups: list[str], leaving: list[tuple[str, str]]
    ) -> dict[str, tuple[int, int]]:
        """Each group's last part and how many articles it holds once the leaving ones are
        off it (two lookups: the last parts, then their links, not every page of a group)."""
        if not groups:
            return {}
        lasts = store.select(
            self.of_kind(LAST_PARTS_OF)(group=[self.group_term(g) for g in groups])
        )
        pages = {
            self.page_iri(r["group"].value, int(r["last"].value)): r["group"].value
            for r in lasts
            if "last" in r
        }
        if not pages:
            return {}
        left: dict[str, int] = defaultdict(int)
        for _, page in leaving:
            left[page] += 1
        counts = store.select(self.of_kind(ARTICLES_ON)(page=sorted(pages)))
        fill: dict[str, tuple[int, int]] = {}
        for r in counts:
            page = r["page"].value
            fill[pages[page]] = (self.key(page)[1], int(r["articles"].value) - left[page])
        return fill

    def _place(
        self, by_group: dict[str, list[str]], fill: dict[str, tuple[int, int]]
    ) -> dict[tuple[str, int], list[Term]]:
        """The arriving articles at the end of their group's last part, then on new parts."""
        placed: dict[tuple[str, int], list[Term]] = {}
        for group, articles in sorted(by_group.items()):
            part, held = fill.get(group, (0, PAGE_SIZE))
            for article in articles:
                if held >= PAGE_SIZE:
                    part, held = part + 1, 0
                placed.setdefault((group, part), []).append(ox.NamedNode(article))
                held += 1
        return placed

    def _quads(self, placed: dict[tuple[str, int], list[Term]]) -> Iterator[ox.Quad]:
        g = self.g
        for (group, part), articles in placed.items():
            page = ox.NamedNode(self.page_iri(group, part))
            for t in self.page_triples(group, part):  # again for an existing part: no change
                yield ox.Quad(t.subject, t.predicate, t.object, g)
            for article in articles:
                yield ox.Quad(article, self.LINK, page, g)  # type: ignore[arg-type]


def _by_group(groups: dict[str, set[str]]) -> dict[str, list[str]]:
    """Articles by group, each group's in a stable order (the order a build lands them in)."""
    out: dict[str, list[str]] = defaultdict(list)
    for article in sorted(groups):
        for group in groups[article]:
            out[group].append(article)
    return out


# -- day pages -----------------------------------------------------------------------------


def _order(page: tuple[str, int]) -> tuple[bool, str, int]:
    """Day pages from oldest to newest: by day, then part; the undated ones first (oldest)."""
    group, part = page
    return (group != UNDATED, group, part)


class DayPages(Pages):
    name = "day pages"
    graph = PAGES_GRAPH
    LINK = ckg("onPage")
    GROUP = ckg("pageGroup")
    mark = VersionMark(PAGES_GRAPH, ONTOLOGY + "pagesVersion", 1)  # bump when the shape changes
    NEWEST_PAGE = ckg("newestPage")
    WANTED = load("kg.derived", "paging_day_groups")
    NEWEST = load("kg.derived", "paging_newest").bind(graph=PAGES_GRAPH)
    NEWEST_MARK = load("kg.derived", "paging_newest_mark").bind(graph=PAGES_GRAPH)
    NEWEST_AGAIN = load("kg.derived", "paging_newest_again").bind(graph=PAGES_GRAPH)
    DAYS = load("kg.derived", "paging_days").bind(graph=PAGES_GRAPH)

    def page_iri(self, group: str, part: int) -> str:
        return f"{BASE}page/{group}/{part}"

    def key(self, page: str) -> tuple[str, int]:
        group, part = page.removeprefix(f"{BASE}page/").rsplit("/", 1)
        return group, int(part)

    def group_term(self, group: str) -> ox.NamedNode | ox.Literal:
        return ox.Literal(group)

    def group_of(self, row: dict[str, Term]) -> str:
        return row["group"].value if "group" in row else UNDATED

    def chosen(self, groups: set[str]) -> set[str]:
        # an article with two publication days (hand-edited data) goes on the earlier's pages
        return {min(groups, key=lambda g: _order((g, 0)))}

    def page_triples(self, group: str, part: int) -> list[ox.Triple]:
        triples = [
            ox.Triple(ox.NamedNode(self.page_iri(group, part)), RDF_TYPE_NODE, ckg("ListingPage"))
        ]
        triples += super().page_triples(group, part)
        if group != UNDATED:
            day = ox.Literal(group, datatype=XSD_DATE)
            triples.append(ox.Triple(ox.NamedNode(self.page_iri(group, part)), ckg("pageDay"), day))
        return triples

    def newest(self, store: GraphStore) -> ox.NamedNode | None:
        rows = store.select(self.NEWEST_MARK())
        return rows[0]["page"] if rows else None  # type: ignore[return-value]

    def default_page(self, store: GraphStore, group: Term | None) -> Term | None:
        return self.newest(store)

    def newest_first(self, store: GraphStore, group: Term | None = None) -> Iterator[ox.NamedNode]:
        """From the newest page's mark back, part by part, then the days before (one lookup
        over the month before, or over every day when that month had none), and the undated
        pages last."""
        newest = self.newest(store)
        if newest is None:
            return
        day, part = self.key(newest.value)
        days = [(day, part)]
        while days:
            for day, part in days:
                yield from (ox.NamedNode(self.page_iri(day, p)) for p in range(part, 0, -1))
            days = self.days_before(store, day) if day != UNDATED else []
        if day != UNDATED:
            for _, last in self.last_parts(store, ox.Literal(UNDATED), None):
                yield from (ox.NamedNode(self.page_iri(UNDATED, p)) for p in range(last, 0, -1))

    def days_before(self, store: GraphStore, day: str) -> list[tuple[str, int]]:
        """The days with pages in the 31 days before ``day``, latest first, each with its last
        part: looked up by day (a VALUES block of them), else the latest 16 days before it
        among every page."""
        try:
            start = dt.date.fromisoformat(day)
        except ValueError:
            return self.last_parts(store, None, day, most=16)
        window = [ox.Literal((start - dt.timedelta(days=k)).isoformat()) for k in range(1, 32)]
        found = store.select(self.DAYS(group=window))
        if found:
            return [(r["group"].value, int(r["last"].value)) for r in found]
        return self.last_parts(store, None, day, most=16)

    def content(self, store: GraphStore) -> set[str]:
        """Which day each article is on, and the day of the newest page."""
        newest = self.newest(store)
        found = {f"newest {self.key(newest.value)[0]}"} if newest is not None else set()
        return super().content(store) | found

    def full_extra(self, placed: dict[tuple[str, int], list[Term]]) -> list[ox.Quad]:
        if not placed:
            return []
        newest = ox.NamedNode(self.page_iri(*max(placed, key=_order)))
        return [ox.Quad(self.g, self.NEWEST_PAGE, newest, self.g)]

    def update_extra(
        self, store: GraphStore, placed: Iterable[tuple[str, int]], left: list[str]
    ) -> str:
        """The update that keeps the newest page's mark: the newest of the old one and the pages
        given articles now, or found again among every page when articles left the old one."""
        marked = self.newest(store)
        if marked is None or marked.value in left:
            return self.NEWEST_AGAIN()
        newest = max([self.key(marked.value), *placed], key=_order)
        if self.page_iri(*newest) == marked.value:
            return ""
        old = ox.Quad(self.g, self.NEWEST_PAGE, marked, self.g)
        new = ox.Quad(self.g, self.NEWEST_PAGE, ox.NamedNode(self.page_iri(*newest)), self.g)
        return f"{delete_data([old])};\n{insert_data([new])}"


# -- term pages ----------------------------------------------------------------------------


class TermPages(Pages):
    name = "term pages"
    graph = TERM_PAGES_GRAPH
    LINK = ckg("onTermPage")
    GROUP = ckg("pageTerm")
    mark = VersionMark(TERM_PAGES_GRAPH, ONTOLOGY + "termPagesVersion", 1)  # bump on a new shape
    # the entities an article's graph names in the roles the listings of one term read
    WANTED = load("kg.derived", "paging_term_groups").bind(role=[ckg(r) for r in TERM_ROLES])
    ARTICLES = load("kg.derived", "articles")

    def of_article(self, emitter: Any) -> list[str]:
        return emitter.terms()  # the entities the article's claims name in TERM_ROLES

    def wanted(
        self, store: GraphStore, stems: list[str] | None, known: Known | None = None
    ) -> dict[str, set[str]]:
        """The entities each article (of these, or every one) names; those of the articles in
        ``known`` (stem: the entity IRIs, as extraction emitted them) are not read again."""
        if stems is None:
            articles = {r["article"].value for r in store.select(self.ARTICLES())}
        else:
            articles = {article_iri(s) for s in stems}
        found = {a: set(t) for s, t in (known or {}).items() if (a := article_iri(s)) in articles}
        rest = articles - found.keys()
        if not rest:
            return found
        # the others' graphs in a VALUES block, or every graph when they are most of the store
        article, graph = f"{BASE}article/", f"{BASE}graph/"
        many = stems is None and len(rest) > len(articles) // 2
        only = None if many else [graph + a.removeprefix(article) for a in sorted(rest)]
        for row in store.select(self.WANTED(g=only)):
            named = article + row["g"].value.removeprefix(graph)
            if named in rest:
                found.setdefault(named, set()).add(row["group"].value)
        return found

    def page_iri(self, group: str, part: int) -> str:
        # an entity of the store keeps its path (id:termpage/entity/NAME/1); any other IRI is
        # percent-encoded whole after "~"
        segment = group[len(BASE) :] if group.startswith(BASE) else "~/" + quote(group, safe="")
        return f"{BASE}termpage/{segment}/{part}"

    def key(self, page: str) -> tuple[str, int]:
        segment, part = page.removeprefix(f"{BASE}termpage/").rsplit("/", 1)
        term = unquote(segment[2:]) if segment.startswith("~/") else BASE + segment
        return term, int(part)

    def group_term(self, group: str) -> ox.NamedNode | ox.Literal:
        return ox.NamedNode(group)

    def page_triples(self, group: str, part: int) -> list[ox.Triple]:
        page = ox.NamedNode(self.page_iri(group, part))
        return [ox.Triple(page, RDF_TYPE_NODE, ckg("TermPage")), *super().page_triples(group, part)]

    def default_page(self, store: GraphStore, group: Term | None) -> Term | None:
        return self.newest(store, group)

    def newest_first(self, store: GraphStore, group: Term | None = None) -> Iterator[ox.NamedNode]:
        """The term's parts from its last (one lookup of the term's pages) to its first."""
        if not isinstance(group, ox.NamedNode):
            return
        found = self.last_parts(store, group, None)
        last = found[0][1] if found else 0
        yield from (ox.NamedNode(self.page_iri(group.value, p)) for p in range(last, 0, -1))

    def newest(self, store: GraphStore, term: Term | None) -> Term | None:
        """The term's last part that holds an article; for a term without pages, its first
        page, which holds nothing (so a listing answers nothing, not every page)."""
        if not isinstance(term, ox.NamedNode):
            return None
        pages = self.pages_of(store, term)
        return pages[-1] if pages else ox.NamedNode(self.page_iri(term.value, 1))


DAYS = DayPages()
TERMS = TermPages()
# the kind of pages a stored query's `page` parameter reads, by the name of the default its
# parameter line declares (`# param: page IRI?=newest-term-page:actor`; `kg.ask.stored_queries`)
BY_DEFAULT: dict[str, Pages] = {"newest-page": DAYS, "newest-term-page": TERMS}
NEWEST = DAYS.NEWEST
page_iri = DAYS.page_iri
term_page_iri = TERMS.page_iri


def newest_page(store: GraphStore) -> ox.NamedNode | None:
    """The day page a whole-store listing answers when none is named; None without pages."""
    return DAYS.newest(store)


def newest_term_page(store: GraphStore, term: Term | None) -> Term | None:
    """The page a listing of one term answers when none is named."""
    return TERMS.newest(store, term)
