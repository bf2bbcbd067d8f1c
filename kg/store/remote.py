"""A store on any SPARQL 1.1 server: the `GraphStore` calls over HTTP.

`kg.store.open_store` gives one for a location ``sparql+http(s)://HOST:PORT/PATH``; builds,
questions and listings then run against that server as against the folder on disk. Queries
and updates go through the SPARQL 1.1 Protocol; the store's own default graph, which a server
whose query default graph is the union of the named graphs cannot show by a query, is read
through the Graph Store HTTP Protocol.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.store.protocol import GraphName
from kg.store.queries import load
from kg.store.sparql import (
    Term,
    by_graph,
    dataset_params,
    drop_and_insert,
    drop_graph,
    replace_graph_update,
    replace_graphs_update,
    some,
    with_values,
)
from kg.vocab import PREFIXES, sparql_prefixes

HAS_GRAPH, NAMED_GRAPHS = load("kg.store", "has_graph"), load("kg.store", "named_graphs")
NAMED_QUADS, NAMED_QUAD_COUNT = (
    load("kg.store", "named_quads"),
    load("kg.store", "named_quad_count"),
)
GRAPH_TRIPLES = load("kg.store", "graph_triples")
RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
NTRIPLES = "application/n-triples"


class Endpoints(NamedTuple):
    query: str
    update: str
    store: str  # the Graph Store HTTP Protocol


def remote_endpoints(url: str) -> Endpoints:
    """The endpoints of ``sparql+http://HOST:PORT/PATH[?query=P&update=P&store=P]``.

    By default PATH/query, PATH/update and PATH/store (Oxigraph: /query, /update, /store;
    Fuseki: /DS/query, /DS/update, and ``store=/DS/data``); servers with one endpoint name it:
    ``?query=/sparql&update=/sparql&store=/store``."""
    parts = urllib.parse.urlsplit(url.removeprefix("sparql+"))
    options = dict(urllib.parse.parse_qsl(parts.query))
    root = f"{parts.scheme}://{parts.netloc}"
    base = parts.path.rstrip("/")
    return Endpoints(
        *(root + options.get(name, f"{base}/{name}") for name in ("query", "update", "store"))
    )


class RemoteStore:
    """The `GraphStore` over SPARQL 1.1 Query, Update and Graph Store HTTP, for any server.

    The server must make its default graph the union of the named graphs (Oxigraph:
    ``oxigraph serve --union-default-graph``; see SCALING.md for Fuseki, QLever, Virtuoso).
    Each write is one update request, which the server runs as one transaction: no bulk
    loads, no files of its own on this machine (``path`` is None).
    """

    path: Path | None = None
    bulk_load: bool = False

    def __init__(self, url: str, timeout: float = 60.0, read_only: bool = False) -> None:
        self.url = url
        self.endpoints = remote_endpoints(url)
        self.timeout = timeout
        self.read_only = read_only
        self.recovered: list[str] = []  # no bulk loads here, none cut short

    # -- HTTP ------------------------------------------------------------------------------
    def _request(
        self, url: str, body: str | None, kind: str = "", accept: str = "*/*"
    ) -> tuple[str, bytes]:
        """POST ``body`` of media type ``kind`` (GET when None): the answer's type and bytes."""
        import urllib.error  # with http.client and email: only a remote store needs them
        import urllib.request

        headers = {"Accept": accept} if body is None else {"Accept": accept, "Content-Type": kind}
        request = urllib.request.Request(
            url, data=None if body is None else body.encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace").strip()[:500]
            error = QueryError if exc.code == 400 else StoreError
            raise error(f"The SPARQL server at {url} answered {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(
                f"Cannot reach the SPARQL server at {url} ({exc}): start it or check --store"
            ) from None

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        if self.read_only:
            raise StoreError(f"{self.url} was opened read-only: this command does not write")
        base = f"BASE <{base_iri}>\n" if base_iri is not None else ""
        self._request(
            self.endpoints.update, base + sparql_prefixes() + sparql, "application/sparql-update"
        )

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

    def load(self, data: bytes, format: ox.RdfFormat, base_iri: str | None = None) -> None:
        """Parsed here (so a malformed document sends nothing), sent as one update request."""
        try:
            quads = list(ox.parse(data, format=format, base_iri=base_iri))
        except (SyntaxError, ValueError) as exc:
            raise InputError(f"The {format.name} document does not parse: {exc}") from exc
        self.add(quads)

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
        self.update(drop_graph(graph))

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
        url = self.endpoints.query + dataset_params(default_graph, named_graphs)
        kind, body = self._request(url, text, "application/sparql-query", RESULTS_ACCEPT)
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

    def ask_graph(self, sparql: str, graph: GraphName) -> bool:
        """A named graph is the query's dataset (the protocol's default-graph-uri); the
        store's own default graph is read whole and asked here, in memory."""
        if isinstance(graph, ox.NamedNode):
            return bool(self.query(sparql, default_graph=[graph.value]))
        alone = ox.Store()
        alone.extend(self.graph_quads(graph))
        try:
            return bool(alone.query(sparql, prefixes=dict(PREFIXES)))
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL query: {exc}") from exc

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(HAS_GRAPH(graph=graph)))

    def named_graphs(self) -> list[str]:
        rows = self.select(NAMED_GRAPHS())
        return sorted(r["g"].value for r in rows if isinstance(r.get("g"), ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        rows = self.select(NAMED_QUADS())
        named = (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[arg-type]
        yield from named
        yield from self.graph_quads(ox.DefaultGraph())

    def graph_quads(self, graph: GraphName) -> Iterator[ox.Quad]:
        """A named graph by a query; the default graph through the Graph Store protocol."""
        if isinstance(graph, ox.NamedNode):
            rows = self.select(GRAPH_TRIPLES(graph=graph))
            return (ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows)  # type: ignore[arg-type]
        _, body = self._request(self.endpoints.store + "?default", None, accept=NTRIPLES)
        try:
            return iter(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)))
        except SyntaxError as exc:
            raise StoreError(
                f"The Graph Store at {self.endpoints.store} sent an unreadable graph: {exc}"
            ) from exc

    def __len__(self) -> int:
        rows = self.select(NAMED_QUAD_COUNT())
        return int(rows[0]["n"].value) + sum(1 for _ in self.graph_quads(ox.DefaultGraph()))
