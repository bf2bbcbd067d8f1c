"""The SPARQL protocol's rules that need no web framework: evaluating and serialising a user's
query under the row cap, refusing SERVICE, the dataset of an update, and the one JSON error
body every route answers with. `server.direct` (beneath Flask) and `server.sparql` (the Flask
route) both use them; a query worker evaluates `evaluate_query` by name.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from typing import Any

from kg.errors import ForbiddenQuery, InputError, QueryError
from kg.store import GraphStore
from server import formats


def error_body(message: str, status: int) -> bytes:
    """The JSON body of every error answer: {"error": "...", "status": 400}."""
    return json.dumps({"error": message, "status": status}).encode() + b"\n"


def evaluate_query(
    store: GraphStore,
    query: str,
    default_graph: list[str] | None,
    named_graphs: list[str] | None,
    accept: str,
    max_rows: int | None = None,
    base: str | None = None,
) -> tuple[bytes, str, bool]:
    """Evaluate and serialise a user's query in a query worker (evaluation is lazy, so
    serialising is part of the work to time): (body, content type, whether rows were cut).
    Relative IRIs in the query are resolved against ``base``, the endpoint's URL.

    The row cap is applied where it is cheapest: a SELECT with no outer LIMIT within the cap
    is run with `LIMIT cap+1` appended, so pyoxigraph computes no more rows than needed and
    serialises them itself; only when that text does not parse (a trailing VALUES block, a
    larger LIMIT of its own) are the rows cut while Python reads them."""
    if base is not None:
        try:
            return evaluate_query(
                store, f"BASE <{base}>\n{query}", default_graph, named_graphs, accept, max_rows
            )
        except QueryError as exc:
            if not _ERROR_AT.search(exc.message):
                raise
            # the parser counted the BASE line: the client's lines are one less
            raise type(exc)(_ERROR_AT.sub(_line_before, exc.message, count=1)) from None
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


_ERROR_AT = re.compile(r"\berror at (\d+):")


def _line_before(found: re.Match[str]) -> str:
    return f"error at {int(found.group(1)) - 1}:"


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


# At the top level of an update (outside braces, strings, IRIs and comments): the braces and
# the keywords that place a USING clause. A keyword is a whole word, not part of a name.
_UPDATE_TOKENS = re.compile(r"[{}]|(?<![\w:?$.\-])(?:WITH|USING|DELETE|WHERE)(?![\w:\-])", re.I)


def with_dataset(update: str, graphs: list[str], named: list[str]) -> str:
    """``update`` with the protocol's using-graph-uri and using-named-graph-uri as USING and
    USING NAMED clauses of every operation with a WHERE (a `DELETE WHERE {P}` is written out
    as `DELETE {P} USING ... WHERE {P}`, which means the same and takes them). An update with
    a USING or WITH of its own is a 400, as the protocol says."""
    clauses = " ".join([f"USING <{g}>" for g in graphs] + [f"USING NAMED <{g}>" for g in named])
    blanked = _NOT_KEYWORDS.sub(lambda m: " " * len(m.group()), update)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in the text
    depth, previous, opened, shorthand = 0, "", 0, False
    for token in _UPDATE_TOKENS.finditer(blanked):
        word = token.group().upper()
        if word == "{":
            opened = token.start() if depth == 0 else opened
            depth += 1
        elif word == "}":
            depth -= 1
            if depth == 0 and shorthand:  # the end of DELETE WHERE's pattern
                pattern = update[opened : token.end()]
                edits.append((token.end(), token.end(), f" {clauses} WHERE {pattern}"))
                shorthand = False
        elif depth == 0 and word in ("WITH", "USING"):
            raise InputError(
                "using-graph-uri and using-named-graph-uri cannot be combined with a USING "
                f"or WITH clause in the update (it has {word})"
            )
        elif depth == 0 and word == "WHERE":
            shorthand = previous == "DELETE"
            edits.append(
                (token.start(), token.end(), "")
                if shorthand
                else (token.start(), token.start(), f"{clauses} ")
            )
        if depth == 0 or word == "{" and depth == 1:
            previous = word
    for start, end, replacement in reversed(edits):
        update = update[:start] + replacement + update[end:]
    return update
