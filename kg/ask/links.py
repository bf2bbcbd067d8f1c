"""The links of a store's entities to Wikidata: why each has one or not (`kg link --report`),
and the opt-in online ones written into the entities graph (`kg link --online`).

The linker itself (`kg.emit.link`, `kg.emit.wikidata`) decides from names and types; here it
is run again over what a store holds, whose own ``skos:exactMatch`` decides what is linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.derived import Change, refresh
from kg.emit.link import Link, LinkContext, LinkReport, explain_link
from kg.emit.wikidata import WikidataClient, link_online
from kg.extract.gazetteer import ACTOR_TYPES, PLACE_TYPES, Entity, default_gazetteer
from kg.store import GraphStore, Store, insert_data, load
from kg.vocab import BASE, ENTITIES_GRAPH, ONTOLOGY, WIKIDATA

SKOS_EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"

_ENTITIES = load("kg.ask", "links_entities")
_COUNTRIES = load("kg.ask", "links_countries")

_ENTITY_TYPES = frozenset(ACTOR_TYPES | PLACE_TYPES)
_GENERIC_TYPES = {"Place", "Actor"}


@dataclass
class _Found:
    label: str
    types: set[str] = field(default_factory=set)
    match: str | None = None


def run_link_report(store: GraphStore) -> str:
    """The text for `kg link --report`: which entities in the store have skos:exactMatch,
    and for those without, why (link_entity is re-run with the countries of their articles)."""
    countries = _countries_in_store(store)
    report = LinkReport()
    for iri, item in sorted(_entities_in_store(store).items()):
        entity = _entity_for(iri, item)
        context = LinkContext.from_names(countries.get(iri, set()))
        _add_from_store(report, entity, item.match, explain_link(entity, context))
    return report.format()


def _add_from_store(
    report: LinkReport, entity: Entity, match: str | None, found: tuple[Link | None, str]
) -> None:
    """The store's own skos:exactMatch decides linked or not; the linker explains it."""
    link, reason = found
    if match is None:
        if link is not None:
            reason = (
                f"no skos:exactMatch in the store, but links now to {link.qid} "
                f"({link.source}): rebuild"
            )
        report.add(entity, None, reason)
    elif link is not None and WIKIDATA + link.qid == match:
        report.add(entity, link, "")
    else:
        note = f"linker now says {link.qid}" if link else f"linker now: {reason or 'no link'}"
        report.add_linked(entity, match.removeprefix(WIKIDATA), "store", note)


def _entities_in_store(store: GraphStore) -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    for row in store.select(_ENTITIES()):
        local = row["type"].value[len(ONTOLOGY) :]
        if local not in _ENTITY_TYPES:
            continue
        item = found.setdefault(row["s"].value, _Found(row["label"].value))
        item.types.add(local)
        if "match" in row:
            item.match = row["match"].value
    return found


def _countries_in_store(store: GraphStore) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in store.select(_COUNTRIES()):
        out.setdefault(row["s"].value, set()).add(row["country"].value)
    return out


def _entity_for(iri: str, item: _Found) -> Entity:
    key = iri.removeprefix(BASE + "entity/")
    known = default_gazetteer().get(key)
    if known is not None:
        return known
    specific = sorted(item.types - _GENERIC_TYPES) or sorted(item.types)
    return Entity(key=key, label=item.label, type=specific[0], known=False)


def link_store_online(
    store: Store, client: WikidataClient, limit: int | None = None
) -> list[tuple[str, str]]:
    """Opt-in online linking: every entity in the store still without a Wikidata link is looked
    up (through the client's rate limit and on-disk cache); a unique, type-checked match is
    written to the shared entities graph as skos:exactMatch with ckg:linkSource "wikidata-api".
    Returns (entity IRI, QID) pairs written. Later builds keep them: entity descriptions are
    only ever added to that graph."""
    written: list[tuple[str, str]] = []
    for iri, item in sorted(_entities_in_store(store).items()):
        if item.match is not None or (limit is not None and len(written) >= limit):
            continue
        found = link_online(_entity_for(iri, item), client)
        if found is None or found.source != "wikidata-api":
            continue
        if not re.fullmatch(r"Q\d+", found.qid):
            continue  # an answer from the network is checked before it is written
        node, graph = ox.NamedNode(iri), ox.NamedNode(ENTITIES_GRAPH)
        quads = [
            ox.Quad(
                node, ox.NamedNode(SKOS_EXACT_MATCH), ox.NamedNode(WIKIDATA + found.qid), graph
            ),
            ox.Quad(node, ox.NamedNode(ONTOLOGY + "linkSource"), ox.Literal("wikidata-api"), graph),
        ]
        store.update(insert_data(quads))
        written.append((iri, found.qid))
    # what derives from their descriptions (the cards who-controlled shows)
    refresh(store, Change([], entities=[iri for iri, _ in written]))
    return written
