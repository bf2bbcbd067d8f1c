"""Latency of every stored query at 10k, 100k and 1M claims, in process and over HTTP.

Run on demand (not a test): `python bench/queries.py [--sizes 10000 100000 1000000] [--n 30]`.
Claims are generated directly as RDF (ten per article graph, the shape kg/emit/graph.py writes) and
bulk-loaded, rather than extracted. Prints p50 and p99 per query and size, and peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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

from kg.ask.stored_queries import load_stored_queries, run_stored  # noqa: E402
from kg.claim_view import claim_view  # noqa: E402
from kg.derived import CONTROL, TOTALS, Change, stale  # noqa: E402
from kg.store import Store  # noqa: E402
from kg.vocab import (  # noqa: E402
    DERIVED_GRAPH,  # noqa: E402
    ENTITIES_GRAPH,
    ONTOLOGY,
    PREFIXES,
    WIKIDATA,
    article_iri,
    claim_iri,
    entity_iri,
    event_iri,
    graph_iri,
)
from server.lifecycle import stop  # noqa: E402

XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
# the mix of claim types of the synthetic store
MIX = {
    "control": 3,
    "attack": 3,
    "casualties": 2,
    "statement": 3,
    "diplomacy": 1,
    "movement": 1,
    "other": 1,
}
TYPES, WEIGHTS = list(MIX), list(MIX.values())
# what names a shared event (the occurrence keys of kg/data/claims.json)
OCCURRENCE_ROLES = {name: t.occurrence for name, t in claim_view().types.items() if t.occurrence}
PLACES, ACTORS, AGENCIES, PER_ARTICLE = 2000, 60, 12, 10
HOT_PLACES, HOT_SHARE, SIDES = 20, 0.05, 8  # news returns to a few places; few sides hold them
VICTIMS = ["civilians", "fighters", "soldiers", "people"]


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY + name)


def day(k: int) -> ox.Literal:
    return ox.Literal(
        f"{2012 + k // 365 % 6}-{1 + k % 12:02d}-{1 + k % 28:02d}",
        datatype=ox.NamedNode(XSD + "date"),
    )


def integer(k: int) -> ox.Literal:
    return ox.Literal(str(k), datatype=ox.NamedNode(XSD + "integer"))


def boolean(b: bool) -> ox.Literal:
    return ox.Literal(str(b).lower(), datatype=ox.NamedNode(XSD + "boolean"))


class Corpus:
    """Generated articles in the shape kg/emit/graph.py writes: one graph per article with the
    article, its claims, their reporting steps and events; shared occurrences and entity
    descriptions in id:graph/entities; contradictions (kg/derived/contradictions.py) in
    id:graph/derived."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.entities = ox.NamedNode(ENTITIES_GRAPH)
        self.occurrences: set[str] = set()
        # (place, day, order) -> [(claim, controller, article, claimant)]
        self.control: dict[tuple[str, str, int], list[tuple[str, str, str, str]]] = {}

    def article(self, a: int) -> Iterator[ox.Quad]:
        stem = f"bench{a:07d}"
        g, art = ox.NamedNode(graph_iri(stem)), ox.NamedNode(article_iri(stem))
        yield from (
            ox.Quad(art, p, o, g)
            for p, o in [
                (RDF_TYPE, n("Article")),
                (n("stem"), ox.Literal(stem)),
                (ox.NamedNode(PREFIXES["dcterms"] + "title"), ox.Literal(f"Report {a}")),
                (n("published"), day(a + 30)),
                (n("publishedFrom"), ox.Literal("text")),
                (n("publisher"), agency(a % AGENCIES)),
                (n("textSha256"), ox.Literal(f"{a:064x}")),
            ]
        )
        for s in range(PER_ARTICLE):
            yield from self.claim(a, s, stem, g, art)

    def claim(self, a: int, s: int, stem: str, g, art) -> Iterator[ox.Quad]:
        rng = self.rng
        kind = rng.choices(TYPES, WEIGHTS)[0]
        claim = ox.NamedNode(claim_iri(stem, s, 0))
        event = ox.NamedNode(claim.value + "/event")
        claimant = actor(rng.randrange(ACTORS)) if rng.random() < 0.8 else None
        chain = [agency(a % AGENCIES)] + ([claimant] if claimant and rng.random() < 0.7 else [])
        quads = [
            (RDF_TYPE, n("Claim")),
            (n("claimType"), ox.Literal(kind)),
            (n("inArticle"), art),
            (n("sentenceIndex"), integer(s)),
            (n("sentenceText"), ox.Literal(f"Sentence {s} of article {a}.")),
            (n("itemHeadline"), ox.Literal(f"Headline {a}") if s % 4 == 0 else None),
            (n("claimant"), claimant),
            (n("hedged"), boolean(rng.random() < 0.05)),
            (n("contested"), boolean(rng.random() < 0.01)),
            (n("dateText"), ox.Literal("on Monday") if rng.random() < 0.7 else None),
            (n("about"), event),
        ]
        for position, reporter in enumerate(chain, start=1):
            step = ox.NamedNode(f"{claim.value}/step{position}")
            quads += [(n("reportedBy"), reporter), (n("reportingStep"), step)]
            yield ox.Quad(step, RDF_TYPE, n("ReportingStep"), g)
            yield ox.Quad(step, n("position"), integer(position), g)
            yield ox.Quad(step, n("reporter"), reporter, g)
        roles: dict[str, ox.NamedNode | ox.Literal | None] = {
            "place": self.place() if kind != "statement" else None,
            "agent": actor(rng.randrange(ACTORS)) if kind != "other" else None,
            "target": actor(rng.randrange(ACTORS)) if kind in ("attack", "control") else None,
            "controller": actor(rng.randrange(SIDES)) if kind == "control" else None,
        }
        start = day(a + rng.randrange(30)) if rng.random() < 0.9 else None
        order = -1 if kind == "control" and rng.random() < 0.05 else 0
        count = rng.randrange(1, 60) if kind in ("casualties", "attack") else None
        victims = rng.choice(VICTIMS) if count is not None else None
        event_class = claim_view().types[kind].event
        if kind == "control" and rng.random() < 0.3:
            event_class = "ControlState"
        described = [
            (RDF_TYPE, n(event_class)),
            *[(n(p), o) for p, o in roles.items()],
            (n("start"), start),
            (n("end"), start),
            (n("orderInDay"), integer(order) if order else None),
            (n("count"), integer(count) if count is not None else None),
            (n("countQualifier"), ox.Literal("at least") if count and count % 3 == 0 else None),
            (n("victims"), ox.Literal(victims) if victims else None),
        ]
        yield from (ox.Quad(event, p, o, g) for p, o in described if o is not None)
        keys = OCCURRENCE_ROLES.get(kind)
        if keys and start is not None and (roles[keys[0]] or roles[keys[1]]):
            values = {**roles, "count": count, "victims": victims}
            parts = [getattr(values[k], "value", str(values[k] or "")) for k in keys]
            key = (kind, event_class, *parts, start.value, start.value)
            occurrence = ox.NamedNode(event_iri(*key))
            quads.append((n("occurrence"), occurrence))
            if occurrence.value not in self.occurrences:
                self.occurrences.add(occurrence.value)
                e = self.entities
                yield ox.Quad(occurrence, RDF_TYPE, n(event_class), e)
                if roles["place"] is not None:
                    yield ox.Quad(occurrence, n("place"), roles["place"], e)
                yield ox.Quad(occurrence, n("start"), start, e)
                yield ox.Quad(occurrence, n("end"), start, e)
        if kind == "control" and start is not None and roles["place"] is not None:
            self.control.setdefault((roles["place"].value, start.value, order), []).append(
                (
                    claim.value,
                    roles["controller"].value,
                    art.value,
                    claimant.value if claimant else claim.value,
                )
            )
        yield from (ox.Quad(claim, p, o, g) for p, o in quads if o is not None)

    def place(self) -> ox.NamedNode:
        hot = self.rng.random() < HOT_SHARE
        return place(self.rng.randrange(HOT_PLACES if hot else PLACES))

    def contradictions(self) -> Iterator[ox.Quad]:
        """The links kg/derived/contradictions.py derives: different controllers of one place at
        one moment, from different articles or claimants."""
        g, contradicts = ox.NamedNode(DERIVED_GRAPH), n("contradicts")
        for readings in self.control.values():
            for a, ca, arta, cla in readings:
                for b, cb, artb, clb in readings:
                    if ca != cb and (arta != artb or cla != clb):
                        yield ox.Quad(ox.NamedNode(a), contradicts, ox.NamedNode(b), g)


def place(k: int) -> ox.NamedNode:
    return ox.NamedNode(entity_iri(f"bench-place-{k}"))


def actor(k: int) -> ox.NamedNode:
    return ox.NamedNode(entity_iri(f"bench-actor-{k}"))


def agency(k: int) -> ox.NamedNode:
    return ox.NamedNode(entity_iri(f"bench-agency-{k}"))


def entity_quads() -> Iterator[ox.Quad]:
    g, label = ox.NamedNode(ENTITIES_GRAPH), ox.NamedNode(PREFIXES["rdfs"] + "label")
    alt = ox.NamedNode(PREFIXES["skos"] + "altLabel")
    match = ox.NamedNode(PREFIXES["skos"] + "exactMatch")
    for k in range(PLACES):
        yield ox.Quad(place(k), RDF_TYPE, n("Town"), g)
        yield ox.Quad(place(k), label, ox.Literal(f"Place {k}"), g)
        yield ox.Quad(place(k), alt, ox.Literal(f"Town {k}"), g)
        yield ox.Quad(place(k), n("partOf"), place(k % 20), g)
        if k % 2:
            yield ox.Quad(place(k), match, ox.NamedNode(f"{WIKIDATA}Q{900000 + k}"), g)
    for k in range(ACTORS):
        yield ox.Quad(actor(k), RDF_TYPE, n("ArmedGroup"), g)
        yield ox.Quad(actor(k), label, ox.Literal(f"Actor {k}"), g)
        yield ox.Quad(actor(k), n("side"), actor(k % 6), g)
    for k in range(AGENCIES):
        yield ox.Quad(agency(k), RDF_TYPE, n("NewsAgency"), g)
        yield ox.Quad(agency(k), label, ox.Literal(f"Agency {k}"), g)


def load(path: Path, claims: int) -> float:
    """Bulk-load a generated store, then materialise control with the build's own code."""
    corpus, store = Corpus(), ox.Store(str(path))
    started = time.perf_counter()
    store.bulk_extend(entity_quads())
    store.bulk_extend(q for a in range(claims // PER_ARTICLE) for q in corpus.article(a))
    store.bulk_extend(corpus.contradictions())
    store.flush()
    del store
    materialise(path)
    return time.perf_counter() - started


def materialise(path: Path) -> float:
    """Bring a store up to date as `kg refresh` would: every piece of derived data
    (`kg.derived.DERIVED`) the store lacks in its current shape, recomputed whole. Seconds
    taken."""
    store = Store(path)
    started = time.perf_counter()
    missing = stale(store)
    if not missing:
        return 0.0
    for piece in missing:
        begun = time.perf_counter()
        piece.recompute(store, Change())
        print(f"  {piece.name} materialised in {time.perf_counter() - begun:.1f} s", flush=True)
    store.flush()
    seconds = time.perf_counter() - started
    store.compact()  # as a build that rewrote this much does: every query reads fewer files
    print(f"  compacted in {time.perf_counter() - started - seconds:.1f} s", flush=True)
    return seconds


def one_more_article(path: Path, claims: int) -> str:
    """The cost of a build's refresh when one article is added to the store (and when it is
    taken away again): its graph written, then the control readings and the totals refreshed for
    it alone."""
    store, stem = Store(path), f"bench{claims // PER_ARTICLE:07d}"
    quads = list(Corpus(seed=claims).article(claims // PER_ARTICLE))
    store.replace_graph(graph_iri(stem), quads)
    started = time.perf_counter()
    CONTROL.refresh(store, Change([stem]))
    added = time.perf_counter() - started
    TOTALS.refresh(store, Change([stem]))
    added_totals = time.perf_counter() - started - added
    store.drop_graph(graph_iri(stem))
    started = time.perf_counter()
    CONTROL.refresh(store, Change([stem]))
    removed = time.perf_counter() - started
    TOTALS.refresh(store, Change([stem]))
    removed_totals = time.perf_counter() - started - removed
    store.flush()
    return (
        f"control refresh after adding one article {added * 1000:.0f} ms, "
        f"after removing it {removed * 1000:.0f} ms; totals refresh "
        f"{added_totals * 1000:.0f} ms and {removed_totals * 1000:.0f} ms"
    )


GENERIC = {
    "actor": actor(5).value,
    "place": place(17).value,
    "date": "2015-06-01",
    "type": "control",
}


def parameters(claims: int) -> dict[str, dict[str, str]]:
    """Every stored query (but the federated one) with its required parameters, plus the
    optional filters of who_controlled and claims one by one. The listings answer as the API
    does: the first 100 rows, read a page of articles at a time from the newest (the actor is
    a busy one, the place a hot one)."""
    middle = f"bench{claims // PER_ARTICLE // 2:07d}"
    generic = GENERIC | {"article": middle}
    found = {
        name: {p.name: generic[p.name] for p in q.params if p.required}
        for name, q in load_stored_queries().items()
        if "SERVICE" not in q.text and all(p.name in generic for p in q.params if p.required)
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
        "claims (the table)": {},
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


def ask_in_process(store: Store, params: dict[str, str]) -> int:
    from kg.ask.who_controlled import who_controlled

    answer = who_controlled(store, params["place"], dt.date.fromisoformat(params["date"]))
    return len(json.dumps(answer))


def ask_over_http(base: str, params: dict[str, str]) -> int:
    url = f"{base}/api/who-controlled?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=600) as r:
        return len(r.read())


def bench_size(
    claims: int, reps: int, keep: Path | None, only: list[str] | None, incremental: bool = False
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = (keep or Path(tmp)) / f"claims-{claims}"
        if (path / "CURRENT").exists():
            seconds = materialise(path)
            how = "reused" + (f", control materialised in {seconds:.1f} s" if seconds else "")
        else:
            seconds = load(path, claims)
            how = f"bulk load {seconds:.1f} s"
        if incremental:
            print(f"  {one_more_article(path, claims)}", flush=True)
        store = Store(path, read_only=True)
        print(f"\n{claims:,} claims, {len(store):,} quads ({how})", flush=True)
        server, base = serve(path)
        for name, params in parameters(claims).items():
            if only and not any(name.startswith(o) for o in only):
                continue
            rows = in_process(store, name, params)
            local = timed(lambda s=store, q=name, b=params: in_process(s, q, b), reps)
            remote = timed(lambda q=name, b=params: over_http(base, q, b), reps)
            print(
                f"  {name:<26} {rows:>7} rows  in process {figures(local)}  "
                f"HTTP {figures(remote)}",
                flush=True,
            )
        if not only or any("ask".startswith(o) or o == "ask" for o in only):
            ask = {"place": place(17).value, "date": "2015-06-01"}
            size = ask_in_process(store, ask)
            local = timed(lambda s=store: ask_in_process(s, ask), reps)
            remote = timed(lambda: ask_over_http(base, ask), reps)
            print(
                f"  {'ask who-controlled':<26} {size:>7} bytes in process {figures(local)}  "
                f"HTTP {figures(remote)}",
                flush=True,
            )
        stop(server)
        del store


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--n", type=int, default=30, help="repetitions per query")
    p.add_argument("--keep", type=Path, help="keep (and reuse) the generated stores here")
    p.add_argument("--only", nargs="*", help="only the queries whose names start so ('ask')")
    p.add_argument(
        "--incremental",
        action="store_true",
        help="also time a build's control refresh for one added (then removed) article",
    )
    args = p.parse_args(argv)
    print("stored queries:", ", ".join(load_stored_queries()))
    for size in args.sizes:
        bench_size(size, args.n, args.keep, args.only, args.incremental)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (max RSS of this process): {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
