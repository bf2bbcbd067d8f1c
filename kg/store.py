"""The store: named graphs in pyoxigraph on disk, one graph per article.

The default graph seen by queries is the union of all graphs (the contract), and an article's
graph is replaced in one SPARQL update, which Oxigraph runs as one transaction: a reader sees
the old article or the new one, never half of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreError
from kg.vocab import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def default_store_path() -> Path:
    return Path(os.environ.get("KG_STORE") or Path(".kg") / "store")


def _open_read_only(path: Path, attempts: int = 5) -> ox.Store:
    """A read-only open lists the files in the MANIFEST, then opens them; a writer compacting
    meanwhile deletes some ("Corruption: IO error: No such file"). Opening again succeeds."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


class Store:
    """A pyoxigraph store on disk (or in memory when ``path`` is None)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._ox = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreError(f"No store at {self.path}: run `kg build` first or pass --store DIR")
                self._ox = _open_read_only(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(str(self.path))
        except (OSError, RuntimeError) as exc:  # RocksDB reports a vanished file as RuntimeError
            raise StoreError(f"Cannot open the store at {self.path}: {exc}") from exc
        self.read_only = read_only

    @property
    def oxigraph(self) -> ox.Store:
        return self._ox

    # -- writing -------------------------------------------------------------------------
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad], shared: Iterable[ox.Quad] = ()) -> int:
        """Replace the whole named graph ``graph`` with ``quads`` (whatever graph they name)
        and add ``shared`` quads to the graphs they name, in one transaction; returns the
        number of quads written."""
        g = ox.NamedNode(graph)
        blocks: dict[str, list[str]] = {str(g): [f"{q.subject} {q.predicate} {q.object} ." for q in quads]}
        for q in shared:  # shared quads keep the graph they name
            blocks.setdefault(str(q.graph_name), []).append(f"{q.subject} {q.predicate} {q.object} .")
        body = "\n".join(f"GRAPH {name} {{\n" + "\n".join(lines) + "\n}" for name, lines in blocks.items())
        try:
            self._ox.update(f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{\n{body}\n}}")
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"Could not write graph {graph}: {exc}") from exc
        return sum(len(lines) for lines in blocks.values())

    def drop_graph(self, graph: str) -> None:
        self._ox.update(f"DROP SILENT GRAPH <{graph}>")

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._ox.flush()

    # -- reading -------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Any:
        """Run a SPARQL query. ``bindings`` are substituted as RDF terms, never as text."""
        subs = {ox.Variable(k): v for k, v in (bindings or {}).items()}
        kwargs: dict[str, Any] = {"prefixes": PREFIXES, "substitutions": subs}
        if default_graph is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            return self._ox.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"Malformed SPARQL query: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise QueryError(f"Query failed: {exc}") from exc

    def select(self, sparql: str, bindings: Mapping[str, Term] | None = None) -> list[dict[str, Term]]:
        """A SELECT query as a list of {variable: term} rows (unbound variables omitted)."""
        result = self.query(sparql, bindings)
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            rows.append({n: solution[n] for n in names if solution[n] is not None})
        return rows

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self) -> Iterator[ox.Quad]:
        return iter(self._ox.quads_for_pattern(None, None, None, None))

    def __len__(self) -> int:
        return len(self._ox)

    def dump(self, output: Any, format: ox.RdfFormat) -> None:
        self._ox.dump(output, format=format)
