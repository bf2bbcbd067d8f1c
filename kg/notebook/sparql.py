"""Jupyter: ``%load_ext kg`` gives a ``%%sparql`` cell magic over the store or an endpoint.

    %%sparql --out rows
    SELECT ?claim ?sentence WHERE { ?claim ckg:sentenceText ?sentence } LIMIT 5

SELECT answers a pandas DataFrame (typed literals become Python values), ASK a bool,
CONSTRUCT and DESCRIBE an rdflib Graph (``--triples``: a DataFrame of triples). The local store
is opened read-only for each query, so a notebook never holds the lock ``kg build`` needs; on
a local store our prefixes (``ckg:``, ``id:``, ``geo:`` ...) need no declaration.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import KGError, QueryError
from kg.store import Store, default_store_path

if TYPE_CHECKING:
    import pandas as pd
    import rdflib

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedInt",
    "unsignedLong",
}
FLOATS = {"decimal", "double", "float"}
# One Accept for every query form: the server picks results for SELECT/ASK, triples otherwise.
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


def python_value(term: Any) -> Any:
    """An RDF term as a Python value: numbers, booleans and dates typed; IRIs and text as str."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):
        return term.value
    kind = term.datatype.value.removeprefix(XSD)
    try:
        if kind in INTEGERS:
            return int(term.value)
        if kind in FLOATS:
            return float(term.value)
        if kind == "boolean":
            return term.value in ("true", "1")
        if kind == "date":
            return dt.date.fromisoformat(term.value)
    except ValueError:  # an ill-typed literal stays its text
        pass
    return term.value


def frame(variables: list[str], rows: list[list[Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([[python_value(t) for t in row] for row in rows], columns=variables)


def graph_from_ntriples(data: bytes | str) -> rdflib.Graph:
    import rdflib

    return rdflib.Graph().parse(data=data, format="nt")


def triples_frame(graph: rdflib.Graph) -> pd.DataFrame:
    import pandas as pd
    import rdflib

    def py(node: Any) -> Any:
        return node.toPython() if isinstance(node, rdflib.Literal) else str(node)

    rows = sorted((str(s), str(p), py(o)) for s, p, o in graph)
    return pd.DataFrame(rows, columns=["subject", "predicate", "object"])


# -- the local store ---------------------------------------------------------------------------
def run_local(query: str, path: str | os.PathLike[str] | None = None) -> Any:
    """Run a query on the store at ``path`` (default $KG_STORE, else .kg/store), read-only."""
    store = Store(path or default_store_path(), read_only=True)
    result = store.query(query)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return graph_from_ntriples(ox.serialize(result, format=ox.RdfFormat.N_TRIPLES) or b"")
    variables = [v.value for v in result.variables]
    return frame(variables, [[s[v] for v in variables] for s in result])


# -- a remote endpoint -------------------------------------------------------------------------
def json_term(cell: dict[str, str] | None) -> Any:
    """A SPARQL JSON results binding as a pyoxigraph term."""
    if cell is None:
        return None
    if cell["type"] == "uri":
        return ox.NamedNode(cell["value"])
    if cell["type"] == "bnode":
        return ox.BlankNode(cell["value"])
    if "xml:lang" in cell:
        return ox.Literal(cell["value"], language=cell["xml:lang"])
    datatype = cell.get("datatype")
    return ox.Literal(cell["value"], datatype=ox.NamedNode(datatype) if datatype else None)


def post(url: str, query: str, timeout: float) -> tuple[bytes, str]:
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise QueryError(f"{url} answered {exc.code}: {error_text(exc.read())}") from exc
    except (urllib.error.URLError, TimeoutError) as exc:
        raise QueryError(f"Cannot reach {url}: {exc}; is `kg serve` running?") from exc


def error_text(body: bytes) -> str:
    try:
        return str(json.loads(body)["error"])
    except (ValueError, KeyError, TypeError):
        return body.decode("utf-8", "replace")[:300]


def run_remote(query: str, url: str, timeout: float = 60.0) -> Any:
    """Run a query on a SPARQL 1.1 Protocol endpoint (POST form)."""
    body, media_type = post(url, query, timeout)
    if media_type in ("text/turtle", "application/n-triples"):
        import rdflib

        return rdflib.Graph().parse(data=body, format="turtle")  # N-Triples is Turtle
    data = json.loads(body)
    if "boolean" in data:
        return bool(data["boolean"])
    variables = data["head"].get("vars", [])
    rows = [[json_term(b.get(v)) for v in variables] for b in data["results"]["bindings"]]
    return frame(variables, rows)


def sparql(query: str, target: str | os.PathLike[str] | None = None, triples: bool = False) -> Any:
    """Run ``query`` on an endpoint URL or a store folder (default: the local store)."""
    target_text = str(target) if target is not None else ""
    if target_text.startswith(("http://", "https://")):
        result = run_remote(query, target_text)
    else:
        result = run_local(query, target)
    if triples and not isinstance(result, bool) and hasattr(result, "triples"):
        return triples_frame(result)
    return result


# -- IPython -----------------------------------------------------------------------------------
def make_magics() -> type:
    """The magics class, built on first use so ``import kg.notebook.sparql`` needs no IPython."""
    from IPython.core.error import UsageError
    from IPython.core.magic import Magics, cell_magic, magics_class
    from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

    @magics_class
    class SparqlMagics(Magics):
        @magic_arguments()
        @argument("endpoint", nargs="?", help="a SPARQL endpoint URL (default: the local store)")
        @argument("--store", help="the store folder (default: $KG_STORE, else .kg/store)")
        @argument("--out", "-o", help="also bind the result to this variable")
        @argument(
            "--triples",
            action="store_true",
            help="CONSTRUCT/DESCRIBE as a DataFrame of triples, not an rdflib Graph",
        )
        @argument("--quiet", "-q", action="store_true", help="bind only; display nothing")
        @cell_magic
        def sparql(self, line: str, cell: str) -> Any:
            """Run the cell as SPARQL; SELECT -> DataFrame, ASK -> bool, CONSTRUCT -> Graph."""
            args = parse_argstring(self.sparql, line)
            if args.endpoint and args.store:
                raise UsageError("give an endpoint URL or --store DIR, not both")
            try:
                result = sparql(cell, args.endpoint or args.store, triples=args.triples)
            except KGError as exc:
                raise UsageError(exc.message) from None  # one line, no traceback
            if args.out and self.shell is not None:
                self.shell.user_ns[args.out] = result
            return None if args.quiet else result

    return SparqlMagics


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(make_magics())


__all__ = ["load_ipython_extension", "sparql", "run_local", "run_remote", "python_value"]
