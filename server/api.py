"""`/api/who-controlled` and `/api/claims`: the JSON answers of `kg ask` and `kg claims`;
`/api/search` and `/api/claims/table`: what the web page's search box and claims browser
read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Response, jsonify

from kg.claim_view import claim_view
from kg.errors import InputError
from server import db, params, views

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/who-controlled")
def who_controlled() -> Response:
    params.check_known(["place", "date", "as_of"])
    place = params.text("place", required=True)
    on = params.date("date", required=True)
    as_of = params.date("as_of")
    # lazy: the app starts even if the question's module is broken
    from kg.ask.who_controlled import who_controlled as ask

    with _named_iris():
        return jsonify(db.run(ask, db.get_store(), place, on, as_of))


@bp.get("/claims")
def claims() -> Response:
    params.check_known(["article", "type", "place", "actor", "limit", "offset"])
    kind = params.text("type")
    claim_view().check_type(kind)
    article, place, actor = (params.text(name) for name in ("article", "place", "actor"))
    limit, offset = _count("limit"), _count("offset") or 0
    from kg.ask.claims import list_claims  # lazy, as above

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
        raise InputError(
            f"Not a valid IRI ({exc}): pass a name, a Wikidata id "
            "or an IRI without spaces, <, >, quotes or braces"
        ) from None


@bp.get("/search")
def search() -> Response:
    """Places, actors, sources and articles whose name, alias, Wikidata id or title holds
    the text, best first: [{label, kind, context, path, exact}]."""
    params.check_known(["q", "limit"])
    text = params.text("q") or ""
    limit = min(_count("limit") or 10, 50)
    return jsonify(db.run(views.search, db.get_store(), text, limit))


SORTS = tuple(views.SORTS)


@bp.get("/claims/table")
def claim_table() -> Response:
    """One page of the claims browser: {total, offset, limit, claims: [rows of words]};
    `format=csv` or `format=json` gives that page as a file to download."""
    names = ["type", "place", "actor", "source", "from", "to", "contested", "sort", "order"]
    params.check_known([*names, "limit", "offset", "format"])
    kind = params.text("type")
    claim_view().check_type(kind)
    start, end = params.date("from"), params.date("to")
    sort = params.text("sort") or "date"
    if sort not in SORTS:
        raise InputError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    order = params.text("order") or "desc"
    if order not in ("asc", "desc"):
        raise InputError(f"order must be asc or desc, got {order!r}")
    fmt = params.text("format")
    if fmt not in (None, "csv", "json"):
        raise InputError(f"format must be csv or json, got {fmt!r}")
    limit, offset = min(_count("limit") or 50, 1000), _count("offset") or 0
    contested = params.text("contested") in ("1", "true", "yes", "on")
    names_given = {k: params.text(k) for k in ("place", "actor", "source")}
    store = db.get_store()

    def work() -> dict:
        from kg.ask.entities import resolve_entity

        place = names_given["place"] and resolve_entity(store, names_given["place"], "Place")
        actor = names_given["actor"] and resolve_entity(store, names_given["actor"], "Actor")
        source = names_given["source"] and resolve_entity(store, names_given["source"], "Actor")
        return views.claim_table(
            store,
            kind,
            place or None,
            actor or None,
            source or None,
            start.isoformat() if start else None,
            end.isoformat() if end else None,
            contested,
            sort,
            order == "desc",
            limit,
            offset,
        )

    with _named_iris():
        table = db.run(work)
    if fmt is None:
        return jsonify(table)
    rows = [views.flat(r) for r in table["claims"]]
    if fmt == "json":
        response = jsonify(rows)
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=[*claim_view().view("download"), "iri"])
        writer.writeheader()
        writer.writerows(rows)
        response = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="claims.{fmt}"'
    return response
