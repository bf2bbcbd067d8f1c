"""Evaluation slots: at most N query evaluations at once on the machine, across processes."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


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

    key = hashlib.sha1(os.fspath(Path(store_path).resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kg-query-slots-{os.getuid()}-{key}"
