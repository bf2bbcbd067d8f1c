"""Content negotiation and serialisation of query results (pyoxigraph serialises every format)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept

from kg.errors import KGError
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


class NotAcceptable(KGError):
    status = 406


def choose(accept: MIMEAccept, offers: Iterable[str]) -> str:
    """The offered media type the client prefers (Accept q-values); 406 when none fits."""
    offered = list(offers)
    if not accept:
        return offered[0]
    best = accept.best_match(offered)
    if best is None:
        raise NotAcceptable(
            f"None of the formats in Accept ({accept}) fits this result; available: "
            + ", ".join(offered)
        )
    return best


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXT) else media_type


def render(result: Any, accept: MIMEAccept) -> tuple[bytes, str]:
    """Serialise a pyoxigraph query result as the client asks; returns (body, content type)."""
    if isinstance(result, ox.QueryTriples):
        return render_graph(result, accept)
    media_type = choose(accept, RESULTS)
    return result.serialize(format=RESULTS[media_type]), content_type(media_type)


def render_graph(
    triples: Iterable[ox.Triple], accept: MIMEAccept, prefixes: Mapping[str, str] = PREFIXES
) -> tuple[bytes, str]:
    """Serialise triples (CONSTRUCT, DESCRIBE, the service description) with our prefixes."""
    media_type = choose(accept, GRAPHS)
    body = ox.serialize(triples, format=GRAPHS[media_type], prefixes=dict(prefixes))
    return body or b"", content_type(media_type)
