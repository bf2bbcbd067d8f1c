"""Disagreements across the store, recomputed after every build into one derived graph.

Two control claims contradict each other when they give different controllers for the same
place at the same moment (day and order within it) and come from different articles or
claimants. A later change of hands is succession, not contradiction, and is left alone. The
links are replaced in one update, so readers see the old set or the new one. (An update's
WHERE reads the store's own default graph, not the union queries see: hence GRAPH.) The derived
graph also holds the materialised control readings of kg/control.py, refreshed on their own.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.store import Store
from kg.vocab import BASE, article_iri, stem_segment

DERIVED_GRAPH = f"{BASE}graph/derived"

REFRESH = f"""
PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
DELETE WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }} ;
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

# only the links: the derived graph holds other derived data too (kg/control.py)
COUNT = f"""PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }} }}"""


CONTROL_CLAIMS = """
SELECT ?claim WHERE {
  VALUES ?article { %s }
  ?claim ckg:inArticle ?article ; ckg:claimType ?type .
  FILTER(?type = "control")
}"""


def control_claims(store: Store, stems: Iterable[str]) -> list[str]:
    """The control claims these articles have in the store now. Called before they are
    rebuilt, it names the claims whose links the refresh must drop: a link holds nothing but
    the two claims' IRIs, and finding a rebuilt article's claims among them by IRI prefix
    means decoding every linked IRI (2-3 s for the 36k links of a 100k-article store)."""
    articles = " ".join(str(ox.NamedNode(article_iri(s))) for s in stems)
    rows = store.select(CONTROL_CLAIMS % articles) if articles else []
    return [r["claim"].value for r in rows]


def refresh_contradictions(
    store: Store, stems: Iterable[str] | None = None, previous: Iterable[str] | None = None
) -> int:
    """Recompute contradictions: all of them, or (given the articles just built) only the links
    of those articles' claims, so adding one article to a large store costs what that article
    touches. ``previous``: their control claims before the build (``control_claims``); without
    it, every link's IRIs are read to find them. Returns the number of (directed) links."""
    if stems is None:
        store.update(REFRESH)
    else:
        old = None if previous is None else sorted(set(previous))
        store.update(incremental(sorted(set(stems)), old))
    return int(store.select(COUNT)[0]["n"].value)


def incremental(stems: list[str], previous: list[str] | None = None) -> str:
    """Drop every link to or from a claim of the rebuilt articles (old claims included), then
    find those articles' links again; one update, so one transaction. Links between two other
    claims cannot have changed. Oxigraph orders patterns before it knows what is bound, by a
    fixed estimate that puts a constant object first: with `ckg:claimType "control"` written
    out, each side began with every control claim of the store (seconds at 10k articles,
    quadratic at a busy place). So the claim type is filtered instead, and the patterns run as
    written: from the rebuilt articles (a VALUES block comes first), then from the place and
    day of each of their control claims. The IRIs are our own, serialised by pyoxigraph."""
    articles = " ".join(str(ox.NamedNode(article_iri(s))) for s in stems) or "<urn:kg:none>"
    return f"""
PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
{dropped(stems, previous)} ;
INSERT {{ GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b . ?b ckg:contradicts ?a }} }}
WHERE {{
  VALUES ?articleA {{ {articles} }}
  GRAPH ?ga {{
    ?a ckg:inArticle ?articleA ; ckg:claimType ?typeA ; ckg:about ?ea .
    ?ea ckg:place ?place ; ckg:controller ?ca ; ckg:start ?day .
    OPTIONAL {{ ?ea ckg:orderInDay ?oa }}
    OPTIONAL {{ ?a ckg:claimant ?claimantA }}
  }}
  FILTER(?typeA = "control")
  GRAPH ?gb {{
    ?eb ckg:place ?place ; ckg:start ?day ; ckg:controller ?cb .
    ?b ckg:about ?eb ; ckg:claimType ?typeB ; ckg:inArticle ?articleB .
    OPTIONAL {{ ?eb ckg:orderInDay ?ob }}
    OPTIONAL {{ ?b ckg:claimant ?claimantB }}
  }}
  FILTER(?typeB = "control")
  FILTER(?ca != ?cb && COALESCE(?oa, 0) = COALESCE(?ob, 0))
  FILTER(?articleA != ?articleB || !SAMETERM(COALESCE(?claimantA, ?a), COALESCE(?claimantB, ?b)))
}}"""


def dropped(stems: list[str], previous: list[str] | None) -> str:
    """The update that drops the rebuilt articles' links: from their previous control claims
    (links are symmetric, so both directions go), or by IRI prefix when those are unknown."""
    links = f"GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }}"
    if previous is not None:
        both = f"GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b . ?b ckg:contradicts ?a }}"
        claims = " ".join(str(ox.NamedNode(c)) for c in previous) or "<urn:kg:none>"
        return f"DELETE {{ {both} }}\nWHERE {{ VALUES ?a {{ {claims} }} {links} }}"
    owned = " || ".join(
        f"STRSTARTS(STR(?{v}), {ox.Literal(BASE + 'claim/' + stem_segment(s) + '/')})"
        for s in stems
        for v in ("a", "b")
    )
    return f"DELETE {{ {links} }}\nWHERE {{ {links} FILTER({owned or 'false'}) }}"
