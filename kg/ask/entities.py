"""Entities by any name: a place or an actor given as a name, an alias, a Wikidata id or an
IRI, resolved to the entity the store holds (what `kg ask`, `kg claims`, the API and the stored
queries' parameters take)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.derived.cards import TOP_CLASSES
from kg.errors import InputError, NotFoundError
from kg.extract.gazetteer import default_gazetteer
from kg.store import GraphStore, Term, load
from kg.vocab import WIKIDATA, entity_iri

FIND_BY_NAME = load("kg.ask", "entities_by_name")
FIND_BY_QID = load("kg.ask", "entities_by_wikidata")
CLASS_OF = load("kg.ask", "entities_classes")
WITH_CONTROL = load("kg.ask", "entities_with_control")


def resolve_entity(store: GraphStore, name: str, kind: str = "Place") -> Term:
    """An entity IRI from any name, alias, Wikidata id or IRI."""
    name = name.strip()
    if not name:
        raise InputError(f"{kind.lower()} must not be empty")
    if name.startswith(("http://", "https://")) and not name.startswith(WIKIDATA):
        try:
            return ox.NamedNode(name)
        except ValueError:
            raise InputError(
                f"{kind.lower()} {name!r} is not a valid IRI; give a name, a "
                "Wikidata id (Q...) or a full IRI"
            ) from None
    qid = name.removeprefix(WIKIDATA)
    if qid[:1] in "Qq" and qid[1:].isdigit():
        rows = store.select(FIND_BY_QID(), {"qid": ox.NamedNode(WIKIDATA + qid.upper())})
        candidates = [r["e"] for r in rows]
    else:
        gazetteer = default_gazetteer()
        if kind == "Place":
            keys = gazetteer.place_keys(name)
        else:
            known = gazetteer.lookup(name)
            keys = [known.key] if known else []
        candidates = [ox.NamedNode(entity_iri(k)) for k in keys]
        named = [r["e"] for r in store.select(FIND_BY_NAME(), {"name": ox.Literal(name)})]
        candidates = [c for c in candidates if exists(store, c)] or named
        if kind == "Place":  # a town elsewhere of the name, and the quarter a text called so
            candidates = list(dict.fromkeys(candidates + named))
            candidates.sort(key=lambda c: not store.select(WITH_CONTROL(), {"e": c}))
    candidates = [c for c in candidates if is_kind(store, c, kind)]
    if not candidates:
        raise NotFoundError(
            f"No {kind.lower()} called {name!r} in the store: check the "
            "spelling, or list names with `kg query` over rdfs:label"
        )
    return candidates[0]


def exists(store: GraphStore, node: Term) -> bool:
    return bool(store.select(CLASS_OF(), {"e": node}))


def is_kind(store: GraphStore, node: Term, kind: str) -> bool:
    classes = {r["class"].value.rsplit("#", 1)[-1] for r in store.select(CLASS_OF(), {"e": node})}
    return bool(classes & TOP_CLASSES.get(kind, {kind}))
