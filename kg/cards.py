"""Cards: what the who-controlled answer shows of a claim and of an entity, kept as one JSON
literal each in the derived graph.

The answer's evidence is a handful of claims in the JSON of docs/CONTRACT.md. Read from the graph,
each claim costs its own triples, its event's, its article's and its reporting steps', and
each entity its label, class and Wikidata link: at a million claims about 300 index lookups
and IRI decodings, 12 ms of a 15 ms answer. So the build writes, for every control claim with
a reading (kg/control.py), its *card* (`kg.claims.card`: the claim's JSON with entities as IRIs
and without its contradictions, which other articles change), and the control digests carry
it; and for every entity described in the entities graph, its card (the entity's JSON). The
answer then reads the months' digests, the entities' cards and the claims' contradictions.

A claim's card depends on its own article only, so it is rewritten with the article's
readings. An entity's description is only ever added to, by the articles that name it (and
their sides and parent places) and by `kg link --online`; those refresh its card.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kg.claims import EntityCache, read_cards
from kg.contest import DERIVED_GRAPH
from kg.store import Store, triple_lines, values
from kg.vocab import ENTITIES_GRAPH, ONTOLOGY, graph_iri

D = f"<{DERIVED_GRAPH}>"
CLAIM_CARD = ox.NamedNode(ONTOLOGY + "claimCard")
ENTITY_CARD = ox.NamedNode(ONTOLOGY + "entityCard")
BATCH = 2000  # claims or entities per query and per INSERT DATA

CLEAR_CLAIM_CARDS = f"DELETE WHERE {{ GRAPH {D} {{ ?claim {CLAIM_CARD} ?card }} }}"
CLEAR_ENTITY_CARDS = f"DELETE WHERE {{ GRAPH {D} {{ ?entity {ENTITY_CARD} ?card }} }}"
# the cards of the claims the readings of these articles (VALUES ?article in {only}) name
DROP_CLAIM_CARDS = f"""
DELETE {{ GRAPH {D} {{ ?claim {CLAIM_CARD} ?card }} }}
WHERE {{
  {{only}}
  GRAPH {D} {{ ?r <{ONTOLOGY}readingArticle> ?article ; <{ONTOLOGY}readingClaim> ?claim .
              ?claim {CLAIM_CARD} ?card }}
}}"""
DROP_ENTITY_CARDS = f"""
DELETE {{ GRAPH {D} {{ ?entity {ENTITY_CARD} ?card }} }}
WHERE {{ {{only}} GRAPH {D} {{ ?entity {ENTITY_CARD} ?card }} }}"""
READING_CLAIMS = f"SELECT ?claim WHERE {{ GRAPH {D} {{ ?r <{ONTOLOGY}readingClaim> ?claim }} }}"
DESCRIBED = f"""SELECT DISTINCT ?entity WHERE {{
  GRAPH <{ENTITIES_GRAPH}> {{ ?entity <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
}}"""
# the entities an article's graph names, with their sides and parent places, that the entities
# graph describes: those the article's build may have added to. Two steps: the graphs' IRIs,
# then a VALUES block of them (joined in one query, the path was planned from every entity)
OBJECTS = "SELECT DISTINCT ?named WHERE { {branches} FILTER(isIRI(?named)) }"
NAMED = f"""SELECT DISTINCT ?entity WHERE {{
  {{named}}
  GRAPH <{ENTITIES_GRAPH}> {{
    ?named (<{ONTOLOGY}side>|<{ONTOLOGY}partOf>)* ?entity .
    ?entity <http://www.w3.org/2000/01/rdf-schema#label> ?label
  }}
}}"""


def text(card: dict) -> ox.Literal:
    return ox.Literal(json.dumps(card, ensure_ascii=False, separators=(",", ":")))


def claim_card_quads(store: Store, claims: list[str]) -> Iterator[ox.Quad]:
    """The cards of these claims (none for a claim without what claims.rq requires)."""
    graph = ox.NamedNode(DERIVED_GRAPH)
    for at in range(0, len(claims), BATCH):
        cards, _ = read_cards(store, claims[at : at + BATCH])
        for iri, card in cards.items():
            yield ox.Quad(ox.NamedNode(iri), CLAIM_CARD, text(card), graph)


def entity_card_quads(store: Store, entities: list[str]) -> Iterator[ox.Quad]:
    graph = ox.NamedNode(DERIVED_GRAPH)
    for at in range(0, len(entities), BATCH):
        chunk = entities[at : at + BATCH]
        found = EntityCache(store)
        found.prefetch(chunk)
        for iri in chunk:
            yield ox.Quad(ox.NamedNode(iri), ENTITY_CARD, text(found.cache[iri] or {}), graph)


def insert_data(quads: Iterable[ox.Quad]) -> Iterator[str]:
    """INSERT DATA operations of at most BATCH quads each, into the derived graph."""
    quads = list(quads)
    for at in range(0, len(quads), BATCH):
        yield f"INSERT DATA {{ GRAPH {D} {{\n{triple_lines(quads[at : at + BATCH])}\n}} }}"


def named_entities(store: Store, stems: list[str]) -> list[str]:
    """The described entities the graphs of these articles name (or reach through a side or
    a parent place), 100 articles a query."""
    named: set[str] = set()
    for at in range(0, len(stems), 100):
        branches = " UNION ".join(
            f"{{ GRAPH {ox.NamedNode(graph_iri(s))} {{ ?s ?p ?named }} }}"
            for s in stems[at : at + 100]
        )
        named.update(
            r["named"].value for r in store.select(OBJECTS.replace("{branches}", branches))
        )
    found: set[str] = set()
    ordered = sorted(named)
    for at in range(0, len(ordered), BATCH):
        block = values("named", ordered[at : at + BATCH])
        found.update(r["entity"].value for r in store.select(NAMED.replace("{named}", block)))
    return sorted(found)


def refresh_all(store: Store, claims: bool = True) -> None:
    """Every card: the claims' (of every reading; unless written with the readings) and every
    described entity's. Runs after kg.control's CLEAR (which drops the old cards) and
    READINGS."""
    named = [r["claim"].value for r in store.select(READING_CLAIMS)] if claims else []
    entities = [r["entity"].value for r in store.select(DESCRIBED)]
    quads = [*claim_card_quads(store, named), *entity_card_quads(store, entities)]
    for operation in insert_data(quads):
        store.update(operation)


def refresh_entities(store: Store, entities: list[str]) -> None:
    """The cards of these entities again (after `kg link --online` added to them)."""
    if entities:
        quads = list(entity_card_quads(store, entities))
        drop = DROP_ENTITY_CARDS.replace("{only}", values("entity", entities))
        store.update(" ;\n".join([drop, *insert_data(quads)]))


def read_entity_cards(store: Store, entities: list[str]) -> dict[str, dict]:
    """{IRI: entity JSON} of the entities that have a card."""
    if not entities:
        return {}
    query = f"SELECT ?card WHERE {{ {values('entity', entities)} ?entity {ENTITY_CARD} ?card }}"
    cards = (json.loads(row[0].value) for row in store.query(query))
    return {card["iri"]: card for card in cards if card}
