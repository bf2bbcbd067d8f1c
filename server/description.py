"""The SPARQL 1.1 service description (`GET /sparql` without a query)."""

from __future__ import annotations

import pyoxigraph as ox

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description(endpoint: str, updates: bool) -> list[ox.Triple]:
    """Triples describing the endpoint at ``endpoint`` (its absolute URL)."""
    service = ox.BlankNode()
    dataset, graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), graph),
        ox.Triple(graph, RDF_TYPE, _sd("Graph")),
    ]
    if updates:
        triples.append(ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    triples += [
        ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMATS
    ]
    return triples
