"""The stored queries are for people: each runs as it is written at `/sparql` and returns the
rows its title promises, once each and with no IRI of the store's own machinery; places and
actors are named as `kg ask` names them, at `/api/queries/NAME` and with `kg query --param`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, LiveServer

from kg.ask.stored_queries import StoredQuery, load_stored_queries, run_stored
from kg.store import Store
from kg.vocab import BASE

QUERIES = load_stored_queries()
# needs the network and SERVICE, which /sparql refuses unless the operator allows it
FEDERATED = {"place_population_wikidata"}
# where the store keeps its listing pages, totals, graphs and control readings
INTERNAL = re.compile(rf"^{re.escape(BASE)}(page|termpage|total|graph)/|/control/")


def every_row(store: Store, name: str, params: dict[str, str], limit: int = 10_000) -> list:
    """A listing's rows as the API gives them, answer after answer (``limit`` rows each at
    most), following each answer's cursor to the end."""
    found, cursor = [], None
    while True:
        answer = run_stored(
            store, name, {**params, "limit": str(limit)} | ({"cursor": cursor} if cursor else {})
        )
        found += answer.rows
        if answer.next is None:
            return found
        cursor = answer.next


def sparql(server: LiveServer, query: str) -> dict:
    url = server.sparql + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def api(server: LiveServer, name: str, **params: str) -> tuple[int, dict]:
    url = f"{server.url}/api/queries/{name}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def rows(answer: dict) -> list[tuple]:
    names = answer["head"]["vars"]
    return [
        tuple((b.get(n) or {}).get("value") for n in names) for b in answer["results"]["bindings"]
    ]


def examples(query: StoredQuery) -> set[str]:
    """The parameters whose example the text binds in a one-variable VALUES block."""
    return set(re.findall(r"\bVALUES\s+\?(\w+)\s*\{", query.text))


@pytest.mark.parametrize("name", sorted(set(QUERIES) - FEDERATED))
def test_each_stored_query_runs_as_it_is_written(seeds_server: LiveServer, name: str) -> None:
    query = QUERIES[name]
    required = {p.name for p in query.params if p.required}
    optional = {p.name for p in query.params if not p.required}
    assert required <= examples(query), f"{name}: a required parameter without an example"
    assert not optional & examples(query), f"{name}: an optional parameter with an example"
    found = rows(sparql(seeds_server, query.text))
    assert found, f"{name} answers nothing as it is written"
    assert len(found) == len(set(found)), f"{name} repeats rows"
    internal = {v for row in found for v in row if v and INTERNAL.search(v)}
    assert not internal, f"{name}: {sorted(internal)[:3]}"
    assert not re.search(r"kg/|\.py\b|\bpages?\b", query.description), query.description


def test_a_parameter_given_answers_as_the_example_does(seeds_server: LiveServer) -> None:
    """The API with the example's own values gives the rows of the text as it is written."""
    as_written = rows(sparql(seeds_server, QUERIES["who_controlled"].text))
    status, given = api(seeds_server, "who_controlled", place="Boukamal", date="2017-11-12")
    assert status == 200 and rows(given) == as_written
    status, later = api(seeds_server, "who_controlled", place="Boukamal", date="2017-11-20")
    assert status == 200 and len(rows(later)) > len(as_written)  # more claims by then


def test_places_and_actors_by_any_name(seeds_server: LiveServer) -> None:
    iri = f"{BASE}entity/abu-kamal"
    answers = [
        api(seeds_server, "claims_at_place", place=place)
        for place in ("Boukamal", "Albu Kamal", "Q152828", iri)
    ]
    assert all(status == 200 for status, _ in answers)
    first = rows(answers[0][1])
    assert first and all(rows(answer) == first for _, answer in answers)
    status, error = api(seeds_server, "claims_about_actor", actor="Nobody At All")
    assert status == 404 and "No actor called" in error["error"]
    status, by_name = api(seeds_server, "claims_of_actor", actor="ISIS", type="control")
    assert status == 200 and rows(by_name)


def test_kg_query_takes_parameters(seeds_server: LiveServer, seeds_store: Path) -> None:
    def kg_query(*args: str) -> list[dict]:
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli", "query", *args, "--store", str(seeds_store)]
            + ["--format", "json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["results"]["bindings"]

    path = "@" + str(ROOT / "queries" / "claims_at_place.rq")
    by_name = kg_query(path, "--param", "place=Homs", "--param", "type=control")
    status, api_answer = api(seeds_server, "claims_at_place", place="Homs", type="control")
    assert status == 200 and by_name == api_answer["results"]["bindings"]
    assert (
        kg_query(path)
        == sparql(seeds_server, QUERIES["claims_at_place"].text)["results"]["bindings"]
    )  # no parameter: the example
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "query", path, "--param", "nope=1"]
        + ["--store", str(seeds_store)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1 and "Unknown parameter nope" in done.stderr
