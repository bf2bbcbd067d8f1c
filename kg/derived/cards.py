"""Cards: what a claim and an entity show, as JSON, read from their triples; and those of the
who-controlled answer kept as one JSON literal each in the derived graph.

A claim's *card* is its JSON (docs/CONTRACT.md, "A claim") with entities as IRIs and without
its contradictions, which other articles change; `kg.ask.claims` makes the claim's JSON from
it. An entity's card is its JSON ({label, iri, wikidata, type, class}: `EntityCache`).

The answer's evidence is a handful of claims in the JSON of docs/CONTRACT.md. Read from the graph,
each claim costs its own triples, its event's, its article's and its reporting steps', and
each entity its label, class and Wikidata link: at a million claims about 300 index lookups
and IRI decodings, 12 ms of a 15 ms answer. So the store keeps, for every control claim with
a reading (`kg.derived.control`), its card, which the months' digests carry, and for every
entity described in the entities graph, its card (the entity's JSON). The answer then reads
the months' digests, the entities' cards and the claims' contradictions.

A claim's card depends on its own article only, so it is rewritten when the article is
(`Cards.update`). An entity's description is only ever added to, by the articles that name it
(and their sides and parent places) and by `kg link --online`; those refresh its card.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from kg.derived.base import Change, Derived, ckg_terms, control_claims
from kg.derived.control import claim_readings, control_nodes
from kg.extract.gazetteer import ACTOR_TYPES, PLACE_TYPES
from kg.store import GraphStore, Term, VersionMark, insert_data, load
from kg.vocab import DERIVED_GRAPH, ENTITIES_GRAPH, ONTOLOGY, WIKIDATA, graph_iri

# -- a card from the triples ------------------------------------------------------------
TOP_CLASSES = {
    "Actor": ACTOR_TYPES,
    "Place": PLACE_TYPES,
    "Source": {"Source", "Article", "Report", "SourceStatement"},
}
ENTITY_QUERY = load("kg.derived", "cards_entities")


class EntityCache:
    """ENTITY objects ({label, iri, wikidata, type}) looked up once per request."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.cache: dict[str, dict | None] = {}

    def get(self, node: Term | None) -> dict | None:
        if node is None:
            return None
        iri = node.value
        if iri not in self.cache:
            self.cache[iri] = self.lookup(node)
        return self.cache[iri]

    def by_iri(self, iri: str | None) -> dict | None:
        if iri is None:
            return None
        if iri in self.cache:
            return self.cache[iri]
        return self.get(ox.NamedNode(iri))

    def prefetch(self, nodes: Sequence[Term | str | None]) -> None:
        """Look up many entities (nodes or IRIs that came out of the store) in one query."""
        iris = (n if isinstance(n, str) else n.value for n in nodes if n is not None)
        todo = list(dict.fromkeys(iri for iri in iris if iri not in self.cache))
        if not todo:
            return
        found: dict[str, list[dict]] = {iri: [] for iri in todo}
        for e, label, cls, match in self.store.query(ENTITY_QUERY(e=todo)):  # each term read once
            row = {"label": label, "class": cls, "match": match}
            found[e.value].append({k: v for k, v in row.items() if v is not None})
        for iri, rows in found.items():
            self.cache[iri] = self.entity(ox.NamedNode(iri), rows)

    def lookup(self, node: Term) -> dict:
        return self.entity(node, self.store.select(ENTITY_QUERY(e=None), {"e": node}))

    @staticmethod
    def entity(node: Term, rows: list[dict]) -> dict:
        label = rows[0]["label"].value if rows else node.value.rsplit("/", 1)[-1]
        cls = next((r["class"].value.removeprefix(ONTOLOGY) for r in rows if "class" in r), None)
        match = next((r["match"].value for r in rows if "match" in r), None)
        top = next((t for t, members in TOP_CLASSES.items() if cls in members), cls)
        qid = match.removeprefix(WIKIDATA) if match and match.startswith(WIKIDATA) else None
        return {"label": label, "iri": node.value, "wikidata": qid, "type": top, "class": cls}


def value(row: dict, key: str):
    term = row.get(key)
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dtype = term.datatype.value.rsplit("#", 1)[-1]
        if dtype == "integer":
            return int(term.value)
        if dtype == "boolean":
            return term.value == "true"
        return term.value
    return term.value


def card(row: dict, chain: list[Term]) -> dict:
    """What a claim shows that its own article decides: its JSON with entities as IRIs and no
    contradictions (other articles add those). Plain JSON values: the build stores it
    (`claim_card_quads`), and `kg.ask.claims.shown` makes the claim's JSON from it."""
    start, end, text = value(row, "start"), value(row, "end"), value(row, "dateText")
    date = {"start": start, "end": end, "text": text} if (start or end or text) else None
    return {
        "id": row["claim"].value,
        "article": value(row, "stem"),
        "published": value(row, "published"),
        "sentence": value(row, "sentence"),
        "type": value(row, "type"),
        "date": date,
        "place": value(row, "eventPlace"),
        "agent": value(row, "agent"),
        "target": value(row, "target"),
        "controller": value(row, "controller"),
        "count": value(row, "count"),
        "count_qualifier": value(row, "qualifier"),
        "victims": value(row, "victims"),
        "claimant": value(row, "claimant"),
        "reported_by": [reporter.value for reporter in chain],
        "hedged": bool(value(row, "hedged")),
        "contested": bool(value(row, "contested")),
        "contradicts": [],
        "event": value(row, "occurrence"),
        "headline": value(row, "headline"),
    }


# `read_cards` (for `kg.ask.claims.get_claims`) reads each claim, then its event, article and
# reporting steps, whole (one index range each) and fills claims.rq's columns from them: these
# maps name the column of each property; REQUIRED, the columns claims.rq cannot do without.
DESCRIBE = load("kg.derived", "cards_nodes")
CLAIM_COLUMNS = {
    "claimType": "type",
    "sentenceText": "sentence",
    "sentenceIndex": "index",
    "hedged": "hedged",
    "contested": "contested",
    "itemHeadline": "headline",
    "dateText": "dateText",
    "claimant": "claimant",
    "occurrence": "occurrence",
}
EVENT_COLUMNS = {
    "start": "start",
    "end": "end",
    "place": "eventPlace",
    "agent": "agent",
    "target": "target",
    "controller": "controller",
    "count": "count",
    "countQualifier": "qualifier",
    "victims": "victims",
}
REQUIRED = ("type", "sentence", "index", "hedged", "contested", "stem")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def described(store: GraphStore, iris: list[str]) -> dict[str, dict[str, list[Term]]]:
    """{subject: {property: [objects]}} of these IRIs (which came out of the store), read from
    the union of all graphs as claims.rq reads them."""
    found: dict[str, dict[str, list[Term]]] = {iri: defaultdict(list) for iri in iris}
    if iris:
        for s, p, o in store.query(DESCRIBE(s=iris)):  # each term read once
            found[s.value][p.value].append(o)
    return found


def is_iri(term: Term) -> bool:
    return isinstance(term, ox.NamedNode)


LINKED = load("kg.derived", "cards_linked")
STEM, PUBLISHED, STEP = ONTOLOGY + "stem", ONTOLOGY + "published", "step"


def linked(
    store: GraphStore, claims: dict[str, dict[str, list[Term]]]
) -> dict[str, dict[str, list]]:
    """The claims' events, articles (stem, published) and reporting steps ((position,
    reporter) pairs under STEP), as described() gives them."""
    events, articles, steps = (
        list(dict.fromkeys(o.value for c in claims.values() for o in c.get(ONTOLOGY + p, [])))
        for p in ("about", "inArticle", "reportingStep")
    )
    found: dict[str, dict[str, list]] = {i: defaultdict(list) for i in events + articles + steps}
    named = (  # an event or article that is a blank node is not read (a claim shows IRIs)
        [o.value for c in claims.values() for o in c.get(ONTOLOGY + p, []) if is_iri(o)]
        for p in ("about", "inArticle")
    )
    events, articles = (list(dict.fromkeys(n)) for n in named)
    query = LINKED(event=events, article=articles, claim=list(claims))
    for s, p, o, stem, published, position, reporter in store.query(query):
        node = found[s.value]
        if p is not None:
            node[p.value].append(o)
        elif stem is not None:
            node[STEM].append(stem)
            if published is not None:
                node[PUBLISHED].append(published)
        else:
            node[STEP].append((position, reporter))
    return found


def claim_row(
    iri: str, claim: dict[str, list[Term]], nodes: dict[str, dict[str, list]]
) -> dict[str, Term] | None:
    """claims.rq's row for one claim (the first, as `kg.ask.claims.get_claim` keeps), or None
    when the claim lacks what claims.rq requires."""
    about, article = claim.get(ONTOLOGY + "about"), claim.get(ONTOLOGY + "inArticle")
    if not about or not article or ox.NamedNode(ONTOLOGY + "Claim") not in claim[RDF_TYPE]:
        return None
    event, source = nodes[about[0].value], nodes[article[0].value]
    row: dict[str, Term] = {"claim": ox.NamedNode(iri)}
    for node, columns in ((claim, CLAIM_COLUMNS), (event, EVENT_COLUMNS)):
        row.update({c: node[ONTOLOGY + p][0] for p, c in columns.items() if node.get(ONTOLOGY + p)})
    for p in ("stem", "published"):
        if source.get(ONTOLOGY + p):
            row[p] = source[ONTOLOGY + p][0]
    contradicted = bool(claim.get(ONTOLOGY + "contradicts"))
    row["contradicted"] = ox.Literal(str(contradicted).lower(), datatype=BOOLEAN)
    return row if all(col in row for col in REQUIRED) else None


def chain_of(claim: dict[str, list[Term]], nodes: dict[str, dict[str, list]]) -> list[Term]:
    """STEPS_QUERY's reporters of one claim, by position."""
    steps = [
        (int(position.value), reporter)
        for step in claim.get(ONTOLOGY + "reportingStep", [])
        for position, reporter in nodes[step.value].get(STEP, [])
    ]
    return [reporter for _, reporter in sorted(steps, key=lambda s: s[0])]


def read_cards(store: GraphStore, iris: list[str]) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """The cards of these claims (none for a claim that lacks what claims.rq requires) and the
    claims each contradicts, read whole (described, then linked)."""
    claims = described(store, iris)
    return cards_of(iris, claims, linked(store, claims))


def graph_cards(triples: dict[str, dict[str, list[Term]]], iris: list[str]) -> dict[str, dict]:
    """The cards of these claims from one article's own triples, {subject: {property:
    [objects]}}, as `read_cards` reads them from a store that holds that graph (a claim, its
    event, its article and its reporting steps are all in its article's graph)."""
    claims = {iri: triples.get(iri, {}) for iri in iris}
    nodes: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for claim in claims.values():
        for event in claim.get(ONTOLOGY + "about", []):
            nodes[event.value] = triples.get(event.value, {})
        for article in claim.get(ONTOLOGY + "inArticle", []):
            found = triples.get(article.value, {})
            nodes[article.value] = {p: found[p] for p in (STEM, PUBLISHED) if p in found}
        for step in claim.get(ONTOLOGY + "reportingStep", []):
            found = triples.get(step.value, {})
            pairs = [
                (position, reporter)
                for position in found.get(ONTOLOGY + "position", [])
                for reporter in found.get(ONTOLOGY + "reporter", [])
            ]
            nodes[step.value] = {STEP: pairs}
    return cards_of(iris, claims, nodes)[0]


def cards_of(
    iris: list[str], claims: dict[str, dict[str, list[Term]]], nodes: dict[str, dict[str, list]]
) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Cards and contradictions from the claims' triples and their nodes (``linked``)."""
    cards, others = {}, {}
    for iri in iris:
        row = claim_row(iri, claims[iri], nodes)
        if row is not None:
            cards[iri] = card(row, chain_of(claims[iri], nodes))
        others[iri] = sorted(o.value for o in claims[iri].get(ONTOLOGY + "contradicts", []))
    return cards, others


# -- the cards kept in the derived graph ------------------------------------------------
CLAIM_CARD = ox.NamedNode(ONTOLOGY + "claimCard")
ENTITY_CARD = ox.NamedNode(ONTOLOGY + "entityCard")
BATCH = 2000  # claims or entities per query and per INSERT DATA
VERSION = 1  # bump when the shape of a card changes: a refresh then recomputes them all

DROP_CLAIM_CARDS = load("kg.derived", "cards_drop_claims").bind(derived=DERIVED_GRAPH)
DROP_ENTITY_CARDS = load("kg.derived", "cards_drop_entities").bind(derived=DERIVED_GRAPH)
CARD_CLAIMS = load("kg.derived", "cards_claims")
DESCRIBED = load("kg.derived", "cards_described").bind(entities=ENTITIES_GRAPH)
OBJECTS = load("kg.derived", "cards_objects")
NAMED = load("kg.derived", "cards_named").bind(entities=ENTITIES_GRAPH)
ENTITY_CARDS = load("kg.derived", "cards_entity_cards")


def text(card: dict) -> ox.Literal:
    return ox.Literal(json.dumps(card, ensure_ascii=False, separators=(",", ":")))


def claim_card_quads(store: GraphStore, claims: list[str]) -> Iterator[ox.Quad]:
    """The cards of these claims (none for a claim without what claims.rq requires)."""
    graph = ox.NamedNode(DERIVED_GRAPH)
    for at in range(0, len(claims), BATCH):
        cards, _ = read_cards(store, claims[at : at + BATCH])
        for iri, card in cards.items():
            yield ox.Quad(ox.NamedNode(iri), CLAIM_CARD, text(card), graph)


def entity_card_quads(store: GraphStore, entities: list[str]) -> Iterator[ox.Quad]:
    graph = ox.NamedNode(DERIVED_GRAPH)
    for at in range(0, len(entities), BATCH):
        chunk = entities[at : at + BATCH]
        found = EntityCache(store)
        found.prefetch(chunk)
        for iri in chunk:
            yield ox.Quad(ox.NamedNode(iri), ENTITY_CARD, text(found.cache[iri] or {}), graph)


def insert_batches(quads: Iterable[ox.Quad]) -> Iterator[str]:
    """INSERT DATA operations of at most BATCH quads each, into the derived graph."""
    quads = list(quads)
    for at in range(0, len(quads), BATCH):
        yield insert_data(quads[at : at + BATCH])


def named_entities(store: GraphStore, stems: list[str]) -> list[str]:
    """The described entities the graphs of these articles name (or reach through a side or
    a parent place), 100 articles a query."""
    named: set[str] = set()
    for at in range(0, len(stems), 100):
        graphs = [graph_iri(s) for s in stems[at : at + 100]]
        named.update(r["named"].value for r in store.select(OBJECTS(graph=graphs)))
    found: set[str] = set()
    ordered = sorted(named)
    for at in range(0, len(ordered), BATCH):
        query = NAMED(named=ordered[at : at + BATCH])
        found.update(r["entity"].value for r in store.select(query))
    return sorted(found)


def article_cards(triples: list[tuple[str, str, str]]) -> bytes:
    """The cards of one article's control claims that have a reading, as N-Quads of the derived
    graph, from the article's own triples: what `Cards.recompute` writes once the article
    is stored, computed in the worker that extracted it."""
    claims, nodes = control_nodes(triples)
    named = [claim for claim in claims if next(claim_readings(claim, nodes), None)]
    graph = ox.NamedNode(DERIVED_GRAPH)
    quads = [
        ox.Quad(ox.NamedNode(iri), CLAIM_CARD, text(card), graph)
        for iri, card in graph_cards(nodes, named).items()
    ]
    return "".join(f"{q} .\n" for q in quads).encode()


class Cards(Derived):
    """The cards of the claims with a control reading, and of every described entity."""

    name = "cards"
    graph = DERIVED_GRAPH
    terms = ckg_terms("claimCard", "entityCard", "cardsVersion")
    mark = VersionMark(DERIVED_GRAPH, ONTOLOGY + "cardsVersion", VERSION)

    def prepare(self, store: GraphStore, stems: list[str]) -> list[str]:
        return control_claims(store, stems)  # the claims whose cards the write may drop

    def of_article(self, emitter: Any) -> bytes:
        return article_cards(emitter.triples)

    def recompute(self, store: GraphStore, change: Change) -> None:
        """Every card: the claims' (of every reading; in a first build, those extraction
        computed) and every described entity's."""
        self.clear(store)
        quads: list[ox.Quad] = []
        if change.complete:
            known = b"".join(change.known_of(self).values())
            store.add_in_bulk(ox.parse(known, format=ox.RdfFormat.N_QUADS))
        else:
            every = CARD_CLAIMS(graph=ox.Variable("g"))
            named = [r["claim"].value for r in store.select(every)]
            quads += claim_card_quads(store, named)
        entities = [r["entity"].value for r in store.select(DESCRIBED())]
        quads += entity_card_quads(store, entities)
        for operation in insert_batches([*quads, self.mark.quad]):
            store.update(operation)

    def update(self, store: GraphStore, change: Change) -> None:
        """The cards of the claims these articles held before the write and hold now, and of
        the entities their graphs name, in one update (before the readings that carry them
        are rewritten)."""
        stems = sorted(set(change.stems or []))
        claims: set[str] = set()
        for at in range(0, len(stems), 100):  # 100 article graphs a query
            query = CARD_CLAIMS(graph=[graph_iri(s) for s in stems[at : at + 100]])
            claims.update(r["claim"].value for r in store.select(query))
        dropped = sorted(claims | set(change.before.get(self.name) or []))
        entities = named_entities(store, stems)
        quads = [
            *claim_card_quads(store, sorted(claims)),
            *entity_card_quads(store, entities),
        ]
        drop = [DROP_CLAIM_CARDS(claim=dropped), DROP_ENTITY_CARDS(entity=entities)]
        store.update(" ;\n".join([*drop, *insert_batches(quads)]))

    def update_entities(self, store: GraphStore, entities: list[str]) -> None:
        """The cards of these entities again (after `kg link --online` added to them)."""
        quads = list(entity_card_quads(store, entities))
        drop = DROP_ENTITY_CARDS(entity=entities)
        store.update(" ;\n".join([drop, *insert_batches(quads)]))


def read_entity_cards(store: GraphStore, entities: list[str]) -> dict[str, dict]:
    """{IRI: entity JSON} of the entities that have a card."""
    if not entities:
        return {}
    cards = (json.loads(row[0].value) for row in store.query(ENTITY_CARDS(entity=entities)))
    return {card["iri"]: card for card in cards if card}
