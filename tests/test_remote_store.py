"""What only the remote backend has: the seeds built through HTTP into a real SPARQL server
(`oxigraph serve`, conftest's SparqlServer) hold what the embedded build holds and answer the
same, an article rebuilt over HTTP replaces its graph, and the server's errors become kg's.
The tests that run on both backends take the `seeds_on` and `empty_store` fixtures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEEDS, SparqlServer, free_port

from kg.ask.who_controlled import who_controlled
from kg.build import build
from kg.errors import QueryError, StoreError
from kg.store import RemoteStore, Store, with_values
from kg.store.remote import remote_endpoints


@pytest.fixture(scope="module")
def backends(seeds_sparql: SparqlServer, seeds_store: Path) -> dict[str, Store | RemoteStore]:
    return {
        "embedded": Store(seeds_store, read_only=True),
        "remote": RemoteStore(seeds_sparql.location, read_only=True),
    }


def test_backends_give_identical_answers(backends: dict) -> None:
    for day, as_of in [("2017-11-12", None), ("2017-11-12", "2017-11-10"), ("2017-11-05", None)]:
        answers = [
            who_controlled(
                backends[b],
                "Albu Kamal",
                dt.date.fromisoformat(day),
                dt.date.fromisoformat(as_of) if as_of else None,
            )
            for b in ("embedded", "remote")
        ]
        assert answers[0] == answers[1]


def test_same_graphs_and_quads(backends: dict) -> None:
    embedded, remote = backends["embedded"], backends["remote"]
    assert remote.named_graphs() == embedded.named_graphs()
    assert len(remote) == len(embedded)
    assert {str(q) for q in remote.quads()} == {str(q) for q in embedded.quads()}


def test_rebuild_replaces_an_article_atomically(tmp_path: Path) -> None:
    server = SparqlServer(tmp_path / "server")
    try:
        remote = RemoteStore(server.location)
        article = SEEDS / "001_f70243738f423680.txt"
        assert build(remote, [article], workers=1).articles == 1
        before = len(remote)
        report = build(remote, [article], force=True, workers=1)
        assert report.articles == 1 and len(remote) == before
    finally:
        server.close()


def test_bad_query_is_a_query_error(backends: dict) -> None:
    with pytest.raises(QueryError):
        backends["remote"].select("SELECT WHERE {")


def test_unreachable_server_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="Cannot reach"):
        RemoteStore(f"sparql+http://127.0.0.1:{free_port()}").select("ASK {}")


def test_endpoints_and_values_binding() -> None:
    assert remote_endpoints("sparql+http://h:3030/ds") == (
        "http://h:3030/ds/query",
        "http://h:3030/ds/update",
        "http://h:3030/ds/store",
    )
    assert remote_endpoints("sparql+https://h/x?query=/sparql&update=/sparql&store=/gsp") == (
        "https://h/sparql",
        "https://h/sparql",
        "https://h/gsp",
    )
    text = "# a WHERE { in a comment\nSELECT ?x WHERE { ?x ?p ?o }"
    bound = with_values(text, {"x": ox.NamedNode("http://e/a")})
    assert bound.endswith("WHERE {\n  VALUES (?x) { (<http://e/a>) }\n ?x ?p ?o }")
