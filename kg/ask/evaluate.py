"""`kg eval`: precision and recall of the claims in the store against a hand-written gold file.

A gold line is a claim in the JSON shape of docs/CONTRACT.md, with two simplifications: `sentence`
is the start of the sentence (enough to find it), and entities are written as names (any name
or alias the data files know, or the label the store gives). A field left out of a gold line is
not scored; a field given as null must be null.

A gold claim matches a predicted claim of the same article, type and sentence; among several
candidates, the one agreeing on most fields. Claim scores count matches; field scores are
computed over matched pairs (precision over predicted values, recall over gold values).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.ask.claims import list_claims
from kg.claim_view import claim_view
from kg.errors import InputError
from kg.extract.gazetteer import default_gazetteer, norm
from kg.store import Store


def fold(text: str) -> str:
    text = text.translate(str.maketrans("’‘“”–—", "''\"\"--"))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def same_entity(gold: str | None, predicted: dict | None) -> bool:
    if gold is None or predicted is None:
        return gold is None and predicted is None
    known = default_gazetteer().lookup(gold)
    if known is not None and predicted["iri"].endswith("/" + known.key):
        return True
    if known is not None and known.wikidata and predicted.get("wikidata") == known.wikidata:
        return True
    return fold(gold) == fold(predicted["label"]) or norm(gold) == norm(predicted["label"])


def scored() -> tuple[str, ...]:
    """The fields `kg eval` scores (kg/data/claims.json, view "evaluated")."""
    return claim_view().view("evaluated")


def field_value_ok(name: str, gold, predicted_claim: dict) -> bool:
    """Whether the predicted claim's value of this field is the gold one, compared as the
    field's kind says: entities by any name, a list of them in order, a date by its days, a
    text folded (case, accents and punctuation aside)."""
    predicted = predicted_claim.get(name)
    field = claim_view().fields[name]
    if field.is_entity and field.cardinality == "many":
        predicted = predicted or []
        return len(gold) == len(predicted) and all(
            same_entity(g, p) for g, p in zip(gold, predicted, strict=True)
        )
    if field.is_entity:
        return same_entity(gold, predicted)
    if field.kind == "date":
        if gold is None or predicted is None:
            return gold is None and predicted is None
        return all(gold.get(k) == predicted.get(k) for k in ("start", "end") if k in gold)
    if field.kind == "text":
        if gold is None or predicted is None:
            return gold is None and predicted is None
        return fold(gold) == fold(predicted)
    return gold == predicted


def has_value(value) -> bool:
    """A value to score: not null, not an empty list, not false or 0 (a claim not hedged)."""
    return value not in (None, [], False)


@dataclass
class Tally:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None


@dataclass
class Scores:
    claims: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    fields: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    misses: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        def row(t: Tally) -> dict:
            return {
                "precision": t.precision(),
                "recall": t.recall(),
                "matched": t.tp,
                "predicted": t.predicted,
                "gold": t.gold,
            }

        return {
            "claims": {k: row(v) for k, v in sorted(self.claims.items())},
            "fields": {k: row(v) for k, v in sorted(self.fields.items())},
        }

    def format(self) -> str:
        def pct(x: float | None) -> str:
            return "   -" if x is None else f"{x:5.2f}"

        lines = ["claims       precision  recall  matched/predicted/gold"]
        for k, t in sorted(self.claims.items()):
            lines.append(
                f"{k:<12} {pct(t.precision()):>9} {pct(t.recall()):>7}  "
                f"{t.tp}/{t.predicted}/{t.gold}"
            )
        lines.append("fields (over matched claims)")
        for k, t in sorted(self.fields.items()):
            lines.append(
                f"{k:<16} {pct(t.precision()):>5} {pct(t.recall()):>7}  "
                f"{t.tp}/{t.predicted}/{t.gold}"
            )
        return "\n".join(lines)


def load_gold(paths: list[Path]) -> list[dict]:
    gold = []
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such gold file")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc.msg}); one claim per line") from None
            for key in ("article", "sentence", "type"):
                if key not in record:
                    raise InputError(f"{path}:{n}: a gold claim needs {key!r}")
            gold.append(record)
    return gold


def sentence_matches(gold: dict, predicted: dict) -> bool:
    return fold(predicted["sentence"]).startswith(fold(gold["sentence"]))


def agreement(gold: dict, predicted: dict) -> int:
    return sum(field_value_ok(k, gold[k], predicted) for k in scored() if k in gold)


def evaluate(store: Store, gold: list[dict]) -> Scores:
    scores = Scores()
    types = {g["type"] for g in gold}
    for article in sorted({g["article"] for g in gold}):
        predicted = [c for c in list_claims(store, article=article) if c["type"] in types]
        pending = [g for g in gold if g["article"] == article]
        score_article(scores, predicted, pending)
    return scores


def score_article(scores: Scores, predicted: list[dict], gold: list[dict]) -> None:
    unused = list(predicted)
    for p in predicted:
        scores.claims[p["type"]].predicted += 1
    for g in gold:
        scores.claims[g["type"]].gold += 1
        candidates = [p for p in unused if p["type"] == g["type"] and sentence_matches(g, p)]
        if not candidates:
            scores.misses.append(f"{g['article']} {g['type']}: {g['sentence'][:70]}")
            continue
        best = max(candidates, key=lambda p: agreement(g, p))
        unused.remove(best)
        scores.claims[g["type"]].tp += 1
        score_fields(scores, g, best)
    scores.spurious += [f"{p['article']} {p['type']}: {p['sentence'][:70]}" for p in unused]


def score_fields(scores: Scores, gold: dict, predicted: dict) -> None:
    for name in scored():
        if name not in gold:
            continue
        tally = scores.fields[name]
        gold_has, pred_has = has_value(gold[name]), has_value(predicted.get(name))
        ok = field_value_ok(name, gold[name], predicted)
        tally.gold += gold_has
        tally.predicted += pred_has
        tally.tp += ok and gold_has
