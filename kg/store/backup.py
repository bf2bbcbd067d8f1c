"""Backup and restore of a store, safe while `kg serve` reads it and `kg build` writes it.

A backup copies what one read-only handle sees: a consistent snapshot of every transaction
committed when it was opened, whether or not the writer has flushed it. It never takes the
store's lock, so a running build is not disturbed. pyoxigraph's own ``Store.backup`` is not
used on that handle: from a read-only handle it copies only the flushed files and silently
drops transactions still in the write-ahead log (measured with pyoxigraph 0.5; see
RELIABILITY.md). The copy is written to a temporary folder beside DEST, checked, then renamed,
so an interrupted backup leaves no half-written DEST.

A restore replaces the store's whole content with a backup's in one SPARQL update, which
Oxigraph runs as one transaction: a reader sees the old data or the restored data, never a mix,
and a restore killed half way leaves the old data. It needs the store's lock, so it waits for
no one: while `kg build` runs it fails with a message saying to retry after the build.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, StoreError
from kg.store.embedded import Store
from kg.store.queries import load
from kg.store.sparql import insert_data


@dataclass
class CopyReport:
    source: Path
    target: Path
    quads: int
    graphs: int
    seconds: float

    def summary(self, verb: str) -> str:
        return (
            f"{verb} {self.quads} quads in {self.graphs} named graphs "
            f"from {self.source} to {self.target}, {self.seconds:.1f} s"
        )


def snapshot(path: Path, attempts: int = 20) -> Store:
    """A read-only handle; retried briefly because opening can fail while a writer flushes."""
    if not path.is_dir():
        raise StoreError(f"No store at {path}: run `kg build` first or pass --store DIR")
    for attempt in range(attempts):
        try:
            return Store(path, read_only=True)
        except StoreError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")


def backup(store_path: Path, dest: Path) -> CopyReport:
    """Copy the store at ``store_path`` into a new store at ``dest`` (which must not exist)."""
    started = time.perf_counter()
    if dest.exists() and any(dest.iterdir()):
        raise InputError(f"{dest} exists and is not empty: choose a new folder for the backup")
    if not dest.parent.is_dir():
        raise InputError(f"{dest}: there is no folder {dest.parent}; create it or choose another")
    source = snapshot(store_path)
    partial = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        quads, graphs = _copy(source, partial)
        _check(partial, quads)
        if dest.exists():
            dest.rmdir()
        partial.rename(dest)
    except OSError as exc:
        raise InputError(f"{dest}: cannot be written ({exc}); choose another folder") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return CopyReport(store_path, dest, quads, graphs, time.perf_counter() - started)


def _copy(source: Store, target_path: Path) -> tuple[int, int]:
    graphs = source.named_graphs()
    quads = list(source.quads())  # the snapshot, taken once
    target = ox.Store(str(target_path))
    target.bulk_extend(quads)
    for g in graphs:  # empty named graphs too
        target.add_graph(ox.NamedNode(g))
    target.flush()
    del target  # release the lock before the folder is renamed
    return len(quads), len(graphs)


def _check(path: Path, quads: int) -> None:
    copied = len(ox.Store.read_only(str(path)))
    if copied != quads:
        raise StoreError(f"The copy at {path} holds {copied} quads, not {quads}: try again")


def restore(
    source_path: Path, store_path: Path, then: Callable[[Store], None] | None = None
) -> CopyReport:
    """Replace the content of the store at ``store_path`` with the backup at ``source_path``;
    then run ``then`` on the store, before its lock is let go (`kg restore` recomputes the
    derived data there: a backup taken while a build ran may hold articles whose derived data
    that build had not refreshed yet)."""
    started = time.perf_counter()
    if source_path.resolve() == store_path.resolve():
        raise InputError(f"{source_path} is the store itself: pass a backup folder")
    source = snapshot(source_path)
    quads, graphs = list(source.quads()), source.named_graphs()
    try:
        target = Store(store_path, wait=0)  # a build under way: refuse, never replace its work
    except StoreError as exc:
        raise StoreError(
            f"Cannot restore into {store_path} while another process writes it "
            f"(kg build?): retry when it ends ({exc.message})"
        ) from exc
    target.update(replace_all(quads, graphs))
    if then is not None:
        then(target)
    target.flush()
    return CopyReport(
        source_path, store_path, len(quads), len(graphs), time.perf_counter() - started
    )


DROP_ALL, CREATE_GRAPH = load("kg.store", "drop_all"), load("kg.store", "create_graph")


def replace_all(quads: Iterable[ox.Quad], graphs: Iterable[str]) -> str:
    """One SPARQL update that empties the store and inserts ``quads`` (one transaction)."""
    creates = "".join(f" ;\n{CREATE_GRAPH(graph=g)}" for g in graphs)
    return f"{DROP_ALL()} ;\n{insert_data(quads)}{creates}"
