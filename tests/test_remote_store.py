"""The same store interface over a real SPARQL server: `oxigraph serve` on a loopback port.

The seeds are built into an embedded store and into the server; who-controlled must give the
same answers from both. Skips when the `oxigraph` server binary (PyPI `oxigraph`) is absent.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEEDS

from kg.ask.who_controlled import who_controlled
from kg.build import build
from kg.errors import QueryError, StoreError
from kg.store import RemoteStore, Store, open_store, with_values
from kg.store.remote import remote_endpoints


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip(f"oxigraph serve exited with {process.returncode}")
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    pytest.skip("oxigraph serve did not answer within 15 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("no `oxigraph` server binary: pip install oxigraph")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process)
        yield f"sparql+http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def backends(server: str, seeds_store: Path) -> dict[str, Store | RemoteStore]:
    remote = open_store(server)
    report = build(remote, [SEEDS], workers=1)
    assert report.ok and report.articles == 5, report.rejected
    return {"embedded": Store(seeds_store, read_only=True), "remote": remote}


@pytest.mark.parametrize("backend", ["embedded", "remote"])
@pytest.mark.parametrize(
    ("day", "qid", "since"),
    [
        ("2017-11-10", "Q113519305", "2017-11-09"),
        ("2017-11-12", "Q2429253", "2017-11-11"),
        ("2017-11-21", "Q113519305", "2017-11-19"),
    ],
)
def test_who_controlled_on_both_backends(
    backends: dict, backend: str, day: str, qid: str, since: str
) -> None:
    answer = who_controlled(backends[backend], "Boukamal", dt.date.fromisoformat(day))
    assert answer["controller"]["wikidata"] == qid
    assert answer["since"] == since


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


def test_rebuild_replaces_an_article_atomically(backends: dict) -> None:
    remote = backends["remote"]
    before = len(remote)
    report = build(remote, [SEEDS / "001_f70243738f423680.txt"], force=True, workers=1)
    assert report.articles == 1 and len(remote) == before


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
    )
    assert remote_endpoints("sparql+https://h/x?query=/sparql&update=/sparql") == (
        "https://h/sparql",
        "https://h/sparql",
    )
    text = "# a WHERE { in a comment\nSELECT ?x WHERE { ?x ?p ?o }"
    bound = with_values(text, {"x": ox.NamedNode("http://e/a")})
    assert bound.endswith("WHERE {\n  VALUES (?x) { (<http://e/a>) }\n ?x ?p ?o }")
