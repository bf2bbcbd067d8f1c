"""SPARQL text the store layer writes: the data blocks of updates, version marks, and the
binding of parameters in a stored query's text.

The embedded store and a remote SPARQL server take the same text, so what a build or a refresh
writes is built here once, whichever store it goes to. The data blocks (``INSERT DATA``,
``DELETE DATA``) are written here, being quads serialised by pyoxigraph; every other text is a
file of the library's SPARQL (`kg.store.queries`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.store.queries import blanked, load
from kg.vocab import XSD_INTEGER

Term = ox.NamedNode | ox.BlankNode | ox.Literal
MARK, MARK_DROP = load("kg.store", "version_mark"), load("kg.store", "version_mark_drop")
DROP_GRAPH = load("kg.store", "drop_graph")


def triple_lines(triples: Iterable[Any]) -> str:
    """Triples (or quads, their graph left out) as the lines of an INSERT DATA block."""
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


@dataclass(frozen=True)
class VersionMark:
    """The shape of the derived data a graph holds: ``<graph> <predicate> N`` in the graph
    itself, written last when that data is computed whole. A build on a store without the
    current mark computes it whole."""

    graph: str
    predicate: str
    version: int

    @property
    def quad(self) -> ox.Quad:
        g = ox.NamedNode(self.graph)
        number = ox.Literal(str(self.version), datatype=XSD_INTEGER)
        return ox.Quad(g, ox.NamedNode(self.predicate), number, g)

    def insert(self) -> str:
        """The SPARQL update that writes the mark."""
        return insert_data([self.quad])

    def drop(self) -> str:
        """The SPARQL update that takes the mark out, of whatever version."""
        return MARK_DROP(graph=self.graph, mark=self.predicate)

    def holds(self, store: Any) -> bool:
        """Whether ``store`` (a GraphStore) has the mark of this version."""
        query = MARK(graph=self.graph, mark=self.predicate)
        return any(r["version"].value == str(self.version) for r in store.select(query))


def replace_graph_update(
    graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()
) -> tuple[str, int]:
    """One SPARQL update that drops ``graph`` and inserts ``quads`` into it (whatever graph
    they name) and ``shared`` into the graphs they name; and the number of quads."""
    blocks: dict[str, list[Any]] = {str(ox.NamedNode(graph)): list(quads)}
    for name, found in by_graph(shared).items():  # shared quads keep the graph they name
        blocks.setdefault(name, []).extend(found)
    return drop_and_insert([graph], blocks), sum(map(len, blocks.values()))


def by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """Quads by the graph they name (serialised), in order."""
    blocks: dict[str, list[ox.Quad]] = {}
    for q in quads:
        blocks.setdefault(str(q.graph_name), []).append(q)
    return blocks


def replace_graphs_update(graphs: list[str], nquads: bytes) -> str:
    """One SPARQL update that drops ``graphs`` and inserts the quads of ``nquads`` (N-Quads)
    into the graphs they name."""
    return drop_and_insert(graphs, by_graph(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))


DEFAULT = str(ox.DefaultGraph())  # the default graph's key in ``by_graph``


def drop_and_insert(graphs: list[str], blocks: Mapping[str, list[Any]]) -> str:
    """Drop ``graphs``, then insert each block's triples into the graph it is keyed by."""
    drops = "".join(f"{drop_graph(graph)} ;\n" for graph in graphs)
    return f"{drops}INSERT DATA {{\n{data(blocks)}\n}}"


def drop_graph(graph: str) -> str:
    """The update that empties a named graph."""
    return DROP_GRAPH(graph=graph)


def data(blocks: Mapping[str, list[Any]]) -> str:
    """The body of an INSERT DATA or DELETE DATA: each block's triples in a GRAPH block of the
    graph it is keyed by (serialised), those of the store's own default graph as they are."""
    return "\n".join(
        triple_lines(found) if name == DEFAULT else f"GRAPH {name} {{\n{triple_lines(found)}\n}}"
        for name, found in blocks.items()
    )


def insert_data(quads: Iterable[ox.Quad]) -> str:
    """The update that adds these quads to the graphs they name."""
    return f"INSERT DATA {{\n{data(by_graph(quads))}\n}}"


def delete_data(quads: Iterable[ox.Quad]) -> str:
    """The update that takes these quads out of the graphs they name."""
    return f"DELETE DATA {{\n{data(by_graph(quads))}\n}}"


def some(graphs: list[str]) -> str:
    """Graphs named in a message: the first, and how many more."""
    more = f" and {len(graphs) - 1} more" if len(graphs) > 1 else ""
    return f"graph {graphs[0]}{more}"


# a comment line, and the opening of a WHERE group (where a VALUES block goes)
COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.M)
WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.I)


def with_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Bind parameters as RDF terms for a server without substitutions: a one-row VALUES
    block opens the WHERE group, so every pattern and filter of the group sees the terms."""
    if not bindings:
        return sparql
    blanked = COMMENT_LINE.sub(lambda m: " " * len(m.group()), sparql)
    found = WHERE_OPEN.search(blanked)
    at = found.end() if found else blanked.index("{") + 1
    names = " ".join(f"?{k}" for k in bindings)
    row = " ".join(str(v) for v in bindings.values())
    return f"{sparql[:at]}\n  VALUES ({names}) {{ ({row}) }}\n{sparql[at:]}"


def dataset_params(default_graph: list[str] | None, named_graphs: list[str] | None) -> str:
    pairs = [("default-graph-uri", g) for g in default_graph or []]
    pairs += [("named-graph-uri", g) for g in named_graphs or []]
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def where_group_end(sparql: str) -> int:
    """The offset of the `}` that closes the query's WHERE group."""
    text = blanked(sparql)
    found = WHERE_OPEN.search(text)
    if found is None:
        raise QueryError("The query needs a WHERE clause to bind its parameters in")
    depth = 1
    for at in range(found.end(), len(text)):
        depth += {"{": 1, "}": -1}.get(text[at], 0)
        if depth == 0:
            return at
    raise QueryError("The query's WHERE group is not closed")


def bind_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """The query with each binding in a VALUES block: a one-variable block the text already
    has for it (an example binding) gets the bound term instead; the others go in one block
    at the end of the WHERE group, where every pattern and filter of the group sees them.
    The terms are serialised by pyoxigraph, so no text of a value can change the query."""
    rest: dict[str, Term] = {}
    for name, term in bindings.items():
        block = re.compile(rf"\bVALUES\s+\?{re.escape(name)}\s*\{{[^{{}}]*\}}", re.I)
        found = block.search(blanked(sparql))
        if found is None:
            rest[name] = term
        else:
            sparql = f"{sparql[: found.start()]}VALUES ?{name} {{ {term} }}{sparql[found.end() :]}"
    if rest:
        at = where_group_end(sparql)
        names = " ".join(f"?{k}" for k in rest)
        row = " ".join(str(v) for v in rest.values())
        sparql = f"{sparql[:at]}  VALUES ({names}) {{ ({row}) }}\n{sparql[at:]}"
    return sparql


def select_variables(sparql: str) -> list[str]:
    """The variables a SELECT projects, in order: bare ones and those of `(... AS ?x)`."""
    text = blanked(sparql)
    found = re.search(r"\bSELECT\b(.*?)\bWHERE\b", text, re.I | re.S)
    if found is None:
        raise QueryError("Not a SELECT query with a WHERE clause")
    clause = re.sub(r"\((?:[^()]|\([^()]*\))*\bAS\s+\?(\w+)\s*\)", r"?\1", found.group(1))
    return re.findall(r"[?$](\w+)", clause)
