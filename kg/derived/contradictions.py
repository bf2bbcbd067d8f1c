"""Disagreements across the store, recomputed after every build into one derived graph.

Two control claims contradict each other when they give different controllers for the same
place at the same moment (day and order within it) and come from different articles or
claimants. A later change of hands is succession, not contradiction, and is left alone. The
links are replaced in one update, so readers see the old set or the new one. (An update's
WHERE reads the store's own default graph, not the union queries see: hence GRAPH.) The derived
graph also holds the materialised control readings of `kg.derived.control`, refreshed on their
own.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.store import Store, values
from kg.vocab import DERIVED_GRAPH, article_iri

# The rule, written once: ?a (a control claim of an article ?articleA) and ?b name different
# controllers of one place at one moment, from different articles or claimants. Oxigraph
# orders patterns before it knows what is bound, by a fixed estimate that puts a constant
# object first: with `ckg:claimType "control"` written out, each side began with every control
# claim of the store (seconds at 10k articles, quadratic at a busy place). So the claim type is
# filtered instead and the patterns run as written: from ?articleA (bound by a VALUES block in
# the incremental refresh), then from the place and day of each of its control claims.
PAIRS = """
  GRAPH ?ga {
    ?a ckg:inArticle ?articleA ; ckg:claimType ?typeA ; ckg:about ?ea .
    ?ea ckg:place ?place ; ckg:controller ?ca ; ckg:start ?day .
    OPTIONAL { ?ea ckg:orderInDay ?oa }
    OPTIONAL { ?a ckg:claimant ?claimantA }
  }
  FILTER(?typeA = "control")
  GRAPH ?gb {
    ?eb ckg:place ?place ; ckg:start ?day ; ckg:controller ?cb .
    ?b ckg:about ?eb ; ckg:claimType ?typeB ; ckg:inArticle ?articleB .
    OPTIONAL { ?eb ckg:orderInDay ?ob }
    OPTIONAL { ?b ckg:claimant ?claimantB }
  }
  FILTER(?typeB = "control")
  FILTER(?ca != ?cb && COALESCE(?oa, 0) = COALESCE(?ob, 0))
  FILTER(?articleA != ?articleB || !SAMETERM(COALESCE(?claimantA, ?a), COALESCE(?claimantB, ?b)))
"""
# The same rule over the control readings kg/derived/control.py keeps in the derived graph (one per
# control claim with a place, controller, day and article, filed under its place's month): the
# other side of a claim is found among the readings of its month, where the rule above looks at
# every event of the place, all types and days (229 s for a 10k-article generated corpus, 0.8 s
# over the readings). A build refreshes the readings first, then uses this.
READING_PAIRS = f"""
  GRAPH <{DERIVED_GRAPH}> {{
    ?ra ckg:readingArticle ?articleA ; ckg:readingClaim ?a ; ckg:readingStart ?day ;
        ckg:readingOrder ?order ; ckg:readingController ?ca .
    ?month ckg:controlReading ?ra , ?rb .
    ?rb ckg:readingStart ?day ; ckg:readingOrder ?order ; ckg:readingController ?cb ;
        ckg:readingClaim ?b ; ckg:readingArticle ?articleB .
  }}
  FILTER(?ca != ?cb)
  OPTIONAL {{ GRAPH ?ga {{ ?a ckg:claimant ?claimantA }} }}
  OPTIONAL {{ GRAPH ?gb {{ ?b ckg:claimant ?claimantB }} }}
  FILTER(?articleA != ?articleB || !SAMETERM(COALESCE(?claimantA, ?a), COALESCE(?claimantB, ?b)))
"""
LINKS = f"GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b }}"
BOTH = f"GRAPH <{DERIVED_GRAPH}> {{ ?a ckg:contradicts ?b . ?b ckg:contradicts ?a }}"
PREFIX = "PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>\n"

REFRESH = f"{PREFIX}DELETE WHERE {{ {LINKS} }} ;\nINSERT {{ {BOTH} }}\nWHERE {{{{pairs}}}}"

# only the links: the derived graph holds other derived data too (kg/derived/control.py)
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
    store: Store,
    stems: Iterable[str] | None = None,
    previous: Iterable[str] = (),
    readings: bool = False,
) -> int:
    """Recompute contradictions: all of them, or (given the articles just built and
    ``previous``, their control claims before the build: ``control_claims``) only the links of
    those articles' claims, so adding one article to a large store costs what that article
    touches. With ``readings``, from the control readings (current: `kg.derived.control`
    refreshed them after these articles were written), else from the claims. Returns the number of
    (directed) links."""
    pairs = READING_PAIRS if readings else PAIRS
    if stems is None:
        store.update(REFRESH.replace("{pairs}", pairs))
    else:
        store.update(incremental(sorted(set(stems)), sorted(set(previous)), pairs))
    return int(store.select(COUNT)[0]["n"].value)


def incremental(stems: list[str], previous: list[str], pairs: str = PAIRS) -> str:
    """Drop every link to or from the rebuilt articles' previous control claims (links are
    symmetric, so both directions go), then find those articles' links again; one update, so
    one transaction. Links between two other claims cannot have changed. The IRIs are our own,
    serialised by pyoxigraph."""
    articles = values("articleA", [article_iri(s) for s in stems])
    return (
        f"{PREFIX}DELETE {{ {BOTH} }}\nWHERE {{ {values('a', previous)} {LINKS} }} ;\n"
        f"INSERT {{ {BOTH} }}\nWHERE {{\n  {articles}{pairs}}}"
    )
