"""`/api/queries`: the stored queries of `queries/`, listed and run with bound parameters.

A run answers like `/sparql`: SPARQL 1.1 JSON results by default (lossless and read by every
SPARQL client), or XML, CSV, TSV by Accept; CONSTRUCT queries in the RDF formats. Places and
actors may be named by any name, alias or Wikidata id. A listing answers up to `limit` rows
(100 by default), read one page of articles an answer from the newest (`kg.ask.listings`);
when rows may remain, a `Link: <...>; rel="next"` header gives the URL of the next ones (the
same query with a `cursor`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from kg.ask.listings import Table
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
    body, content_type, following = db.evaluate(_evaluate, *args)
    response = Response(body, content_type=content_type)
    if following is not None:  # a listing that may have rows left: where they are
        url = f"{request.base_url}?{urlencode({**request.args, 'cursor': following})}"
        response.headers["Link"] = f'<{url}>; rel="next"'
    return response


def _evaluate(
    store: Store, name: str, values: dict[str, str], folder: Path | None, accept: str
) -> tuple[bytes, str, str | None]:
    """The answer's body and type, and for a listing that may have rows left the cursor of
    the next ones. Runs in a query worker (no request context there); serialising is part of
    the work."""
    result = run_stored(store, name, values, folder)
    body, content_type, _ = formats.render(result, formats.accept_types(accept))
    return body, content_type, result.next if isinstance(result, Table) else None
