"""The processes and threads that evaluate queries for the server, under a time limit.

pyoxigraph cannot cancel a query, so user queries (`/sparql`, stored queries) run in
`WorkerPool`: a few worker processes, each with its own read-only `LiveStore`. A query that
passes the time limit is stopped by killing its worker (SIGKILL: a reader holds no lock and
writes nothing), and a fresh worker takes its place. The server's fixed queries (who-controlled,
claims, resource pages) stay in `QueryRunner` threads: their cost is bounded by their shape.
`kg serve` shares one pool among its server processes (`server.shared_pool`).
"""

from __future__ import annotations

import collections
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from kg.errors import KGError, QueryError, QueryTimeout, WorkerDied, WorkersUnavailable
from server.live import LiveStore
from server.slots import Slots, slots_folder

T = TypeVar("T")
log = logging.getLogger(__name__)

# What a worker imports before it reports ready: the evaluation functions and the serialisers.
WORKER_PRELOAD = ("server.formats", "server.protocol", "server.queries", "rdflib", "rdflib.query")


class QueryRunner:
    """Runs store work in a daemon thread and stops waiting for it after ``timeout`` seconds.

    pyoxigraph cannot cancel a query, but it releases the GIL while evaluating, so a runaway
    query only occupies its slot (and a core) until it ends; the server keeps answering, and at
    most ``slots`` queries run at once.
    """

    def __init__(self, timeout: float = 10.0, slots: int = 8) -> None:
        self.timeout = timeout
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)

    def run(self, work: Callable[..., T], *args: Any) -> T:
        if not self._free.acquire(timeout=self.timeout):
            raise QueryTimeout(
                f"All {self.slots} query slots are busy with long queries: try again later"
            )
        box: dict[str, Any] = {}
        done = threading.Event()

        def target() -> None:
            try:
                box["value"] = work(*args)
            except BaseException as exc:  # re-raised in the waiting thread
                box["error"] = _detach(exc)
            finally:
                self._free.release()
                done.set()

        threading.Thread(target=target, name="kg-query", daemon=True).start()
        if not done.wait(self.timeout):
            raise QueryTimeout(
                f"The query ran longer than {self.timeout:g} s: "
                "narrow it (LIMIT, a more selective pattern)"
            )
        if "error" in box:
            raise box["error"]
        return box["value"]


def _detach(exc: BaseException) -> BaseException:
    """Drop the traceback frames here: pyoxigraph results in them must die on this thread."""
    if not isinstance(exc, KGError):
        exc.add_note("".join(traceback.format_tb(exc.__traceback__)))
    exc.__traceback__ = None
    if exc.__cause__ is not None:
        exc.__cause__.__traceback__ = None
    if exc.__context__ is not None:
        exc.__context__.__traceback__ = None
    return exc


def stopped_at_limit(timeout: float) -> QueryTimeout:
    return QueryTimeout(
        f"The query ran longer than {timeout:g} s and was stopped: "
        "narrow it (LIMIT, a more selective pattern)"
    )


def all_busy(workers: int, timeout: float) -> QueryTimeout:
    return QueryTimeout(
        f"All {workers} query workers stayed busy for {timeout:g} s "
        "with long queries: try again later"
    )


def worker_died(exc: BaseException) -> WorkerDied:
    return WorkerDied(
        f"The query's worker process stopped ({type(exc).__name__}): try again; "
        "if it happens again, the query may need more memory than the server has"
    )


class _Worker:
    def __init__(self, process: Any, conn: Any) -> None:
        self.process, self.conn = process, conn
        self.fd: int = conn.fileno()  # queries and answers go through it as raw frames

    def stop(self) -> None:
        """SIGKILL: the only way to stop a pyoxigraph query; the read-only handle holds no lock."""
        try:
            self.process.kill()
        except (OSError, ValueError, AttributeError):
            pass
        self.conn.close()
        threading.Thread(target=self.process.join, args=(5,), daemon=True).start()  # reap


def one_per_core() -> int:
    """The default number of query workers and of evaluation slots: one per core, two at
    least, so that one runaway always leaves one for everything else, even on one core."""
    return max(2, os.cpu_count() or 1)


def set_read_limit(fd: int, timeout: float) -> None:
    """Make a read on socket ``fd`` that waits ``timeout`` s fail with BlockingIOError: the
    time limit then costs no poll before each read (a socket option, set once)."""
    seconds = max(0, int(timeout))
    micros = max(0, int((timeout - seconds) * 1e6)) or (0 if seconds else 1)  # 0 0: never
    with socket.socket(fileno=os.dup(fd)) as sock:  # the same socket: options shared
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", seconds, micros))


class WorkerPool:
    """Runs ``fn(store, *args)`` in one of ``size`` worker processes, each holding its own
    read-only `LiveStore` on ``path``; ``fn`` must be a module-level function (it is pickled
    by name) returning picklable data, e.g. the serialised answer.

    A call waits up to ``timeout`` s for a free worker, then up to ``timeout`` s for the
    answer; past that the worker is killed, a replacement is started in the background, and
    QueryTimeout (503) is raised. ``preload`` names modules the workers import before they
    report ready (with forkserver, once in the fork server), so no query pays for imports.
    Workers start on the first call (or `start()`), so apps that never query spawn nothing.
    ``slots`` bounds the evaluations running at once on the machine, in every pool on the
    same store (`Slots`; default one per core, two at least).
    """

    STARTUP_LIMIT = 60.0  # seconds a new worker may take to import and open the store

    def __init__(
        self,
        path: str | os.PathLike[str],
        timeout: float = 10.0,
        size: int = 2,
        preload: tuple[str, ...] = (),
        slots: int | None = None,
    ) -> None:
        self.path, self.timeout, self.size = str(path), timeout, max(1, size)
        self.slots = max(1, slots or one_per_core())
        self.preload = ("pyoxigraph", "kg.store", "server.workers", *preload)
        self._idle: list[_Worker] = []
        self._waiting: collections.deque[_Waiter] = collections.deque()  # for a worker
        self._lock = threading.Lock()
        self._alive = 0  # workers idle, busy or starting
        self._starting = 0
        self._generation = 0  # bumped by invalidate(): workers reopen their handle
        self._closed = False
        self._workers: set[_Worker] = set()
        self._started_once = False
        self.unavailable: str | None = None  # why no worker could ever start
        self._context = mp_context(self.preload)

    def start(self) -> None:
        """Start workers up to the pool's size; each joins the idle queue once ready."""
        with self._lock:
            missing = 0 if self._closed else self.size - self._alive
            self._alive += missing
            self._starting += missing
        for _ in range(missing):
            threading.Thread(target=self._spawn, name="kg-worker-start", daemon=True).start()

    def run(self, fn: Callable[..., T], *args: Any) -> T:
        worker = self._send(frame((fn, args, self._generation)))
        try:
            status, value = read_frame(worker.fd)
        except BlockingIOError:  # no answer within the limit (`set_read_limit`)
            self._retire(worker)
            raise stopped_at_limit(self.timeout) from None
        except (EOFError, OSError) as exc:  # the worker died: killed, out of memory, crashed
            self._retire(worker)
            raise worker_died(exc) from None
        except Exception as exc:  # the whole frame was read, but it does not unpickle here
            self._release(worker)
            raise QueryError(f"Query failed: {type(exc).__name__}: {exc}") from None
        self._release(worker)
        if status == "error":
            raise value
        return value

    def pids(self) -> list[int]:
        """Process ids of the live workers (idle or busy)."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def invalidate(self) -> None:
        """Make every worker reopen its read-only handle before its next query."""
        self._generation += 1

    def close(self) -> None:
        """Stop every worker (a busy one too: its query gets WorkerDied)."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
        for worker in workers:
            worker.stop()

    # -- internals -----------------------------------------------------------------------
    def _send(self, message: bytes) -> _Worker:
        """Hand the framed message to a worker; one found dead (its pipe broken) is replaced
        and the next one tried (the query never reached it); at worst all were dead and the
        last try waits for a replacement."""
        for _ in range(self.size + 1):
            worker, sent = self._acquire(message)
            if sent:
                return worker
            try:
                write_frame(worker.fd, message)
                return worker
            except OSError:
                self._retire(worker)
        raise WorkerDied("The query workers keep stopping: see the server's log")

    def _acquire(self, message: bytes) -> tuple[_Worker, bool]:
        """An idle worker, or else (after a wait) one that a thread freeing it has already
        sent ``message`` to (True)."""
        if self.unavailable:
            raise WorkersUnavailable(f"No query worker could start: {self.unavailable}")
        if self._alive < self.size:
            self.start()
        with self._lock:
            if self._idle:
                return self._idle.pop(), False
            waiter = _Waiter(message)
            self._waiting.append(waiter)
        deadline = time.monotonic() + self.timeout
        while not waiter.ready.acquire(timeout=0.1):
            try:
                self._still_waiting(deadline)
            except KGError:
                with self._lock:
                    handed = waiter not in self._waiting
                    if not handed:
                        self._waiting.remove(waiter)
                if not handed:
                    raise
                waiter.ready.acquire()  # a worker was handed over meanwhile: take it
                break
        assert waiter.worker is not None
        return waiter.worker, True

    def _still_waiting(self, deadline: float) -> None:
        now = time.monotonic()
        starting = self._starting and now < deadline + self.STARTUP_LIMIT
        if now > deadline and not starting:
            raise all_busy(self.size, self.timeout)
        if self.unavailable:
            raise WorkersUnavailable(f"No query worker could start: {self.unavailable}")
        if self._alive < self.size:
            self.start()  # a start that failed earlier: try again

    def _release(self, worker: _Worker) -> None:
        """A worker that is free: the thread freeing it sends it the query that has waited
        longest, so the worker starts on it without waiting for that thread to wake up
        (two thread wake-ups in a row cost more than the light query's evaluation)."""
        with self._lock:
            if not self._waiting:
                self._idle.append(worker)
                return
            waiter = self._waiting.popleft()
        try:
            write_frame(worker.fd, waiter.message)
        except OSError:  # it died while idle: the waiter goes first for the next worker
            with self._lock:
                self._waiting.appendleft(waiter)
            self._retire(worker)
            return
        waiter.worker = worker
        waiter.ready.release()

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._alive -= 1
            self._workers.discard(worker)
        self.start()

    def _spawn(self) -> None:
        worker = None
        try:
            parent, child = self._context.Pipe()
            process = self._context.Process(
                target=_worker_main,
                args=(child, self.path, self.preload, self.slots),
                name="kg-query-worker",
                daemon=True,
            )
            process.start()
            child.close()
            worker = _Worker(process, parent)
            if not parent.poll(self.STARTUP_LIMIT) or parent.recv() != "ready":
                raise RuntimeError(f"no ready message within {self.STARTUP_LIMIT:g} s")
            set_read_limit(worker.fd, self.timeout)
        except Exception as exc:  # counted as not alive: the next call starts another
            log.error("A query worker failed to start: %s", exc)
            if worker is not None:
                worker.stop()
            with self._lock:
                self._alive -= 1
                self._starting -= 1
                if not self._started_once:
                    self.unavailable = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            self._starting -= 1
            self._started_once = True
            closed = self._closed
            if not closed:
                self._workers.add(worker)
        if closed:
            worker.stop()
        else:
            self._release(worker)


class _Waiter:
    """A query waiting for a worker; ``ready`` is released once ``worker`` has it."""

    __slots__ = ("message", "ready", "worker")

    def __init__(self, message: bytes) -> None:
        self.message = message
        self.ready = threading.Lock()
        self.ready.acquire()  # a lock as a one-shot signal: cheaper than an Event
        self.worker: _Worker | None = None


def mp_context(preload: tuple[str, ...]) -> Any:
    """forkserver where there is one (a replacement worker is a fork of a process that has
    already imported everything: tens of ms), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")


def _worker_main(conn: Any, path: str, preload: tuple[str, ...], slots: int = 1) -> None:
    """A query worker: answers (fn, args, generation) messages with ("ok", value) or
    ("error", exception) until the pipe closes, each evaluated in one of ``slots``."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which kills us
    for name in preload:
        importlib.import_module(name)
    live, generation = LiveStore(path), 0
    held = Slots(slots_folder(path), slots)
    try:
        live.get()  # open now, not in the first query's time
    except KGError:
        pass  # no store yet: each query reports it
    try:
        conn.send("ready")
    except OSError:
        return  # the server stopped while we started
    fd = conn.fileno()
    while True:
        try:
            fn, args, wanted = read_frame(fd)
        except (EOFError, OSError):
            return  # the server went away
        if wanted != generation:
            live.invalidate()
            generation = wanted
        try:
            write_frame(fd, answer(live, held, fn, args))
        except OSError:
            return


def answer(live: LiveStore, held: Slots, fn: Callable[..., Any], args: tuple) -> bytes:
    """A worker's framed reply to one query: ("ok", value) or ("error", exception)."""
    try:
        with held.one():
            reply: tuple[str, Any] = ("ok", fn(live.get(), *args))
    except BaseException as exc:
        reply = ("error", _detach(exc))
    try:
        return frame(reply)
    except Exception as exc:  # an answer or exception that does not pickle
        return frame(("error", QueryError(f"Query failed: {type(exc).__name__}: {exc}")))


# The hand-off between the server and a worker: one frame each way per query, a 4-byte
# length and a pickle, in one write and (for answers up to 64 KiB) one read, straight on the
# socket. multiprocessing.Connection does the same with a pickler built per message and two
# reads: the server's side of a light query's hand-off took 45 us of CPU with it, 27 with this.
# A worker has one query at a time, so one frame at most is in flight each way and a read
# never takes in bytes of the next frame.
_LENGTH = struct.Struct("!I")
_READ_SIZE = 1 << 16


def frame(message: Any) -> bytes:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


def write_frame(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def read_frame(fd: int) -> Any:
    """The message of the next frame on ``fd``; EOFError when the other end has closed."""
    data = os.read(fd, _READ_SIZE)
    while len(data) < _LENGTH.size:
        more = os.read(fd, _READ_SIZE)
        if not more:
            raise EOFError
        data += more
    end = _LENGTH.size + _LENGTH.unpack_from(data)[0]
    if len(data) < end:
        parts, have = [data], len(data)
        while have < end:
            more = os.read(fd, min(end - have, 1 << 22))
            if not more:
                raise EOFError
            parts.append(more)
            have += len(more)
        data = b"".join(parts)
    return pickle.loads(memoryview(data)[_LENGTH.size : end])


def close_with(owner: object, pool: WorkerPool) -> None:
    """Stop the pool's workers when ``owner`` (the app) is garbage collected."""
    weakref.finalize(owner, pool.close)
