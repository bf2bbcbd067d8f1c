"""SPARQL queries at `/sparql`, answered beneath Flask.

A query is the endpoint's hot path: for a light one, the query worker evaluates and serialises
it in about 0.1 ms, while Flask's request context, routing, form parsing and after-request
hooks cost the server process several times that (`bench/throughput.py` prints the server's
CPU time per request). This WSGI middleware answers query requests (GET with `query`, POST
`application/sparql-query`, POST form with `query`) from the WSGI environ and hands them to
the query workers; everything else at `/sparql` (service description, updates, a body over
the size limit or of another type, a missing query) goes on to the Flask route, which calls
`answer` for any query that still reaches it. The protocol rules live in `server.sparql`.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from flask import Flask

from kg.errors import KGError
from server import bounded, cors, db

log = logging.getLogger(__name__)

QUERY_TYPE = "application/sparql-query"
FORM_TYPE = "application/x-www-form-urlencoded"
Request = tuple[str, list[str] | None, list[str] | None]  # query, default graphs, named graphs
Answer = tuple[str, list[tuple[str, str]], bytes]  # status line, headers, body


class DirectQueries:
    """WSGI middleware: `app.wsgi_app = DirectQueries(app)` answers query requests to
    /sparql itself and passes every other request to Flask."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.flask = app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == "/sparql":
            request = query_request(environ, self.app.config.get("MAX_CONTENT_LENGTH"))
            if request is not None:
                status, headers, body = answer(
                    self.app,
                    request,
                    environ.get("HTTP_ACCEPT", ""),
                    cors.headers_for(
                        self.app.config.get("CORS_ORIGINS"),
                        environ.get("HTTP_ORIGIN"),
                        environ["REQUEST_METHOD"],
                    ),
                )
                start_response(status, headers)
                return [body]
        return self.flask(environ, start_response)


def query_request(environ: dict[str, Any], max_length: int | None) -> Request | None:
    """The query and dataset of a plain query request, or None for Flask to handle it. A body
    that is read is put back, so Flask still sees it when the request is not a query."""
    method = environ.get("REQUEST_METHOD")
    url_query = environ.get("QUERY_STRING")
    params = parse_qs(url_query, keep_blank_values=True) if url_query else {}
    if method == "POST":
        body = _body(environ, max_length)
        if body is None:
            return None
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        text = body.decode("utf-8", "replace")
        if mimetype == QUERY_TYPE:
            params["query"] = [text] + params.get("query", [])
        elif mimetype == FORM_TYPE:
            form = parse_qs(text, keep_blank_values=True)
            if "update" in form:
                return None
            for key, values in form.items():  # URL parameters first, as Flask's request.values
                params.setdefault(key, []).extend(values)
        else:
            return None
    elif method != "GET":
        return None
    queries = params.get("query")
    if not queries:
        return None
    return queries[0], params.get("default-graph-uri"), params.get("named-graph-uri")


def _body(environ: dict[str, Any], max_length: int | None) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None  # chunked or malformed: werkzeug knows how to read those
    if length < 0 or (max_length is not None and length > max_length):
        return None  # Flask answers 413 in the one error shape
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def answer(app: Flask, request: Request, accept: str, extra: Iterable[tuple[str, str]]) -> Answer:
    """Evaluate a query (a lookup here, anything else in a worker: `server.bounded`) and give
    the status, headers and body of the answer (or of the error, in the one JSON error shape)."""
    from server.sparql import evaluate_query, refuse_service

    query, default_graph, named_graphs = request
    config: Mapping[str, Any] = app.config
    max_rows = config.get("MAX_ROWS")
    try:
        refuse_service(query, config)
        if default_graph is None and named_graphs is None and bounded.is_lookup(query):
            body, content_type, cut = db.evaluate_here(
                app, evaluate_query, query, None, None, accept, max_rows
            )
        else:
            body, content_type, cut = db.evaluate_in(
                app, evaluate_query, query, default_graph, named_graphs, accept, max_rows
            )
    except KGError as exc:
        return error(exc.message, exc.status, extra)
    except Exception as exc:  # the same answer Flask's handler gives, without its context
        log.exception("Unhandled error")
        return error(f"Internal error: {type(exc).__name__}: {exc}", 500, extra)
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra]
    if cut:  # the client is told, in a header every SPARQL client ignores safely
        headers.append(("X-KG-Truncated", f"results cut at {max_rows} rows"))
    return "200 OK", headers, body


def error(message: str, status: int, extra: Iterable[tuple[str, str]] = ()) -> Answer:
    body = json.dumps({"error": message, "status": status}).encode() + b"\n"
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *extra]
    return f"{status} {HTTPStatus(status).phrase}", headers, body
