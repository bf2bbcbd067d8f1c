"""The listings behind the API, a page of articles at a time.

A stored listing (`queries/claims.rq`, `claims_at_place.rq`, ...) run whole reads every claim
it lists: at a million claims, seconds to a minute. The API reads it instead through its paged
text (`kg/ask/paged/NAME.rq`: the same rows, restricted to the articles of one page), page by
page from the newest: an answer gives up to ``limit`` rows of `PAGES_PER_ANSWER` pages. Each
page costs its own claims whatever the size of the store (`kg.derived.paging`), so an answer
costs a page however large the store and however rare the rows (a page may give none). The rows
come newest page first, each page's in the listing's own order; a row that two pages of one
answer give (an event reported on two days) is given once. When rows may follow, the answer
carries a cursor (`Table.next`: the page to go on from and the rows of it already given) for
the next one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.derived.paging import Pages
from kg.errors import InputError
from kg.store import Store, Term

DEFAULT_LIMIT = 100  # rows a request gets when it names no limit
MOST = 10_000  # rows one request may ask for (as /sparql answers at most)
PAGES_PER_ANSWER = 1  # pages an answer reads: it costs a page, however large the store
WHOLE = "-"  # the cursor's page of a listing read whole (a store without pages)


class Row(dict[str, Term]):
    """A row read by variable name, None where the variable is unbound (as pyoxigraph's)."""

    def __missing__(self, name: str) -> None:
        return None


@dataclass
class Table:
    """Rows read from several queries, answered as one SELECT's solutions are: ``variables``
    and iteration over rows; ``next``, the cursor of the rows that may follow."""

    names: list[str]
    rows: list[Row] = field(default_factory=list)
    next: str | None = None

    @property
    def variables(self) -> list[ox.Variable]:
        return [ox.Variable(n) for n in self.names]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Paged:
    """A listing's paged text: the kind of pages it is read by, and the parameter naming the
    term whose pages those are ("" for day pages)."""

    text: str
    pages: Pages
    source: str


def cursor(page: str, skip: int) -> str:
    """Where the next answer goes on: a page, and how many of its rows were given."""
    return f"{page} {skip}"


def parse_cursor(given: str | None) -> tuple[str | None, int]:
    """(page, rows of it to skip) of a cursor an answer gave; (None, 0) for the start."""
    if not given:
        return None, 0
    page, _, skip = given.strip().rpartition(" ")
    if not page or not skip.isdigit():
        raise InputError(f"cursor {given!r} is not one an answer gave: follow its Link header")
    return page, int(skip)


def read_pages(
    store: Store,
    paged: Paged,
    bindings: Mapping[str, Term],
    names: list[str],
    limit: int,
    start: str | None,
) -> Table:
    """Up to ``limit`` rows of the listing from the cursor ``start`` (else the newest page),
    read a page at a time, `PAGES_PER_ANSWER` pages at most; only the columns ``names``."""
    table, seen = Table(names), set()
    group = bindings.get(paged.source) if paged.source else None
    first, skip = parse_cursor(start)
    pages = paged.pages.newest_first(store, group)
    if first is not None:
        pages = itertools.dropwhile(lambda page: page.value != first, pages)
    started = first is None
    for read, page in enumerate(pages):
        started = True
        if read == PAGES_PER_ANSWER:
            table.next = cursor(page.value, 0)
            return table
        solutions = store.query(paged.text, {**bindings, "page": page})
        for at, solution in enumerate(solutions):
            if at < skip:
                continue
            if len(table.rows) == limit:
                table.next = cursor(page.value, at)
                return table
            row = Row({n: t for n in names if (t := solution[n]) is not None})
            key = tuple(row.get(n) for n in names)
            if key not in seen:
                seen.add(key)
                table.rows.append(row)
        skip = 0
    if not started:
        raise InputError(f"cursor {start!r} names no page of this listing: start again without it")
    return table


def page_of(solutions: Iterable[Any], names: list[str], limit: int, start: str | None) -> Table:
    """Up to ``limit`` rows of a whole listing's answer from the cursor ``start`` (a store
    without pages is read whole)."""
    page, skip = parse_cursor(start)
    if page not in (None, WHOLE):
        raise InputError(f"cursor {start!r} names a page, but this store has none: start again")
    table = Table(names)
    for at, solution in enumerate(solutions):
        if at < skip:
            continue
        if len(table.rows) == limit:
            table.next = cursor(WHOLE, at)
            break
        table.rows.append(Row({n: t for n in names if (t := solution[n]) is not None}))
    return table
