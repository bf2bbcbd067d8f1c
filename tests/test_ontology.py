"""The ontology (rdflib, HermiT) and the SHACL shapes over a real store. The ontology and the
shapes are read as the product reads them (`kg.store.ontology`: the files of `ontology/` with the
claim types of kg/data/claims.json)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, to_isomorphic

from kg.claim_view import claim_view
from kg.derived import DERIVED, GRAPHS
from kg.resources import derived_ontology_path, ontology_dir
from kg.store import Store
from kg.store.ontology import ontology_graph, shapes_graph
from kg.store.validate import Report, check_data, check_ontology, store_graph, validate_store

CKG = Namespace("https://w3id.org/conflict-kg/ontology#")
GRAPH = "https://w3id.org/conflict-kg/id/graph/t1"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs java")

PREFIXES = """
@prefix ckg: <https://w3id.org/conflict-kg/ontology#> .
@prefix id: <https://w3id.org/conflict-kg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

# A small, valid article: one control claim reported by AP citing SOHR.
VALID = """
id:article\\/t1 a ckg:Article ;
    ckg:stem "t1" ;
    dcterms:title "Summary" ;
    ckg:publisher id:entity\\/ap ;
    ckg:url "https://example.org/t1"^^xsd:anyURI ;
    ckg:published "2017-11-13"^^xsd:date ;
    ckg:publishedFrom "manifest" .

id:claim\\/t1\\/s0\\/c0 a ckg:Claim ;
    ckg:claimType "control" ;
    ckg:inArticle id:article\\/t1 ;
    ckg:sentenceIndex 0 ;
    ckg:sentenceText "ISIS retook Boukamal on Saturday, AP said, citing SOHR." ;
    ckg:claimant id:entity\\/sohr ;
    ckg:reportedBy id:entity\\/ap, id:entity\\/sohr ;
    ckg:reportingStep [ a ckg:ReportingStep ; ckg:position 1 ; ckg:reporter id:entity\\/ap ] ,
                      [ a ckg:ReportingStep ; ckg:position 2 ; ckg:reporter id:entity\\/sohr ] ;
    ckg:hedged false ;
    ckg:contested false ;
    ckg:dateText "on Saturday" ;
    ckg:about id:event\\/e1 .

id:event\\/e1 a ckg:ControlChange ;
    ckg:place id:entity\\/abu-kamal ;
    ckg:agent id:entity\\/isis ;
    ckg:controller id:entity\\/isis ;
    ckg:start "2017-11-11"^^xsd:date ;
    ckg:end "2017-11-11"^^xsd:date ;
    ckg:orderInDay 0 .

id:entity\\/abu-kamal a ckg:Town ;
    rdfs:label "Abu Kamal" ;
    skos:altLabel "Boukamal" ;
    ckg:partOf id:entity\\/deir-ez-zor ;
    skos:exactMatch <http://www.wikidata.org/entity/Q152828> .
id:entity\\/deir-ez-zor a ckg:Province ; rdfs:label "Deir ez-Zor Governorate" .
id:entity\\/isis a ckg:ArmedGroup ; rdfs:label "Islamic State" .
id:entity\\/ap a ckg:NewsAgency ; rdfs:label "Associated Press" .
id:entity\\/sohr a ckg:Monitor ; rdfs:label "Syrian Observatory for Human Rights" .
"""

# (name, text to replace in VALID, replacement, what the report must say)
BROKEN = [
    ("missing claimType", 'ckg:claimType "control" ;', "", "exactly one ckg:claimType"),
    ("bad claimType", '"control"', '"capture"', "claimType must be one of"),
    ("start after end", 'ckg:start "2017-11-11"', 'ckg:start "2017-11-12"', "start is after"),
    (
        "non-Q wikidata link",
        "<http://www.wikidata.org/entity/Q152828>",
        "<http://www.wikidata.org/entity/P17>",
        "Wikidata item IRI",
    ),
    ("negative count", "ckg:orderInDay 0 .", "ckg:orderInDay 0 ; ckg:count -3 .", "non-negative"),
    ("step position 0", "ckg:position 1 ;", "ckg:position 0 ;", "ckg:position"),
    ("shared position", "ckg:position 2 ;", "ckg:position 1 ;", "share position"),
    (
        "claimant not an actor",
        "ckg:claimant id:entity\\/sohr",
        "ckg:claimant id:event\\/e1",
        "Actor",
    ),
    ("string date", '"2017-11-13"^^xsd:date', '"13 Nov 2017"', "xsd:date"),
    (
        "town that is an actor",
        "id:entity\\/abu-kamal a ckg:Town",
        "id:entity\\/abu-kamal a ckg:Town, ckg:ArmedGroup",
        "disjoint",
    ),
]


def _quads(turtle: str) -> list[ox.Quad]:
    graph = ox.NamedNode(GRAPH)
    triples = ox.parse(PREFIXES + turtle, format=ox.RdfFormat.TURTLE)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in triples]


def _store(tmp_path: Path, turtle: str) -> Store:
    store = Store(tmp_path / "store")
    store.replace_graph(GRAPH, _quads(turtle))
    return store


def _ontology() -> Graph:
    return ontology_graph()


def _derived() -> Graph:
    return Graph().parse(derived_ontology_path(), format="turtle")


def _model_terms() -> set[str]:
    """Every ckg:, dcterms:, skos: and rdfs: term used in MODEL.md's Turtle example."""
    text = (ontology_dir() / "MODEL.md").read_text()
    example = re.search(r"```turtle\n(.*?)```", text, re.S)
    assert example, "MODEL.md lost its Turtle example"
    return set(re.findall(r"\b((?:ckg|dcterms|skos|rdfs):[A-Za-z]+)\b", example.group(1)))


def _iri(term: str) -> URIRef:
    prefix, local = term.split(":")
    namespaces = {
        "ckg": str(CKG),
        "dcterms": "http://purl.org/dc/terms/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "rdfs": str(RDFS),
    }
    return URIRef(namespaces[prefix] + local)


# The properties the extractor emits (MODEL.md), named here too so a lost one fails by name.
PROPERTIES = """claimType inArticle sentenceIndex sentenceText itemHeadline claimant reportedBy
reportingStep position reporter hedged contested contradicts dateText dateUnresolved about
place agent target controller start end orderInDay count countQualifier victims side partOf
stem publisher url published publishedFrom""".split()


# -- the ontology as RDF -----------------------------------------------------------------------
def test_ontology_declares_every_property_of_the_model_with_domain_range_and_label() -> None:
    onto = _ontology()
    properties = {t for t in _model_terms() if t.startswith("ckg:") and t[4].islower()}
    assert {"ckg:claimType", "ckg:reportingStep", "ckg:controller", "ckg:side"} <= properties
    properties |= {f"ckg:{name}" for name in PROPERTIES}
    for term in sorted(properties):
        iri = _iri(term)
        kinds = set(onto.objects(iri, RDF.type))
        assert kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}, f"{term} is not declared"
        for needed in (RDFS.domain, RDFS.range, RDFS.label, RDFS.comment):
            assert onto.value(iri, needed) is not None, f"{term} has no {needed}"


def test_ontology_declares_every_class_and_reused_term_of_the_model() -> None:
    onto = _ontology()
    text = (ontology_dir() / "MODEL.md").read_text()
    classes = set(re.findall(r"`ckg:([A-Z][A-Za-z]+)`", text))
    assert len(classes) >= 28
    for name in sorted(classes):
        assert (CKG[name], RDF.type, OWL.Class) in onto, f"ckg:{name} is not a class"
        assert onto.value(CKG[name], RDFS.label) is not None
    for term in ("dcterms:title", "skos:altLabel", "skos:exactMatch"):
        assert (_iri(term), RDF.type, OWL.AnnotationProperty) in onto, term


def test_ontology_aligns_to_prov_and_sem() -> None:
    onto = _ontology()
    sem = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
    prov = Namespace("http://www.w3.org/ns/prov#")
    assert (CKG.Actor, RDFS.subClassOf, prov.Agent) in onto
    assert (CKG.Event, RDFS.subClassOf, sem.Event) in onto
    assert (CKG.inArticle, RDFS.subPropertyOf, prov.wasDerivedFrom) in onto
    assert (CKG.claimant, RDFS.subPropertyOf, prov.wasAttributedTo) in onto
    assert (CKG.place, RDFS.subPropertyOf, sem.hasPlace) in onto
    assert (CKG.start, RDFS.subPropertyOf, sem.hasEarliestBeginTimeStamp) in onto
    assert (CKG.contradicts, RDF.type, OWL.SymmetricProperty) in onto
    assert not list(onto.objects(None, OWL.imports)), "no remote imports: there is no network"


def test_the_files_leave_the_claim_types_to_the_declaration() -> None:
    """conflict.ttl and shapes.ttl name no claim type and declare no type's class: a new type
    is its rule and its entry in kg/data/claims.json."""
    view = claim_view()
    for name in ("conflict.ttl", "shapes.ttl"):
        raw = Graph().parse(ontology_dir() / name, format="turtle")
        named = {str(o) for o in raw.objects() if isinstance(o, Literal)} & set(view.type_names)
        assert not named, f"{name} names the claim types {sorted(named)}"
        for t in view.types.values():
            assert raw.value(CKG[t.cls], RDFS.label) is None, f"{name} declares ckg:{t.cls}"


@pytest.mark.parametrize("shapes", [False, True], ids=["ontology", "shapes"])
def test_kg_ontology_writes_the_whole_ontology(shapes: bool) -> None:
    args = [sys.executable, "-m", "kg.cli", "ontology", *(["--shapes"] if shapes else [])]
    out = subprocess.run(args, capture_output=True, timeout=120, check=True).stdout
    written = Graph().parse(data=out, format="turtle")
    loaded = shapes_graph() if shapes else ontology_graph()
    _, missing, extra = graph_diff(to_isomorphic(loaded), to_isomorphic(written))
    assert not missing and not extra, (sorted(missing)[:5], sorted(extra)[:5])


# -- the vocabulary of the derived data, apart ------------------------------------------------
DECLARED = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def _declared(graph: Graph) -> set[URIRef]:
    return {s for kind in DECLARED for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def test_the_domain_ontology_declares_no_term_of_the_derived_data() -> None:
    derived = _declared(_derived())
    assert len(derived) >= 40
    assert not derived & _declared(_ontology())
    for piece in DERIVED:
        assert not {URIRef(t) for t in piece.terms or ()} - derived - {CKG.contradicts}, piece.name


def test_every_term_the_derived_data_writes_is_declared_with_label_and_comment(
    seeds_store: Path,
) -> None:
    """Every property and class in the derived graphs of a built store (bar the domain's
    ckg:contradicts and rdf:type) is declared in derived.ttl, each with a label and comment."""
    store, derived = Store(seeds_store, read_only=True), _derived()
    written: set[URIRef] = set()
    for graph in GRAPHS:
        for p, o in store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
            written.add(URIRef(p.value))
            if p.value == str(RDF.type):
                written.add(URIRef(o.value))
    written -= {CKG.contradicts, RDF.type}
    assert {CKG.controlReading, CKG.claimCard, CKG.onTermPage, CKG.totalShare} <= written
    assert written <= _declared(derived), sorted(written - _declared(derived))
    for term in _declared(derived):
        assert derived.value(term, RDFS.label) is not None, term
        assert derived.value(term, RDFS.comment) is not None, term


def test_derived_md_names_only_classes_of_derived_ttl() -> None:
    text = (ontology_dir() / "DERIVED.md").read_text()
    classes = set(re.findall(r"`ckg:([A-Z][A-Za-z]+)`", text))
    assert {"ControlReading", "ListingPage", "CasualtyTotal"} <= classes
    for name in sorted(classes):
        assert (CKG[name], RDF.type, OWL.Class) in _derived(), f"ckg:{name} is not a class"


# -- the ontology under HermiT -----------------------------------------------------------------
@needs_java
def test_hermit_finds_the_ontology_consistent_with_every_class_satisfiable() -> None:
    report = check_ontology()
    assert report.ok, report.text
    assert report.violations == []


@needs_java
def test_hermit_finds_both_files_consistent_together() -> None:
    report = check_ontology(_derived())
    assert report.ok, report.text


@needs_java
def test_hermit_reports_an_individual_that_is_both_town_and_actor() -> None:
    extra = Graph()
    thing = URIRef("https://w3id.org/conflict-kg/id/entity/bad")
    extra.add((thing, RDF.type, OWL.NamedIndividual))
    extra.add((thing, RDF.type, CKG.Town))
    extra.add((thing, RDF.type, CKG.Actor))
    report = check_ontology(extra)
    assert not report.ok
    assert "inconsistent" in report.text


@needs_java
def test_hermit_names_an_unsatisfiable_class() -> None:
    extra = Graph()
    extra.add((CKG.ArmedTown, RDF.type, OWL.Class))
    extra.add((CKG.ArmedTown, RDFS.subClassOf, CKG.Town))
    extra.add((CKG.ArmedTown, RDFS.subClassOf, CKG.ArmedGroup))
    report = check_ontology(extra)
    assert not report.ok
    assert [v.focus for v in report.violations] == ["ckg:ArmedTown"]
    assert "Unsatisfiable" in report.text


# -- the data under SHACL ----------------------------------------------------------------------
@needs_java
def test_valid_claims_in_a_real_store_pass(tmp_path: Path) -> None:
    report = validate_store(_store(tmp_path, VALID))
    assert isinstance(report, Report)
    assert report.ok, report.text
    assert "HermiT" in report.text and "SHACL" in report.text


@pytest.mark.parametrize(("name", "old", "new", "says"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_claims_fail_with_a_message_naming_the_problem(
    tmp_path: Path, name: str, old: str, new: str, says: str
) -> None:
    assert old in VALID, name
    report = validate_store(_store(tmp_path, VALID.replace(old, new, 1)), reason=False)
    assert not report.ok, f"{name} passed"
    assert len(report.violations) == 1, report.text  # this problem, and nothing else
    assert says in report.violations[0].message, report.text


def test_each_violation_is_one_line_with_focus_path_and_message(tmp_path: Path) -> None:
    broken = VALID.replace('"control"', '"capture"').replace("ckg:hedged false ;", "")
    report = validate_store(_store(tmp_path, broken), reason=False)
    lines = report.text.splitlines()
    assert lines[0] == "SHACL shapes: 2 violation(s)"
    claim = "id:claim/t1/s0/c0"
    assert f"  {claim}  ckg:claimType  ckg:claimType must be one of" in lines[1] + lines[2]
    assert any(ln.startswith(f"  {claim}  ckg:hedged  A claim needs exactly") for ln in lines)
    assert '(value: "capture")' in report.text


def test_store_graph_is_the_union_of_all_named_graphs(tmp_path: Path) -> None:
    store = _store(tmp_path, VALID)
    other = ox.NamedNode("https://w3id.org/conflict-kg/id/graph/t2")
    extra = [ox.Quad(q.subject, q.predicate, q.object, other) for q in _quads(VALID)]
    store.replace_graph(other.value, extra[:3])
    graph = store_graph(store)
    assert len(graph) == len(_quads(VALID))  # the same triples in two graphs count once
    assert check_data(graph).ok


def test_an_empty_store_is_valid_data(tmp_path: Path) -> None:
    assert validate_store(Store(tmp_path / "store"), reason=False).ok
