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
from kg.store import GraphStore, Term, VersionMark, triple_lines, values
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
T = f"<{TOTALS_GRAPH}>"
PREFIX = (
    f"PREFIX ckg: <{ONTOLOGY}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)
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

# Each group's share of an article: the stored queries with the article in the group key.
# {claims} is the claims' patterns: in the whole store (the union), or in a few article graphs
# (a UNION branch per graph: a VALUES block of graphs would be joined after reading them all).
# An update's WHERE would read the store's own default graph, so these are SELECTs.
CHAIN_SHARES = """
SELECT ?article ?agency ?source (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
  {claims}
  ?r1 rdfs:label ?agency .
  ?r2 rdfs:label ?source .
} GROUP BY ?article ?agency ?source"""
# every pattern in a sub-select of its own, as queries/agency_cites_monitor.rq had it: Oxigraph
# joins sub-selects by hashing, one pass per property, where one group was nine lookups a claim
CHAIN_CLAIMS_ALL = """
  { SELECT ?first WHERE { ?first ckg:position 1 } }
  { SELECT ?first ?r1 WHERE { ?first ckg:reporter ?r1 } }
  { SELECT ?claim ?first WHERE { ?claim ckg:reportingStep ?first } }
  { SELECT ?claim ?second WHERE { ?claim ckg:reportingStep ?second } }
  { SELECT ?second WHERE { ?second ckg:position 2 } }
  { SELECT ?second ?r2 WHERE { ?second ckg:reporter ?r2 } }
  { SELECT ?claim ?article WHERE { ?claim ckg:inArticle ?article } }"""
CHAIN_CLAIMS_IN = """{ GRAPH %s {
    ?claim ckg:inArticle ?article ; ckg:reportingStep ?first , ?second .
    ?first ckg:position 1 ; ckg:reporter ?r1 . ?second ckg:position 2 ; ckg:reporter ?r2 .
} }"""

# A few articles' casualty claims, a row per perpetrator, day, victims and claimant (summed up
# in Python: Oxigraph's GROUP_CONCAT and MAX give no value for a group where any claim lacks
# one, so a claim without claimant blanked the claimants of every claim of its day)
CASUALTY_ROWS = """
SELECT ?article ?stem ?claim ?perpetrator ?day ?count ?victims ?claimant WHERE {
  {claims}
  OPTIONAL { ?event ckg:agent/rdfs:label ?agentLabel }
  OPTIONAL { ?claim ckg:claimant/rdfs:label ?claimant }
  BIND(COALESCE(?agentLabel, "{not stated}") AS ?perpetrator)
}""".replace("{not stated}", NOT_STATED)
CASUALTY_CLAIMS_IN = """{ GRAPH %s {
    ?claim ckg:claimType "casualties" ; ckg:about ?event ; ckg:inArticle ?article .
    ?article ckg:stem ?stem .
    ?event ckg:count ?count .
    FILTER NOT EXISTS { ?event ckg:countSubset true }
    OPTIONAL { ?event ckg:victims ?victims }
    OPTIONAL { ?event ckg:start ?day }
} }"""
# Every casualty claim's shares at once: each property read in one pass and hash-joined (a
# sub-select each, an OPTIONAL's pair of them joined first), 2.9 s for a 10k-article build
# where looking up each claim's properties one by one took 5-8 s; names made "" when missing,
# and dropped again in Python
CASUALTY_SHARES_ALL = """
SELECT ?article ?stem ?perpetrator ?day (COUNT(DISTINCT ?claim) AS ?claims)
       (MAX(?count) AS ?largest)
       (GROUP_CONCAT(DISTINCT COALESCE(?victims, ""); separator="\t") AS ?victimGroups)
       (GROUP_CONCAT(DISTINCT COALESCE(?claimant, ""); separator="\t") AS ?claimants)
WHERE {
  { SELECT ?claim WHERE { ?claim ckg:claimType "casualties" } }
  { SELECT ?claim ?event WHERE { ?claim ckg:about ?event } }
  { SELECT ?event ?count WHERE {
      ?event ckg:count ?count FILTER NOT EXISTS { ?event ckg:countSubset true } } }
  { SELECT ?claim ?article WHERE { ?claim ckg:inArticle ?article } }
  { SELECT ?article ?stem WHERE { ?article ckg:stem ?stem } }
  OPTIONAL { SELECT ?event ?victims WHERE { ?event ckg:victims ?victims } }
  OPTIONAL { SELECT ?event ?day WHERE { ?event ckg:start ?day } }
  OPTIONAL { { SELECT ?event ?agent WHERE { ?event ckg:agent ?agent } }
             { SELECT ?agent ?agentLabel WHERE { ?agent rdfs:label ?agentLabel } } }
  OPTIONAL { { SELECT ?claim ?by WHERE { ?claim ckg:claimant ?by } }
             { SELECT ?by ?claimant WHERE { ?by rdfs:label ?claimant } } }
  BIND(COALESCE(?agentLabel, "{not stated}") AS ?perpetrator)
} GROUP BY ?article ?stem ?perpetrator ?day""".replace("{not stated}", NOT_STATED)

GRAPH = ox.NamedNode(TOTALS_GRAPH)

# the shares the rebuilt articles (VALUES ?article in {only}) had, with their rows
OLD_SHARES = f"""
SELECT ?row ?digest WHERE {{
  {{only}}
  GRAPH {T} {{
    ?share ckg:shareArticle ?article ; ckg:shareDigest ?digest . ?row ckg:totalShare ?share .
  }}
}}"""
# the rows (VALUES ?row in {only}) as they are: kind, key and totals
ROWS = f"""
SELECT ?row ?p ?o WHERE {{
  {{only}}
  GRAPH {T} {{ ?row ?p ?o }}
  FILTER(?p != ckg:totalShare)
}}"""
# the shares of these perpetrator-days
ROW_SHARES = f"""
SELECT ?row ?article ?digest WHERE {{
  {{only}}
  GRAPH {T} {{
    ?row ckg:totalShare ?share . ?share ckg:shareArticle ?article ; ckg:shareDigest ?digest .
  }}
}}"""
DROP_SHARES = f"""
DELETE {{ GRAPH {T} {{ ?row ckg:totalShare ?share . ?share ?p ?o }} }}
WHERE {{
  {{only}}
  GRAPH {T} {{ ?share ckg:shareArticle ?article ; ?p ?o . ?row ckg:totalShare ?share }}
}}"""
DROP_ROWS = f"""
DELETE {{ GRAPH {T} {{ ?row ?p ?o }} }}
WHERE {{ {{only}} GRAPH {T} {{ ?row ?p ?o }} FILTER(?p != ckg:totalShare) }}"""

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
    patterns = [CHAIN_CLAIMS_ALL] if stems is None else _in_graphs(stems, CHAIN_CLAIMS_IN)
    for claims in patterns:
        for r in _solutions(store, CHAIN_SHARES.replace("{claims}", claims)):
            row = Row(CHAIN, (r["agency"], r["source"]))
            yield row, r["article"].value, Share(int(r["claims"].value))


def casualty_shares(store: GraphStore, stems: list[str] | None) -> Iterator[NewShare]:
    if stems is None:
        for r in _solutions(store, CASUALTY_SHARES_ALL):
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
    for claims in _in_graphs(stems, CASUALTY_CLAIMS_IN):
        for r in _solutions(store, CASUALTY_ROWS.replace("{claims}", claims)):
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


def _in_graphs(stems: list[str], pattern: str) -> Iterator[str]:
    """The claims' ``pattern`` in these articles' graphs, a UNION branch per graph, BATCH
    graphs a query."""
    for at in range(0, len(stems), BATCH):
        yield " UNION ".join(pattern % ox.NamedNode(graph_iri(s)) for s in stems[at : at + BATCH])


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
        store.update(PREFIX + incremental(store, sorted(set(change.stems or []))))


def incremental(store: GraphStore, stems: list[str]) -> str:
    """One update: drop the rebuilt articles' shares and the rows they touch(ed), and write
    their new shares and those rows again."""
    articles = [article_iri(s) for s in stems]
    only = values("article", articles)
    old = store.select(OLD_SHARES.replace("{only}", only))
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
        for r in store.select(ROW_SHARES.replace("{only}", values("row", days[at : at + 500]))):
            if r["article"].value not in rebuilt:
                rows[r["row"].value].add(Share.read(CASUALTY, r["digest"].value))
    rows = _sum(news, rows)
    left = [row for row in rows.values() if row.articles > 0]
    return " ;\n".join(
        [
            DROP_SHARES.replace("{only}", only),
            DROP_ROWS.replace("{only}", values("row", touched)),
            f"INSERT DATA {{ GRAPH {T} {{\n{triple_lines(_quads(news, left))}\n}} }}",
        ]
    )


def _read_rows(store: GraphStore, iris: list[str]) -> dict[str, Row]:
    """The kind and key of these rows (those in the store), with their totals if they are
    reporting pairs (a perpetrator-day's are summed again from its shares)."""
    found: dict[str, dict[ox.NamedNode | ox.BlankNode | ox.Literal, list[Term]]] = {}
    for at in range(0, len(iris), 500):
        for r in store.select(ROWS.replace("{only}", values("row", iris[at : at + 500]))):
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
    result = store.query(PREFIX + sparql)
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
