"""Work spread over a Dask cluster, results back in order (`kg build --scheduler ADDRESS`).

The same module-level chunk function as on one machine (``kg.parallel``) goes to the cluster's
workers; chunks of items go out, results come back in input order, and only a bounded window
of chunks is in flight, so memory stays flat however long the input. The caller still writes
the results itself, so each article's graph is still replaced whole in a transaction, here.
``distributed`` is an optional extra, imported only when a scheduler is named.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import InputError
from kg.parallel import chunk_size, chunks

if TYPE_CHECKING:
    from distributed import Client, Future

T = TypeVar("T")
R = TypeVar("R")

CONNECT_TIMEOUT = 10.0  # seconds: a wrong address should fail fast, not hang the build
INSTALL = "pip install 'conflict-kg[dask]'"


def default_scheduler() -> str | None:
    """The scheduler named by ``$KG_SCHEDULER``, if any."""
    return os.environ.get("KG_SCHEDULER") or None


def map_on_cluster(
    address: str,
    fn: Callable[[list[T]], R],
    items: list[T],
    same: Callable[[], Any] | None = None,
    failed: Callable[[list[T], Exception], R] | None = None,
) -> Iterator[R]:
    """``fn`` over chunks of ``items`` on the cluster at ``address``, results in order.

    ``same`` runs on every worker first and must answer as it does here (e.g. the rules'
    digest), so workers running other code are caught before any work is sent. ``failed``
    turns a chunk whose task failed on the cluster (a worker died) into a result; without it
    the error is raised.
    """
    if not items:
        return
    with connect(address) as client:
        checked = check_workers(client, address, same) if same is not None else None
        threads = sum(n for w, n in client.nthreads().items() if checked is None or w in checked)
        size = chunk_size(len(items), threads)
        parts = chunks(items, size)
        yield from in_order(client, fn, parts, 2 * threads + 2, failed, checked)


def connect(address: str) -> Client:
    try:
        from distributed import Client
    except ImportError:
        raise InputError(f"--scheduler needs the distributed package: {INSTALL}") from None
    check_address(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError) as exc:
        reason = f"no answer in {CONNECT_TIMEOUT:g} s" if address in str(exc) else str(exc)
        raise InputError(
            f"cannot reach the Dask scheduler at {address} ({reason}): start one with "
            f"`dask scheduler` and pass the tcp://HOST:PORT it prints"
        ) from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        client.close()
        raise InputError(
            f"the Dask scheduler at {address} has no workers: start some with "
            f"`dask worker {address}` on machines with {INSTALL}"
        ) from None
    return client


def check_address(address: str) -> None:
    """A malformed address fails here: a Client that fails on one cannot be closed cleanly."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise InputError(
            f"{address!r} is not a scheduler address ({exc}): write tcp://HOST:PORT"
        ) from None


def check_workers(client: Client, address: str, same: Callable[[], Any]) -> list[str]:
    """Every worker can import this package and runs the same version of it; their addresses
    (the only workers given work: one that joins later has not been checked)."""
    try:
        answers = client.run(same)
    except Exception as exc:  # noqa: BLE001 - the cluster wraps worker errors in plain Exception
        if "ModuleNotFoundError" not in f"{type(exc).__name__}{exc}":
            raise
        raise InputError(
            f"the Dask workers at {address} cannot import this code ({exc}): run "
            f"`pip install conflict-kg` (the version used here) on every worker machine, "
            f"then restart the workers"
        ) from None
    here = same()
    others = {worker: answer for worker, answer in answers.items() if answer != here}
    if others:
        worker, answer = next(iter(others.items()))
        raise InputError(
            f"{len(others)} Dask worker(s) run other code than this one ({worker}: {answer}, "
            f"here: {here}): install the same conflict-kg on every worker and restart them"
        )
    return sorted(answers)


def in_order(
    client: Client,
    fn: Callable[[list[T]], R],
    parts: Iterator[list[T]],
    window: int,
    failed: Callable[[list[T], Exception], R] | None,
    workers: list[str] | None = None,
) -> Iterator[R]:
    """Submit chunks (to these workers only, when named), keeping at most ``window`` in
    flight; yield results in input order."""
    pending: deque[tuple[list[T], Future]] = deque()
    only: dict[str, Any] = {"workers": workers, "allow_other_workers": False} if workers else {}
    for part in parts:
        pending.append((part, client.submit(fn, part, pure=False, **only)))
        if len(pending) >= window:
            yield outcome(*pending.popleft(), failed)
    while pending:
        yield outcome(*pending.popleft(), failed)


def outcome(part: list[T], future: Future, failed: Callable[[list[T], Exception], R] | None) -> R:
    try:
        result: R = future.result()
        return result
    except Exception as exc:
        if failed is None:
            raise
        return failed(part, exc)
