"""`server.live.LiveStore`, the read-only view each server process and query worker keeps: it
follows writes made by other processes at once, and when nothing was written it answers
without looking at the store's files (inotify on Linux)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import server.live
from kg.store import Store
from server.live import LiveStore

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
WRITE = """
import sys
from kg.store import Store
store = Store(sys.argv[1])
store.oxigraph.update(
    "INSERT DATA { GRAPH <urn:x-test:g> { <urn:x-test:s> <urn:x-test:p> %s } }" % sys.argv[2]
)
store.flush()
"""


def write(path: Path, value: int) -> None:
    """One triple added by another process, which has ended when this returns."""
    subprocess.run([sys.executable, "-c", WRITE, str(path), str(value)], check=True, timeout=60)


def count(live: LiveStore) -> int:
    return int(next(iter(live.get().query(COUNT)))["n"].value)


@pytest.fixture()
def stats(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times a LiveStore looked at the store's files."""
    calls: list[int] = []
    real = server.live.quick_signature

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(server.live, "quick_signature", counted)
    return calls


def empty_store(path: Path) -> Path:
    Store(path).flush()
    return path


def test_each_write_is_seen_by_the_next_request(tmp_path: Path) -> None:
    path = empty_store(tmp_path / "store")
    live = LiveStore(path)
    assert count(live) == 0
    for n in range(1, 4):
        write(path, n)
        assert count(live) == n  # no sleep: the write ended before this request began


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")
def test_without_writes_no_file_is_looked_at(tmp_path: Path, stats: list[int]) -> None:
    path = empty_store(tmp_path / "store")
    live = LiveStore(path)
    count(live)
    looked = len(stats)
    for _ in range(50):
        count(live)
    assert len(stats) == looked
    write(path, 1)
    assert count(live) == 1 and len(stats) > looked


def test_a_store_replaced_by_a_new_folder_is_followed(tmp_path: Path) -> None:
    path = empty_store(tmp_path / "store")
    live = LiveStore(path)
    write(path, 1)
    assert count(live) == 1
    shutil.rmtree(path)
    empty_store(path)
    write(path, 1)
    write(path, 2)
    assert count(live) == 2
    for n in (3, 4):  # and the new folder is watched in turn
        write(path, n)
        assert count(live) == n


def test_a_reopen_that_failed_is_retried_without_another_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reopen that catches the writer mid-flush keeps the old view; the next request must
    try again even if nothing more is written (the watch has nothing new to say)."""
    path = empty_store(tmp_path / "store")
    live = LiveStore(path)
    assert count(live) == 0
    real, failures = server.live.Store, [1]

    def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        if failures:
            failures.pop()
            raise server.live.StoreError("caught the writer mid-flush")
        return real(*args, **kwargs)

    monkeypatch.setattr(server.live, "Store", flaky)
    write(path, 1)
    assert count(live) == 0  # the old view, as the reopen failed
    assert count(live) == 1  # retried: no further write needed
