"""`/api/queries`: the stored queries of `queries/`, listed and run with bound parameters.

A run answers like `/sparql`: SPARQL 1.1 JSON results by default (lossless and read by every
SPARQL client), or XML, CSV, TSV by Accept; CONSTRUCT queries in the RDF formats.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from kg.stored_queries import load_stored_queries, run_stored
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
    store, folder = db.get_store(), _directory()
    values, accept = dict(request.args), request.accept_mimetypes

    def work() -> tuple[bytes, str]:  # in the query thread: no request context there
        return formats.render(run_stored(store, name, values, folder), accept)[:2]

    body, content_type = db.run(work)
    return Response(body, content_type=content_type)
