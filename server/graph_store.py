"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol, so tools can read and write one graph
as a whole document (`?graph=IRI`, or `?default` for the store's own default graph).

GET and HEAD read, for anyone who may query; PUT (replace), POST (add) and DELETE (drop) need
the server's update token, like SPARQL Update, and are each one update, so one transaction:
readers see the graph before or after, never half of it. The body is parsed before the store
is opened for writing, so a malformed document changes nothing. Note that `/sparql`'s default
graph is the union of all graphs, while `?default` here is the store's own default graph (our
builds write only named graphs).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from kg.errors import InputError, KGError
from kg.serve import apply_update
from kg.store import Store, triple_lines
from server import db, formats
from server.sparql import refuse_update

bp = Blueprint("graph_store", __name__)

READABLE = {  # media types a PUT or POST body may have
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


class GraphNotFound(KGError):
    status = 404


class UnsupportedMediaType(KGError):
    status = 415


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = _target()
    if request.method in ("GET", "HEAD"):
        body, content_type = db.run(_read, db.get_store(), graph, request.accept_mimetypes)
        return Response(b"" if request.method == "HEAD" else body, content_type=content_type)
    refused = refuse_update()
    if refused is not None:
        return refused
    existed = db.run(_exists, db.get_store(), graph)
    if request.method == "DELETE":
        if not existed:
            raise GraphNotFound(f"No graph {_name(graph)} in the store")
        update = f"DROP GRAPH {_ref(graph)}"
    else:
        triples = _parse_body(graph)
        insert = f"INSERT DATA {{ {_block(graph, triples)} }}" if triples else ""
        drop = f"DROP SILENT GRAPH {_ref(graph)} ;" if request.method == "PUT" else ""
        update = f"{drop}\n{insert}" if insert or drop else ""
    if update:
        db.run(apply_update, current_app.config["KG_STORE"], update)
        db.invalidate()
    return Response(status=201 if request.method != "DELETE" and not existed else 204)


def _target() -> ox.NamedNode | None:
    """The graph named by `?graph=IRI`, or None for `?default`; exactly one of them."""
    if ("graph" in request.args) == ("default" in request.args):
        raise InputError("Name one graph: `?graph=IRI` or `?default`")
    if "default" in request.args:
        return None
    try:
        return ox.NamedNode(request.args["graph"])
    except ValueError:
        raise InputError(f"graph={request.args['graph']!r} is not an absolute IRI") from None


def _name(graph: ox.NamedNode | None) -> str:
    return "the default graph" if graph is None else str(graph)


def _ref(graph: ox.NamedNode | None) -> str:
    return "DEFAULT" if graph is None else str(graph)


def _block(graph: ox.NamedNode | None, triples: list[ox.Triple]) -> str:
    lines = triple_lines(triples)
    return lines if graph is None else f"GRAPH {graph} {{\n{lines}\n}}"


def _parse_body(graph: ox.NamedNode | None) -> list[ox.Triple]:
    kind = READABLE.get(request.mimetype)
    if kind is None:
        raise UnsupportedMediaType(
            f"Cannot read a {request.mimetype or 'body without Content-Type'}: send one of "
            + ", ".join(READABLE)
        )
    base = graph.value if graph is not None else request.base_url
    try:
        return [q.triple for q in ox.parse(request.get_data(), format=kind, base_iri=base)]
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"The {request.mimetype} body does not parse: {exc}") from None


def _graph_name(graph: ox.NamedNode | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else graph


def _exists(store: Store, graph: ox.NamedNode | None) -> bool:
    if graph is None:
        return True  # the default graph always exists
    return store.oxigraph.contains_named_graph(graph)


def _read(store: Store, graph: ox.NamedNode | None, accept: object) -> tuple[bytes, str]:
    if not _exists(store, graph):
        raise GraphNotFound(f"No graph {_name(graph)} in the store")
    quads = store.oxigraph.quads_for_pattern(None, None, None, _graph_name(graph))
    return formats.render_graph((q.triple for q in quads), accept)  # type: ignore[arg-type]
