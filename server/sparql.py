"""`/sparql`: the SPARQL 1.1 Protocol: query by GET, POST form or POST body; update with a token."""

from __future__ import annotations

import functools
import hmac
import os
import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, request

from kg.errors import InputError, QueryError
from kg.serve import apply_update
from kg.store import Store
from server import db, direct, formats
from server.description import service_description
from server.errors import error_response

bp = Blueprint("sparql", __name__)

QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """What `server.direct` passed on: updates, the service description, errors about the
    request, and any query it did not take (a chunked body); queries are answered there."""
    if request.method == "POST" and _is_update():
        return _update()
    query = _query_text()
    if query is None:
        if request.method == "GET":
            return _describe()
        raise InputError("Missing SPARQL query: send `query` (form or URL) or a sparql-query body")
    status, headers, body = direct.answer(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        (
            query,
            request.values.getlist("default-graph-uri") or None,
            request.values.getlist("named-graph-uri") or None,
        ),
        request.headers.get("Accept", ""),
        (),  # CORS headers come from the after-request hook
    )
    return Response(body, status=status, headers=headers)


def evaluate_query(
    store: Store,
    query: str,
    default_graph: list[str] | None,
    named_graphs: list[str] | None,
    accept: str,
    max_rows: int | None = None,
) -> tuple[bytes, str, bool]:
    """Evaluate and serialise a user's query in a query worker (evaluation is lazy, so
    serialising is part of the work to time): (body, content type, whether rows were cut).

    The row cap is applied where it is cheapest: a SELECT with no outer LIMIT within the cap
    is run with `LIMIT cap+1` appended, so pyoxigraph computes no more rows than needed and
    serialises them itself; only when that text does not parse (a trailing VALUES block, a
    larger LIMIT of its own) are the rows cut while Python reads them."""
    types = formats.accept_types(accept)
    over_cap = max_rows is not None and _limit(query) > max_rows
    try:
        if over_cap and _form(query) == "SELECT":
            try:
                limited = store.query(
                    f"{query}\nLIMIT {max_rows + 1}",  # type: ignore[operator]
                    default_graph=default_graph,
                    named_graphs=named_graphs,
                )
            except QueryError:
                pass  # the LIMIT does not fit this text: cut while reading below
            else:
                return formats.render_limited(limited, types, max_rows)  # type: ignore[arg-type]
        result = store.query(query, default_graph=default_graph, named_graphs=named_graphs)
        return formats.render(result, types, max_rows if over_cap else None)
    except OSError as exc:  # raised while the lazy result is read, after store.query returned
        raise QueryError(f"Query failed: {exc}") from None


_FORM = re.compile(r"^\s*(?:(?:BASE|PREFIX\s+[^\s:]*:)\s*)*([A-Za-z]+)")


def _form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue."""
    found = _FORM.match(_NOT_KEYWORDS.sub(" ", query))
    return found.group(1).upper() if found else ""


_OUTER_LIMIT = re.compile(r"\bLIMIT\s+(\d+)(?:\s+OFFSET\s+\d+)?\s*$", re.I)


def _limit(query: str) -> float:
    """The LIMIT of the outer query, if it ends the text (strings and comments blanked, the
    LIMIT of a subquery would be followed by a brace); infinity when there is none. Short
    texts, which clients send again and again, are remembered."""
    return _remembered_limit(query) if len(query) <= 1000 else _find_limit(query)


def _find_limit(query: str) -> float:
    found = _OUTER_LIMIT.search(_NOT_KEYWORDS.sub(" ", query))
    return int(found.group(1)) if found else float("inf")


_remembered_limit = functools.lru_cache(maxsize=512)(_find_limit)

# Strings, IRIs and comments, where the word SERVICE is data, not the keyword.
_NOT_KEYWORDS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_SERVICE = re.compile(r"(?<![?$\w:])SERVICE\b", re.IGNORECASE)


def refuse_service(query: str, config: Mapping[str, Any]) -> None:
    """SERVICE makes this server send HTTP requests wherever the query says, loopback and
    private hosts included; only an operator who sets ALLOW_SERVICE (or KG_ALLOW_SERVICE=1)
    lets the public endpoint do that. Stored queries are the operator's own and may federate."""
    if query.isascii() and "\\" not in query and "service" not in query.lower():
        return  # the common case, decided without the regular expressions below
    allowed = config.get("ALLOW_SERVICE", os.environ.get("KG_ALLOW_SERVICE") == "1")
    text = re.sub(
        r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        query,
    )  # SPARQL escapes
    if not allowed and _SERVICE.search(_NOT_KEYWORDS.sub(" ", text)):
        raise ForbiddenQuery(
            "SERVICE (federated query) is disabled on this endpoint: "
            "the operator can enable it with KG_ALLOW_SERVICE=1"
        )


class ForbiddenQuery(QueryError):
    status = 403


def _query_text() -> str | None:
    if request.method == "POST" and request.mimetype == QUERY_TYPE:
        return request.get_data(as_text=True)
    return request.values.get("query")


def _is_update() -> bool:
    return request.mimetype == UPDATE_TYPE or "update" in request.form


def _describe() -> Response:
    updates = bool(current_app.config.get("UPDATE_TOKEN"))
    triples = service_description(request.base_url, updates)
    body, content_type = formats.render_graph(triples, request.accept_mimetypes)
    return Response(body, content_type=content_type)


def _update() -> Response:
    refused = refuse_update()
    if refused is not None:
        return refused
    text = (
        request.get_data(as_text=True)
        if request.mimetype == UPDATE_TYPE
        else request.form["update"]
    )
    if request.values.getlist("using-graph-uri") or request.values.getlist("using-named-graph-uri"):
        raise InputError(
            "using-graph-uri and using-named-graph-uri are not supported: use USING in the update"
        )
    db.run(apply_update, current_app.config["KG_STORE"], text)
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
