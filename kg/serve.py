"""Serving the store: a read-only view that follows the builder, updates, and the WSGI server.

The server holds a *read-only* pyoxigraph handle so `kg build` can keep the read-write handle in
another process. A read-only handle sees the store as it was when opened, so `LiveStore` reopens
it when the store's files change (a stat of each file, about 0.1 ms; a reopen costs about 10 ms
and happens only after a write). Updates (only with an update token) open a read-write handle
for the time of one update; they fail with StoreError (503) while `kg build` holds the lock.
"""

from __future__ import annotations

import os
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import KGError, QueryError, StoreError
from kg.store import Store
from kg.vocab import PREFIXES

T = TypeVar("T")
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


class LiveStore:
    """A read-only Store on ``path`` that is reopened when another process has written to it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int], ...] | None = None
        self._store: Store | None = None

    def get(self) -> Store:
        """The current read-only handle; requests in flight keep the handle they started with."""
        signature = store_signature(self.path)
        if signature != self._signature:
            with self._lock:
                if signature != self._signature:
                    self._reopen(signature)
        return self._current()

    def _reopen(self, signature: tuple[tuple[str, int, int], ...]) -> None:
        try:
            self._store = Store(self.path, read_only=True)
        except StoreError:
            if self._store is None:
                raise
            return  # caught the writer mid-flush: keep the old view, retry on the next request
        self._signature = signature

    def _current(self) -> Store:
        if self._store is None:
            raise StoreError(f"No store at {self.path}: run `kg build` first or pass --store DIR")
        return self._store

    def invalidate(self) -> None:
        with self._lock:
            self._signature = None


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


def apply_update(path: str | os.PathLike[str], update: str) -> None:
    """Run a SPARQL Update in a read-write handle opened for this update only."""
    with _write_lock:
        try:
            store = Store(path)
        except StoreError as exc:
            raise StoreError(
                "The store is being written by another process (kg build?): "
                f"try again later ({exc.message})"
            ) from exc
        try:
            store.oxigraph.update(update, prefixes=PREFIXES)
            store.flush()
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL update: {exc}") from exc
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
) -> None:
    """Serve the endpoint with waitress until interrupted."""
    import waitress

    from server import create_app

    if not Path(store_path).is_dir():
        raise StoreError(f"No store at {store_path}: run `kg build` first or pass --store DIR")

    app = create_app(
        {
            "KG_STORE": str(store_path),
            "QUERY_TIMEOUT": timeout,
            "QUERY_THREADS": threads,
            "UPDATE_TOKEN": update_token,
        }
    )
    print(f"Serving {store_path} on http://{host}:{port}/ (SPARQL at /sparql)", flush=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="conflict-kg")
