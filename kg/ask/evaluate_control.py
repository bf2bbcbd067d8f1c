"""`kg eval-control`: who-controlled answers scored against a gold set of cases.

The gold format is that of ``shared/gold/dev_control.json``: ``articles`` cited by id, and
``cases``, each a place, a day, optionally an ``as_of`` day, and either ``expect`` (accepted
controller names and Wikidata ids) or ``expect_none``. A positive case is right when the
answer's controller matches an ``expect`` entry (its label, an alias or its Wikidata id,
ignoring case) and the answer has evidence; a negative case is right when the controller is
null. Claimant and reporter are scored over the positive cases answered right whose gold names
them. Every wrong answer is given a cause, so a run says what to work on.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.ask.evaluate import fold
from kg.ask.who_controlled import who_controlled
from kg.errors import InputError, NotFoundError
from kg.read.corpus import Columns
from kg.store import GraphStore, Store, load

FAKES_COLUMNS: dict = dict(
    text="article_content",
    date="date",
    title="article_title",
    publisher="source",
    id="unit_id",
    url=None,
    date_format="%m/%d/%Y",
)
MARKERS = ("referential", "list", "relative", "weekday", "month")


class Rejections(Protocol):
    """What a build reports of the articles it could not store."""

    rejected: list[str]


class Build(Protocol):
    """`kg.build.build`, as the cited articles are built (given by the caller: a build sits
    above the questions it is scored on)."""

    def __call__(
        self, store: Store, paths: list[Path], *, columns: Columns, workers: int
    ) -> Rejections: ...


@dataclass
class Outcome:
    case: dict
    right: bool
    cause: str  # "" when right
    answer: str
    claimant_ok: bool | None = None
    reported_ok: bool | None = None
    sources: str = ""  # the evidence's claimants and reporting chains, as shown


@dataclass
class ControlScores:
    outcomes: list[Outcome] = field(default_factory=list)

    def split(self) -> tuple[list[Outcome], list[Outcome]]:
        pos = [o for o in self.outcomes if not o.case.get("expect_none")]
        neg = [o for o in self.outcomes if o.case.get("expect_none")]
        return pos, neg

    def as_dict(self) -> dict:
        pos, neg = self.split()
        return {
            "positive": ratio(pos),
            "negative": ratio(neg),
            "claimant": ratio_of(o.claimant_ok for o in pos),
            "reported_by": ratio_of(o.reported_ok for o in pos),
            "by_kind": {k: ratio(v) for k, v in sorted(by_kind(pos).items())},
            "by_wording": {k: ratio(v) for k, v in sorted(by_marker(pos).items())},
            "causes": dict(Counter(o.cause for o in self.outcomes if not o.right).most_common()),
        }

    def format(self, verbose: bool = False) -> str:
        d = self.as_dict()
        lines = [
            f"positive cases right: {show(d['positive'])}",
            f"negative cases right: {show(d['negative'])}",
            f"claimant right (of positives right with a gold claimant): {show(d['claimant'])}",
            f"reported_by right (same): {show(d['reported_by'])}",
            "by kind:",
            *(f"  {k:<12} {show(v)}" for k, v in d["by_kind"].items()),
            "by wording:",
            *(f"  {k:<12} {show(v)}" for k, v in d["by_wording"].items()),
            "causes of wrong answers:",
            *(f"  {n:>4}  {c}" for c, n in d["causes"].items()),
        ]
        if verbose:
            lines.append("wrong answers:")
            for o in self.outcomes:
                if not o.right:
                    c = o.case
                    lines.append(
                        f"  [{o.cause}] {c['article']} {c['place']!r} {c['date']}"
                        f"{' as of ' + c['as_of'] if c.get('as_of') else ''}: "
                        f"{'none' if c.get('expect_none') else c['expect'][0]!r} expected, "
                        f"got {o.answer}\n      {c['sentence'][:150]!r}"
                    )
            lines.append("right answers with another source:")
            for o in self.outcomes:
                for field_, ok in (("claimant", o.claimant_ok), ("reported_by", o.reported_ok)):
                    if ok is False:
                        c = o.case
                        lines.append(
                            f"  [{field_}] {c['article']} {c['place']!r} {c['date']}: "
                            f"{c[field_][0]!r} expected, evidence has {o.sources}"
                        )
        return "\n".join(lines)


def ratio(outcomes: list[Outcome]) -> tuple[int, int]:
    return sum(o.right for o in outcomes), len(outcomes)


def ratio_of(flags: Iterable[bool | None]) -> tuple[int, int]:
    seen = [f for f in flags if f is not None]
    return sum(seen), len(seen)


def show(pair: tuple[int, int]) -> str:
    right, total = pair
    return f"{right}/{total} ({right / total:.2f})" if total else "-"


def by_kind(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[o.case.get("kind", "?")].append(o)
    return groups


def by_marker(outcomes: list[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        wording = o.case.get("wording", "").lower()
        marked = [m for m in MARKERS if m in wording]
        for m in marked or ["plain"]:
            groups[m].append(o)
    return groups


ALIASES = load("kg.ask", "evaluate_aliases")


class Names:
    """An entity's names as the store gives them: label, aliases (skos:altLabel), Wikidata
    id; the gold README's rule for a match."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.cache: dict[str, set[str]] = {}

    def of(self, entity: dict | None) -> set[str]:
        if not entity:
            return set()
        iri = entity.get("iri") or ""
        if iri not in self.cache:
            aliases = set()
            if iri:
                rows = self.store.select(ALIASES(), {"e": ox.NamedNode(iri)})
                aliases = {r["name"].value for r in rows}
            self.cache[iri] = {fold(n) for n in aliases}
        qid = (entity.get("wikidata") or "").rsplit("/", 1)[-1]
        own = {fold(entity.get("label") or "")} | ({fold(qid)} if qid else set())
        return (own | self.cache[iri]) - {""}

    def match(self, entity: dict | None, accepted: list[str]) -> bool:
        return bool(self.of(entity) & {fold(a) for a in accepted})

    def in_chain(self, claims: list[dict], key: str, accepted: list[str]) -> bool:
        for claim in claims:
            value = claim.get(key)
            found = value if isinstance(value, list) else [value]
            if any(self.match(v, accepted) for v in found if v):
                return True
        return False


def score_case(store: Store, case: dict, names: Names | None = None) -> Outcome:
    names = names or Names(store)
    on = dt.date.fromisoformat(case["date"])
    as_of = dt.date.fromisoformat(case["as_of"]) if case.get("as_of") else None
    try:
        answer = who_controlled(store, case["place"], on, as_of)
    except NotFoundError:
        if case.get("expect_none"):
            return Outcome(case, True, "", "no such place")
        return Outcome(case, False, "place not found", "no such place")
    controller = answer.get("controller")
    shown = controller["label"] if controller else "none"
    if case.get("expect_none"):
        right = controller is None
        return Outcome(case, right, "" if right else "a controller where none holds", shown)
    evidence = answer.get("evidence") or []
    if controller is None:
        return Outcome(case, False, "no control claim for the place", shown)
    if not names.match(controller, case["expect"]):
        alternatives = [a.get("controller") for a in answer.get("alternatives", [])]
        cause = (
            "right controller only as an alternative"
            if any(names.match(a, case["expect"]) for a in alternatives)
            else "another controller"
        )
        return Outcome(case, False, cause, shown)
    if not evidence:
        return Outcome(case, False, "no evidence", shown)
    outcome = Outcome(case, True, "", shown, sources=evidence_sources(evidence))
    if case.get("claimant"):
        outcome.claimant_ok = names.in_chain(evidence, "claimant", case["claimant"])
    if case.get("reported_by"):
        outcome.reported_ok = names.in_chain(evidence, "reported_by", case["reported_by"])
    return outcome


def evidence_sources(evidence: list[dict]) -> str:
    """'claimant X via A > B; ...' for each evidence claim."""
    def label(value: object) -> str:
        return str(value.get("label") if isinstance(value, dict) else value)

    shown = []
    for e in evidence:
        chain = " > ".join(label(r) for r in e.get("reported_by") or [])
        claimant = label(e["claimant"]) if e.get("claimant") else "none"
        shown.append(f"claimant {claimant}" + (f" via {chain}" if chain else ""))
    return "; ".join(dict.fromkeys(shown)) or "nothing"


def load_cases(path: Path) -> dict:
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable JSON gold file ({exc})") from None
    if not isinstance(gold, dict) or "cases" not in gold:
        raise InputError(f"{path}: no 'cases' list; this command reads who-controlled gold")
    return gold


def cited_rows(corpus: Path, ids: set[str], into: Path) -> int:
    """Copy the corpus rows the gold cites into a CSV of their own."""
    csv.field_size_limit(sys.maxsize)
    with corpus.open(encoding="utf-8", newline="") as fh, into.open("w", newline="") as out:
        reader = csv.DictReader(fh)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        count = 0
        for row in reader:
            if row.get("unit_id") in ids:
                writer.writerow(row)
                count += 1
    return count


def build_cited(gold: dict, corpus: Path, store_dir: Path, build: Build) -> Store:
    """A store built from the gold's articles alone, as the gold's README asks."""
    rows = store_dir / "cited.csv"
    found = cited_rows(corpus, set(gold["articles"]), rows)
    if found < len(gold["articles"]):
        print(
            f"note: {len(gold['articles']) - found} cited articles missing from {corpus}",
            file=sys.stderr,
        )
    store = Store(store_dir / "store")
    report = build(store, [rows], columns=Columns(**FAKES_COLUMNS), workers=1)
    for message in report.rejected:
        print(f"rejected: {message}", file=sys.stderr)
    return store


def evaluate_control(
    gold_path: Path, corpus: Path | None, store: Store | None, build: Build | None = None
) -> ControlScores:
    """The gold's cases scored on ``store``, or on a store of the cited articles of ``corpus``
    that ``build`` (`kg.build.build`) builds for the run."""
    gold = load_cases(gold_path)
    if corpus is None:
        if store is None:
            raise InputError("give --corpus CSV to build the cited articles, or a built --store")
        return score_all(store, gold)
    if build is None:
        raise ValueError("scoring the cited articles of a corpus needs the build to build them")
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        built = build_cited(gold, corpus, Path(tmp), build)
        scores = score_all(built, gold)
        built.flush()
        del built  # RocksDB's handle closed before its folder goes
        gc.collect()
    return scores


def score_all(store: Store, gold: dict) -> ControlScores:
    names = Names(store)
    return ControlScores([score_case(store, c, names) for c in gold["cases"]])
