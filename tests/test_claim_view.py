"""The claim declared once (kg/data/claims.json): no module keeps its own list of claim types
or fields, every consumer follows a type and a field added to a copy of the declaration (a
type end to end: its rule, its RDF, its class in the ontology under HermiT, the SHACL shapes
and `kg claims`), and the ontology, the SHACL shapes and the claims of the seeds agree with
it."""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, SH, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from kg import claim_view as declaration
from kg.claim_view import ClaimView, claim_view, load
from kg.errors import InputError, KGError
from kg.resources import data_dir
from kg.store.ontology import ontology_graph, shapes_graph

ROOT = Path(__file__).resolve().parent.parent
CKG = Namespace("https://w3id.org/conflict-kg/ontology#")
CKGSH = Namespace("https://w3id.org/conflict-kg/shapes#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs java")

# Lists of claim fields kept outside the declaration, each with its reason. The claim's card
# and the columns read back into it live in the derived data's framework (kg.derived), which
# is rebuilt on its own; the test of the card's keys below holds it to the declaration.
KNOWN_LISTS = {"kg/derived/cards.py"}


# -- no module keeps its own list ------------------------------------------------------------
def sources() -> list[Path]:
    """The code, templates and scripts (the queries are checked on their own, below)."""
    patterns = ("kg/**/*.py", "server/**/*.py", "server/**/*.html", "server/static/*.js")
    return sorted(p for pattern in patterns for p in ROOT.glob(pattern))


def python_lists(tree: ast.AST) -> Iterator[tuple[int, set[str]]]:
    """Each tuple, list, set or dict written in the code: its line and its strings (a dict's
    keys)."""
    for node in ast.walk(tree):
        items: list[ast.expr | None] = []
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        words = {i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)}
        if words:
            yield node.lineno, words


def text_lists(text: str) -> Iterator[tuple[int, set[str]]]:
    """Each line of a template or script: its words."""
    for number, line in enumerate(text.splitlines(), start=1):
        yield number, set(re.findall(r"[A-Za-z_]+", line))


def lists_naming(names: set[str], at_least: int) -> list[str]:
    """The places in the sources that write at least this many of these names together."""
    found = []
    for path in sources():
        text = path.read_text(encoding="utf-8")
        lists = python_lists(ast.parse(text)) if path.suffix == ".py" else text_lists(text)
        where = str(path.relative_to(ROOT))
        for line, words in lists:
            if len(words & names) >= at_least and where not in KNOWN_LISTS:
                found.append(f"{where}:{line}: {sorted(words & names)}")
    return found


def test_no_module_keeps_its_own_list_of_claim_types() -> None:
    found = lists_naming(set(claim_view().type_names), 3)
    assert not found, "read the types from kg.claim_view instead:\n" + "\n".join(found)


def test_no_module_keeps_its_own_list_of_claim_fields() -> None:
    # the fields a type may fill (place, agent, ..., victims): a list of several of them
    # decides what a claim shows, which the declaration says
    view = claim_view()
    roles = {key for t in view.types.values() for key in t.fields}
    found = lists_naming(roles, 3)
    assert not found, "read the fields from kg.claim_view instead:\n" + "\n".join(found)


def test_the_card_has_the_keys_the_declaration_gives_a_claim() -> None:
    from kg.derived.cards import card

    row = {"claim": ox.NamedNode("https://w3id.org/conflict-kg/id/claim/a/s0/c0")}
    assert list(card(row, [])) == list(claim_view().keys)


def listing_queries() -> list[Path]:
    """The queries whose rows make claims' JSON (they read a claim's event whole)."""
    found = [*ROOT.glob("kg/**/*.rq"), *ROOT.glob("queries/*.rq")]
    return sorted(p for p in found if "ckg:countQualifier" in p.read_text(encoding="utf-8"))


def test_every_claims_listing_reads_each_declared_field() -> None:
    fields = [f for f in claim_view().fields.values() if f.written]
    assert len(listing_queries()) >= 6
    for path in listing_queries():
        text = path.read_text(encoding="utf-8")
        missing = [f.prop for f in fields if f"{f.prop} " not in text]
        assert not missing, f"{path.relative_to(ROOT)} reads no {', '.join(map(str, missing))}"


# -- a type and a field added to a copy of the declaration -------------------------------------
def declared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: dict) -> Iterator[ClaimView]:
    """The declaration ``raw``, read by every consumer while the test runs."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / declaration.DECLARATION).write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(declaration, "data_dir", lambda: tmp_path)
    claim_view.cache_clear()
    _clear_rule_caches()
    yield claim_view()
    claim_view.cache_clear()
    _clear_rule_caches()


def _declaration() -> dict:
    return json.loads((data_dir() / declaration.DECLARATION).read_text(encoding="utf-8"))


@pytest.fixture()
def extended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaimView]:
    """The declaration with a type `sabotage` (its own rule and trigger) and a field `weapon`
    of the event."""
    raw = _declaration()
    raw["types"]["sabotage"] = {
        "class": "Sabotage",
        "event": "Sabotage",
        "describes": "something is sabotaged",
        "fields": ["place", "agent", "target", "weapon"],
        "occurrence": ["place", "target"],
        "rule": "kg.extract.events:movement",
        "triggers": ["apprehend"],
    }
    raw["fields"]["weapon"] = {
        "on": "event",
        "property": "ckg:weapon",
        "kind": "text",
        "cardinality": "optional",
        "label": "weapon",
    }
    for name in ("export", "browser", "download", "evaluated"):
        raw["views"][name].append("weapon")
    yield from declared(tmp_path, monkeypatch, raw)


def _clear_rule_caches() -> None:
    from kg.extract import events

    events.recognisers.cache_clear()
    events.trigger_verbs.cache_clear()


def test_the_command_line_and_the_api_take_a_declared_type(extended: ClaimView) -> None:
    from kg.ask.claims import _bindings
    from kg.cli import parser

    args = parser().parse_args(["claims", "--type", "sabotage"])
    assert args.type == "sabotage"
    assert _bindings(None, "sabotage", None, None, None)["type"].value == "sabotage"
    with pytest.raises(InputError, match="sabotage"):
        extended.check_type("capture")


def test_the_rules_read_a_declared_type(extended: ClaimView) -> None:
    from kg.extract import events

    assert "apprehend" in events.trigger_verbs()
    assert events.recognisers()[-1] is events.movement


def test_the_rdf_writer_writes_a_declared_field_under_its_property(extended: ClaimView) -> None:
    from kg.emit.graph import article_emitter
    from kg.extract.claims import Claim
    from kg.extract.gazetteer import default_gazetteer
    from kg.read.articles import Article

    claim = Claim(type="sabotage", sentence_index=0, sentence="Saboteurs cut the line.")
    claim.event = extended.types["sabotage"].event
    claim.weapon = "batons"  # type: ignore[attr-defined]
    article = Article(stem="t1", text="Saboteurs cut the line.", title=None, published=None)
    lines = article_emitter(article, [claim], default_gazetteer()).lines()
    assert any('<https://w3id.org/conflict-kg/ontology#weapon> "batons"' in ln for ln in lines)
    assert any('"sabotage"' in ln for ln in lines)


def test_the_json_tables_pages_and_scores_follow_a_declared_field(extended: ClaimView) -> None:
    from kg.ask.claims import shown
    from kg.ask.evaluate import scored
    from kg.cli import flat
    from server import views

    card = dict.fromkeys(claim_view().keys) | {"reported_by": [], "contested": False}
    card |= {"type": "sabotage", "weapon": "batons", "id": "https://w3id.org/conflict-kg/id/c"}
    claim = shown(card, EntityCacheStub(), [], False)
    assert list(claim) == list(extended.keys) and claim["weapon"] == "batons"
    assert flat(claim)["weapon"] == "batons"
    row = views.claim_row(claim, {}) | {"weapon": "batons"}
    assert views.flat(row)["weapon"] == "batons"
    assert "weapon" in scored()
    assert [c["name"] for c in extended.table_columns("browser")][-1] == "weapon"


def test_the_claims_browser_offers_a_declared_type_and_column(
    extended: ClaimView, tmp_path: Path
) -> None:
    from server import create_app

    page = create_app({"KG_STORE": str(tmp_path / "store")}).test_client().get("/claims")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<option value="sabotage">sabotage</option>' in html
    assert "<th>weapon</th>" in html and '"name": "weapon"' in html


def test_the_shape_checks_name_a_declared_field_the_ontology_lacks(extended: ClaimView) -> None:
    # a field's property is the ontology's to declare; a type's class and value come with it
    problems = "\n".join(shape_problems(extended))
    assert "ckg:weapon" in problems and "sabotage" not in problems


class EntityCacheStub:
    def by_iri(self, iri: str | None) -> dict | None:
        return None if iri is None else {"label": iri, "iri": iri}


# -- a type added to a copy of the declaration, and nothing else ------------------------------
def arrest(token, ctx):
    """The rule of the throwaway type `arrest`: "Police arrested three journalists in Aleppo"
    (who made the arrest, who was held, where)."""
    from kg.extract.attribution import child
    from kg.extract.events import Event, agent_of, is_passive, lemma, place_near
    from kg.extract.mentions import actor_of

    if token.pos_ != "VERB" or lemma(token) not in ("arrest", "detain"):
        return None
    held = child(token, "nsubjpass") if is_passive(token) else child(token, "dobj")
    target = actor_of(held, ctx) if held is not None else None
    return Event(
        "arrest", token, agent=agent_of(token, ctx), target=target, place=place_near(token, ctx)
    )


@pytest.fixture()
def with_arrest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ClaimView]:
    """The declaration with a type `arrest`, its rule above: what adding a type takes."""
    raw = _declaration()
    raw["types"]["arrest"] = {
        "class": "Arrest",
        "event": "Arrest",
        "describes": "someone is arrested or detained; `target` is who was held",
        "fields": ["place", "agent", "target"],
        "occurrence": ["place", "target"],
        "rule": f"{__name__}:arrest",
        "triggers": ["arrest", "detain"],
    }
    yield from declared(tmp_path / "declaration", monkeypatch, raw)


def test_an_added_type_has_its_class_and_value_in_the_ontology(with_arrest: ClaimView) -> None:
    onto = ontology_graph()
    assert (CKG.Arrest, RDFS.subClassOf, CKG.Event) in onto
    assert onto.value(CKG.Arrest, CKG.claimTypeName) == Literal("arrest")
    assert str(onto.value(CKG.Arrest, RDFS.label)) == "Arrest"
    assert str(onto.value(CKG.Arrest, RDFS.comment)) == (
        'Someone is arrested or detained; ckg:target is who was held (claim type "arrest").'
    )
    values = Collection(onto, onto.value(onto.value(CKG.claimType, RDFS.range), OWL.oneOf))
    assert [str(v) for v in values] == list(with_arrest.type_names)
    disjoint = [
        set(Collection(onto, onto.value(d, OWL.members)))
        for d in onto.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert {CKG[t.cls] for t in with_arrest.types.values()} in disjoint
    problems = list(shape_problems(with_arrest))
    assert not problems, "\n".join(problems)


def test_the_shapes_take_an_added_type_and_still_refuse_an_undeclared_one(
    with_arrest: ClaimView, tmp_path: Path
) -> None:
    from test_ontology import VALID, _store

    from kg.store.validate import validate_store

    arrest = VALID.replace('"control"', '"arrest"').replace("ckg:ControlChange", "ckg:Arrest")
    arrest = arrest.replace("    ckg:controller id:entity\\/isis ;\n", "")
    assert validate_store(_store(tmp_path / "a", arrest), reason=False).ok
    rumour = arrest.replace('"arrest"', '"rumour"')
    report = validate_store(_store(tmp_path / "b", rumour), reason=False)
    assert [v.path for v in report.violations] == ["ckg:claimType"], report.text
    assert "arrest" in report.violations[0].message


def test_an_added_type_is_found_written_valid_and_listed(
    with_arrest: ClaimView, tmp_path: Path
) -> None:
    from conftest import write_articles

    from kg.ask.claims import list_claims
    from kg.build import build
    from kg.store import Store
    from kg.store.validate import validate_store

    text = "Syrian security forces arrested three journalists in Aleppo on Monday, AFP said."
    folder = write_articles(tmp_path / "articles", {"arrests.txt": f"Arrests\n\n{text}"})
    store = Store(tmp_path / "store")
    assert build(store, [folder], workers=1).ok  # extracted here, with this declaration
    [claim] = list_claims(store, type="arrest")
    assert claim["place"]["label"] == "Aleppo" and claim["sentence"] == text
    report = validate_store(store, reason=False)
    assert report.ok, report.text


@needs_java
def test_hermit_finds_the_ontology_with_an_added_type_consistent(with_arrest: ClaimView) -> None:
    from kg.resources import derived_ontology_path
    from kg.store.validate import check_ontology

    report = check_ontology(Graph().parse(derived_ontology_path(), format="turtle"))
    assert report.ok, report.text
    both = Graph()  # the added class is disjoint from the others
    thing = URIRef("https://w3id.org/conflict-kg/id/event/both")
    both.add((thing, RDF.type, OWL.NamedIndividual))
    both.add((thing, RDF.type, CKG.Arrest))
    both.add((thing, RDF.type, CKG.Attack))
    assert "inconsistent" in check_ontology(both).text


# -- the declaration itself ------------------------------------------------------------------
def test_a_broken_declaration_is_refused_with_what_to_fix(tmp_path: Path) -> None:
    raw = json.loads((data_dir() / declaration.DECLARATION).read_text(encoding="utf-8"))
    raw["types"]["attack"]["fields"].append("weapon")
    raw["views"]["table"].append("toll2")
    raw["types"]["movement"]["class"] = "Attack"
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(KGError) as error:
        load(path)
    assert "'attack' names the field 'weapon'" in str(error.value)
    assert "'table' names toll2" in str(error.value)
    assert "types 'attack' and 'movement' both have the class 'Attack'" in str(error.value)


def test_the_extractor_version_covers_the_declaration() -> None:
    from kg.build import extractor_version

    path = data_dir() / declaration.DECLARATION
    version = extractor_version.__wrapped__  # not the value kept for the process
    before, text = version(), path.read_text(encoding="utf-8")
    try:
        path.write_text(text + " ", encoding="utf-8")
        assert version() != before
    finally:
        path.write_text(text, encoding="utf-8")
    assert version() == before


# -- the ontology and the shapes ---------------------------------------------------------------
KIND_SHAPES = {
    "entity": (SH["class"], CKG.Actor),
    "place": (SH["class"], CKG.Place),
    "number": (SH.datatype, XSD.integer),
    "text": (SH.datatype, XSD.string),
    "boolean": (SH.datatype, XSD.boolean),
    "date": (SH.datatype, XSD.date),
    "claims": (SH["class"], CKG.Claim),
}
NODE_SHAPES = {"claim": CKGSH.Claim, "event": CKGSH.Event, "article": CKGSH.Article}
DOMAINS = {"claim": CKG.Claim, "event": CKG.Event, "article": CKG.Article}


def _listed(graph: Graph, head) -> set[str]:
    return {str(x) for x in Collection(graph, head)} if head is not None else set()


def shape_problems(view: ClaimView) -> Iterator[str]:
    """Where the ontology and the shapes, as the product loads them, disagree with the
    declaration."""
    onto, shapes = ontology_graph(view), shapes_graph(view)
    types = set(view.type_names)
    allowed = _listed(shapes, shapes.value(CKGSH.claimTypeValue, SH["in"]))
    if allowed != types:
        yield f"ckgsh:claimTypeValue sh:in {sorted(allowed)} is not {sorted(types)}"
    message = str(shapes.value(CKGSH.claimTypeValue, SH.message))
    if any(t not in message for t in types):
        yield f"ckgsh:claimTypeValue's message lacks a type of {sorted(types)}"
    one_of = _listed(onto, onto.value(onto.value(CKG.claimType, RDFS.range), OWL.oneOf))
    if one_of != types:
        yield f"ckg:claimType's range {sorted(one_of)} is not {sorted(types)}"
    for t in view.types.values():
        events = set(onto.transitive_objects(CKG[t.event], RDFS.subClassOf))
        if CKG[t.cls] not in events or CKG.Event not in events:
            yield f"type {t.name}: ckg:{t.event} is no subclass of ckg:{t.cls} and ckg:Event"
        if set(onto.objects(CKG[t.cls], CKG.claimTypeName)) != {Literal(t.name)}:
            yield f"type {t.name}: ckg:{t.cls} names no type {t.name} alone (ckg:claimTypeName)"
    for f in view.fields.values():
        yield from _field_problems(onto, shapes, f)


def _field_problems(onto: Graph, shapes: Graph, f) -> Iterator[str]:
    if f.iri is None or f.kind not in KIND_SHAPES:
        return
    prop, node = URIRef(f.iri), DOMAINS[f.on]
    domain = onto.value(prop, RDFS.domain)
    kin = domain is not None and (
        node in onto.transitive_objects(domain, RDFS.subClassOf)  # ckg:Control of ckg:Event
        or domain in onto.transitive_objects(node, RDFS.subClassOf)  # ckg:Source of an Article
    )
    if not kin:
        yield f"field {f.key}: conflict.ttl gives {f.prop} no domain {node.n3()} or kin"
    # the node shape's property shapes of this path (an event's are blank nodes of ckgsh:Event)
    own = shapes.objects(NODE_SHAPES[f.on], SH.property)
    found = [s for s in own if (s, SH.path, prop) in shapes]
    constraint, value = KIND_SHAPES[f.kind]
    if not any((s, constraint, value) in shapes for s in found):
        yield f"field {f.key}: shapes.ttl has no shape of {f.prop} with {value.n3()}"
    if f.on == "claim" and f.cardinality == "one":
        if not any(shapes.value(s, SH.minCount) is not None for s in found):
            yield f"field {f.key}: shapes.ttl lets a claim lack {f.prop}"


def test_the_ontology_and_the_shapes_agree_with_the_declaration() -> None:
    problems = list(shape_problems(claim_view()))
    assert not problems, "\n".join(problems)


# -- the claims of the seeds ---------------------------------------------------------------------
def test_each_claim_of_the_seeds_fills_only_the_fields_of_its_type(seeds_store: Path) -> None:
    from kg.ask.claims import list_claims
    from kg.store import Store

    view = claim_view()
    specific = {key for t in view.types.values() for key in t.fields}
    claims = list_claims(Store(seeds_store, read_only=True))
    assert {c["type"] for c in claims} <= set(view.type_names)
    for c in claims:
        stray = {k for k in specific - set(view.types[c["type"]].fields) if c[k] is not None}
        assert not stray, f"a {c['type']} claim fills {stray}: {c['sentence']}"
