"""One pool of query workers for all of `kg serve`'s server processes.

`server.workers.WorkerPool` gives each server process workers of its own: with two server processes
each worker sees half of its process's queries, and its RocksDB block cache (one per process)
stays colder than a worker that sees them all. Here `PoolHost`, in `kg serve`'s main process,
starts the workers once; every worker `accept()`s on one Unix socket, so a connection waits in
the socket's backlog until a worker is idle and the kernel hands it to exactly one of them.
Server processes are clients (`SharedPool`):

1. connect; the worker that accepts sends its pid (a client still waiting after the time
   limit gives up and closes, and the worker, finding no query, accepts the next one);
2. send the query (``fn``, its arguments, the client's store generation);
3. read the answer; past the time limit, kill the worker by its pid (SIGKILL, the only way to
   stop a pyoxigraph query) and answer 503. The host sees the worker die and starts another.

The pid comes before the query so that no worker evaluates a query nobody can stop: a client
that gave up before a worker accepted never sent it.
"""

from __future__ import annotations

import logging
import os
import secrets
import select
import signal
import socket
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any, TypeVar, cast

from kg.errors import KGError, QueryError, WorkersUnavailable
from server.live import LiveStore
from server.slots import Slots, slots_folder
from server.workers import (
    all_busy,
    answer,
    frame,
    mp_context,
    one_per_core,
    read_frame,
    set_read_limit,
    stopped_at_limit,
    worker_died,
    write_frame,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class PoolHost:
    """Starts ``size`` query workers accepting on one Unix socket (``address``, in the abstract
    namespace: nothing on disk to clean up) and replaces each one that dies (killed at the time
    limit, out of memory) until `close`."""

    STARTUP_LIMIT = 60.0

    def __init__(
        self,
        path: str | os.PathLike[str],
        size: int | None = None,
        preload: tuple[str, ...] = (),
        slots: int | None = None,
    ) -> None:
        self.path, self.size = str(path), max(1, size or one_per_core())
        self.slots = max(1, slots or one_per_core())
        self.preload = ("pyoxigraph", "kg.store", "server.workers", "server.shared_pool", *preload)
        self.address = f"\0kg-queries-{os.getpid()}-{secrets.token_hex(8)}"
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.address)
        self._listener.listen(socket.SOMAXCONN)
        self._context = mp_context(self.preload)
        self._processes: dict[int, Any] = {}  # sentinel -> process
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._monitor: threading.Thread | None = None

    def start(self) -> str:
        """Start the workers and the thread that replaces them; the address for clients."""
        for _ in range(self.size):
            self._spawn()
        self._monitor = threading.Thread(target=self._replace, name="kg-pool-host", daemon=True)
        self._monitor.start()
        return self.address

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(p.pid for p in self._processes.values())

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            processes, self._processes = list(self._processes.values()), {}
        for process in processes:
            process.kill()
        for process in processes:
            process.join(5)
        self._listener.close()

    def _spawn(self) -> None:
        ready, child = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_worker_main,
            args=(self._listener, child, self.path, self.preload, self.slots, os.getpid()),
            name="kg-query-worker",
            daemon=True,
        )
        process.start()
        child.close()
        with self._lock:
            self._processes[process.sentinel] = process
        threading.Thread(target=_await_ready, args=(ready, process), daemon=True).start()

    def _replace(self) -> None:
        while not self._closed.is_set():
            with self._lock:
                sentinels = list(self._processes)
            for sentinel in wait(sentinels, timeout=0.5):
                with self._lock:
                    process = self._processes.pop(cast(int, sentinel), None)
                if process is None or self._closed.is_set():
                    continue
                process.join()
                if process.exitcode != -signal.SIGKILL:  # a kill at the time limit is routine
                    log.warning("A query worker stopped (exit code %s)", process.exitcode)
                try:
                    self._spawn()
                except OSError as exc:  # no process left to start: try again shortly
                    log.error("A query worker could not start: %s", exc)
                    self._closed.wait(1.0)


def _await_ready(ready: Any, process: Any) -> None:
    try:
        if not ready.poll(PoolHost.STARTUP_LIMIT) or ready.recv() != "ready":
            raise RuntimeError(f"no ready message within {PoolHost.STARTUP_LIMIT:g} s")
    except (RuntimeError, EOFError, OSError) as exc:
        log.error("A query worker failed to start: %s", exc)
        process.kill()
    finally:
        ready.close()


def _worker_main(
    listener: socket.socket,
    ready: Any,
    path: str,
    preload: tuple[str, ...],
    slots: int,
    host: int,
) -> None:
    """A shared query worker: accepts one client at a time and answers its one query. Ends
    when the host's process ends, even killed outright."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which kills us
    for name in preload:
        importlib.import_module(name)
    end_with(host)  # the fork server and granian's server processes may outlive the host
    live, held = LiveStore(path), Slots(slots_folder(path), slots)
    try:
        live.get()  # open now, not in the first query's time
    except KGError:
        pass  # no store yet: each query reports it
    ready.send("ready")
    ready.close()
    generations: dict[Any, int] = {}  # the last store generation each client asked for
    while True:
        conn, _ = listener.accept()  # the kernel hands each client to one idle worker
        with conn:
            fd = conn.fileno()
            try:
                write_frame(fd, frame(os.getpid()))
                client, wanted, fn, args = read_frame(fd)
            except (EOFError, OSError):
                continue  # the client gave up before we accepted
            if generations.get(client, wanted) != wanted:
                live.invalidate()  # the client wrote to the store: read it anew
            generations[client] = wanted
            try:
                write_frame(fd, answer(live, held, fn, args))
            except OSError:
                continue


def end_with(pid: int) -> None:
    """SIGKILL this process once process ``pid`` has ended, however it ended (a daemon thread
    waits on a pidfd; where there is none, it asks each second)."""

    def wait_then_end() -> None:
        try:
            ended = os.pidfd_open(pid)
        except (AttributeError, OSError):
            while _alive(pid):
                time.sleep(1.0)
        else:
            select.select([ended], [], [])
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=wait_then_end, name="kg-end-with", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class SharedPool:
    """A server process's side of the shared pool: the same `run` as `server.workers.WorkerPool`.
    A call waits up to ``timeout`` s for a worker to accept, then up to ``timeout`` s for the
    answer; past either, QueryTimeout (503), and in the second case the worker is killed."""

    def __init__(self, address: str, timeout: float = 10.0, size: int | None = None) -> None:
        self.address, self.timeout = address, timeout
        self.size = size or one_per_core()
        self.unavailable: str | None = None
        self._client = (os.getpid(), secrets.token_hex(4))
        self._generation = 0

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(self.address)
            except OSError as exc:  # the host is gone: the server is stopping
                self.unavailable = f"the query workers are gone ({exc})"
                raise WorkersUnavailable(self.unavailable) from None
            fd = sock.fileno()
            set_read_limit(fd, self.timeout)
            pid = None  # until a worker has accepted
            try:
                pid = read_frame(fd)
                write_frame(fd, frame((self._client, self._generation, fn, args)))
                status, value = read_frame(fd)
            except BlockingIOError:  # no worker, or no answer, within the limit
                if pid is None:
                    raise all_busy(self.size, self.timeout) from None
                _kill(pid)
                raise stopped_at_limit(self.timeout) from None
            except (EOFError, OSError) as exc:  # the worker died: killed, out of memory
                raise worker_died(exc) from None
            except Exception as exc:  # the whole frame was read, but it does not unpickle
                raise QueryError(f"Query failed: {type(exc).__name__}: {exc}") from None
        if status == "error":
            raise value
        return value

    def start(self) -> None:
        """Nothing to start: the host started the workers."""

    def invalidate(self) -> None:
        """Make the workers reopen their read-only handle before this process's next query."""
        self._generation += 1

    def close(self) -> None:
        """Nothing to stop: the host stops the workers."""


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it ended on its own meanwhile
