"""Cards (kg/derived/cards.py): who-controlled shows its evidence from the claims' and entities'
cards the build wrote, exactly as read from the graph; a card follows what `kg link --online`
adds to an entity; and a store whose digests lack cards is still answered from the claims."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ask import entities, who_controlled
from kg.derived import cards, control
from kg.store import Store
from kg.vocab import DERIVED_GRAPH, ENTITIES_GRAPH, PREFIXES, WIKIDATA

CARDS = f"""SELECT ?s ?card WHERE {{
  GRAPH <{DERIVED_GRAPH}> {{ ?s ckg:claimCard|ckg:entityCard ?card }}
}}"""


def answer(store: Store, place: str = "Boukamal", day: str = "2017-11-12") -> dict:
    return who_controlled.who_controlled(store, place, dt.date.fromisoformat(day))


def test_every_reading_has_the_card_of_its_claim(seeds_store: Path) -> None:
    store = Store(seeds_store, read_only=True)
    stored = {r["s"].value: json.loads(r["card"].value) for r in store.select(CARDS)}
    readings = [r["claim"].value for r in store.select(cards.READING_CLAIMS)]
    assert len(readings) >= 10
    fresh, _ = cards.read_cards(store, readings)
    assert {iri: stored[iri] for iri in readings} == fresh
    described = [r["entity"].value for r in store.select(cards.DESCRIBED)]
    assert described and all(stored[iri]["iri"] == iri for iri in described)


def test_the_answer_comes_from_the_cards(
    seeds_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(seeds_store, read_only=True)
    expected = answer(store)
    assert expected["controller"] is not None and expected["alternatives"]

    def refuse(*args, **kwargs):
        raise AssertionError("the evidence was read from the claims")

    monkeypatch.setattr(who_controlled, "get_claims", refuse)
    monkeypatch.setattr(cards.EntityCache, "lookup", refuse)
    assert answer(store) == expected


def test_without_cards_the_evidence_is_read_from_the_claims(
    seeds_store: Path, tmp_path: Path
) -> None:
    store = Store(shutil.copytree(seeds_store, tmp_path / "store"))
    expected = answer(store)
    place, day = entities.resolve_entity(store, "Boukamal"), dt.date(2017, 11, 12)
    assert all(r.card for r in who_controlled.readings(store, place, day, None))
    # the cards gone and the digests written again: the lines carry none
    store.update(
        control.PREFIX
        + " ;\n".join(
            [
                cards.CLEAR_CLAIM_CARDS,
                cards.CLEAR_ENTITY_CARDS,
                f"DELETE WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?month ckg:monthReadings ?lines }} }}",
                control.DIGESTS.replace("{months}", "").replace("{only}", ""),
            ]
        )
    )
    found = who_controlled.readings(store, place, day, None)
    assert found and not any(r.card for r in found)
    assert answer(store) == expected


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
    cards.refresh_entities(store, [unlinked["iri"]])  # ...until the link refreshes it
    after = json.dumps(answer(store))
    assert '"wikidata": "Q4242"' in after
