"""The web pages: the home page with its search (`/`), the search's list (`/search`), a page
per resource (`/resource/...`: a place's, an actor's or source's, an article's, a claim's, as
HTML, or RDF by content negotiation), the claims browser (`/claims`), the stored queries as
forms (`/queries`), the SPARQL editor (`/editor`), and the browser files they load
(`/static/vendor/...`, served from `node_modules`, never a CDN).

Resource IRIs come from the URL, so they are checked segment by segment and bound into the
queries as RDF terms (pyoxigraph substitutions), never formatted into the query text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from kg.ask.stored_queries import load_stored_queries
from kg.assets import INSTALL_HINT, yasgui_dir
from kg.claim_view import claim_view
from kg.errors import InputError, KGError, NotFoundError
from kg.store import GraphStore, load
from kg.vocab import BASE, PREFIXES
from server import db, formats, forms, params, views
from server.assets import map_ready, package_dir
from server.errors import error_response

bp = Blueprint("pages", __name__)
DESCRIBE = load("server", "pages_describe")
# the pages lay out a claim's fields and the browser's columns as kg/data/claims.json says
bp.add_app_template_global(claim_view)

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@-]+$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c)", re.IGNORECASE)
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
WIKIDATA = "http://www.wikidata.org/entity/"
MAX_ROWS = 1000


@bp.app_context_processor
def helpers() -> dict[str, Any]:
    return {"plain": forms.plain_description, "field_kind": forms.field_kind}


# -- the home page and the editor ------------------------------------------------------------


@bp.get("/")
def index() -> str:
    return render_template("home.html")


@bp.get("/editor")
def editor() -> str:
    folder = current_app.config.get("QUERIES_DIR")
    queries = load_stored_queries(Path(folder) if folder else None)
    vendor = yasgui_dir(current_app.config.get("KG_ASSETS"))
    page = {
        "endpoint": url_for("sparql.endpoint"),
        "base": BASE,
        "resource": url_for("pages.resource", rest="x")[:-1],
        "prefixes": PREFIXES,
        "examples": [q.to_dict() for q in queries.values()],
        "yasgui": vendor is not None,
    }
    return render_template("index.html", page=page, examples=queries.values(), hint=INSTALL_HINT)


@bp.get("/static/vendor/yasgui/<path:filename>")
def vendor(filename: str) -> Response:
    folder = yasgui_dir(current_app.config.get("KG_ASSETS"))
    if folder is None:
        raise NotFoundError(f"The YASGUI editor is not installed: {INSTALL_HINT}")
    return send_from_directory(folder, filename, max_age=3600)


@bp.get("/static/vendor/<package>/<path:filename>")
def package_file(package: str, filename: str) -> Response:
    """Leaflet, topojson-client and the Natural Earth layers, from node_modules."""
    folder = package_dir(package, current_app.config.get("KG_ASSETS"))
    if folder is None:
        raise NotFoundError(f"The {package} package is not installed: {INSTALL_HINT}")
    return send_from_directory(folder, filename, max_age=3600)


# -- a page per resource -----------------------------------------------------------------


@bp.get("/resource/<path:rest>", merge_slashes=False)
@bp.get("/resource//<path:rest>", endpoint="refused", merge_slashes=False)  # 400, no redirect
def resource(rest: str) -> Response:
    wants = _preferred()
    try:
        iri = resource_iri(rest, _raw_path())
    except InputError as exc:
        return _error(wants, exc.message, 400)
    store, missing = db.get_store(), f"Nothing in the store is about <{iri}>"
    if wants in HTML_TYPES:
        try:
            as_of = params.date("as_of")
        except InputError as exc:
            return _error(wants, exc.message, 400)
        found = db.run(views.resource_page, store, iri, as_of)
        if found is None:
            return _error(wants, missing, 404)
        if found["template"] is None:
            return _error(
                wants,
                "This node is kept for the build's own bookkeeping and has no "
                "page: search for the place, actor or article instead",
                404,
            )
        return _html(render_template(found["template"], r=found, map_ready=_map_ready()))
    answer = db.run(_rdf, store, iri, request.accept_mimetypes)  # 406 if no RDF type fits
    if answer is None:
        return _error(wants, missing, 404)
    body, content_type = answer
    response = Response(body, content_type=content_type)
    response.vary.add("Accept")
    return response


def resource_iri(rest: str, raw_path: str) -> str:
    """The IRI named by the path after `/resource/`; InputError for anything but plain
    segments below our base (no `..`, no encoded slashes, no other scheme or host)."""
    if _ENCODED_SEPARATOR.search(raw_path):
        raise InputError("Encoded slashes are not allowed in a resource path")
    if "//" in raw_path:
        raise InputError("Empty segments (`//`) are not allowed in a resource path")
    if _SCHEME.match(rest):
        raise InputError("A resource path names a resource of this dataset, not a URL")
    for segment in rest.split("/"):
        if segment in ("", ".", "..") or not _SEGMENT.match(segment):
            raise InputError(f"Bad resource path {rest!r}: use the path of an IRI under {BASE}")
    return BASE + rest


def _raw_path() -> str:
    raw = request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or request.path
    return str(raw).split("?", 1)[0]


def _preferred() -> str | None:
    """HTML or an RDF type, as the client prefers (HTML when it does not say); None if none fits."""
    accept = request.accept_mimetypes
    if not accept:
        return "text/html"
    return accept.best_match([*HTML_TYPES, *formats.GRAPHS])


def _error(wants: str | None, message: str, status: int) -> Response:
    if wants in HTML_TYPES:
        page = render_template("error.html", message=message, status=status)
        return _html(page, status)
    return error_response(message, status)


def _html(page: str, status: int = 200) -> Response:
    response = Response(page, status=status, content_type="text/html; charset=utf-8")
    response.vary.add("Accept")
    return response


# -- reading the store (in the query thread: no request context there) -------------------


def _rdf(store: GraphStore, iri: str, accept: Any) -> tuple[bytes, str] | None:
    triples = list(store.query(DESCRIBE(), bindings={"iri": ox.NamedNode(iri)}))
    if not triples:
        return None
    return formats.render_graph(triples, accept)


def _map_ready() -> bool:
    return map_ready(current_app.config.get("KG_ASSETS"))


# -- search, the claims browser and the stored queries as forms --------------------------


@bp.get("/search")
def search() -> Response:
    """One match goes straight to its page; several are listed with their kind and context."""
    text = (request.args.get("q") or "").strip()
    found = db.run(views.search, db.get_store(), text, 50) if text else []
    exact = [f for f in found if f["exact"]]
    if len(found) == 1 or len(exact) == 1:
        target = (exact or found)[0]
        return redirect(url_for("pages.resource", rest=target["path"]))  # type: ignore[return-value]
    return _html(render_template("search.html", q=text, found=found))


@bp.get("/claims")
def claims_browser() -> str:
    return render_template("claims.html", types=claim_view().type_names)


def _queries() -> dict[str, Any]:
    folder = current_app.config.get("QUERIES_DIR")
    return load_stored_queries(Path(folder) if folder else None)


@bp.get("/queries")
def stored_queries() -> str:
    return render_template("queries.html", queries=list(_queries().values()))


@bp.get("/queries/<name>")
def stored_query(name: str) -> Response:
    queries = _queries()
    if name not in queries:
        return _error("text/html", f"No stored query called {name!r}", 404)
    query = queries[name]
    fields = [p for p in query.params if p.default is None]
    given = {p.name: request.args.get(p.name, "").strip() for p in fields}
    result, message = None, None
    if "run" in request.args:
        try:
            result = db.run(forms.run_form, db.get_store(), query, given, _directory())
        except KGError as exc:
            message = exc.message
    page = render_template(
        "query.html", q=query, fields=fields, given=given, result=result, message=message
    )
    return _html(page, 400 if message else 200)


def _directory() -> Path | None:
    folder = current_app.config.get("QUERIES_DIR")
    return Path(folder) if folder else None
