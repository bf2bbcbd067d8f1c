"""A store on any SPARQL 1.1 server: the embedded store's interface over HTTP.

`kg.store.open_store` gives one for a location ``sparql+http(s)://HOST:PORT/PATH``; builds,
questions and listings then run against that server as against the folder on disk.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, QueryError, StoreError
from kg.store.sparql import (
    Term,
    by_graph,
    dataset_params,
    drop_and_insert,
    replace_graph_update,
    replace_graphs_update,
    some,
    with_values,
)
from kg.vocab import sparql_prefixes

RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


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
