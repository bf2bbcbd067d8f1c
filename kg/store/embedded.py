"""The embedded store: named graphs in pyoxigraph on disk, one graph per article.

The default graph seen by queries is the union of all graphs (the contract), and an article's
graph is replaced in one transaction: a reader sees the old article or the new one, never half
of it. A build writes several articles' graphs per transaction (``replace_graphs``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.store.protocol import GraphName
from kg.store.sparql import Term, drop_graph, replace_graph_update, replace_graphs_update, some
from kg.vocab import PREFIXES

# a bulk load of fewer quads is parsed whole before anything is written, and written as one
# RocksDB ingestion (Oxigraph's batch size); a larger write goes through a transaction
BULK_MAX_QUADS = 1_000_000
PENDING_FILE = "kg-pending-graphs"  # in the store's folder; RocksDB ignores names not its own


def write_durably(path: Path, text: str) -> None:
    """Write ``path`` and make the write, and the file's name, survive a crash."""
    with path.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or Path(".kg") / "store")


def _open_read_only(path: Path, attempts: int = 5) -> ox.Store:
    """A read-only open lists the files in the MANIFEST, then opens them; a writer compacting or
    rotating its log meanwhile deletes some ("Corruption: IO error: No such file", raised as
    RuntimeError, or FileNotFoundError for a log file). Opening again succeeds."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (RuntimeError, FileNotFoundError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _open_when_free(path: Path, wait: float) -> ox.Store:
    """The store at ``path`` read-write, once no other process holds its lock (within ``wait``
    seconds: writes through `kg serve` hold it for milliseconds)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return ox.Store(str(path))
        except OSError as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                if "lock" in str(exc).lower():
                    raise OSError(
                        f"another process is writing it (kg build, or kg serve taking a write); "
                        f"waited {wait:g} s: try again later ({exc})"
                    ) from exc
                raise
            time.sleep(0.05)


class Store:
    """A pyoxigraph store on disk (or in memory when ``path`` is None): a `GraphStore` that
    bulk-loads new graphs when on disk."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        read_only: bool = False,
        wait: float = 10.0,
    ) -> None:
        """``wait``: seconds to wait for another process's write lock (a write through `kg serve`,
        a build) before giving up with a StoreError that says so."""
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._ox = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreError(
                        f"No store at {self.path}: run `kg build` first or pass --store DIR"
                    )
                self._ox = _open_read_only(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._ox = _open_when_free(self.path, wait)
        except (OSError, RuntimeError) as exc:  # RocksDB reports a vanished file as RuntimeError
            raise StoreError(f"Cannot open the store at {self.path}: {exc}") from exc
        self.read_only = read_only
        self.bulk_load = self.path is not None
        self.recovered = self.recover()  # graphs of a bulk load cut short, dropped

    @property
    def oxigraph(self) -> ox.Store:
        """The pyoxigraph handle, for the store package and tests of this backend only: code
        outside `kg.store` calls the `GraphStore` methods, which a remote store answers too."""
        return self._ox

    # -- writing -------------------------------------------------------------------------
    def replace_graph(
        self, graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()
    ) -> int:
        """Replace the whole named graph ``graph`` with ``quads`` (whatever graph they name)
        and add ``shared`` quads to the graphs they name, in one transaction; returns the
        number of quads written."""
        g = ox.NamedNode(graph)
        self._writable()
        try:
            if not self._ox.contains_named_graph(g):
                # a new graph (every article of a first build): one transactional extend, which
                # skips writing and parsing an update's text
                fresh = [ox.Quad(q.subject, q.predicate, q.object, g) for q in quads]
                fresh += shared
                self._ox.extend(fresh)
                return len(fresh)
            update, written = replace_graph_update(graph, quads, shared)
            self._ox.update(update)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"Could not write graph {graph}: {exc}") from exc
        return written

    def replace_graphs(self, graphs: list[str], nquads: bytes, minted: bool = False) -> None:
        """Replace the named graphs ``graphs`` with the quads of ``nquads`` (N-Quads, each quad
        in the graph it names: one of ``graphs``, or a shared graph it adds to), all or nothing.
        Raises InputError if ``nquads`` is malformed (nothing is written). ``minted``: every
        IRI in it was minted by kg (`kg.vocab`, the ontology, Wikidata ids from the data
        files), so the loader need not check each one (pyoxigraph's ``lenient``: 8-15% less
        CPU per quad; SCALING.md); a line that is not N-Quads is still refused."""
        self._writable()
        try:
            if any(self._ox.contains_named_graph(ox.NamedNode(g)) for g in graphs):
                self._ox.update(replace_graphs_update(graphs, nquads))
            elif self.bulk_load and nquads.count(b"\n") < BULK_MAX_QUADS:
                self._bulk_new(graphs, nquads, minted)
            else:
                # one transactional load, parsed in Rust, without Python objects per quad
                self._ox.load(nquads, format=ox.RdfFormat.N_QUADS, lenient=minted)
        except SyntaxError as exc:
            raise InputError(f"Malformed N-Quads for {some(graphs)}: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"Could not write {some(graphs)}: {exc}") from exc

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads to the graphs they name, in one transaction."""
        self._writable()
        try:
            self._ox.extend(quads)
        except OSError as exc:
            raise StoreError(f"Could not write to the store: {exc}") from exc

    def add_in_bulk(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads to the graphs they name as files RocksDB takes in (``bulk_extend``: a
        third of a transaction's CPU, SCALING.md), for a build that compacts the store after
        (each load leaves files that later small writes would otherwise merge). Not atomic:
        what is written this way is marked done afterwards (a version mark), so that a load
        cut short is done again."""
        self._writable()
        try:
            self._ox.bulk_extend(quads)
        except OSError as exc:
            raise StoreError(f"Could not write to the store: {exc}") from exc

    def _bulk_new(self, graphs: list[str], nquads: bytes, minted: bool = False) -> None:
        """Graphs new to the store (every article of a first build), written as sorted files
        that RocksDB takes in (``bulk_load``: about half the CPU of a transactional ``load``,
        which inserts each of a quad's six index keys into a skip list; SCALING.md).

        pyoxigraph does not promise that ``bulk_load`` is atomic, so the graphs are named in
        the store's pending file first: whatever stops the load (an error here, or the process
        killed) leaves them named there, and they are dropped whole, here or at the next open
        for writing (``recover``). Under a million quads, Oxigraph parses all of them before
        writing, and RocksDB takes in the files of all indexes at once."""
        pending = self.journal(PENDING_FILE)
        assert pending is not None  # a store on disk (``bulk_loads``)
        write_durably(pending, "".join(g + "\n" for g in graphs))
        try:
            self._ox.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=minted)
        except BaseException:
            self.recover()  # drops what may have landed, or leaves the file for the next open
            raise
        pending.unlink()

    def journal(self, name: str) -> Path | None:
        """A file of the writer's own in the store's folder (RocksDB ignores names not its
        own): ``PENDING_FILE``, the graphs being bulk-loaded, and the build's journal. None for
        a store in memory or read-only, which keeps none."""
        if self.path is None or self.read_only:
            return None
        return self.path / name

    def recover(self) -> list[str]:
        """Drop the graphs of a bulk load that did not finish (see ``_bulk_new``): each may
        hold part of its quads. Returns their IRIs. Entity descriptions the load added to the
        shared graph stay: they describe entities, whichever article named them."""
        pending = self.journal(PENDING_FILE)
        if pending is None:
            return []
        try:
            graphs = pending.read_text(encoding="utf-8").split()
        except FileNotFoundError:
            return []
        if graphs:
            self._ox.update(" ;\n".join(drop_graph(g) for g in graphs))
            self._ox.flush()
        pending.unlink()
        return graphs

    def drop_graph(self, graph: str) -> None:
        self.update(drop_graph(graph))

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"The store at {self.path} was opened read-only: this does not write")

    def disk_bytes(self) -> int:
        """The size of the store's files (0 in memory): what a compaction rewrites."""
        if self.path is None:
            return 0
        size = 0
        for entry in os.scandir(self.path):
            try:
                size += entry.stat().st_size if entry.is_file() else 0
            except FileNotFoundError:  # removed by a compaction while we looked
                pass
        return size

    def compact(self) -> None:
        """Rewrite the store's files into RocksDB's last level (pyoxigraph ``optimize``).

        What a build leaves is the files of its bulk loads and transactions, overlapping and
        partly merged: RocksDB compacts them in the background while the writer lives, and
        stops when it closes. A reader then searches every one of them on each lookup: the
        queries that read much of the store took 1.2-2.2 times as long at 1M claims
        (SCALING.md). It takes about 75 s for that 9 GB store, on one core."""
        if self.path is not None and not self.read_only:
            self._ox.optimize()

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL Update as one transaction, kg's prefixes declared, relative IRIs
        resolved against ``base_iri``. An operation that fails (CREATE GRAPH of a graph that
        exists, DROP GRAPH of one that does not, both without SILENT) fails the whole update,
        which changes nothing."""
        self._writable()
        try:
            self._ox.update(sparql, base_iri=base_iri, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL update: {exc}") from exc
        except (RuntimeError, ValueError) as exc:  # pyoxigraph's evaluation errors
            raise QueryError(f"The update failed: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"The update could not be written: {exc}") from exc

    def load(self, data: bytes, format: ox.RdfFormat, base_iri: str | None = None) -> None:
        """Add an RDF document in one transaction, parsed in Rust."""
        self._writable()
        try:
            self._ox.load(data, format=format, base_iri=base_iri)
        except SyntaxError as exc:
            raise InputError(f"The {format.name} document does not parse: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"Could not write to the store: {exc}") from exc

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._ox.flush()

    # -- reading -------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a SPARQL query. ``bindings`` are substituted as RDF terms, never as text."""
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        kwargs: dict[str, Any] = {"prefixes": PREFIXES, "substitutions": subs}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._ox.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL query: {exc}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"Query failed: {exc}") from exc

    def select(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term]]:
        """A SELECT query as a list of {variable: term} rows (unbound variables omitted)."""
        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        # each term read once: pyoxigraph decodes it again (a lookup for an IRI or a long
        # literal) on every access
        return [
            {n: term for n, term in zip(names, solution, strict=True) if term is not None}
            for solution in result
        ]

    def ask_graph(self, sparql: str, graph: GraphName) -> bool:
        try:
            return bool(self._ox.query(sparql, default_graph=graph, prefixes=PREFIXES))
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL query: {exc}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"Query failed: {exc}") from exc

    def has_graph(self, graph: str) -> bool:
        return self._ox.contains_named_graph(ox.NamedNode(graph))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._ox.quads_for_pattern(None, None, None, None))

    def graph_quads(self, graph: GraphName) -> Iterator[ox.Quad]:
        return iter(self._ox.quads_for_pattern(None, None, None, graph))

    def __len__(self) -> int:
        return len(self._ox)
