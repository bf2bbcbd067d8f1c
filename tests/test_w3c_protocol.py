"""The W3C SPARQL 1.1 Protocol and Graph Store HTTP Protocol test suites (tests/w3c/, copied
from w3c/rdf-tests) run over HTTP against `kg serve` as users start it.

Each case of a manifest is a list of HTTP requests, each with the response it expects (a
status, an ASK answer, a result format, headers, an RDF body). The runner sends every request
as the manifest writes it, mapping only the base paths (`/sparql/` to `/sparql`, `/gsp` to
`/store`) and adding the update token, which `kg serve` asks of every write. Before each case
the store is emptied and loaded with the case's data through SPARQL Update; a request the
manifest expects to fail (4xx) must also leave the data as it was.

Cases that cannot pass while `/sparql`'s default graph is the union of the named graphs (a
product decision) are listed in EXPECTED_FAILURES with the reason; each is checked to fail
still, so the list stays honest.

The same runner measures any server: `python tests/test_w3c_protocol.py URL --query /query
--update /update --store /store` (Oxigraph's paths) prints its counts and failures.
"""

from __future__ import annotations

import argparse
import codecs
import http.client
import json
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

HERE = Path(__file__).resolve().parent
W3C = HERE / "w3c"
PROTOCOL = W3C / "protocol" / "manifest.ttl"
GRAPH_STORE = W3C / "graph-store-protocol" / "manifest.ttl"
TOKEN = "w3c-suite"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

STATUSES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
FORMATS = {  # mf:expectedFormat: the media types that count as that format
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {
        "application/rdf+xml",
        "text/turtle",
        "application/n-triples",
        "application/xhtml+xml",
    },
}
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}

# (manifest, case): why the case cannot pass with /sparql's union default graph.
EXPECTED_FAILURES: dict[tuple[str, str], str] = {}

# A quad in the default graph and one in a named graph, loaded before each protocol case, so
# a refused update that still cleared anything is seen.
SENTINEL = (
    "INSERT DATA { <urn:x-w3c-runner:s> <urn:x-w3c-runner:p> 'default' . "
    "GRAPH <urn:x-w3c-runner:g> { <urn:x-w3c-runner:s> <urn:x-w3c-runner:p> 'named' } }"
)


# -- the manifests -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """What a response must be: one of ``statuses``, and the rest when given."""

    statuses: frozenset[int]
    boolean: bool | None = None
    format: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    location: str | None = None  # the template variable the Location header fills


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    expected: Expected


@dataclass(frozen=True)
class Case:
    manifest: str  # "protocol" or "graph-store"
    name: str  # the local name of the case in its manifest
    title: str
    steps: tuple[Step, ...]
    graph_data: tuple[tuple[Path, str], ...] = ()  # (file, graph IRI) loaded first

    @property
    def id(self) -> str:
        return f"{self.manifest}:{self.name}"


def load_cases(manifest: Path, label: str) -> list[Case]:
    """The cases of a manifest and of the manifests it includes, in their order."""
    graph = rdflib.Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = rdflib.URIRef(manifest.as_uri())
    cases: list[Case] = []
    for included in graph.objects(root, MF.include):
        for item in Collection(graph, included):  # type: ignore[arg-type]
            cases += load_cases(_file(item), label)
    for entries in graph.objects(root, MF.entries):
        for entry in Collection(graph, entries):  # type: ignore[arg-type]
            cases.append(_case(graph, entry, label))
    return cases


def _case(graph: rdflib.Graph, entry: rdflib.term.Node, label: str) -> Case:
    action = graph.value(entry, MF.action)
    requests = graph.value(action, HT.requests)
    data = tuple(
        (_file(graph.value(d, UT.graph)), str(graph.value(d, rdflib.RDFS.label)))
        for d in graph.objects(entry, UT.graphData)
    )
    return Case(
        manifest=label,
        name=str(entry).rsplit("#", 1)[-1],
        title=str(graph.value(entry, MF.name)),
        steps=tuple(_step(graph, r) for r in Collection(graph, requests)),  # type: ignore[arg-type]
        graph_data=data,
    )


def _file(iri: rdflib.term.Node | None) -> Path:
    """The local file a manifest's IRI (resolved against the manifest's file: URL) names."""
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(str(iri)).path))


def _step(graph: rdflib.Graph, request: rdflib.term.Node) -> Step:
    response = graph.value(request, HT.resp)
    return Step(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=_body(graph, request),
        expected=Expected(
            statuses=frozenset(
                code for s in graph.objects(response, MF.expectedStatus) for code in _codes(s)
            ),
            boolean=_optional(graph.value(response, MF.expectedBoolean)),
            format=_optional(graph.value(response, MF.expectedFormat)),
            headers=_headers(graph, response),
            body=(lambda b: None if b is None else str(graph.value(b, CNT.chars)))(
                graph.value(response, HT.body)
            ),
            location=_optional(graph.value(response, MF.expectedLocation)),
        ),
    )


def _headers(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[tuple[str, str], ...]:
    found = graph.value(node, HT.headers)
    if found is None:
        return ()
    return tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in Collection(graph, found)  # type: ignore[arg-type]
    )


def _body(graph: rdflib.Graph, request: rdflib.term.Node) -> bytes | None:
    """The request body in the encoding the manifest names (UTF-16 for the non-UTF-8 cases)."""
    body = graph.value(request, HT.body)
    if body is None:
        return None
    encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
    return str(graph.value(body, CNT.chars)).encode(codecs.lookup(encoding).name)


def _codes(status: rdflib.term.Node) -> range:
    name = str(status).removeprefix(HTS)
    if name.startswith("StatusCode") and name.endswith("xx"):
        first = int(name[len("StatusCode")]) * 100
        return range(first, first + 100)
    code = STATUSES[name]
    return range(code, code + 1)


def _optional(value: rdflib.term.Node | None) -> object:
    return None if value is None else value.toPython()  # type: ignore[attr-defined]


# -- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A server under test: its address, and where its query, update and store endpoints are."""

    url: str
    query_path: str = "/sparql"
    update_path: str = "/sparql"
    store_path: str = "/store"
    token: str | None = TOKEN


@dataclass
class Outcome:
    problems: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    changed_data: bool = False

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def send(
    target: Target,
    method: str,
    path: str,
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes | None = None,
) -> Answer:
    """One request on a connection of its own; http.client adds only Host, Accept-Encoding
    and Content-Length (no Content-Type of its own, which a case may leave out on purpose)."""
    parts = urllib.parse.urlsplit(target.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    sent = dict(headers)
    if target.token:
        sent["Authorization"] = f"Bearer {target.token}"
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        conn.close()


def map_path(target: Target, case: Case, step: Step) -> str:
    """The manifest's path with the base path of the endpoint under test."""
    if step.path.startswith("/gsp"):
        return target.store_path + step.path.removeprefix("/gsp")
    rest = step.path.removeprefix("/sparql").removeprefix("/")
    return (target.update_path if _is_update(case, step) else target.query_path) + rest


def _is_update(case: Case, step: Step) -> bool:
    """Whether a protocol request goes to the update endpoint (where the two differ)."""
    kind = dict((k.lower(), v) for k, v in step.headers).get("content-type", "")
    params = urllib.parse.urlsplit(step.path).query
    text = (step.body or b"").decode("utf-8", "replace")
    if kind.startswith("application/sparql-query") or "query=" in params + text:
        return False
    return kind.startswith("application/sparql-update") or "update" in case.name


def update(target: Target, text: str) -> None:
    """Setup through the update endpoint; a failure here is the runner's, not the case's."""
    answer = send(
        target,
        "POST",
        target.update_path,
        (("Content-Type", "application/sparql-update"),),
        text.encode(),
    )
    if not 200 <= answer.status < 300:
        raise RuntimeError(f"setup update answered {answer.status}: {answer.body[:300]!r}")


def fingerprint(target: Target) -> tuple[bytes, bytes]:
    """The store's data as the server shows it: every named graph's quads and the default
    graph (Graph Store Protocol), to see a refused request change nothing."""
    query = urllib.parse.quote("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    named = send(
        target,
        "GET",
        f"{target.query_path}?query={query}",
        (("Accept", "text/tab-separated-values"),),
    )
    default = send(
        target, "GET", f"{target.store_path}?default", (("Accept", "application/n-triples"),)
    )
    return (
        b"\n".join(sorted(named.body.splitlines())),
        b"\n".join(sorted(default.body.splitlines())),
    )


def prepare(target: Target, case: Case) -> None:
    update(target, "DROP ALL")
    for path, graph in case.graph_data:
        triples = (W3C / "protocol" / path.name).read_text(encoding="utf-8")
        update(target, f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}")
    if case.manifest == "protocol":
        update(target, SENTINEL)


def run_case(target: Target, case: Case) -> Outcome:
    outcome = Outcome()
    prepare(target, case)
    variables: dict[str, str] = {}
    for number, step in enumerate(case.steps, 1):
        path = _fill(map_path(target, case, step), variables)
        payload = step.body
        if payload is not None and variables:  # the templates are in UTF-8 bodies only
            payload = _fill(payload.decode("utf-8"), variables).encode("utf-8")
        refused = bool(step.expected.statuses) and all(
            400 <= s < 500 for s in step.expected.statuses
        )
        before = fingerprint(target) if refused else None
        answer = send(target, step.method, path, step.headers, payload)
        outcome.statuses.append(answer.status)
        problems = check(step.expected, answer)
        if refused and fingerprint(target) != before:
            outcome.changed_data = True
            problems.append("the refused request changed the data")
        if step.expected.location and "Location" in answer.headers:
            location = urllib.parse.urljoin(target.url + path, answer.headers["Location"])
            variables[step.expected.location] = location
        prefix = f"request {number} ({step.method} {path}): "
        outcome.problems += [prefix + p for p in problems]
    return outcome


def _fill(text: str, variables: dict[str, str]) -> str:
    for name, value in variables.items():
        text = text.replace(name, value)
    return text


def check(expected: Expected, answer: Answer) -> list[str]:
    """What in ``answer`` differs from ``expected`` (nothing: the request passed)."""
    problems = []
    detail = answer.body[:200].decode("utf-8", "replace")
    if expected.statuses and answer.status not in expected.statuses:
        problems.append(f"status {answer.status}, expected {_statuses(expected)}: {detail}")
        return problems
    media_type = (answer.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if expected.format is not None and media_type not in FORMATS[expected.format]:
        problems.append(f"content type {media_type!r} is not {expected.format}")
    if expected.boolean is not None and _boolean(media_type, answer.body) != expected.boolean:
        problems.append(f"ASK answered {detail!r}, expected {expected.boolean}")
    for name, value in expected.headers:
        got = answer.headers.get(name)
        if got is None or not _same_header(name, got, value):
            problems.append(f"header {name}: {got!r}, expected {value!r}")
    if expected.location and "Location" not in answer.headers:
        problems.append("no Location header")
    if expected.body is not None:
        problems += _same_graph(expected.body, media_type, answer.body)
    return problems


def _statuses(expected: Expected) -> str:
    """The expected statuses, a whole class as `2xx`."""
    classes = {c // 100 for c in expected.statuses}
    whole = {c for c in classes if all(c * 100 + n in expected.statuses for n in range(100))}
    single = sorted(str(c) for c in expected.statuses if c // 100 not in whole)
    return " or ".join([f"{c}xx" for c in sorted(whole)] + single)


def _same_header(name: str, got: str, expected: str) -> bool:
    """Equal values; for Content-Type, the same media type and, when the response names a
    charset, the expected one (a Turtle body without a charset is UTF-8 by its definition)."""
    got_parts, expected_parts = _parts(got), _parts(expected)
    if name.lower() != "content-type":
        return got_parts == expected_parts
    charset = [p for p in got_parts[1:] if p.startswith("charset=")]
    return got_parts[0] == expected_parts[0] and all(c in expected_parts for c in charset)


def _parts(header: str) -> list[str]:
    return [part.strip().replace(" ", "") for part in header.lower().split(";")]


def _boolean(media_type: str, body: bytes) -> bool | None:
    try:
        if media_type == "application/sparql-results+json":
            return bool(json.loads(body)["boolean"])
        if media_type == "application/sparql-results+xml":
            return b"<boolean>true</boolean>" in body.replace(b" ", b"")
    except (ValueError, KeyError):
        pass
    return None


def _same_graph(expected: str, media_type: str, body: bytes) -> list[str]:
    if media_type not in RDFLIB_FORMATS:
        return [f"the body is {media_type!r}, not an RDF format the runner reads"]
    try:
        got = rdflib.Graph().parse(data=body.decode("utf-8"), format=RDFLIB_FORMATS[media_type])
    except Exception as exc:  # any parser error is a failed case, with its message
        return [f"the body does not parse as {media_type}: {exc}"]
    want = rdflib.Graph().parse(data=expected, format="turtle")
    if not isomorphic(got, want):
        return [f"the graph differs from the expected one: {body[:300]!r}"]
    return []


def run_all(target: Target, cases: list[Case]) -> dict[str, Outcome]:
    return {case.id: run_case(target, case) for case in cases}


def counts(cases: list[Case], outcomes: dict[str, Outcome]) -> str:
    parts = []
    for label, title in (("protocol", "W3C protocol"), ("graph-store", "graph store")):
        mine = [c for c in cases if c.manifest == label]
        passed = sum(outcomes[c.id].passed for c in mine)
        parts.append(f"{title} {passed}/{len(mine)}")
    return ", ".join(parts)


CASES = load_cases(PROTOCOL, "protocol") + load_cases(GRAPH_STORE, "graph-store")


# -- the tests -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every case, run once on a fresh `kg serve` over an empty store."""
    from conftest import KgServe

    from kg.store import Store

    path = tmp_path_factory.mktemp("w3c") / "store"
    store = Store(path)
    del store  # an empty store, its write handle released before the server starts
    server = KgServe(path, "--update-token", TOKEN)
    try:
        yield run_all(Target(server.url), CASES)
    finally:
        server.close()


def _param(case: Case) -> object:
    reason = EXPECTED_FAILURES.get((case.manifest, case.name))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: Case, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.id]
    assert outcome.passed, f"{case.title}:\n" + "\n".join(outcome.problems)


def test_counts(outcomes: dict[str, Outcome], capsys: pytest.CaptureFixture[str]) -> None:
    """The pass counts, printed; at least Oxigraph's server's, no 5xx, and every failure one
    of the expected ones (which neither answer 5xx nor change data)."""
    with capsys.disabled():
        print(f"\n{counts(CASES, outcomes)}")
    for label, least in (("protocol", 31), ("graph-store", 9)):
        mine = [c for c in CASES if c.manifest == label]
        assert sum(outcomes[c.id].passed for c in mine) >= least, label
    assert not [(c.id, s) for c in CASES for s in outcomes[c.id].statuses if s >= 500], (
        "a case answered 5xx"
    )
    failed = {(c.manifest, c.name) for c in CASES if not outcomes[c.id].passed}
    assert failed <= set(EXPECTED_FAILURES), failed - set(EXPECTED_FAILURES)
    assert not [c.id for c in CASES if outcomes[c.id].changed_data]


# -- any server, from the command line --------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the W3C protocol suites against a server")
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:7878")
    parser.add_argument("--query", default="/sparql", help="the query endpoint's path")
    parser.add_argument("--update", default="/sparql", help="the update endpoint's path")
    parser.add_argument("--store", default="/store", help="the Graph Store endpoint's path")
    parser.add_argument("--token", default=None, help="the update token, if the server asks one")
    args = parser.parse_args(argv)
    target = Target(args.url.rstrip("/"), args.query, args.update, args.store, args.token)
    outcomes = run_all(target, CASES)
    for case in CASES:
        if not outcomes[case.id].passed:
            print(f"FAIL {case.id}: " + " | ".join(outcomes[case.id].problems))
    print(counts(CASES, outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
