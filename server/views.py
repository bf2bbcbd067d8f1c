"""What the analyst's pages show, read from the store in a few queries each: the search index,
a place's control history, an entity's, a source's and an article's page, and the claims
browser's table.

Every function here takes the store first and runs in the query thread (no request context).
Entities are shown by label and articles by title and day; the caches the build keeps
(readings, cards, totals, pages) are read where they make a page cheap, and never shown.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.ask.claims import (
    CONTRADICTS_QUERY,
    STEPS_QUERY,
    _bindings,
    claim_json,
    claims_shown,
    listing_query,
    query_claims,
)
from kg.ask.evaluate import fold
from kg.ask.stored_queries import paged_listing
from kg.ask.who_controlled import columns, digested, evidence, runs_of, winner
from kg.claim_view import claim_view
from kg.derived import CONTROL, control, require, vocabulary
from kg.derived.cards import EntityCache, read_cards, value
from kg.extract.gazetteer import PLACE_TYPES
from kg.store import GraphStore, Store, Term, load
from kg.vocab import BASE, ONTOLOGY, WIKIDATA

DCTERMS = "http://purl.org/dc/terms/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
SOURCE_CLASSES = {"NewsAgency", "Monitor", "AnonymousSource"}
FAR_FUTURE = dt.date(9999, 12, 31)

# The terms of the derived data (ontology/derived.ttl) and the build's own bookkeeping: never
# shown on a page.
INTERNAL = vocabulary()[0] | {
    ONTOLOGY + name for name in ("extractorVersion", "textSha256", "publishedFrom", "linkSource")
}
INTERNAL_CLASSES = vocabulary()[1]
# the IRI paths of nodes that exist only for the caches
INTERNAL_PATHS = ("page/", "termpage/", "total/", "graph/")


def local_path(iri: str | None) -> str | None:
    """The path of an IRI of this dataset after /resource/, None for any other IRI."""
    if iri and iri.startswith(BASE) and len(iri) > len(BASE):
        return iri[len(BASE) :]
    return None


def kind_of(cls: str | None) -> str:
    """place, source, actor or article, from an entity's class (its local name)."""
    if cls in PLACE_TYPES:
        return "place"
    if cls in SOURCE_CLASSES:
        return "source"
    if cls == "Article":
        return "article"
    return "actor"


def entity_ref(entity: dict | None) -> dict | None:
    """An entity as pages link it: label, path of its page, kind."""
    if not entity:
        return None
    return {
        "label": entity["label"],
        "path": local_path(entity["iri"]),
        "kind": kind_of(entity.get("class")),
    }


# -- search ------------------------------------------------------------------------------

NAMES, ARTICLES = load("server", "views_names"), load("server", "views_articles")


class SearchIndex:
    """Every name, alias and Wikidata id of the store's entities and every article title,
    folded (case, accents and punctuation ignored), read in two queries when first asked."""

    def __init__(self, store: GraphStore) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.names: list[tuple[str, str]] = []  # (folded name, IRI)
        alts: dict[str, list[str]] = defaultdict(list)
        parts: dict[str, str] = {}
        for row in store.select(NAMES()):
            iri, name = row["e"].value, row["name"].value
            entry = self.entries.setdefault(iri, {"iri": iri, "label": None, "class": None})
            if "main" in row and entry["label"] is None:
                entry["label"] = name
            elif "main" not in row and name not in alts[iri]:
                alts[iri].append(name)
            if "class" in row and entry["class"] is None:
                entry["class"] = row["class"].value.removeprefix(ONTOLOGY)
            if "match" in row:
                entry["wikidata"] = row["match"].value.removeprefix(WIKIDATA)
            if "part" in row:
                parts[iri] = row["part"].value
            self.names.append((fold(name), iri))
        for iri, entry in list(self.entries.items()):
            if entry["label"] is None or entry["class"] in (None, "Claim"):
                del self.entries[iri]
                continue
            entry["kind"] = kind_of(entry["class"])
            entry["alts"] = [a for a in alts[iri] if a != entry["label"]]
            part = self.entries.get(parts.get(iri, ""), {}).get("label")
            entry["context"] = self.context(entry, part)
            if entry.get("wikidata"):
                self.names.append((entry["wikidata"].lower(), iri))
        for row in store.select(ARTICLES()):
            iri = row["a"].value
            title = row["title"].value if "title" in row else row["stem"].value
            day = row["published"].value if "published" in row else "undated"
            self.entries[iri] = {
                "iri": iri,
                "label": title,
                "kind": "article",
                "class": "Article",
                "context": f"article, {day}",
            }
            self.names.append((fold(title), iri))
        self.names.sort()

    @staticmethod
    def context(entry: dict, part: str | None) -> str:
        words = [entry["class"].lower() if entry["class"] else entry["kind"]]
        if part:
            words[0] += f" in {part}"
        if entry["alts"]:
            words.append("also " + ", ".join(entry["alts"][:4]))
        if entry.get("wikidata"):
            words.append(f"Wikidata {entry['wikidata']}")
        return "; ".join(words)

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Matches, best first: whole name, then name start, then a word start, then inside."""
        key = fold(text)
        if not key:
            return []
        ranked: dict[str, tuple[int, int, str]] = {}
        for name, iri in self.names:
            if key not in name or iri not in self.entries:
                continue
            if name == key:
                rank = 0
            elif name.startswith(key):
                rank = 1
            elif f" {key}" in f" {name}":
                rank = 2
            else:
                rank = 3
            entry = self.entries[iri]
            score = (rank, 0 if entry["kind"] != "article" else 1, entry["label"])
            if iri not in ranked or score < ranked[iri]:
                ranked[iri] = score
        best = sorted(ranked, key=lambda iri: ranked[iri])[:limit]
        out = []
        for iri in best:
            entry = self.entries[iri]
            out.append(
                {
                    "label": entry["label"],
                    "kind": entry["kind"],
                    "context": entry["context"],
                    "path": local_path(iri),
                    "exact": ranked[iri][0] == 0,
                }
            )
        return out


_INDEX: dict[str, Any] = {"store": None, "index": None}
_INDEX_LOCK = threading.Lock()


def search_index(store: GraphStore) -> SearchIndex:
    """The index of this store handle (the server reopens the store after a build, and the
    new handle gets a new index)."""
    with _INDEX_LOCK:
        if _INDEX["store"] is not store:
            _INDEX["index"], _INDEX["store"] = SearchIndex(store), store
        return _INDEX["index"]


def search(store: GraphStore, text: str, limit: int = 10) -> list[dict[str, Any]]:
    return search_index(store).search(text, limit)


# -- facts about one resource ------------------------------------------------------------

FACTS = load("server", "views_facts")


def facts(store: GraphStore, iri: str) -> dict[str, Any] | None:
    """The resource's own properties as words: label, aliases, class, Wikidata id, place on
    the map, parent places and sides; None when the store says nothing about it."""
    rows = store.select(FACTS(), {"iri": ox.NamedNode(iri)})
    if not rows:
        return None
    out: dict[str, Any] = {"iri": iri, "label": None, "alts": [], "class": None}
    out.update(wikidata=None, lat=None, long=None, part_of=[], sides=[], other=[])
    for row in rows:
        p, o = row["p"].value, row["o"]
        label = row["label"].value if "label" in row else None
        if p in INTERNAL:
            continue
        if p == PREFIX_RDFS + "label":
            out["label"] = out["label"] or o.value
        elif p == PREFIX_SKOS + "altLabel":
            out["alts"].append(o.value)
        elif p == PREFIX_RDF + "type":
            if o.value.startswith(ONTOLOGY):
                out["class"] = out["class"] or o.value.removeprefix(ONTOLOGY)
        elif p == PREFIX_SKOS + "exactMatch" and o.value.startswith(WIKIDATA):
            out["wikidata"] = o.value.removeprefix(WIKIDATA)
        elif p == GEO + "lat":
            out["lat"] = float(o.value)
        elif p == GEO + "long":
            out["long"] = float(o.value)
        elif p == ONTOLOGY + "partOf":
            out["part_of"].append({"label": label or o.value, "path": local_path(o.value)})
        elif p == ONTOLOGY + "side":
            out["sides"].append({"label": label or o.value, "path": local_path(o.value)})
        elif p == DCTERMS + "title":
            out["title"] = o.value
        elif p == ONTOLOGY + "published":
            out["published"] = o.value
        elif p == ONTOLOGY + "stem":
            out["stem"] = o.value
        elif p == ONTOLOGY + "url":
            out["url"] = o.value
        elif p == ONTOLOGY + "publisher":
            out["publisher"] = {"label": label or o.value, "path": local_path(o.value)}
    out["alts"].sort()
    out["kind"] = kind_of(out["class"])
    return out


PREFIX_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PREFIX_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PREFIX_SKOS = "http://www.w3.org/2004/02/skos/core#"

TITLES = load("server", "views_titles")


def article_titles(
    store: GraphStore, stems: Iterable[str | None]
) -> dict[str, dict[str, str | None]]:
    """{stem: {title, published}} of these articles, in one query."""
    todo = sorted(set(s for s in stems if s))
    if not todo:
        return {}
    found: dict[str, dict[str, str | None]] = {}
    for row in store.select(TITLES(stem=[ox.Literal(s) for s in todo])):
        found[row["stem"].value] = {
            "title": row["title"].value if "title" in row else None,
            "published": row["published"].value if "published" in row else None,
        }
    return found


# -- claims as a page shows them -----------------------------------------------------------


def claim_row(claim: dict, titles: dict[str, dict]) -> dict[str, Any]:
    """A claim of the JSON API as a row of words: its entities by label, its article by title
    and day, its count and victims as a phrase."""
    date = claim.get("date") or {}
    start, end = date.get("start"), date.get("end")
    when = start or ""
    if end and end != start:
        when = f"{start or '…'} to {end}"
    article = titles.get(claim.get("article") or "", {})
    return {
        "path": local_path(claim["id"]),
        "type": claim.get("type") or "claim",
        "when": when,
        "start": start or claim.get("published") or "",
        "date_text": (date.get("text") or "").strip("()"),
        **{key: entity_ref(claim.get(key)) for key in claim_view().entity_keys()},
        "toll": toll(claim),
        "count": claim.get("count"),
        "victims": claim.get("victims"),
        "chain": [entity_ref(e) for e in claim.get("reported_by") or [] if e],
        "sentence": claim.get("sentence") or "",
        "article": {
            "path": f"article/{claim['article']}" if claim.get("article") else None,
            "title": article.get("title") or "untitled article",
            "published": article.get("published") or claim.get("published") or "",
        },
        "hedged": bool(claim.get("hedged")),
        "contested": bool(claim.get("contested")),
    }


def toll(claim: dict) -> str:
    """The fields of the "toll" column (kg/data/claims.json: qualifier, count, victims) as one
    phrase; without a count, the victims alone."""
    if claim.get("count") is None:
        return str(claim.get("victims") or "")
    parts = (claim.get(key) for key in claim_view().columns["toll"].sources)
    return " ".join(str(x) for x in parts if x not in (None, ""))


def claim_rows(store: GraphStore, claims: list[dict]) -> list[dict[str, Any]]:
    titles = article_titles(store, (c.get("article") for c in claims))
    return [claim_row(c, titles) for c in claims]


def summary(rows: list[dict]) -> dict[str, int]:
    counts = Counter(r["type"] for r in rows)
    return {t: counts[t] for t in claim_view().type_names if counts[t]}


# -- claims read newest page first -----------------------------------------------------------

PAGE_CAP = 150  # claims a place's or an entity's page shows: its newest articles'


def newest_claims(
    store: Store,
    enough: int,
    kind: str | None = None,
    place: Term | None = None,
    actor: Term | None = None,
    keep: Any = None,
    entities: EntityCache | None = None,
) -> tuple[list[dict], bool]:
    """Claims of the listing for these filters (kg.ask.claims.list_claims's listings), read one
    page of articles at a time from the newest, until ``enough`` of them pass ``keep`` (a
    test of a claim's JSON); and whether every page was read."""
    bindings = _bindings(None, kind, place, actor, None)
    name = listing_query(bindings)
    paged = paged_listing(name)
    entities = entities or EntityCache(store)
    if paged is None:
        found = query_claims(store, None, kind, place, actor, entities=entities)
        return [c for c in found if keep is None or keep(c)], True
    require(store, paged.pages)
    pages = paged.pages.pages_of(store, bindings[paged.source] if paged.source else None)
    kept: list[dict] = []
    for i, page in enumerate(reversed(pages)):
        rows = store.select(paged.text, {**bindings, "page": page})
        rows.sort(key=lambda r: (r["stem"].value, int(r["index"].value), r["claim"].value))
        claims = _claims_of_rows(store, rows, entities)
        claims.reverse()  # newest article first
        kept += [c for c in claims if keep is None or keep(c)]
        if len(kept) >= enough:
            return kept, i == len(pages) - 1
    return kept, True


def _claims_of_rows(store: GraphStore, rows: list[dict], entities: EntityCache) -> list[dict]:
    """kg.ask.claims.query_claims's JSON of the listing's rows: chains and contradictions of
    just these claims, in two queries."""
    iris = list(dict.fromkeys(r["claim"].value for r in rows))
    if not iris:
        return []
    chains: dict[str, list[Term]] = defaultdict(list)
    others: dict[str, list[str]] = defaultdict(list)
    for row in store.select(STEPS_QUERY(claim=iris)):
        chains[row["claim"].value].append(row["reporter"])
    if any(value(r, "contradicted") for r in rows):
        for row in store.select(CONTRADICTS_QUERY(claim=iris)):
            others[row["claim"].value].append(row["other"].value)
    seen: set[str] = set()
    out = []
    for r in rows:
        if r["claim"].value in seen:
            continue
        seen.add(r["claim"].value)
        out.append(claim_json(r, chains.get(r["claim"].value, []), entities, others))
    return out


# -- a place -------------------------------------------------------------------------------


def control_readings(store: GraphStore, place: Term, as_of: dt.date | None) -> list:
    """Every control reading of the place known by ``as_of``, newest first."""
    require(store, CONTROL)
    rows = columns(store, control.months_query(place.value, None))
    return digested(rows["lines"], FAR_FUTURE, as_of)


def control_history(
    store: Store, place: Term, as_of: dt.date | None, entities: EntityCache
) -> dict[str, Any]:
    """The place's holders over time: bands (one lane per controller, a span per stretch it
    held the place), contested moments (reports of the same day naming different holders) and
    changes (a new holder, with the claims that report it)."""
    found = control_readings(store, place, as_of)
    moments = list(reversed(runs_of(found)))  # oldest first
    if not moments:
        return {"lanes": [], "changes": [], "contested": [], "first": None, "last": None}
    claims = evidence(store, found, entities)
    titles = article_titles(store, (c.get("article") for c in claims.values()))
    rows = {iri: claim_row(c, titles) for iri, c in claims.items()}
    entities.prefetch([r.controller for r in found])
    spans: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    contested: list[dict[str, Any]] = []
    holder = None
    for moment in moments:
        day = moment[0].start.isoformat()
        top = winner(moment)
        named = list(dict.fromkeys(r.controller for r in moment))
        reports = [rows[r.claim] for r in moment if r.claim in rows]
        if len(named) > 1:
            contested.append(
                {"day": day, "holders": [_label(entities, c) for c in named], "claims": reports}
            )
        if top != holder:
            if spans:
                spans[-1]["to"] = day
            spans.append({"controller": top, "from": day, "to": None, "contested": False})
            changes.append(
                {
                    "day": day,
                    "controller": _label(entities, top),
                    "previous": _label(entities, holder) if holder else None,
                    "claims": list(
                        {
                            r.claim: rows[r.claim]
                            for r in reversed(found)  # oldest first: the day's every report
                            if r.start == moment[0].start
                            and r.controller == top
                            and r.claim in rows
                        }.values()
                    ),
                    "contested": len(named) > 1,
                }
            )
            holder = top
        if len(named) > 1:
            spans[-1]["contested"] = True
    first, last = moments[0][0].start, moments[-1][0].start
    end = max(last, as_of or last) + dt.timedelta(days=max(2, (last - first).days // 8))
    order = list(dict.fromkeys(s["controller"] for s in spans))
    lanes: list[dict[str, Any]] = []
    for controller in order:
        lanes.append(
            {
                "controller": _label(entities, controller),
                "spans": [
                    {**s, "to": s["to"] or end.isoformat(), "open": s["to"] is None}
                    for s in spans
                    if s["controller"] == controller
                ],
            }
        )
    span = max((end - first).days, 1)

    def at(day: str) -> float:
        return round(100 * (dt.date.fromisoformat(day) - first).days / span, 2)

    for lane in lanes:
        for s in lane["spans"]:
            s.pop("controller", None)
            s["left"], s["width"] = at(s["from"]), max(at(s["to"]) - at(s["from"]), 0.6)
    for mark in changes + contested:
        mark["at"] = at(mark["day"])
    return {
        "ticks": ticks(first, end, at),
        "lanes": lanes,
        "changes": changes,
        "contested": contested,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "end": end.isoformat(),
    }


def ticks(first: dt.date, end: dt.date, at: Any) -> list[dict[str, Any]]:
    """A few days along the axis: month starts when the history spans months, else days."""
    days = (end - first).days
    step = max(1, days // 6)
    if days > 120:
        marks, day = [], dt.date(first.year, first.month, 1)
        while day <= end:
            if day >= first:
                marks.append(day)
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        keep = max(1, len(marks) // 8)
        marks = marks[::keep]
    else:
        marks = [first + dt.timedelta(days=i) for i in range(0, days + 1, step)]
    return [{"day": d.isoformat(), "at": at(d.isoformat())} for d in marks]


def claims_by_iri(
    store: Store, iris: list[str], entities: EntityCache | None = None
) -> dict[str, dict]:
    """The claims' JSON by IRI (kg.ask.claims.get_claims), leaving out those that lack what a
    claim needs rather than failing."""
    cards, others = read_cards(store, list(dict.fromkeys(iris)))
    return claims_shown(cards, others, entities or EntityCache(store))


def _label(entities: EntityCache, iri: str | None) -> dict | None:
    return entity_ref(entities.by_iri(iri)) if iri else None


NEARBY = load("server", "views_nearby")


def nearby(store: GraphStore, iri: str, lat: float, long: float, radius: float = 2.5) -> list[dict]:
    """Places within ``radius`` degrees that the graph describes (and so has claims about)."""
    dec = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    bounds = {
        "south": lat - radius,
        "north": lat + radius,
        "west": long - radius,
        "east": long + radius,
    }
    bindings: dict[str, Term] = {k: ox.Literal(repr(v), datatype=dec) for k, v in bounds.items()}
    bindings["self"] = ox.NamedNode(iri)
    out = []
    for row in store.select(NEARBY(), bindings):
        cls = row["class"].value.removeprefix(ONTOLOGY) if "class" in row else None
        if cls in ("Country", "Province", "Region"):
            continue
        out.append(
            {
                "label": row["label"].value,
                "path": local_path(row["e"].value),
                "lat": float(row["lat"].value),
                "long": float(row["long"].value),
            }
        )
    return out


def place_page(store: Store, iri: str, as_of: dt.date | None) -> dict[str, Any]:
    entities = EntityCache(store)
    node = ox.NamedNode(iri)
    page: dict[str, Any] = {"history": control_history(store, node, as_of, entities)}
    page["as_of"] = as_of.isoformat() if as_of else None
    claims, page["complete"] = newest_claims(store, PAGE_CAP, place=node, entities=entities)
    rows = claim_rows(store, claims)
    rows.sort(key=lambda r: (r["start"], r["article"]["published"]), reverse=True)
    page["claims"], page["types"] = rows, summary(rows)
    return page


# -- an actor or a source ------------------------------------------------------------------

PAIRS = load("server", "views_pairs")


def entity_page(store: Store, iri: str) -> dict[str, Any]:
    """An actor's or a source's page: its claims by role, the places it acted at, who reports
    on it, which agencies cite it and whom it cites, and how often its claims are disputed."""
    entities = EntityCache(store)
    node = ox.NamedNode(iri)
    claims, complete = newest_claims(store, PAGE_CAP, actor=node, entities=entities)
    rows = claim_rows(store, claims)
    rows.sort(key=lambda r: (r["start"], r["article"]["published"]), reverse=True)
    acted, said, passed, about = [], [], [], []
    places: Counter[str] = Counter()
    reporters: Counter[str] = Counter()
    place_refs: dict[str, dict] = {}
    reporter_refs: dict[str, dict] = {}
    path = local_path(iri)
    actors = [f.key for f in claim_view().actor_fields()]
    for row in rows:
        roles = [k for k in actors if row[k] and row[k]["path"] == path]
        row["roles"] = roles
        if roles:
            acted.append(row)
            if row["place"]:
                places[row["place"]["path"]] += 1
                place_refs[row["place"]["path"]] = row["place"]
            for r in ([row["claimant"]] if row["claimant"] else []) + row["chain"]:
                if r["path"] != path:
                    reporters[r["path"]] += 1
                    reporter_refs[r["path"]] = r
        if row["claimant"] and row["claimant"]["path"] == path:
            said.append(row)
        if any(r["path"] == path for r in row["chain"]):
            passed.append(row)
        if not roles:
            about.append(row)
    cites, cited_by = [], []
    for r in store.select(PAIRS(), {"who": node}):
        agency, source = r["agency"].value, r["source"].value
        n = int(r["claims"].value)
        if agency == iri and source != iri:
            cites.append({**(_label(entities, source) or {}), "claims": n})
        elif source == iri and agency != iri:
            cited_by.append({**(_label(entities, agency) or {}), "claims": n})
    own = said + [r for r in passed if r not in said]
    disputed = sum(1 for r in own if r["contested"])
    return {
        "claims": rows,
        "complete": complete,
        "types": summary(rows),
        "acted": acted,
        "said": said,
        "passed": passed,
        "places": [dict(place_refs[p], claims=n) for p, n in places.most_common(15)],
        "reporters": [dict(reporter_refs[p], claims=n) for p, n in reporters.most_common(15)],
        "cites": sorted(cites, key=lambda c: -c["claims"]),
        "cited_by": sorted(cited_by, key=lambda c: -c["claims"]),
        "own": len(own),
        "disputed": disputed,
        "superseded": superseded(store, [r for r in own if r["type"] == "control"]),
    }


def superseded(store: GraphStore, rows: list[dict]) -> int:
    """How many of these control claims a later report about their place names another
    holder for: the place's readings after the claim's day."""
    if not rows:
        return 0
    by_place: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["place"] and r["controller"] and r["start"]:
            by_place[r["place"]["path"]].append(r)
    count = 0
    for path, claims in list(by_place.items())[:30]:  # bounded: the busiest places first
        found = control_readings(store, ox.NamedNode(BASE + path), None)
        for r in claims:
            holder = BASE + r["controller"]["path"]
            later = [x for x in found if x.start.isoformat() > r["start"]]
            if later and later[0].controller != holder:
                count += 1
    return count


# -- an article -----------------------------------------------------------------------------


def article_page(store: Store, stem: str) -> dict[str, Any]:
    """An article's claims, grouped by the sentence that makes them, in reading order."""
    claims = query_claims(store, article=stem)
    rows = claim_rows(store, claims)
    sentences: dict[str, dict[str, Any]] = {}
    for claim, row in zip(claims, rows, strict=True):
        text = row["sentence"]
        index = int(claim["id"].rsplit("/s", 1)[-1].split("/")[0]) if "/s" in claim["id"] else 0
        entry = sentences.setdefault(text, {"text": text, "index": index, "claims": []})
        entry["claims"].append(row)
    ordered = sorted(sentences.values(), key=lambda s: s["index"])
    for i, s in enumerate(ordered):
        s["gap"] = i > 0 and s["index"] > ordered[i - 1]["index"] + 1
        s["anchor"] = f"s{s['index']}"
    return {"sentences": ordered, "claims": rows, "types": summary(rows)}


# -- the claims browser ----------------------------------------------------------------------

SORTS = {
    "date": lambda r: (r["start"], r["article"]["published"]),
    "published": lambda r: (r["article"]["published"], r["start"]),
    "type": lambda r: (r["type"], r["start"]),
    "place": lambda r: ((r["place"] or {}).get("label") or "", r["start"]),
}


def claim_table(
    store: Store,
    kind: str | None,
    place: Term | None,
    actor: Term | None,
    source: Term | None,
    start: str | None,
    end: str | None,
    contested: bool,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of the claims that pass the filters, read from the newest articles on: the
    claims passing them among at least the first ``offset + limit`` (and at least SORTED, so
    that a sort orders more than one page), sorted; ``total`` counts them, and ``complete``
    says whether they are all the store's."""
    term = actor or source
    path = local_path(source.value) if source is not None else None

    def keep(claim: dict) -> bool:
        row = claim_row(claim, {})
        if path is not None and not _cites(row, path):
            return False
        if start and not (row["start"] and row["start"] >= start):
            return False
        if end and not (row["start"] and row["start"] <= end):
            return False
        return not contested or row["contested"]

    claims, complete = newest_claims(store, max(offset + limit, SORTED), kind, place, term, keep)
    rows = claim_rows(store, claims)
    rows.sort(key=SORTS.get(sort, SORTS["date"]), reverse=descending)
    return {
        "total": len(rows),
        "complete": complete,
        "offset": offset,
        "limit": limit,
        "claims": rows[offset : offset + limit],
    }


SORTED = 200


def _cites(row: dict, path: str | None) -> bool:
    return (row["claimant"] or {}).get("path") == path or any(
        r["path"] == path for r in row["chain"]
    )


def flat(row: dict) -> dict[str, Any]:
    """A row of the claims browser as plain values (CSV, JSON download), in the columns of
    the declaration's "download" view, then the claim's IRI."""
    view = claim_view()
    words = {
        "reported_by": " > ".join(r["label"] for r in row["chain"]),
        "article": row["article"]["title"],
        "published": row["article"]["published"],
    }
    out: dict[str, Any] = {}
    for name in view.view("download"):
        if name in words:
            out[name] = words[name]
        elif name in view.fields and view.fields[name].is_entity:
            out[name] = row[name]["label"] if row.get(name) else ""
        else:
            out[name] = row[name]
    out["iri"] = BASE + row["path"] if row["path"] else ""
    return out


# -- which page a resource gets -----------------------------------------------------------------

ABOUT, MENTIONED = load("server", "views_about"), load("server", "views_mentioned")
CONTRADICTS = load("server", "views_contradicts")


def is_internal(iri: str, cls: str | None = None) -> bool:
    """Whether the node exists only for the build's caches (pages, totals, readings)."""
    path = local_path(iri) or ""
    return (
        path.startswith(INTERNAL_PATHS)
        or "/control/" in path
        or (cls is not None and ONTOLOGY + cls in INTERNAL_CLASSES)
    )


def resource_page(store: Store, iri: str, as_of: dt.date | None) -> dict[str, Any] | None:
    """What the page of a resource shows, with the name of its template; None when the store
    says nothing about it, {"template": None} for a node of the caches."""
    if is_internal(iri):
        return {"template": None}
    found = facts(store, iri)
    node = ox.NamedNode(iri)
    if found is None:
        if not store.query(MENTIONED(), bindings={"iri": node}):
            return None
        found = {"iri": iri, "label": None, "class": None, "kind": "other", "alts": []}
    cls = found["class"]
    if is_internal(iri, cls):
        return {"template": None}
    found["label"] = found.get("label") or found.get("title") or _fallback_label(iri)
    if cls == "Claim":
        claims = claims_by_iri(store, [iri])
        others = [r["other"].value for r in store.select(CONTRADICTS(), {"iri": node})]
        rows = claim_rows(store, list(claims.values()))
        disputed = claim_rows(store, list(claims_by_iri(store, others).values())) if others else []
        label = rows[0]["type"] + " claim" if rows else "claim"
        return {
            **found,
            "template": "claim.html",
            "label": label,
            "claim": rows[0] if rows else None,
            "disputed": disputed,
        }
    if cls == "Article":
        found["label"] = found.get("title") or found.get("stem") or found["label"]
        return {**found, "template": "article.html", **article_page(store, found["stem"])}
    if cls in PLACE_TYPES:
        near = nearby(store, iri, found["lat"], found["long"]) if found["lat"] is not None else []
        return {**found, "template": "place.html", "nearby": near, **place_page(store, iri, as_of)}
    about = [r["claim"].value for r in store.select(ABOUT(), {"iri": node})]
    if about:  # an event: the claims that report it
        rows = claim_rows(store, list(claims_by_iri(store, about).values()))
        label = f"{rows[0]['type']} event" if rows else "event"
        return {**found, "template": "event.html", "label": label, "claims": rows}
    if found["class"] is not None:
        return {**found, "template": "entity.html", **entity_page(store, iri)}
    return {**found, "template": "entity.html", **entity_page(store, iri)}


def _fallback_label(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
