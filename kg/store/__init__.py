"""The store: the articles' graphs, the entities and the derived data, on disk or on a server.

`GraphStore` (`kg.store.protocol`) is every call the rest of kg makes on a store, with the
capability attributes callers read instead of asking which backend they hold. `open_store`
gives the embedded pyoxigraph store for a folder (`kg.store.embedded`) or a store on any
SPARQL 1.1 server for ``sparql+http(s)://...`` (`kg.store.remote`). The SPARQL text they are
written with lives in `kg.store.sparql`; backup, restore, export and validation of a store sit
beside them.
"""

from __future__ import annotations

import os

from kg.store.embedded import Store, default_store_path, write_durably
from kg.store.protocol import GraphName, GraphStore
from kg.store.queries import Sparql, load, values
from kg.store.remote import RemoteStore
from kg.store.sparql import Term, VersionMark, delete_data, insert_data, triple_lines, with_values

__all__ = [
    "GraphName",
    "GraphStore",
    "RemoteStore",
    "Sparql",
    "Store",
    "Term",
    "VersionMark",
    "default_store_path",
    "delete_data",
    "insert_data",
    "load",
    "open_store",
    "triple_lines",
    "values",
    "with_values",
    "write_durably",
]


def open_store(location: str | os.PathLike[str], read_only: bool = False) -> GraphStore:
    """The embedded Store for a folder, or a RemoteStore for
    ``sparql+http(s)://HOST:PORT/PATH``."""
    if str(location).startswith(("sparql+http://", "sparql+https://")):
        return RemoteStore(str(location), read_only=read_only)
    return Store(location, read_only=read_only)
