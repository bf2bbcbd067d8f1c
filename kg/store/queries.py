"""The SPARQL the library runs, as data: ``NAME.rq`` (a query) or ``NAME.ru`` (an update) in
the ``rq/`` folder of the package whose code runs it, each opening with a comment that says
what it gives, and why it has its shape where that was tuned.

The text is plain SPARQL over kg's prefixes (`kg.vocab.PREFIXES`, which every store declares
for every query and update: no file declares its own). Its parameters are ``$`` variables:

- ``VALUES $name { }``: a list (tuple, set) of terms, which fill the block (`values`); None
  takes the block out, so that the text reads every ``?name``.
- ``$name`` anywhere else: one term, written in its place (the graph of ``GRAPH $graph``, a
  property, a literal, a number after LIMIT). A list instead repeats the group that holds
  ``$name`` once per term, the copies joined by UNION (one branch per article graph, where a
  VALUES block of graphs is joined only after the group has read every graph); a variable
  (``ox.Variable("g")``) leaves it free (``GRAPH ?g``: every graph).

A ``?variable`` that a store binds (``store.select(text, {"claim": node})``) is no parameter
of the text. Terms are IRIs (``str``, checked) or pyoxigraph terms, serialised by pyoxigraph, so
no text of a value can change the query. ``Sparql.bind`` binds some parameters (the graphs a
module reads, once); calling the text binds the rest and gives the SPARQL, and a parameter left
unbound or one the text lacks is a QueryError.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import pyoxigraph as ox

from kg.errors import QueryError

FOLDER = "rq"
KINDS = (".rq", ".ru")
NOTHING = ox.NamedNode("urn:kg:none")  # an empty list's one term: no data has it, none match

Value = str | ox.NamedNode | ox.Literal | ox.Variable | int
Terms = list | tuple | set | frozenset  # of IRIs (str) and pyoxigraph IRIs and literals
Given = Value | Terms | None

# strings, IRIs and comments: where braces, `$` and keywords are data, not syntax
_NOT_SYNTAX = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_VARIABLE = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]*)")
_BLOCK = re.compile(r"\bVALUES\s+\$([A-Za-z_][A-Za-z0-9_]*)\s*\{[^{}]*\}", re.I)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def blanked(sparql: str) -> str:
    """The text with strings, IRIs and comments blanked out (same length, same offsets)."""
    return _NOT_SYNTAX.sub(lambda m: " " * len(m.group()), sparql)


@dataclass(frozen=True)
class Sparql:
    """A query or update of the library, its ``$`` parameters bound by name."""

    name: str  # package/file, for messages
    text: str

    @cached_property
    def _syntax(self) -> str:
        return blanked(self.text)

    @cached_property
    def _spots(self) -> dict[str, list[tuple[int, int]]]:
        """Where each parameter is: the span of its VALUES block, or of each of its uses (read
        once: a text is bound again and again, some on every question)."""
        spots: dict[str, list[tuple[int, int]]] = {}
        for m in _BLOCK.finditer(self._syntax):
            spots.setdefault(m.group(1), []).append(m.span())
        blocks = set(spots)
        for m in _PARAM.finditer(self._syntax):
            if m.group(1) not in blocks:
                spots.setdefault(m.group(1), []).append(m.span())
        return spots

    @cached_property
    def blocks(self) -> frozenset[str]:
        """The parameters that are VALUES blocks."""
        return frozenset(m.group(1) for m in _BLOCK.finditer(self._syntax))

    @cached_property
    def params(self) -> frozenset[str]:
        """Every parameter still unbound: blocks and single terms."""
        return frozenset(self._spots)

    def bind(self, **given: Given) -> Sparql:
        """The text with these parameters bound (see the module's text); others stay."""
        return Sparql(self.name, self._filled(given))

    def __call__(self, **given: Given) -> str:
        """The SPARQL to run: every parameter bound."""
        if len(given) != len(self.params):
            left = sorted(self.params - set(given))
            if left:
                raise QueryError(f"{self.name}: no value given for ${', $'.join(left)}")
        return self._filled(given) if given else self.text

    def _filled(self, given: dict[str, Given]) -> str:
        if not self.params.issuperset(given):
            unknown = sorted(set(given) - self.params)
            raise QueryError(f"{self.name} has no parameter ${unknown[0]}")
        branches = [n for n, v in given.items() if n not in self.blocks and _is_list(v)]
        if branches:  # repeated first, then the rest bound in the new text
            text = self.text
            for name in branches:
                text = _union(Sparql(self.name, text), name, given.pop(name))  # type: ignore[arg-type]
            return Sparql(self.name, text)._filled(given)
        edits = []
        for name, value in given.items():
            new = _block(name, value) if name in self.blocks else _term(name, value)  # type: ignore[arg-type]
            edits += [(span, new) for span in self._spots[name]]
        pieces, at = [], 0
        for (start, end), new in sorted(edits):
            pieces += [self.text[at:start], new]
            at = end
        return "".join([*pieces, self.text[at:]])


def _is_list(value: object) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def _block(name: str, value: Given) -> str:
    if value is None:
        return ""
    items = [value] if not _is_list(value) else value
    return values(name, items)  # type: ignore[arg-type]


def _union(query: Sparql, name: str, terms: Iterable[str | ox.NamedNode | ox.Literal]) -> str:
    """The group holding ``$name`` repeated once per term, the copies joined by UNION."""
    uses = query._spots[name]
    start, end = _group_around(query, uses[0][0])
    if uses[-1][1] > end:
        raise QueryError(f"{query.name}: ${name} is used outside the group it repeats")
    group = Sparql(query.name, query.text[start:end])
    copies = [group.bind(**{name: term}).text for term in terms] or [
        group.bind(**{name: NOTHING}).text
    ]
    return query.text[:start] + " UNION ".join(copies) + query.text[end:]


def _group_around(query: Sparql, at: int) -> tuple[int, int]:
    """The span of the innermost ``{ ... }`` group that holds the offset ``at``."""
    syntax, depth = query._syntax, 0
    for start in range(at - 1, -1, -1):
        depth += {"}": 1, "{": -1}.get(syntax[start], 0)
        if depth < 0:
            break
    else:
        raise QueryError(f"{query.name}: no group to repeat")
    depth = 0
    for end in range(start, len(syntax)):
        depth += {"{": 1, "}": -1}.get(syntax[end], 0)
        if depth == 0:
            return start, end + 1
    raise QueryError(f"{query.name}: a group is not closed")


def _term(name: str, value: Value) -> str:
    """One term as SPARQL text: a variable, a number, or an IRI or literal (`_iri_or_literal`)."""
    if isinstance(value, ox.Variable):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _iri_or_literal(name, value)


def _iri_or_literal(name: str, value: object) -> str:
    """An IRI (str: checked by pyoxigraph, which refuses a relative IRI, a space, ``<``,
    ``>``, a quote...) or a pyoxigraph IRI or literal, serialised by pyoxigraph."""
    if isinstance(value, str):
        try:
            return str(ox.NamedNode(value))
        except ValueError as exc:
            raise QueryError(f"${name} must be an absolute IRI, got {value!r} ({exc})") from None
    if isinstance(value, ox.NamedNode | ox.Literal):
        return str(value)
    raise QueryError(
        f"${name} takes IRIs (str) and pyoxigraph IRIs and literals, got {type(value).__name__}"
    )


def values(var: str, items: Iterable[str | ox.NamedNode | ox.Literal]) -> str:
    """A VALUES block of one variable: IRIs (``str``, checked: absolute, no space, ``<``,
    ``>`` or quote) and pyoxigraph IRIs and literals (escaped by pyoxigraph); an empty list
    gives a row that matches nothing. The planner starts from it: one query fetches many
    terms instead of one query per term."""
    if not _NAME.match(var):
        raise QueryError(f"Not a SPARQL variable name: {var!r}")
    try:  # up to thousands of IRIs a block: each checked by pyoxigraph as it is serialised
        block = " ".join(
            str(ox.NamedNode(item)) if type(item) is str else _iri_or_literal(var, item)
            for item in items
        )
    except ValueError as exc:
        raise QueryError(
            f"${var} takes absolute IRIs, no space, <, > or quote in them ({exc})"
        ) from None
    return f"VALUES ?{var} {{ {block or NOTHING} }}"


@cache
def load(package: str, name: str) -> Sparql:
    """The text of ``NAME.rq`` or ``NAME.ru`` in the ``rq/`` folder of ``package``."""
    folder = resources.files(package).joinpath(FOLDER)
    found = [
        folder.joinpath(name + kind) for kind in KINDS if folder.joinpath(name + kind).is_file()
    ]
    if len(found) != 1:
        raise QueryError(f"{package} has no SPARQL file {FOLDER}/{name}.rq or .ru")
    where = f"{package.replace('.', '/')}/{FOLDER}/{found[0].name}"
    # ending in a newline, so that text joined after it cannot fall into a closing comment
    query = Sparql(where, found[0].read_text("utf-8").rstrip() + "\n")
    clashing = sorted((query.params - query.blocks) & variables(query))
    if clashing:
        raise QueryError(f"{query.name}: ${clashing[0]} is a parameter and a ?variable")
    return query


def variables(query: Sparql) -> frozenset[str]:
    """The ``?variables`` of the text (a ``$`` parameter of a VALUES block is one too)."""
    return frozenset(m.group(1) for m in _VARIABLE.finditer(query._syntax))


def files(package: str) -> list[str]:
    """The names of the SPARQL files of a package's ``rq/`` folder."""
    folder = resources.files(package).joinpath(FOLDER)
    if not folder.is_dir():
        return []
    return sorted(
        entry.name.rsplit(".", 1)[0] for entry in folder.iterdir() if entry.name.endswith(KINDS)
    )
