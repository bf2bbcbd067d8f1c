"""The `GraphStore` protocol: both backends declare each of its calls with the same signature,
and answer them alike (each test here runs on a new embedded store and on a new SPARQL server,
conftest's `empty_store`); nothing outside `kg.store` reaches past it to pyoxigraph's handle."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT

from kg.errors import InputError, KGError, QueryError, StoreError
from kg.store import GraphStore, RemoteStore, Store
from kg.store.protocol import GraphStore as Declared
from kg.vocab import ONTOLOGY

G, H = "urn:kg:test:g", "urn:kg:test:h"
DEFAULT = ox.DefaultGraph()


def quad(s: str, o: str | int, graph: str | None = G) -> ox.Quad:
    obj = ox.Literal(str(o), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return ox.Quad(ox.NamedNode(s), ox.NamedNode("urn:kg:test:p"), obj, name)


def protocol_calls() -> list[str]:
    return [
        name
        for name, member in vars(Declared).items()
        if callable(member) and (not name.startswith("_") or name == "__len__")
    ]


@pytest.mark.parametrize("backend", [Store, RemoteStore])
@pytest.mark.parametrize("name", protocol_calls())
def test_each_backend_declares_the_call_as_the_protocol_does(backend: type, name: str) -> None:
    assert inspect.signature(getattr(backend, name)) == inspect.signature(getattr(Declared, name))


def test_the_protocol_declares_every_public_call_of_both_backends() -> None:
    """A call one backend adds is in the protocol, or code using it ties itself to one."""
    declared = set(protocol_calls()) | set(Declared.__annotations__)
    own = {"oxigraph", "recover", "url", "endpoints", "timeout"}  # construction and internals
    for backend in (Store, RemoteStore):
        public = {n for n in dir(backend) if not n.startswith("_")}
        assert public - declared - own == set(), backend


def test_capabilities(empty_store: GraphStore) -> None:
    assert isinstance(empty_store, GraphStore)
    embedded = isinstance(empty_store, Store)
    assert empty_store.bulk_load is embedded and (empty_store.path is not None) is embedded
    assert (empty_store.journal("kg-x") is not None) is embedded
    assert empty_store.recovered == [] and not empty_store.read_only


def test_graphs_are_replaced_whole(empty_store: GraphStore) -> None:
    store = empty_store
    assert not store.has_graph(G) and len(store) == 0
    assert store.replace_graph(G, [quad("urn:a", 1), quad("urn:b", 2)]) == 2
    assert store.replace_graph(G, [quad("urn:c", 3)], shared=[quad("urn:e", 4, H)]) == 2
    assert store.has_graph(G) and store.named_graphs() == [G, H]
    assert [q.subject.value for q in store.graph_quads(ox.NamedNode(G))] == ["urn:c"]
    nquads = (ox.serialize([quad("urn:d", 5)], format=ox.RdfFormat.N_QUADS) or b"")
    store.replace_graphs([G], nquads, minted=True)
    assert [q.subject.value for q in store.graph_quads(ox.NamedNode(G))] == ["urn:d"]
    with pytest.raises(InputError):
        store.replace_graphs([G], b"<urn:x> <urn:p> .\n")
    assert len(store) == 2  # the malformed write changed nothing
    store.drop_graph(G)
    assert not store.has_graph(G) and store.named_graphs() == [H]


def test_added_quads_and_loaded_documents(empty_store: GraphStore) -> None:
    store = empty_store
    store.add([quad("urn:a", 1), quad("urn:b", 2, None)])
    store.add_in_bulk([quad("urn:c", 3, H)])
    store.load(b"<urn:d> <urn:kg:test:p> 4 .", ox.RdfFormat.TURTLE)
    store.load(b"<e> <urn:kg:test:p> 5 .", ox.RdfFormat.TRIG, base_iri="http://h/x/")
    with pytest.raises(InputError):
        store.load(b"<urn:d> <urn:kg:test:p>", ox.RdfFormat.TURTLE)
    assert {q.subject.value for q in store.graph_quads(DEFAULT)} == {"urn:b", "urn:d", "http://h/x/e"}
    assert {str(q) for q in store.quads()} == {
        str(quad(s, o, g))
        for s, o, g in [
            ("urn:a", 1, G),
            ("urn:b", 2, None),
            ("urn:c", 3, H),
            ("urn:d", 4, None),
            ("http://h/x/e", 5, None),
        ]
    }
    assert len(store) == 5


def test_updates_declare_kg_s_prefixes_and_resolve_against_a_base(empty_store: GraphStore) -> None:
    store = empty_store
    store.update("INSERT DATA { GRAPH <g> { <s> ckg:claimType 'control' } }", "http://h/x/")
    assert store.named_graphs() == ["http://h/x/g"]
    row = store.select("SELECT ?s WHERE { ?s ckg:claimType ?t }")
    assert row == [{"s": ox.NamedNode("http://h/x/s")}]
    with pytest.raises(QueryError):
        store.update("INSERT DATA {")
    store.update("CREATE GRAPH <urn:kg:test:empty>")
    assert store.has_graph("urn:kg:test:empty")
    with pytest.raises(KGError):  # the graph exists: the whole update fails
        store.update("INSERT DATA { <urn:a> <urn:b> 1 } ; CREATE GRAPH <urn:kg:test:empty>")
    assert not list(store.graph_quads(DEFAULT))


def test_queries_bind_terms_and_read_datasets(empty_store: GraphStore) -> None:
    store = empty_store
    store.add([quad("urn:a", 1), quad("urn:b", 2, H)])
    both = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    assert [r["s"].value for r in store.select(both)] == ["urn:a", "urn:b"]  # the union
    bound = store.select("SELECT ?s ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode("urn:b")})
    assert [r["o"].value for r in bound] == ["2"]
    assert [r["s"].value for r in store.query(both, default_graph=[H])] == ["urn:b"]
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert [r["g"].value for r in store.query(named, named_graphs=[G])] == [G]
    assert bool(store.query("ASK { <urn:a> ?p ?o }"))
    with pytest.raises(QueryError):
        store.select("SELECT WHERE {")


def test_asking_one_graph_alone(empty_store: GraphStore) -> None:
    store = empty_store
    store.add([quad("urn:a", 1), quad("urn:b", 2, None)])
    store.update(f"INSERT DATA {{ GRAPH <{H}> {{ <urn:c> <{ONTOLOGY}claimType> 'x' }} }}")
    terms = f'ASK {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), "{ONTOLOGY}")) }}'
    assert store.ask_graph(terms, ox.NamedNode(H))
    assert not store.ask_graph(terms, ox.NamedNode(G))
    assert not store.ask_graph(terms, DEFAULT)  # its own default graph, not the union
    assert store.ask_graph("ASK { <urn:b> ?p 2 }", DEFAULT)
    assert not store.ask_graph("ASK { <urn:b> ?p 2 }", ox.NamedNode(G))


def oxigraph_handles(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("oxigraph", "_ox"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_nothing_outside_the_store_package_reaches_pyoxigraph_s_handle() -> None:
    """`.oxigraph` is the embedded backend's own: code elsewhere calls GraphStore methods,
    which a remote store answers too (tests of the embedded backend may use it)."""
    outside = [
        where
        for folder in ("kg", "server", "bench")
        for where in oxigraph_handles(ROOT / folder)
        if not where.startswith("kg/store/")
    ]
    assert outside == []


def test_a_read_only_store_refuses_every_write(seeds_on: GraphStore) -> None:
    before = len(seeds_on)
    for write in (
        lambda: seeds_on.update("INSERT DATA { <urn:a> <urn:b> 1 }"),
        lambda: seeds_on.add([quad("urn:a", 1)]),
        lambda: seeds_on.replace_graph(G, [quad("urn:a", 1)]),
        lambda: seeds_on.drop_graph(seeds_on.named_graphs()[0]),
    ):
        with pytest.raises(StoreError, match="read-only"):
            write()
    assert seeds_on.read_only and len(seeds_on) == before
