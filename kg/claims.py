"""Claims out of the store, in the JSON shape of CONTRACT.md ("A claim")."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, NotFoundError, QueryError
from kg.extract.gazetteer import ACTOR_TYPES, PLACE_TYPES
from kg.store import _COMMENT_LINE, _WHERE, Store, Term
from kg.stored_queries import get_stored_query
from kg.vocab import ONTOLOGY, WIKIDATA

CLAIM_TYPES = ("control", "attack", "casualties", "statement", "diplomacy", "movement", "other")
TOP_CLASSES = {
    "Actor": ACTOR_TYPES,
    "Place": PLACE_TYPES,
    "Source": {"Source", "Article", "Report", "SourceStatement"},
}
ENTITY_QUERY = """
SELECT ?e ?label ?class ?match WHERE {
  ?e rdfs:label ?label .
  OPTIONAL { ?e a ?class FILTER(STRSTARTS(STR(?class), STR(ckg:))) }
  OPTIONAL { ?e skos:exactMatch ?match }
}"""
STEPS_QUERY = """
SELECT ?claim ?position ?reporter WHERE {
  ?claim ckg:reportingStep ?step . ?step ckg:position ?position ; ckg:reporter ?reporter .
} ORDER BY ?claim ?position"""


_TEXTS: dict[str, tuple[Path, int, str]] = {}


def stored_text(name: str) -> str:
    """A stored query's text, read again only when its file changes (finding the queries
    folder and parsing the header cost milliseconds on every call)."""
    known = _TEXTS.get(name)
    if known is not None:
        path, mtime, text = known
        try:
            if path.stat().st_mtime_ns == mtime:
                return text
        except OSError:
            pass
    query = get_stored_query(name)
    if query.path is not None:
        _TEXTS[name] = (query.path, query.path.stat().st_mtime_ns, query.text)
    return query.text


class EntityCache:
    """ENTITY objects ({label, iri, wikidata, type}) looked up once per request."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[str, dict | None] = {}

    def get(self, node: Term | None) -> dict | None:
        if node is None:
            return None
        iri = node.value
        if iri not in self.cache:
            self.cache[iri] = self.lookup(node)
        return self.cache[iri]

    def prefetch(self, nodes: list[Term | None]) -> None:
        """Look up many entities in one query (IRIs that came out of the store)."""
        todo = list(
            dict.fromkeys(n.value for n in nodes if n is not None and n.value not in self.cache)
        )
        if not todo:
            return
        found: dict[str, list[dict]] = {iri: [] for iri in todo}
        block = " ".join(str(ox.NamedNode(iri)) for iri in todo)
        query = ENTITY_QUERY.replace("WHERE {", f"WHERE {{\n  VALUES ?e {{ {block} }}", 1)
        for row in self.store.select(query):
            found[row["e"].value].append(row)
        for iri, rows in found.items():
            self.cache[iri] = self.entity(ox.NamedNode(iri), rows)

    def lookup(self, node: Term) -> dict:
        return self.entity(node, self.store.select(ENTITY_QUERY, {"e": node}))

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


def reporting_chains(store: Store, claim: str | None = None) -> dict[str, list[Term]]:
    chains: dict[str, list[Term]] = defaultdict(list)
    bindings = {"claim": ox.NamedNode(claim)} if claim else None
    for row in store.select(STEPS_QUERY, bindings):
        chains[row["claim"].value].append(row["reporter"])
    return chains


def claim_json(
    row: dict,
    chain: list[Term],
    entities: EntityCache,
    contradicts: dict[str, list[str]] | None = None,
) -> dict:
    contradicts = contradicts or {}
    start, end, text = value(row, "start"), value(row, "end"), value(row, "dateText")
    date = {"start": start, "end": end, "text": text} if (start or end or text) else None
    return {
        "id": row["claim"].value,
        "article": value(row, "stem"),
        "published": value(row, "published"),
        "sentence": value(row, "sentence"),
        "type": value(row, "type"),
        "date": date,
        "place": entities.get(row.get("eventPlace")),
        "agent": entities.get(row.get("agent")),
        "target": entities.get(row.get("target")),
        "controller": entities.get(row.get("controller")),
        "count": value(row, "count"),
        "count_qualifier": value(row, "qualifier"),
        "victims": value(row, "victims"),
        "claimant": entities.get(row.get("claimant")),
        "reported_by": [entities.get(r) for r in chain],
        "hedged": bool(value(row, "hedged")),
        "contested": bool(value(row, "contested")) or bool(value(row, "contradicted")),
        "contradicts": contradicts.get(row["claim"].value, []),
        "event": value(row, "occurrence"),
        "headline": value(row, "headline"),
    }


def _bindings(
    article: str | None, type: str | None, place: Term | None, actor: Term | None, claim: str | None
) -> dict[str, Term]:
    if type is not None and type not in CLAIM_TYPES:
        raise InputError(f"type must be one of {', '.join(CLAIM_TYPES)}, not {type!r}")
    bindings: dict[str, Term] = {}
    if article is not None:
        bindings["article"] = ox.Literal(article)
    if type is not None:
        bindings["type"] = ox.Literal(type)
    if place is not None:
        bindings["place"] = place
    if actor is not None:
        bindings["actor"] = actor
    if claim is not None:
        bindings["claim"] = ox.NamedNode(claim)
    return bindings


def query_claims(
    store: Store,
    article: str | None = None,
    type: str | None = None,
    place: Term | None = None,
    actor: Term | None = None,
    claim: str | None = None,
    entities: EntityCache | None = None,
) -> list[dict]:
    rows = store.select(stored_text("claims"), _bindings(article, type, place, actor, claim))
    chains = reporting_chains(store, claim) if rows else {}
    others = contradictions(store, claim) if any(value(r, "contradicted") for r in rows) else {}
    entities = entities or EntityCache(store)
    return [claim_json(r, chains.get(r["claim"].value, []), entities, others) for r in rows]


CONTRADICTS_QUERY = "SELECT ?claim ?other WHERE { ?claim ckg:contradicts ?other } ORDER BY ?other"


def contradictions(store: Store, claim: str | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    bindings = {"claim": ox.NamedNode(claim)} if claim else None
    for row in store.select(CONTRADICTS_QUERY, bindings):
        found[row["claim"].value].append(row["other"].value)
    return found


def list_claims(
    store: Store,
    article: str | None = None,
    type: str | None = None,
    place: str | None = None,
    actor: str | None = None,
) -> list[dict]:
    """Claims filtered by article stem, type, and place or actor given by any name or IRI."""
    from kg.ask import resolve_entity

    place_node = resolve_entity(store, place, kind="Place") if place else None
    actor_node = resolve_entity(store, actor, kind="Actor") if actor else None
    return query_claims(store, article, type, place_node, actor_node)


def get_claim(store: Store, iri: str, entities: EntityCache | None = None) -> dict:
    found = query_claims(store, claim=iri, entities=entities)
    if not found:
        raise NotFoundError(f"No claim {iri} in the store")
    return found[0]


def with_claims(sparql: str, iris: list[str]) -> str:
    """The query with a VALUES block of claim IRIs opening its WHERE group. The IRIs came
    out of the store (absolute IRIs: pyoxigraph refused anything else), and the block is what
    the planner starts from: one query fetches them all instead of one query per claim."""
    block = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    blanked = _COMMENT_LINE.sub(lambda m: " " * len(m.group()), sparql)
    found = _WHERE.search(blanked)
    if found is None:
        raise QueryError("A claims query needs a WHERE clause to bind ?claim in")
    at = found.end()
    return f"{sparql[:at]}\n  VALUES ?claim {{ {block} }}\n{sparql[at:]}"


def get_claims(
    store: Store, iris: list[str], entities: EntityCache | None = None
) -> dict[str, dict]:
    """Claims by IRI, each exactly as get_claim gives it, in three queries in all."""
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    entities = entities or EntityCache(store)
    rows = store.select(with_claims(stored_text("claims"), iris))
    chains: dict[str, list[Term]] = defaultdict(list)
    for row in store.select(with_claims(STEPS_QUERY, iris)):
        chains[row["claim"].value].append(row["reporter"])
    others: dict[str, list[str]] = defaultdict(list)
    if any(value(r, "contradicted") for r in rows):
        for row in store.select(with_claims(CONTRADICTS_QUERY, iris)):
            others[row["claim"].value].append(row["other"].value)
    roles = ("eventPlace", "agent", "target", "controller", "claimant")
    entities.prefetch(
        [r.get(k) for r in rows for k in roles] + [n for chain in chains.values() for n in chain]
    )
    found: dict[str, dict] = {}
    for row in rows:
        iri = row["claim"].value
        if iri not in found:  # get_claim keeps the first row of a claim
            found[iri] = claim_json(row, chains.get(iri, []), entities, others)
    missing = [iri for iri in iris if iri not in found]
    if missing:
        raise NotFoundError(f"No claim {missing[0]} in the store")
    return found
