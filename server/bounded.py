"""Lookups: queries whose whole cost is bounded by a few rows, answered in the server process.

Every other query goes to a query worker, a process that can be killed at the time limit
because pyoxigraph cannot cancel a query. The hand-off costs more than a lookup itself (a
frame each way and a second process woken with cold caches: `bench/throughput.py`), and a
lookup needs no killing. A lookup here is, in the whole text and nothing else:

- an optional prologue (BASE, PREFIX);
- `SELECT` of plain variables or `*` with a LIMIT, or `ASK`;
- a group of one triple pattern whose terms are IRIs, prefixed names, literals, `a`, or
  variables all different from each other;
- LIMIT and OFFSET adding up to at most `ROWS`.

One triple pattern with its bound terms is one range of one of the store's indexes: every
entry read is a row (the union default graph gives a triple once per graph holding it, as
Oxigraph's own server does), so evaluation reads at most LIMIT + OFFSET entries and stops.
A repeated variable (`?x ?p ?x`), a FILTER, a second pattern, DISTINCT or ORDER BY could
read the whole index for a few rows, so any of them, and any text this grammar does not
take (a comment, a blank node, an expression), sends the query to a worker. pyoxigraph
releases the interpreter lock while it evaluates, so a lookup never holds up the server's
other requests.
"""

from __future__ import annotations

import functools
import re

ROWS = 1000  # LIMIT + OFFSET of a lookup: a millisecond or two of reading and writing rows

_IRI = r"<[^<>\"{}|^`\\\s]*>"
_PNAME = r"(?:[A-Za-z][\w.-]*[\w-]|[A-Za-z])?:(?:[\w-](?:[\w.-]*[\w-])?)?"
_VAR = r"[?$](\w+)"
_STRING = r"\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*'"
_LITERAL = (
    rf"(?:{_STRING})(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?"
    r"|[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?i:true|false)"
)
_TERM = rf"{_IRI}|{_PNAME}|{_VAR}"
_PROLOGUE = rf"(?:\s*(?i:BASE)\s*{_IRI}|\s*(?i:PREFIX)\s*{_PNAME}\s*{_IRI})*"
_PATTERN = (
    rf"\{{\s*(?P<s>{_TERM})\s+(?P<p>{_TERM}|a)\s+(?P<o>{_TERM}|{_LITERAL})\s*\.?\s*\}}"
)
_SLICE = r"(?:\s*(?i:LIMIT)\s+(?P<limit>\d+)|\s*(?i:OFFSET)\s+(?P<offset>\d+))"
_LOOKUP = re.compile(
    rf"{_PROLOGUE}\s*(?:(?P<select>(?i:SELECT))\s*(?:\*|(?:{_VAR}\s*)+)|(?i:ASK))"
    rf"\s*(?:(?i:WHERE)\s*)?{_PATTERN}(?P<slice>{_SLICE}{{0,2}})\s*"
)
_SLICE_PARTS = re.compile(r"(?i:LIMIT)\s+(\d+)|(?i:OFFSET)\s+(\d+)")
_VARIABLE = re.compile(_VAR)


def is_lookup(query: str) -> bool:
    """Whether `query` is a lookup (module docstring): one triple pattern, rows bounded.
    Clients send the same few queries again and again: short texts are remembered."""
    return _remembered(query) if len(query) <= 1000 else _is_lookup(query)


def _is_lookup(query: str) -> bool:
    found = _LOOKUP.fullmatch(query)
    if found is None:
        return False
    terms = [found.group(name) for name in ("s", "p", "o")]
    names = [m.group(1) for term in terms if (m := _VARIABLE.fullmatch(term))]
    if len(names) != len(set(names)):
        return False  # ?x ?p ?x: rows are the entries with equal terms, anywhere in the index
    limits: list[int] = []
    offsets: list[int] = []
    for limit, offset in _SLICE_PARTS.findall(found.group("slice")):
        (limits if limit else offsets).append(int(limit or offset))
    if len(limits) > 1 or len(offsets) > 1:
        return False  # a clause twice: a syntax error, which the worker reports
    if found.group("select") is None:
        return sum(offsets) < ROWS  # ASK stops at the first entry past the offset
    return bool(limits) and limits[0] + sum(offsets) <= ROWS


_remembered = functools.lru_cache(maxsize=512)(_is_lookup)
