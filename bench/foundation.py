"""Foundation figures: seeds build time and who-controlled latency, in process and over HTTP.

Run on demand: `python bench/foundation.py`. Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.ask.who_controlled import who_controlled  # noqa: E402
from kg.build import build  # noqa: E402
from kg.store import Store  # noqa: E402
from server.lifecycle import stop  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    seeds = ROOT / "seeds"
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in seeds.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        t = time.perf_counter()
        from kg.extract.nlp import pipeline
        pipeline()
        load = time.perf_counter() - t
        store = Store(path)
        cold = build(store, [seeds])
        warm = build(store, [seeds], force=True)
        skip = build(store, [seeds])
        del store
        print(f"spaCy pipeline load: {load:.2f} s")
        print(f"seeds build (5 articles, {words} words, {cold.claims} claims, "
              f"{cold.triples} quads): "
              f"first {cold.seconds:.2f} s, forced rebuild {warm.seconds:.2f} s "
              f"({words / warm.seconds:,.0f} words/s), unchanged {skip.seconds * 1000:.0f} ms")

        store = Store(path, read_only=True)
        day = dt.date(2017, 11, 12)
        inproc = timed(lambda: who_controlled(store, "Boukamal", day), 200)
        print(f"who-controlled in process: p50 {statistics.median(inproc):.2f} ms, "
              f"p99 {percentile(inproc, 0.99):.2f} ms (n=200)")

        import waitress

        from server import create_app
        server = waitress.create_server(create_app({"KG_STORE": str(path)}), host="127.0.0.1",
                                        port=0, threads=4)
        threading.Thread(target=server.run, daemon=True).start()
        url = (f"http://127.0.0.1:{server.effective_port}/api/who-controlled?"
               + urllib.parse.urlencode({"place": "Boukamal", "date": "2017-11-12"}))

        def fetch() -> None:
            with urllib.request.urlopen(url) as r:
                r.read()
        fetch()
        http = timed(fetch, 200)
        stop(server)
        print(f"who-controlled over HTTP: p50 {statistics.median(http):.2f} ms, "
              f"p99 {percentile(http, 0.99):.2f} ms (n=200); HTTP/in-process p50 ratio "
              f"{statistics.median(http) / statistics.median(inproc):.1f}")


if __name__ == "__main__":
    main()
