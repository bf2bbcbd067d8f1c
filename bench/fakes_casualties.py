"""Civilian deaths on FA-KES: the largest civilian death count extracted per article against the
annotators' `nb_civilians`. Run on demand: `python bench/fakes_casualties.py [CSV] [--show N]`.

The annotations are coarse (crowd-sourced, per article, sometimes summing several incidents),
so this is a rough check: it prints the agreement rate, how far off the rest are, and the
disagreements to read.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract.run import extract_many  # noqa: E402
from kg.read.corpus import Columns, read_corpus  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "corpora" / "fakes_dev.csv"
COMBATANTS = re.compile(r"fighter|militant|soldier|rebel|troop|member|force|jihadist|insurgent|"
                        r"gunm[ae]n|officer|combatant|loyalist|guard|personnel|terrorist|wounded",
                        re.I)


TOLL = re.compile(r"\b(war|conflict|uprising|revolution|crisis)\b", re.I)


def incident(claim) -> bool:
    """Not the war's running toll ("more than 280000 killed since 2011"): an incident is dated
    within a month, or undated in a sentence that is not about the war as a whole."""
    if claim.date is not None and claim.date.start and claim.date.end:
        return (claim.date.end - claim.date.start).days <= 31
    return not TOLL.search(claim.sentence)


def civilian_count(claims) -> int:
    """The largest count of people killed in an incident who are not described as combatants."""
    counts = [c.count for c in claims if c.type == "casualties" and c.count is not None
              and not COMBATANTS.search(c.victims or "") and incident(c)]
    return max(counts, default=0)


def lead_count(claims) -> int:
    """The civilian count of the first sentence that gives one: the incident the article leads
    with, which is what an annotator of the article usually records."""
    for c in sorted(claims, key=lambda c: c.sentence_index):
        if c.type == "casualties" and c.count is not None and incident(c) \
                and not COMBATANTS.search(c.victims or ""):
            return c.count
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--show", type=int, default=15, help="disagreements to print")
    args = parser.parse_args()
    if not args.csv.exists():
        sys.exit(f"{args.csv}: not found (FA-KES lives in shared/corpora/)")
    columns = Columns(text="article_content", date="date", title="article_title",
                      publisher="source", id="unit_id", date_format="%m/%d/%Y")
    articles = [a for a in read_corpus(args.csv, columns) if not isinstance(a, Exception)]
    gold = {r["unit_id"]: int(r["nb_civilians"] or 0)
            for r in csv.DictReader(args.csv.open(encoding="utf-8"))}
    started = time.perf_counter()
    extracted = dict(zip([a.stem for a in articles], extract_many(articles), strict=True))
    found = {stem: civilian_count(claims) for stem, claims in extracted.items()}
    lead = {stem: lead_count(claims) for stem, claims in extracted.items()}
    seconds = time.perf_counter() - started
    agree = [s for s in found if found[s] == gold.get(s, 0)]
    off = Counter("extracted none" if found[s] == 0 else "annotated none" if gold.get(s, 0) == 0
                  else "both, different" for s in found if s not in agree)
    print(f"{len(found)} articles extracted in {seconds:.0f} s")
    print(f"largest civilian death count == nb_civilians: {len(agree)}/{len(found)} "
          f"({len(agree) / len(found):.1%})")
    nonzero = [s for s in found if gold.get(s, 0) > 0]
    hits = [s for s in nonzero if found[s] == gold[s]]
    print(f"  among articles annotated with civilian deaths: {len(hits)}/{len(nonzero)} "
          f"({len(hits) / max(1, len(nonzero)):.1%})")
    lead_agree = sum(lead[s] == gold.get(s, 0) for s in lead)
    print(f"lead incident's civilian count == nb_civilians: {lead_agree}/{len(lead)} "
          f"({lead_agree / len(lead):.1%})")
    print("disagreements (largest):", dict(off))
    for stem in [s for s in found if s not in agree][: args.show]:
        title = next(a.title for a in articles if a.stem == stem)
        print(f"  {stem}: extracted {found[stem]}, annotated {gold.get(stem, 0)}  | {title[:80]}")


if __name__ == "__main__":
    main()
