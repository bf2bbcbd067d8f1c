"""Linking to Wikidata: offline from shipped data, online from a replayed API (no network)."""

from __future__ import annotations

import csv
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from kg.ask.links import run_link_report
from kg.ask.stored_queries import load_stored_queries
from kg.emit.link import (
    Link,
    LinkContext,
    coordinates_for,
    default_natural_earth,
    link_entity,
    link_report,
)
from kg.emit.wikidata import WikidataClient, link_online
from kg.errors import WikidataError
from kg.extract.gazetteer import Entity, Gazetteer
from kg.resources import data_dir
from kg.store import Store
from kg.vocab import BASE, ONTOLOGY, WIKIDATA, entity_iri

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wikidata"
VERIFIED = Path(__file__).resolve().parents[2] / "shared" / "wikidata" / "verified_qids.tsv"


def gazetteer() -> Gazetteer:
    return Gazetteer.from_file(data_dir() / "entities.jsonl")  # fresh: adhoc() mutates it


def ne_rows() -> list[dict[str, str]]:
    with (data_dir() / "natural_earth_places.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# -- offline: verified ids -----------------------------------------------------------------


def verified_qids() -> set[str]:
    if not VERIFIED.is_file():
        pytest.skip("../shared/wikidata/verified_qids.tsv is not here")
    lines = VERIFIED.read_text(encoding="utf-8").splitlines()[1:]
    return {line.split("\t")[1] for line in lines if line.strip()}


def test_data_file_ids_are_all_verified() -> None:
    verified = verified_qids()
    unverified = {e.key: e.wikidata for e in gazetteer().by_key.values() if e.wikidata}
    assert {k: q for k, q in unverified.items() if q not in verified} == {}


def test_verified_entities_keep_exactly_their_id() -> None:
    verified = verified_qids()
    entities = [e for e in gazetteer().by_key.values() if e.wikidata in verified]
    assert len(entities) > 40
    for entity in entities:
        link = link_entity(entity, LinkContext(frozenset({"Syria", "Iraq"})))
        assert link is not None and link.qid == entity.wikidata and link.source == "verified"


def test_verified_place_gets_natural_earth_coordinates() -> None:
    link = link_entity(gazetteer().get("abu-kamal"))  # type: ignore[arg-type]
    assert link is not None and link.qid == "Q152828"
    assert link.lat == pytest.approx(34.45, abs=0.01) and link.lon == pytest.approx(40.92, abs=0.01)
    assert coordinates_for("Q152828") == (link.lat, link.lon)
    assert coordinates_for("Q0") is None


# -- offline: Natural Earth ----------------------------------------------------------------


def syrian_town_only_in_natural_earth() -> dict[str, str]:
    g = gazetteer()
    for row in ne_rows():
        if row["adm0name"] == "Syria" and row["wikidataid"] and g.lookup(row["name"]) is None:
            if len(default_natural_earth().candidates([row["name"]])) == 1:
                return row
    raise AssertionError("no Syrian place outside entities.jsonl in Natural Earth")


def test_adhoc_syrian_town_links_to_natural_earth() -> None:
    row = syrian_town_only_in_natural_earth()
    town = gazetteer().adhoc(row["name"], "Town")
    link = link_entity(town)
    assert link == Link(
        row["wikidataid"],
        float(row["latitude"]),
        float(row["longitude"]),
        "natural-earth",
        row["name"],
    )


def test_matching_ignores_case_and_diacritics() -> None:
    town = gazetteer().adhoc("TARTÛS", "Town")
    link = link_entity(town, LinkContext(frozenset({"Syria"})))
    assert link is not None and link.qid == "Q174916"


def test_ambiguous_name_needs_context() -> None:
    tripoli = gazetteer().adhoc("Tripoli", "City")
    assert link_entity(tripoli) is None
    report = link_report([tripoli])
    assert report.unlinked[0].reason.startswith("ambiguous: ")
    assert "Libya" in report.unlinked[0].reason
    link = link_entity(tripoli, LinkContext(frozenset({"Libya", "Syria"})))
    assert link is not None and link.qid == "Q3579" and link.source == "natural-earth"


def test_context_that_rules_out_every_candidate_leaves_it_unlinked() -> None:
    town = gazetteer().adhoc("Tartus", "Town")
    assert link_entity(town, LinkContext(frozenset({"Iraq"}))) is None


@pytest.mark.parametrize("type_", ["Province", "Country", "Region", "Person", "ArmedGroup"])
def test_non_settlement_types_never_link_through_natural_earth(type_: str) -> None:
    entity = gazetteer().adhoc("Tartus", type_)
    assert link_entity(entity, LinkContext(frozenset({"Syria"}))) is None
    assert link_report([entity]).unlinked[0].reason == "type not linkable"


def test_unknown_name_has_no_candidate() -> None:
    report = link_report([gazetteer().adhoc("Qaryat Nowhere al-Sharqiya", "Village")])
    assert report.linked == [] and report.unlinked[0].reason == "no candidate"


def test_generic_place_named_like_a_country_stays_unlinked() -> None:
    assert link_entity(gazetteer().adhoc("Kuwait", "Place")) is None


def test_context_from_country_names_uses_aliases() -> None:
    context = LinkContext.from_names(["Syria", "United States", "Britain", "Atlantis"])
    assert context.countries == {"Syria", "United States of America", "United Kingdom"}


def test_report_format_lists_sources_and_reasons() -> None:
    g = gazetteer()
    text = link_report([g.get("abu-kamal"), g.adhoc("Tripoli", "City")]).format()  # type: ignore[list-item]
    assert "Abu Kamal [Town] -> Q152828 (verified)" in text
    assert "Tripoli [City]: ambiguous: " in text
    assert text.startswith("Linked: 1") and "Unlinked: 1" in text


# -- report over a store -------------------------------------------------------------------

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
EXACT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")


def entity_quads(graph: ox.NamedNode, key: str, label: str, type_: str, qid: str | None) -> list:
    s = ox.NamedNode(entity_iri(key))
    quads = [
        ox.Quad(s, RDF_TYPE, ox.NamedNode(ONTOLOGY + type_), graph),
        ox.Quad(s, LABEL, ox.Literal(label), graph),
    ]
    if qid:
        quads.append(ox.Quad(s, EXACT, ox.NamedNode(WIKIDATA + qid), graph))
    return quads


def test_run_link_report_reads_the_store() -> None:
    store = Store()
    graph = ox.NamedNode(BASE + "graph/a1")
    quads = [
        *entity_quads(graph, "abu-kamal", "Abu Kamal", "Town", "Q152828"),
        *entity_quads(graph, "libya", "Libya", "Country", None),
        *entity_quads(graph, "x-tripoli", "Tripoli", "City", None),
        *entity_quads(graph, "x-idlib-countryside", "Idlib countryside", "Region", None),
    ]
    store.replace_graph(graph.value, quads)
    text = run_link_report(store)
    assert "Abu Kamal [Town] -> Q152828 (verified)" in text
    assert "Tripoli [City]: no skos:exactMatch in the store, but links now to Q3579" in text
    assert "Idlib countryside [Region]: type not linkable" in text
    assert "Libya [Country]: type not linkable" in text


# -- stored query --------------------------------------------------------------------------


def test_population_query_header_and_parameter() -> None:
    query = load_stored_queries(ROOT / "queries")["place_population_wikidata"]
    assert [(p.name, p.type) for p in query.params] == [("place", "IRI")]
    assert "network" in query.description and "SERVICE" in query.description
    assert "SERVICE <https://query.wikidata.org/sparql>" in query.text
    select = query.text[query.text.index("SELECT") : query.text.index("WHERE")]
    assert "?place" in select
    prepareQuery(query.text)  # parses (rdflib; pyoxigraph would call the SERVICE to check)


# -- online, against a replayed Wikidata API -----------------------------------------------


@dataclass
class Replay:
    url: str
    server: ThreadingHTTPServer
    log: list[tuple[float, dict[str, str], str]] = field(default_factory=list)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fixtures() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]


def unrecorded(params: dict[str, str]) -> dict:
    """What the API answers a search nobody recorded: no hits. Anything else is an error."""
    if params.get("action") == "wbsearchentities":
        return {"searchinfo": {"search": params.get("search")}, "search": [], "success": 1}
    return {"error": {"code": "no-fixture", "info": f"no recorded answer for {params}"}}


def handler_for(replay_log: list, recorded: list[dict]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            replay_log.append((time.monotonic(), params, self.headers.get("User-Agent", "")))
            match = next((f for f in recorded if f["request"].items() <= params.items()), None)
            body = json.dumps(match["response"] if match else unrecorded(params))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def replay() -> Iterator[Replay]:
    log: list = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(log, fixtures()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    r = Replay(f"http://127.0.0.1:{server.server_address[1]}/w/api.php", server, log)
    yield r
    r.stop()


def client(replay: Replay, tmp_path: Path, interval: float = 0.0) -> WikidataClient:
    return WikidataClient(
        base_url=replay.url,
        cache_dir=tmp_path / "cache",
        min_interval=interval,
        user_agent="conflict-kg-tests/0.1 (contact: tests@example.invalid)",
    )


def person(name: str) -> Entity:
    return gazetteer().adhoc(name, "Person")


def test_online_links_the_one_human(replay: Replay, tmp_path: Path) -> None:
    link = link_online(person("Marwa Quellfeld"), client(replay, tmp_path))
    assert link == Link("Q4115189", None, None, "wikidata-api", "Marwa Quellfeld")


def test_online_rejects_a_film_and_a_disambiguation_page(replay: Replay, tmp_path: Path) -> None:
    c = client(replay, tmp_path)
    assert link_online(person("Midnight Convoy"), c) is None
    assert c.requests == 2  # the search, then the candidates' classes


def test_online_only_for_types_with_classes(replay: Replay, tmp_path: Path) -> None:
    c = client(replay, tmp_path)
    assert link_online(gazetteer().adhoc("Marwa Quellfeld", "Monitor"), c) is None
    assert replay.log == []


def test_online_keeps_a_verified_id_without_asking(replay: Replay, tmp_path: Path) -> None:
    assad = gazetteer().get("bashar-al-assad")
    assert assad is not None
    link = link_online(assad, client(replay, tmp_path))
    assert link is not None and link.qid == "Q44329" and link.source == "verified"
    assert replay.log == []


def test_cache_answers_once_the_server_is_gone(replay: Replay, tmp_path: Path) -> None:
    first = link_online(person("Marwa Quellfeld"), client(replay, tmp_path))
    replay.stop()
    offline = client(replay, tmp_path)
    assert link_online(person("Marwa Quellfeld"), offline) == first
    assert offline.requests == 0
    with pytest.raises(WikidataError):
        offline.search("Someone Never Asked")


def test_user_agent_is_sent(replay: Replay, tmp_path: Path) -> None:
    link_online(person("Marwa Quellfeld"), client(replay, tmp_path))
    assert {ua for _, _, ua in replay.log} == {
        "conflict-kg-tests/0.1 (contact: tests@example.invalid)"
    }
    assert [p["action"] for _, p, _ in replay.log] == ["wbsearchentities", "wbgetentities"]


def test_requests_are_spaced_by_the_minimum_interval(replay: Replay, tmp_path: Path) -> None:
    interval = 0.05
    c = client(replay, tmp_path, interval)
    for name in ["a", "b", "c"]:
        c.search(name)
    times = [t for t, _, _ in replay.log]
    assert len(times) == 3 and times == sorted(times)
    assert all(
        later - earlier >= interval * 0.9 for earlier, later in zip(times, times[1:], strict=False)
    )


def test_rate_limit_sleeps_the_remainder(tmp_path: Path) -> None:
    """With a fake clock: the client sleeps what is left of the interval, and no more."""
    now = [100.0]
    slept: list[float] = []
    c = WikidataClient(
        base_url="http://127.0.0.1:9/",
        cache_dir=tmp_path,
        min_interval=1.0,
        clock=lambda: now[0],
        sleep=slept.append,
    )
    c._last = 99.75  # the previous request ended a quarter of a second ago
    c._wait()
    assert slept == [pytest.approx(0.75)]
    c._last = 98.0
    c._wait()
    assert slept == [pytest.approx(0.75)]


def test_kg_link_online_writes_links_the_report_then_shows(replay: Replay, tmp_path: Path) -> None:
    """`kg link --online` against the replayed API: the journalist is linked in the store, the
    film is not, and a rebuild keeps the link."""
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Marwa Quellfeld said the convoy Midnight Convoy was late.\n")
    store = str(tmp_path / "store")
    run = lambda *a: subprocess.run([sys.executable, "-m", "kg.cli", *a, "--store", store],  # noqa: E731
                                    capture_output=True, text=True, timeout=300)
    assert run("build", str(folder)).returncode == 0
    out = run("link", "--online", "--api", replay.url, "--cache", str(tmp_path / "cache"),
              "--min-interval", "0")
    assert out.returncode == 0, out.stderr
    assert "-> Q4115189" in out.stdout
    assert run("build", str(folder), "--force").returncode == 0
    query = ("SELECT ?q WHERE { ?e rdfs:label 'Marwa Quellfeld' ; skos:exactMatch ?q ; "
             "ckg:linkSource 'wikidata-api' }")
    assert "Q4115189" in run("query", query, "--format", "csv").stdout
