"""Who controlled a place on a day, and who says so.

Control is a succession along one place's history: the latest claimed change on or before the
day gives the controller, and earlier controllers are superseded. Claims about the same time
that name different controllers are not a succession but a disagreement: the answer is then
`contested`, and every side is listed with its evidence.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby, islice
from typing import Any

import pyoxigraph as ox

from kg.ask.claims import claims_shown
from kg.ask.entities import resolve_entity
from kg.claim_view import claim_view
from kg.derived import CARDS, CONTROL, control, require
from kg.derived.cards import EntityCache, read_entity_cards
from kg.errors import StoreError
from kg.store import GraphStore, Store, Term, load


@dataclass
class Reading:
    claim: str
    controller: str
    start: dt.date
    order: int
    article: str
    published: str  # ISO day, "" when unknown
    card: str = field(default="", compare=False)  # the claim's card (kg.derived.cards), or ""


@dataclass
class Run:
    """Consecutive readings (newest first) that agree on one controller."""

    controller: str
    readings: list[Reading] = field(default_factory=list)

    @property
    def since(self) -> dt.date:
        return min(r.start for r in self.readings)


WINDOWS = (12, 60)  # months read before looking further back; then all of them


def readings(store: GraphStore, place: Term, on: dt.date, as_of: dt.date | None) -> list[Reading]:
    """The control readings of the place on or before the day, newest first: as many months
    back as the answer needs (every side that can be in it seen, every run ended), from the
    months' digests (`kg.derived.control`)."""
    months = list(islice(control.months_back(on), WINDOWS[-1]))
    rows = columns(store, control.first_query(place.value, months[: WINDOWS[0]]))
    if str(control.VERSION) not in rows["version"]:
        require(store, CONTROL)
    sides = {s for digest in rows["sides"] for s in open_sides(digest, on, as_of)}
    found = digested(rows["lines"], on, as_of)
    if settled(runs_of(found), sides):
        return found
    more = columns(store, control.months_query(place.value, months[WINDOWS[0] :]))
    found += digested(more["lines"], on, as_of)
    if settled(runs_of(found), sides):
        return found
    every = columns(store, control.months_query(place.value, None))
    return digested(every["lines"], on, as_of)


def columns(store: GraphStore, sparql: str) -> defaultdict[str, list[str]]:
    """{variable: its bound values, as text} of a SELECT."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    for row in store.select(sparql):
        for name, term in row.items():
            found[name].append(term.value)
    return found


def known_by(published: str, as_of: dt.date | None) -> bool:
    """who_controlled.rq's FILTER(COALESCE(?published <= ?asof, true)), the unknown day being
    9999-12-31: a comparison that errs lets the reading pass."""
    if as_of is None:
        return True
    try:
        return dt.date.fromisoformat(published or "9999-12-31") <= as_of
    except ValueError:
        return True


def digested(digests: list[str], on: dt.date, as_of: dt.date | None) -> list[Reading]:
    """The readings of month digests (lines "start order published controller article claim
    card", tab-separated) on or before the day and known by the as-of day, newest first
    (who_controlled.rq's order)."""
    found = []
    for digest in digests:
        for line in digest.split("\n"):
            start, order, published, controller, article, claim, card = line.split("\t")
            day = dt.date.fromisoformat(start)
            published = "" if published == "-" else published
            if day <= on and known_by(published, as_of):
                found.append(Reading(claim, controller, day, int(order), article, published, card))
    found.sort(key=lambda r: r.claim)
    found.sort(key=lambda r: (r.start, r.order), reverse=True)
    return found


def open_sides(digest: str, on: dt.date, as_of: dt.date | None) -> Iterator[str]:
    """The controllers of a place's sides digest that can have a reading in the answer."""
    for line in digest.split("\n"):
        controller, first, first_seen = line.split(" ")
        if dt.date.fromisoformat(first) <= on and known_by(first_seen, as_of):
            yield controller


def settled(moments: list[list[Reading]], sides: set[str]) -> bool:
    """Whether older readings can no longer change the answer: every side that can be in it
    has been seen, and each side's run has ended (a newer moment without it follows)."""
    seen: dict[str, int] = {}
    for i, moment in enumerate(moments):
        for r in moment:
            seen.setdefault(r.controller, i)
    if not sides <= seen.keys():
        return False
    return all(
        any(all(r.controller != c for r in m) for m in moments[first + 1 :])
        for c, first in seen.items()
    )


def runs_of(found: list[Reading]) -> list[list[Reading]]:
    """Readings grouped by moment (day and order within it), newest first."""
    return [list(g) for _, g in groupby(found, key=lambda r: (r.start, r.order))]


def winner(moment: list[Reading]) -> str:
    """The controller named by most independent reports (articles) of the latest moment;
    on a tie, the one the most recently published report names."""
    articles: dict[str, set[str]] = {}
    latest: dict[str, str] = {}
    for r in moment:
        articles.setdefault(r.controller, set()).add(r.article)
        latest[r.controller] = max(latest.get(r.controller, ""), r.published)
    return max(articles, key=lambda c: (len(articles[c]), latest[c]))


def current_run(moments: list[list[Reading]], controller: str) -> Run:
    run = Run(controller)
    for moment in moments:
        agreeing = [r for r in moment if r.controller == controller]
        if not agreeing:
            break
        run.readings.extend(agreeing)
    return run


def who_controlled(store: Store, place: str, on: dt.date, as_of: dt.date | None = None) -> dict:
    """The answer of docs/CONTRACT.md: controller, since, status, evidence, alternatives, and
    the age of the newest evidence."""
    place_node = resolve_entity(store, place, kind="Place")
    entities = EntityCache(store)
    moments = runs_of(readings(store, place_node, on, as_of))
    answer: dict[str, Any] = {
        "place": None,  # looked up with the evidence's entities, below
        "date": on.isoformat(),
        "as_of": as_of.isoformat() if as_of else None,
        "controller": None,
        "side": None,
        "since": None,
        "status": "unknown",
        "evidence": [],
        "alternatives": [],
        "latest_evidence": None,  # the newest publication date among the evidence
        "days_after_latest_evidence": None,  # how far the day asked lies beyond it (0 before)
    }
    if not moments:
        answer["place"] = entities.get(place_node)
        return answer
    top = winner(moments[0])
    run = current_run(moments, top)
    contested = len({r.controller for r in moments[0]}) > 1
    others = alternative_runs(moments, top)
    # every claim the answer shows, fetched together (one query, not one per claim)
    claims = evidence(store, run.readings + [r for _, o in others for r in o.readings], entities)
    shown = [claims[c] for c in dict.fromkeys(r.claim for r in run.readings)]
    answer.update(
        controller=named_controller(top, shown, entities),
        side=entities.get(ox.NamedNode(top)),
        since=run.since.isoformat(),
        status="contested" if contested else "reported",
        evidence=shown,
    )
    answer["alternatives"] = [
        {
            "controller": named_controller(o.controller, alternative, entities),
            "side": entities.get(ox.NamedNode(o.controller)),
            "since": o.since.isoformat(),
            "status": status,
            "evidence": alternative,
        }
        for status, o in others
        for alternative in ([claims[c] for c in dict.fromkeys(r.claim for r in o.readings)],)
    ]
    answer["place"] = entities.get(place_node)  # the evidence's place: already looked up
    if published := [c["published"] for c in answer["evidence"] if c.get("published")]:
        latest = max(published)
        answer["latest_evidence"] = latest
        answer["days_after_latest_evidence"] = max(0, (on - dt.date.fromisoformat(latest)).days)
    return answer


CONTRADICTS = load("kg.ask", "who_controlled_contradictions")


def evidence(store: Store, shown: list[Reading], entities: EntityCache) -> dict[str, dict]:
    """The JSON of the readings' claims, from the cards their readings carry, with the cards of
    their entities and the claims' contradictions (two small queries)."""
    if not all(r.card for r in shown):  # a claim without what a claim needs has no card
        require(store, CARDS)
        raise StoreError("A control reading has no card: run `kg refresh`")
    found = {r.claim: json.loads(r.card) for r in shown}
    others: dict[str, list[str]] = {iri: [] for iri in found}
    for claim, other in store.query(CONTRADICTS(claim=list(found))):
        others[claim.value].append(other.value)
    named = {c.get(k) for c in found.values() for k in claim_view().entity_keys()} | {
        iri for c in found.values() for iri in c["reported_by"]
    }
    named.discard(None)
    entities.cache.update(read_entity_cards(store, sorted(named)))
    return claims_shown(found, {iri: sorted(o) for iri, o in others.items()}, entities)


def named_controller(side: str, shown: list[dict], entities: EntityCache) -> dict | None:
    """Who held the place, as the evidence names it: the one force every claim of the run
    gives control to on behalf of the side ('the SDF captured Raqqa': the SDF, whose side is
    Kurdish forces), else the side itself (the claims name several of its forces, or the side
    alone: 'rebel-held')."""
    agents = {(c.get("agent") or {}).get("iri") for c in shown}
    named = {(c.get("controller") or {}).get("iri") for c in shown}
    agent = agents.pop() if len(agents) == 1 else None
    if agent is not None and agent != side and named == {side}:
        force = entities.get(ox.NamedNode(agent))
        if force is not None and force.get("class") == "ArmedGroup":  # (not the leader who
            return force  # announced it)
    return entities.get(ox.NamedNode(side))


def alternative_runs(moments: list[list[Reading]], top: str) -> list[tuple[str, Run]]:
    """Each other controller claimed for that day or superseded by the answer, newest first,
    with its status."""
    out, seen = [], {top}
    for i, moment in enumerate(moments):
        for controller in dict.fromkeys(r.controller for r in moment):
            if controller in seen:
                continue
            seen.add(controller)
            out.append(
                ("competing" if i == 0 else "superseded", current_run(moments[i:], controller))
            )
    return out


def format_text(answer: dict) -> str:
    """The answer for a terminal: one line of verdict, then the evidence."""
    place = answer["place"]["label"]
    when = answer["date"] + (f" (as known on {answer['as_of']})" if answer["as_of"] else "")
    if answer["controller"] is None:
        return f"{place} on {when}: unknown (no control claim in the store covers that day)"
    lines = [
        f"{place} on {when}: {answer['controller']['label']} since {answer['since']} "
        f"[{answer['status']}]{age(answer)}"
    ]
    lines += [f"  evidence: {describe(c)}" for c in answer["evidence"]]
    for alt in answer["alternatives"]:
        lines.append(f"  {alt['status']}: {alt['controller']['label']} since {alt['since']}")
        lines += [f"    {describe(c)}" for c in alt["evidence"]]
    return "\n".join(lines)


def age(answer: dict) -> str:
    """How old the answer's newest evidence is, said when the day asked lies beyond it."""
    days = answer["days_after_latest_evidence"]
    if not days:
        return ""
    return f"; latest evidence published {answer['latest_evidence']}, {days} days before that day"


def describe(claim: dict) -> str:
    chain = " > ".join(e["label"] for e in claim["reported_by"] if e) or "-"
    claimant = claim["claimant"]["label"] if claim["claimant"] else "-"
    return (
        f"{claim['article']} s{claim['id'].rsplit('/s', 1)[-1]} ({claim['published']}) "
        f'claimant {claimant}; via {chain}: "{quote(claim["sentence"])}"'
    )


def quote(sentence: str, most: int = 200) -> str:
    """The sentence, or its opening cut at a word boundary within ``most`` characters."""
    if len(sentence) <= most:
        return sentence
    cut = sentence[: most + 1].rsplit(" ", 1)[0].rstrip(",;:–—- ")
    return cut + " …"
