"""Several articles per write transaction: the same quads as one article per write, each
article still whole or absent, a bad graph rejected while the rest of its batch lands."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEEDS

import kg.build
from kg.build import BuildReport, Extracted, Writer, build, extractor_version, read_all
from kg.emit import article_quads
from kg.extract.gazetteer import default_gazetteer
from kg.extract.run import extract_many
from kg.store import Store
from kg.vocab import ENTITIES_GRAPH, ONTOLOGY, article_iri, graph_iri


def one_update_per_article(store: Store, paths: list[Path]) -> None:
    """The write path before batches: pyoxigraph terms, `replace_graph` per article."""
    articles = read_all(paths, BuildReport())
    for article, claims in zip(articles, extract_many(articles), strict=True):
        quads, shared = article_quads(article, claims, default_gazetteer())
        version = ox.Quad(
            ox.NamedNode(article_iri(article.stem)),
            ox.NamedNode(ONTOLOGY + "extractorVersion"),
            ox.Literal(extractor_version()),
            ox.NamedNode(graph_iri(article.stem)),
        )
        store.replace_graph(graph_iri(article.stem), [*quads, version], shared)


def article_graphs(store: Store) -> set[str]:
    """The quads of the article graphs and the entities graph (not the control readings and
    contradictions a build adds after writing the articles)."""
    graphs = {graph_iri(p.stem) for p in SEEDS.glob("*.txt")} | {ENTITIES_GRAPH}
    return {str(q) for q in store.quads() if q.graph_name.value in graphs}


def test_batched_parallel_builds_store_the_same_quads_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Store(tmp_path / "before")
    one_update_per_article(before, [SEEDS])
    expected = article_graphs(before)
    assert len(expected) > 1000
    monkeypatch.setattr(kg.build, "PARALLEL_MIN_WORDS", 0)  # two worker processes
    monkeypatch.setattr(kg.build, "WRITE_BATCH", 2)  # batches of 2, 2 and 1 articles
    store = Store(tmp_path / "batched")
    report = build(store, [SEEDS], workers=2)
    assert report.ok and report.articles == 5
    found = article_graphs(store)
    assert found == expected, (sorted(expected - found)[:5], sorted(found - expected)[:5])
    # a rebuild replaces the stored graphs, again in batches (one update each)
    report = build(store, [SEEDS], workers=1, force=True)
    assert report.ok and report.articles == 5
    assert article_graphs(store) == expected


def extracted(stem: str, *values: str, tail: bytes = b"") -> Extracted:
    """An article graph of one triple per value (and ``tail`` appended to its N-Quads)."""
    subject, predicate = f"<{article_iri(stem)}>", f"<{ONTOLOGY}stem>"
    lines = "".join(f'{subject} {predicate} "{v}" <{graph_iri(stem)}> .\n' for v in values)
    return Extracted(stem, 0, lines.encode() + tail, len(values))


def stored(store: Store, stem: str) -> list[str]:
    return sorted(
        q.object.value for q in store.quads() if q.graph_name == ox.NamedNode(graph_iri(stem))
    )


def write(store: Store, *articles: Extracted, batch: int = 8) -> tuple[list[str], list[str]]:
    landed: list[str] = []
    rejected: list[str] = []
    writer = Writer(
        store, lambda d: landed.append(d.stem), lambda d, _: rejected.append(d.stem), batch=batch
    )
    for article in articles:
        writer.add(article)
    writer.flush()
    return landed, rejected


def test_a_bad_graph_is_rejected_whole_and_the_rest_of_its_batch_lands() -> None:
    store = Store()
    bad = extracted("bad", "first line is fine", tail=b"<x:s> <x:p> broken .\n")
    landed, rejected = write(store, extracted("a", "1"), bad, extracted("b", "2"))
    assert landed == ["a", "b"] and rejected == ["bad"]
    assert stored(store, "a") == ["1"] and stored(store, "b") == ["2"]
    assert stored(store, "bad") == []  # not its first line either


def test_a_batch_replaces_stored_graphs_whole() -> None:
    store = Store()
    write(store, extracted("a", "old 1", "old 2"))
    landed, _ = write(store, extracted("b", "new b"), extracted("a", "new a"))
    assert landed == ["b", "a"]
    assert stored(store, "a") == ["new a"] and stored(store, "b") == ["new b"]


def test_the_same_article_twice_in_a_batch_keeps_the_later() -> None:
    store = Store()
    landed, _ = write(store, extracted("a", "first"), extracted("b", "b"), extracted("a", "second"))
    assert landed == ["a", "b", "a"]
    assert stored(store, "a") == ["second"]


def described(label: str) -> bytes:
    """An entity description, as every article that names the entity carries it."""
    return f'<x:e> <x:label> "{label}" <{ENTITIES_GRAPH}> .\n'.encode()


def test_an_entity_description_is_written_once_a_build_and_kept_when_a_batch_fails() -> None:
    store, sent = Store(), []
    replace = store.replace_graphs
    store.replace_graphs = lambda graphs, nquads: (sent.append(nquads), replace(graphs, nquads))
    bad = extracted("bad", "x", tail=described("E") + b"<x:s> <x:p> broken .\n")
    landed, rejected = write(
        store,
        bad,  # fails with its batch: E is not counted as stored...
        extracted("a", "1", tail=described("E")),  # ...so a's own write carries it
        extracted("b", "2", tail=described("E")),  # b's does not: E was stored with a
        batch=2,
    )
    assert landed == ["a", "b"] and rejected == ["bad"]
    entities = [q for q in store.quads() if q.graph_name == ox.NamedNode(ENTITIES_GRAPH)]
    assert [q.object.value for q in entities] == ["E"]
    a_alone, b_batch = sent[2], sent[-1]
    assert described("E") in a_alone and described("E") not in b_batch
