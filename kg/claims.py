"""Claims out of the store, in the JSON shape of docs/CONTRACT.md ("A claim")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, NotFoundError, QueryError
from kg.extract.gazetteer import ACTOR_TYPES, PLACE_TYPES
from kg.paging import BY_DEFAULT, Pages
from kg.store import _COMMENT_LINE, _WHERE, Store, Term
from kg.stored_queries import get_stored_query, parse_stored_query
from kg.vocab import ONTOLOGY, WIKIDATA, article_iri

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
        block = " ".join(str(ox.NamedNode(iri)) for iri in todo)
        query = ENTITY_QUERY.replace("WHERE {", f"WHERE {{\n  VALUES ?e {{ {block} }}", 1)
        for e, label, cls, match in self.store.query(query):  # each term read once
            row = {"label": label, "class": cls, "match": match}
            found[e.value].append({k: v for k, v in row.items() if v is not None})
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
    """A claim's JSON (docs/CONTRACT.md) from a row of claims.rq and its reporting chain."""
    others = (contradicts or {}).get(row["claim"].value, [])
    return shown(card(row, chain), entities, others, bool(value(row, "contradicted")))


# the keys of a card that hold an entity's IRI (a claim's JSON holds the entity there)
ROLES = ("place", "agent", "target", "controller", "claimant")


def card(row: dict, chain: list[Term]) -> dict:
    """What a claim shows that its own article decides: its JSON with entities as IRIs and no
    contradictions (other articles add those). Plain JSON values: the build stores it
    (kg/cards.py), and `shown` makes the claim's JSON from it."""
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


def shown(card: dict, entities: EntityCache, contradicts: list[str], contradicted: bool) -> dict:
    """A claim's JSON from its card: its entities looked up, its contradictions added (a
    contradicted claim is contested)."""
    out = dict(card)
    for key in ROLES:
        out[key] = entities.by_iri(card[key])
    out["reported_by"] = [entities.by_iri(iri) for iri in card["reported_by"]]
    out["contested"] = card["contested"] or contradicted
    out["contradicts"] = contradicts
    return out


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


# The listing query for the filters given, the first bound one deciding: each of these
# starts from its term, where claims.rq (optional filters in COALESCE, which no plan can use)
# reads every claim of the store. They give claims.rq's rows (tests/test_query_scale.py).
LISTINGS = (
    ("claim", "claims"),
    ("article", "claims_in_article"),
    ("place", "claims_at_place"),
    ("actor", "claims_of_actor"),
)
# above this many claims the chains and contradictions are read for the whole store, not
# through a VALUES block of the claims' IRIs
BATCH = 5000


STEMS = "SELECT ?stem WHERE { ?article a ckg:Article ; ckg:stem ?stem }"
# the article of a claim, whose listing holds the claim's rows
CLAIM_STEM = "SELECT ?claim ?stem WHERE { ?claim ckg:inArticle ?article . ?article ckg:stem ?stem }"


def listing_query(bindings: dict[str, Term]) -> str:
    """The name of the stored query that lists claims with these filters bound."""
    return next((name for key, name in LISTINGS if key in bindings), "claims")


def listing_rows(store: Store, bindings: dict[str, Term]) -> list[dict[str, Term]]:
    """Every row of the listing for these filters, in the order of the table. The table, and a
    listing of one term, read their pages (by day, by the term) one after the other: each costs
    its own claims, where the query run without a page would start from every page. A store
    without such pages (loaded without a build) is read article by article."""
    if (claim := bindings.get("claim")) is not None:  # its article's rows, then its own (not
        # through the table's pages: a claim loaded by hand, without a build, has none)
        found = store.select(CLAIM_STEM, {"claim": claim})
        if not found or bindings.get("article", found[0]["stem"]) != found[0]["stem"]:
            return []
        by_article = {k: v for k, v in bindings.items() if k != "claim"}
        by_article["article"] = found[0]["stem"]
        return [r for r in listing_rows(store, by_article) if r["claim"] == claim]
    name = listing_query(bindings)
    text = stored_text(name)
    paged = paged_by(name, text)
    if paged is None:
        return store.select(text, bindings)
    kind, source = paged
    if not kind.is_current(store):  # loaded without a build (no pages): article by article
        text = stored_text("claims_in_article")
        stems = [r["stem"] for r in store.select(STEMS)]
        pages = [{**bindings, "article": stem} for stem in stems]
    else:  # every page of the term the listing names, or every day page
        group = bindings[source] if source else None
        pages = [{**bindings, "page": page} for page in kind.pages_of(store, group)]
    rows = [row for b in pages for row in store.select(text, b)]
    rows.sort(key=lambda r: (r["stem"].value, int(r["index"].value), r["claim"].value))
    return rows


def paged_by(name: str, text: str) -> tuple[Pages, str] | None:
    """The kind of pages a listing is read by and the parameter that names its group (empty for
    day pages), as its `page` parameter's default declares them; None for a listing that is
    not read by page."""
    for param in parse_stored_query(name, text).params:
        default, _, source = (param.default or "").partition(":")
        if default in BY_DEFAULT:
            return BY_DEFAULT[default], source
    return None


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
        for row in store.select(with_claims(STEPS_QUERY, iris)):
            chains[row["claim"].value].append(row["reporter"])
        if any(value(r, "contradicted") for r in rows):
            for row in store.select(with_claims(CONTRADICTS_QUERY, iris)):
                others[row["claim"].value].append(row["other"].value)
    entities = entities or EntityCache(store)
    return [claim_json(r, chains.get(r["claim"].value, []), entities, others) for r in rows]


CONTRADICTS_QUERY = "SELECT ?claim ?other WHERE { ?claim ckg:contradicts ?other } ORDER BY ?other"


def contradictions(store: Store, claim: str | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    bindings = {"claim": ox.NamedNode(claim)} if claim else None
    for row in store.select(CONTRADICTS_QUERY, bindings):
        found[row["claim"].value].append(row["other"].value)
    return found


ARTICLE_STORED = "SELECT ?article WHERE { ?article ckg:stem ?stem } LIMIT 1"


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
    from kg.ask import resolve_entity

    place_node = resolve_entity(store, place, kind="Place") if place else None
    actor_node = resolve_entity(store, actor, kind="Actor") if actor else None
    if article and not store.select(
        ARTICLE_STORED, {"article": ox.NamedNode(article_iri(article))}
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


# get_claims reads each claim, then its event, article and reporting steps, whole (one index
# range each) and fills claims.rq's columns from them: these maps name the column of each
# property; None marks a required one (claims.rq's non-optional patterns).
DESCRIBE = "SELECT ?s ?p ?o WHERE { VALUES ?s { %s } ?s ?p ?o }"
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


def described(store: Store, iris: list[str]) -> dict[str, dict[str, list[Term]]]:
    """{subject: {property: [objects]}} of these IRIs (which came out of the store), read from
    the union of all graphs as claims.rq reads them."""
    found: dict[str, dict[str, list[Term]]] = {iri: defaultdict(list) for iri in iris}
    if iris:
        for s, p, o in store.query(DESCRIBE % iri_block(iris)):  # each term read once
            found[s.value][p.value].append(o)
    return found


def iri_block(iris: list[str]) -> str:
    return " ".join(str(ox.NamedNode(iri)) for iri in iris) or "<urn:kg:none>"


# the events whole; of the articles and the reporting steps only what a claim shows (an
# article's title, publisher and checksum are long strings, each a lookup to decode)
LINKED = """SELECT ?s ?p ?o ?stem ?published ?position ?reporter WHERE {
  { VALUES ?s { %s } ?s ?p ?o }
  UNION { VALUES ?s { %s } ?s ckg:stem ?stem OPTIONAL { ?s ckg:published ?published } }
  UNION { VALUES ?s { %s } ?s ckg:position ?position ; ckg:reporter ?reporter }
}"""
STEM, PUBLISHED, STEP = ONTOLOGY + "stem", ONTOLOGY + "published", "step"


def linked(store: Store, claims: dict[str, dict[str, list[Term]]]) -> dict[str, dict[str, list]]:
    """The claims' events, articles (stem, published) and reporting steps ((position,
    reporter) pairs under STEP), as described() gives them."""
    events, articles, steps = (
        list(dict.fromkeys(o.value for c in claims.values() for o in c.get(ONTOLOGY + p, [])))
        for p in ("about", "inArticle", "reportingStep")
    )
    found: dict[str, dict[str, list]] = {i: defaultdict(list) for i in events + articles + steps}
    query = LINKED % (iri_block(events), iri_block(articles), iri_block(steps))
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
    """claims.rq's row for one claim (the first, as get_claim keeps), or None when the claim
    lacks what claims.rq requires."""
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


def read_cards(store: Store, iris: list[str]) -> tuple[dict[str, dict], dict[str, list[str]]]:
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


def claims_shown(
    cards: dict[str, dict], others: dict[str, list[str]], entities: EntityCache
) -> dict[str, dict]:
    """Claims' JSON from their cards and contradictions, their entities fetched together."""
    entities.prefetch(
        [c[key] for c in cards.values() for key in ROLES]
        + [iri for c in cards.values() for iri in c["reported_by"]]
    )
    return {iri: shown(c, entities, others[iri], bool(others[iri])) for iri, c in cards.items()}
