"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol, so tools can read and write one graph
as a whole document: `?graph=IRI`, `?default` for the store's own default graph, or a graph
named by its own URL under `/store/` (`/store/person/1.ttl` is the graph
`http://HOST/store/person/1.ttl`, the URL as the client addressed it).

GET and HEAD read, for anyone who may query; PUT (replace), POST (add; a multipart/form-data
body adds each of its files) and DELETE (drop) need the server's update token, like SPARQL
Update, and are each one update, so one transaction: readers see the graph before or after,
never half of it; the data derived from the graph is current when the write answers
(`server.writes`). A POST to `/store` itself makes a new graph under `/store/` and answers 201
with its IRI in `Location`. The body is parsed before the store is opened for writing, so a
malformed document changes nothing. Note that `/sparql`'s default graph is the union of all
graphs, while `?default` here is the store's own default graph (our builds write only named
graphs).
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from kg.errors import GraphNotFound, InputError, UnsupportedMediaType
from kg.store import GraphStore, insert_data, load
from kg.store.sparql import drop_graph
from kg.store.updates import Written
from server import db, formats
from server.sparql import refuse_update
from server.writes import apply_update

bp = Blueprint("graph_store", __name__)
DELETE = load("server", "graph_store_delete")
DELETE_DEFAULT = load("server", "graph_store_delete_default")
DROP_DEFAULT = load("kg.store", "drop_default_graph")
CREATE_GRAPH = load("kg.store", "create_graph")

READABLE = {  # media types a PUT or POST body may have
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
MULTIPART = "multipart/form-data"
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


@bp.route("/store", methods=METHODS)
@bp.route("/store/<path:name>", methods=METHODS)
def graph_store(name: str | None = None) -> Response:
    if name is None and request.method == "POST" and not _names_a_graph():
        return _create()
    graph = _target(name)
    if request.method in ("GET", "HEAD"):
        accept = formats.accept_types(request.headers.get("Accept", ""))
        body, content_type = db.run(_read, db.get_store(), graph, accept)
        return Response(body, content_type=content_type)  # a HEAD's body is dropped, not its length
    refused = refuse_update()
    if refused is not None:
        return refused
    existed = db.run(_exists, db.get_store(), graph)
    if request.method == "DELETE":
        if not existed:
            raise GraphNotFound(f"No graph {_name(graph)} in the store")
        _write(DELETE_DEFAULT() if graph is None else DELETE(graph=graph), graph)
        return Response(status=204)
    _write(_replace(graph) if request.method == "PUT" else _add(graph), graph)
    return Response(status=204 if existed else 201)


def _create() -> Response:
    """POST to the store itself: the body becomes a new graph, named under `/store/`."""
    refused = refuse_update()
    if refused is not None:
        return refused
    graph = _iri(f"{request.base_url.rstrip('/')}/{uuid.uuid4().hex}")
    _write(_add(graph), graph)
    return Response(status=201, headers={"Location": graph.value})


def _names_a_graph() -> bool:
    return "graph" in request.args or "default" in request.args


def _target(name: str | None) -> ox.NamedNode | None:
    """The graph named by the URL itself (under /store/), by `?graph=IRI`, or None for
    `?default`; exactly one of them."""
    if name is not None:
        if _names_a_graph():
            raise InputError("A graph's own URL names it: send no ?graph or ?default with it")
        return _iri(request.base_url)
    if ("graph" in request.args) == ("default" in request.args):
        raise InputError("Name one graph: `?graph=IRI` or `?default`")
    if "default" in request.args:
        return None
    return _iri(request.args["graph"])


def _iri(value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise InputError(f"graph={value!r} is not an absolute IRI") from None


def _write(update: str, graph: ox.NamedNode | None) -> None:
    """Run the update that writes ``graph`` (None: the default graph), and refresh what
    derives from it."""
    if update:  # a POST of nothing to the default graph writes nothing
        written = Written()
        written.add(None if graph is None else graph.value)
        db.run(apply_update, current_app.config["KG_STORE"], update, None, 5.0, written)
        db.invalidate()


def _replace(graph: ox.NamedNode | None) -> str:
    """PUT: the graph dropped and written anew (an empty body leaves it empty, not absent)."""
    empty = DROP_DEFAULT() if graph is None else drop_graph(graph.value)
    return f"{empty} ;\n{_add(graph)}"


def _add(graph: ox.NamedNode | None) -> str:
    """POST: the body's triples added to the graph, which exists afterwards even if empty."""
    triples = _parse_body(graph)
    create = "" if graph is None else f"{CREATE_GRAPH(graph=graph)} ;\n"
    into = ox.DefaultGraph() if graph is None else graph
    quads = [ox.Quad(t.subject, t.predicate, t.object, into) for t in triples]
    insert = insert_data(quads) if triples else ""
    return f"{create}{insert}"


def _name(graph: ox.NamedNode | None) -> str:
    return "the default graph" if graph is None else str(graph)


def _parse_body(graph: ox.NamedNode | None) -> list[ox.Triple]:
    """The triples of the body; of each file of a multipart/form-data POST, each read as its
    own Content-Type says. Relative IRIs are resolved against the graph's IRI."""
    base = graph.value if graph is not None else request.base_url
    if request.mimetype == MULTIPART and request.method == "POST":
        parts = list(request.files.values())
        if not parts:
            raise InputError(f"The {MULTIPART} body has no file part")
        return [t for part in parts for t in _parse(part.read(), part.mimetype, base)]
    return _parse(request.get_data(), request.mimetype, base)


def _parse(data: bytes, mimetype: str, base: str) -> list[ox.Triple]:
    kind = READABLE.get(mimetype)
    if kind is None:
        raise UnsupportedMediaType(
            f"Cannot read a {mimetype or 'body without Content-Type'}: send one of "
            + ", ".join(READABLE)
            + (f" (or {MULTIPART} with a POST)" if request.method == "POST" else "")
        )
    try:
        return [q.triple for q in ox.parse(data, format=kind, base_iri=base)]
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"The {mimetype} body does not parse: {exc}") from None


def _graph_name(graph: ox.NamedNode | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else graph


def _exists(store: GraphStore, graph: ox.NamedNode | None) -> bool:
    if graph is None:
        return True  # the default graph always exists
    return store.has_graph(graph.value)


def _read(store: GraphStore, graph: ox.NamedNode | None, accept: object) -> tuple[bytes, str]:
    if not _exists(store, graph):
        raise GraphNotFound(f"No graph {_name(graph)} in the store")
    quads = store.graph_quads(_graph_name(graph))
    return formats.render_graph((q.triple for q in quads), accept)  # type: ignore[arg-type]
