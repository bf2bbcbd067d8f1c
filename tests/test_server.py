"""The HTTP endpoint, tested through a real waitress server on a loopback port."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from conftest import LiveServer
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from kg.ask.stored_queries import Param, bind_params, parse_stored_query, to_term
from kg.derived import recompute
from kg.errors import InputError
from kg.store import Store

CKG = "https://w3id.org/conflict-kg/ontology#"
ID = "https://w3id.org/conflict-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
G1, G2 = ID + "graph/a1", ID + "graph/a2"


# -- fixtures ----------------------------------------------------------------------------


def _quad(s: str, p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o)


def _claim(n: int, kind: str, day: str) -> list[ox.Quad]:
    claim, article = f"{ID}claim/a{n}/s0/c0", f"{ID}article/a{n}"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    return [
        _quad(claim, rdf_type, ox.NamedNode(CKG + "Claim")),
        _quad(claim, CKG + "claimType", ox.Literal(kind)),
        _quad(claim, CKG + "inArticle", ox.NamedNode(article)),
        _quad(claim, CKG + "sentenceText", ox.Literal(f"Sentence of article {n}.")),
        _quad(article, rdf_type, ox.NamedNode(CKG + "Article")),
        _quad(article, CKG + "published", ox.Literal(day, datatype=ox.NamedNode(XSD + "date"))),
    ]


def make_store(path: Path) -> Path:
    store = Store(path)
    store.replace_graph(G1, _claim(1, "control", "2017-11-09"))
    store.replace_graph(G2, _claim(2, "attack", "2017-11-13"))
    recompute(store)  # as a build does: the listings read their articles by page
    store.flush()
    del store  # release the read-write handle before the server opens it read-only
    return path


Server = LiveServer  # the shared harness of conftest.py


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(make_store(tmp_path_factory.mktemp("ro") / "store"))
    yield srv
    srv.close()


@pytest.fixture()
def token_server(tmp_path: Path) -> Iterator[Server]:
    srv = Server(make_store(tmp_path / "store"), UPDATE_TOKEN="s3cret")
    yield srv
    srv.close()


def http(
    url: str,
    data: bytes | dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, str, bytes]:
    """(status, content type, body) of one request; HTTP errors are answers too."""
    if isinstance(data, dict):
        data = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def get(base: str, query: str | None = None, accept: str | None = None, **params: str) -> Any:
    if query is not None:
        params["query"] = query
    url = base + ("?" + urllib.parse.urlencode(params) if params else "")
    return http(url, headers={"Accept": accept} if accept else {})


def assert_error(answer: tuple[int, str, bytes], status: int, *words: str) -> dict[str, Any]:
    code, content_type, body = answer
    assert code == status, body
    assert content_type.startswith("application/json")
    payload = json.loads(body)
    assert set(payload) == {"error", "status"} and payload["status"] == status
    for word in words:
        assert word in payload["error"]
    return payload


CLAIMS = "SELECT ?c ?t WHERE { ?c a ckg:Claim ; ckg:claimType ?t } ORDER BY ?t"
GRAPH_Q = "CONSTRUCT { ?c ckg:claimType ?t } WHERE { ?c ckg:claimType ?t }"


# -- SPARQL protocol with SPARQLWrapper and rdflib ---------------------------------------


def wrapper(server: Server, query: str, fmt: str) -> Any:
    sparql = SPARQLWrapper(server.sparql)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql.query().convert()


def test_select_json_sees_the_union_of_all_graphs(server: Server) -> None:
    result = wrapper(server, CLAIMS, JSON)
    assert [b["t"]["value"] for b in result["results"]["bindings"]] == ["attack", "control"]


def test_select_xml_and_csv(server: Server) -> None:
    xml = wrapper(server, CLAIMS, XML)
    assert len(xml.getElementsByTagName("result")) == 2
    rows = list(csv.DictReader(io.StringIO(wrapper(server, CLAIMS, CSV).decode())))
    assert [r["t"] for r in rows] == ["attack", "control"]


def test_ask_and_post(server: Server) -> None:
    assert wrapper(server, "ASK { ?c ckg:claimType 'control' }", JSON)["boolean"] is True
    sparql = SPARQLWrapper(server.sparql)
    sparql.setMethod(POST)
    sparql.setQuery("ASK { ?c ckg:claimType 'nothing' }")
    sparql.setReturnFormat(JSON)
    assert sparql.query().convert()["boolean"] is False


def test_construct_turtle(server: Server) -> None:
    data = wrapper(server, GRAPH_Q, TURTLE)
    graph = rdflib.Graph().parse(data=data, format="turtle")
    assert len(graph) == 2


def test_rdflib_sparqlstore(server: Server) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server.sparql, returnFormat="json"))
    rows = list(graph.query(CLAIMS, initNs={"ckg": CKG}))
    assert sorted(str(r.t) for r in rows) == ["attack", "control"]


# -- SPARQL protocol over raw HTTP -------------------------------------------------------


@pytest.mark.parametrize(
    "accept,content_type",
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_formats_by_accept(server: Server, accept: str | None, content_type: str) -> None:
    status, got, body = get(server.sparql, CLAIMS, accept)
    assert status == 200 and got.startswith(content_type)
    assert b"control" in body


@pytest.mark.parametrize(
    "accept,rdflib_format",
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_by_accept(
    server: Server, accept: str | None, rdflib_format: str
) -> None:
    status, content_type, body = get(server.sparql, GRAPH_Q, accept)
    assert status == 200
    assert content_type.startswith(accept or "text/turtle")
    assert len(rdflib.Graph().parse(data=body, format=rdflib_format)) == 2


def test_describe(server: Server) -> None:
    status, _, body = get(server.sparql, f"DESCRIBE <{ID}claim/a1/s0/c0>", "application/n-triples")
    assert status == 200 and len(rdflib.Graph().parse(data=body, format="nt")) == 4


def test_post_form_and_post_body(server: Server) -> None:
    status, _, body = http(server.sparql, {"query": CLAIMS})
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 2
    headers = {"Content-Type": "application/sparql-query", "Accept": "text/csv"}
    status, content_type, body = http(server.sparql, CLAIMS.encode(), headers)
    assert status == 200 and content_type.startswith("text/csv") and body.count(b"\n") == 3


def test_not_acceptable(server: Server) -> None:
    assert_error(get(server.sparql, CLAIMS, "text/turtle"), 406, "text/turtle", "text/csv")
    assert_error(get(server.sparql, GRAPH_Q, "text/csv"), 406, "text/turtle")


def test_malformed_query_gives_parser_message(server: Server) -> None:
    payload = assert_error(get(server.sparql, "SELEC ?x WHERE {}"), 400, "Malformed SPARQL")
    assert "1:" in payload["error"]  # the parser's position


def test_post_without_query(server: Server) -> None:
    assert_error(http(server.sparql, {"nothing": "here"}), 400, "query")


def test_service_description(server: Server) -> None:
    status, content_type, body = get(server.sparql)
    assert status == 200 and content_type.startswith("text/turtle")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(server.sparql)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert len(list(graph.objects(service, SD.resultFormat))) == 8
    status, content_type, body = get(server.sparql, accept="application/ld+json")
    assert status == 200 and len(rdflib.Graph().parse(data=body, format="json-ld")) == len(graph)


def test_default_graph_uri(server: Server) -> None:
    _, _, body = get(server.sparql, CLAIMS, **{"default-graph-uri": G1})
    assert [b["t"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["control"]


def test_named_graph_uri(server: Server) -> None:
    query = "SELECT ?g WHERE { GRAPH ?g { ?c a ckg:Claim } }"
    _, _, body = get(server.sparql, query)
    assert {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]} == {G1, G2}
    _, _, body = get(server.sparql, query, **{"named-graph-uri": G2})
    assert [b["g"]["value"] for b in json.loads(body)["results"]["bindings"]] == [G2]


def test_errors_are_json_everywhere(server: Server) -> None:
    assert_error(get(server.url + "/no/such/route"), 404)
    assert_error(http(server.sparql, method="DELETE"), 405)


# -- updates and visibility of new data --------------------------------------------------

INSERT = f"INSERT DATA {{ GRAPH <{ID}graph/a3> {{ <{ID}claim/a3> ckg:claimType 'movement' }} }}"
HAS_A3 = "ASK { ?c ckg:claimType 'movement' }"


def test_update_refused_without_token(server: Server) -> None:
    assert_error(http(server.sparql, {"update": INSERT}), 403, "read-only")
    headers = {"Content-Type": "application/sparql-update"}
    assert_error(http(server.sparql, INSERT.encode(), headers), 403)
    assert json.loads(get(server.sparql, HAS_A3)[2])["boolean"] is False


def test_update_needs_the_right_token(token_server: Server) -> None:
    url = token_server.sparql
    assert_error(http(url, {"update": INSERT}), 401, "Authorization")
    assert_error(http(url, {"update": INSERT}, {"Authorization": "Bearer wrong"}), 401)
    status, _, _ = http(url, {"update": INSERT}, {"Authorization": "Bearer s3cret"})
    assert status == 204
    assert json.loads(get(url, HAS_A3)[2])["boolean"] is True


def test_update_with_token_reports_syntax_errors(token_server: Server) -> None:
    headers = {"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"}
    assert_error(http(token_server.sparql, b"INSERT NOTHING", headers), 400, "Malformed")


def test_writes_by_another_process_become_visible(token_server: Server) -> None:
    assert json.loads(get(token_server.sparql, HAS_A3)[2])["boolean"] is False
    writer = (
        "import sys, pyoxigraph as ox; from kg.store import Store; s = Store(sys.argv[1]); "
        f"s.replace_graph('{ID}graph/a3', [ox.Quad(ox.NamedNode('{ID}claim/a3'), "
        f"ox.NamedNode('{CKG}claimType'), ox.Literal('movement'))]); s.flush()"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", writer, str(token_server.store)], check=True, cwd=root)
    assert json.loads(get(token_server.sparql, HAS_A3)[2])["boolean"] is True


def test_runaway_query_times_out(tmp_path: Path) -> None:
    srv = Server(make_store(tmp_path / "store"), QUERY_TIMEOUT=0.2)
    try:
        slow = (
            "SELECT (COUNT(*) AS ?n) WHERE { "
            + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(6))
            + " }"
        )
        assert_error(get(srv.sparql, slow), 503, "longer than 0.2 s")
        assert get(srv.sparql, "ASK {}")[0] == 200  # still answering
    finally:
        srv.close()


# -- the protocol's rules: one operation, datasets, base IRI, media types -------------------

AUTH = {"Authorization": "Bearer s3cret"}
FORM = {"Content-Type": "application/x-www-form-urlencoded", **AUTH}


def form(*pairs: tuple[str, str]) -> bytes:
    return urllib.parse.urlencode(pairs).encode()


def claim_types(server: Server) -> list[str]:
    """The claim types the union default graph holds, each once."""
    rows = json.loads(get(server.sparql, CLAIMS)[2])["results"]["bindings"]
    return sorted({b["t"]["value"] for b in rows})


def test_one_operation_a_request_and_a_refused_one_runs_nothing(token_server: Server) -> None:
    url = token_server.sparql
    two_updates = form(("update", "CLEAR NAMED"), ("update", "CLEAR DEFAULT"))
    assert_error(http(url, two_updates, FORM), 400, "One operation", "update, update")
    assert_error(http(url, form(("query", CLAIMS), ("update", "CLEAR ALL")), FORM), 400)
    assert_error(get(url, None, **{"update": "CLEAR ALL"}), 400, "POST")
    two_queries = url + "?" + urllib.parse.urlencode([("query", "ASK {}"), ("query", "ASK {}")])
    assert_error(http(two_queries), 400, "One operation")
    direct = {"Content-Type": "application/sparql-update", **AUTH}
    assert_error(http(url + "?query=ASK%7B%7D", b"CLEAR ALL", direct), 400, "query, update")
    assert claim_types(token_server) == ["attack", "control"]  # nothing was cleared


def test_a_body_in_another_charset_is_refused(token_server: Server) -> None:
    headers = {"Content-Type": "application/sparql-update; charset=UTF-16", **AUTH}
    assert_error(http(token_server.sparql, "CLEAR ALL".encode("utf-16"), headers), 415, "UTF-8")
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    assert_error(http(token_server.sparql, "ASK {}".encode("utf-16"), headers), 415)
    assert_error(http(token_server.sparql, b"ASK {}", {"Content-Type": "text/plain"}), 415)
    assert claim_types(token_server) == ["attack", "control"]


def test_using_graph_uri_sets_the_update_dataset(token_server: Server) -> None:
    copy = f"{ID}graph/copy"
    update = (
        f"INSERT {{ GRAPH <{copy}> {{ ?c ckg:claimType ?t }} }} WHERE {{ ?c ckg:claimType ?t }}"
    )
    url = token_server.sparql + "?" + urllib.parse.urlencode({"using-graph-uri": G1})
    direct = {"Content-Type": "application/sparql-update", **AUTH}
    assert http(url, update.encode(), direct)[0] == 204
    copied = f"SELECT ?t WHERE {{ GRAPH <{copy}> {{ ?c ckg:claimType ?t }} }}"
    rows = json.loads(get(token_server.sparql, copied)[2])["results"]["bindings"]
    assert [r["t"]["value"] for r in rows] == ["control"]  # G1's claim only

    named = form(("update", "DELETE WHERE { GRAPH ?g { ?c ckg:claimType 'attack' } }"))
    url = token_server.sparql + "?" + urllib.parse.urlencode({"using-named-graph-uri": G1})
    assert http(url, named, FORM)[0] == 204
    assert claim_types(token_server) == ["attack", "control"]  # G2's claim was not in the dataset

    with_clause = f"WITH <{G1}> DELETE {{ ?c ?p ?o }} WHERE {{ ?c ?p ?o }}"
    assert_error(http(url, with_clause.encode(), direct), 400, "WITH")
    assert claim_types(token_server) == ["attack", "control"]


def test_relative_iris_resolve_against_the_endpoint(token_server: Server) -> None:
    status, _, body = get(
        token_server.sparql, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples"
    )
    assert status == 200
    assert body.startswith(f"<{token_server.url}/s> <{token_server.url}/p> ".encode())
    direct = {"Content-Type": "application/sparql-update", **AUTH}
    insert = b"INSERT DATA { GRAPH <notes> { <s> <p> <o> } }"
    assert http(token_server.sparql, insert, direct)[0] == 204
    ask = f"ASK {{ GRAPH <{token_server.url}/notes> {{ <{token_server.url}/s> ?p ?o }} }}"
    assert json.loads(get(token_server.sparql, ask)[2])["boolean"] is True
    payload = assert_error(get(token_server.sparql, "SELECT *\nWHERE { ?s ?p }"), 400)
    assert "error at 2:" in payload["error"]  # the client's line, not counting the BASE line


def test_dataset_iris_are_resolved_or_refused_never_a_500(server: Server) -> None:
    status, _, body = get(server.sparql, CLAIMS, **{"default-graph-uri": "ntriples"})
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    assert_error(
        get(server.sparql, CLAIMS, **{"default-graph-uri": "a b"}), 400, "default-graph-uri"
    )
    assert_error(get(server.sparql, CLAIMS, **{"named-graph-uri": "<x>"}), 400, "named-graph-uri")


def test_named_graphs_alone_come_with_an_empty_default_graph(server: Server) -> None:
    status, _, body = get(server.sparql, "ASK { ?s ?p ?o }", **{"named-graph-uri": G1})
    assert status == 200 and json.loads(body)["boolean"] is False


@pytest.mark.parametrize(
    "accept,query,content_type",
    [
        (
            "application/sparql-results+json; charset=utf-8",
            CLAIMS,
            "application/sparql-results+json",
        ),
        (
            "text/csv;q=0.5, application/sparql-results+xml;charset=utf-8;q=0.9",
            CLAIMS,
            "application/sparql-results+xml",
        ),
        ("text/turtle; charset=utf-8", GRAPH_Q, "text/turtle"),
        ("text/turtle;q=0.1, application/n-triples;q=0.8", GRAPH_Q, "application/n-triples"),
    ],
)
def test_accept_parameters_are_ignored_and_q_values_honoured(
    server: Server, accept: str, query: str, content_type: str
) -> None:
    status, got, _ = get(server.sparql, query, accept)
    assert status == 200 and got.split(";")[0] == content_type
    if query == GRAPH_Q:  # the service description is a graph too
        status, got, _ = get(server.sparql, accept=accept)
        assert status == 200 and got.split(";")[0] == content_type


def test_create_graph_of_a_graph_that_exists(token_server: Server) -> None:
    direct = {"Content-Type": "application/sparql-update", **AUTH}
    create = f"CREATE GRAPH <{G1}>".encode()
    assert_error(http(token_server.sparql, create, direct), 400, "already exists")
    assert http(token_server.sparql, f"CREATE SILENT GRAPH <{G1}>".encode(), direct)[0] == 204
    assert_error(http(token_server.sparql, f"DROP GRAPH <{ID}graph/none>".encode(), direct), 400)
    assert claim_types(token_server) == ["attack", "control"]


def test_kg_serve_answers_every_oversized_body_with_413(tmp_path: Path) -> None:
    """A 2 MiB body, 20 times, four at once, to kg serve as users run it (granian): each one
    answered 413, none with a reset connection while the client was still sending (the body
    follows its headers after a pause, so the server always has the chance to answer first)."""
    import http.client
    import time
    from concurrent.futures import ThreadPoolExecutor

    from conftest import KgServe

    served = KgServe(make_store(tmp_path / "store"), "--update-token", "s3cret")
    body = b"query=" + b"x" * (2 * 1024 * 1024)
    kinds = [
        ("POST", "/sparql", "application/x-www-form-urlencoded"),
        ("POST", "/sparql", "application/sparql-query"),
        ("PUT", "/store?default", "text/turtle"),
    ]

    def send(n: int) -> int | str:
        method, path, content_type = kinds[n % len(kinds)]
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
        try:
            conn.putrequest(method, path)
            for name, value in {"Content-Type": content_type, **AUTH}.items():
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            time.sleep(0.05)  # the server has the headers, and may answer, before the body
            for start in range(0, len(body), 1 << 16):
                conn.send(body[start : start + (1 << 16)])
            response = conn.getresponse()
            payload = json.loads(response.read())
            assert payload["status"] == response.status
            return response.status
        except OSError as exc:
            return repr(exc)
        finally:
            conn.close()

    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(send, range(20)))
    finally:
        served.close()
    assert answers == [413] * 20


# -- JSON API ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params,words",
    [
        ({"date": "2017-11-12"}, ["place is required"]),
        ({"place": "Boukamal"}, ["date is required"]),
        ({"place": "Boukamal", "date": "12 Nov 2017"}, ["date must be YYYY-MM-DD"]),
        ({"place": "Boukamal", "date": "2017-11-12", "as_of": "x"}, ["as_of must be YYYY-MM-DD"]),
        ({"place": "Boukamal", "date": "2017-11-12", "when": "x"}, ["Unknown parameter when"]),
    ],
)
def test_who_controlled_validates_parameters(
    server: Server, params: dict[str, str], words: list[str]
) -> None:
    assert_error(get(server.url + "/api/who-controlled", **params), 400, *words)


def test_claims_validates_parameters(server: Server) -> None:
    assert_error(get(server.url + "/api/claims", type="rumour"), 400, "type must be one of")
    assert_error(get(server.url + "/api/claims", colour="red"), 400, "Unknown parameter colour")


# -- stored queries ----------------------------------------------------------------------


def test_list_stored_queries(server: Server) -> None:
    status, _, body = get(server.url + "/api/queries")
    queries = {q["name"]: q for q in json.loads(body)}
    assert status == 200
    example = queries["claims_by_type"]
    assert example["title"] and example["description"]
    assert example["params"] == [
        {
            "name": "type",
            "type": "xsd:string",
            "description": example["params"][0]["description"],
            "required": True,
        },
    ]


def test_run_stored_query_with_a_bound_parameter(server: Server) -> None:
    status, content_type, body = get(server.url + "/api/queries/claims_by_type", type="attack")
    assert status == 200 and content_type.startswith("application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert [r["claim"]["value"] for r in rows] == [ID + "claim/a2/s0/c0"]
    _, content_type, body = get(
        server.url + "/api/queries/claims_by_type", accept="text/csv", type="x"
    )
    assert content_type.startswith("text/csv") and body.count(b"\n") == 1  # header only


def test_stored_query_errors(server: Server) -> None:
    base = server.url + "/api/queries/"
    assert_error(get(base + "claims_by_type"), 400, "Missing parameter type")
    assert_error(get(base + "claims_by_type", type="x", kind="y"), 400, "Unknown parameter kind")
    assert_error(get(base + "no_such_query"), 404, "no_such_query")
    assert_error(get(base + "..%2Fpyproject"), 404)


QUERY_TEXT = """# title: Events at a place
# description: Every event at the place,
#   first line continued.
# param: place IRI  The place
# param: day xsd:date  The day
# param: n integer?  How many
SELECT ?place ?day ?n ?e WHERE { ?e ckg:place ?place }
"""


def test_parse_stored_query_header() -> None:
    query = parse_stored_query("events", QUERY_TEXT)
    assert query.title == "Events at a place"
    assert query.description == "Every event at the place, first line continued."
    assert [(p.name, p.type, p.required) for p in query.params] == [
        ("place", "IRI", True),
        ("day", "xsd:date", True),
        ("n", "xsd:integer", False),
    ]


def test_bind_params_types_and_errors() -> None:
    query = parse_stored_query("events", QUERY_TEXT)
    bound = bind_params(query, {"place": "https://example.org/p", "day": "2017-11-09"})
    assert bound == {
        "place": ox.NamedNode("https://example.org/p"),
        "day": ox.Literal("2017-11-09", datatype=ox.NamedNode(XSD + "date")),
    }
    assert to_term(Param("n", "xsd:integer"), "12") == ox.Literal(
        "12", datatype=ox.NamedNode(XSD + "integer")
    )
    for name, value, words in [
        ("place", "Boukamal", "place must be an absolute http(s) IRI"),
        ("place", "http://x/> } DROP ALL {", "place must be an absolute"),
        ("day", "2017-11-31", "day must be a date"),
    ]:
        values = {"place": "https://example.org/p", "day": "2017-11-09", name: value}
        with pytest.raises(InputError, match=re.escape(words)):
            bind_params(query, values)
    with pytest.raises(InputError, match="n must be an integer"):
        to_term(Param("n", "xsd:integer"), "1.5")


def test_update_while_another_writer_holds_the_store(token_server: Server) -> None:
    writer = Store(token_server.store)  # as `kg build` would
    try:
        headers = {"Authorization": "Bearer s3cret"}
        answer = http(token_server.sparql, {"update": INSERT}, headers)
        assert_error(answer, 503, "another process", "try again")
    finally:
        del writer


def test_kg_serve_runs_granian_and_names_a_busy_port(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = make_store(tmp_path / "store")
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port)]
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        for _ in range(400):
            try:
                with urllib.request.urlopen(url + "?query=ASK%7B%3Fc%20a%20ckg%3AClaim%7D") as r:
                    server, answer = r.headers.get("Server"), r.read()
                break
            except urllib.error.URLError:
                time.sleep(0.05)
        else:
            pytest.fail("kg serve did not start listening")
        assert server == "granian"  # the production server, not a development one
        assert json.loads(answer)["boolean"] is True
        second = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1
        assert second.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in second.stderr
        assert "--port" in second.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=10)
