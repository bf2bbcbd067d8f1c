"""The web page (`/`: a SPARQL editor with the stored queries as examples), the editor's files
(`/static/vendor/yasgui/...`, served from `node_modules`, never a CDN) and a page per resource
(`/resource/...`: HTML, or RDF by content negotiation).

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
    render_template,
    request,
    send_from_directory,
    url_for,
)

from kg.assets import INSTALL_HINT, yasgui_dir
from kg.errors import InputError, NotFoundError
from kg.store import Store
from kg.stored_queries import load_stored_queries
from kg.vocab import BASE, PREFIXES
from server import db, formats
from server.errors import error_response

bp = Blueprint("pages", __name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:@-]+$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ENCODED_SEPARATOR = re.compile(r"%(2f|5c)", re.IGNORECASE)
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
WIKIDATA = "http://www.wikidata.org/entity/"
MAX_ROWS = 1000


# -- the editor page ---------------------------------------------------------------------


@bp.get("/")
def index() -> str:
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
        found = db.run(describe_for_page, store, iri)
        if found is None:
            return _error(wants, missing, 404)
        return _html(render_template("resource.html", r=found))
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

PROPERTIES = """
SELECT DISTINCT ?iri ?p ?o ?label WHERE {
  ?iri ?p ?o .
  OPTIONAL { ?o rdfs:label ?label }
} LIMIT 1000
"""

CLAIMS = """
SELECT DISTINCT ?iri ?claim ?role ?type ?sentence ?article ?stem ?title ?published
                ?start ?end ?dateText WHERE {
  {
    VALUES ?role { ckg:place ckg:agent ckg:target ckg:controller }
    ?event ?role ?iri .
    ?claim ckg:about ?event .
  } UNION {
    VALUES ?role { ckg:claimant ckg:reportedBy }
    ?claim ?role ?iri .
  }
  OPTIONAL { ?claim ckg:claimType ?type }
  OPTIONAL { ?claim ckg:sentenceText ?sentence }
  OPTIONAL { ?claim ckg:dateText ?dateText }
  OPTIONAL { ?claim ckg:about ?about . OPTIONAL { ?about ckg:start ?start }
             OPTIONAL { ?about ckg:end ?end } }
  OPTIONAL {
    ?claim ckg:inArticle ?article .
    OPTIONAL { ?article ckg:stem ?stem }
    OPTIONAL { ?article dcterms:title ?title }
    OPTIONAL { ?article ckg:published ?published }
  }
}
ORDER BY ?published ?claim
LIMIT 1000
"""


def describe_for_page(store: Store, iri: str) -> dict[str, Any] | None:
    """What the HTML page shows about ``iri``; None when the store says nothing about it."""
    node = ox.NamedNode(iri)
    rows = store.select(PROPERTIES, {"iri": node})
    if not rows and not store.query("ASK { ?s ?p ?iri }", bindings={"iri": node}):
        return None
    page: dict[str, Any] = {"iri": iri, "curie": curie(iri), "labels": [], "alt_labels": []}
    page["types"], page["wikidata"], page["properties"] = [], [], []
    for row in rows:
        _sort_property(page, row)
    page["title"] = page["labels"][0] if page["labels"] else curie(iri)
    page["claims"] = _claims(store.select(CLAIMS, {"iri": node}))
    return page


def _sort_property(page: dict[str, Any], row: dict[str, Any]) -> None:
    p, o = row["p"].value, row["o"]
    value = term(o, row.get("label"))
    if p == RDFS_LABEL:
        page["labels"].append(o.value)
    elif p == SKOS + "altLabel":
        page["alt_labels"].append(o.value)
    elif p == RDF_TYPE:
        page["types"].append(value)
    elif p == SKOS + "exactMatch" and o.value.startswith(WIKIDATA):
        page["wikidata"].append({"qid": o.value[len(WIKIDATA) :], "href": o.value})
    else:
        page["properties"].append({"property": term(row["p"]), "value": value})


def _claims(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per claim, with every role in which the resource appears in it."""
    claims: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["claim"].value
        if key not in claims:
            claims[key] = {
                "claim": term(row["claim"]),
                "roles": [],
                **{k: _text(row.get(k)) for k in _CLAIM_FIELDS},
                "article": term(row["article"]) if "article" in row else None,
            }
        role = curie(row["role"].value).split(":", 1)[-1]
        if role not in claims[key]["roles"]:
            claims[key]["roles"].append(role)
    return list(claims.values())


_CLAIM_FIELDS = ("type", "sentence", "stem", "title", "published", "start", "end", "dateText")


def _text(value: Any) -> str | None:
    return None if value is None else str(value.value)


def _rdf(store: Store, iri: str, accept: Any) -> tuple[bytes, str] | None:
    triples = list(store.query("DESCRIBE ?iri", bindings={"iri": ox.NamedNode(iri)}))
    if not triples:
        return None
    return formats.render_graph(triples, accept)


# -- showing terms -----------------------------------------------------------------------


def curie(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def term(node: Any, label: Any = None) -> dict[str, Any]:
    """A term as the templates show it: its text, and a link outside (``href``) or to its own
    page (``local``, the path after `/resource/`, made a URL by the template)."""
    if isinstance(node, ox.Literal):
        return {"text": node.value, "href": None, "literal": True}
    if isinstance(node, ox.BlankNode):
        return {"text": f"_:{node.value}", "href": None, "literal": False}
    iri = node.value
    local = iri[len(BASE) :] if iri.startswith(BASE) else None
    text = label.value if label is not None else curie(iri)
    linkable = local is None and iri.startswith(("http://", "https://"))  # never javascript:
    return {"text": text, "href": iri if linkable else None, "local": local, "literal": False}
