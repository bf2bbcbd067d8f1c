"""Writes through the server: a SPARQL Update or a Graph Store request, in a read-write handle
opened for that write only (with an update token), followed by the refresh of the data derived
from the articles it wrote (`kg.derived.writes`), so who-controlled, the totals and the
listings answer from it at once. It fails with StoreError (503) while `kg build` holds the
store's lock.
"""

from __future__ import annotations

import os
import threading

from kg.derived.writes import after_write, before_write
from kg.errors import StoreError
from kg.store import Store
from kg.store.updates import Written, written_graphs

_write_lock = threading.Lock()


def apply_update(
    path: str | os.PathLike[str],
    update: str,
    base_iri: str | None = None,
    wait: float = 5.0,
    written: Written | None = None,
) -> None:
    """Run a SPARQL Update in a read-write handle opened for this update only; relative IRIs
    in it are resolved against ``base_iri`` (the endpoint's URL). Another server process (or
    a short update elsewhere) may hold the store's lock for a moment: the open is retried for
    up to ``wait`` seconds before the client is told to try again. An operation the update
    itself makes fail (CREATE GRAPH of a graph that exists, DROP GRAPH of one that does not,
    both without SILENT) fails the whole update, which changes nothing: a 400 saying why.
    Then the derived data of the graphs it wrote (``written``, else read from its text) is
    refreshed, in the same handle, before the lock is let go."""
    written = written if written is not None else written_graphs(update, base_iri)
    with _write_lock:
        store = open_for_writing(path, wait)
        try:
            touched = before_write(store, written)
            store.update(update, base_iri)
            after_write(store, touched, written)
            store.flush()
        finally:
            del store  # releases the RocksDB lock now, not at the next garbage collection


def open_for_writing(path: str | os.PathLike[str], wait: float) -> Store:
    """The store read-write, or a StoreError (503) saying who holds it."""
    try:
        return Store(path, wait=wait)
    except StoreError as exc:
        raise StoreError(
            f"The store is being written by another process (kg build?): try again later "
            f"({exc.message})"
        ) from exc

