"""The JSON API and SPARQL endpoint over the seeds, through a real server and real clients."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from SPARQLWrapper import JSON, SPARQLWrapper

from kg.ask.who_controlled import who_controlled
from kg.store import Store


def get(url: str) -> tuple[int, object]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_who_controlled_route_matches_the_library(seeds_server, seeds_store: Path) -> None:
    query = urllib.parse.urlencode(
        {"place": "Albu Kamal", "date": "2017-11-12", "as_of": "2017-11-10"}
    )
    status, body = get(f"{seeds_server.url}/api/who-controlled?{query}")
    assert status == 200
    expected = who_controlled(
        Store(seeds_store, read_only=True), "Boukamal", dt.date(2017, 11, 12), dt.date(2017, 11, 10)
    )
    assert body == expected
    assert body["controller"]["wikidata"] == "Q113519305"


def test_unknown_place_is_a_json_404(seeds_server) -> None:
    status, body = get(f"{seeds_server.url}/api/who-controlled?place=Atlantis&date=2017-11-12")
    assert status == 404 and body["status"] == 404 and "Atlantis" in body["error"]


def test_claims_route_filters(seeds_server) -> None:
    status, body = get(f"{seeds_server.url}/api/claims?type=control&place=Boukamal")
    assert status == 200 and body
    assert {c["place"]["wikidata"] for c in body} == {"Q152828"}
    status, body = get(f"{seeds_server.url}/api/claims?actor=SOHR&article=001_f70243738f423680")
    assert status == 200 and body
    assert all(
        any(
            e and e["label"] == "Syrian Observatory for Human Rights"
            for e in [c["claimant"], *c["reported_by"]]
        )
        or c["agent"]
        for c in body
    )


def test_stored_who_controlled_query_over_http(seeds_server) -> None:
    params = urllib.parse.urlencode(
        {"place": "https://w3id.org/conflict-kg/id/entity/abu-kamal", "date": "2017-11-12"}
    )
    status, body = get(f"{seeds_server.url}/api/queries/who_controlled?{params}")
    assert status == 200
    first = body["results"]["bindings"][0]
    assert first["controller"]["value"].endswith("/entity/isis")
    assert first["start"]["value"] == "2017-11-11"


def test_sparqlwrapper_agency_and_monitor_chain(seeds_server) -> None:
    client = SPARQLWrapper(f"{seeds_server.url}/sparql")
    client.setReturnFormat(JSON)
    client.setQuery("""
        PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?agency ?monitor WHERE {
          ?claim ckg:reportingStep [ ckg:position 1 ; ckg:reporter ?a ] ,
                                   [ ckg:position 2 ; ckg:reporter ?m ] .
          ?a a ckg:NewsAgency ; rdfs:label ?agency . ?m a ckg:Monitor ; rdfs:label ?monitor .
        }""")
    rows = client.queryAndConvert()["results"]["bindings"]
    pairs = {(r["agency"]["value"], r["monitor"]["value"]) for r in rows}
    assert ("Agence France-Presse", "Syrian Observatory for Human Rights") in pairs
    assert ("Associated Press", "Syrian Observatory for Human Rights") in pairs
