"""Content negotiation and serialisation of query results (pyoxigraph serialises every format)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.ask.listings import Table
from kg.errors import NotAcceptable
from kg.vocab import PREFIXES

# Offered media types, preferred first; the first one is the default for */* or no Accept.
RESULTS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPHS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_TEXT = ("text/", "application/n-triples")


def choose(accept: MIMEAccept, offers: Iterable[str]) -> str:
    """The offered media type the client prefers (Accept q-values); 406 when none fits.
    Media type parameters other than q (`text/turtle; charset=utf-8`) do not take part in
    the match: werkzeug would match them against our offers, which have none."""
    offered = tuple(offers)
    memo: dict[tuple[str, ...], str] | None = getattr(accept, "chosen", None)
    if memo is not None and offered in memo:
        return memo[offered]
    if not accept:
        return offered[0]
    if memo is None:  # not parsed by `accept_types` (a route's request.accept_mimetypes)
        accept = without_parameters(accept)
    best = accept.best_match(offered)
    if best is None:
        raise NotAcceptable(
            f"None of the formats in Accept ({accept}) fits this result; available: "
            + ", ".join(offered)
        )
    if memo is not None:
        memo[offered] = best
    return best


@functools.lru_cache(maxsize=256)
def accept_types(header: str) -> MIMEAccept:
    """An Accept header parsed once, and its choices remembered (`choose`): clients send the
    same few headers again and again, and matching them costs more than a light query."""
    parsed = without_parameters(parse_accept_header(header, MIMEAccept))
    parsed.chosen = {}  # type: ignore[attr-defined]
    return parsed


def without_parameters(accept: MIMEAccept) -> MIMEAccept:
    """``accept`` with each media type's parameters dropped, its q-value kept."""
    if not any(";" in value for value, _ in accept):
        return accept
    return MIMEAccept([(value.split(";", 1)[0].strip(), q) for value, q in accept])


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXT) else media_type


def render(result: Any, accept: MIMEAccept, max_rows: int | None = None) -> tuple[bytes, str, bool]:
    """Serialise a pyoxigraph query result as the client asks; returns (body, content type,
    whether rows were cut at ``max_rows``)."""
    if isinstance(result, ox.QueryTriples):
        return (*render_graph(result, accept), False)
    media_type = choose(accept, RESULTS)
    if isinstance(result, Table):  # rows read page by page (kg.ask.listings)
        return render_capped(result, media_type, len(result))
    if max_rows is None or isinstance(result, ox.QueryBoolean):
        return result.serialize(format=RESULTS[media_type]), content_type(media_type), False
    return render_capped(result, media_type, max_rows)


def render_limited(
    result: ox.QuerySolutions, accept: MIMEAccept, max_rows: int
) -> tuple[bytes, str, bool]:
    """Serialise the answer of a query run with `LIMIT max_rows+1`: pyoxigraph writes JSON and
    TSV itself (the rows never pass through Python), and the one row too many, if any, is cut
    from its output; XML and CSV rows are cut while read."""
    media_type = choose(accept, RESULTS)
    kind = RESULTS[media_type]
    if kind is ox.QueryResultsFormat.JSON:
        body = result.serialize(format=kind) or b""
        cut = False
        # Rows are separated by `},{` and nothing else is outside a string (a term is
        # `{"type":...}`, terms of a row are separated by `},"`), so the count bounds the rows
        # from above: only an answer that may have one row too many is parsed (a 600 kB
        # answer's parse was 5% of a join-heavy query's CPU).
        if body.count(b"},{") >= max_rows:
            data = json.loads(body)
            cut = len(data["results"]["bindings"]) > max_rows
            if cut:
                del data["results"]["bindings"][max_rows:]
                body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return body, content_type(media_type), cut
    if kind is ox.QueryResultsFormat.TSV:  # one line a row (TSV escapes line breaks)
        lines = (result.serialize(format=kind) or b"").splitlines(keepends=True)
        cut = len(lines) > max_rows + 1
        return b"".join(lines[: max_rows + 1]), content_type(media_type), cut
    return render_capped(result, media_type, max_rows)


RDFLIB_FORMATS = {
    ox.QueryResultsFormat.JSON: "json",
    ox.QueryResultsFormat.XML: "xml",
    ox.QueryResultsFormat.CSV: "csv",
}


def render_capped(
    result: ox.QuerySolutions | Table, media_type: str, max_rows: int
) -> tuple[bytes, str, bool]:
    """Read at most ``max_rows`` solutions (the rest is never computed) and write them with
    rdflib's SPARQL result serialisers."""
    import itertools

    from rdflib.query import Result

    names = [v.value for v in result.variables]
    rows = list(itertools.islice(result, max_rows + 1))
    cut = len(rows) > max_rows
    if RESULTS[media_type] is ox.QueryResultsFormat.TSV:  # rdflib has no TSV writer
        lines = ["\t".join(f"?{n}" for n in names)]
        lines += [
            "\t".join("" if r[n] is None else str(r[n]) for n in names) for r in rows[:max_rows]
        ]
        return ("\n".join(lines) + "\n").encode(), content_type(media_type), cut
    if RESULTS[media_type] is ox.QueryResultsFormat.JSON:  # the default: written directly
        return sparql_json(names, rows[:max_rows]), content_type(media_type), cut
    table = Result("SELECT")
    table.vars = [to_rdflib(ox.Variable(n)) for n in names]
    table.bindings = [
        {table.vars[i]: to_rdflib(row[n]) for i, n in enumerate(names) if row[n] is not None}
        for row in rows[:max_rows]
    ]
    body = table.serialize(format=RDFLIB_FORMATS[RESULTS[media_type]]) or b""
    return (body if isinstance(body, bytes) else body.encode()), content_type(media_type), cut


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def json_term(term: Any) -> dict[str, str]:
    """One RDF term in SPARQL 1.1 Query Results JSON."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    if term.datatype.value == XSD_STRING:
        return {"type": "literal", "value": term.value}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def sparql_json(names: list[str], rows: list[Any]) -> bytes:
    """SPARQL results JSON for rows already read (the C JSON encoder does the writing)."""
    bindings = [{n: json_term(r[n]) for n in names if r[n] is not None} for r in rows]
    return json.dumps(
        {"head": {"vars": names}, "results": {"bindings": bindings}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def to_rdflib(term: Any) -> Any:
    from rdflib import BNode, Literal, URIRef, Variable

    if isinstance(term, ox.Variable):
        return Variable(term.value)
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def render_graph(
    triples: Iterable[ox.Triple], accept: MIMEAccept, prefixes: Mapping[str, str] = PREFIXES
) -> tuple[bytes, str]:
    """Serialise triples (CONSTRUCT, DESCRIBE, the service description) with our prefixes."""
    media_type = choose(accept, GRAPHS)
    body = ox.serialize(triples, format=GRAPHS[media_type], prefixes=dict(prefixes))
    return body or b"", content_type(media_type)
