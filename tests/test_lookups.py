"""Lookups (one triple pattern, few rows: `server.bounded`) are answered in the server process:
the same answer a query worker gives, and while every worker is held by a runaway query."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_cancel import Server, hold_both_workers, pool, sparql

from server.bounded import ROWS, is_lookup

CKG = "https://w3id.org/conflict-kg/ontology#"

LOOKUPS = [
    f"SELECT ?claim ?type WHERE {{ ?claim <{CKG}claimType> ?type }} LIMIT 10",
    "SELECT ?c WHERE { ?c a ckg:Claim } LIMIT 3",
    "PREFIX x: <http://example.org/>\nSELECT * { x:a ?p ?o . } OFFSET 10 LIMIT 990",
    'ASK { ?s rdfs:label "Boukamal"@en }',
    "select $s where { ?s ?p 5 } limit 1",
    'SELECT ?s { ?s ?p "a}b{ . ?x ?y ?z"^^xsd:string } LIMIT 5',
    f"SELECT ?s {{ ?s ?p ?o }} LIMIT {ROWS}",
]
NOT_LOOKUPS = [
    "SELECT ?x { ?x ?p ?x } LIMIT 10",  # rows are the entries with equal terms: a whole scan
    "SELECT ?s { ?s ?p $s } LIMIT 2",  # the same variable under its other sigil
    "ASK { ?x ?p ?x }",
    f"SELECT ?s {{ ?s ?p ?o }} LIMIT {ROWS + 1}",
    f"SELECT ?s {{ ?s ?p ?o }} LIMIT 10 OFFSET {ROWS - 5}",
    f"ASK {{ ?s ?p ?o }} OFFSET {ROWS}",
    "SELECT ?s { ?s ?p ?o }",  # no LIMIT: the row cap, not the query, would bound it
    "SELECT DISTINCT ?p { ?s ?p ?o } LIMIT 10",
    "SELECT ?s { ?s ?p ?o FILTER(?o > 3) } LIMIT 10",
    "SELECT ?s { ?s ?p ?o . ?o ?q ?r } LIMIT 10",
    "SELECT ?s { ?s ?p ?o ; ?q ?r } LIMIT 10",
    "SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 10",
    "SELECT ?s { ?s ?p ?o } GROUP BY ?s LIMIT 1",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o } LIMIT 1",
    "SELECT ?s { ?s ?p ?o } # a comment\n LIMIT 10",
    "SELECT ?s { _:b ?p ?o } LIMIT 3",
    "SELECT ?s { ?s ?p ?o } LIMIT 10 LIMIT 3",
    "SELECT ?s { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
    "SELECT ?s { ?s ckg:a/ckg:b ?o } LIMIT 1",
    "SELECT ?s { ?s ?p ?o } VALUES ?s { <a> } LIMIT 1",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
    "DESCRIBE <http://example.org/a>",
]


@pytest.mark.parametrize("query", LOOKUPS)
def test_lookups_are_recognised(query: str) -> None:
    assert is_lookup(query)


@pytest.mark.parametrize("query", NOT_LOOKUPS)
def test_anything_that_could_read_more_goes_to_a_worker(query: str) -> None:
    assert not is_lookup(query)


@pytest.fixture()
def server(seeds_store: Path):
    live = Server(seeds_store, QUERY_TIMEOUT=2.0, QUERY_WORKERS=2)
    yield live
    live.close()


def test_a_lookup_answers_as_a_worker_would(server: Server) -> None:
    from server.protocol import evaluate_query

    query = f"SELECT ?claim ?type WHERE {{ ?claim <{CKG}claimType> ?type }} LIMIT 10"
    status, body, _ = sparql(server.url, query)
    assert status == 200 and len(body["results"]["bindings"]) == 10
    in_worker, content_type, cut = pool(server).run(
        evaluate_query, query, None, None, "application/json"
    )
    assert content_type == "application/json" and not cut
    assert json.loads(in_worker) == body


def test_lookups_answer_while_every_worker_runs_away(server: Server) -> None:
    threads, runaways = hold_both_workers(server)
    answers = [sparql(server.url, query) for query in LOOKUPS[:2]]
    still_running = all(thread.is_alive() for thread in threads)
    for thread in threads:
        thread.join(30)
    assert still_running  # the lookups did not wait for a worker
    assert [a[0] for a in answers] == [200, 200]
    assert [len(a[1]["results"]["bindings"]) for a in answers] == [10, 3]
    assert max(a[2] for a in answers) < 1.0
    assert sorted(r[0] for r in runaways) == [503, 503]


def test_a_lookup_with_a_dataset_goes_to_a_worker(server: Server) -> None:
    """default-graph-uri makes the pattern a scan of each graph named: a worker's job. With
    both workers held, it waits for one, so it is answered only after the runaway is cut."""
    threads, _ = hold_both_workers(server)
    query = urllib.parse.quote("SELECT ?c WHERE { ?c a ckg:Claim } LIMIT 3")
    status, body, seconds = sparql_get(
        f"{server.url}/sparql?query={query}&default-graph-uri=urn:x-kg:none"
    )
    for thread in threads:
        thread.join(30)
    assert status == 200 and body["results"]["bindings"] == []
    assert seconds > 1.0  # it waited for a worker freed by the time limit


def sparql_get(url: str) -> tuple[int, dict, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read()), time.perf_counter() - started
