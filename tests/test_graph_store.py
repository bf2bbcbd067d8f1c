"""The Graph Store HTTP Protocol at /store on a real server: reads for anyone, writes only
with the update token, each write whole or not at all."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import rdflib
from conftest import LiveServer

TOKEN = "gsp-secret"
GRAPH = "https://example.org/graph/notes"
NOTES = """@prefix ex: <https://example.org/> .
ex:boukamal ex:note "retaken on the 19th" ; ex:checkedBy ex:desk .
"""
MORE = '<https://example.org/boukamal> <https://example.org/note> "contested" .\n'


def call(
    server: LiveServer,
    method: str,
    query: str,
    body: bytes | None = None,
    content_type: str | None = None,
    token: str | None = TOKEN,
    accept: str = "text/turtle",
) -> tuple[int, str, bytes]:
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{server.url}/store?{query}", data=body, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def graph_of(body: bytes) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body.decode(), format="turtle")


def ask(server: LiveServer, query: str) -> bool:
    url = f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())["boolean"]


@pytest.fixture()
def server(seeds_store: Path, tmp_path: Path):
    store = Path(shutil.copytree(seeds_store, tmp_path / "store"))
    live = LiveServer(store, UPDATE_TOKEN=TOKEN)
    yield live
    live.close()


def test_put_get_post_delete_one_graph(server: LiveServer) -> None:
    named = "graph=" + urllib.parse.quote(GRAPH, safe="")
    assert call(server, "GET", named)[0] == 404
    status, _, _ = call(server, "PUT", named, NOTES.encode(), "text/turtle")
    assert status == 201
    status, kind, body = call(server, "GET", named)
    assert status == 200 and kind.startswith("text/turtle")
    expected = rdflib.Graph().parse(data=NOTES, format="turtle")
    assert set(graph_of(body)) == set(expected)
    assert ask(server, f'ASK {{ GRAPH <{GRAPH}> {{ ?s ?p "retaken on the 19th" }} }}')

    assert call(server, "POST", named, MORE.encode(), "application/n-triples")[0] == 204
    assert len(graph_of(call(server, "GET", named)[2])) == 3
    assert call(server, "PUT", named, MORE.encode(), "application/n-triples")[0] == 204
    assert len(graph_of(call(server, "GET", named)[2])) == 1  # replaced, not merged

    assert call(server, "DELETE", named)[0] == 204
    assert call(server, "GET", named)[0] == 404
    assert call(server, "DELETE", named)[0] == 404


def test_writes_need_the_token_and_bad_bodies_change_nothing(server: LiveServer) -> None:
    named = "graph=" + urllib.parse.quote(GRAPH, safe="")
    status, kind, body = call(server, "PUT", named, NOTES.encode(), "text/turtle", token=None)
    assert status == 401 and json.loads(body)["status"] == 401
    assert call(server, "PUT", named, NOTES.encode(), "text/turtle", token="wrong")[0] == 401
    assert call(server, "PUT", named, NOTES.encode(), "text/turtle")[0] == 201
    status, _, body = call(server, "PUT", named, b"ex:broken ex:x", "text/turtle")
    assert status == 400 and "does not parse" in json.loads(body)["error"]
    status, _, body = call(server, "PUT", named, NOTES.encode(), "application/pdf")
    assert status == 415 and "text/turtle" in json.loads(body)["error"]
    assert len(graph_of(call(server, "GET", named)[2])) == 2  # still the first version
    status, _, body = call(server, "GET", "")
    assert status == 400 and "?graph=IRI" in json.loads(body)["error"]


def test_a_server_without_a_token_refuses_every_write(seeds_store: Path) -> None:
    live = LiveServer(seeds_store)
    try:
        named = "graph=" + urllib.parse.quote(GRAPH, safe="")
        for method in ("PUT", "POST", "DELETE"):
            status, _, body = call(live, method, named, NOTES.encode(), "text/turtle")
            assert status == 403 and "read-only" in json.loads(body)["error"]
        article = "https://w3id.org/conflict-kg/id/graph/002_487d43e7e5401dcc"
        status, _, body = call(
            live,
            "GET",
            "graph=" + urllib.parse.quote(article, safe=""),
            accept="application/n-triples",
        )
        assert status == 200 and body.count(b"\n") > 100  # an article's graph, readable
    finally:
        live.close()
