"""Latency of the analyst's web pages over HTTP on the generated stores of bench/queries.py.

Run on demand (not a test): `python bench/pages.py [--sizes 100000 1000000] [--n 10]
[--keep DIR]` (with --keep, the stores of `bench/queries.py --keep DIR` are reused). Prints p50
and p99 per page: a busy place's page (timeline, map, claims), a busy actor's, an agency's, an
article's, the search's suggestions, the claims browser's first page, and a stored question.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kg.vocab import BASE  # noqa: E402
from queries import (  # noqa: E402
    PER_ARTICLE,
    actor,
    agency,
    figures,
    load,
    materialise,
    place,
    serve,
    timed,
)
from server.lifecycle import stop  # noqa: E402


def pages(claims: int) -> dict[str, str]:
    hot, busy = place(17).value, actor(5).value
    middle = f"bench{claims // PER_ARTICLE // 2:07d}"
    return {
        "place (hot)": "/resource/" + hot.removeprefix(BASE),
        "place (hot), as of": "/resource/" + hot.removeprefix(BASE) + "?as_of=2014-01-01",
        "actor (busy)": "/resource/" + busy.removeprefix(BASE),
        "agency": "/resource/" + agency(3).value.removeprefix(BASE),
        "article": f"/resource/article/{middle}",
        "search suggestions": "/api/search?q=place+1",
        "search page": "/search?q=Town+17",
        "claims browser": "/api/claims/table?limit=50",
        "claims browser (casualties)": "/api/claims/table?type=casualties&limit=50",
        "claims browser (place)": "/api/claims/table?place=Place+17&limit=50",
        "stored question form": "/queries/who_controlled?run=1&place=Place+17&date=2015-06-01",
    }


def get(base: str, path: str) -> int:
    with urllib.request.urlopen(base + path, timeout=600) as response:
        body = response.read()
        assert response.status == 200, (path, response.status)
        return len(body)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    p.add_argument("--n", type=int, default=10, help="repetitions per page")
    p.add_argument("--keep", type=Path, help="keep (and reuse) the generated stores here")
    args = p.parse_args(argv)
    for claims in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = (args.keep or Path(tmp)) / f"claims-{claims}"
            how = "reused" if (path / "CURRENT").exists() else "generated"
            if how == "reused":
                materialise(path)
            else:
                load(path, claims)
            server, base = serve(path)
            print(f"\n{claims:,} claims ({how})", flush=True)
            for name, route in pages(claims).items():
                first = timed(lambda r=route, b=base: get(b, r), 1)  # the first ask: cold caches
                size = get(base, route)
                warm = timed(lambda r=route, b=base: get(b, r), args.n)
                print(
                    f"  {name:<30} {size:>8} bytes  first {first[0]:7.1f} ms  then {figures(warm)}",
                    flush=True,
                )
            stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
