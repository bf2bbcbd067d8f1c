"""`server.shared_pool`: one pool of query workers for all of `kg serve`'s server processes.

In process: a `PoolHost` and `SharedPool` clients on the seeds store (answers, the time limit
killing its worker, replacement, a query abandoned in the queue never evaluated). Through
`kg serve`: two server processes share the workers (two runaways hold every worker, whichever
process took them), and the workers end with the server, even one killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.errors import QueryError, QueryTimeout
from kg.vocab import ONTOLOGY
from server.shared_pool import PoolHost, SharedPool

ROOT = Path(__file__).resolve().parent.parent


def count_claims(store) -> int:  # type: ignore[no-untyped-def]
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?c a <{ONTOLOGY}Claim> }} }}"
    return int(next(iter(store.oxigraph.query(text)))["n"].value)


def sleep_then(store, seconds: float, marker: str | None = None) -> int:  # type: ignore[no-untyped-def]
    time.sleep(seconds)
    if marker:
        Path(marker).write_text("evaluated")
    return os.getpid()


def fail(store) -> None:  # type: ignore[no-untyped-def]
    raise QueryError("Malformed query: on purpose")


@pytest.fixture()
def host(seeds_store: Path) -> Iterator[PoolHost]:
    pool = PoolHost(seeds_store, size=2, slots=2)
    pool.start()
    yield pool
    pool.close()


def wait_for(check, limit: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def test_answers_and_errors_come_back(host: PoolHost, seeds_store: Path) -> None:
    from kg.store import Store

    client = SharedPool(host.address, timeout=30)
    expected = count_claims(Store(seeds_store, read_only=True))
    assert expected > 0
    assert client.run(count_claims) == expected
    with pytest.raises(QueryError, match="on purpose"):
        client.run(fail)
    assert client.run(sleep_then, 0) in host.pids()  # evaluated by one of the host's workers


def test_a_runaway_is_killed_and_replaced_while_others_are_answered(host: PoolHost) -> None:
    wait_for(lambda: len(host.pids()) == 2)
    before = set(host.pids())
    client = SharedPool(host.address, timeout=1.0)
    quick: list[float] = []

    def beside() -> None:
        time.sleep(0.3)  # the runaway has its worker by now
        started = time.monotonic()
        client.run(sleep_then, 0)
        quick.append(time.monotonic() - started)

    helper = threading.Thread(target=beside)
    helper.start()
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="longer than 1 s"):
        client.run(sleep_then, 600)
    assert time.monotonic() - started < 3.0
    helper.join(10)
    assert quick and quick[0] < 1.0  # the other worker answered beside the runaway
    wait_for(lambda: len(host.pids()) == 2 and set(host.pids()) != before)
    assert len(set(host.pids()) & before) == 1  # exactly the runaway's worker was replaced


def test_a_query_that_gave_up_waiting_is_never_evaluated(host: PoolHost, tmp_path: Path) -> None:
    wait_for(lambda: len(host.pids()) == 2)
    busy = SharedPool(host.address, timeout=30)
    holders = [threading.Thread(target=busy.run, args=(sleep_then, 2.0)) for _ in range(2)]
    for holder in holders:
        holder.start()
    time.sleep(0.5)  # both workers are sleeping
    marker = tmp_path / "marker"
    impatient = SharedPool(host.address, timeout=0.5)
    with pytest.raises(QueryTimeout, match="stayed busy"):
        impatient.run(sleep_then, 0, str(marker))
    for holder in holders:
        holder.join(10)
    assert busy.run(sleep_then, 0) in host.pids()  # the workers went on to the next client
    time.sleep(0.5)
    assert not marker.exists()


def test_a_worker_killed_from_outside_is_replaced(host: PoolHost) -> None:
    wait_for(lambda: len(host.pids()) == 2)
    victim = host.pids()[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: len(host.pids()) == 2 and victim not in host.pids())
    assert SharedPool(host.address, timeout=30).run(sleep_then, 0) in host.pids()


# -- through kg serve ------------------------------------------------------------------------
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?s a ?t }"  # two patterns: a worker's


def children(pid: int) -> set[int]:
    """Every descendant of ``pid``, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def query_workers(pid: int) -> set[int]:
    """kg serve's query workers: the fork server's children."""
    found = set()
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in command:
            found |= {c for c in children(child)}
    return found


def get(port: int, query: str, timeout: float = 60) -> tuple[int, float]:
    url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": query})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.monotonic() - started


@pytest.fixture()
def served(seeds_store: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(seeds_store), "--port",
         str(port), "--timeout", "2", "--http-workers", "2", "--query-workers", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        wait_for(lambda: _answers(port), 60)
        yield process, port
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(10)


def _answers(port: int) -> bool:
    try:
        return get(port, SIMPLE, timeout=5)[0] == 200
    except OSError:
        return False


def test_server_processes_share_their_query_workers(served: tuple[subprocess.Popen, int]) -> None:
    process, port = served
    wait_for(lambda: len(query_workers(process.pid)) == 2)  # two in all, not two per process
    results: list[tuple[int, float]] = []
    runaways = [
        threading.Thread(target=lambda: results.append(get(port, RUNAWAY))) for _ in range(2)
    ]
    for runaway in runaways:
        runaway.start()
    time.sleep(0.5)  # each runaway holds a worker, whichever server process took it
    status, waited = get(port, SIMPLE)
    for runaway in runaways:
        runaway.join(30)
    assert sorted(status for status, _ in results) == [503, 503]
    assert all(1.5 < seconds < 4.0 for _, seconds in results)  # cut near the 2 s limit
    # no third worker: the simple query waited for a runaway's end, then was answered
    assert status == 200 and waited > 1.0
    assert get(port, SIMPLE)[1] < 1.0
    wait_for(lambda: len(query_workers(process.pid)) == 2)


def test_workers_end_with_a_server_killed_outright(served: tuple[subprocess.Popen, int]) -> None:
    process, _ = served
    wait_for(lambda: len(query_workers(process.pid)) == 2)
    workers = query_workers(process.pid)
    os.kill(process.pid, signal.SIGKILL)  # the main process only: no clean-up of its own
    wait_for(lambda: not any(alive(pid) for pid in workers), 10)


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_ctrl_c_stops_the_server_and_every_process_it_started(
    served: tuple[subprocess.Popen, int],
) -> None:
    """Ctrl-C signals the terminal's whole process group; granian's server processes hit at
    the same moment as their parent sometimes never ended, and the parent waited for them."""
    process, _ = served
    wait_for(lambda: len(query_workers(process.pid)) == 2)
    started = children(process.pid)
    assert len(started) >= 5  # fork server, two workers, two server processes at least
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(15) is not None  # raises TimeoutExpired if it hangs
    wait_for(lambda: not any(alive(pid) for pid in started), 10)


def test_a_server_killed_outright_leaves_no_server_process(
    served: tuple[subprocess.Popen, int],
) -> None:
    """The server processes have a process group of their own (for Ctrl-C), so a kill of the
    main process's group misses them: they end with the main process instead."""
    process, _ = served
    wait_for(lambda: len(query_workers(process.pid)) == 2)
    started = children(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    wait_for(lambda: not any(alive(pid) for pid in started), 10)


def test_query_workers_start_with_kgs_malloc_settings(
    served: tuple[subprocess.Popen, int],
) -> None:
    """`kg serve` hands its query workers glibc's settings (kg/malloc.py), or the user's own."""
    from kg.malloc import VARIABLE, setting

    process, _ = served
    wait_for(lambda: len(query_workers(process.pid)) == 2)
    expected = os.environ.get(VARIABLE, setting()).encode()
    for pid in query_workers(process.pid):
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        assert VARIABLE.encode() + b"=" + expected in environment
