"""Build throughput at scale: kg build vs bare spaCy, cold and warm, and adding one article.

Run on demand (not a test); prints figures and ratios:

    python bench/scale.py --corpus fakes                 # /work/shared/corpora/fakes_dev.csv
    python bench/scale.py --corpus generated --n 10000   # bench/generate.py articles
    python bench/scale.py --corpus generated --n 100000 --limit 2000 --workers 2

cold: the whole `kg build` command on an empty store (process start, model loads, workers);
warm: `build(..., force=True)` again in the same process (pipeline loaded, store full).
bare: spaCy's own `nlp.pipe(texts, n_process=workers)` over the same item texts.
one:  the whole `kg build one.txt` command against the store just built.

    python bench/scale.py --corpus fakes --cpu --limit 200   # CPU seconds, not wall-clock
    python bench/scale.py --corpus fakes --repeat 3          # cold and bare alternated 3 times

--repeat N: the cold `kg build` and bare spaCy alternated N times (bare spaCy's own time moves
by a fifth between runs), each pair's ratio printed, then the median; no warm build.

--cpu: CPU time instead of wall-clock, for a machine shared with other work: an in-process
build on an empty store (this process's CPU, which writes the store, and the worker
processes', counted when they exit), then bare spaCy's the same way.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAKES = Path("/work/shared/corpora/fakes_dev.csv")
FAKES_ARGS = [
    "--text-column",
    "article_content",
    "--date-column",
    "date",
    "--title-column",
    "article_title",
    "--publisher-column",
    "source",
    "--id-column",
    "unit_id",
    "--date-format",
    "%m/%d/%Y",
]


def corpus(args: argparse.Namespace, folder: Path) -> tuple[Path, list[str]]:
    if args.corpus == "fakes":
        source, options = FAKES, FAKES_ARGS
    else:
        from bench.generate import write

        source, options = write(args.n, folder / f"generated{args.n}.csv"), []
    if args.limit:
        source = head(source, folder / "limited.csv", args.limit)
    return source, options


def head(source: Path, out: Path, n: int) -> Path:
    with source.open(encoding="utf-8", newline="") as f, out.open("w", newline="") as g:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(g, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        writer.writerows(row for _, row in zip(range(n), reader, strict=False))
    return out


def kg_build(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if out.returncode not in (0, 1):
        raise SystemExit(out.stderr)
    split = [line for line in out.stderr.splitlines() if line.startswith("timings:")]
    return time.perf_counter() - started, " ".join([out.stdout.strip(), *split])


def columns(options: list[str]):
    from kg.cli import corpus_columns, parser

    return corpus_columns(parser().parse_args(["build", *options]))


def bare_spacy(texts: list[str], workers: int) -> float:
    from kg.extract.nlp import load_model

    nlp = load_model()
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64, n_process=workers):
        pass
    return time.perf_counter() - started


def cpu_seconds() -> tuple[float, float]:
    """(CPU seconds of this process, of its children that have exited and been waited for)"""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def cpu_figures(
    source: Path, options: list[str], texts: list[str], workers: int, bare: bool = True
) -> None:
    from kg.build import build
    from kg.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store")
        own, children = cpu_seconds()
        report = build(store, [source], columns=columns(options), workers=workers)
        store.flush()
        own_after, children_after = cpu_seconds()
        del store
    print(
        f"kg build (in process, empty store): parent {own_after - own:.1f} s CPU, "
        f"workers {children_after - children:.1f} s CPU, "
        f"total {own_after - own + children_after - children:.1f} s CPU "
        f"({report.seconds:.1f} s wall; {report.articles} articles, {report.triples:,} quads)"
    )
    print(f"  stages (wall): {report.split()}")
    if not bare:
        return
    own, children = cpu_seconds()
    bare_spacy(texts, workers)
    own_after, children_after = cpu_seconds()
    print(
        f"bare spaCy nlp.pipe (n_process={workers}): parent {own_after - own:.1f} s CPU, "
        f"workers {children_after - children:.1f} s CPU, "
        f"total {own_after - own + children_after - children:.1f} s CPU"
    )


def alternated(
    source: Path,
    options: list[str],
    texts: list[str],
    words: int,
    workers: int,
    folder: Path,
    runs: int,
) -> None:
    """Cold builds (whole command, empty store) and bare spaCy, one after the other."""
    import shutil
    import statistics

    ratios = []
    for run in range(1, runs + 1):
        store = folder / f"store{run}"
        cold, summary = kg_build(
            str(source), "--store", str(store), "--workers", str(workers), "--timings", *options
        )
        shutil.rmtree(store)
        bare = bare_spacy(texts, workers)
        ratios.append(bare / cold)
        print(
            f"run {run}: cold `kg build` {cold:.1f} s ({words / cold:,.0f} words/s), "
            f"bare spaCy {bare:.1f} s ({words / bare:,.0f} words/s), ratio {bare / cold:.2f}"
            f"\n  [{summary}]",
            flush=True,
        )
    print(
        f"ratio kg build / bare spaCy: median {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f}) over {runs} alternated runs"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", choices=["fakes", "generated"], default="fakes")
    p.add_argument("--n", type=int, default=10_000, help="generated articles")
    p.add_argument("--limit", type=int, help="only the first N rows")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--cpu", action="store_true", help="CPU seconds of an in-process build")
    p.add_argument("--no-bare", action="store_true", help="with --cpu: skip bare spaCy")
    p.add_argument("--repeat", type=int, help="alternate cold builds and bare spaCy N times")
    args = p.parse_args(argv)
    from kg.build import BuildReport, build, default_workers, read_all
    from kg.store import Store

    workers = args.workers or default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, options = corpus(args, folder)
        articles = read_all([source], BuildReport(), columns(options))
        texts = [
            "\n\n".join(([i.headline] if i.headline else []) + i.paragraphs)
            for a in articles
            for i in a.items
        ]
        words = sum(len(t.split()) for t in texts)
        print(
            f"corpus: {source.name}, {len(articles)} articles, {words:,} words, {workers} workers"
        )
        if args.cpu:
            cpu_figures(source, options, texts, workers, bare=not args.no_bare)
            return 0
        if args.repeat:
            alternated(source, options, texts, words, workers, folder, args.repeat)
            return 0
        store = folder / "store"
        cold, summary = kg_build(
            str(source), "--store", str(store), "--workers", str(workers), *options
        )
        print(
            f"cold `kg build` (whole command): {cold:.1f} s, {words / cold:,.0f} words/s"
            f"  [{summary}]"
        )
        handle = Store(store)
        report = build(handle, [source], force=True, columns=columns(options), workers=workers)
        del handle
        print(
            f"warm build --force (in process): {report.seconds:.1f} s, "
            f"{words / report.seconds:,.0f} words/s, {report.claims:,} claims, "
            f"{report.triples:,} quads"
        )
        bare = bare_spacy(texts, workers)
        print(
            f"bare spaCy nlp.pipe (n_process={workers}): {bare:.1f} s, {words / bare:,.0f} words/s"
        )
        print(
            f"ratio kg build / bare spaCy: warm {bare / report.seconds:.2f}, cold {bare / cold:.2f}"
        )
        one = folder / "one.txt"
        one.write_text(
            articles[0].text.replace(articles[0].text[:10], "Update: " + articles[0].text[:10], 1)
        )
        t_one, summary = kg_build(str(one), "--store", str(store))
        print(
            f"add one article to this store (whole `kg build one.txt`): {t_one:.2f} s [{summary}]"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: this process {rss:.0f} MB, largest child {children:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
