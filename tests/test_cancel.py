"""The per-query time limit really stops the work: a runaway query's worker process is killed
at the deadline, a fresh one takes its place, and other requests are answered meanwhile.
Real servers on loopback; run with -s to print the measured times."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import waitress
from conftest import LiveServer

from server.workers import WorkerPool

# Four-way cross product of the seeds' ~3,700 quads: about 10^14 rows to count.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# Two patterns: not a lookup (server.bounded), so a worker answers it.
SIMPLE = "SELECT ?c WHERE { ?c a ckg:Claim ; ckg:claimType ?t } LIMIT 3"
LIMIT = 2.0


def sparql(base: str, query: str) -> tuple[int, dict, float]:
    """(status, JSON body, seconds) of one POSTed query."""
    request = urllib.request.Request(
        f"{base}/sparql",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    return status, json.loads(body), time.perf_counter() - started


class Server(LiveServer):
    """LiveServer that keeps its app, to look at the worker pool."""

    def __init__(self, store: Path, **config: object) -> None:
        from server import create_app

        app = create_app({"KG_STORE": str(store), **config})
        self.pool: WorkerPool | None = app.extensions["kg.workers"]
        self._server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"  # type: ignore[union-attr]
        threading.Thread(target=self._server.run, daemon=True).start()

    def close(self) -> None:
        super().close()
        if self.pool is not None:
            self.pool.close()


def pool(server: Server) -> WorkerPool:
    assert server.pool is not None
    return server.pool


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    if fields[0] == "Z":
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def both_workers(workers: WorkerPool) -> list[int]:
    """The pids once both workers are up (the first query needs only one)."""
    deadline = time.monotonic() + 20
    while len(workers.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(workers.pids()) == 2
    return workers.pids()


@pytest.fixture()
def server(seeds_store: Path):
    live = Server(seeds_store, QUERY_TIMEOUT=LIMIT, QUERY_WORKERS=2)
    yield live
    live.close()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_runaway_query_is_killed_while_a_simple_query_answers(server: Server) -> None:
    assert sparql(server.url, SIMPLE)[0] == 200
    before = both_workers(pool(server))
    answers: list[tuple[int, dict, float]] = []
    runaway = threading.Thread(target=lambda: answers.append(sparql(server.url, RUNAWAY)))
    runaway.start()
    time.sleep(0.5)  # the runaway is evaluating in one worker
    status, body, simple_s = sparql(server.url, SIMPLE)
    assert status == 200 and len(body["results"]["bindings"]) == 3
    assert simple_s < 1.0
    runaway.join(30)
    status, body, cut_s = answers[0]
    assert status == 503 and body == {
        "error": f"The query ran longer than {LIMIT:g} s and was stopped: "
        "narrow it (LIMIT, a more selective pattern)",
        "status": 503,
    }
    assert LIMIT <= cut_s < LIMIT + 1.0
    deadline = time.monotonic() + 5  # SIGKILL is delivered asynchronously
    while not any(map(gone, before)) and time.monotonic() < deadline:
        time.sleep(0.01)
    killed = [pid for pid in before if gone(pid)]
    assert len(killed) == 1  # the runaway's worker, and only it
    print(f"\nrunaway cut after {cut_s:.3f} s (limit {LIMIT:g} s); simple query {simple_s:.3f} s")

    # Nothing keeps computing the runaway: the workers left are idle.
    live = pool(server).pids()
    spent = {pid: cpu_seconds(pid) for pid in live}
    time.sleep(1.0)
    assert all(cpu_seconds(pid) - spent[pid] < 0.3 for pid in live)

    after = both_workers(pool(server))
    assert killed[0] not in after  # a replacement took its place
    assert sparql(server.url, SIMPLE)[0] == 200


def hold_both_workers(server: Server) -> tuple[list[threading.Thread], list]:
    """Two runaway queries, one in each worker, running when this returns; their answers
    are appended to the list as they come."""
    assert sparql(server.url, SIMPLE)[0] == 200  # starts the workers
    both_workers(pool(server))
    runaways: list[tuple[int, dict, float]] = []
    threads = [
        threading.Thread(target=lambda: runaways.append(sparql(server.url, RUNAWAY)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both workers are evaluating a runaway
    return threads, runaways


def test_two_runaways_at_once_are_both_stopped(server: Server) -> None:
    threads, answers = hold_both_workers(server)
    for thread in threads:
        thread.join(30)
    assert [a[0] for a in answers] == [503, 503]
    assert all(a[2] < LIMIT + 1.0 for a in answers)
    status, _, seconds = sparql(server.url, SIMPLE)  # served by the replacements
    assert status == 200 and seconds < LIMIT


def test_waiting_queries_each_get_their_own_answer(server: Server) -> None:
    """More requests than workers, one worker held by a runaway: a freed worker is handed
    the longest-waiting query by the request that freed it, and every answer must reach the
    request that asked, in well under the limit."""
    from server.protocol import evaluate_query

    workers = pool(server)
    assert sparql(server.url, SIMPLE)[0] == 200
    both_workers(workers)
    runaway = threading.Thread(
        target=lambda: sparql(server.url, RUNAWAY)  # holds one worker until the limit
    )
    runaway.start()
    time.sleep(0.2)
    wrong: list[tuple[int, bytes]] = []
    slowest: list[float] = []

    def ask(i: int) -> None:
        for k in range(10):
            n = i * 100 + k
            started = time.perf_counter()
            body, _, _ = workers.run(
                evaluate_query, f"SELECT ({n} AS ?n) WHERE {{}}", None, None, "application/json"
            )
            slowest.append(time.perf_counter() - started)
            if json.loads(body)["results"]["bindings"][0]["n"]["value"] != str(n):
                wrong.append((n, body))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    runaway.join(30)
    assert not wrong and len(slowest) == 60
    assert max(slowest) < 1.0


def test_a_stored_query_runs_in_the_workers(server: Server) -> None:
    url = f"{server.url}/api/queries/claims_by_type?" + urllib.parse.urlencode({"type": "control"})
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200 and json.loads(response.read())["results"]["bindings"]
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{server.url}/api/queries/no_such_query", timeout=30)
    assert err.value.code == 404 and json.loads(err.value.read())["status"] == 404


def test_a_worker_killed_from_outside_is_replaced(server: Server) -> None:
    import signal

    assert sparql(server.url, SIMPLE)[0] == 200
    for pid in pool(server).pids():
        os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer would
    time.sleep(0.2)
    status, body, _ = sparql(server.url, SIMPLE)  # the dead ones are found and replaced
    assert status == 200, body


def test_without_workers_the_limit_still_answers_503(seeds_store: Path) -> None:
    """The thread fallback answers at the limit too, but the query runs on to its end: a
    bounded one here (a two-way product, about 5 s), not the runaway."""
    live = Server(seeds_store, QUERY_TIMEOUT=0.5, QUERY_WORKERS=0)
    try:
        assert live.pool is None
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
        status, body, seconds = sparql(live.url, slow)
        assert status == 503 and "longer than 0.5 s" in body["error"] and seconds < 1.5
    finally:
        live.close()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc: no extra dependency)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_kg_serve_cuts_a_runaway_and_keeps_answering(seeds_store: Path) -> None:
    """The same limit under the real `kg serve` (granian, its own processes), as users run it."""
    import socket
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "kg.cli", "serve", "--store", str(seeds_store),
               "--port", str(port), "--timeout", f"{LIMIT:g}"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert sparql(base, SIMPLE)[0] == 200
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline, "kg serve did not answer"
                time.sleep(0.1)
        answers: list[tuple[int, dict, float]] = []
        runaway = threading.Thread(target=lambda: answers.append(sparql(base, RUNAWAY)))
        runaway.start()
        time.sleep(0.5)
        status, body, simple_s = sparql(base, SIMPLE)
        assert status == 200 and len(body["results"]["bindings"]) == 3 and simple_s < 1.0
        runaway.join(30)
        status, body, cut_s = answers[0]
        assert status == 503 and "was stopped" in body["error"]
        assert LIMIT <= cut_s < LIMIT + 1.0
        time.sleep(0.5)  # SIGKILL is delivered asynchronously
        busy = {pid: cpu_seconds(pid) for pid in descendants(proc.pid)}
        time.sleep(1.0)
        assert all(cpu_seconds(pid) - spent < 0.3 for pid, spent in busy.items())
        print(f"\nkg serve: runaway cut after {cut_s:.3f} s; simple query {simple_s:.3f} s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
