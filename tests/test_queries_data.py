"""The SPARQL the library runs is data: `.rq` and `.ru` files in the `rq/` folder of the package
that runs them (`kg.store.queries`), with `$` parameters bound as RDF terms. Every file parses
once bound, every file is read by some module, no module keeps a query in a string, and the
VALUES helper escapes what it is given and refuses what is not a term."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT

from kg.errors import QueryError
from kg.store.queries import Sparql, files, load, values
from kg.vocab import PREFIXES

PACKAGES = ("kg", "kg.ask", "kg.derived", "kg.notebook", "kg.store", "server")
SAMPLE = "http://example.org/x"
# the parameters that are not IRIs: a number after LIMIT, literals compared or bound
SAMPLES: dict[str, object] = {
    "most": 3,
    "before": ox.Literal("2020-01-01"),
    "notStated": ox.Literal("(not stated)"),
}


def every_file() -> Iterator[tuple[str, str]]:
    for package in PACKAGES:
        for name in files(package):
            yield package, name


def bound(query: Sparql, blocks: object) -> str:
    """The text with every parameter bound to a sample: blocks to ``blocks``."""
    given = {p: blocks if p in query.blocks else SAMPLES.get(p, SAMPLE) for p in query.params}
    return query(**given)


def run(query: Sparql, text: str) -> None:
    """Parsed and run (on an empty store) with kg's prefixes, as the stores run them."""
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode(SAMPLE), ox.NamedNode(SAMPLE), ox.Literal("o"), ox.NamedNode(SAMPLE))
    )
    if query.name.endswith(".ru"):
        store.update(text, prefixes=PREFIXES)
    else:
        store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)


def test_the_packages_hold_the_files() -> None:
    assert len(list(every_file())) > 80
    for package in PACKAGES:
        assert files(package), package


@pytest.mark.parametrize(("package", "name"), list(every_file()))
def test_every_file_says_what_it_gives_and_runs_once_bound(package: str, name: str) -> None:
    query = load(package, name)
    assert query.text.startswith("# "), f"{query.name}: open with a comment on what it gives"
    for blocks in ([SAMPLE, ox.Literal('a "quoted" line\n')], [], None):
        run(query, bound(query, blocks))


def test_every_file_is_read_by_a_module() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in sources())
    unread = [f"{package}: {name}" for package, name in every_file() if f'"{name}"' not in source]
    assert unread == [], "no module loads these"


# -- no query left in a Python string ---------------------------------------------------------

QUERY_SHAPES = re.compile(
    r"\bSELECT\b[\s\S]*?\bWHERE\s*\{|\b(?:CONSTRUCT|ASK)\s*\{|\bDESCRIBE\s+[?$<]"
    r"|\b(?:INSERT|DELETE)\s*(?:DATA\s*)?\{|\bDELETE\s+WHERE\b|\bPREFIX\s+\w*:\s*<"
    r"|\b(?:DROP|CLEAR|CREATE)\s+(?:SILENT\s+)?(?:GRAPH|DEFAULT|NAMED|ALL)\b"
)
# kg.store.sparql writes the data blocks of updates: quads serialised by pyoxigraph, not text
DATA_BLOCKS = re.compile(r"^(?:INSERT|DELETE) DATA \{$")
ALLOWED = {"kg/store/sparql.py": DATA_BLOCKS}


def sources() -> list[Path]:
    return [
        p
        for folder in ("kg", "server")
        for p in sorted((ROOT / folder).rglob("*.py"))
        if "__pycache__" not in p.parts
    ]


def strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string literal but docstrings (whose examples are prose), f-strings with each
    placeholder as one character."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    parts = {
        id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "\x00" for v in node.values)
            yield node.lineno, text
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings and id(node) not in parts:
                yield node.lineno, node.value


def queries_in(source: str, where: str) -> list[str]:
    allowed = ALLOWED.get(where)
    return [
        f"{where}:{line}: {text.strip()[:70]!r}"
        for line, text in strings(ast.parse(source, where))
        for shape in QUERY_SHAPES.finditer(text)
        if not (allowed and allowed.match(shape.group()))
    ]


def test_no_module_keeps_a_query_in_a_string() -> None:
    found = [
        hit
        for path in sources()
        for hit in queries_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == [], "move these into an rq/ folder (kg.store.queries):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'Q = "SELECT ?s WHERE { ?s ?p ?o }"',
        'Q = f"""\nDELETE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"""',
        "Q = 'ASK { ?s ?p ?o }'",
        'Q = f"DROP SILENT GRAPH <{g}>"',
        'Q = "PREFIX ckg: <https://w3id.org/conflict-kg/ontology#>\\n"',
        'def f():\n    return store.select(f"SELECT ?x WHERE {{ {block} }}")',
    ],
)
def test_the_scan_finds_a_query(source: str) -> None:
    assert queries_in(source, "kg/any.py")


def test_the_scan_leaves_prose_docstrings_and_data_blocks() -> None:
    source = (
        'def f():\n    """SELECT ?x WHERE { ?x ?p ?o } runs."""\n'
        '    raise QueryError("Not a SELECT query with a WHERE clause")\n'
    )
    assert queries_in(source, "kg/any.py") == []
    data = 'def insert(b):\n    return f"INSERT DATA {{\\n{b}\\n}}"\n'
    assert queries_in(data, "kg/store/sparql.py") == []
    assert queries_in(data, "kg/any.py")


# -- the helpers --------------------------------------------------------------------------------


def test_values_escapes_literals_so_a_value_cannot_change_the_query() -> None:
    store = ox.Store()
    tricky = ['a "quoted" word', "back\\slash", "two\nlines", '" } ; DROP ALL ; #', "été"]
    text = f"SELECT ?x WHERE {{ {values('x', [ox.Literal(t) for t in tricky])} }}"
    assert [row["x"].value for row in store.query(text)] == tricky


def test_values_serialises_iris_and_typed_literals() -> None:
    number = ox.Literal("3", datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
    block = values("x", ["http://example.org/a", ox.NamedNode("urn:b"), number])
    xsd = PREFIXES["xsd"]
    assert block == f'VALUES ?x {{ <http://example.org/a> <urn:b> "3"^^<{xsd}integer> }}'
    assert values("x", []) == "VALUES ?x { <urn:kg:none> }"  # a row nothing matches


@pytest.mark.parametrize(
    "item",
    [
        "http://example.org/a b",
        "http://example.org/a>b",
        'http://example.org/a"b',
        "http://example.org/<a>",
        "relative/iri",
        "",
        ox.BlankNode("b"),
        ox.Variable("v"),
        3,
        None,
    ],
)
def test_values_refuses_what_is_not_an_iri_or_a_literal(item: object) -> None:
    with pytest.raises(QueryError):
        values("x", [item])  # type: ignore[list-item]


@pytest.mark.parametrize("var", ["x y", "x}", "?x", "", "1x"])
def test_values_refuses_a_bad_variable_name(var: str) -> None:
    with pytest.raises(QueryError):
        values(var, ["http://example.org/a"])


QUERY = Sparql(
    "test",
    '# a $comment and { "$string" }\n'
    "SELECT ?s WHERE {\n"
    "  VALUES $s { }\n"
    "  { GRAPH $graph { ?s $property ?o } }\n"
    '  FILTER(?o != "$kept")\n'
    "} LIMIT $most\n",
)


def test_parameters_are_the_dollar_names_outside_strings_iris_and_comments() -> None:
    assert QUERY.params == {"s", "graph", "property", "most"}
    assert QUERY.blocks == {"s"}


def test_binding_fills_blocks_terms_and_branches() -> None:
    text = QUERY(
        s=["http://example.org/a"],
        graph=["http://example.org/g1", "http://example.org/g2"],
        property=ox.NamedNode("http://example.org/p"),
        most=5,
    )
    assert "VALUES ?s { <http://example.org/a> }" in text
    assert (
        "{ GRAPH <http://example.org/g1> { ?s <http://example.org/p> ?o } } UNION "
        "{ GRAPH <http://example.org/g2> { ?s <http://example.org/p> ?o } }"
    ) in text
    assert text.endswith("LIMIT 5\n") and '"$kept"' in text and "a $comment" in text
    every = QUERY(s=None, graph=ox.Variable("g"), property="http://example.org/p", most=1)
    assert "VALUES" not in every and "GRAPH ?g {" in every


def test_binding_in_two_steps() -> None:
    partial = QUERY.bind(graph="http://example.org/g", property="http://example.org/p")
    assert partial.params == {"s", "most"}
    assert "GRAPH <http://example.org/g>" in partial(s=None, most=1)


def test_a_parameter_left_unbound_or_unknown_is_an_error() -> None:
    with pytest.raises(QueryError, match=r"\$graph"):
        QUERY(s=None, property=SAMPLE, most=1)
    with pytest.raises(QueryError, match=r"\$other"):
        QUERY.bind(other=SAMPLE)
    with pytest.raises(QueryError):
        QUERY(s=None, graph="not an iri", property=SAMPLE, most=1)
    with pytest.raises(QueryError):
        QUERY(s=None, graph=ox.BlankNode("b"), property=SAMPLE, most=1)


def test_a_file_whose_parameter_is_also_a_variable_is_refused(tmp_path: Path) -> None:
    import sys

    package = tmp_path / "clash_pkg"
    (package / "rq").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "rq" / "q.rq").write_text("# q\nSELECT ?g WHERE { GRAPH $g { ?s ?p ?o } }\n")
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.raises(QueryError, match="parameter and a"):
            load("clash_pkg", "q")
        with pytest.raises(QueryError, match="no SPARQL file"):
            load("clash_pkg", "missing")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("clash_pkg", None)
