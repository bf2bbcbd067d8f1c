"""Load test on loopback: concurrent clients against `kg serve`, bounded in time and count.

    python bench/load.py                      # 8 clients x 60 s on the seeds (built if needed)
    python bench/load.py --url http://127.0.0.1:5000 --clients 8 --seconds 60
    python bench/load.py --store .kg/store --clients 16 --seconds 30 --max-requests 50000
    python bench/load.py --writers 1          # and a client writing through /sparql meanwhile

Each client (a thread, stdlib urllib, one request at a time) cycles through a mix of the
routes users call: who-controlled, claims, a stored query, SPARQL SELECT and a resource page.
Any status but 200, a timeout or a refused connection is an error. With ``--writers N``, N more
clients each send SPARQL Updates (an INSERT DATA of one triple into a graph of their own) to the
server started with an update token, one at a time; a write must answer 204. Prints the request
count, throughput and the latency distribution (p50/p90/p99/max) of the reads, then of the
writes; exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNT_CLAIMS = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ckg:Claim }"
MIX: list[tuple[str, dict[str, str]]] = [
    ("/api/who-controlled?place=Boukamal&date=2017-11-12", {}),
    ("/api/claims?type=control", {}),
    ("/api/queries/claims?type=control", {}),
    ("/sparql?" + urllib.parse.urlencode({"query": COUNT_CLAIMS}),
     {"Accept": "application/sparql-results+json"}),
    ("/resource/entity/abu-kamal", {"Accept": "text/turtle"}),
    ("/api/who-controlled?place=Q152828&date=2017-11-21&as_of=2017-11-15", {}),
]


@dataclass
class LoadResult:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies) + len(self.errors)

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    def summary(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        mean = statistics.fmean(self.latencies) * 1000 if self.latencies else float("nan")
        return (f"{self.clients} clients, {self.seconds:.1f} s: {self.requests} requests "
                f"({rate:.0f}/s), {len(self.errors)} errors; latency ms p50 "
                f"{self.percentile(50):.1f} p90 {self.percentile(90):.1f} p99 "
                f"{self.percentile(99):.1f} max {self.percentile(100):.1f} mean {mean:.1f}")


def fetch(base: str, path: str, headers: dict[str, str], timeout: float = 30.0) -> str | None:
    """One request; None on success, else a one-line description of the failure."""
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return None if response.status == 200 else f"{path}: HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{path}: HTTP {exc.code} {exc.read()[:200]!r}"
    except (OSError, urllib.error.URLError) as exc:
        return f"{path}: {type(exc).__name__}: {exc}"


TOKEN = "load-test"


def write(base: str, n: int, timeout: float = 30.0) -> str | None:
    """One SPARQL Update; None on a 204, else a one-line description of the failure."""
    body = f"INSERT DATA {{ GRAPH <urn:load:writes> {{ <urn:load:s> <urn:load:p> {n} }} }}"
    request = urllib.request.Request(
        base + "/sparql", data=body.encode(), method="POST",
        headers={"Content-Type": "application/sparql-update",
                 "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return None if response.status == 204 else f"update: HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"update: HTTP {exc.code} {exc.read()[:200]!r}"
    except (OSError, urllib.error.URLError) as exc:
        return f"update: {type(exc).__name__}: {exc}"


def _writer(base: str, deadline: float, result: LoadResult, lock: threading.Lock,
            offset: int) -> None:
    for n in itertools.count(offset * 1_000_000):
        if time.perf_counter() >= deadline:
            return
        started = time.perf_counter()
        error = write(base, n)
        elapsed = time.perf_counter() - started
        with lock:
            (result.errors.append(error) if error else result.latencies.append(elapsed))


def _client(base: str, deadline: float, budget: Iterator[int], result: LoadResult,
            lock: threading.Lock, offset: int) -> None:
    mix = itertools.islice(itertools.cycle(MIX), offset, None)
    for (path, headers), _ in zip(mix, budget, strict=False):
        if time.perf_counter() >= deadline:
            return
        started = time.perf_counter()
        error = fetch(base, path, headers)
        elapsed = time.perf_counter() - started
        with lock:
            (result.errors.append(error) if error else result.latencies.append(elapsed))


def run_load(base: str, clients: int = 8, seconds: float = 60.0,
             max_requests: int = 1_000_000, writers: int = 0) -> tuple[LoadResult, LoadResult]:
    """``clients`` threads request ``base`` until ``seconds`` pass or ``max_requests`` are
    sent, while ``writers`` threads write through /sparql: (reads, writes)."""
    result, writes = LoadResult(clients, seconds), LoadResult(writers, seconds)
    lock = threading.Lock()
    budget = iter(range(max_requests))  # shared: next() on a range iterator is atomic
    started = time.perf_counter()
    deadline = started + seconds
    threads = [threading.Thread(target=_client, args=(base, deadline, budget, result, lock, i))
               for i in range(clients)]
    threads += [threading.Thread(target=_writer, args=(base, deadline, writes, lock, i))
                for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = writes.seconds = time.perf_counter() - started
    return result, writes


# -- a server to load ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, port: int | None = None, threads: int = 8, timeout: float = 10.0,
                 log: Path | None = None,
                 extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """`kg serve` in a subprocess on a free loopback port, its stderr in ``log`` (a file, not a
    pipe nobody reads: a full pipe would block the server); returns it once it answers."""
    port = port or free_port()
    log = log or Path(tempfile.mkstemp(prefix="kg-serve-", suffix=".log")[1])
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--store", str(store), "--port", str(port),
             "--threads", str(threads), "--timeout", str(timeout), *extra],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(process, base, log)
    return process, base


def wait_until_up(process: subprocess.Popen, base: str, log: Path, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited: {log.read_text()[-2000:]}")
        if fetch(base, "/api/queries", {}, timeout=2) is None:
            return
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"kg serve did not answer at {base} within {limit:g} s")


def seeds_store(store: Path) -> Path:
    if not store.exists():
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(ROOT / "seeds"),
                        "--store", str(store)], cwd=ROOT, check=True)
    return store


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="load this server instead of starting one")
    p.add_argument("--store", type=Path, help="serve this store (default: the seeds, built)")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--max-requests", type=int, default=1_000_000)
    p.add_argument("--writers", type=int, default=0,
                   help="clients writing through /sparql meanwhile (a server started here "
                   "gets the update token; with --url, start it with --update-token load-test)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        server, base = None, args.url
        if base is None:
            store = args.store or seeds_store(Path(tmp) / "store")
            if args.writers and args.store is None:
                store = Path(shutil.copytree(store, Path(tmp) / "written"))
            server, base = start_server(store, extra=("--update-token", TOKEN))
        try:
            result, writes = run_load(base, args.clients, args.seconds, args.max_requests,
                                      args.writers)
        finally:
            if server is not None:
                server.terminate()
                server.wait(10)
    print("reads:", result.summary())
    if args.writers:
        print("writes:", writes.summary())
    for error in (result.errors + writes.errors)[:10]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if result.errors or writes.errors else 0


if __name__ == "__main__":
    sys.exit(main())
