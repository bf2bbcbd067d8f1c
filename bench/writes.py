"""What a write through `kg serve` costs now that it refreshes the derived data, against a build.

Run on demand (not a test):

    python bench/writes.py seeds
    python bench/writes.py ../shared/corpora/fakes_dev.csv --id-column unit_id \\
        --text-column article_content --date-column date --title-column article_title \\
        --publisher-column source

Builds the corpus into a fresh store (timed: the first build), then times, each the median of
``--n`` runs, through `server.writes.apply_update` (what `/sparql` and `/store` run): the
insert of one control claim into an article graph of its own and its delete (the refresh of
one article; and the same write with its refresh left out), an update whose graphs cannot be
named (every piece of derived data recomputed), and `kg restore` with and without the
recompute that follows its replacing the store's content.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.build import build  # noqa: E402
from kg.cli import corpus_columns, parser  # noqa: E402
from kg.derived import recompute  # noqa: E402
from kg.store import Store  # noqa: E402
from kg.store.backup import backup, restore  # noqa: E402
from kg.store.updates import Written  # noqa: E402
from server.writes import apply_update  # noqa: E402

ID = "https://w3id.org/conflict-kg/id/"
CKG = "https://w3id.org/conflict-kg/ontology#"
CLAIM = f"""GRAPH <{ID}graph/bench-write> {{
  <{ID}article/bench-write> a <{CKG}Article> ; <{CKG}stem> "bench-write" ;
      <{CKG}published> "2017-11-16"^^<http://www.w3.org/2001/XMLSchema#date> .
  <{ID}claim/bench-write/s0/c0> a <{CKG}Claim> ; <{CKG}claimType> "control" ;
      <{CKG}inArticle> <{ID}article/bench-write> ; <{CKG}about> <{ID}claim/bench-write/s0/c0/e> ;
      <{CKG}sentenceText> "The army took the town." ; <{CKG}sentenceIndex> 0 ;
      <{CKG}hedged> false ; <{CKG}contested> false .
  <{ID}claim/bench-write/s0/c0/e> <{CKG}place> <{ID}entity/abu-kamal> ;
      <{CKG}controller> <{ID}entity/syrian-armed-forces> ;
      <{CKG}start> "2017-11-15"^^<http://www.w3.org/2001/XMLSchema#date> .
}}"""
# a graph named by a variable: the reader cannot tell which articles it touches
UNNAMED = "DELETE { GRAPH ?g { <urn:none> <urn:none> <urn:none> } } WHERE { GRAPH ?g { } }"


def median_seconds(work: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("corpus", nargs="+")
    p.add_argument("--n", type=int, default=5, help="runs of each write")
    own, rest = p.parse_known_args(argv)
    columns = corpus_columns(parser().parse_args(["build", *own.corpus, *rest]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        started = time.perf_counter()
        report = build(Store(path), [Path(c) for c in own.corpus], columns=columns)
        built = time.perf_counter() - started
        print(f"first build: {report.summary()} ({built:.2f} s wall)")

        def write(update: str) -> Callable[[], None]:
            return lambda: apply_update(path, update)

        def insert_then_delete(refresh: bool) -> Callable[[], None]:
            written = None if refresh else Written()  # no graph named: nothing refreshed

            def work() -> None:
                apply_update(path, f"INSERT DATA {{ {CLAIM} }}", written=written)
                apply_update(path, f"DELETE DATA {{ {CLAIM} }}", written=written)

            return work

        bare = median_seconds(insert_then_delete(False), own.n) / 2
        one = median_seconds(insert_then_delete(True), own.n) / 2
        everything = median_seconds(write(UNNAMED), own.n)
        backup(path, Path(tmp) / "backup")

        def restored(then: Callable[[Store], None] | None) -> Callable[[], None]:
            return lambda: restore(Path(tmp) / "backup", path, then=then)

        replacing = median_seconds(restored(None), own.n)
        restoring = median_seconds(restored(recompute), own.n)
        for what, seconds in (
            ("the same write, its refresh left out", bare),
            ("a write to one article's graph (insert or delete of a control claim)", one),
            ("a write whose graphs cannot be named (everything recomputed)", everything),
            ("kg restore, the content replaced alone", replacing),
            ("kg restore (content replaced, everything recomputed)", restoring),
        ):
            print(f"  {what}: {seconds * 1000:.0f} ms, {seconds / built:.3f} of the build")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
