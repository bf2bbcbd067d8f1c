"""Control, materialised: every control claim's reading of a place, kept in the derived graph.

Who-controlled needs, for one place, the newest control claims on or before a day. Read from the
claims themselves, that means visiting every event at the place (all claim types, all days):
linear in the place's history, 60 ms for a busy place at 1M claims. So each build also writes
one lean node per control claim (a *reading*: claim, controller, day, order in the day,
article, publication day; a claim over a period has a second one on its last day), filed under
a node per place and calendar month whose IRI anyone can compute (`month_iri`), and per place
and controller the first day and first publication (a *side*), which tells the question when
it has read far enough back. Readings depend only on their own article's graph, so a refresh
rewrites those of the articles a write touched, the digests of their months and the sides of
the places they touch (`Control.update`); a store without readings of this version gets them
all (`Control.recompute`).

The reading's properties are its own (`ckg:readingStart`, not `ckg:start`): queries over the
union default graph must not mistake a reading for an event or a claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox

from kg.derived.base import Change, Derived, ckg_terms
from kg.store import GraphStore, Sparql, VersionMark, load
from kg.vocab import DERIVED_GRAPH, ONTOLOGY, XSD_INTEGER, article_iri, ckg_node, graph_iri

VERSION = 5  # bump when the shape of readings changes: a refresh then recomputes them all


def _text(name: str) -> Sparql:
    return load("kg.derived", name).bind(derived=DERIVED_GRAPH)


READINGS = _text("control_readings")  # of an article graph, or of every one (GRAPH ?g)
DIGESTS, SIDES = _text("control_digests"), _text("control_sides")
OLD_PLACES, NEW_PLACES = _text("control_filed_before"), load("kg.derived", "control_filed")
DROP_DERIVED, DROP_ARTICLES = _text("control_drop_digests"), _text("control_drop_readings")
DROP_EMPTY_MONTHS = _text("control_drop_months")
FIRST, MONTHS = _text("control_first"), load("kg.derived", "control_months")
PLACE_MONTHS = load("kg.derived", "control_place_months")

# -- one article's readings, as it is extracted ----------------------------------------------
CONTROL_TYPE = '"control"'  # the claim type's literal, as an article's triples write it
ZERO = ox.Literal("0", datatype=XSD_INTEGER)  # READINGS' COALESCE(?inDay, 0)


def control_nodes(triples: list[tuple[str, str, str]]) -> tuple[list[str], dict]:
    """One article's control claims and what READINGS reads of them, from the article's own
    triples (N-Triples terms, as `kg.emit.graph.Emitter` holds them): the claims' IRIs and
    {subject: {property: [objects]}} of the claims, their events, articles and reporting
    steps."""
    about, claim_type = f"<{ONTOLOGY}about>", f"<{ONTOLOGY}claimType>"
    claims = {s for s, p, o in triples if p == claim_type and o == CONTROL_TYPE}
    if not claims:
        return [], {}
    wanted = set(claims)
    for s, p, o in triples:
        if s in claims and p in (about, f"<{ONTOLOGY}inArticle>", f"<{ONTOLOGY}reportingStep>"):
            wanted.add(o)
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in triples if s in wanted)
    nodes: dict[str, dict[str, list]] = {}
    for t in ox.parse(lines.encode(), format=ox.RdfFormat.N_TRIPLES):
        nodes.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
    return sorted(claim[1:-1] for claim in claims), nodes


def article_readings(triples: list[tuple[str, str, str]]) -> bytes:
    """The readings of one article's control claims as N-Quads of the derived graph: what
    READINGS writes once the article is stored. Computed in the worker that extracted it, so a
    first build need not read every claim back (tests/test_control_readings.py checks both give
    the same quads)."""
    claims, nodes = control_nodes(triples)
    graph = ox.NamedNode(DERIVED_GRAPH)
    out = [
        ox.Quad(s, p, o, graph)
        for claim in claims
        for _, quads in claim_readings(claim, nodes)
        for s, p, o in quads
    ]
    return "".join(f"{q} .\n" for q in out).encode()


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


def claim_readings(
    claim: str, nodes: dict[str, dict[str, list]]
) -> Iterator[tuple[ox.NamedNode, list[Triple]]]:
    """READINGS' solutions for one control claim, each as (the claim, its triples)."""
    node = nodes.get(claim, {})

    def of(subject: ox.NamedNode, p: str) -> list:
        return nodes.get(subject.value, {}).get(ONTOLOGY + p, [])

    for event in node.get(ONTOLOGY + "about", []):
        for article in node.get(ONTOLOGY + "inArticle", []):
            rows = [
                (place, controller, start, order, printed)
                for place in of(event, "place")
                for controller in of(event, "controller")
                for start in period_days(of(event, "start"), of(event, "end"))
                for order in of(event, "orderInDay") or [ZERO]
                for printed in of(article, "published") or [None]
            ]
            for place, controller, start, order, printed in rows:
                month = ox.NamedNode(month_iri(place.value, start.value[:7]))
                key = " ".join(
                    [
                        controller.value,
                        start.value,
                        order.value,
                        article.value,
                        printed.value if printed is not None else "",
                    ]
                )
                r = ox.NamedNode(f"{claim}/control/{hashlib.md5(key.encode()).hexdigest()}")
                triples: list[Triple] = [
                    (place, ckg_node("controlMonth"), month),
                    (month, ckg_node("controlReading"), r),
                    (r, ckg_node("readingClaim"), ox.NamedNode(claim)),
                    (r, ckg_node("readingController"), controller),
                    (r, ckg_node("readingStart"), start),
                    (r, ckg_node("readingOrder"), order),
                    (r, ckg_node("readingArticle"), article),
                ]
                if printed is not None:
                    triples.append((r, ckg_node("readingPublished"), printed))
                yield ox.NamedNode(claim), triples


def period_days(starts: list, ends: list) -> list:
    """READINGS' days of an event: its start, and its end where that is later (a period's
    last day is a reading of its own); an event known only to have happened by a day (a
    capture told as background, by the report) is read on that day."""
    if not starts:
        return list(ends)
    return [*starts, *(e for e in ends for s in starts if e.value > s.value)]


class Control(Derived):
    """The control readings, the months' digests and the places' sides."""

    name = "control"
    graph = DERIVED_GRAPH
    terms = ckg_terms(
        "controlMonth",
        "controlReading",
        "readingClaim",
        "readingController",
        "readingStart",
        "readingOrder",
        "readingArticle",
        "readingPublished",
        "monthReadings",
        "controlSides",
        "controlReadingsVersion",
    )
    mark = VersionMark(DERIVED_GRAPH, ONTOLOGY + "controlReadingsVersion", VERSION)
    needs = ("cards",)  # the months' digests carry the claims' cards

    def of_article(self, emitter: Any) -> bytes:
        return article_readings(emitter.triples)

    def recompute(self, store: GraphStore, change: Change) -> None:
        """Every reading, digest and side again; in a first build, the readings extraction
        computed (`article_readings`), written instead of read from the articles' graphs."""
        digests = [DIGESTS(month=None, place=None), SIDES(place=None), self.mark.insert()]
        if change.complete:  # a store no one has read yet
            self.clear(store)
            known = b"".join(change.known_of(self).values())
            store.add_in_bulk(ox.parse(known, format=ox.RdfFormat.N_QUADS))
            store.update(";\n".join(digests))
        else:  # one update: readers see the old readings or the new
            again = [self.clearing(), READINGS(graph=ox.Variable("g")), *digests]
            store.update(";\n".join(again))

    def update(self, store: GraphStore, change: Change) -> None:
        store.update(incremental(store, sorted(set(change.stems or []))))


def incremental(store: GraphStore, stems: list[str]) -> str:
    """One update: drop the rebuilt articles' readings, read them again from their graphs,
    then recompute the digests of the months they are filed under now or were before, and the
    sides of every place they touch now or touched before."""
    articles = [article_iri(s) for s in stems]
    old = store.select(OLD_PLACES(article=articles))
    filed = {(r["place"].value, r["month"].value) for r in old}
    for chunk in range(0, len(stems), 100):  # where the new readings go, 100 articles a query
        for r in store.select(NEW_PLACES(graph=[graph_iri(s) for s in stems[chunk : chunk + 100]])):
            place = r["place"].value
            filed.add((place, month_iri(place, r["start"].value[:7])))
    # the places whose readings change (other places the articles name keep their sides)
    affected = sorted({place for place, _ in filed})
    months = sorted({month for _, month in filed})
    return ";\n".join(
        [
            DROP_DERIVED(month=months, place=affected),
            DROP_ARTICLES(article=articles),
            *(READINGS(graph=graph_iri(s)) for s in stems),
            DROP_EMPTY_MONTHS(place=affected),
            DIGESTS(month=months, place=None),
            SIDES(place=affected),
        ]
    )


# -- reading them -----------------------------------------------------------------------------
def month_iri(place: str, month: str) -> str:
    """The node that files a place's readings of one month (YYYY-MM), as READINGS names it."""
    return f"{place}/control/{month}"


def months_back(on: dt.date) -> Iterator[str]:
    """YYYY-MM of the day's month, then every month before it."""
    year, month = on.year, on.month
    while year >= 1:
        yield f"{year:04d}-{month:02d}"
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def first_query(place: str, months: list[str]) -> str:
    """One query for the first look: the version mark, the place's sides and the digests of
    its newest months."""
    return FIRST(place=[place], month=[month_iri(place, m) for m in months])


def months_query(place: str, months: list[str] | None) -> str:
    """The digests of these months of the place, or (None) of all its months."""
    if months is None:
        return PLACE_MONTHS(place=[place])
    return MONTHS(month=[month_iri(place, m) for m in months])
