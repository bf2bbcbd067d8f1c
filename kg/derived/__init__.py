"""Derived data: what the store keeps beside the articles' graphs so that questions and listings
stay fast as it grows, each piece refreshed for the articles a write touched.

`DERIVED` lists the pieces in the order they are refreshed; a piece comes after those it reads
(its ``needs``). Every write walks this list: a build (`kg.build`), a SPARQL Update or Graph
GraphStore write through `kg serve` and `kg restore` (`kg.derived.writes`), `kg link --online`
(`kg.ask.links`), `kg refresh`.

    prepare(store, stems)        before the write: what each piece must know of the old state
    refresh(store, change)       after it: each piece for the change's articles, or whole
    recompute(store)             every piece whole, from the articles' graphs
    stale(store)                 the pieces the store lacks in their current shape (one lookup
                                 each: what a reader checks)
    recomputed(store)            a copy of the store's claims in memory with every piece
                                 recomputed, to tell whether each piece `is_current`
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from kg.derived.base import Change, Derived, most_of
from kg.derived.cards import Cards
from kg.derived.contradictions import Contradictions
from kg.derived.control import Control
from kg.derived.paging import DAYS, TERMS
from kg.derived.totals import Totals
from kg.errors import StoreError
from kg.resources import derived_ontology_path
from kg.store import GraphStore, Store

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL = "http://www.w3.org/2002/07/owl#"

CONTROL, CARDS, CONTRADICTIONS, TOTALS = Control(), Cards(), Contradictions(), Totals()
DERIVED: list[Derived] = [CARDS, CONTROL, CONTRADICTIONS, DAYS, TERMS, TOTALS]
GRAPHS = frozenset(piece.graph for piece in DERIVED)

__all__ = [
    "CARDS",
    "CONTRADICTIONS",
    "CONTROL",
    "DERIVED",
    "GRAPHS",
    "TOTALS",
    "Change",
    "Derived",
    "current",
    "prepare",
    "recompute",
    "recomputed",
    "refresh",
    "require",
    "stale",
    "vocabulary",
]


@dataclass
class Refreshed:
    """How one piece was refreshed: whole or not, and in how many seconds."""

    piece: Derived
    whole: bool
    seconds: float


def prepare(store: GraphStore, stems: list[str]) -> dict[str, Any]:
    """What each piece reads before a write replaces these articles' graphs (`Change.before`)."""
    return {piece.name: piece.prepare(store, stems) for piece in DERIVED}


def refresh(
    store: GraphStore, change: Change, lap: Callable[[str], None] | None = None
) -> list[Refreshed]:
    """Every piece refreshed for the change, in the order of `DERIVED`; those that run
    ``beside`` the others on a thread of their own (pyoxigraph lets go of the GIL while it
    evaluates an update or writes, so both cores work). Every piece is recomputed whole when
    the change names no articles or most of the store's. ``lap``: told each piece's name once
    it is done (the build's timings)."""
    change.whole = change.whole or change.stems is None or most_of(store, change.stems)
    done: list[Refreshed] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-derived") as pool:
        beside = [pool.submit(_timed, piece, store, change) for piece in DERIVED if piece.beside]
        for piece in DERIVED:
            if not piece.beside:
                # a piece that reads one recomputed whole is recomputed whole too
                whole = any(r.whole and r.piece.name in piece.needs for r in done)
                done.append(_timed(piece, store, change, whole))
                if lap is not None:
                    lap(piece.name)
        done += [future.result() for future in beside]
    return done


def _timed(piece: Derived, store: GraphStore, change: Change, whole: bool = False) -> Refreshed:
    started = time.perf_counter()
    if whole:
        piece.recompute(store, change)
    else:
        whole = piece.refresh(store, change)
    return Refreshed(piece, whole, time.perf_counter() - started)


def recompute(store: GraphStore) -> None:
    """Every piece whole, from the articles' graphs."""
    refresh(store, Change(whole=True))


def stale(store: GraphStore) -> list[Derived]:
    """The pieces the store lacks in their current shape."""
    return [piece for piece in DERIVED if not piece.marked(store)]


def require(store: GraphStore, piece: Derived) -> None:
    """A StoreError saying what to run when the store lacks this piece in its current shape."""
    if not piece.marked(store):
        raise StoreError(
            f"The store has no {piece.name} of this version: run `kg refresh` (or `kg build`) "
            "to compute them from its claims"
        )


def recomputed(store: GraphStore) -> Store:
    """A store in memory holding this store's graphs but the derived ones, with every piece
    recomputed from them: what the store's derived data must equal to be current."""
    fresh = Store()
    fresh.add_in_bulk(q for q in store.quads() if _graph(q) not in GRAPHS)
    recompute(fresh)
    return fresh


def _graph(quad: ox.Quad) -> str | None:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None


@lru_cache(maxsize=1)
def vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """The properties and classes `ontology/derived.ttl` declares: terms of the derived data,
    never of a claim."""
    declared = ox.parse(path=str(derived_ontology_path()), format=ox.RdfFormat.TURTLE)
    kinds: dict[str, set[str]] = {}
    for t in declared:
        if t.predicate.value == RDF_TYPE and isinstance(t.subject, ox.NamedNode):
            kinds.setdefault(t.object.value, set()).add(t.subject.value)
    properties = kinds.get(OWL + "ObjectProperty", set()) | kinds.get(
        OWL + "DatatypeProperty", set()
    )
    return frozenset(properties), frozenset(kinds.get(OWL + "Class", set()))


def current(store: GraphStore) -> dict[str, bool]:
    """Whether each piece holds what a recompute from the store's claims gives (it costs a
    recompute of everything, in memory)."""
    fresh = recomputed(store)
    return {piece.name: piece.is_current(store, fresh) for piece in DERIVED}
