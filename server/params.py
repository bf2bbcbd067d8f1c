"""Reading and validating URL parameters; errors name the parameter (400)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

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
