"""`GraphStore`: every call the build, the derived data, the questions and the server make on a
store. Two backends answer it: `kg.store.embedded.Store` (pyoxigraph on disk or in memory) and
`kg.store.remote.RemoteStore` (any SPARQL 1.1 server over HTTP); `open_store` gives one of them.

What a backend can or cannot do is said by its capability attributes, which callers read
instead of asking which backend they hold:

- ``path``: the store's folder on this machine, or None (in memory, or on a server). The
  files kept beside the data (``journal``), ``disk_bytes`` and ``compact`` need one.
- ``bulk_load``: new graphs given to ``replace_graphs`` are written as files the database takes
  in (not atomic, so a build batches them by quads and keeps a journal); when False, every
  write is one transaction (a remote store: one update request).
- ``read_only``: opened for reading only; every write raises StoreError.

Graphs are named by IRI strings, except in the reads of one graph (``graph_quads``,
``ask_graph``), which also read the store's own default graph and so take a pyoxigraph graph
name. The default graph of ``query`` and ``select`` is the union of all graphs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pyoxigraph as ox

from kg.store.sparql import Term

GraphName = ox.NamedNode | ox.DefaultGraph


@runtime_checkable
class GraphStore(Protocol):
    """A store of named graphs with SPARQL 1.1 Query and Update (see the module's text)."""

    path: Path | None
    read_only: bool
    bulk_load: bool
    recovered: list[str]  # graphs of a bulk load cut short, dropped when the store opened

    # -- writing ---------------------------------------------------------------------------
    def replace_graph(
        self, graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()
    ) -> int:
        """Replace the named graph ``graph`` with ``quads`` and add ``shared`` to the graphs
        they name, in one transaction; returns the number of quads written."""
        ...

    def replace_graphs(self, graphs: list[str], nquads: bytes, minted: bool = False) -> None:
        """Replace ``graphs`` with the quads of ``nquads`` (N-Quads), all or nothing; InputError
        when it is malformed. ``minted``: every IRI in it is kg's own (no check per IRI)."""
        ...

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads to the graphs they name, in one transaction."""
        ...

    def add_in_bulk(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads the fastest way the backend has (with ``bulk_load``: not atomic)."""
        ...

    def load(self, data: bytes, format: ox.RdfFormat, base_iri: str | None = None) -> None:
        """Add an RDF document (TriG, N-Quads, Turtle...: triples go to the default graph), in
        one transaction; InputError when it does not parse."""
        ...

    def drop_graph(self, graph: str) -> None: ...

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update as one transaction, with kg's prefixes declared and relative
        IRIs resolved against ``base_iri``. QueryError when it is malformed or one of its
        operations fails (nothing is written), StoreError when it cannot be written."""
        ...

    def flush(self) -> None: ...

    def compact(self) -> None:
        """Rewrite the store's files for reading (only with a ``path``)."""
        ...

    def disk_bytes(self) -> int:
        """The size of the store's files; 0 without a ``path``."""
        ...

    def journal(self, name: str) -> Path | None:
        """A file of the writer's own in the store's folder; None without one (or read-only)."""
        ...

    # -- reading ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """A SPARQL query; ``bindings`` are bound as RDF terms, never pasted as text. SELECT
        and ASK give pyoxigraph's results; CONSTRUCT and DESCRIBE an iterable of triples."""
        ...

    def select(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term]]:
        """A SELECT query as a list of {variable: term} rows (unbound variables omitted)."""
        ...

    def ask_graph(self, sparql: str, graph: GraphName) -> bool:
        """An ASK query over one graph alone (the store's own default graph included)."""
        ...

    def has_graph(self, graph: str) -> bool:
        """Whether the store holds the named graph ``graph`` (an empty one too)."""
        ...

    def named_graphs(self) -> list[str]: ...

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the named graphs and of the default graph."""
        ...

    def graph_quads(self, graph: GraphName) -> Iterator[ox.Quad]:
        """The quads of one graph (the store's own default graph included)."""
        ...

    def __len__(self) -> int: ...
