"""Disagreements across the store, kept as links between claims in the derived graph.

Two control claims contradict each other when they give different controllers for the same
place at the same moment (day and order within it) and come from different articles or
claimants. A later change of hands is succession, not contradiction, and is left alone. The
other side of a claim is found among the control readings of its place's month
(`kg.derived.control`), where read from the claims it would be among every event of the place,
all types and days (229 s for a 10k-article generated corpus, 0.8 s over the readings). The
links are replaced in one update, so readers see the old set or the new one. (An update's WHERE
reads the store's own default graph, not the union queries see: hence GRAPH.)
"""

from __future__ import annotations

from kg.derived.base import Change, Derived, ckg_terms, control_claims
from kg.store import GraphStore, VersionMark, load
from kg.vocab import DERIVED_GRAPH, ONTOLOGY, article_iri

VERSION = 1  # bump when the rule changes: a refresh then recomputes every link

FIND = load("kg.derived", "contradictions_find").bind(derived=DERIVED_GRAPH)
CLEAR = load("kg.derived", "contradictions_clear").bind(derived=DERIVED_GRAPH)
DROP = load("kg.derived", "contradictions_drop").bind(derived=DERIVED_GRAPH)
COUNT = load("kg.derived", "contradictions_count").bind(derived=DERIVED_GRAPH)


class Contradictions(Derived):
    """The ``ckg:contradicts`` links, both ways, between control claims."""

    name = "contradictions"
    graph = DERIVED_GRAPH
    terms = ckg_terms("contradicts", "contradictionsVersion")
    mark = VersionMark(DERIVED_GRAPH, ONTOLOGY + "contradictionsVersion", VERSION)
    needs = ("control",)

    def prepare(self, store: GraphStore, stems: list[str]) -> list[str]:
        return control_claims(store, stems)  # their links go with them

    def recompute(self, store: GraphStore, change: Change) -> None:
        """Every link again, in one update with the mark (readers see the old set or the new)."""
        again = [CLEAR(), FIND(articleA=None), self.mark.drop(), self.mark.insert()]
        store.update(" ;\n".join(again))

    def update(self, store: GraphStore, change: Change) -> None:
        previous = sorted(set(change.before.get(self.name) or []))
        store.update(incremental(sorted(set(change.stems or [])), previous))


def count(store: GraphStore) -> int:
    """How many (directed) links the store holds."""
    return int(store.select(COUNT())[0]["n"].value)


def incremental(stems: list[str], previous: list[str]) -> str:
    """Drop every link to or from the rebuilt articles' previous control claims (links are
    symmetric, so both directions go), then find those articles' links again; one update, so
    one transaction. Links between two other claims cannot have changed."""
    return f"{DROP(a=previous)} ;\n{FIND(articleA=[article_iri(s) for s in stems])}"
