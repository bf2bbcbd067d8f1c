"""The shape of one piece of derived data, and what a refresh is told about a write.

A piece (`Derived`) declares the graph it is kept in (and, in a graph it shares, the properties
that are its own), the version mark of its shape, the pieces it reads (`needs`), and how it is
refreshed: whole (`recompute`) or for the articles a write touched (`update`). What it reads
before the write (`prepare`) and what it can compute from one article as that article is
extracted (`of_article`) reach it through the `Change`. `kg.derived.DERIVED` lists the pieces in
the order they are refreshed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.store import GraphStore, VersionMark, load
from kg.vocab import ONTOLOGY, article_iri

CLEAR_PROPERTY, GRAPH_TRIPLES = (
    load("kg.derived", "clear_property"),
    load("kg.store", "graph_triples"),
)
CONTROL_CLAIMS, ARTICLES = (
    load("kg.derived", "articles_control_claims"),
    load("kg.derived", "article_count"),
)


@dataclass
class Change:
    """What a write changed, as each piece of derived data is told it."""

    stems: list[str] | None = None  # the articles whose graphs it wrote; None: any article
    # entities whose description it added to, in the entities graph (`kg link --online`)
    entities: list[str] = field(default_factory=list)
    before: dict[str, Any] = field(default_factory=dict)  # piece name: what `prepare` read
    known: dict[str, dict[str, Any]] = field(default_factory=dict)  # piece: stem: `of_article`
    complete: bool = False  # ``known`` holds every article of the store (a first build)
    bulk: bool = False  # a recompute may bulk-load (the build compacts the store after)
    whole: bool = False  # every piece is recomputed whole (set by `kg.derived.refresh`)

    def known_of(self, piece: Derived) -> dict[str, Any]:
        return self.known.get(piece.name, {})


class Derived:
    """One piece of derived data. Subclasses set the class attributes and implement
    `recompute` and `update`."""

    name: str
    graph: str
    # the properties it writes in ``graph`` (with its mark's), when other pieces share it;
    # None: the whole graph is its own
    terms: frozenset[str] | None = None
    mark: VersionMark
    needs: tuple[str, ...] = ()  # the pieces it reads, refreshed before it
    queries: tuple[str, ...] = ()  # the stored queries (queries/NAME.rq) that read it
    # it reads only the articles' graphs and writes only its own, and no piece reads it: a
    # refresh runs it on a thread beside the others
    beside: bool = False

    # -- what a refresh is given -----------------------------------------------------------
    def prepare(self, store: GraphStore, stems: list[str]) -> Any:
        """What it needs to know of these articles before a write replaces them."""
        return None

    def of_article(self, emitter: Any) -> Any:
        """Its share of one article, from the article's emitter (`kg.emit.graph.Emitter`) in
        the process that extracted it, or None."""
        return None

    # -- refreshing ------------------------------------------------------------------------
    def refresh(self, store: GraphStore, change: Change) -> bool:
        """Refresh for the change: whole when the change says so, when any article may have
        changed, or when the store lacks the current mark; else for the change's articles.
        True when it was recomputed whole."""
        if change.whole or change.stems is None or not self.marked(store):
            self.recompute(store, change)
            return True
        if change.stems:
            self.update(store, change)
        if change.entities:
            self.update_entities(store, change.entities)
        return False

    def recompute(self, store: GraphStore, change: Change) -> None:
        """Everything again, from the articles' graphs (and the pieces it needs), mark last."""
        raise NotImplementedError

    def update(self, store: GraphStore, change: Change) -> None:
        """What derives from ``change.stems``, rewritten (the mark holds and stays)."""
        raise NotImplementedError

    def update_entities(self, store: GraphStore, entities: list[str]) -> None:
        """What derives from these entities' descriptions, rewritten (nothing, unless the piece
        reads them)."""

    def clear(self, store: GraphStore) -> None:
        """Its triples gone, mark included."""
        if self.terms is None:
            store.drop_graph(self.graph)
        else:
            store.update(self.clearing())

    def clearing(self) -> str:
        """The update that takes its triples out of a graph it shares, mark included."""
        return " ;\n".join(
            CLEAR_PROPERTY(graph=self.graph, property=p) for p in sorted(self.terms or ())
        )

    # -- telling it is current -------------------------------------------------------------
    def marked(self, store: GraphStore) -> bool:
        """Whether the store holds it in its current shape (one lookup: what readers and
        refreshes check)."""
        return self.mark.holds(store)

    def content(self, store: GraphStore) -> set[str]:
        """What it holds, as text that two stores holding the same derived data give alike."""
        return {
            f"{s} {p} {o}"
            for s, p, o in store.query(GRAPH_TRIPLES(graph=self.graph))
            if self.terms is None or p.value in self.terms
        }

    def is_current(self, store: GraphStore, recomputed: GraphStore) -> bool:
        """Whether the store holds what a recompute from its claims gives (``recomputed``: a
        store holding the same claims with every piece recomputed, `kg.derived.recomputed`)."""
        return self.marked(store) and self.content(store) == self.content(recomputed)


def ckg_terms(*names: str) -> frozenset[str]:
    """Properties of the ontology, by local name."""
    return frozenset(ONTOLOGY + name for name in names)


def control_claims(store: GraphStore, stems: Iterable[str]) -> list[str]:
    """The control claims these articles have in the store now. Read before a write replaces
    them: derived data kept per claim (cards, contradictions) holds nothing but the claim's IRI,
    and finding a rebuilt article's claims among them by IRI prefix means decoding every one
    (2-3 s for the 36k contradictions of a 100k-article store)."""
    articles = [article_iri(s) for s in stems]
    rows = store.select(CONTROL_CLAIMS(article=articles)) if articles else []
    return [r["claim"].value for r in rows]


# A write of many articles recomputes every piece whole: the incremental refresh costs about
# 12 ms per article (FA-KES --force: 642 articles, 7.6 s), the whole one under a second
FEW, FULL_SHARE = 50, 0.5


def most_of(store: GraphStore, stems: list[str]) -> bool:
    """Whether these articles are so many of the store's that a whole refresh costs less."""
    if len(stems) < FEW:
        return False
    return len(stems) >= FULL_SHARE * int(store.select(ARTICLES())[0]["n"].value)
