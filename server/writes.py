"""Writes through the server: a SPARQL Update or a Graph Store request, in a read-write handle
opened for that write only (with an update token). It fails with StoreError (503) while
`kg build` holds the store's lock.
"""

from __future__ import annotations

import os
import threading

from kg.errors import QueryError, StoreError
from kg.store import Store
from kg.vocab import PREFIXES

_write_lock = threading.Lock()


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
