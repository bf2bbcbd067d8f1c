"""Latency of every stored query at 10k, 100k and 1M claims, in process and over HTTP.

Run on demand (not a test): `python bench/queries.py [--sizes 10000 100000 1000000] [--n 30]`.
Claims are generated directly as RDF (ten per article graph, the shape kg/emit.py writes) and
bulk-loaded, rather than extracted. Prints p50 and p99 per query and size, and peak memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.store import Store  # noqa: E402
from kg.stored_queries import load_stored_queries, run_stored  # noqa: E402
from kg.vocab import (  # noqa: E402
    ENTITIES_GRAPH,
    ONTOLOGY,
    PREFIXES,
    article_iri,
    claim_iri,
    entity_iri,
    graph_iri,
)

XSD = PREFIXES["xsd"]
TYPES = ["control", "attack", "casualties", "statement", "other"]
PLACES, ACTORS, PER_ARTICLE = 2000, 60, 10


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY + name)


def day(k: int) -> ox.Literal:
    return ox.Literal(
        f"{2012 + k // 365 % 6}-{1 + k % 12:02d}-{1 + k % 28:02d}",
        datatype=ox.NamedNode(XSD + "date"),
    )


def article_quads(a: int, rng: random.Random) -> Iterator[ox.Quad]:
    stem, g = f"bench{a:07d}", ox.NamedNode(graph_iri(f"bench{a:07d}"))
    art = ox.NamedNode(article_iri(stem))
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    yield from (
        ox.Quad(art, p, o, g)
        for p, o in [
            (rdf_type, n("Article")),
            (n("stem"), ox.Literal(stem)),
            (n("published"), day(a)),
        ]
    )
    for s in range(PER_ARTICLE):
        claim, kind = ox.NamedNode(claim_iri(stem, s, 0)), rng.choice(TYPES)
        event = ox.NamedNode(claim.value + "/event")
        for p, o in [
            (rdf_type, n("Claim")),
            (n("claimType"), ox.Literal(kind)),
            (n("inArticle"), art),
            (n("sentenceIndex"), ox.Literal(str(s), datatype=ox.NamedNode(XSD + "integer"))),
            (n("sentenceText"), ox.Literal(f"Sentence {s} of article {a}.")),
            (n("hedged"), ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
            (n("contested"), ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
            (n("claimant"), actor(rng.randrange(ACTORS))),
            (n("about"), event),
        ]:
            yield ox.Quad(claim, p, o, g)
        yield ox.Quad(event, rdf_type, n("ControlChange" if kind == "control" else "Attack"), g)
        yield ox.Quad(event, n("place"), place(rng.randrange(PLACES)), g)
        yield ox.Quad(event, n("start"), day(a + rng.randrange(30)), g)
        yield ox.Quad(
            event,
            n("controller" if kind == "control" else "agent"),
            actor(rng.randrange(ACTORS)),
            g,
        )


def place(k: int) -> ox.NamedNode:
    return ox.NamedNode(entity_iri(f"bench-place-{k}"))


def actor(k: int) -> ox.NamedNode:
    return ox.NamedNode(entity_iri(f"bench-actor-{k}"))


def entity_quads() -> Iterator[ox.Quad]:
    g, label = ox.NamedNode(ENTITIES_GRAPH), ox.NamedNode(PREFIXES["rdfs"] + "label")
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    for k in range(PLACES):
        yield ox.Quad(place(k), rdf_type, n("Town"), g)
        yield ox.Quad(place(k), label, ox.Literal(f"Place {k}"), g)
    for k in range(ACTORS):
        yield ox.Quad(actor(k), rdf_type, n("ArmedGroup"), g)
        yield ox.Quad(actor(k), label, ox.Literal(f"Actor {k}"), g)


def load(path: Path, claims: int) -> float:
    rng, store = random.Random(7), ox.Store(str(path))
    started = time.perf_counter()
    store.bulk_extend(entity_quads())
    store.bulk_extend(q for a in range(claims // PER_ARTICLE) for q in article_quads(a, rng))
    store.flush()
    store.optimize()
    del store
    return time.perf_counter() - started


GENERIC = {
    "actor": actor(5).value,
    "place": place(17).value,
    "date": "2015-06-01",
    "type": "control",
}


def parameters(claims: int) -> dict[str, dict[str, str]]:
    """Every stored query (but the federated one) with its required parameters, plus the
    optional filters of who_controlled and claims one by one."""
    middle = f"bench{claims // PER_ARTICLE // 2:07d}"
    found = {
        name: {p.name: GENERIC[p.name] for p in q.params if p.required}
        for name, q in load_stored_queries().items()
        if "SERVICE" not in q.text
    }
    found.pop("claims", None)  # the whole table: measured with its filters below
    return found | {
        "who_controlled (asof)": {
            "place": place(17).value,
            "date": "2015-06-01",
            "asof": "2014-01-01",
        },
        "claims (article)": {"article": middle},
        "claims (claim)": {"claim": claim_iri(middle, 3, 0)},
        "claims (place)": {"place": place(17).value},
        "claims (actor)": {"actor": actor(5).value, "type": "control"},
    }


def timed(fn: Callable[[], object], reps: int, budget: float = 60.0) -> list[float]:
    out: list[float] = []
    started = time.perf_counter()
    while len(out) < reps and (time.perf_counter() - started < budget or len(out) < 3):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def figures(ms: list[float]) -> str:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {statistics.median(ms):9.1f} ms  p99 {p99:9.1f} ms  (n={len(ms)})"


def in_process(store: Store, name: str, params: dict[str, str]) -> int:
    result = run_stored(store, name.split(" ")[0], params)
    return sum(1 for _ in result)


def over_http(base: str, name: str, params: dict[str, str]) -> int:
    url = f"{base}/api/queries/{name.split(' ')[0]}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=600) as r:
        return len(r.read())


def serve(path: Path):
    import waitress

    from server import create_app

    app = create_app({"KG_STORE": str(path), "QUERY_TIMEOUT": 600.0})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def bench_size(claims: int, reps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store"
        seconds = load(path, claims)
        store = Store(path, read_only=True)
        print(f"\n{claims:,} claims, {len(store):,} quads (bulk load {seconds:.1f} s)")
        server, base = serve(path)
        for name, params in parameters(claims).items():
            rows = in_process(store, name, params)
            local = timed(lambda s=store, q=name, b=params: in_process(s, q, b), reps)
            remote = timed(lambda q=name, b=params: over_http(base, q, b), reps)
            print(
                f"  {name:<22} {rows:>7} rows  in process {figures(local)}  HTTP {figures(remote)}"
            )
        server.close()
        del store


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--n", type=int, default=30, help="repetitions per query")
    args = p.parse_args(argv)
    print("stored queries:", ", ".join(load_stored_queries()))
    for size in args.sizes:
        bench_size(size, args.n)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS of this process): {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
