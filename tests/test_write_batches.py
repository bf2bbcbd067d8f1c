"""Several articles per write transaction: the same quads as one article per write, each
article still whole or absent, a bad graph rejected while the rest of its batch lands; new
graphs bulk-loaded into a store on disk, and dropped whole if the load is cut short."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import SEEDS

import kg.build
from kg.build import (
    UNREFRESHED_FILE,
    BuildReport,
    Extracted,
    Writer,
    build,
    extractor_version,
    read_all,
)
from kg.emit.graph import article_quads
from kg.errors import StoreError
from kg.extract.gazetteer import default_gazetteer
from kg.extract.run import extract_many
from kg.store import Store
from kg.store.embedded import PENDING_FILE
from kg.vocab import DERIVED_GRAPH, ENTITIES_GRAPH, ONTOLOGY, article_iri, graph_iri


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


def extracted(stem: str, *values: str, tail: bytes = b"", shared: bytes = b"") -> Extracted:
    """An article graph of one triple per value (and ``tail`` appended to its N-Quads), with
    the entity descriptions ``shared``."""
    subject, predicate = f"<{article_iri(stem)}>", f"<{ONTOLOGY}stem>"
    lines = "".join(f'{subject} {predicate} "{v}" <{graph_iri(stem)}> .\n' for v in values)
    return Extracted(stem, 0, lines.encode() + tail, len(values), shared)


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


@pytest.fixture(params=["memory", "disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An in-memory store (transactional loads) or one on disk (new graphs bulk-loaded)."""
    return Store() if request.param == "memory" else Store(tmp_path / "store")


def test_a_bad_graph_is_rejected_whole_and_the_rest_of_its_batch_lands(store: Store) -> None:
    bad = extracted("bad", "first line is fine", tail=b"<x:s> <x:p> broken .\n")
    landed, rejected = write(store, extracted("a", "1"), bad, extracted("b", "2"))
    assert landed == ["a", "b"] and rejected == ["bad"]
    assert stored(store, "a") == ["1"] and stored(store, "b") == ["2"]
    assert stored(store, "bad") == []  # not its first line either


def test_a_batch_replaces_stored_graphs_whole(store: Store) -> None:
    write(store, extracted("a", "old 1", "old 2"))
    landed, _ = write(store, extracted("b", "new b"), extracted("a", "new a"))
    assert landed == ["b", "a"]
    assert stored(store, "a") == ["new a"] and stored(store, "b") == ["new b"]


def test_the_same_article_twice_in_a_batch_keeps_the_later(store: Store) -> None:
    landed, _ = write(store, extracted("a", "first"), extracted("b", "b"), extracted("a", "second"))
    assert landed == ["a", "b", "a"]
    assert stored(store, "a") == ["second"]


def described(label: str) -> bytes:
    """An entity description, as every article that names the entity carries it."""
    return f'<x:e> <x:label> "{label}" <{ENTITIES_GRAPH}> .\n'.encode()


def test_an_entity_description_is_written_once_a_build_and_kept_when_a_batch_fails() -> None:
    store, sent = Store(), []
    replace = store.replace_graphs
    store.replace_graphs = lambda graphs, nquads, **kw: (  # type: ignore[method-assign]
        sent.append(nquads),
        replace(graphs, nquads, **kw),
    )
    bad = extracted("bad", "x", tail=b"<x:s> <x:p> broken .\n", shared=described("E"))
    landed, rejected = write(
        store,
        bad,  # fails with its batch: E is not counted as stored...
        extracted("a", "1", shared=described("E")),  # ...so a's own write carries it
        extracted("b", "2", shared=described("E")),  # b's does not: E was stored with a
        batch=2,
    )
    assert landed == ["a", "b"] and rejected == ["bad"]
    entities = [q for q in store.quads() if q.graph_name == ox.NamedNode(ENTITIES_GRAPH)]
    assert [q.object.value for q in entities] == ["E"]
    a_alone, b_batch = sent[2], sent[-1]
    assert described("E") in a_alone and described("E") not in b_batch


def nquads(*articles: Extracted) -> tuple[list[str], bytes]:
    return [graph_iri(a.stem) for a in articles], b"".join(a.nquads for a in articles)


def test_new_graphs_are_bulk_loaded_with_the_quads_a_transaction_writes(tmp_path: Path) -> None:
    articles = [extracted(s, *(f"{s}{i}" for i in range(50)), tail=described("E")) for s in "abc"]
    graphs, data = nquads(*articles)
    memory, disk = Store(), Store(tmp_path / "store")
    memory.replace_graphs(graphs, data)  # one transactional load
    bulk_loads: list[int] = []
    disk._ox = Spy(disk.oxigraph, bulk_loads)
    disk.replace_graphs(graphs, data)
    assert bulk_loads == [len(data.splitlines())]  # the bulk path was taken
    assert {str(q) for q in disk.quads()} == {str(q) for q in memory.quads()}
    assert len(disk) == 3 * 50 + 1
    assert not (tmp_path / "store" / PENDING_FILE).exists()
    # a graph the store has is replaced by an update, not bulk-loaded beside its old quads
    disk.replace_graphs([graph_iri("a")], extracted("a", "new").nquads)
    assert bulk_loads == [len(data.splitlines())]
    assert stored(disk, "a") == ["new"] and len(stored(disk, "b")) == 50


class Spy:
    """A pyoxigraph store whose ``bulk_load`` is watched; ``cut`` makes it write only the first
    half of its quads, then call ``cut`` (which raises, or ends the process)."""

    def __init__(self, inner: ox.Store, calls: list[int], cut: Any = None) -> None:
        self.inner, self.calls, self.cut = inner, calls, cut

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)

    def bulk_load(self, data: bytes, format: ox.RdfFormat, lenient: bool = False) -> None:
        lines = data.splitlines(keepends=True)
        self.calls.append(len(lines))
        if self.cut is None:
            return self.inner.bulk_load(data, format=format, lenient=lenient)
        self.inner.bulk_load(b"".join(lines[: len(lines) // 2]), format=format, lenient=lenient)
        self.inner.flush()
        self.cut()


def test_a_bulk_load_that_fails_midway_drops_its_graphs_whole(tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    store.replace_graphs(*nquads(extracted("kept", "1", "2")))

    def fail() -> None:
        raise OSError("disk full")

    store._ox = Spy(store.oxigraph, [], cut=fail)
    with pytest.raises(StoreError, match="disk full"):
        store.replace_graphs(*nquads(extracted("a", "1", "2", "3"), extracted("b", "4")))
    assert stored(store, "a") == [] and stored(store, "b") == []  # not half of a
    assert stored(store, "kept") == ["1", "2"]
    assert not (tmp_path / "store" / PENDING_FILE).exists()


KILLED_MIDWAY = """
import os, sys
sys.path[:0] = {paths!r}
from test_write_batches import Spy, extracted, nquads
from kg.store import Store
store = Store({store!r})
store.replace_graphs(*nquads(extracted("kept", "1", "2")))
store._ox = Spy(store.oxigraph, [], cut=lambda: os._exit(3))
store.replace_graphs(*nquads(extracted("a", "1", "2", "3"), extracted("b", "4")))
"""


def test_a_bulk_load_killed_midway_is_dropped_whole_at_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    paths = [str(Path(__file__).parent), str(Path(__file__).parent.parent)]
    script = textwrap.dedent(KILLED_MIDWAY).format(paths=paths, store=str(path))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert done.returncode == 3, done.stderr.decode()
    assert (path / PENDING_FILE).exists()
    reader = Store(path, read_only=True)  # a reader cannot drop them, and opens all the same
    assert stored(reader, "a") == ["1", "2"]  # the half the load wrote before the process died
    del reader
    store = Store(path)  # the next open for writing drops them
    assert store.recovered == [graph_iri("a"), graph_iri("b")]
    assert stored(store, "a") == [] and stored(store, "b") == []
    assert stored(store, "kept") == ["1", "2"]
    assert not (path / PENDING_FILE).exists()
    # the build that opened it says so
    seed = sorted(SEEDS.glob("*.txt"))[0]
    assert any("dropped 2 article graphs" in n for n in build(store, [seed]).notes)
    del store
    assert Store(path).recovered == []


def test_new_articles_go_to_a_store_on_disk_in_loads_of_many_quads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kg.build, "BULK_QUADS", 5)
    store, sent = Store(tmp_path / "store"), []
    replace = store.replace_graphs
    store.replace_graphs = lambda graphs, data, **kw: (  # type: ignore[method-assign]
        sent.append(len(graphs)),
        replace(graphs, data, **kw),
    )
    landed, _ = write(store, *(extracted(s, "1", "2") for s in "abcdef"), batch=2)
    assert sent == [3, 3] and landed == list("abcdef")  # 5 quads or more a load
    sent.clear()
    landed, _ = write(store, *(extracted(s, "new") for s in "abcd"), batch=2)
    assert sent == [2, 2] and stored(store, "d") == ["new"]  # stored graphs: `batch` a write
    # new and stored articles in turn: each run is written its own way, in input order
    sent.clear()
    mixed = [extracted(s, "x") for s in ["g", "h", "a", "b", "i"]]
    landed, _ = write(store, *mixed, batch=8)
    assert sent == [2, 2, 1] and landed == ["g", "h", "a", "b", "i"]
    assert stored(store, "a") == ["x"] and stored(store, "g") == ["x"]


def derived(store: Store) -> set[str]:
    return {str(q) for q in store.quads() if q.graph_name == ox.NamedNode(DERIVED_GRAPH)}


def test_a_build_cut_short_before_its_refresh_is_refreshed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = Store(tmp_path / "whole")
    assert build(whole, [SEEDS]).ok
    expected = derived(whole)
    assert any("readingClaim" in q for q in expected)

    def cut(*_: Any, **__: Any) -> None:
        raise KeyboardInterrupt  # the articles are written, nothing derived from them yet

    store = Store(tmp_path / "store")
    monkeypatch.setattr(kg.build, "refresh_derived", cut)
    with pytest.raises(KeyboardInterrupt):
        build(store, [SEEDS])
    monkeypatch.undo()
    assert (tmp_path / "store" / UNREFRESHED_FILE).exists()
    assert not any("readingClaim" in q for q in derived(store))
    report = build(store, [SEEDS])  # every article unchanged: nothing to extract
    assert report.ok and report.unchanged == 5 and report.articles == 0
    assert derived(store) == expected
    assert not (tmp_path / "store" / UNREFRESHED_FILE).exists()
