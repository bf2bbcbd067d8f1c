"""Disagreements across the store, recomputed after every build into one derived graph.

Two control claims contradict each other when they give different controllers for the same
place at the same moment (day and order within it) and come from different articles or
claimants. A later change of hands is succession, not contradiction, and is left alone. The
derived graph is replaced in one update, so readers see the old set or the new one. (An
update's WHERE reads the store's own default graph, not the union queries see: hence GRAPH.)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.store import Store
from kg.vocab import BASE, stem_segment

DERIVED_GRAPH = f"{BASE}graph/derived"

REFRESH = f"""
PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
DROP SILENT GRAPH <{DERIVED_GRAPH}> ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }}
WHERE {{
  GRAPH ?ga {{
    ?a ckg:claimType "control" ; ckg:about ?ea ; ckg:inArticle ?articleA .
    ?ea ckg:place ?place ; ckg:controller ?ca ; ckg:start ?day .
    OPTIONAL {{ ?ea ckg:orderInDay ?oa }}
    OPTIONAL {{ ?a ckg:claimant ?claimantA }}
  }}
  GRAPH ?gb {{
    ?b ckg:claimType "control" ; ckg:about ?eb ; ckg:inArticle ?articleB .
    ?eb ckg:place ?place ; ckg:controller ?cb ; ckg:start ?day .
    OPTIONAL {{ ?eb ckg:orderInDay ?ob }}
    OPTIONAL {{ ?b ckg:claimant ?claimantB }}
  }}
  FILTER(?ca != ?cb && COALESCE(?oa, 0) = COALESCE(?ob, 0))
  FILTER(?articleA != ?articleB || !SAMETERM(COALESCE(?claimantA, ?a), COALESCE(?claimantB, ?b)))
}}"""

COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ?p ?b }} }}"


def refresh_contradictions(
    store: Store, stems: Iterable[str] | None = None, places: Iterable[str] | None = None
) -> int:
    """Recompute contradictions: all of them, or (given the articles just built and the places
    their claims are about) only those the build can have changed, so adding one article to a
    large store costs what that article touches. Returns the number of (directed) links."""
    if stems is None or places is None:
        store.update(REFRESH)
    else:
        store.update(incremental(sorted(set(stems)), sorted(set(places))))
    return int(store.select(COUNT)[0]["n"].value)


def incremental(stems: list[str], places: list[str]) -> str:
    """Drop the links of the rebuilt articles and of the touched places, then find the touched
    places' links again; one update, so one transaction. The IRIs are our own, serialised by
    pyoxigraph."""
    values = " ".join(str(ox.NamedNode(p)) for p in places) or "<urn:kg:none>"
    owned = (
        " || ".join(
            f"STRSTARTS(STR(?{v}), {ox.Literal(BASE + 'claim/' + stem_segment(s) + '/')})"
            for s in stems
            for v in ("a", "b")
        )
        or "false"
    )
    where = REFRESH[REFRESH.index("WHERE {") + len("WHERE {") :]
    return f"""
PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
DELETE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }}
WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} FILTER({owned}) }} ;
DELETE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }}
WHERE {{
  VALUES ?place {{ {values} }}
  GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }}
  GRAPH ?g {{ ?a ckg:about ?e . ?e ckg:place ?place }}
}} ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }}
WHERE {{
  VALUES ?place {{ {values} }}{where}"""
