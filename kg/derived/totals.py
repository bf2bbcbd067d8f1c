"""Totals, materialised: the two whole-store aggregates kept per group in the derived graph.

`agency_cites_monitor` (claims and articles per reporting pair: the outer reporter and the
source it cites next) and `casualties_by_perpetrator` (counted casualty claims per perpetrator
and day, with the largest count, the victims, articles and claimants) read every claim of the
store when computed from the claims: 16 s and 13 s of CPU at a million claims, growing faster
than the store because each of the million lookups costs more in a bigger one. Their answers
are bounded (a row per pair; a row per perpetrator and day), so each build keeps them instead:

- a *share* per article and group: what that article's claims add to the group (its claims,
  largest count, victims and claimants, as one digest literal), linked from the group's row
  (`ckg:totalShare`) and to the article (`ckg:shareArticle`);
- a *row* per group, with the group's key (labels, day) and its totals, which the stored
  queries read (`queries/agency_cites_monitor.rq`, `queries/casualties_by_perpetrator.rq`).

A share depends on its own article's graph (and the labels of the entities it names), so a
refresh recomputes the shares of the articles it rebuilt and then the rows those shares belong to
now or belonged to before: a reporting pair's totals are sums (the old shares are subtracted,
the new added), a perpetrator-day's are recomputed from its shares (a largest count and sets of
names cannot be subtracted). One update writes them, so readers see the old totals or the new.
A store without totals of this version gets them all (`Totals.recompute`).

The grouping is the stored queries' own: by label (an entity with two labels counts under each),
a casualty claim under each perpetrator its event names, "(not stated)" when none, and under no
day when it has none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from kg.derived.base import Change, Derived
from kg.store import GraphStore, Sparql, Term, VersionMark, insert_data, load
from kg.vocab import (
    BASE,
    ONTOLOGY,
    RDF_TYPE_NODE,
    TOTALS_GRAPH,
    XSD_INTEGER,
    article_iri,
    graph_iri,
)
from kg.vocab import ckg_node as ckg

VERSION = 2  # bump when the shape of the totals changes: a refresh then recomputes them all
NOT_STATED = "(not stated)"
SEP = ", "  # between the names of a row, as the stored queries' GROUP_CONCAT wrote them
CHAIN, CASUALTY = "chain", "casualties"


TOTAL_SHARE, SHARE_ARTICLE, SHARE_DIGEST = (
    ckg("totalShare"),
    ckg("shareArticle"),
    ckg("shareDigest"),
)
CLASSES = {CHAIN: ckg("ReportingPairTotal"), CASUALTY: ckg("CasualtyTotal")}  # a row's class
KINDS: dict[Term, str] = {cls: kind for kind, cls in CLASSES.items()}
# a reporting pair's row
CHAIN_AGENCY, CHAIN_SOURCE = ckg("chainAgency"), ckg("chainSource")
CHAIN_CLAIMS, CHAIN_ARTICLES = ckg("chainClaims"), ckg("chainArticles")
# a perpetrator-day's row
PERPETRATOR, DAY = ckg("casualtyPerpetrator"), ckg("casualtyDay")
CASUALTY_CLAIMS, LARGEST = ckg("casualtyClaims"), ckg("casualtyLargest")
VICTIMS, ARTICLES, CLAIMANTS = (
    ckg("casualtyVictims"),
    ckg("casualtyArticles"),
    ckg("casualtyClaimants"),
)

# Each group's share of an article: the stored queries with the article in the group key, over
# every claim of the store, or over a few articles' graphs
CHAIN_SHARES_ALL = load("kg.derived", "totals_chain_shares_all")
CHAIN_SHARES = load("kg.derived", "totals_chain_shares")
CASUALTY_SHARES_ALL = load("kg.derived", "totals_casualty_shares_all").bind(
    notStated=ox.Literal(NOT_STATED)
)
CASUALTY_ROWS = load("kg.derived", "totals_casualty_rows").bind(notStated=ox.Literal(NOT_STATED))

GRAPH = ox.NamedNode(TOTALS_GRAPH)


def _of_graph(name: str) -> Sparql:
    return load("kg.derived", name).bind(totals=TOTALS_GRAPH)


OLD_SHARES, ROWS = _of_graph("totals_old_shares"), _of_graph("totals_rows")
ROW_SHARES = _of_graph("totals_row_shares")
DROP_SHARES, DROP_ROWS = _of_graph("totals_drop_shares"), _of_graph("totals_drop_rows")

BATCH = 100  # article graphs per query
SHARES_PER_WRITE = 20_000  # shares per transaction of a full recompute


# -- the groups and their shares ------------------------------------------------------------
@dataclass
class Share:
    """What one article adds to one group."""

    claims: int
    largest: int = 0
    stem: str = ""
    victims: frozenset[str] = frozenset()
    claimants: frozenset[str] = frozenset()

    def digest(self, kind: str) -> str:
        if kind == CHAIN:
            return str(self.claims)
        return "\n".join(
            [
                str(self.claims),
                str(self.largest),
                self.stem,
                "\t".join(sorted(self.victims)),
                "\t".join(sorted(self.claimants)),
            ]
        )

    @classmethod
    def read(cls, kind: str, digest: str) -> Share:
        if kind == CHAIN:
            return cls(int(digest))
        claims, largest, stem, victims, claimants = digest.split("\n")
        return cls(int(claims), int(largest), stem, _names(victims), _names(claimants))


def _names(joined: str) -> frozenset[str]:
    return frozenset(n for n in joined.split("\t") if n)


@dataclass
class Row:
    """A group: its kind, its key (two labels; or a perpetrator and a day, if any) and what
    its shares add up to."""

    kind: str
    key: tuple[Term, ...]
    claims: int = 0
    articles: int = 0  # reporting pairs: how many articles have a share
    largest: int | None = None
    stems: set[str] = field(default_factory=set)
    victims: set[str] = field(default_factory=set)
    claimants: set[str] = field(default_factory=set)

    @cached_property
    def iri(self) -> str:
        return row_iri(self.kind, self.key)

    def add(self, share: Share, sign: int = 1) -> None:
        self.claims += sign * share.claims
        self.articles += sign
        if self.kind == CASUALTY:  # recomputed from all its shares: only ever added to
            self.largest = max(share.largest, self.largest or 0)
            self.stems.add(share.stem)
            self.victims |= share.victims
            self.claimants |= share.claimants

    def quads(self) -> Iterator[ox.Quad]:
        g, node = GRAPH, ox.NamedNode(self.iri)
        yield ox.Quad(node, RDF_TYPE_NODE, CLASSES[self.kind], g)
        if self.kind == CHAIN:
            agency, source = self.key
            pairs = [(CHAIN_AGENCY, agency), (CHAIN_SOURCE, source)]
            pairs += [(CHAIN_CLAIMS, _int(self.claims)), (CHAIN_ARTICLES, _int(self.articles))]
        else:
            pairs = [(PERPETRATOR, self.key[0])]
            pairs += [(DAY, day) for day in self.key[1:]]
            pairs += [
                (CASUALTY_CLAIMS, _int(self.claims)),
                (LARGEST, _int(self.largest or 0)),
                (VICTIMS, ox.Literal(SEP.join(sorted(self.victims)))),
                (ARTICLES, ox.Literal(SEP.join(sorted(self.stems)))),
                (CLAIMANTS, ox.Literal(SEP.join(sorted(self.claimants)))),
            ]
        for predicate, value in pairs:
            yield ox.Quad(node, predicate, value, g)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)


def row_iri(kind: str, key: tuple[Term, ...]) -> str:
    """A group's row, named by its kind and key, so every build finds the same node."""
    digest = hashlib.sha1("\n".join(str(k) for k in key).encode()).hexdigest()[:20]
    return f"{BASE}total/{kind}/{digest}"


def share_iri(row: str, article: str) -> str:
    return f"{row}/share/{hashlib.sha1(article.encode()).hexdigest()[:20]}"


NewShare = tuple[Row, str, Share]  # a group (key only), the article's IRI, its share


def chain_shares(store: GraphStore, stems: list[str] | None) -> Iterator[NewShare]:
    queries = [CHAIN_SHARES_ALL()] if stems is None else _in_graphs(stems, CHAIN_SHARES)
    for query in queries:
        for r in _solutions(store, query):
            row = Row(CHAIN, (r["agency"], r["source"]))
            yield row, r["article"].value, Share(int(r["claims"].value))


def casualty_shares(store: GraphStore, stems: list[str] | None) -> Iterator[NewShare]:
    if stems is None:
        for r in _solutions(store, CASUALTY_SHARES_ALL()):
            day = (r["day"],) if "day" in r else ()
            share = Share(
                int(r["claims"].value),
                _count(r.get("largest")),
                r["stem"].value,
                _names(r["victimGroups"].value),
                _names(r["claimants"].value),
            )
            yield Row(CASUALTY, (r["perpetrator"], *day)), r["article"].value, share
        return
    groups: dict[tuple[str, str], tuple[Row, str, set[str], Share]] = {}
    for query in _in_graphs(stems, CASUALTY_ROWS):
        for r in _solutions(store, query):
            day = (r["day"],) if "day" in r else ()
            row, article = Row(CASUALTY, (r["perpetrator"], *day)), r["article"].value
            _, _, seen, share = groups.setdefault(
                (row.iri, article), (row, article, set(), Share(0, 0, r["stem"].value))
            )
            seen.add(r["claim"].value)
            share.largest = max(share.largest, _count(r["count"]))
            if "victims" in r:
                share.victims |= {r["victims"].value}
            if "claimant" in r:
                share.claimants |= {r["claimant"].value}
    for row, article, seen, share in groups.values():
        share.claims = len(seen)
        yield row, article, share


def _count(term: Term | None) -> int:
    try:
        return int(float(term.value)) if term is not None else 0
    except ValueError:
        return 0


def _in_graphs(stems: list[str], query: Sparql) -> Iterator[str]:
    """The query over these articles' graphs, a UNION branch per graph, BATCH graphs a query."""
    for at in range(0, len(stems), BATCH):
        yield query(graph=[graph_iri(s) for s in stems[at : at + BATCH]])


# -- refreshing them ------------------------------------------------------------------------
class Totals(Derived):
    """The shares and rows of `agency_cites_monitor` and `casualties_by_perpetrator`."""

    name = "totals"
    graph = TOTALS_GRAPH
    mark = VersionMark(TOTALS_GRAPH, ONTOLOGY + "totalsVersion", VERSION)
    queries = ("agency_cites_monitor", "casualties_by_perpetrator")
    beside = True

    def recompute(self, store: GraphStore, change: Change) -> None:
        """Every share and row again, the graph dropped first with the mark, which is written
        last: readers may see part of the new totals meanwhile, and a recompute cut short is
        done again by the next refresh. ``change.bulk``: in one bulk load, for a build that
        compacts the store afterwards."""
        store.drop_graph(TOTALS_GRAPH)
        rows: dict[str, Row] = {}
        if change.bulk:  # 2 s for the 250k quads of a 10k-article build, where transactions take 7
            every = [*chain_shares(store, None), *casualty_shares(store, None)]
            store.add_in_bulk(_quads(every, _sum(every, rows).values()))
            store.add([self.mark.quad])
            return
        batch: list[NewShare] = []
        # else the shares written as they come (a million claims have some 700k), in
        # transactions: written by RocksDB's bulk loader into a store that is not compacted
        # after, they left files that made every later build of a few articles run
        # compactions (2.8 s instead of 2.0)
        for news in (chain_shares(store, None), casualty_shares(store, None)):
            for share in news:
                batch.append(share)
                if len(batch) == SHARES_PER_WRITE:
                    _sum(batch, rows)
                    store.add(_quads(batch, []))
                    batch = []
        _sum(batch, rows)
        store.add(_quads(batch, rows.values()))
        store.add([self.mark.quad])

    def update(self, store: GraphStore, change: Change) -> None:
        store.update(incremental(store, sorted(set(change.stems or []))))


def incremental(store: GraphStore, stems: list[str]) -> str:
    """One update: drop the rebuilt articles' shares and the rows they touch(ed), and write
    their new shares and those rows again."""
    articles = [article_iri(s) for s in stems]
    old = store.select(OLD_SHARES(article=articles))
    news = [*chain_shares(store, stems), *casualty_shares(store, stems)]
    touched = sorted({r["row"].value for r in old} | {row.iri for row, _, _ in news})
    rows = _read_rows(store, touched)
    # a reporting pair: its totals less the old shares; a perpetrator-day: its other shares
    for r in old:
        row = rows.get(r["row"].value)
        if row is not None and row.kind == CHAIN:
            row.add(Share.read(CHAIN, r["digest"].value), -1)
    days, rebuilt = [iri for iri, row in rows.items() if row.kind == CASUALTY], set(articles)
    for at in range(0, len(days), 500):
        for r in store.select(ROW_SHARES(row=days[at : at + 500])):
            if r["article"].value not in rebuilt:
                rows[r["row"].value].add(Share.read(CASUALTY, r["digest"].value))
    rows = _sum(news, rows)
    left = [row for row in rows.values() if row.articles > 0]
    return " ;\n".join(
        [
            DROP_SHARES(article=articles),
            DROP_ROWS(row=touched),
            insert_data(_quads(news, left)),
        ]
    )


def _read_rows(store: GraphStore, iris: list[str]) -> dict[str, Row]:
    """The kind and key of these rows (those in the store), with their totals if they are
    reporting pairs (a perpetrator-day's are summed again from its shares)."""
    found: dict[str, dict[ox.NamedNode | ox.BlankNode | ox.Literal, list[Term]]] = {}
    for at in range(0, len(iris), 500):
        for r in store.select(ROWS(row=iris[at : at + 500])):
            found.setdefault(r["row"].value, {}).setdefault(r["p"], []).append(r["o"])
    rows: dict[str, Row] = {}
    for iri, props in found.items():
        kind = KINDS.get(props[RDF_TYPE_NODE][0])
        if kind == CHAIN:
            row = Row(CHAIN, (props[CHAIN_AGENCY][0], props[CHAIN_SOURCE][0]))
            row.claims = int(props[CHAIN_CLAIMS][0].value)
            row.articles = int(props[CHAIN_ARTICLES][0].value)
        elif kind == CASUALTY:
            row = Row(CASUALTY, (props[PERPETRATOR][0], *props.get(DAY, [])))
        else:
            continue
        rows[iri] = row
    return rows


def _solutions(store: GraphStore, sparql: str) -> Iterator[dict[str, Term]]:
    """A SELECT's rows one by one (unbound variables left out), not held in a list."""
    result = store.query(sparql)
    names = [v.value for v in result.variables]
    for solution in result:
        yield {n: t for n, t in zip(names, solution, strict=True) if t is not None}


def _sum(news: list[NewShare], rows: dict[str, Row]) -> dict[str, Row]:
    for key, _, share in news:
        rows.setdefault(key.iri, Row(key.kind, key.key)).add(share)
    return rows


def _quads(news: list[NewShare], rows: Iterable[Row]) -> Iterator[ox.Quad]:
    for row, article, share in news:
        yield from _share_quads(row, article, share)
    for row in rows:
        yield from row.quads()


def _share_quads(row: Row, article: str, share: Share) -> Iterator[ox.Quad]:
    node = ox.NamedNode(share_iri(row.iri, article))
    yield ox.Quad(ox.NamedNode(row.iri), TOTAL_SHARE, node, GRAPH)
    yield ox.Quad(node, SHARE_ARTICLE, ox.NamedNode(article), GRAPH)
    yield ox.Quad(node, SHARE_DIGEST, ox.Literal(share.digest(row.kind)), GRAPH)
