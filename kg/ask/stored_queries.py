"""Stored queries are data: ``queries/NAME.rq`` files with a header comment block, plain SPARQL
that runs as it is written (in the web page's editor, at `/sparql`).

    # title: Claims of one type
    # description: Every claim of the given type (by default control),
    #   with its article and sentence.
    # param: type string  The claim type (control, attack, ...)
    ...
      VALUES ?type { "control" }  # the example: a given type replaces it

A parameter line is ``# param: NAME TYPE  DESCRIPTION``. TYPE is one of ``IRI``, ``xsd:date``,
``integer`` (or ``xsd:integer``) and ``string`` (or ``xsd:string``); a trailing ``?``
(``xsd:date?``) makes the parameter optional, left unbound when absent. Comment lines that are
not another ``key:`` line continue the description. A required parameter has an example in
the text, a one-variable ``VALUES`` block; a value given for a parameter takes that block's
place, or joins the query in a ``VALUES`` block of its own (`kg.store.sparql.bind_values`),
as an RDF term pyoxigraph serialises, never as text. The parameters ``place`` and ``actor``
take any name, alias, Wikidata id or IRI of an entity (`kg.ask.entities.resolve_entity`).

The listings among them are read by the API a page of articles at a time, through their paged
texts in ``kg/ask/paged/`` (`kg.ask.listings`): the same header, and a ``page`` parameter whose
default names the kind of pages (``IRI?=newest-page``: the day pages of the whole-store
listings; ``IRI?=newest-term-page:actor``: the pages of the term the parameter ``actor``
names; `kg.derived.paging`), bound by pyoxigraph's substitutions (SEP-0007: each parameter
is named in the SELECT clause).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.ask.entities import resolve_entity
from kg.ask.listings import DEFAULT_LIMIT, MOST, Paged, Table, page_of, read_pages
from kg.derived import DERIVED, require
from kg.derived.paging import BY_DEFAULT
from kg.errors import InputError, NotFoundError
from kg.resources import queries_dir
from kg.store import GraphStore, Store, Term, load
from kg.store.sparql import bind_values, select_variables

XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^([A-Za-z_][A-Za-z0-9_]*)\s+(\S+?)(\?(?:=([a-z-]+(?::[A-Za-z_][A-Za-z0-9_]*)?))?)?(?:\s+(.*))?$"
)
# what a paged text's page parameter left out is bound to: the default page of a kind of
# pages, read from the store and the term bound to the parameter the default names after a colon
DEFAULTS = BY_DEFAULT
PAGED_DIR = Path(__file__).resolve().parent / "paged"
ENTITY_KINDS = {"place": "Place", "actor": "Actor"}  # parameters that take an entity's name
_TYPE_ALIASES = {
    "iri": "IRI",
    "xsd:date": "xsd:date",
    "date": "xsd:date",
    "integer": "xsd:integer",
    "xsd:integer": "xsd:integer",
    "string": "xsd:string",
    "xsd:string": "xsd:string",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # canonical: IRI, xsd:date, xsd:integer, xsd:string
    description: str = ""
    required: bool = True
    default: str | None = None  # a name in DEFAULTS: what the store gives when left out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "description": self.description,
            "required": self.required,
        }


@dataclass(frozen=True)
class StoredQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path | None = field(default=None, compare=False)

    def to_dict(self, with_text: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": [p.to_dict() for p in self.params],
        }
        if with_text:
            out["query"] = self.text
        return out


# -- parsing -----------------------------------------------------------------------------


def parse_stored_query(name: str, text: str, path: Path | None = None) -> StoredQuery:
    """Read the header comment block of a stored query's text."""
    fields: dict[str, list[str]] = {"title": [], "description": []}
    params: list[Param] = []
    last: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break  # the header ends at the first line of SPARQL
            continue
        match = _HEADER.match(stripped)
        if match:
            last = match.group(1)
            if last == "param":
                params.append(_parse_param(name, match.group(2)))
            else:
                fields[last].append(match.group(2).strip())
        elif last == "description":
            fields["description"].append(stripped.lstrip("#").strip())
    names = {p.name for p in params}
    for param in params:  # a default read from another parameter names one of the query's
        if param.default and (source := param.default.partition(":")[2]) not in names | {""}:
            raise InputError(
                f"Stored query {name}: parameter {param.name}'s default {param.default!r} "
                f"names no parameter {source!r}; write one of {', '.join(sorted(names))}"
            )
    title = " ".join(fields["title"]) or name
    description = " ".join(d for d in fields["description"] if d)
    return StoredQuery(name, title, description, tuple(params), text, path)


def _parse_param(query: str, spec: str) -> Param:
    match = _PARAM.match(spec.strip())
    kind = _TYPE_ALIASES.get((match.group(2) if match else "").lower()) if match else None
    if match is None or kind is None:
        raise InputError(
            f"Stored query {query}: bad parameter line {spec!r}; "
            "write `# param: NAME TYPE  DESCRIPTION` "
            "with TYPE one of IRI, xsd:date, integer, string"
        )
    default = match.group(4)
    if default is not None and default.partition(":")[0] not in DEFAULTS:
        raise InputError(
            f"Stored query {query}: parameter {match.group(1)} has no default named {default!r}; "
            f"write one of {', '.join(sorted(DEFAULTS))}"
        )
    description = (match.group(5) or "").strip()
    return Param(match.group(1), kind, description, match.group(3) is None, default)


# -- loading -----------------------------------------------------------------------------


def load_stored_queries(directory: Path | None = None) -> dict[str, StoredQuery]:
    """Every ``*.rq`` file of the queries directory, by name (the file stem)."""
    folder = directory or queries_dir()
    out: dict[str, StoredQuery] = {}
    for path in sorted(folder.glob("*.rq")):
        if _NAME.match(path.stem):
            out[path.stem] = parse_stored_query(path.stem, path.read_text(encoding="utf-8"), path)
    return out


def get_stored_query(name: str, directory: Path | None = None) -> StoredQuery:
    folder = directory or queries_dir()
    path = folder / f"{name}.rq"
    if not _NAME.match(name) or not path.is_file():
        raise NotFoundError(f"No stored query named {name!r}: GET /api/queries lists them")
    return parse_stored_query(name, path.read_text(encoding="utf-8"), path)


_KNOWN: dict[tuple[Path | None, str], tuple[int, StoredQuery]] = {}


def cached_query(name: str, directory: Path | None = None) -> StoredQuery:
    """A stored query, read again only when its file changes (finding the queries folder and
    parsing the header cost milliseconds on every call)."""
    known = _KNOWN.get((directory, name))
    if known is not None and known[1].path is not None:
        try:
            if known[1].path.stat().st_mtime_ns == known[0]:
                return known[1]
        except OSError:
            pass
    query = get_stored_query(name, directory)
    if query.path is not None:
        _KNOWN[(directory, name)] = (query.path.stat().st_mtime_ns, query)
    return query


def stored_text(name: str) -> str:
    """A stored query's text (of ``queries/``)."""
    return cached_query(name).text


def paged_listing(name: str) -> Paged | None:
    """The paged text of the stored listing ``name`` (``kg/ask/paged/``), with the kind of
    pages its ``page`` parameter reads; None for a stored query that is not a listing."""
    if not (PAGED_DIR / f"{name}.rq").is_file():
        return None
    query = cached_query(name, PAGED_DIR)
    for param in query.params:
        default, _, source = (param.default or "").partition(":")
        if default in DEFAULTS:
            return Paged(query.text, DEFAULTS[default], source)
    return None


# -- binding and running -----------------------------------------------------------------


def bind_params(
    query: StoredQuery,
    values: Mapping[str, str],
    store: GraphStore | None = None,
    examples: bool = False,
) -> dict[str, Term]:
    """Typed RDF terms for the query's parameters (entities by any name when ``store`` is
    given); InputError names any bad parameter. A required one left out is an error, unless
    ``examples``: then the text's example binds it."""
    known = {p.name for p in query.params}
    unknown = sorted(set(values) - known)
    if unknown:
        expected = ", ".join(sorted(known)) or "none"
        raise InputError(
            f"Unknown parameter {unknown[0]} for query {query.name} (expected: {expected})"
        )
    bound: dict[str, Term] = {}
    for param in query.params:
        raw = values.get(param.name)
        if raw is None or raw == "":
            if param.required and not examples:
                raise InputError(
                    f"Missing parameter {param.name} ({param.type}): {param.description}"
                )
            continue
        kind = ENTITY_KINDS.get(param.name) if param.type == "IRI" else None
        if kind is not None and store is not None:
            bound[param.name] = resolve_entity(store, raw, kind=kind)
        else:
            bound[param.name] = to_term(param, raw)
    return bound


def to_term(param: Param, raw: str) -> Term:
    """Validate one parameter value and turn it into an RDF term."""
    if param.type == "IRI":
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", raw):
            raise InputError(f"{param.name} must be an absolute http(s) IRI, got {raw!r}")
        return ox.NamedNode(raw)
    if param.type == "xsd:date":
        try:
            day = datetime.date.fromisoformat(raw)
        except ValueError:
            raise InputError(f"{param.name} must be a date YYYY-MM-DD, got {raw!r}") from None
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if param.type == "xsd:integer":
        if not re.match(r"^[+-]?[0-9]+$", raw):
            raise InputError(f"{param.name} must be an integer, got {raw!r}")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    return ox.Literal(raw)


# the table filtered by one of these terms is read from that term, not from every day page;
# the first bound decides (one claim is read from its article)
NARROWER = (
    ("article", "claims_in_article"),
    ("place", "claims_at_place"),
    ("actor", "claims_of_actor"),
)
CLAIM_ARTICLE = load("kg.ask", "claims_article")


def run_stored(
    store: Store, name: str, params: Mapping[str, str], directory: Path | None = None
) -> Any:
    """Run the stored query ``name`` with ``params`` bound: the pyoxigraph result, or for a
    listing a `Table` of up to ``limit`` rows from ``cursor`` (two parameters more that a
    listing takes), read a page of articles at a time (`kg.ask.listings`)."""
    query = get_stored_query(name, directory)
    values = dict(params)
    if directory is None:
        for piece in DERIVED:
            if name in piece.queries:
                require(store, piece)
    if directory is not None or paged_listing(name) is None:
        return run_text(store, query, bind_params(query, values, store))
    limit = count(values.pop("limit", None), "limit", DEFAULT_LIMIT)
    if limit > MOST:
        raise InputError(f"limit must be at most {MOST}, got {limit}")
    start = values.pop("cursor", None)
    bindings = bind_params(query, values, store)
    names = select_variables(query.text)
    read_by = narrowest(store, name, bindings)
    if read_by is None:  # a claim the store does not hold
        return Table(names)
    paged = paged_listing(read_by)
    if paged is None:
        return page_of(run_text(store, cached_query(read_by), bindings), names, limit, start)
    require(store, paged.pages)
    return read_pages(store, paged, bindings, names, limit, start)


def narrowest(store: GraphStore, name: str, bindings: dict[str, Term]) -> str | None:
    """The listing that reads the rows of ``name`` for these bindings from the narrowest term
    bound (the table filtered by article, place or actor); None for a claim not stored."""
    if name != "claims":
        return name
    if (claim := bindings.get("claim")) is not None:
        found = store.select(CLAIM_ARTICLE(), {"claim": claim})
        if not found:
            return None
        bindings.setdefault("article", found[0]["stem"])
    return next((listing for key, listing in NARROWER if key in bindings), name)


def count(raw: str | None, name: str, default: int) -> int:
    """A paging parameter: a whole number >= 0 (``default`` when absent)."""
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise InputError(f"{name} must be a whole number >= 0, got {raw!r}")
    return int(raw)


def run_text(store: GraphStore, query: StoredQuery, bindings: Mapping[str, Term]) -> Any:
    """The query's text run with these parameters in its VALUES blocks."""
    return store.query(bind_values(query.text, bindings))


def run_file(store: GraphStore, text: str, values: Mapping[str, str], name: str = "query") -> Any:
    """A query text run as it is written, with the parameters given (those its header
    declares, entities by any name) in place of its examples: `kg query @file.rq --param`."""
    query = parse_stored_query(name, text)
    return run_text(store, query, bind_params(query, values, store, examples=True))
