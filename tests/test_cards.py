"""Cards (kg/derived/cards.py): who-controlled shows its evidence from the claims' and entities'
cards the build wrote, exactly as read from the graph; a card follows what `kg link --online`
adds to an entity; and a store without cards is refused with a line saying what to run."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ask import claims, who_controlled
from kg.derived import CARDS, CONTROL, Change, cards, recompute, refresh
from kg.errors import StoreError
from kg.store import Store
from kg.vocab import DERIVED_GRAPH, ENTITIES_GRAPH, PREFIXES, WIKIDATA

CARD_QUERY = f"""SELECT ?s ?card WHERE {{
  GRAPH <{DERIVED_GRAPH}> {{ ?s ckg:claimCard|ckg:entityCard ?card }}
}}"""


READING_CLAIMS = (
    f"SELECT ?claim WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?r ckg:readingClaim ?claim }} }}"
)


def answer(store: Store, place: str = "Boukamal", day: str = "2017-11-12") -> dict:
    return who_controlled.who_controlled(store, place, dt.date.fromisoformat(day))


def test_every_reading_has_the_card_of_its_claim(seeds_store: Path) -> None:
    store = Store(seeds_store, read_only=True)
    stored = {r["s"].value: json.loads(r["card"].value) for r in store.select(CARD_QUERY)}
    readings = [r["claim"].value for r in store.select(READING_CLAIMS)]
    assert len(readings) >= 10
    fresh, _ = cards.read_cards(store, readings)
    assert {iri: stored[iri] for iri in readings} == fresh
    described = [r["entity"].value for r in store.select(cards.DESCRIBED())]
    assert described and all(stored[iri]["iri"] == iri for iri in described)


def test_the_answer_comes_from_the_cards(
    seeds_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(seeds_store, read_only=True)
    expected = answer(store)
    assert expected["controller"] is not None and expected["alternatives"]

    def refuse(*args, **kwargs):
        raise AssertionError("the evidence was read from the claims")

    monkeypatch.setattr(claims, "read_cards", refuse)
    monkeypatch.setattr(cards.EntityCache, "lookup", refuse)
    assert answer(store) == expected


def test_without_cards_the_answer_says_to_refresh(seeds_store: Path, tmp_path: Path) -> None:
    """Readings whose digests carry no card (the cards gone, the readings recomputed) are
    refused with a line saying what to run; a refresh recomputes the cards and, as they are
    recomputed whole, the readings that carry them."""
    store = Store(shutil.copytree(seeds_store, tmp_path / "store"))
    expected = answer(store)
    CARDS.clear(store)
    CONTROL.recompute(store, Change())
    with pytest.raises(StoreError, match="no cards of this version: run `kg refresh`"):
        answer(store)
    whole = {r.piece.name for r in refresh(store, Change([])) if r.whole}
    assert whole == {"cards", "control", "contradictions"}  # and what reads the readings
    assert answer(store) == expected


def test_a_claim_without_its_card_says_to_refresh(seeds_store: Path, tmp_path: Path) -> None:
    store = Store(shutil.copytree(seeds_store, tmp_path / "store"))
    claim = answer(store)["evidence"][0]["id"]
    card = f"<{DERIVED_GRAPH}> {{ <{claim}> <{PREFIXES['ckg']}claimCard> ?c }}"
    store.update(f"DELETE WHERE {{ GRAPH {card} }}")
    CONTROL.recompute(store, Change())  # its reading's digest carries no card
    with pytest.raises(StoreError, match="A control reading has no card: run `kg refresh`"):
        answer(store)
    recompute(store)
    assert answer(store)["evidence"][0]["id"] == claim


def test_an_entity_card_follows_an_online_link(seeds_store: Path, tmp_path: Path) -> None:
    store = Store(shutil.copytree(seeds_store, tmp_path / "store"))
    before = answer(store)
    shown = [before["controller"], *(c["claimant"] for c in before["evidence"])]
    unlinked = next(
        e
        for e in [*shown, *before["evidence"][0]["reported_by"], before["place"]]
        if e and e["wikidata"] is None
    )
    node, graph = ox.NamedNode(unlinked["iri"]), ox.NamedNode(ENTITIES_GRAPH)
    match = ox.NamedNode(PREFIXES["skos"] + "exactMatch")
    store.update(f"INSERT DATA {{ GRAPH {graph} {{ {node} {match} <{WIKIDATA}Q4242> }} }}")
    assert answer(store) == before  # the card is what the build wrote...
    refresh(store, Change([], entities=[unlinked["iri"]]))  # ...until the link refreshes it
    after = json.dumps(answer(store))
    assert '"wikidata": "Q4242"' in after
