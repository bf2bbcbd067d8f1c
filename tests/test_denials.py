"""A denial of a reported change stands against it: who-controlled lists the denier beside
the claimed capture, as contested, with the two claims linked."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import built_store

from kg.ask.claims import list_claims
from kg.ask.who_controlled import who_controlled
from kg.store import Store

ARTICLE = {
    "dam.txt": "Fighters Say Town Taken\n\n"
    "The Syrian Democratic Forces said on Sunday they had captured the town of Tabqa.\n\n"
    "Islamic State denied losing the town of Tabqa in a statement on its Amaq news agency.\n",
}
MANIFEST = {"dam.txt": {"published": "2017-03-27", "publisher": "Test Wire"}}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return built_store(tmp_path_factory, "dam", ARTICLE, MANIFEST)


def test_the_denial_competes_with_the_capture(store: Store) -> None:
    answer = who_controlled(store, "Tabqa", dt.date(2017, 3, 27))
    assert answer["status"] == "contested"
    sides = {answer["side"]["label"]} | {
        a["side"]["label"] for a in answer["alternatives"] if a["status"] == "competing"
    }
    assert sides == {"Kurdish forces", "Islamic State of Iraq and the Levant"}
    named = {answer["controller"]["label"]} | {
        a["controller"]["label"] for a in answer["alternatives"] if a["status"] == "competing"
    }
    assert named == {"Syrian Democratic Forces", "Islamic State of Iraq and the Levant"}


def test_the_denial_is_linked_to_the_claim_it_disputes(store: Store) -> None:
    claims = [c for c in list_claims(store, type="control")]
    denial = next(c for c in claims if c["controller"]["label"].startswith("Islamic State"))
    capture = next(c for c in claims if c["controller"]["label"] == "Kurdish forces")
    assert denial["contested"] and capture["id"] in denial["contradicts"]
