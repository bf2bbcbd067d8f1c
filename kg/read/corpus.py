"""Corpora as users have them: CSV or JSON Lines files, one article per row.

Which column holds the text, the date, the title, the publisher and the id is given by
``Columns`` (the `kg build --text-column ...` options). Each row becomes an ``Article``: its
stem is the id column's value, or a stable hash of the text when there is no id; a bad row is
named (file, row number, id) with the reason and skipped while the others land. A date the
text prints in its dateline wins over the date column (often the day the page was crawled,
weeks off); the column's date is used when the text prints none.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import ArticleError, InputError
from kg.read.articles import (
    Article,
    byline_agency,
    clean,
    parse_date,
    read_dateline,
    split_items,
)

CORPUS_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")


@dataclass(frozen=True)
class Columns:
    """Column names of a corpus file (CSV header names or JSON keys)."""

    text: str = "text"
    date: str | None = "date"
    title: str | None = "title"
    publisher: str | None = "publisher"
    id: str | None = "id"
    url: str | None = "url"
    date_format: str | None = None  # strptime format; ISO dates and printed dates otherwise


def is_corpus(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in CORPUS_SUFFIXES


def read_corpus(
    path: Path, columns: Columns, notes: list[str] | None = None
) -> Iterator[Article | ArticleError]:
    """Each row as an Article, or the ArticleError that names why the row was skipped.

    An id used by an earlier row keeps nothing from being stored: a row with the same text is
    left out (it is stored once), a row with another text gets the id and a hash of its text
    as its stem; each is said in ``notes``."""
    seen: dict[str, tuple[int, str]] = {}  # stem: (row number, text) of its first row
    for number, row in rows_or_error(path):
        if isinstance(row, InputError):
            yield ArticleError(row.message)
            return
        if number == 1 and (missing := missing_text(path, row, columns)):
            yield ArticleError(missing)
            return
        try:
            article = row_article(row, columns)
        except ArticleError as exc:
            yield ArticleError(f"{path} row {number}{row_label(row, columns)}: {exc.message}")
            continue
        where = f"{path} row {number}{row_label(row, columns)}"
        first, text = seen.get(article.stem), article.text
        if first is not None and first[1] != text:  # the id names another text: renamed
            article = replace(article, stem=f"{article.stem}_{text_hash(text)[:8]}")
            said = (
                f"{where}: the id names row {first[0]}, whose text differs; stored as "
                f"{article.stem} (give each row its own id to choose its name)"
            )
            first = seen.get(article.stem)
            if notes is not None and first is None:
                notes.append(said)
        if first is not None:  # the same text again: stored once
            if notes is not None:
                notes.append(f"{where}: the same text as row {first[0]}, stored once")
            continue
        seen[article.stem] = (number, text)
        yield article


def rows_or_error(path: Path) -> Iterator[tuple[int, dict | InputError]]:
    """The rows, then the error that stopped the reading, if any (the rows before it land)."""
    try:
        yield from rows(path)
    except InputError as exc:
        yield 0, exc


def missing_text(path: Path, row: dict, columns: Columns) -> str | None:
    """For a CSV without the text column: one line for the file, not one per row."""
    if is_jsonl(path) or columns.text in row:
        return None
    known = ", ".join(sorted(k for k in row if k)) or "none"
    return (
        f"{path}: no column {columns.text!r} in its header (columns: {known}); none of its rows "
        "was read: pass --text-column NAME"
    )


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson")


def rows(path: Path) -> Iterator[tuple[int, dict]]:
    """(row number, row) pairs; the number counts data rows from 1 (the header is not one)."""
    try:
        if is_jsonl(path):
            yield from json_rows(path)
        else:
            yield from csv_rows(path)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); re-save it as UTF-8") from exc


def csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # article bodies exceed the 128 KB default
    with path.open(encoding="utf-8-sig", newline="") as f:
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        # strict: a quote that does not close where a field ends is an error, not a field
        # that silently swallows the rows after it
        reader = csv.DictReader(f, delimiter=delimiter, strict=True)
        number, line = 0, 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                if number == 0:
                    raise InputError(
                        f"{path}: no rows under its header; add one row per article"
                    ) from None
                return
            except csv.Error as exc:
                raise InputError(
                    f"{path} line {line + 1}: a quoted field does not close where it should "
                    f"({exc}); the rows from that line on were not read: close the quote, or "
                    'write a quote inside a field as ""'
                ) from None
            number, line = number + 1, reader.line_num
            yield number, row


def json_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                row = {"__error__": f"not valid JSON ({exc.msg})"}
            yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}


def row_label(row: dict, columns: Columns) -> str:
    value = cell(row, columns.id)
    return f" (id {value})" if value else ""


def cell(row: dict, column: str | None) -> str:
    if not column:
        return ""
    value = row.get(column)
    return "" if value is None else str(value).strip()


def row_article(row: dict, columns: Columns) -> Article:
    if "__error__" in row:
        raise ArticleError(row["__error__"])
    if columns.text not in row:
        known = ", ".join(sorted(k for k in row if k)) or "none"
        raise ArticleError(f"no column {columns.text!r} (columns: {known}); pass --text-column")
    text = cell(row, columns.text)
    if not text:
        raise ArticleError("the text is empty")
    paragraphs = clean(text) or [text]
    printed, paragraphs = read_dateline(paragraphs)
    given = row_date(cell(row, columns.date), columns.date_format)
    # the date the text prints wins: a row's date is often the day the page was crawled
    published = printed or given
    published_from = "text" if printed else ("manifest" if given else None)
    items = split_items(paragraphs)
    if not any(i.paragraphs for i in items):
        raise ArticleError("no article text left after removing page furniture")
    title = cell(row, columns.title) or next((i.headline for i in items if i.headline), None)
    return Article(
        stem=row_stem(row, columns, text),
        text="\n\n".join(paragraphs),
        published=published,
        published_from=published_from,
        publisher=cell(row, columns.publisher) or None,
        title=title,
        url=cell(row, columns.url) or None,
        items=items,
        relay=byline_agency(clean(text) or [text]),
    )


def row_stem(row: dict, columns: Columns, text: str) -> str:
    """The id column's value, else a hash of the text: the same row gets the same IRIs."""
    return cell(row, columns.id) or "row_" + text_hash(text)[:16]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def row_date(value: str, date_format: str | None) -> dt.date | None:
    if not value:
        return None
    if date_format:
        try:
            return dt.datetime.strptime(value, date_format).date()
        except ValueError:
            raise ArticleError(
                f"date {value!r} does not match --date-format {date_format}"
            ) from None
    day = parse_date(value)
    if day is None:
        raise ArticleError(f"date {value!r} is not a date; pass --date-format, e.g. %m/%d/%Y")
    return day
