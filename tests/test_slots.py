"""`server.slots.Slots`: at most N query evaluations at once across processes, and a slot held by
a process that is killed (a runaway at the time limit) is free again at once."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

from server.slots import Slots

FORK = multiprocessing.get_context("fork")


def hold(folder: str, count: int, seconds: float, spans) -> None:  # type: ignore[no-untyped-def]
    with Slots(Path(folder), count).one():
        started = time.monotonic()
        time.sleep(seconds)
        spans.put((started, time.monotonic()))


def hold_forever(folder: str, holding) -> None:  # type: ignore[no-untyped-def]
    with Slots(Path(folder), 1).one():
        holding.set()
        time.sleep(600)


def most_at_once(spans: list[tuple[float, float]]) -> int:
    moments = sorted([(a, 1) for a, _ in spans] + [(b, -1) for _, b in spans])
    now = most = 0
    for _, step in moments:
        now += step
        most = max(most, now)
    return most


def test_no_more_evaluations_at_once_than_slots(tmp_path: Path) -> None:
    spans = FORK.Queue()
    workers = [
        FORK.Process(target=hold, args=(str(tmp_path), 2, 0.3, spans)) for _ in range(5)
    ]
    for worker in workers:
        worker.start()
    done = [spans.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(10)
    assert most_at_once(done) == 2  # both slots used, never a third evaluation beside them


def test_a_killed_holder_frees_its_slot(tmp_path: Path) -> None:
    holding = FORK.Event()
    runaway = FORK.Process(target=hold_forever, args=(str(tmp_path), holding))
    runaway.start()
    assert holding.wait(30)
    slots = Slots(tmp_path, 1)
    assert slots.fds and not _free(slots)
    os.kill(runaway.pid, signal.SIGKILL)  # type: ignore[arg-type]
    runaway.join(10)
    started = time.monotonic()
    with slots.one():
        assert time.monotonic() - started < 1.0


def _free(slots: Slots) -> bool:
    import fcntl

    try:
        fcntl.flock(slots.fds[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(slots.fds[0], fcntl.LOCK_UN)
    return True


def test_a_runaway_always_leaves_a_slot(tmp_path: Path) -> None:
    """Two slots at least, even on one core: one runaway must not hold up every query."""
    from server.workers import WorkerPool

    assert WorkerPool(tmp_path, slots=None).slots == max(2, os.cpu_count() or 1)
    assert WorkerPool(tmp_path, slots=1).slots == 1  # an operator's choice stands
