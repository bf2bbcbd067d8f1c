"""The store: named graphs in pyoxigraph on disk, one graph per article.

The default graph seen by queries is the union of all graphs (the contract), and an article's
graph is replaced in one transaction: a reader sees the old article or the new one, never half
of it. A build writes several articles' graphs per transaction (``replace_graphs``).
"""

from __future__ import annotations

import os
import re
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.vocab import PREFIXES, XSD_INTEGER, sparql_prefixes

Term = ox.NamedNode | ox.BlankNode | ox.Literal


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


def triple_lines(triples: Iterable[Any]) -> str:
    """Triples (or quads, their graph left out) as the lines of an INSERT DATA block."""
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


def values(var: str, iris: Iterable[str]) -> str:
    """A VALUES block of IRIs (serialised by pyoxigraph) that the planner starts from."""
    block = " ".join(str(ox.NamedNode(i)) for i in iris) or "<urn:kg:none>"
    return f"VALUES ?{var} {{ {block} }}"


@dataclass(frozen=True)
class VersionMark:
    """The shape of the derived data a graph holds: ``<graph> <predicate> N`` in the graph
    itself, written last when that data is computed whole. A build on a store without the
    current mark computes it whole."""

    graph: str
    predicate: str
    version: int

    @property
    def quad(self) -> ox.Quad:
        g = ox.NamedNode(self.graph)
        number = ox.Literal(str(self.version), datatype=XSD_INTEGER)
        return ox.Quad(g, ox.NamedNode(self.predicate), number, g)

    def insert(self) -> str:
        """The SPARQL update that writes the mark."""
        return f"INSERT DATA {{ GRAPH <{self.graph}> {{ {triple_lines([self.quad])} }} }}"

    def holds(self, store: Any) -> bool:
        """Whether ``store`` (a Store or a RemoteStore) has the mark of this version."""
        g, p = f"<{self.graph}>", f"<{self.predicate}>"
        rows = store.select(f"SELECT ?version WHERE {{ GRAPH {g} {{ {g} {p} ?version }} }}")
        return any(r["version"].value == str(self.version) for r in rows)


def replace_graph_update(
    graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()
) -> tuple[str, int]:
    """One SPARQL update that drops ``graph`` and inserts ``quads`` into it (whatever graph
    they name) and ``shared`` into the graphs they name; and the number of quads."""
    blocks: dict[str, list[Any]] = {str(ox.NamedNode(graph)): list(quads)}
    for name, found in by_graph(shared).items():  # shared quads keep the graph they name
        blocks.setdefault(name, []).extend(found)
    return drop_and_insert([graph], blocks), sum(map(len, blocks.values()))


def by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """Quads by the graph they name (serialised), in order."""
    blocks: dict[str, list[ox.Quad]] = {}
    for q in quads:
        blocks.setdefault(str(q.graph_name), []).append(q)
    return blocks


def replace_graphs_update(graphs: list[str], nquads: bytes) -> str:
    """One SPARQL update that drops ``graphs`` and inserts the quads of ``nquads`` (N-Quads)
    into the graphs they name."""
    return drop_and_insert(graphs, by_graph(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))


def drop_and_insert(graphs: list[str], blocks: Mapping[str, list[Any]]) -> str:
    """Drop ``graphs``, then insert each block's triples into the graph it is keyed by."""
    drops = "".join(f"DROP SILENT GRAPH <{graph}> ;\n" for graph in graphs)
    body = "\n".join(
        f"GRAPH {name} {{\n{triple_lines(found)}\n}}" for name, found in blocks.items()
    )
    return f"{drops}INSERT DATA {{\n{body}\n}}"


def some(graphs: list[str]) -> str:
    """Graphs named in a message: the first, and how many more."""
    more = f" and {len(graphs) - 1} more" if len(graphs) > 1 else ""
    return f"graph {graphs[0]}{more}"


def open_store(location: str | os.PathLike[str], read_only: bool = False) -> Any:
    """A Store for a folder, or a RemoteStore for ``sparql+http(s)://HOST:PORT/PATH``."""
    if str(location).startswith(("sparql+http://", "sparql+https://")):
        return RemoteStore(str(location))
    return Store(location, read_only=read_only)


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
    """A pyoxigraph store on disk (or in memory when ``path`` is None)."""

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
        self.recovered = self.recover()  # graphs of a bulk load cut short, dropped

    @property
    def oxigraph(self) -> ox.Store:
        return self._ox

    # -- writing -------------------------------------------------------------------------
    def replace_graph(
        self, graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()
    ) -> int:
        """Replace the whole named graph ``graph`` with ``quads`` (whatever graph they name)
        and add ``shared`` quads to the graphs they name, in one transaction; returns the
        number of quads written."""
        g = ox.NamedNode(graph)
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
        try:
            if any(self._ox.contains_named_graph(ox.NamedNode(g)) for g in graphs):
                self._ox.update(replace_graphs_update(graphs, nquads))
            elif self.path is not None and nquads.count(b"\n") < BULK_MAX_QUADS:
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
        try:
            self._ox.bulk_extend(quads)
        except OSError as exc:
            raise StoreError(f"Could not write to the store: {exc}") from exc

    def bulk_loads(self, graph: str) -> bool:
        """Whether ``replace_graphs`` would bulk-load ``graph``: new, in a store on disk."""
        return self.path is not None and not self._ox.contains_named_graph(ox.NamedNode(graph))

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
            self._ox.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs))
            self._ox.flush()
        pending.unlink()
        return graphs

    def drop_graph(self, graph: str) -> None:
        self._ox.update(f"DROP SILENT GRAPH <{graph}>")

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

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update as one transaction."""
        try:
            self._ox.update(sparql)
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"Update failed: {exc}") from exc

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
        except (OSError, ValueError) as exc:
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

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._ox.quads_for_pattern(None, None, None, None))

    def __len__(self) -> int:
        return len(self._ox)

    def dump(self, output: Any, format: ox.RdfFormat) -> None:
        self._ox.dump(output, format=format)


# -- a remote SPARQL server ----------------------------------------------------------------------
_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.M)
_WHERE = re.compile(r"\bWHERE\s*\{", re.I)
RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


def with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Bind parameters as RDF terms for a server without substitutions: a one-row VALUES
    block opens the WHERE group, so every pattern and filter of the group sees the terms."""
    if not bindings:
        return sparql
    blanked = _COMMENT_LINE.sub(lambda m: " " * len(m.group()), sparql)
    found = _WHERE.search(blanked)
    at = found.end() if found else blanked.index("{") + 1
    names = " ".join(f"?{k}" for k in bindings)
    row = " ".join(str(v) for v in bindings.values())
    return f"{sparql[:at]}\n  VALUES ({names}) {{ ({row}) }}\n{sparql[at:]}"


def remote_endpoints(url: str) -> tuple[str, str]:
    """(query URL, update URL) of ``sparql+http://HOST:PORT/PATH[?query=P&update=P]``.

    By default PATH/query and PATH/update (Oxigraph: /query, /update; Fuseki: /DS/query,
    /DS/update); servers with one endpoint name it: ``?query=/sparql&update=/sparql``."""
    parts = urllib.parse.urlsplit(url.removeprefix("sparql+"))
    options = dict(urllib.parse.parse_qsl(parts.query))
    root = f"{parts.scheme}://{parts.netloc}"
    base = parts.path.rstrip("/")
    return (
        root + options.get("query", base + "/query"),
        root + options.get("update", base + "/update"),
    )


class RemoteStore:
    """The Store interface over SPARQL 1.1 Query and Update on HTTP, for any SPARQL server.

    The server must make its default graph the union of the named graphs (Oxigraph:
    ``oxigraph serve --union-default-graph``; see SCALING.md for Fuseki, QLever, Virtuoso).
    Each ``replace_graph`` is one update request, which the server runs as one transaction.
    """

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url
        self.query_url, self.update_url = remote_endpoints(url)
        self.timeout = timeout
        self.path = None
        self.read_only = False
        self.recovered: list[str] = []  # no bulk loads here, none cut short

    @property
    def oxigraph(self) -> ox.Store:
        raise StoreError(f"{self.url} is a remote store: this command needs a store folder")

    # -- HTTP ------------------------------------------------------------------------------
    def _post(
        self, url: str, body: str, content_type: str, accept: str = "*/*"
    ) -> tuple[str, bytes]:
        import urllib.error  # with http.client and email: only a remote store needs them
        import urllib.request

        request = urllib.request.Request(
            url,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": content_type, "Accept": accept},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()[:500]
            kind = QueryError if exc.code == 400 else StoreError
            raise kind(f"The SPARQL server at {url} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(
                f"Cannot reach the SPARQL server at {url} ({exc}): start it or check --store"
            ) from None

    def update(self, sparql: str) -> None:
        self._post(self.update_url, sparql_prefixes() + sparql, "application/sparql-update")

    # -- writing ---------------------------------------------------------------------------
    def replace_graph(
        self, graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()
    ) -> int:
        update, written = replace_graph_update(graph, quads, shared)
        self.update(update)
        return written

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads to the graphs they name, in one update request."""
        if blocks := by_graph(quads):
            self.update(drop_and_insert([], blocks))

    def add_in_bulk(self, quads: Iterable[ox.Quad]) -> None:
        """One update request, as ``add``: the server writes as it writes."""
        self.add(quads)

    def bulk_loads(self, graph: str) -> bool:
        """Each write is one update request."""
        return False

    def journal(self, name: str) -> Path | None:
        """None: each update request is whole on the server, which keeps its own files."""
        return None

    def replace_graphs(self, graphs: list[str], nquads: bytes, minted: bool = False) -> None:
        """Replace ``graphs`` with the quads of ``nquads`` (see Store.replace_graphs) in one
        update request (the server checks every IRI, ``minted`` or not)."""
        try:
            update = replace_graphs_update(graphs, nquads)
        except SyntaxError as exc:
            raise InputError(f"Malformed N-Quads for {some(graphs)}: {exc}") from exc
        self.update(update)

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def disk_bytes(self) -> int:
        """Unknown here: the server keeps its files."""
        return 0

    def compact(self) -> None:
        """The server compacts its own store."""

    def flush(self) -> None:
        """Each update is committed by the server when it answers."""

    # -- reading ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a query on the server; SELECT/ASK give pyoxigraph's result objects, CONSTRUCT
        and DESCRIBE a list of triples."""
        text = sparql_prefixes() + with_values(sparql, bindings or {})
        url = self.query_url + dataset_params(default_graph, named_graphs)
        kind, body = self._post(url, text, "application/sparql-query", RESULTS_ACCEPT)
        try:
            if kind == "application/n-triples":
                return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"The SPARQL server at {url} sent an unreadable answer: {exc}"
            ) from exc

    def select(
        self, sparql: str, bindings: Mapping[str, Term] | None = None
    ) -> list[dict[str, Term]]:
        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]

    def named_graphs(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(r["g"].value for r in rows if isinstance(r.get("g"), ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        rows = self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[arg-type]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value)

    def dump(self, output: Any, format: ox.RdfFormat) -> None:
        ox.serialize(self.quads(), output, format=format)


def dataset_params(default_graph: list[str] | None, named_graphs: list[str] | None) -> str:
    pairs = [("default-graph-uri", g) for g in default_graph or []]
    pairs += [("named-graph-uri", g) for g in named_graphs or []]
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""
