"""Derived data after a write that is not a build: a SPARQL Update, a Graph GraphStore request, a
restore.

A build knows the articles it wrote and refreshes what derives from them (`kg.build`). Any
other write says which graphs it wrote (`kg.store.updates.Written`); the articles whose graphs
those are get the same refresh a build gives the articles it rebuilt: every piece of
`kg.derived.DERIVED`. A write to the entities, to the derived data itself, or to graphs it does
not name may change what derives from any article: everything is recomputed. A graph of the
user's own (or the store's default graph) changes derived data only if it holds terms of the
ontology before or after the write; then everything is recomputed too, else nothing is. The
store's graph of source files holds nothing any derived data is computed from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

import pyoxigraph as ox

from kg.derived import GRAPHS, Change, prepare, recompute, refresh
from kg.errors import StoreError
from kg.store import GraphStore, load
from kg.store.updates import Written
from kg.vocab import BASE, ENTITIES_GRAPH, SOURCES_GRAPH

ARTICLE_GRAPHS = f"{BASE}graph/"
# graphs under ARTICLE_GRAPHS that are the store's own, not an article's
OWN_GRAPHS = {ENTITIES_GRAPH, SOURCES_GRAPH, *GRAPHS}


@dataclass
class Touched:
    """What a write changed, for the derived data: the articles whose graphs it wrote, or
    ``everything`` when it wrote a graph whose effect cannot be pinned to articles."""

    stems: list[str] = field(default_factory=list)
    everything: bool = False
    before: dict = field(default_factory=dict)  # what the pieces read before it (`prepare`)


def article_stem(graph: str) -> str | None:
    """The stem of the article whose graph this is (`kg.vocab.graph_iri`), or None."""
    segment = graph.removeprefix(ARTICLE_GRAPHS)
    if graph in OWN_GRAPHS or segment == graph or not segment or "/" in segment:
        return None
    return unquote(segment)


def touched_by(store: GraphStore, written: Written) -> Touched:
    """The articles a write touched, or everything (see the module's description). Called
    before the write, and for graphs of the user's own again after it (``foreign``)."""
    if written.unknown or any(graph in OWN_GRAPHS - {SOURCES_GRAPH} for graph in written.graphs):
        return Touched(everything=True)
    stems = [s for g in sorted(written.graphs) if (s := article_stem(g)) is not None]
    if foreign(store, written):
        return Touched(everything=True)
    return Touched(stems)


def foreign(store: GraphStore, written: Written) -> bool:
    """Whether a graph the write touched that is neither an article's nor the store's own
    holds a term of the ontology (a claim, an article, an entity's description)."""
    others = [g for g in written.graphs if g != SOURCES_GRAPH and article_stem(g) is None]
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.NamedNode(g) for g in sorted(others)]
    if written.default:
        graphs.append(ox.DefaultGraph())
    return any(holds_ontology_terms(store, graph) for graph in graphs)


HOLDS_TERMS = load("kg.derived", "writes_holds_ontology_terms")


def holds_ontology_terms(store: GraphStore, graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    """Whether one graph (read alone) has a triple whose property or object is the
    ontology's; a store whose graphs cannot be read one at a time is taken to have one."""
    try:
        return store.ask_graph(HOLDS_TERMS(), graph)
    except StoreError:  # a remote store: no handle of its own to read one graph with
        return True


def before_write(store: GraphStore, written: Written) -> Touched:
    """What the write will touch, with what the pieces of derived data must know of those
    articles before it: read before the write runs."""
    touched = touched_by(store, written)
    if touched.stems and not touched.everything:
        touched.before = prepare(store, touched.stems)
    return touched


def after_write(store: GraphStore, touched: Touched, written: Written) -> None:
    """Refresh what derives from the touched articles, as a build does after writing them;
    everything when ``touched.everything``, or when a graph of the user's own holds the
    ontology's terms now."""
    if touched.everything or foreign(store, written):
        recompute(store)
    elif touched.stems:
        refresh(store, Change(touched.stems, before=touched.before))
