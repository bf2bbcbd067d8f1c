"""Endpoint limits on a real server: result rows are capped (and the client told), request
bodies over the limit get 413 in the API's JSON error shape."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

from conftest import LiveServer

QUERY = "SELECT ?s WHERE { ?s a ?type }"


def post(url: str, body: bytes, content_type: str, accept: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": content_type, "Accept": accept}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_rows_are_capped_and_the_cut_is_announced(seeds_store: Path) -> None:
    server = LiveServer(seeds_store, MAX_ROWS=7)
    try:
        for accept in (
            "application/sparql-results+json",
            "text/csv",
            "text/tab-separated-values",
            "application/sparql-results+xml",
        ):
            status, headers, body = post(
                f"{server.url}/sparql", QUERY.encode(), "application/sparql-query", accept
            )
            assert status == 200 and headers.get("X-KG-Truncated") == "results cut at 7 rows"
            if accept.endswith("json"):
                assert len(json.loads(body)["results"]["bindings"]) == 7
            elif accept in ("text/csv", "text/tab-separated-values"):
                assert len(body.decode().strip().splitlines()) == 8  # header + 7 rows
            else:
                assert body.count(b"<result>") == 7
        small = "SELECT ?a WHERE { ?a a <https://w3id.org/conflict-kg/ontology#Article> }"
        status, headers, body = post(
            f"{server.url}/sparql", small.encode(), "application/sparql-query", "application/json"
        )
        assert "X-KG-Truncated" not in headers and len(json.loads(body)["results"]["bindings"]) == 5
    finally:
        server.close()


def test_oversized_requests_get_413(seeds_store: Path) -> None:
    server = LiveServer(seeds_store, MAX_CONTENT_LENGTH=4096)
    try:
        padded = QUERY + " #" + "x" * 10_000
        status, _, body = post(
            f"{server.url}/sparql", padded.encode(), "application/sparql-query", "application/json"
        )
        assert status == 413
        assert json.loads(body)["status"] == 413
        form = urllib.parse.urlencode({"query": padded}).encode()
        status, _, _ = post(
            f"{server.url}/sparql", form, "application/x-www-form-urlencoded", "application/json"
        )
        assert status == 413
    finally:
        server.close()


ORDERED = "SELECT ?s ?type WHERE { ?s a ?type } ORDER BY ?s ?type"
SHAPES = {  # the cap is appended as a LIMIT where the text allows it, else cut while reading
    "plain": QUERY,
    "comment at the end": QUERY + " # the end, no newline",
    "ordered": ORDERED,
    "offset": ORDERED + " OFFSET 2",
    "own LIMIT over the cap": ORDERED + " LIMIT 100",
    "trailing VALUES": "SELECT ?s ?type WHERE { ?s a ?type } VALUES ?type { ckg:Claim ckg:Event }",
}


def bindings(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def test_every_query_shape_is_capped_to_the_same_rows(seeds_store: Path) -> None:
    server = LiveServer(seeds_store, MAX_ROWS=7)
    url = f"{server.url}/sparql"
    try:
        for name, query in SHAPES.items():
            for accept in ("application/sparql-results+json", "text/tab-separated-values"):
                status, headers, body = post(url, query.encode(), QUERY_TYPE, accept)
                assert status == 200, (name, body)
                assert headers.get("X-KG-Truncated") == "results cut at 7 rows", name
                if accept.endswith("json"):
                    assert len(bindings(body)) == 7, name
                else:
                    assert len(body.decode().splitlines()) == 8, name
        # an ordered query cut by the cap gives the first rows of its order
        _, _, capped = post(url, ORDERED.encode(), QUERY_TYPE, "application/json")
        _, headers, first = post(
            url, (ORDERED + " LIMIT 7").encode(), QUERY_TYPE, "application/json"
        )
        assert "X-KG-Truncated" not in headers
        assert bindings(capped) == bindings(first)
        _, _, skipped = post(url, (ORDERED + " OFFSET 2").encode(), QUERY_TYPE, "application/json")
        _, _, page = post(
            url, (ORDERED + " LIMIT 7 OFFSET 2").encode(), QUERY_TYPE, "application/json"
        )
        assert bindings(skipped) == bindings(page)
    finally:
        server.close()


def test_graphs_and_booleans_are_not_cut(seeds_store: Path) -> None:
    server = LiveServer(seeds_store, MAX_ROWS=7)
    url = f"{server.url}/sparql"
    try:
        construct = "CONSTRUCT { ?s a ?type } WHERE { ?s a ?type }"
        status, headers, body = post(url, construct.encode(), QUERY_TYPE, "application/n-triples")
        assert status == 200 and "X-KG-Truncated" not in headers
        assert len(body.decode().strip().splitlines()) > 7
        status, _, body = post(url, b"ASK { ?s a ckg:Claim }", QUERY_TYPE, "application/json")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        server.close()


QUERY_TYPE = "application/sparql-query"


def test_the_json_cut_counts_rows_not_braces_in_values() -> None:
    """`render_limited` parses the JSON only when it may hold a row too many; literals that
    contain the row separator `},{` and rows with nothing bound must not fool either way."""
    import pyoxigraph as ox

    from server.formats import accept_types, render_limited

    store = ox.Store()
    tricky = ['"x},{y"', '"},{},{"', "UNDEF", '"plain"', "UNDEF"]
    json_type = accept_types("application/sparql-results+json")
    for values, cap in itertools.product((tricky, ['"a"', "UNDEF", '"b"', '"c"']), range(1, 7)):
        for rows in range(len(values) + 1):
            text = f"SELECT ?v WHERE {{ VALUES ?v {{ {' '.join(values[:rows])} }} }}"
            result = store.query(f"{text} LIMIT {cap + 1}")
            body, _, cut = render_limited(result, json_type, cap)
            bindings = json.loads(body)["results"]["bindings"]
            assert cut == (rows > cap), (cap, rows)
            assert len(bindings) == min(rows, cap), (cap, rows)
