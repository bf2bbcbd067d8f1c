"""Serving the store: a read-only view that follows the builder, updates, and the WSGI server.

The server holds a *read-only* pyoxigraph handle so `kg build` can keep the read-write handle in
another process. A read-only handle sees the store as it was when opened, so `LiveStore` reopens
it when the store's files change (a few stats per request; a reopen costs about 10 ms and
happens only after a write). Updates (only with an update token) open a read-write handle
for the time of one update; they fail with StoreError (503) while `kg build` holds the lock.

pyoxigraph cannot cancel a query, so user queries (`/sparql`, stored queries) run in
`WorkerPool`: a few worker processes, each with its own read-only `LiveStore`. A query that
passes the time limit is stopped by killing its worker (SIGKILL: a reader holds no lock and
writes nothing), and a fresh worker takes its place. The server's fixed queries (who-controlled,
claims, resource pages) stay in `QueryRunner` threads: their cost is bounded by their shape.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import json
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import InputError, KGError, QueryError, StoreError
from kg.store import Store
from kg.vocab import PREFIXES

T = TypeVar("T")
log = logging.getLogger(__name__)
_IGNORED = ("LOG", "LOCK")  # RocksDB's info log and lock file change without new data
_write_lock = threading.Lock()


def store_signature(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the files holding the data."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return ()
    sig = []
    for entry in entries:
        if entry.name.startswith(_IGNORED):
            continue
        try:
            st = entry.stat()
        except OSError:  # removed by a compaction while we looked
            continue
        sig.append((entry.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(sig))


def quick_signature(path: Path, tracked: tuple[str, ...]) -> tuple[Any, ...]:
    """What changes when the store is written, in a few stats: the folder's modification time
    (a flush, compaction or bulk load adds or removes files) and the size and time of the files
    written in place (the write-ahead log, the manifest). Plain strings and os.stat: pathlib
    would cost more than the stats."""
    folder = os.fspath(path)
    parts: list[Any] = []
    for name in ("", *tracked):
        try:
            st = os.stat(folder + "/" + name if name else folder)
        except OSError:
            parts.append(None)
        else:
            parts.append((st.st_size, st.st_mtime_ns))
    return tuple(parts)


def _written_in_place(signature: tuple[tuple[str, int, int], ...]) -> tuple[str, ...]:
    in_place = ("MANIFEST", "CURRENT")
    return tuple(n for n, _, _ in signature if n.endswith(".log") or n.startswith(in_place))


class LiveStore:
    """A read-only Store on ``path`` that is reopened when another process has written to it.

    On Linux the folder is watched with inotify: a request asks the kernel whether anything in
    it was written since the last request (one ioctl; the event is queued before the writer's
    own write returns, so a request that follows a finished write sees it). Only then, or on
    every request where inotify is missing, a few stats are checked (`quick_signature`), then
    every file listed and compared (`store_signature`), and the store reopened if the data
    changed."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._quick: tuple[Any, ...] | None = None
        self._tracked: tuple[str, ...] = ()
        self._store: Store | None = None
        self._watcher: Any = None  # an inotify_simple.INotify on the folder, once it exists
        self._retry = False  # the last reopen failed: look at the files again

    def get(self) -> Store:
        """The current read-only handle; requests in flight keep the handle they started with."""
        with self._lock:
            # the kernel's word suffices unless the last reopen caught the writer mid-flush
            if self._watcher is not None and self._store is not None and not self._retry:
                events = self._watcher.read(timeout=0)
                if not events:
                    return self._store
                if any(event.mask & _WATCH_ENDED for event in events):
                    self._unwatch()  # the folder went: stats until it is back and reopened
                self._quick = None  # something was written: check the stats below
            # the stats are taken before the scan, so a write during the scan is seen next time
            quick = quick_signature(self.path, self._tracked)
            if quick != self._quick:
                self._refresh(quick)
            store = self._current()
            if self._watcher is None:
                self._watcher = _watch(self.path)
            return store

    def _refresh(self, quick: tuple[Any, ...]) -> None:
        signature = store_signature(self.path)
        self._retry = signature != self._signature and not self._reopen(signature)
        if self._retry:
            self._quick = None  # caught the writer mid-flush: keep the old view, retry next time
            return
        tracked = _written_in_place(signature)
        self._quick = quick if tracked == self._tracked else None  # new files: stat them next time
        self._tracked = tracked

    def _reopen(self, signature: tuple[tuple[str, int, int], ...]) -> bool:
        try:
            self._store = Store(self.path, read_only=True)
        except StoreError:
            if self._store is None:
                raise
            return False
        self._signature = signature
        return True

    def _current(self) -> Store:
        if self._store is None:
            raise StoreError(f"No store at {self.path}: run `kg build` first or pass --store DIR")
        return self._store

    def invalidate(self) -> None:
        with self._lock:
            self._signature = None
            self._quick = None
            self._unwatch()

    def _unwatch(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None


_WATCH_ENDED = 0x400 | 0x800 | 0x8000  # IN_DELETE_SELF, IN_MOVE_SELF, IN_IGNORED


def _watch(path: Path) -> Any:
    """An inotify watch on the store's folder (None without inotify: stats on each request).
    A folder removed or replaced ends the watch; the stats then show the change, and the
    store reopened on the new folder gets a new watch (`LiveStore.invalidate` too)."""
    try:
        from inotify_simple import INotify, flags
    except ImportError:  # not Linux
        return None
    watcher = None
    try:
        watcher = INotify(nonblocking=True)
        watcher.add_watch(
            os.fspath(path),
            flags.MODIFY | flags.CREATE | flags.DELETE | flags.MOVED_FROM | flags.MOVED_TO
            | flags.CLOSE_WRITE | flags.ATTRIB | flags.DELETE_SELF | flags.MOVE_SELF,
        )
    except OSError:  # no inotify, or its watch limit reached
        if watcher is not None:
            watcher.close()
        return None
    return watcher


class QueryTimeout(QueryError):
    """A query ran past the server's time limit (it may still finish in the background)."""

    status = 503


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


class WorkerDied(QueryError):
    """A worker process ended in the middle of a query (killed from outside, out of memory)."""

    status = 503


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


class WorkersUnavailable(StoreError):
    """Worker processes cannot be started here (no fork server, no process limit left)."""


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
        self.preload = ("pyoxigraph", "kg.store", "kg.serve", *preload)
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
        self._context = _mp_context(self.preload)

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


def _mp_context(preload: tuple[str, ...]) -> Any:
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


class Slots:
    """At most ``count`` query evaluations at once on this machine, whichever server process
    and worker runs them. Two server processes with two query workers each would otherwise
    evaluate four join-heavy queries at once on two cores, each with its own caches: 285-297
    ms of CPU per query against 190-206 with two evaluating (bench/throughput.py, heavy).

    A slot is an exclusive `flock` on one of ``count`` files, taken without blocking and
    retried every millisecond while all are held, so a query never waits behind one slot's
    runaway while another slot frees. The kernel releases the lock of a process that dies,
    so a runaway killed at the time limit frees its slot. The wait counts toward the query's
    time limit. Each process opens the files itself: locks held through an inherited
    descriptor would be shared with the parent."""

    WAIT = 0.001

    def __init__(self, folder: Path, count: int) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        self.fds = [os.open(folder / f"slot-{i}", flags, 0o600) for i in range(max(1, count))]

    @contextlib.contextmanager
    def one(self) -> Iterator[None]:
        fd = self._take()
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _take(self) -> int:
        while True:
            for fd in self.fds:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                return fd
            time.sleep(self.WAIT)


def slots_folder(store_path: str | os.PathLike[str]) -> Path:
    """Where the slot files of a store live: one folder per user and store, so the servers
    and workers on one store share the machine's cores."""
    import hashlib
    import tempfile

    key = hashlib.sha1(os.fspath(Path(store_path).resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kg-query-slots-{os.getuid()}-{key}"


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


def apply_update(
    path: str | os.PathLike[str], update: str, base_iri: str | None = None, wait: float = 5.0
) -> None:
    """Run a SPARQL Update in a read-write handle opened for this update only; relative IRIs
    in it are resolved against ``base_iri`` (the endpoint's URL). Another server process (or
    a short update elsewhere) may hold the store's lock for a moment: the open is retried for
    up to ``wait`` seconds before the client is told to try again. An operation the update
    itself makes fail (CREATE GRAPH of a graph that exists, DROP GRAPH of one that does not,
    both without SILENT) fails the whole update, which changes nothing: a 400 saying why."""
    with _write_lock:
        try:
            store = Store(path, wait=wait)
        except StoreError as exc:
            raise StoreError(
                f"The store is being written by another process (kg build?): try again later "
                f"({exc.message})"
            ) from exc
        try:
            store.oxigraph.update(update, base_iri=base_iri, prefixes=PREFIXES)
            store.flush()
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL update: {exc}") from exc
        except (RuntimeError, ValueError) as exc:  # pyoxigraph's evaluation errors
            raise QueryError(f"The update failed: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"The update could not be written: {exc}") from exc
        finally:
            del store  # releases the RocksDB lock now, not at the next garbage collection


def serve(
    store_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    timeout: float = 10.0,
    threads: int = 8,
    update_token: str | None = None,
    workers: int | None = None,
    http_workers: int | None = None,
) -> None:
    """Serve the endpoint with granian (a production HTTP server written in Rust: HTTP parsing
    and keep-alive handling never take the GIL) until interrupted. ``threads`` requests are
    handled at once by each of ``http_workers`` server processes (default `default_http_workers`).
    User queries are evaluated by ``workers`` query processes that all server processes share
    (`kg.shared_pool`; default `$KG_QUERY_WORKERS`, else one per core and two at least; 0
    evaluates them in threads). Lookups are evaluated in the server processes themselves
    (`server.bounded`), so two of them answer light queries about 1.5 times as fast as one,
    each under its own interpreter lock (bench/throughput.py --serve-args '--http-workers 1')."""
    if not Path(store_path).is_dir():
        raise StoreError(f"No store at {store_path}: run `kg build` first or pass --store DIR")
    _check_port(host, port)
    from kg.shared_pool import PoolHost

    if workers is None:
        workers = int(os.environ.get("KG_QUERY_WORKERS") or one_per_core())
    config: dict[str, Any] = {
        "KG_STORE": str(Path(store_path).resolve()),
        "QUERY_TIMEOUT": timeout,
        "QUERY_THREADS": threads,
        "UPDATE_TOKEN": update_token,
        "QUERY_WORKERS": workers,
        "OWN_PROCESS_GROUP": True,  # server.wsgi: Ctrl-C reaches this process only
    }
    pool = None
    if workers > 0:
        from server.db import WORKER_PRELOAD

        slots = int(os.environ.get("KG_QUERY_SLOTS") or 0) or None
        pool = PoolHost(config["KG_STORE"], workers, WORKER_PRELOAD, slots)
        config["QUERY_POOL"] = pool.start()
    os.environ[CONFIG_VARIABLE] = json.dumps(config)  # read by the server processes' factory
    print(f"Serving {store_path} on http://{host}:{port}/ (SPARQL at /sparql)", flush=True)
    if note := _in_fresh_process(stale_totals_note, str(store_path)):
        print(note, file=sys.stderr, flush=True)
    try:
        _granian(config, host, port, threads, http_workers)
    finally:
        if pool is not None:
            pool.close()


def _in_fresh_process(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a spawned process. The server processes are forks of this one, and a
    RocksDB store ever opened here leaves its background threads' state behind in them: a fork's
    ``Store.flush()`` then waits forever and keeps the write lock. So this process never opens
    the store itself."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
        return one.submit(fn, *args).result()


def stale_totals_note(store_path: str | os.PathLike[str]) -> str | None:
    """A line for a store built before the totals of the whole-store aggregates or the pages of
    the listings were kept, or None: the stored queries read them."""
    from kg import paging, totals
    from kg.build import has_articles
    from kg.store import Store

    store = Store(store_path, read_only=True)
    missing = [
        what
        for what, current in (
            ("totals (agency_cites_monitor, casualties_by_perpetrator)", totals.is_current),
            (
                "pages (claims, contested_claims, claims_by_type, event_sources, /api/claims)",
                paging.is_current,
            ),
            (
                "term pages (claims_about_actor, claims_of_actor, claims_at_place, "
                "contested_at_place, /api/claims by place or actor)",
                paging.TERMS.is_current,
            ),
        )
        if not current(store)
    ]
    if not missing or not has_articles(store):
        return None  # current, or nothing built yet
    return (
        f"Note: the store at {store_path} has no {' and no '.join(missing)} of this version, "
        "so those stored queries answer nothing: run `kg build` once (it computes them "
        "without extracting anything again)"
    )


def _granian(
    config: dict[str, Any], host: str, port: int, threads: int, http_workers: int | None
) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    Granian(
        "server.wsgi:app_from_environment",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        factory=True,
        workers=max(1, http_workers or default_http_workers()),
        blocking_threads=max(1, threads),
        # granian's default: connections a process holds open (backlog / workers), each one
        # counted, idle or not; `threads` bounds the requests whose Python runs at once
        websockets=False,
        respawn_failed_workers=True,
        log_level=LogLevels.error,  # its warning about threads over 2 x cores: ours wait
    ).serve()


CONFIG_VARIABLE = "KG_SERVE_CONFIG"


def default_http_workers() -> int:
    """Two server processes on two cores or more: a lookup's Python runs under one interpreter
    lock per process, and a third process on two cores only adds query workers."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def _check_port(host: str, port: int) -> None:
    """Say which port is taken in one line, before the server's processes start."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"Cannot listen on {host}:{port} ({exc.strerror}): pass another --port "
                "or stop the program using it"
            ) from None
