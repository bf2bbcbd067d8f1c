"""Reading and validating URL parameters; errors name the parameter (400)."""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Iterable

import pyoxigraph as ox
from flask import request

from kg.errors import InputError


def check_known(allowed: Iterable[str]) -> None:
    names = list(allowed)
    for name in request.args:
        if name not in names:
            raise InputError(f"Unknown parameter {name} (expected: {', '.join(names)})")


def text(name: str, required: bool = False) -> str | None:
    value = request.args.get(name, "").strip()
    if required and not value:
        raise InputError(f"{name} is required")
    return value or None


def date(name: str, required: bool = False) -> datetime.date | None:
    value = text(name, required)
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} must be YYYY-MM-DD, got {value!r}") from None


def iris(name: str, values: list[str] | None, base: str | None) -> list[str] | None:
    """The IRIs of a repeated protocol parameter (`default-graph-uri`, `using-graph-uri`...),
    each resolved against ``base`` (the endpoint's URL) when relative; None when the parameter
    is absent. A value that is no IRI even then is a 400 naming the parameter, never an error
    deeper down."""
    if values is None:
        return None
    resolved = []
    for value in values:
        iri = urllib.parse.urljoin(base, value) if base else value
        try:
            resolved.append(ox.NamedNode(iri).value)
        except ValueError:
            raise InputError(f"{name}={value!r} is not an IRI") from None
    return resolved
