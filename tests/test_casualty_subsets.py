"""A counted subset ("at least 30 people, including 12 children") is its own claim, marked as
part of the total, and never added to it: not in the plots, not in the totals."""

from __future__ import annotations

import pytest
from conftest import built_store

from kg.ask.stored_queries import get_stored_query
from kg.notebook.plots import casualty_events
from kg.store import Store

ARTICLE = {
    "raid.txt": "Raid On Qantara\n\n"
    "At least 30 people, including 12 children, were killed in Russian air strikes on the "
    "town of Qantara on Monday, the Syrian Observatory for Human Rights said.\n",
}
MANIFEST = {"raid.txt": {"published": "2019-03-13", "publisher": "Test Wire"}}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return built_store(tmp_path_factory, "raid", ARTICLE, MANIFEST)


def test_the_subset_is_a_claim_of_its_own_marked_as_part(store: Store) -> None:
    rows = store.select(
        "SELECT ?count ?subset WHERE { ?c ckg:claimType 'casualties' ; ckg:about ?e . "
        "?e ckg:count ?count OPTIONAL { ?e ckg:countSubset ?subset } }"
    )
    found = {(int(r["count"].value), r.get("subset") is not None) for r in rows}
    assert found == {(30, False), (12, True)}


def test_the_chart_and_the_totals_count_the_total_once(store: Store) -> None:
    events = casualty_events(store)
    assert [e["count"] for e in events if e["perpetrator"] == "Russia"] == [30]
    rows = list(store.query(get_stored_query("casualties_by_perpetrator").text))
    largest = [int(r["largest"].value) for r in rows if "Russia" in str(r["perpetrator"])]
    assert largest == [30]

