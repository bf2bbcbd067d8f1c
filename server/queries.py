"""`/api/queries`: the stored queries of `queries/`, listed and run with bound parameters.

A run answers like `/sparql`: SPARQL 1.1 JSON results by default (lossless and read by every
SPARQL client), or XML, CSV, TSV by Accept; CONSTRUCT queries in the RDF formats.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from kg.ask.stored_queries import load_stored_queries, run_stored
from kg.store import Store
from server import db, formats

bp = Blueprint("queries", __name__, url_prefix="/api/queries")


def _directory() -> Path | None:
    folder = current_app.config.get("QUERIES_DIR")
    return Path(folder) if folder else None


@bp.get("")
@bp.get("/")
def list_queries() -> Response:
    queries = load_stored_queries(_directory())
    return jsonify([q.to_dict() for q in queries.values()])


@bp.get("/<name>")
def run_query(name: str) -> Response:
    args = (name, dict(request.args), _directory(), request.headers.get("Accept", ""))
    body, content_type = db.evaluate(_evaluate, *args)
    return Response(body, content_type=content_type)


def _evaluate(
    store: Store, name: str, values: dict[str, str], folder: Path | None, accept: str
) -> tuple[bytes, str]:
    # Runs in a query worker (no request context there); serialising is part of the work.
    return formats.render(run_stored(store, name, values, folder), formats.accept_types(accept))[:2]
