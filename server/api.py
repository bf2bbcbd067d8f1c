"""`/api/who-controlled` and `/api/claims`: the JSON answers of `kg ask` and `kg claims`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, jsonify

from kg.errors import InputError
from server import db, params

bp = Blueprint("api", __name__, url_prefix="/api")

CLAIM_TYPES = ("control", "attack", "casualties", "statement", "diplomacy", "movement", "other")


@bp.get("/who-controlled")
def who_controlled() -> Response:
    params.check_known(["place", "date", "as_of"])
    place = params.text("place", required=True)
    on = params.date("date", required=True)
    as_of = params.date("as_of")
    from kg.ask import who_controlled as ask  # lazy: the app starts even if kg.ask is broken

    with _named_iris():
        return jsonify(db.run(ask, db.get_store(), place, on, as_of))


@bp.get("/claims")
def claims() -> Response:
    params.check_known(["article", "type", "place", "actor", "limit", "offset"])
    kind = params.text("type")
    if kind is not None and kind not in CLAIM_TYPES:
        raise InputError(f"type must be one of {', '.join(CLAIM_TYPES)}, got {kind!r}")
    article, place, actor = (params.text(name) for name in ("article", "place", "actor"))
    limit, offset = _count("limit"), _count("offset") or 0
    from kg.claims import list_claims  # lazy, as above

    store = db.get_store()
    with _named_iris():
        return jsonify(
            db.run(
                lambda: list_claims(store, article, kind, place, actor, limit=limit, offset=offset)
            )
        )


def _count(name: str) -> int | None:
    """A paging parameter: a whole number >= 0, or None when absent."""
    value = params.text(name)
    if value is None:
        return None
    if not value.isdigit():
        raise InputError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)


@contextmanager
def _named_iris() -> Iterator[None]:
    """A place or actor starting http(s):// is taken as an IRI; pyoxigraph refuses a broken
    one with ValueError, which is the caller's mistake (400), not the server's (500)."""
    try:
        yield
    except ValueError as exc:
        raise InputError(f"Not a valid IRI ({exc}): pass a name, a Wikidata id "
                         "or an IRI without spaces, <, >, quotes or braces") from None
