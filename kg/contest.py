"""Disagreements across the store, recomputed after every build into one derived graph.

Two control claims contradict each other when they give different controllers for the same
place at the same moment (day and order within it) and come from different articles or
claimants. A later change of hands is succession, not contradiction, and is left alone. The
derived graph is replaced in one update, so readers see the old set or the new one. (An
update's WHERE reads the store's own default graph, not the union queries see: hence GRAPH.)
"""

from __future__ import annotations

from kg.store import Store
from kg.vocab import BASE

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


def refresh_contradictions(store: Store) -> int:
    """Recompute every contradiction; returns the number of (directed) links."""
    store.update(REFRESH)
    return int(store.select(COUNT)[0]["n"].value)
