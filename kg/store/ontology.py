"""The ontology and the SHACL shapes as the product loads them: the files of `ontology/` with
what `kg/data/claims.json` declares of the claim types added.

A new claim type is a rule and an entry in the declaration, so the parts of the ontology and
the shapes that name every type are made here from it: the class of each type's events (a
subclass of ckg:Event, labelled from its `class`, commented from its `describes`, naming the
type with ckg:claimTypeName), the disjointness of those classes, the range of ckg:claimType
(an owl:oneOf of the type names) and the values the shape ckgsh:claimTypeValue allows (sh:in).
What a type's class has beyond these (ckg:Control's subclasses) stays in conflict.ttl.
`kg validate`, `kg ontology` and the tests read the ontology and the shapes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, SH, BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from kg.claim_view import ClaimType, ClaimView, claim_view
from kg.resources import ontology_dir
from kg.vocab import ONTOLOGY, PREFIXES

ONTOLOGY_FILE = "conflict.ttl"
SHAPES_FILE = "shapes.ttl"
CKG = Namespace(ONTOLOGY)
CKGSH = Namespace("https://w3id.org/conflict-kg/shapes#")


def ontology_graph(view: ClaimView | None = None) -> Graph:
    """The whole ontology: conflict.ttl with the claim types of ``view`` (by default the
    declaration the product reads)."""
    graph = _parse(ONTOLOGY_FILE)
    graph += claim_type_terms(view or claim_view())
    return graph


def shapes_graph(view: ClaimView | None = None) -> Graph:
    """The whole shapes: shapes.ttl with the claim types ckgsh:claimTypeValue allows."""
    graph = _parse(SHAPES_FILE)
    graph += claim_type_shapes(view or claim_view())
    return graph


def claim_type_terms(view: ClaimView) -> Graph:
    """The ontology's triples that name the claim types: each type's class, their
    disjointness and the range of ckg:claimType."""
    graph = Graph()
    for t in view.types.values():
        cls = CKG[t.cls]
        graph.add((cls, RDF.type, OWL.Class))
        graph.add((cls, RDFS.subClassOf, CKG.Event))
        graph.add((cls, RDFS.label, Literal(class_label(t.cls), lang="en")))
        graph.add((cls, RDFS.comment, Literal(class_comment(t, view), lang="en")))
        graph.add((cls, CKG.claimTypeName, Literal(t.name)))
    if len(view.types) > 1:  # OWL asks two classes at least of AllDisjointClasses
        disjoint = BNode()
        graph.add((disjoint, RDF.type, OWL.AllDisjointClasses))
        graph.add((disjoint, OWL.members, _list(graph, (CKG[t.cls] for t in view.types.values()))))
    values = BNode()
    graph.add((CKG.claimType, RDFS.range, values))
    graph.add((values, RDF.type, RDFS.Datatype))
    graph.add((values, OWL.oneOf, _list(graph, (Literal(n) for n in view.type_names))))
    return graph


def claim_type_shapes(view: ClaimView) -> Graph:
    """The shapes' triples that name the claim types: ckgsh:claimTypeValue's sh:in and the
    message that lists them."""
    graph, shape = Graph(), CKGSH.claimTypeValue
    graph.add((shape, SH["in"], _list(graph, (Literal(n) for n in view.type_names))))
    message = f"ckg:claimType must be one of {', '.join(view.type_names)}"
    graph.add((shape, SH.message, Literal(message)))
    return graph


def class_label(name: str) -> str:
    """The label of a class from its local name: "CasualtyReport" is "Casualty report"."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)
    return " ".join([words[0], *(w if w.isupper() else w.lower() for w in words[1:])])


def class_comment(t: ClaimType, view: ClaimView) -> str:
    """The type's `describes` as a sentence, its fields named by their properties
    ("with `count`" says "with ckg:count")."""

    def term(match: re.Match[str]) -> str:
        field = view.fields.get(match.group(1))
        return field.prop if field is not None and field.prop else match.group(1)

    text = re.sub(r"`([^`]+)`", term, t.describes)
    return f'{text[:1].upper()}{text[1:]} (claim type "{t.name}").'


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, iri in {**PREFIXES, "sh": str(SH), "ckgsh": str(CKGSH)}.items():
        graph.bind(prefix, iri, override=True)
    return graph


def _parse(name: str) -> Graph:
    return bind_prefixes(Graph().parse(ontology_dir() / name, format="turtle"))


def _list(graph: Graph, items: Iterable[Node]) -> Node:
    """An rdf:List of the items in ``graph``; its head (rdf:nil when there are none)."""
    found = list(items)
    if not found:
        return RDF.nil
    head = BNode()
    Collection(graph, head, found)
    return head
