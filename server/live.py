"""The read-only view of the store that each server process and query worker keeps.

The server holds a *read-only* pyoxigraph handle so `kg build` can keep the read-write handle in
another process. A read-only handle sees the store as it was when opened, so `LiveStore` reopens
it when the store's files change (a few stats per request; a reopen costs about 10 ms and
happens only after a write).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.store import Store

_IGNORED = ("LOG", "LOCK")  # RocksDB's info log and lock file change without new data


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
            flags.MODIFY
            | flags.CREATE
            | flags.DELETE
            | flags.MOVED_FROM
            | flags.MOVED_TO
            | flags.CLOSE_WRITE
            | flags.ATTRIB
            | flags.DELETE_SELF
            | flags.MOVE_SELF,
        )
    except OSError:  # no inotify, or its watch limit reached
        if watcher is not None:
            watcher.close()
        return None
    return watcher
