"""Stored queries are data: ``queries/NAME.rq`` files with a header comment block.

    # title: Claims of one type
    # description: Every claim of the given type,
    #   with its article and sentence.
    # param: type string  The claim type (control, attack, ...)

A parameter line is ``# param: NAME TYPE  DESCRIPTION``. TYPE is one of ``IRI``, ``xsd:date``,
``integer`` (or ``xsd:integer``) and ``string`` (or ``xsd:string``); a trailing ``?``
(``xsd:date?``) makes the parameter optional, left unbound when absent, or, with ``=DEFAULT``
(``IRI?=newest-page``), bound to what the store gives for one of `DEFAULTS`: ``newest-page``
is the newest day page of the whole-store listings, ``newest-term-page:actor`` the newest page
of the term that the parameter ``actor`` names (`kg.derived.paging`), so that a listing reads a
page, never the whole store (the query text run as it is, on `/sparql`, lists every page). Comment
lines that are not another ``key:`` line continue the description. The parameter ``?NAME`` of the
query is bound to a typed RDF term through pyoxigraph substitutions, never by editing the text.
Substitution follows SPARQL SEP-0007: a SELECT query must name each parameter in its SELECT
clause (``SELECT ?type ?claim ...``, or ``SELECT *``), else pyoxigraph refuses to bind it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.derived.paging import BY_DEFAULT
from kg.errors import InputError, NotFoundError, QueryError
from kg.resources import queries_dir
from kg.store import Store, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM = re.compile(
    r"^([A-Za-z_][A-Za-z0-9_]*)\s+(\S+?)(\?(?:=([a-z-]+(?::[A-Za-z_][A-Za-z0-9_]*)?))?)?(?:\s+(.*))?$"
)
# what an optional parameter left out is bound to: the default page of a kind of pages, read
# from the store and the term bound to the parameter the default names after a colon
DEFAULTS = BY_DEFAULT
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


_TEXTS: dict[str, tuple[Path, int, str]] = {}


def stored_text(name: str) -> str:
    """A stored query's text, read again only when its file changes (finding the queries
    folder and parsing the header cost milliseconds on every call)."""
    known = _TEXTS.get(name)
    if known is not None:
        path, mtime, text = known
        try:
            if path.stat().st_mtime_ns == mtime:
                return text
        except OSError:
            pass
    query = get_stored_query(name)
    if query.path is not None:
        _TEXTS[name] = (query.path, query.path.stat().st_mtime_ns, query.text)
    return query.text


# -- binding and running -----------------------------------------------------------------


def bind_params(query: StoredQuery, values: Mapping[str, str]) -> dict[str, Term]:
    """Typed RDF terms for the query's parameters; InputError names any bad parameter."""
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
            if param.required:
                raise InputError(
                    f"Missing parameter {param.name} ({param.type}): {param.description}"
                )
            continue
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


def run_stored(
    store: Store, name: str, params: Mapping[str, str], directory: Path | None = None
) -> Any:
    """Run the stored query ``name`` with ``params`` bound; returns the pyoxigraph result."""
    query = get_stored_query(name, directory)
    bindings = bind_params(query, params)
    for param in query.params:
        if param.default and param.name not in bindings:
            default, _, source = param.default.partition(":")
            if (term := DEFAULTS[default].default_page(store, bindings.get(source))) is not None:
                bindings[param.name] = term
    try:
        return store.query(query.text, bindings=bindings)
    except RuntimeError as exc:  # pyoxigraph: a bound variable missing from SELECT
        raise QueryError(
            f"Stored query {name} cannot bind its parameters ({exc}): "
            "name every parameter in its SELECT clause"
        ) from None
