"""Which graphs an update writes, read from its text (`kg.store.updates`), and which articles
that makes a write touch (`kg.derived.writes`): what the server refreshes after a write."""

from __future__ import annotations

import pytest

from kg.derived.writes import article_stem, touched_by
from kg.store import GraphStore
from kg.store.updates import Written, written_graphs
from kg.vocab import DERIVED_GRAPH, ENTITIES_GRAPH, SOURCES_GRAPH, graph_iri

G = graph_iri("a1")


@pytest.mark.parametrize(
    ("update", "graphs", "default"),
    [
        (f"INSERT DATA {{ GRAPH <{G}> {{ <urn:s> <urn:p> 1 }} }}", {G}, False),
        (
            'PREFIX g: <urn:g:>\nDELETE DATA { GRAPH g:one { <urn:s> <urn:p> "}" } }',
            {"urn:g:one"},
            False,
        ),
        (
            "INSERT DATA { <urn:s> <urn:p> 1 . GRAPH <urn:x> { <urn:s> <urn:p> 2 } }",
            {"urn:x"},
            True,
        ),
        ("DELETE WHERE { GRAPH <urn:g> { ?s ?p ?o } }", {"urn:g"}, False),
        (
            "WITH <urn:w> DELETE { ?s ?p ?o } INSERT { ?s ?p 2 . GRAPH <urn:x> { ?s ?p 3 } } "
            "USING <urn:u> WHERE { GRAPH <urn:no> { ?s ?p ?o } FILTER(?o < 5) }",
            {"urn:w", "urn:x"},
            False,
        ),
        ("CLEAR GRAPH <urn:c> ; DROP SILENT DEFAULT", {"urn:c"}, True),
        (
            "LOAD <http://example.org/doc> INTO GRAPH <urn:l> ; LOAD <http://example.org/d>",
            {"urn:l"},
            True,
        ),
        ("COPY <urn:a> TO <urn:b> ; MOVE DEFAULT TO GRAPH <urn:m>", {"urn:b", "urn:m"}, True),
        ("CREATE GRAPH <urn:n>", set(), False),
        (
            '# GRAPH <urn:no>\nINSERT { GRAPH <urn:t> { ?s ?p "GRAPH <urn:no>" } }'
            " WHERE { ?s ?p ?o }",
            {"urn:t"},
            False,
        ),
        ("insert data { graph <relative> { <a> <b> <c> } }", {"http://host/relative"}, False),
    ],
)
def test_the_graphs_an_update_names(update: str, graphs: set[str], default: bool) -> None:
    written = written_graphs(update, "http://host/sparql")
    assert (written.graphs, written.default, written.unknown) == (graphs, default, False)


@pytest.mark.parametrize(
    "update",
    [
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        "DROP ALL",
        "CLEAR NAMED",
        "INSERT DATA { GRAPH unknown:prefix { <urn:s> <urn:p> 1 } }",
        "SELECT * WHERE { ?s ?p ?o }",
    ],
)
def test_graphs_it_cannot_name_are_unknown(update: str) -> None:
    assert written_graphs(update).unknown


def test_article_graphs_are_told_from_the_store_s_own() -> None:
    assert article_stem(graph_iri("001_f70243738f423680")) == "001_f70243738f423680"
    assert article_stem(graph_iri("a b/c")) == "a b/c"  # percent-encoded in its IRI
    for own in (ENTITIES_GRAPH, DERIVED_GRAPH, SOURCES_GRAPH, "urn:x", G + "/more"):
        assert article_stem(own) is None


def test_what_a_write_touches(empty_store: GraphStore) -> None:
    """Articles' graphs name their articles; the entities or the derived graphs mean every
    article; a graph of the user's own counts only when it holds the ontology's terms (read
    alone: on a remote store, its own default graph through the Graph Store protocol)."""
    store = empty_store
    assert touched_by(store, Written({G})).stems == ["a1"]
    assert touched_by(store, Written({G, SOURCES_GRAPH})).stems == ["a1"]
    assert touched_by(store, Written({ENTITIES_GRAPH})).everything
    assert touched_by(store, Written({DERIVED_GRAPH})).everything
    assert touched_by(store, Written(unknown=True)).everything
    assert not touched_by(store, Written({"urn:mine"}, default=True)).everything
    claim_type = "<https://w3id.org/conflict-kg/ontology#claimType>"
    store.update(f"INSERT DATA {{ GRAPH <urn:mine> {{ <urn:c> {claim_type} 'control' }} }}")
    assert touched_by(store, Written({"urn:mine"})).everything
    assert not touched_by(store, Written(default=True)).everything
