"""Endpoint limits on a real server: result rows are capped (and the client told), request
bodies over the limit get 413 in the API's JSON error shape."""

from __future__ import annotations

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
