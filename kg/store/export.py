"""Export: the dataset for others, without what the store keeps only to answer fast.

`kg export` writes every article's graph and the entities, with the contradictions among
claims, as TriG, N-Quads, Turtle (the graphs merged) or JSON-LD; not the caches (totals,
listing pages, control readings, claim cards) nor the graph of source files.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import InputError
from kg.store import GraphStore
from kg.vocab import (
    DERIVED_GRAPH,
    ONTOLOGY,
    PAGES_GRAPH,
    PREFIXES,
    SOURCES_GRAPH,
    TERM_PAGES_GRAPH,
    TOTALS_GRAPH,
)

FORMATS = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
}


def internal_graphs() -> set[str]:
    """The graphs the store keeps only to answer fast, or for itself: never exported."""
    return {PAGES_GRAPH, TERM_PAGES_GRAPH, TOTALS_GRAPH, SOURCES_GRAPH}


def exported_quads(store: GraphStore) -> Iterator[ox.Quad]:
    """Every article's graph and the entities, with the contradictions among claims; not the
    caches (totals, listing pages, control readings, claim cards)."""
    internal = internal_graphs()
    contradicts = ox.NamedNode(ONTOLOGY + "contradicts")
    for quad in store.quads():
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if graph in internal or (graph == DERIVED_GRAPH and quad.predicate != contradicts):
            continue
        yield quad


def export(store: GraphStore, out: Path | None, format: str) -> None:
    """Write the dataset to ``out`` (through a temporary file beside it, renamed when whole)
    or to stdout. Turtle holds no named graphs: it gets the triples of every graph merged."""
    if out is not None and not out.parent.is_dir():
        raise InputError(f"--out {out}: there is no folder {out.parent}; create it or pass another")
    if out is None:
        write_export(store, sys.stdout.buffer, format)
        return
    part = out.with_name(out.name + ".part")
    try:
        with part.open("wb") as sink:
            write_export(store, sink, format)
        part.replace(out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise InputError(
            f"--out {out}: cannot be written ({exc.strerror}); pass another path"
        ) from None


def write_export(store: GraphStore, sink: IO[bytes], format: str) -> None:
    quads = exported_quads(store)
    if format == "jsonld":
        sink.write(jsonld(quads).encode())
        return
    if format == "turtle":  # no named graphs: the triples of every graph, merged
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        ox.serialize(triples, sink, format=FORMATS[format], prefixes=export_prefixes())
    else:
        ox.serialize(quads, sink, format=FORMATS[format], prefixes=export_prefixes())


def jsonld(quads: Iterable[ox.Quad]) -> str:
    import rdflib

    dataset = rdflib.Dataset()
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    dataset.parse(data=lines.decode(), format="nquads")
    return dataset.serialize(format="json-ld")


def export_prefixes() -> dict[str, str]:
    return dict(PREFIXES)
