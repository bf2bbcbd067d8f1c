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
    path: str = "/store",
) -> tuple[int, str, bytes]:
    return answer(server, method, query, body, content_type, token, accept, path)[:3]


def answer(
    server: LiveServer,
    method: str,
    query: str,
    body: bytes | None = None,
    content_type: str | None = None,
    token: str | None = TOKEN,
    accept: str = "text/turtle",
    path: str = "/store",
) -> tuple[int, str, bytes, dict[str, str]]:
    """(status, content type, body, headers) of one request to ``path?query``."""
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = f"{server.url}{path}" + (f"?{query}" if query else "")
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read(), dict(r.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read(), dict(err.headers)


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


def test_the_default_graph_is_put_read_and_deleted(server: LiveServer) -> None:
    assert call(server, "PUT", "default", NOTES.encode(), "text/turtle; charset=utf-8")[0] == 204
    status, kind, body = call(server, "GET", "default", accept="text/turtle; charset=utf-8")
    assert status == 200 and kind == "text/turtle; charset=utf-8" and len(graph_of(body)) == 2
    assert call(server, "POST", "default", MORE.encode(), "application/n-triples")[0] == 204
    assert len(graph_of(call(server, "GET", "default")[2])) == 3
    assert call(server, "DELETE", "default")[0] == 204
    assert len(graph_of(call(server, "GET", "default")[2])) == 0
    assert ask(server, "ASK { ?s ?p ?o }")  # the named graphs are still there


def test_a_graph_named_by_its_own_url(server: LiveServer) -> None:
    own = "/store/notes/1.ttl"
    iri = server.url + own
    assert call(server, "GET", "", path=own)[0] == 404
    assert call(server, "PUT", "", NOTES.encode(), "text/turtle", path=own)[0] == 201
    named = "graph=" + urllib.parse.quote(iri, safe="")
    assert len(graph_of(call(server, "GET", named)[2])) == 2  # the same graph
    status, kind, body, headers = answer(
        server, "HEAD", "", accept="text/turtle; charset=utf-8", path=own
    )
    assert status == 200 and kind.startswith("text/turtle") and body == b""
    assert int(headers["Content-Length"]) > 0  # the length of the GET's body
    status, _, body = call(server, "GET", "graph=x", path=own)
    assert status == 400 and "own URL" in json.loads(body)["error"]
    assert call(server, "DELETE", "", path=own)[0] == 204
    assert call(server, "GET", "", path=own)[0] == 404


def test_a_post_to_the_store_makes_a_new_graph(server: LiveServer) -> None:
    status, _, _, headers = answer(server, "POST", "", NOTES.encode(), "text/turtle")
    location = headers["Location"]
    assert status == 201 and location.startswith(server.url + "/store/")
    assert len(graph_of(call(server, "GET", "", path=location[len(server.url) :])[2])) == 2
    named = "graph=" + urllib.parse.quote(location, safe="")
    assert len(graph_of(call(server, "GET", named)[2])) == 2
    assert call(server, "POST", "", NOTES.encode(), "text/turtle", token=None)[0] == 401


def test_a_multipart_post_adds_each_file(server: LiveServer) -> None:
    boundary = "kg-boundary"
    parts = [("notes.ttl", "text/turtle", NOTES), ("more.nt", "application/n-triples", MORE)]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}"\r\nContent-Type: {kind}\r\n\r\n{text}\r\n'
            for name, kind, text in parts
        )
        + f"--{boundary}--\r\n"
    )
    named = "graph=" + urllib.parse.quote(GRAPH, safe="")
    content_type = f"multipart/form-data; boundary={boundary}"
    assert call(server, "POST", named, body.encode(), content_type)[0] == 201
    assert len(graph_of(call(server, "GET", named)[2])) == 3
    assert call(server, "PUT", named, body.encode(), content_type)[0] == 415  # one document
