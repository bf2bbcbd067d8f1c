"""Paired CPU comparisons: two processes doing the same work in turns, so a drift of the
machine's speed falls on both alike. Prints each side's median CPU per turn and the median of
the paired ratios (B / A).

    # extraction: this checkout (B) against another one (A), e.g. a `git worktree` of HEAD~1
    python bench/paired.py extract --a /tmp/base --turns 48

    # a heavy stored query with and without an environment setting (B has it)
    python bench/paired.py query --store /tmp/stores/claims-10000 --turns 40 \\
        --b-env GLIBC_TUNABLES=glibc.malloc.tcache_count=2000

extract: each turn runs `kg.build.extract_chunk` (spaCy, rules, emission) over the next 25
articles of a generated corpus (`bench/generate.py`, 200 articles), after a warm-up. query:
each turn runs the join-heavy query of bench/throughput.py (casualties grouped from every
casualty claim) over the union graph of a store opened read-only and reads every row.
Nothing is timed but the turn's own CPU (`time.process_time`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 25


def serve_extract(code: Path, corpus: Path) -> None:
    sys.path.insert(0, str(code))
    from kg.build import BuildReport, extract_chunk, read_all, warm_worker

    articles = read_all([corpus], BuildReport())
    warm_worker()
    extract_chunk(articles[:10])
    turns(lambda k: extract_chunk(articles[k * CHUNK % len(articles) :][:CHUNK]))


def serve_query(store: Path) -> None:
    import pyoxigraph as ox

    sys.path.insert(0, str(ROOT / "bench"))
    from throughput import HEAVY

    db, text = ox.Store.read_only(str(store)), HEAVY
    run = lambda _k: sum(1 for _ in db.query(text, use_default_graph_as_union=True))  # noqa: E731
    run(0)
    turns(run)


def turns(work) -> None:
    """Answer each line on stdin with the CPU seconds of one more turn of ``work``."""
    for k, _ in enumerate(sys.stdin):
        started = time.process_time()
        work(k)
        print(time.process_time() - started, flush=True)


def side(args: argparse.Namespace, code: Path, env: list[str]) -> subprocess.Popen:
    command = [sys.executable, __file__, "--serve", args.what, "--code", str(code)]
    if args.what == "query":
        command += ["--store", str(args.store)]
    else:
        command += ["--corpus", str(args.corpus)]
    environment = {**os.environ, **dict(e.split("=", 1) for e in env)}
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
        cwd=code,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["extract", "query"])
    parser.add_argument("--a", type=Path, default=ROOT, help="checkout of side A (default: this)")
    parser.add_argument("--b", type=Path, default=ROOT, help="checkout of side B (default: this)")
    parser.add_argument("--a-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--b-env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--turns", type=int, default=32)
    parser.add_argument("--store", type=Path, help="query: a store (bench/queries.py --keep)")
    parser.add_argument("--corpus", type=Path, help="extract: a CSV (default: 200 generated)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        if args.what == "query":
            serve_query(args.store)
        else:
            serve_extract(args.code, args.corpus)
        return 0
    if args.what == "query" and not args.store:
        parser.error("query needs --store DIR (e.g. python bench/queries.py --keep DIR)")
    if args.what == "extract" and not args.corpus:
        args.corpus = Path(tempfile.mkdtemp(prefix="kg-paired-")) / "generated.csv"
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "200", str(args.corpus)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    sides = {"A": side(args, args.a, args.a_env), "B": side(args, args.b, args.b_env)}
    seconds: dict[str, list[float]] = {"A": [], "B": []}
    try:
        for turn in range(args.turns):
            for name in ("A", "B") if turn % 2 == 0 else ("B", "A"):
                process = sides[name]
                assert process.stdin and process.stdout
                process.stdin.write("x\n")
                process.stdin.flush()
                seconds[name].append(float(process.stdout.readline()))
    finally:
        for process in sides.values():
            if process.stdin:
                process.stdin.close()
            process.wait(60)
    ratios = [b / a for a, b in zip(seconds["A"], seconds["B"], strict=True)]
    for name, path, env in (("A", args.a, args.a_env), ("B", args.b, args.b_env)):
        values = seconds[name]
        print(
            f"{name}: {path} {' '.join(env)}".rstrip()
            + f"; CPU per turn median {statistics.median(values) * 1e3:,.1f} ms,"
            f" min {min(values) * 1e3:,.1f} ms"
        )
    print(f"paired B / A: median {statistics.median(ratios):.3f} over {args.turns} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
