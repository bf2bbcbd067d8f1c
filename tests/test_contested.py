"""contested_at_place: the rows of the whole contested claims listing about one place (and day),
as users run it and read page by page over the place's pages, substituted and VALUES-bound."""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
from test_query_scale import (  # noqa: F401 (stores: a fixture)
    OLD_CONTESTED_CLAIMS,
    over_term_pages,
    paged,
    plain,
    rows,
    stores,
)

from kg.store import Store

CLAIM_PLACES = """SELECT ?claim ?place ?start WHERE {
  ?claim ckg:about ?event . ?event ckg:place ?place . OPTIONAL { ?event ckg:start ?start }
}"""
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def test_contested_at_place_is_contested_claims_of_the_place(stores: list[Store]) -> None:  # noqa: F811
    """Given a day, only claims whose event is dated that day; the order is kept."""
    # the whole listing, as contested_claims gave it before it was read by page
    whole, narrow = OLD_CONTESTED_CLAIMS, paged("contested_at_place")
    checked = 0
    for store in stores:
        everything = rows(store.query(whole))
        at: dict[str, set[tuple[str, str | None]]] = {}
        for r in store.select(CLAIM_PLACES):
            start = r.get("start")
            day = start.value if start is not None and start.datatype.value == XSD_DATE else None
            at.setdefault(r["place"].value, set()).add((str(r["claim"]), day))
        listed = {r[0] for r in everything}
        contested = sorted(p for p in at if any(c in listed for c, _ in at[p]))
        busy = sorted(at, key=lambda p: -len(at[p]))[:3]
        for place in contested[:: max(1, len(contested) // 12)] + busy:
            days = sorted({d for _, d in at[place] if d})[:2]
            for day in [None, *days]:
                bound: dict = {"place": ox.NamedNode(place)}
                if day:
                    bound["day"] = ox.Literal(day, datatype=ox.NamedNode(XSD_DATE))
                claims = {c for c, d in at[place] if day is None or d == day}
                expected = [r for r in everything if r[0] in claims]
                for got in over_term_pages(store, narrow, bound, "place"):
                    got = [r[2:] for r in got]  # without ?place and ?day (and ?page)
                    assert Counter(got) == Counter(expected), (place, day)
                for got in plain(store, "contested_at_place", bound)[:2]:  # as users run it
                    assert got == expected, (place, day)
                checked += len(expected)
    assert checked > 10
