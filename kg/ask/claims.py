"""Claims out of the store, in the JSON shape of docs/CONTRACT.md ("A claim"): one by IRI, or
the listings filtered by article, type, place or actor, paged by claims.

A claim's JSON is its card (`kg.derived.cards`: what its own article decides, entities as IRIs)
with its entities looked up and its contradictions added (`shown`).
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from kg.ask.entities import resolve_entity
from kg.ask.stored_queries import NARROWER, paged_listing, stored_text
from kg.claim_view import claim_view
from kg.derived import require
from kg.derived.cards import EntityCache, card, read_cards, value
from kg.errors import InputError, NotFoundError
from kg.store import Store, Term, load
from kg.store.sparql import bind_values
from kg.vocab import article_iri

STEPS_QUERY = load("kg.ask", "claims_reporting_steps")
CONTRADICTS_QUERY = load("kg.ask", "claims_contradictions")
CLAIM_STEM = load("kg.ask", "claims_article")  # whose listing holds the claim's rows
ARTICLE_STORED = load("kg.ask", "claims_article_stored")


def reporting_chains(store: Store, claim: str | None = None) -> dict[str, list[Term]]:
    chains: dict[str, list[Term]] = defaultdict(list)
    bindings = {"claim": ox.NamedNode(claim)} if claim else None
    for row in store.select(STEPS_QUERY(claim=None), bindings):
        chains[row["claim"].value].append(row["reporter"])
    return chains


def claim_json(
    row: dict,
    chain: list[Term],
    entities: EntityCache,
    contradicts: dict[str, list[str]] | None = None,
) -> dict:
    """A claim's JSON (docs/CONTRACT.md) from a row of claims.rq and its reporting chain."""
    others = (contradicts or {}).get(row["claim"].value, [])
    return shown(card(row, chain), entities, others, bool(value(row, "contradicted")))


def shown(card: dict, entities: EntityCache, contradicts: list[str], contradicted: bool) -> dict:
    """A claim's JSON from its card: its keys in the order kg/data/claims.json declares them,
    its entities looked up, its contradictions added (a contradicted claim is contested)."""
    view = claim_view()
    out = {key: card.get(key) for key in view.keys}
    for key in view.entity_keys():
        out[key] = entities.by_iri(card.get(key))
    out["reported_by"] = [entities.by_iri(iri) for iri in card["reported_by"]]
    out["contested"] = card["contested"] or contradicted
    out["contradicts"] = contradicts
    return out


def _bindings(
    article: str | None, type: str | None, place: Term | None, actor: Term | None, claim: str | None
) -> dict[str, Term]:
    claim_view().check_type(type)
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


# The listing query for the filters given, the first bound one deciding: each of these
# starts from its term, where claims.rq (optional filters in COALESCE, which no plan can use)
# reads every claim of the store. They give claims.rq's rows (tests/test_query_scale.py).
LISTINGS = (("claim", "claims"), *NARROWER)
# above this many claims the chains and contradictions are read for the whole store, not
# through a VALUES block of the claims' IRIs
BATCH = 5000


def listing_query(bindings: dict[str, Term]) -> str:
    """The name of the stored query that lists claims with these filters bound."""
    return next((name for key, name in LISTINGS if key in bindings), "claims")


def listing_rows(store: Store, bindings: dict[str, Term]) -> list[dict[str, Term]]:
    """Every row of the listing for these filters, in the order of the table. The table, and a
    listing of one term, read their pages (by day, by the term) one after the other: each costs
    its own claims, where the query run without a page would start from every page. A store
    without pages of the current shape is refused, saying to run `kg refresh`."""
    if (claim := bindings.get("claim")) is not None:  # its article's rows, then its own
        found = store.select(CLAIM_STEM(), {"claim": claim})
        if not found or bindings.get("article", found[0]["stem"]) != found[0]["stem"]:
            return []
        by_article = {k: v for k, v in bindings.items() if k != "claim"}
        by_article["article"] = found[0]["stem"]
        return [r for r in listing_rows(store, by_article) if r["claim"] == claim]
    name = listing_query(bindings)
    paged = paged_listing(name)
    if paged is None:  # one article's claims
        return store.select(bind_values(stored_text(name), bindings))
    require(store, paged.pages)
    # every page of the term the listing names, or every day page
    group = bindings[paged.source] if paged.source else None
    pages = [{**bindings, "page": page} for page in paged.pages.pages_of(store, group)]
    rows = [row for b in pages for row in store.select(paged.text, b)]
    rows.sort(key=lambda r: (r["stem"].value, int(r["index"].value), r["claim"].value))
    return rows


def page_rows(rows: list[dict], limit: int | None, offset: int) -> list[dict]:
    """The rows of the claims from ``offset`` (counted in claims, not rows: a claim with two
    agents has two rows), at most ``limit`` claims."""
    if limit is None and not offset:
        return rows
    if (limit is not None and limit < 0) or offset < 0:
        raise InputError("limit and offset must be whole numbers >= 0")
    order = list(dict.fromkeys(r["claim"].value for r in rows))
    kept = set(order[offset : None if limit is None else offset + limit])
    return [r for r in rows if r["claim"].value in kept]


def query_claims(
    store: Store,
    article: str | None = None,
    type: str | None = None,
    place: Term | None = None,
    actor: Term | None = None,
    claim: str | None = None,
    entities: EntityCache | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    bindings = _bindings(article, type, place, actor, claim)
    rows = page_rows(listing_rows(store, bindings), limit, offset)
    iris = list(dict.fromkeys(r["claim"].value for r in rows))
    chains: dict[str, list[Term]] = defaultdict(list)
    others: dict[str, list[str]] = defaultdict(list)
    if len(iris) > BATCH:  # a VALUES block that long costs more than reading them all
        chains.update(reporting_chains(store, claim))
        if any(value(r, "contradicted") for r in rows):
            others.update(contradictions(store, claim))
    elif iris:  # only the listed claims' chains, not every chain of the store
        for row in store.select(STEPS_QUERY(claim=iris)):
            chains[row["claim"].value].append(row["reporter"])
        if any(value(r, "contradicted") for r in rows):
            for row in store.select(CONTRADICTS_QUERY(claim=iris)):
                others[row["claim"].value].append(row["other"].value)
    entities = entities or EntityCache(store)
    return [claim_json(r, chains.get(r["claim"].value, []), entities, others) for r in rows]


def contradictions(store: Store, claim: str | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    bindings = {"claim": ox.NamedNode(claim)} if claim else None
    for row in store.select(CONTRADICTS_QUERY(claim=None), bindings):
        found[row["claim"].value].append(row["other"].value)
    return found


def list_claims(
    store: Store,
    article: str | None = None,
    type: str | None = None,
    place: str | None = None,
    actor: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict]:
    """Claims filtered by article stem, type, and place or actor given by any name or IRI, in
    the order of the table (article, sentence); ``limit`` and ``offset`` page it by claims."""
    place_node = resolve_entity(store, place, kind="Place") if place else None
    actor_node = resolve_entity(store, actor, kind="Actor") if actor else None
    if article and not store.select(
        ARTICLE_STORED(), {"article": ox.NamedNode(article_iri(article))}
    ):
        raise NotFoundError(
            f"No article {article!r} in the store: pass the stem of an article built "
            "(`kg claims` lists them in its first column)"
        )
    return query_claims(store, article, type, place_node, actor_node, limit=limit, offset=offset)


def get_claim(store: Store, iri: str, entities: EntityCache | None = None) -> dict:
    found = query_claims(store, claim=iri, entities=entities)
    if not found:
        raise NotFoundError(f"No claim {iri} in the store")
    return found[0]


def get_claims(
    store: Store, iris: list[str], entities: EntityCache | None = None
) -> dict[str, dict]:
    """Claims by IRI, each exactly as get_claim gives it (tests/test_query_scale.py), in three
    queries in all: the claims' triples, their events, articles and reporting steps, and their
    entities. Reading a node whole costs one index range where claims.rq looks each
    property up on its own (25 lookups per claim)."""
    iris = list(dict.fromkeys(iris))
    if not iris:
        return {}
    cards, others = read_cards(store, iris)
    missing = [iri for iri in iris if iri not in cards]
    if missing:
        raise NotFoundError(f"No claim {missing[0]} in the store")
    return claims_shown(cards, others, entities or EntityCache(store))


def claims_shown(
    cards: dict[str, dict], others: dict[str, list[str]], entities: EntityCache
) -> dict[str, dict]:
    """Claims' JSON from their cards and contradictions, their entities fetched together."""
    entities.prefetch(
        [c.get(key) for c in cards.values() for key in claim_view().entity_keys()]
        + [iri for c in cards.values() for iri in c["reported_by"]]
    )
    return {iri: shown(c, entities, others[iri], bool(others[iri])) for iri, c in cards.items()}
