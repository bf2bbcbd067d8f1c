"""Hostile input: fuzzed SPARQL, API parameters, resource paths and article bytes.

No request may answer 500 or show a traceback; stored-query parameters are bound as RDF terms,
so SPARQL written into them is data, never query text; `/resource/...` never leaves the
dataset. Hypothesis runs a bounded number of examples so the suite stays fast.
"""

from __future__ import annotations

import http.client
import json
import socket
import string
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LiveServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import ArticleError, InputError
from kg.read.articles import decode, load_manifest, read_article

FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
INJECTIONS = [
    '> } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    '" } ; DROP ALL ; #',
    "' } ; DROP ALL ; #",
    '") || true || ("',
    "control\" . } UNION { ?claim ?p ?o } #",
    "x> . ?s ?p ?o } #",
    "https://w3id.org/conflict-kg/id/entity/abu-kamal> } ; DROP ALL ; #",
    "http://x/> ?p ?o } DELETE WHERE { ?s ?p ?o",
    "\\u003e } DROP ALL",
    "%3E%20%7D%20DROP%20ALL",
    "\x00",
    "Boukamal\nDROP ALL",
]
TRAVERSALS = [
    "/resource/../../../../etc/passwd",
    "/resource/..%2f..%2f..%2fetc%2fpasswd",
    "/resource/%2e%2e/%2e%2e/etc/passwd",
    "/resource/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/resource/entity/../../../etc/passwd",
    "/resource//etc/passwd",
    "/resource/file:///etc/passwd",
    "/resource/http://127.0.0.1:1/",
    "/resource/entity/..%5c..%5cwin.ini",
    "/resource/entity/%00",
    "/resource/entity/abu-kamal%00.html",
    "/static/vendor/yasgui/../../../../etc/passwd",
    "/static/vendor/yasgui/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/../kg/cli.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/api/queries/..%2f..%2fpyproject",
    "/api/queries/../../pyproject",
]


@pytest.fixture(scope="module")
def server(seeds_store: Path) -> Iterator[LiveServer]:
    live = LiveServer(seeds_store, QUERY_TIMEOUT=3.0)
    yield live
    live.close()


def request(base: str, path: str, method: str = "GET", body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, str]:
    """A raw request: the path is sent as given (no client-side normalisation of `..`)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def assert_sane(status: int, body: str, what: object) -> None:
    assert status < 500 or status == 503, (status, what, body[:300])  # 503: time limit only
    assert "Traceback" not in body and "Internal error" not in body, (what, body[:300])


def get(base: str, route: str, params: dict[str, str]) -> tuple[int, str]:
    return request(base, f"{route}?{urllib.parse.urlencode(params)}")


# -- SPARQL ----------------------------------------------------------------------------------

TERMS = st.sampled_from([
    "?s", "?o", "?x", "ckg:Claim", "rdfs:label", "a", "<https://w3id.org/conflict-kg/id/>",
    '"Abu Kamal"', '"x"@en', '"1"^^xsd:integer', "42", "-0.5e9", "true", "[]", "()",
    '"\\u0000"', '"""long\nstring"""', "<>", "<http://[::1]/>", "_:b", "undef:x", "\U0001f600",
])
EXPRESSIONS = st.sampled_from([
    "?o > 3", "REGEX(STR(?o), \"(a+)+$\")", "REGEX(?o, \"[\")", "STRLEN(?o) > -1",
    "xsd:date(?o) < NOW()", "?o / 0 = 1", "LANGMATCHES(LANG(?o), \"*\")", "BOUND(?x)",
    "CONCAT(?o, ?o, ?o) != \"\"", "SUBSTR(?o, 99999999999999999999)", "IRI(?o) = ?s",
    "COALESCE()", "ABS(\"x\")", "STRDT(?o, <x:y>) = ?o", "?o IN (1, 2, ?s)", "EXISTS { ?s ?p ?o }",
])


@st.composite
def sparql(draw: st.DrawFn) -> str:
    """Queries from valid and broken fragments: one pattern on ?s, maybe a second joined on it."""
    pattern = f"?s {draw(TERMS)} {draw(TERMS)} ."
    if draw(st.booleans()):
        pattern += f" OPTIONAL {{ ?s {draw(TERMS)} ?x }}"
    if draw(st.booleans()):
        pattern += f" FILTER({draw(EXPRESSIONS)})"
    head = draw(st.sampled_from(["SELECT *", "SELECT ?s (COUNT(*) AS ?n)", "ASK",
                                 "CONSTRUCT { ?s ?s ?s }", "DESCRIBE ?s", "SELECT DISTINCT ?o",
                                 "SELECT (SUM(?o) AS ?t)", "SELECT", ""]))
    tail = draw(st.sampled_from(["", "LIMIT 5", "GROUP BY ?s LIMIT 3", "ORDER BY ?o LIMIT 2",
                                 "OFFSET -1", "LIMIT 99999999999999999999999", "} }", "HAVING"]))
    noise = draw(st.text(alphabet=string.printable, max_size=3))
    return f"{head} WHERE {{ {pattern} }} {tail}{noise}"


@FAST
@given(query=st.one_of(st.text(max_size=200), sparql()))
def test_fuzzed_sparql_never_500(server: LiveServer, query: str) -> None:
    assert_sane(*get(server.url, "/sparql", {"query": query}), query)
    status, body = request(server.url, "/sparql", "POST", query.encode("utf-8", "surrogatepass"),
                           {"Content-Type": "application/sparql-query"})
    assert_sane(status, body, query)


@FAST
@given(accept=st.text(max_size=60), query=sparql())
def test_fuzzed_accept_headers(server: LiveServer, accept: str, query: str) -> None:
    header = "".join(c for c in accept if " " <= c <= "\xff")  # what HTTP can carry
    status, body = request(server.url, "/sparql?" + urllib.parse.urlencode({"query": query}),
                           headers={"Accept": header})
    assert_sane(status, body, (header, query))


def test_updates_are_refused(server: LiveServer) -> None:
    for body, ctype in ((b"DROP ALL", "application/sparql-update"),
                        (b"update=DROP+ALL", "application/x-www-form-urlencoded")):
        status, text = request(server.url, "/sparql", "POST", body, {"Content-Type": ctype})
        assert status == 403, text
    assert_count_unchanged(server)


# -- API parameters --------------------------------------------------------------------------

VALUES = st.one_of(st.text(max_size=80), st.sampled_from(INJECTIONS),
                   st.dates().map(str), st.sampled_from(["", " ", "Q152828", "Boukamal",
                                                         "https://w3id.org/conflict-kg/id/entity/abu-kamal"]))


@FAST
@given(place=VALUES, date=VALUES, as_of=VALUES, extra=st.booleans())
def test_fuzzed_who_controlled(server: LiveServer, place: str, date: str, as_of: str,
                               extra: bool) -> None:
    params = {"place": place, "date": date, "as_of": as_of} | ({"bogus": "1"} if extra else {})
    assert_sane(*get(server.url, "/api/who-controlled", params), params)


@FAST
@given(params=st.dictionaries(st.sampled_from(["article", "type", "place", "actor"]), VALUES))
def test_fuzzed_claims(server: LiveServer, params: dict[str, str]) -> None:
    assert_sane(*get(server.url, "/api/claims", params), params)


@FAST
@given(name=st.sampled_from(["claims", "claims_by_type", "who_controlled", "nope", "..", "%00"]),
       params=st.dictionaries(st.sampled_from(["article", "type", "place", "actor", "claim",
                                               "date", "asof", "x"]), VALUES, max_size=4))
def test_fuzzed_stored_queries(server: LiveServer, name: str, params: dict[str, str]) -> None:
    assert_sane(*get(server.url, f"/api/queries/{name}", params), (name, params))


@FAST
@given(rest=st.text(max_size=60))
def test_fuzzed_resource_paths(server: LiveServer, rest: str) -> None:
    path = "/resource/" + urllib.parse.quote(rest, safe="/.%:@!$&'()*+,;=")
    status, body = request(server.url, path, headers={"Accept": "text/turtle"})
    assert_sane(status, body, path)


# -- injection and traversal -----------------------------------------------------------------


def assert_count_unchanged(server: LiveServer, expected: list[int] = []) -> None:  # noqa: B006
    status, body = get(server.url, "/sparql", {"query": COUNT})
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    expected.append(n)
    assert status == 200 and n == expected[0], expected


@pytest.mark.parametrize("payload", INJECTIONS)
def test_stored_query_parameters_cannot_inject(server: LiveServer, payload: str) -> None:
    assert_count_unchanged(server)
    for name in ("article", "type"):  # string parameters: matched as a literal, so no row
        status, body = get(server.url, "/api/queries/claims", {name: payload})
        assert status == 200 and json.loads(body)["results"]["bindings"] == [], body[:300]
    for name in ("place", "actor"):  # entities by name: no such entity, or not a plain IRI
        status, body = get(server.url, "/api/queries/claims", {name: payload})
        assert status in (400, 404) and json.loads(body)["status"] == status, body[:300]
    status, body = get(server.url, "/api/queries/claims", {"claim": payload})  # a plain IRI
    assert status == 400 and json.loads(body)["status"] == 400, body[:300]
    status, body = get(server.url, "/api/queries/claims_by_type", {"type": payload})
    assert status == 200 and json.loads(body)["results"]["bindings"] == []
    for name in ("article", "place", "actor"):
        status, body = get(server.url, "/api/claims", {name: payload})
        assert status in (200, 400, 404), body[:300]
        assert status != 200 or json.loads(body) == [], body[:300]
    assert_count_unchanged(server)


def test_an_iri_that_closes_the_term_is_refused(server: LiveServer) -> None:
    iri = "https://w3id.org/conflict-kg/id/entity/abu-kamal> } UNION { ?claim ?p ?o"
    status, body = get(server.url, "/api/queries/claims", {"place": iri})
    assert status == 400 and "not a valid IRI" in body
    status, body = get(server.url, "/api/queries/claims", {"claim": iri})
    assert status == 400 and "absolute http(s) IRI" in body


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(server: LiveServer, path: str) -> None:
    status, body = request(server.url, path)
    assert status in (400, 404), (path, status, body[:200])
    assert "root:" not in body and "[project]" not in body and "import argparse" not in body
    assert_sane(status, body, path)


# -- article bytes and manifests -------------------------------------------------------------


@settings(max_examples=200, deadline=None, derandomize=True)
@given(raw=st.one_of(st.binary(max_size=600), st.text(max_size=300).map(str.encode),
                     st.text(max_size=200).map(lambda t: t.encode("utf-16")),
                     st.text(alphabet=st.characters(max_codepoint=255), max_size=200)
                     .map(lambda t: t.encode("latin-1"))))
def test_any_bytes_decode_or_are_refused_with_a_reason(raw: bytes) -> None:
    try:
        assert isinstance(decode(Path("x.txt"), raw), str)
    except ArticleError as exc:
        assert exc.message.startswith("x.txt: ") and ";" in exc.message


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=st.dictionaries(st.sampled_from(["publisher", "title", "url", "published", "x"]),
                             JSON, max_size=4), whole=JSON)
def test_any_manifest_is_read_or_refused_with_a_reason(tmp_path: Path, entry: dict,
                                                       whole: object) -> None:
    (tmp_path / "a.txt").write_text("The army took the town on Monday, officials said.\n")
    for manifest in ({"a.txt": entry}, whole):
        (tmp_path / "manifest.json").write_text(json.dumps(manifest))
        try:
            meta = load_manifest(tmp_path).get("a.txt", {})
            article = read_article(tmp_path / "a.txt", meta)
        except InputError as exc:
            assert "manifest.json" in exc.message, exc.message
        else:
            assert not article.publisher or isinstance(article.publisher, str)  # [] is unused


# -- SERVICE: the public endpoint must not become an HTTP client for anyone ------------------


@pytest.mark.parametrize("query", [
    "SELECT * { SERVICE <http://127.0.0.1:{port}/x> { ?s ?p ?o } }",
    "SELECT * { service   SILENT <http://127.0.0.1:{port}/x> { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <http://127.0.0.1:{port}/x> { ?s ?p ?o } }",
])
def test_service_calls_are_refused(server: LiveServer, query: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(0.3)
        text = query.replace("{port}", str(listener.getsockname()[1]))
        status, body = get(server.url, "/sparql", {"query": text})
        assert_sane(status, body, text)
        assert status in (400, 403), body
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called


@pytest.mark.parametrize("query", [
    'SELECT ?service WHERE { ?service rdfs:label "SERVICE <http://x/>" } LIMIT 1',
    "SELECT * WHERE { <http://x/SERVICE> ?p ?o } # SERVICE <http://x/> in a comment",
])
def test_the_word_service_as_data_is_fine(server: LiveServer, query: str) -> None:
    status, body = get(server.url, "/sparql", {"query": query})
    assert status == 200, body
