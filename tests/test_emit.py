"""Emission writes N-Quads text itself (no pyoxigraph term per node): the literals it writes
must read back exactly, and the lines must be the quads pyoxigraph would serialise."""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from kg.build import emitted
from kg.emit.graph import lit, text
from kg.read.articles import Article
from kg.vocab import ONTOLOGY, article_iri, graph_iri

AWKWARD = 'a "quoted" word, a back\\slash,\na new line,\r a return, a\ttab, \x00\x7f\b\f and Ḥalab'


def test_literals_read_back_exactly() -> None:
    for value in (AWKWARD, "", "plain"):
        line = f"<x:s> <x:p> {text(value)} <x:g> .\n".encode()
        (quad,) = ox.parse(line, format=ox.RdfFormat.N_QUADS)
        assert quad.object == ox.Literal(value)
    assert lit(True) == str(ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
    assert lit(12) == str(ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")))
    assert lit(AWKWARD) == str(ox.Literal(AWKWARD))  # as pyoxigraph serialises it


XSD = "http://www.w3.org/2001/XMLSchema#"


def test_an_article_with_awkward_metadata_is_emitted_as_parseable_quads() -> None:
    article = Article(
        "odd name\"'",
        "Nothing happened.",
        published=dt.date(2016, 3, 1),
        published_from="manifest",
        title=AWKWARD,
        url='http://example.org/a?b="c"',
    )
    done = emitted(article, [])
    quads = list(ox.parse(done.nquads, format=ox.RdfFormat.N_QUADS))
    assert len(quads) == done.triples
    node, graph = ox.NamedNode(article_iri(article.stem)), ox.NamedNode(graph_iri(article.stem))
    values = {q.predicate.value.removeprefix(ONTOLOGY): q.object for q in quads}
    assert all(q.graph_name == graph and q.subject == node for q in quads)
    assert values["http://purl.org/dc/terms/title"] == ox.Literal(AWKWARD)
    assert values["url"] == ox.Literal(article.url, datatype=ox.NamedNode(XSD + "anyURI"))
    assert values["published"] == ox.Literal("2016-03-01", datatype=ox.NamedNode(XSD + "date"))
    assert values["stem"] == ox.Literal(article.stem)
