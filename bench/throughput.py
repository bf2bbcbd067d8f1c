"""Throughput of `kg serve` against Oxigraph's own server on the same data, same load.

    python bench/throughput.py                        # 10,000 generated claims, 10 s per run
    python bench/throughput.py --claims 10000 --seconds 20 --keep /tmp/tp-store

One store is generated (`bench/queries.py`'s generator: claims bulk-loaded in the shape
kg/emit/graph.py writes). Both servers are started on loopback, each read-only on that store, and
loaded one at a time (the idle one sleeps), in `--rounds` rounds that alternate which goes
first, so a drift of the machine's speed falls on both alike:
`kg serve` (granian, query worker processes) at /sparql and `oxigraph serve-read-only
--union-default-graph` (from the PyPI package `oxigraph`) at /query. The load generator is
the same for both: PROCS processes x CLIENTS threads, each with one keep-alive HTTP/1.1
connection, POSTing the query (`application/sparql-query`, Accept: SPARQL JSON results) as
fast as answers come, for SECONDS after a one-second warm-up. It runs on the same machine as
the server, so both share the cores with it. Prints requests per second of each, their ratio
(kg / oxigraph) and latencies, for a light query and a join-heavy one (a stored query).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import free_port, start_server  # noqa: E402

CKG = "https://w3id.org/conflict-kg/ontology#"
HEAVY = """PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?perpetrator ?day (COUNT(DISTINCT ?claim) AS ?claims) (MAX(?count) AS ?largest)
       (GROUP_CONCAT(DISTINCT ?victims; separator=", ") AS ?victimGroups)
       (GROUP_CONCAT(DISTINCT ?article; separator=", ") AS ?articles)
       (GROUP_CONCAT(DISTINCT ?source; separator=", ") AS ?claimants)
WHERE {
  ?claim ckg:claimType "casualties" ; ckg:about ?event ; ckg:inArticle ?a .
  ?a ckg:stem ?article .
  ?event ckg:count ?count .
  OPTIONAL { ?event ckg:victims ?victims }
  OPTIONAL { ?event ckg:start ?day }
  OPTIONAL { ?event ckg:agent/rdfs:label ?agentLabel }
  OPTIONAL { ?claim ckg:claimant/rdfs:label ?source }
  BIND(COALESCE(?agentLabel, "(not stated)") AS ?perpetrator)
}
GROUP BY ?perpetrator ?day
ORDER BY ?day ?perpetrator
"""
QUERIES = {
    # one index lookup and ten rows: the cost is the HTTP and serialisation around the query
    "light": f"SELECT ?claim ?type WHERE {{ ?claim <{CKG}claimType> ?type }} LIMIT 10",
    # joins, optionals, property paths, GROUP BY and GROUP_CONCAT over the casualty claims:
    # casualties by perpetrator computed from the claims (the stored query reads the totals a
    # build keeps instead): a fixed heavy query, so the figure measures the endpoint
    "heavy": HEAVY,
}
ACCEPT = "application/sparql-results+json"


def _client(port: int, path: str, body: bytes, start: float, stop: float) -> tuple[list, int]:
    """One connection, one request at a time; latencies of the answers inside [start, stop)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/sparql-query", "Accept": ACCEPT}
    latencies, errors = [], 0
    while (now := time.time()) < stop:
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            ok = False
        if now >= start:
            if ok:
                latencies.append(time.time() - now)
            else:
                errors += 1
    conn.close()
    return latencies, errors


def _process(args: tuple[int, str, bytes, float, float, int]) -> tuple[list, int]:
    port, path, body, start, stop, clients = args
    results: list[tuple[list, int]] = []
    threads = [
        threading.Thread(target=lambda: results.append(_client(port, path, body, start, stop)))
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [x for r in results for x in r[0]], sum(r[1] for r in results)


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by a process and all its descendants: in all,
    and in kg serve's query workers (forked from multiprocessing's fork server)."""
    import psutil

    total = workers = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
            forked = "multiprocessing.forkserver" in " ".join(proc.cmdline())
        except psutil.Error:
            continue
        total += times.user + times.system
        workers += (times.user + times.system) if forked else 0.0
    return total, workers


def load(
    port: int,
    path: str,
    query: str,
    seconds: float,
    procs: int,
    clients: int,
    server_pid: int | None = None,
) -> dict:
    """Requests per second and latencies of ``procs`` x ``clients`` connections, and the CPU
    time the server (all its processes) spent per answered request in the measured window: a
    figure that, unlike requests per second, holds when other jobs share the machine."""
    start = time.time() + 2.0  # process start-up, then one second of warm-up
    stop = start + seconds
    jobs = [(port, path, query.encode(), start, stop, clients)] * procs
    cpu: list[tuple[float, float]] = []

    def sample() -> None:
        for moment in (start, stop):
            time.sleep(max(0.0, moment - time.time()))
            cpu.append(tree_cpu(server_pid) if server_pid else (float("nan"), float("nan")))

    sampler = threading.Thread(target=sample)
    sampler.start()
    with multiprocessing.get_context("spawn").Pool(procs) as pool:
        parts = pool.map(_process, jobs)
    sampler.join()
    latencies = sorted(x for p in parts for x in p[0])
    errors = sum(p[1] for p in parts)
    return {
        "rps": len(latencies) / seconds,
        "n": len(latencies),
        "errors": errors,
        "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "p99": latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else float("nan"),
        "cpu_us": (cpu[1][0] - cpu[0][0]) * 1e6 / max(len(latencies), 1),
        "workers_us": (cpu[1][1] - cpu[0][1]) * 1e6 / max(len(latencies), 1),
    }


def rows(port: int, path: str, query: str) -> int:
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request(
        "POST",
        path,
        body=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT},
    )
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status} from {path}: {body[:300]!r}")
    return len(json.loads(body)["results"]["bindings"])


def start_oxigraph(store: Path, timeout: float) -> tuple[subprocess.Popen, int]:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="oxigraph-", suffix=".log")[1])
    print(f"oxigraph log: {log}")
    process = subprocess.Popen(
        [
            binary,
            "serve-read-only",
            "--location",
            str(store),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
            *(["--timeout-s", str(int(timeout))] if timeout else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    for _ in range(300):
        try:
            rows(port, "/query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
            return process, port
        except (OSError, RuntimeError, KeyError):
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("oxigraph serve-read-only did not answer")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def report(figures: dict[tuple[str, str], dict], names: list[str], title: str) -> None:
    print(
        f"\n{title}\n{'query':6} {'server':9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>6} {'server CPU/request':>18}"
    )
    for name in names:
        for server, label in (("kg", "kg serve"), ("ox", "oxigraph")):
            f = figures[server, name]
            split = (
                f"  (HTTP process {f['cpu_us'] - f['workers_us']:.0f}, "
                f"query workers {f['workers_us']:.0f})"
                if server == "kg"
                else ""
            )
            print(
                f"{name:6} {label:9} {f['rps']:9.1f} {f['p50']:8.1f} {f['p99']:8.1f} "
                f"{f['errors']:6d} {f['cpu_us']:15.0f} us{split}"
            )
        kg, ox = figures["kg", name], figures["ox", name]
        print(
            f"{name:6} {'ratio':9} {kg['rps'] / max(ox['rps'], 1e-9):9.2f}  (kg serve / oxigraph "
            f"req/s; CPU per request oxigraph / kg serve: {ox['cpu_us'] / kg['cpu_us']:.2f})",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--claims", type=int, default=10_000)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--procs", type=int, default=2, help="load generator processes")
    p.add_argument("--clients", type=int, default=4, help="connections per process")
    p.add_argument("--threads", type=int, default=8, help="threads of each kg serve process")
    p.add_argument("--keep", type=Path, help="keep (and reuse) the generated store here")
    p.add_argument(
        "--serve-args", help="more options for kg serve, e.g. '--http-workers 1 --query-workers 2'"
    )
    p.add_argument("--only", choices=sorted(QUERIES), nargs="*")
    p.add_argument(
        "--rounds", type=int, default=1, help="runs of each server, alternated; median ratio"
    )
    p.add_argument(
        "--oxigraph-timeout",
        type=int,
        default=0,
        help="pass --timeout-s to oxigraph (0: none; it starts a thread per query for it, and "
        "under this load thread creation failed: EAGAIN, then a panic)",
    )
    args = p.parse_args(argv)

    store = args.keep or Path(tempfile.mkdtemp(prefix="kg-tp-")) / "store"
    if not store.exists():
        from queries import load as generate  # bench/queries.py

        print(f"generating {args.claims:,} claims ...", flush=True)
        generate(store, args.claims)
    print(
        f"store {store}; load: {args.procs} processes x {args.clients} connections, "
        f"{args.seconds:g} s per run; {os.cpu_count()} cores shared by server and load"
    )

    extra = tuple(args.serve_args.split()) if args.serve_args else ()
    kg_proc, base = start_server(store, threads=args.threads, timeout=600, extra=extra)
    kg_port = int(base.rsplit(":", 1)[1])
    ox_proc = None
    try:
        ox_proc, ox_port = start_oxigraph(store, args.oxigraph_timeout)
        servers = {"kg": (kg_port, "/sparql", kg_proc.pid), "ox": (ox_port, "/query", ox_proc.pid)}
        for name in args.only or QUERIES:
            for server, (port, path, _) in servers.items():
                print(f"{server:3} {name}: {rows(port, path, QUERIES[name])} rows", flush=True)
        rounds: list[dict[tuple[str, str], dict]] = []
        for turn in range(args.rounds):
            figures: dict[tuple[str, str], dict] = {}
            for name in args.only or QUERIES:
                # both servers stay up; the idle one sleeps. Each round alternates which one
                # goes first, so a drift of the machine's speed falls on both alike.
                for server in ("kg", "ox") if turn % 2 == 0 else ("ox", "kg"):
                    port, path, pid = servers[server]
                    figures[server, name] = load(
                        port, path, QUERIES[name], args.seconds, args.procs, args.clients, pid
                    )
            rounds.append(figures)
            report(figures, args.only or list(QUERIES), f"round {turn + 1} of {args.rounds}")
    finally:
        stop(kg_proc)
        if ox_proc is not None:
            stop(ox_proc)
    if len(rounds) > 1:
        print()
        for name in args.only or QUERIES:
            ratios = [r["kg", name]["rps"] / max(r["ox", name]["rps"], 1e-9) for r in rounds]
            listed = ", ".join(f"{x:.2f}" for x in ratios)
            print(f"{name:6} ratio per round: {listed}; median {statistics.median(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
