"""The stored queries as forms: names typed in the fields resolved to the store's IRIs, and
the answer as a table of words (labels for IRIs, plain numbers and days)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.ask.entities import resolve_entity
from kg.ask.listings import Table
from kg.ask.stored_queries import StoredQuery, run_stored
from kg.errors import InputError
from kg.store import GraphStore, Store, load
from kg.vocab import BASE, ONTOLOGY
from server.views import INTERNAL_PATHS, local_path, search_index

KINDS = {"place": "Place", "actor": "Actor", "agency": "Actor", "source": "Actor"}
# sentences of a description that speak of the build's caches rather than of the answer
_INTERNAL_WORDS = re.compile(r"kg/|\.py|\bpages?\b|totals|Oxigraph|planned|VALUES", re.I)
_PAGE_CLAUSE = re.compile(r",?\s*(in|from) one page of[^;]*?(\([^)]*\))?[^.;(]*[.;]")
LABELS = load("server", "forms_labels")


def plain_description(text: str) -> str:
    """The description without the sentences about how the answer is computed."""
    text = _PAGE_CLAUSE.sub(".", " ".join(text.split()))
    sentences = re.split(r"(?<=[.;:])\s+", text)
    kept = [s for s in sentences if not _INTERNAL_WORDS.search(s)]
    return " ".join(kept).rstrip(";:").replace("..", ".")


def field_kind(name: str, type_: str) -> str:
    """How a form field is filled: entity (searched), article, date, number or text."""
    if type_ == "IRI" and name in KINDS or name == "term":
        return "entity"
    if name == "article":
        return "article"
    if type_ == "xsd:date":
        return "date"
    if type_ == "xsd:integer":
        return "number"
    return "text"


def resolve(store: GraphStore, query: StoredQuery, given: dict[str, str]) -> dict[str, str]:
    """The form's values as the stored query takes them: names of places and actors as
    their IRIs, article titles as their stems."""
    values: dict[str, str] = {}
    for param in query.params:
        value = given.get(param.name, "").strip()
        if not value:
            continue
        kind = field_kind(param.name, param.type)
        if kind == "entity":
            values[param.name] = resolve_any(store, value, KINDS.get(param.name))
        elif kind == "article" and not re.fullmatch(r"[\w.-]+", value):
            values[param.name] = article_stem(store, value)
        else:
            values[param.name] = value
    return values


def resolve_any(store: GraphStore, name: str, kind: str | None) -> str:
    """An entity's IRI from a name, alias, Wikidata id or IRI (`kg.ask.entities.resolve_entity`),
    or the best match of the search."""
    for k in [kind] if kind else ["Place", "Actor"]:
        try:
            return resolve_entity(store, name, kind=k).value
        except Exception:  # noqa: BLE001 - not found as this kind: the search below
            continue
    for hit in search_index(store).search(name, 5):
        if hit["kind"] != "article" and hit["path"]:
            return BASE + hit["path"]
    raise InputError(f"Nothing in the store is called {name!r}")


def article_stem(store: GraphStore, title: str) -> str:
    for hit in search_index(store).search(title, 5):
        if hit["kind"] == "article" and hit["path"]:
            return hit["path"].removeprefix("article/")
    raise InputError(f"No article titled {title!r}")


def run_form(
    store: Store, query: StoredQuery, given: dict[str, str], folder: Path | None
) -> dict[str, Any]:
    """The answer as a table: columns (internal ones left out) and rows of cells, each a
    text and, for a resource of the store, the path of its page."""
    result = run_stored(store, query.name, resolve(store, query, given), folder)
    if isinstance(result, bool):
        return {"columns": ["answer"], "rows": [[{"text": "yes" if result else "no"}]]}
    if not isinstance(result, ox.QuerySolutions | Table):
        raise InputError("This stored query answers with a graph: open it in the SPARQL editor")
    names = [v.value for v in result.variables]
    rows = [[solution[n] for n in names] for solution in result]
    keep = [i for i, n in enumerate(names) if not _internal_column(n, [r[i] for r in rows])]
    iris = {t.value for r in rows for t in r if isinstance(t, ox.NamedNode)}
    labels = labels_of(store, iris)
    return {
        "columns": [names[i] for i in keep],
        "rows": [[cell(row[i], labels) for i in keep] for row in rows],
        "total": len(rows),
    }


def _internal_column(name: str, cells: list[Any]) -> bool:
    if name == "page":
        return True
    paths = [local_path(t.value) or "" for t in cells if isinstance(t, ox.NamedNode)]
    return bool(paths) and all(p.startswith(INTERNAL_PATHS) for p in paths)


def labels_of(store: GraphStore, iris: set[str]) -> dict[str, str]:
    """A readable name for each IRI: an entity's label, an article's title and day, a claim's
    type; in one query."""
    if not iris:
        return {}
    found: dict[str, str] = {}
    for row in store.select(LABELS(x=sorted(iris))):
        iri = row["x"].value
        if "label" in row:
            found.setdefault(iri, row["label"].value)
        elif "title" in row:
            day = f" ({row['published'].value})" if "published" in row else ""
            found.setdefault(iri, row["title"].value + day)
        elif "type" in row:
            found.setdefault(iri, f"{row['type'].value} claim")
    return found


def cell(term: Any, labels: dict[str, str]) -> dict[str, Any]:
    if term is None:
        return {"text": ""}
    if isinstance(term, ox.NamedNode):
        iri = term.value
        if iri.startswith(ONTOLOGY):
            return {"text": iri.removeprefix(ONTOLOGY)}
        path = local_path(iri)
        text = labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]
        return {"text": text, "path": path} if path else {"text": text, "href": iri}
    if isinstance(term, ox.Literal):
        return {
            "text": term.value,
            "number": term.datatype.value.endswith(("#integer", "#decimal", "#double", "#float")),
        }
    return {"text": str(term.value)}
