"""Validation: the ontology under an OWL reasoner, and the stored data under SHACL shapes.

Two checks, one report. HermiT (through owlready2) proves the ontology consistent with every
class satisfiable; pySHACL checks the union of the store's graphs against the shapes. Both are
read through ``kg.store.ontology``: ``ontology/conflict.ttl`` and ``ontology/shapes.ttl`` with the
claim types of ``kg/data/claims.json``. The reasoner sees the ontology only: the data is
checked by the shapes, which are fast and say which node broke which rule, where a reasoner
would only say "inconsistent".
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import owlready2  # type: ignore[import-untyped]
import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.store import GraphStore, triple_lines
from kg.store.ontology import bind_prefixes, ontology_graph, shapes_graph
from kg.vocab import PREFIXES


@dataclass(frozen=True)
class Violation:
    """One broken rule: the node, the property path (or ""), and what is wrong."""

    focus: str
    path: str
    message: str

    def line(self) -> str:
        return f"{self.focus}  {self.path or '-'}  {self.message}"


@dataclass
class Report:
    """The outcome of a check: ``ok`` and a human-readable ``text``, one violation a line."""

    ok: bool
    text: str
    violations: list[Violation] = field(default_factory=list)

    @classmethod
    def of(cls, title: str, violations: Iterable[Violation]) -> Report:
        found = sorted(set(violations), key=lambda v: (v.focus, v.path, v.message))
        if not found:
            return cls(True, f"{title}: ok", [])
        lines = [f"{title}: {len(found)} violation(s)"] + [f"  {v.line()}" for v in found]
        return cls(False, "\n".join(lines), found)

    def __add__(self, other: Report) -> Report:
        text = f"{self.text}\n{other.text}"
        return Report(self.ok and other.ok, text, self.violations + other.violations)


# -- files -----------------------------------------------------------------------------------
def load_graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


# -- (a) the ontology under HermiT -------------------------------------------------------------
def check_ontology(extra: Graph | None = None) -> Report:
    """Run HermiT over the ontology (plus ``extra`` triples, if given): the one
    ``kg.store.ontology`` gives, with the claim types of the declaration the product reads.

    Reports inconsistency and every unsatisfiable class; a missing Java is reported too,
    since without it nothing was proved.
    """
    graph = ontology_graph()
    if extra is not None:
        graph += extra
    return Report.of("OWL reasoner (HermiT)", _reason(graph))


def _reason(graph: Graph) -> list[Violation]:
    world = owlready2.World()  # a private world: repeated checks never see each other
    try:
        _load_into(world, graph)
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        return [_unsatisfiable(iri) for iri in _inconsistent_classes(world)]
    except owlready2.OwlReadyInconsistentOntologyError:
        return [Violation("ontology", "", "The ontology is inconsistent (HermiT)")]
    except (owlready2.OwlReadyJavaError, OSError) as exc:
        hint = "install Java 17 (owlready2 runs HermiT with `java`)"
        return [Violation("ontology", "", f"HermiT could not run: {_first_line(exc)}; {hint}")]
    finally:
        world.close()


def _load_into(world: owlready2.World, graph: Graph) -> None:
    # owlready2 reads RDF/XML and N-Triples, not Turtle.
    data = graph.serialize(format="nt", encoding="utf-8")
    world.get_ontology("https://w3id.org/conflict-kg/ontology").load(
        fileobj=io.BytesIO(data), format="ntriples"
    )


def _inconsistent_classes(world: owlready2.World) -> list[str]:
    return [c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing]


def _unsatisfiable(iri: str) -> Violation:
    return Violation(_compact(iri), "", "Unsatisfiable class: it can have no instances")


def _first_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[-1] if lines else type(exc).__name__


# -- (b) the data under SHACL ------------------------------------------------------------------
def check_data(data: Graph) -> Report:
    """Validate ``data`` against the shapes, with the ontology's class hierarchy mixed in."""
    _conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",  # RDFS would derive the very types the shapes check
        abort_on_first=False,
        allow_warnings=True,
    )
    return Report.of("SHACL shapes", _violations(results))


def _violations(results: Graph) -> list[Violation]:
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(result, SH.resultSeverity) != SH.Violation:
            continue
        found.append(_violation(results, result))
    return found


def _violation(results: Graph, result: Node) -> Violation:
    focus = _show(results.value(result, SH.focusNode))
    path = _show(results.value(result, SH.resultPath))
    message = str(results.value(result, SH.resultMessage) or "violates a shape")
    value = results.value(result, SH.value)
    if value is not None and _show(value) != focus:
        message += f" (value: {_show(value)})"
    return Violation(focus, path, message)


def _show(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return _compact(str(node))
    return node.n3(_NAMES.namespace_manager)  # literals and blank nodes


_NAMES = bind_prefixes(Graph())


def _compact(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


# -- the store ---------------------------------------------------------------------------------
def store_graph(store: GraphStore) -> Graph:
    """The union of the store's graphs as one rdflib graph (what queries see by default)."""
    return bind_prefixes(Graph().parse(data=triple_lines(store.quads()), format="nt"))


def validate_store(store: GraphStore, reason: bool = True) -> Report:
    """The ontology under HermiT (unless ``reason`` is False), then the data under SHACL."""
    report = check_data(store_graph(store))
    return check_ontology() + report if reason else report
