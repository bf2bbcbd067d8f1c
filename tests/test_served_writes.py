"""Writes through `/sparql` and `/store` under `kg serve` as shipped: several server processes
forked by granian. A store opened in the parent before the fork once made every write wait
forever inside RocksDB and keep the write lock, so each later write answered 503."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, KgServe

TOKEN = "secret"


def send(
    url: str, method: str, body: bytes = b"", content_type: str = "", timeout: float = 30
) -> tuple[int, float, bytes]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, time.monotonic() - started, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, time.monotonic() - started, exc.read()


def update(server: KgServe, text: str) -> tuple[int, float, bytes]:
    return send(server.sparql, "POST", text.encode(), "application/sparql-update")


def ask(server: KgServe, query: str) -> bool:
    url = server.sparql + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return b"true" in response.read()


@pytest.fixture()
def served(seeds_store: Path, tmp_path: Path) -> Iterator[KgServe]:
    store = Path(shutil.copytree(seeds_store, tmp_path / "store"))
    server = KgServe(store, "--update-token", TOKEN, "--http-workers", "2")
    yield server
    server.close()


def test_a_hundred_writes_answer_while_four_clients_read(served: KgServe) -> None:
    stop = threading.Event()
    reads: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            url = (
                served.sparql
                + "?"
                + urllib.parse.urlencode(
                    {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
                )
            )
            with urllib.request.urlopen(url, timeout=30) as response:
                reads.append(response.status)

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        answers = [
            update(served, f"INSERT DATA {{ GRAPH <urn:w> {{ <urn:s> <urn:p> {i} }} }}")
            for i in range(100)
        ]
    finally:
        stop.set()
        for thread in readers:
            thread.join(30)
    assert [status for status, _, _ in answers] == [204] * 100
    assert max(seconds for _, seconds, _ in answers) < 1.0
    assert reads and set(reads) == {200}
    assert ask(served, "ASK { GRAPH <urn:w> { <urn:s> <urn:p> 99 } }")


def test_graph_store_writes_answer_and_release_the_lock(served: KgServe) -> None:
    graph = served.url + "/store?" + urllib.parse.urlencode({"graph": "urn:gsp"})
    turtle = b"<urn:a> <urn:b> <urn:c> ."
    for method in ("PUT", "POST", "DELETE", "PUT"):
        status, seconds, body = send(
            graph,
            method,
            turtle if method != "DELETE" else b"",
            "text/turtle" if method != "DELETE" else "",
        )
        assert status in (200, 201, 204), (method, status, body)
        assert seconds < 1.0
    assert ask(served, "ASK { GRAPH <urn:gsp> { <urn:a> <urn:b> <urn:c> } }")
    status, _, _ = update(served, "INSERT DATA { GRAPH <urn:gsp> { <urn:a> <urn:b> <urn:d> } }")
    assert status == 204  # the lock was released by the Graph Store writes


def test_writes_answer_in_their_time_while_kg_build_runs(served: KgServe) -> None:
    """A build holds the store's write lock while it writes: a write then waits for it a few
    seconds, and is told to try again if it is still held. It never hangs, and writes land
    again once the build has finished."""
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "build",
            str(SEEDS),
            "--store",
            str(served.store),
            "--force",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    answers = []
    while build.poll() is None:
        answers.append(update(served, "INSERT DATA { GRAPH <urn:b> { <urn:s> <urn:p> 1 } }"))
    assert build.wait(120) == 0, build.stderr.read()
    for status, seconds, body in answers:
        assert status in (204, 503), body
        assert seconds < 10
        if status == 503:
            assert b"try again" in body
    status, seconds, _ = update(served, "INSERT DATA { GRAPH <urn:b> { <urn:s> <urn:p> 2 } }")
    assert status == 204 and seconds < 1.0
    assert ask(served, "ASK { GRAPH <urn:b> { <urn:s> <urn:p> 2 } }")


ID = "https://w3id.org/conflict-kg/id/"
CKG = "https://w3id.org/conflict-kg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
HANDWRITTEN = f"{ID}claim/handwritten/s0/c0"
# a control claim in the shape a build writes (the seeds' claim that ISIS recaptured Boukamal
# on 2017-11-11), in an article graph of its own: the Syrian army holds it from the 15th
CLAIM_TRIPLES = f"""
  <{ID}article/handwritten> a <{CKG}Article> ; <{CKG}stem> "handwritten" ;
      <{CKG}published> "2017-11-16"^^<{XSD}date> .
  <{HANDWRITTEN}> a <{CKG}Claim> ; <{CKG}claimType> "control" ;
      <{CKG}inArticle> <{ID}article/handwritten> ; <{CKG}about> <{HANDWRITTEN}/event> ;
      <{CKG}sentenceText> "The army took Boukamal back from ISIS on Wednesday." ;
      <{CKG}sentenceIndex> 0 ; <{CKG}hedged> false ; <{CKG}contested> false .
  <{HANDWRITTEN}/event> a <{CKG}ControlChange> ; <{CKG}place> <{ID}entity/abu-kamal> ;
      <{CKG}agent> <{ID}entity/syrian-armed-forces> ; <{CKG}target> <{ID}entity/isis> ;
      <{CKG}controller> <{ID}entity/syrian-armed-forces> ;
      <{CKG}start> "2017-11-15"^^<{XSD}date> ; <{CKG}end> "2017-11-15"^^<{XSD}date> .
"""
GRAPH = f"{ID}graph/handwritten"


def get_json(server: KgServe, path: str, **query: str) -> object:
    url = f"{server.url}{path}?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def controller(server: KgServe, day: str = "2017-11-16") -> tuple[str, list[str]]:
    """Who controlled Boukamal on the day, and the claims of the answer's evidence."""
    answer = get_json(server, "/api/who-controlled", place="Boukamal", date=day)
    assert isinstance(answer, dict)
    return answer["controller"]["iri"], [claim["id"] for claim in answer["evidence"]]


def listed(server: KgServe, **filters: str) -> list[str]:
    claims = get_json(server, "/api/claims", **filters)
    assert isinstance(claims, list)
    return [claim["id"] for claim in claims]


def test_a_control_claim_written_through_sparql_answers_at_once(served: KgServe) -> None:
    """Who-controlled and the listings answer from a claim the moment its update returns,
    and go back when it is deleted: the update refreshes the data derived from its article."""
    assert controller(served)[0] == f"{ID}entity/isis"
    status, _, body = update(served, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {CLAIM_TRIPLES} }} }}")
    assert status == 204, body
    assert controller(served) == (f"{ID}entity/syrian-armed-forces", [HANDWRITTEN])
    assert controller(served, "2017-11-12")[0] == f"{ID}entity/isis"  # before the 15th
    assert listed(served, article="handwritten") == [HANDWRITTEN]
    assert HANDWRITTEN in listed(served, place="Boukamal", type="control")

    status, _, body = update(served, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {CLAIM_TRIPLES} }} }}")
    assert status == 204, body
    assert controller(served)[0] == f"{ID}entity/isis"
    assert HANDWRITTEN not in listed(served, place="Boukamal", type="control")


def test_a_graph_written_through_the_graph_store_answers_at_once(served: KgServe) -> None:
    """The same through `/store`: PUT the article's graph, then DELETE it."""
    url = served.url + "/store?" + urllib.parse.urlencode({"graph": GRAPH})
    status, _, body = send(url, "PUT", CLAIM_TRIPLES.encode(), "text/turtle")
    assert status == 201, body
    assert controller(served) == (f"{ID}entity/syrian-armed-forces", [HANDWRITTEN])
    status, _, body = send(url, "DELETE")
    assert status == 204, body
    assert controller(served)[0] == f"{ID}entity/isis"
    assert HANDWRITTEN not in listed(served, place="Boukamal", type="control")
