"""`/sparql`: the SPARQL 1.1 Protocol: query by GET, POST form or POST body; update with a token.

One request is one operation: two `query` or `update` parameters, or one of each, are a 400
that runs nothing, and so is an update by GET. A body is UTF-8 (another charset is a 415). The
dataset parameters (`default-graph-uri`, `named-graph-uri`; `using-graph-uri`,
`using-named-graph-uri` for an update, which may then have no USING or WITH of its own) and
relative IRIs in the text are resolved against the endpoint's URL. A query that names no
dataset sees the union of all graphs as its default graph.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, current_app, request

from kg.errors import InputError, UnsupportedMediaType
from server import db, direct, formats, params
from server.description import service_description
from server.errors import error_response
from server.protocol import with_dataset
from server.writes import apply_update

bp = Blueprint("sparql", __name__)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
FORM_TYPE = "application/x-www-form-urlencoded"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """What `server.direct` passed on: updates, the service description, errors about the
    request, and any query it did not take (a chunked body); queries are answered there."""
    kind, text = _operation()
    if kind == "update":
        return _update(text)
    if kind is None:
        if request.method == "GET":
            return _describe()
        raise InputError("Missing SPARQL query: send `query` (form or URL) or a sparql-query body")
    status, headers, body = direct.answer(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        (
            text,
            request.values.getlist("default-graph-uri") or None,
            request.values.getlist("named-graph-uri") or None,
            direct.base_iri(request.environ),
        ),
        request.headers.get("Accept", ""),
        (),  # CORS headers come from the after-request hook
    )
    return Response(body, status=status, headers=headers)


def _operation() -> tuple[str | None, str]:
    """The request's one operation: ("query", text), ("update", text), or (None, "") when it
    has none. Two are a 400, and nothing runs: the protocol allows one per request."""
    queries = request.args.getlist("query")
    updates = request.args.getlist("update")
    if updates:
        raise InputError("An update goes in the body of a POST, never in the URL")
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype not in (FORM_TYPE, QUERY_TYPE, UPDATE_TYPE):
            raise UnsupportedMediaType(
                f"Cannot read a POST body of type {mimetype or '(none)'}: send "
                f"{FORM_TYPE} (query= or update=), {QUERY_TYPE} or {UPDATE_TYPE}"
            )
        text = _utf8_body()
        if mimetype == FORM_TYPE:
            queries += request.form.getlist("query")
            updates += request.form.getlist("update")
        else:
            (queries if mimetype == QUERY_TYPE else updates).append(text)
    found = [("query", q) for q in queries] + [("update", u) for u in updates]
    if len(found) > 1:
        names = ", ".join(kind for kind, _ in found)
        raise InputError(f"One operation a request: this one has {len(found)} ({names})")
    return found[0] if found else (None, "")


def _utf8_body() -> str:
    """The body as text: UTF-8, the one encoding the protocol allows."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in direct.UTF8:
        raise UnsupportedMediaType(f"The body must be UTF-8, not charset={charset}")
    try:
        return request.get_data().decode("utf-8")  # cached: the form is parsed from it
    except UnicodeDecodeError as exc:
        raise InputError(f"The body is not UTF-8: {exc}") from None


def _describe() -> Response:
    updates = bool(current_app.config.get("UPDATE_TOKEN"))
    triples = service_description(request.base_url, updates)
    accept = formats.accept_types(request.headers.get("Accept", ""))
    body, content_type = formats.render_graph(triples, accept)
    return Response(body, content_type=content_type)


def _update(text: str) -> Response:
    refused = refuse_update()
    if refused is not None:
        return refused
    base = direct.base_iri(request.environ)
    graphs = params.iris("using-graph-uri", request.values.getlist("using-graph-uri"), base)
    named = params.iris(
        "using-named-graph-uri", request.values.getlist("using-named-graph-uri"), base
    )
    if graphs or named:
        text = with_dataset(text, graphs or [], named or [])
    db.run(apply_update, current_app.config["KG_STORE"], text, base)
    db.invalidate()
    return Response(status=204)


def refuse_update() -> Response | None:
    token = current_app.config.get("UPDATE_TOKEN")
    if not token:
        return error_response(
            "SPARQL Update is disabled: this endpoint is read-only "
            "(start the server with an update token to enable it)",
            403,
        )
    sent = request.headers.get("Authorization", "")
    if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return error_response(
            "SPARQL Update needs the header `Authorization: Bearer TOKEN` "
            "with the server's update token",
            401,
            {"WWW-Authenticate": 'Bearer realm="sparql-update"'},
        )
    return None
