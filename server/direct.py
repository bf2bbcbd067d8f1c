"""SPARQL queries at `/sparql`, answered beneath Flask.

A query is the endpoint's hot path: for a light one, the query worker evaluates and serialises
it in about 0.1 ms, while Flask's request context, routing, form parsing and after-request
hooks cost the server process several times that (`bench/throughput.py` prints the server's
CPU time per request). This WSGI middleware answers query requests (GET with `query`, POST
`application/sparql-query`, POST form with `query`) from the WSGI environ and hands them to
the query workers; everything else at `/sparql` (service description, updates, a body over
the size limit or of another type, a missing query, anything the protocol refuses: two
operations, a body not in UTF-8) goes on to the Flask route, which calls `answer` for any query
that still reaches it. The protocol rules live in `server.protocol`.

Every other request passes through here too, and what is left of its body is read before the
answer goes out (`drain`).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Flask
from werkzeug.wsgi import get_current_url

from kg.errors import KGError
from server import bounded, cors, db, params
from server.protocol import error_body, evaluate_query, refuse_service

log = logging.getLogger(__name__)

QUERY_TYPE = "application/sparql-query"
FORM_TYPE = "application/x-www-form-urlencoded"
# query, default graphs, named graphs (as sent: perhaps relative), the endpoint's URL
Request = tuple[str, list[str] | None, list[str] | None, str | None]
DRAIN_LIMIT = 64 * 1024 * 1024  # bytes of an unread request body read before answering
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
        response = self.flask(environ, start_response)
        drain(environ)
        return response


def drain(environ: dict[str, Any]) -> None:
    """Read what is left of a request body the app answered without reading (a 413 for a body
    over the limit, a 401 before the body was looked at), before the answer goes out: a server
    that answers and closes while the client is still sending makes the client's TCP stack see
    a reset, and the client never reads the answer. A body that goes on past DRAIN_LIMIT is
    left unread: its connection closes."""
    if (
        environ.get("CONTENT_LENGTH") in (None, "", "0")
        and "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    ):
        return
    stream, left = environ.get("wsgi.input"), DRAIN_LIMIT
    try:
        while left > 0 and (chunk := stream.read(min(left, 1 << 16))):  # type: ignore[union-attr]
            left -= len(chunk)
    except (OSError, ValueError, AttributeError):
        pass  # the client went away, or there is no stream: nothing to keep open for


def base_iri(environ: dict[str, Any]) -> str | None:
    """The URL the client addressed (scheme, Host header, path; no query string): the base
    IRI of relative IRIs in a query or update at that URL. None when the Host header makes
    no IRI of it. Remembered: werkzeug takes about 9 us to build it, a noticeable share of
    what a light query costs the server process, and clients send the same few."""
    return _base_iri(
        environ.get("wsgi.url_scheme", "http"),
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME", ""),
        environ.get("SERVER_PORT", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
    )


@functools.lru_cache(maxsize=256)
def _base_iri(
    scheme: str, host: str | None, server: str, port: str, root: str, path: str
) -> str | None:
    environ = {"wsgi.url_scheme": scheme, "SERVER_NAME": server, "SERVER_PORT": port}
    environ |= {"SCRIPT_NAME": root, "PATH_INFO": path}
    if host is not None:
        environ["HTTP_HOST"] = host
    try:
        return ox.NamedNode(get_current_url(environ, strip_querystring=True)).value
    except ValueError:
        return None


def query_request(environ: dict[str, Any], max_length: int | None) -> Request | None:
    """The query and dataset of a plain query request, or None for Flask to handle it (and
    refuse it, when it is not one query). A body that is read is put back, so Flask still
    sees it when the request is not a query."""
    method = environ.get("REQUEST_METHOD")
    url_query = environ.get("QUERY_STRING")
    params = parse_qs(url_query, keep_blank_values=True) if url_query else {}
    if method == "POST":
        body = _body(environ, max_length)
        if body is None:
            return None
        mimetype, _, rest = environ.get("CONTENT_TYPE", "").partition(";")
        mimetype = mimetype.strip().lower()
        if mimetype not in (QUERY_TYPE, FORM_TYPE) or not _utf8(rest):
            return None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if mimetype == QUERY_TYPE:
            params.setdefault("query", []).append(text)
        else:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)  # after the URL's, as request.values
    elif method != "GET":
        return None
    queries = params.get("query")
    if not queries or len(queries) > 1 or "update" in params:
        return None
    return (
        queries[0],
        params.get("default-graph-uri"),
        params.get("named-graph-uri"),
        base_iri(environ),
    )


def _utf8(parameters: str) -> bool:
    """Whether a Content-Type's parameters leave the body in UTF-8 (no charset, or UTF-8)."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "').lower() not in UTF8:
            return False
    return True


UTF8 = ("utf-8", "utf8")


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
    query, default_graph, named_graphs, base = request
    config: Mapping[str, Any] = app.config
    max_rows = config.get("MAX_ROWS")
    try:
        refuse_service(query, config)
        if default_graph is None and named_graphs is None and bounded.is_lookup(query):
            body, content_type, cut = db.evaluate_here(
                app, evaluate_query, query, None, None, accept, max_rows, base
            )
        else:
            default_graph, named_graphs = dataset(default_graph, named_graphs, base)
            body, content_type, cut = db.evaluate_in(
                app, evaluate_query, query, default_graph, named_graphs, accept, max_rows, base
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


def dataset(
    default_graph: list[str] | None, named_graphs: list[str] | None, base: str | None
) -> tuple[list[str] | None, list[str] | None]:
    """The dataset of `default-graph-uri` and `named-graph-uri`, resolved against the
    endpoint's URL. Either one replaces the whole dataset, as the protocol says: named graphs
    alone come with an empty default graph, not the union of all graphs (the default graph
    of a request that names no dataset)."""
    default_graph = params.iris("default-graph-uri", default_graph, base)
    named_graphs = params.iris("named-graph-uri", named_graphs, base)
    if named_graphs is not None and default_graph is None:
        default_graph = []
    return default_graph, named_graphs


def error(message: str, status: int, extra: Iterable[tuple[str, str]] = ()) -> Answer:
    body = error_body(message, status)
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *extra]
    return f"{status} {HTTPStatus(status).phrase}", headers, body
