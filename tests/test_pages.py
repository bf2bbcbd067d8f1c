"""The web page, the resource pages and CORS, through a real waitress server on a loopback port."""

from __future__ import annotations

import http.client as httpclient
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import LiveServer

from kg.ask.stored_queries import load_stored_queries
from kg.assets import yasgui_dir
from kg.derived import recompute
from kg.store import Store

CKG = "https://w3id.org/conflict-kg/ontology#"
ID = "https://w3id.org/conflict-kg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TOWN, ISIS, SOHR = ID + "entity/abu-kamal", ID + "entity/isis", ID + "entity/sohr"
ARTICLE, CLAIM, EVENT = ID + "article/a1", ID + "claim/a1/s3/c0", ID + "event/0123abcd"
GRAPH = ID + "graph/a1"
SENTENCE = "ISIS recaptured Abu Kamal <b>on Saturday</b>, the SOHR said."


# -- a small hand-made store -------------------------------------------------------------


def _q(s: str, p: str, o: str | ox.Literal) -> ox.Quad:
    obj = ox.NamedNode(o) if isinstance(o, str) else o
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(GRAPH))


def _date(day: str) -> ox.Literal:
    return ox.Literal(day, datatype=ox.NamedNode(XSD + "date"))


def article_quads() -> list[ox.Quad]:
    return [
        _q(ARTICLE, RDF_TYPE, CKG + "Article"),
        _q(ARTICLE, CKG + "stem", ox.Literal("a1")),
        _q(ARTICLE, "http://purl.org/dc/terms/title", ox.Literal("Summary for November 13th")),
        _q(ARTICLE, CKG + "published", _date("2017-11-13")),
        _q(CLAIM, RDF_TYPE, CKG + "Claim"),
        _q(CLAIM, CKG + "claimType", ox.Literal("control")),
        _q(CLAIM, CKG + "inArticle", ARTICLE),
        _q(CLAIM, CKG + "sentenceText", ox.Literal(SENTENCE)),
        _q(CLAIM, CKG + "dateText", ox.Literal("on Saturday")),
        _q(CLAIM, CKG + "sentenceIndex", ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))),
        _q(CLAIM, CKG + "hedged", ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
        _q(CLAIM, CKG + "contested", ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
        _q(CLAIM, CKG + "claimant", SOHR),
        _q(CLAIM, CKG + "reportedBy", SOHR),
        _q(CLAIM, CKG + "about", EVENT),
        _q(EVENT, RDF_TYPE, CKG + "ControlChange"),
        _q(EVENT, CKG + "place", TOWN),
        _q(EVENT, CKG + "agent", ISIS),
        _q(EVENT, CKG + "controller", ISIS),
        _q(EVENT, CKG + "start", _date("2017-11-11")),
        _q(EVENT, CKG + "end", _date("2017-11-11")),
        _q(TOWN, RDF_TYPE, CKG + "Town"),
        _q(TOWN, RDFS_LABEL, ox.Literal("Abu Kamal")),
        _q(TOWN, SKOS + "altLabel", ox.Literal("Boukamal")),
        _q(TOWN, SKOS + "exactMatch", "http://www.wikidata.org/entity/Q152828"),
        _q(ISIS, RDF_TYPE, CKG + "ArmedGroup"),
        _q(ISIS, RDFS_LABEL, ox.Literal("Islamic State <ISIS>")),
        _q(SOHR, RDF_TYPE, CKG + "Monitor"),
        _q(SOHR, RDFS_LABEL, ox.Literal("Syrian Observatory for Human Rights")),
    ]


def make_store(path: Path) -> Path:
    store = Store(path)
    store.replace_graph(GRAPH, article_quads())
    recompute(store)  # the derived data the pages read, as a build computes it
    store.flush()
    del store  # release the read-write handle before the server opens it read-only
    return path


Server = LiveServer  # the shared harness of conftest.py


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("pages") / "store")


@pytest.fixture(scope="module")
def server(store_path: Path) -> Iterator[Server]:
    srv = Server(store_path)
    yield srv
    srv.close()


def http(
    url: str, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def raw_get(server: Server, path: str) -> tuple[int, bytes]:
    """GET with the path sent exactly as written (urllib would not, for some paths)."""
    conn = httpclient.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.putheader("Accept", "application/json")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# -- the editor page ---------------------------------------------------------------------


def test_index_lists_every_stored_query(server: Server) -> None:
    status, headers, body = http(server.url + "/editor")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    queries = load_stored_queries()
    assert queries, "the project ships stored queries"
    for query in queries.values():
        assert f'data-name="{query.name}"' in page
        assert _escaped(query.title) in page
    assert "/sparql" in page


@pytest.mark.parametrize(
    "path", ["/", "/editor", "/claims", "/queries", "/resource/entity/abu-kamal", "/search?q=a"]
)
def test_index_uses_only_this_server(server: Server, path: str) -> None:
    _, _, body = http(server.url + path)
    page = body.decode()
    for tag in ("<script src=", '<link rel="stylesheet" href='):
        for part in page.split(tag)[1:]:
            assert part.startswith('"/'), f"{tag}{part[:80]}"


def test_index_without_yasgui_offers_the_plain_editor(store_path: Path, tmp_path: Path) -> None:
    srv = Server(store_path, KG_ASSETS=str(tmp_path / "empty"))
    try:
        if yasgui_dir(tmp_path / "empty") is not None:
            pytest.skip("YASGUI is found in the working directory's node_modules")
        _, _, body = http(srv.url + "/editor")
        page = body.decode()
        assert 'id="fallback"' in page and "npm ci" in page
        assert "yasgui.min.js" not in page
        status, _, _ = http(srv.url + "/static/vendor/yasgui/yasgui.min.js")
        assert status == 404
    finally:
        srv.close()


def test_own_static_files_are_served(server: Server) -> None:
    for name in ("page.js", "page.css"):
        status, _, body = http(f"{server.url}/static/{name}")
        assert status == 200 and body


@pytest.mark.skipif(yasgui_dir() is None, reason="YASGUI not installed: run `npm ci`")
def test_yasgui_files_are_served_locally(server: Server) -> None:
    _, _, page = http(server.url + "/editor")
    assert b'id="yasgui"' in page
    for name in ("yasgui.min.js", "yasgui.min.css"):
        status, headers, body = http(f"{server.url}/static/vendor/yasgui/{name}")
        assert status == 200 and len(body) > 10_000, name
    status, _, _ = http(server.url + "/static/vendor/yasgui/../../package.json")
    assert status in (400, 404)


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


# -- resource pages ----------------------------------------------------------------------


def test_resource_html(server: Server) -> None:
    status, headers, body = http(server.url + "/resource/entity/abu-kamal")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<h1>Abu Kamal</h1>" in page and "Boukamal" in page
    assert "town" in page and "ckg:" not in page
    assert 'href="http://www.wikidata.org/entity/Q152828"' in page and "Q152828" in page
    assert "ISIS recaptured Abu Kamal &lt;b&gt;on Saturday&lt;/b&gt;" in page  # escaped
    assert "<b>on Saturday</b>" not in page
    assert "Summary for November 13th" in page and "2017-11-13" in page
    assert "2017-11-11" in page and "Islamic State &lt;ISIS&gt;" in page  # on the timeline
    assert 'href="/resource/article/a1"' in page


@pytest.mark.parametrize(
    "path,shown",
    [
        ("entity/isis", "as agent and controller"),
        ("entity/sohr", "1 claim made"),
        ("article/a1", "ISIS recaptured Abu Kamal"),
    ],
)
def test_resource_claims_by_role(server: Server, path: str, shown: str) -> None:
    _, _, body = http(f"{server.url}/resource/{path}")
    page = body.decode()
    assert "ISIS recaptured Abu Kamal" in page and shown in page
    assert "Islamic State &lt;ISIS&gt;" in page


def test_resource_of_a_claim_shows_its_parts(server: Server) -> None:
    status, _, body = http(server.url + "/resource/claim/a1/s3/c0")
    page = body.decode()
    assert status == 200
    assert 'href="/resource/entity/abu-kamal"' in page and "Held by" in page
    assert 'href="/resource/entity/sohr"' in page and "Summary for November 13th" in page


def test_search_goes_to_the_one_match(server: Server) -> None:
    status, _, body = http(server.url + "/search?q=boukamal")
    assert status == 200 and "<h1>Abu Kamal</h1>" in body.decode()  # followed the redirect
    status, _, body = http(server.url + "/search?q=nowhere-at-all")
    assert status == 200 and "Nothing in the store" in body.decode()


def test_claims_table_api(server: Server) -> None:
    status, _, body = http(server.url + "/api/claims/table?type=control&place=Boukamal")
    table = json.loads(body)
    assert status == 200 and table["total"] == 1
    row = table["claims"][0]
    assert row["controller"]["label"] == "Islamic State <ISIS>"
    assert row["article"]["title"] == "Summary for November 13th"
    status, headers, body = http(server.url + "/api/claims/table?type=control&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode().splitlines()[0].startswith("type,when,place,agent")
    status, _, _ = http(server.url + "/api/claims/table?sort=nonsense")
    assert status == 400


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_resource_rdf_by_accept(server: Server, accept: str, fmt: str) -> None:
    status, headers, body = http(server.url + "/resource/entity/abu-kamal", {"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith(accept)
    assert "Accept" in headers.get("Vary", "")
    graph = rdflib.Graph().parse(data=body, format=fmt)
    town = rdflib.URIRef(TOWN)
    assert (town, rdflib.RDFS.label, rdflib.Literal("Abu Kamal")) in graph
    assert set(graph.subjects()) == {town}


def test_browser_accept_gets_html(server: Server) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    status, headers, _ = http(server.url + "/resource/entity/isis", {"Accept": accept})
    assert status == 200 and headers["Content-Type"].startswith("text/html")


def test_unknown_resource_is_404(server: Server) -> None:
    status, headers, body = http(server.url + "/resource/entity/atlantis")
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert "entity/atlantis" in body.decode()
    status, headers, body = http(
        server.url + "/resource/entity/atlantis", {"Accept": "application/json"}
    )
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["status"] == 404
    status, _, _ = http(server.url + "/resource/entity/atlantis", {"Accept": "text/turtle"})
    assert status == 404


def test_unacceptable_type_is_406(server: Server) -> None:
    status, _, body = http(server.url + "/resource/entity/isis", {"Accept": "image/png"})
    assert status == 406 and json.loads(body)["status"] == 406


@pytest.mark.parametrize(
    "path",
    [
        "/resource/entity/../../sparql",
        "/resource/../etc/passwd",
        "/resource/entity/%2e%2e/%2e%2e/sparql",
        "/resource/entity%2Fisis",
        "/resource/entity%2fisis",
        "/resource/entity%5Cisis",
        "/resource/http://evil.example/x",
        "/resource/https:%2F%2Fevil.example",
        "/resource//etc/passwd",
        "/resource/entity//isis",
        "/resource/entity/is%20is",
        "/resource/entity/%3Cx%3E",
    ],
)
def test_traversal_and_urls_are_refused(server: Server, path: str) -> None:
    status, body = raw_get(server, path)
    assert status == 400, (path, body)
    assert json.loads(body)["status"] == 400


# -- CORS --------------------------------------------------------------------------------

ORIGIN = "http://notebook.local:8888"


def test_no_cors_by_default(server: Server) -> None:
    _, headers, _ = http(server.url + "/sparql?query=ASK%7B%7D", {"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in headers


@pytest.fixture(scope="module")
def cors_server(store_path: Path) -> Iterator[Server]:
    srv = Server(store_path, CORS_ORIGINS=[ORIGIN])
    yield srv
    srv.close()


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/api/queries"])
def test_cors_when_configured(cors_server: Server, path: str) -> None:
    status, headers, _ = http(cors_server.url + path, {"Origin": ORIGIN})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in headers["Vary"]
    _, headers, _ = http(cors_server.url + path, {"Origin": "http://other.example"})
    assert "Access-Control-Allow-Origin" not in headers


def test_cors_preflight(cors_server: Server) -> None:
    status, headers, _ = http(
        cors_server.url + "/sparql",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        method="OPTIONS",
    )
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_cors_star_and_not_on_pages(store_path: Path) -> None:
    srv = Server(store_path, CORS_ORIGINS="*")
    try:
        _, headers, _ = http(srv.url + "/api/queries", {"Origin": ORIGIN})
        assert headers["Access-Control-Allow-Origin"] == "*"
        _, headers, _ = http(srv.url + "/", {"Origin": ORIGIN})
        assert "Access-Control-Allow-Origin" not in headers
    finally:
        srv.close()
