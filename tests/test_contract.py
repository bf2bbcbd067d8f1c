"""docs/CONTRACT.md stays true of the product: the document is read, and what it lists is
checked against the real thing in both directions.

- the `kg` commands and their options against `kg.cli`'s parser, and the CSV columns;
- the HTTP routes and their methods against the Flask app's url_map, the `/api/` parameters
  against what the routes accept, the stored queries against `/api/queries`;
- the keys of the who-controlled answer, an alternative, a claim, its date, an entity, an error
  and a stored query against the JSON the server answers for the seeds, and the JSON of
  `kg ask` / `kg claims` against the server's.

A route, command, option or key missing from the document, or named there and missing from
the product, fails a test here: add it to docs/CONTRACT.md (with a migration note in the README
when something users rely on changes).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from conftest import ROOT, LiveServer

DOC = ROOT / "docs" / "CONTRACT.md"
COMMON_OPTIONS = {"--store", "--debug", "--help"}  # documented once, for every command
REFUSALS = {"pages.refused"}  # url rules that only refuse a malformed path (400)
PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*$")  # NAME, PATH, FILE in a documented route


# -- reading the document ----------------------------------------------------------------------


def sections() -> dict[str, str]:
    """{heading text: the text up to the next heading of any level}."""
    found: dict[str, str] = {}
    heading = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            found[heading] = ""
        elif heading is not None:
            found[heading] += line + "\n"
    return found


def section(title: str) -> str:
    found = sections()
    assert title in found, f"docs/CONTRACT.md has no heading {title!r}"
    return found[title]


def cells(line: str) -> list[str]:
    inner = line.strip().strip("|")
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", inner)]


def tables(text: str) -> list[list[list[str]]]:
    """The markdown tables of a text, each its rows of cells (header and rule dropped)."""
    found: list[list[list[str]]] = []
    rows: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            rows.append(cells(line))
        elif rows:
            found.append([r for r in rows[2:]])
            rows = []
    return found


def code(cell: str) -> str:
    """The text of a cell that is one code span."""
    match = re.fullmatch(r"`([^`]*)`", cell)
    assert match, f"expected one `code` span, got {cell!r}"
    return match.group(1)


def keys(title: str) -> dict[str, str]:
    """{key: what the document says of it} from the first table under a heading."""
    table = tables(section(title))[0]
    return {code(row[0]): row[1] for row in table}


def one_of(description: str) -> set[str]:
    """The values a key's description allows: the code spans after "one of"."""
    assert "one of" in description, description
    return set(re.findall(r"`([^`]+)`", description.split("one of", 1)[1]))


def documented_commands() -> dict[tuple[str, ...], str]:
    """{command words: the synopsis} from the command table."""
    found = {}
    for row in tables(section("Command line: `kg`"))[0]:
        synopsis = code(row[0])
        words = []
        for word in synopsis.split()[1:]:
            if not re.fullmatch(r"[a-z][a-z-]*", word):
                break
            words.append(word)
        found[tuple(words)] = synopsis
    return found


def documented_routes() -> dict[str, tuple[set[str], list[str]]]:
    """{path: (methods, query parameter names)} from the route table."""
    found = {}
    for row in tables(section("HTTP (`kg serve`)"))[0]:
        match = re.fullmatch(r"([A-Z]+(?:, [A-Z]+)*) (/[^?\s]*)(?:\?(\S*))?", code(row[0]))
        assert match, f"a route is written `METHODS /path[?a=&b=]`: {row[0]!r}"
        methods, path, query = match.groups()
        found[path] = (set(methods.split(", ")), re.findall(r"([a-z_]+)=", query or ""))
    return found


def normal(path: str) -> str:
    """A route with its variable parts as `*`: `/api/queries/NAME` and
    `/api/queries/<name>` are both `/api/queries/*`."""
    parts = ["*" if PLACEHOLDER.match(p) or p.startswith("<") else p for p in path.split("/")]
    return "/".join(parts).rstrip("/") or "/"


# -- the product ---------------------------------------------------------------------------------


def leaf_parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every runnable `kg` command ("ask who-controlled" is one) and its parser."""
    from kg.cli import parser

    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(p: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[words] = p
        for action in subs:
            for name, child in action.choices.items():
                walk(child, (*words, name))

    walk(parser(), ())
    return found


def long_options(p: argparse.ArgumentParser) -> set[str]:
    return {o for a in p._actions for o in a.option_strings if o.startswith("--")}


def get(server: LiveServer, path: str, accept: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(server.url + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def kg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- the command line ------------------------------------------------------------------------------


def test_every_command_is_documented_and_every_documented_one_exists() -> None:
    documented, real = set(documented_commands()), set(leaf_parsers())
    assert real - documented == set(), "commands missing from docs/CONTRACT.md"
    assert documented - real == set(), "commands in docs/CONTRACT.md that kg does not have"


def test_each_command_has_exactly_the_documented_options() -> None:
    parsers = leaf_parsers()
    for words, synopsis in documented_commands().items():
        real = long_options(parsers[words])
        assert COMMON_OPTIONS <= real, f"kg {' '.join(words)} lacks --store or --debug"
        documented = set(re.findall(r"--[a-z][a-z-]*", synopsis))
        assert documented == real - COMMON_OPTIONS, f"kg {' '.join(words)}: {synopsis}"


def test_documented_format_choices_are_the_real_ones() -> None:
    parsers = leaf_parsers()
    checked = 0
    for words, synopsis in documented_commands().items():
        for option, values in re.findall(r"(--[a-z-]+) ([a-z]+(?:\|[a-z]+)+)", synopsis):
            action = next(a for a in parsers[words]._actions if option in a.option_strings)
            assert set(values.split("|")) == set(action.choices or ()), f"{synopsis}: {option}"
            checked += 1
    assert checked >= 5  # claims, query, export, ask, eval, eval-control


def test_the_csv_columns_are_documented_in_order() -> None:
    from kg.claim_view import claim_view

    text = section("Command line: `kg`")
    line = next(s for s in text.splitlines() if s.startswith("`id`, "))
    assert re.findall(r"`([^`]+)`", line) == list(claim_view().view("export"))


def test_claim_types_are_where_the_document_says() -> None:
    """The document names no claim type (a new type is a rule and its entry in
    kg/data/claims.json): it says where they are declared and listed, and they are there."""
    from kg.claim_view import claim_view

    view, documented = claim_view(), keys("A claim")["type"]
    assert "`kg/data/claims.json`" in documented and "`kg claims --help`" in documented
    assert not set(re.findall(r"`([^`]+)`", documented)) & set(view.type_names), documented
    kg_claims = leaf_parsers()[("claims",)]
    choices = next(a.choices for a in kg_claims._actions if "--type" in a.option_strings)
    assert set(choices or ()) == set(view.type_names)
    shown = "".join(kg_claims.format_help().split())  # as the help wraps it
    for t in view.types.values():
        assert "".join(f"{t.name} ({t.describes})".split()) in shown, t.name


def test_the_claim_keys_are_documented_as_declared() -> None:
    """docs/CONTRACT.md's table of a claim's keys is the declaration's, in its order."""
    from kg.claim_view import claim_view

    assert list(keys("A claim")) == list(claim_view().keys)


def test_documented_environment_variables_are_read() -> None:
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for folder in ("kg", "server")
        for p in (ROOT / folder).rglob("*.py")
    )
    names = [code(row[0]) for row in tables(section("Environment"))[0]]
    assert names
    for name in names:
        assert name in source, f"{name} is documented but nothing reads it"


def test_the_documented_manifest_fields_are_read(tmp_path: Path) -> None:
    from kg.read.articles import read_article

    block = re.search(r"```json\n(.*?)\n```", section("`manifest.json` beside the articles"), re.S)
    assert block
    [(name, meta)] = json.loads(block.group(1)).items()
    article = tmp_path / name
    article.write_text("Rebels captured the town of Kafr Salem on Sunday, AFP said.\n")
    read = read_article(article, meta)
    assert (read.publisher, read.title, read.url) == (meta["publisher"], meta["title"], meta["url"])
    assert read.published is not None and read.published.isoformat() == meta["published"]


def test_the_cli_prints_the_server_json_and_fails_in_one_line(
    seeds_store: Path, seeds_server: LiveServer
) -> None:
    store = str(seeds_store)
    asked = kg("ask", "who-controlled", "Boukamal", "2017-11-12", "--store", store)
    assert asked.returncode == 0, asked.stderr
    status, answer = get(seeds_server, "/api/who-controlled?place=Boukamal&date=2017-11-12")
    assert status == 200 and json.loads(asked.stdout) == answer

    listed = kg("claims", "--format", "jsonl", "--limit", "25", "--store", store)
    assert listed.returncode == 0, listed.stderr
    status, claims = get(seeds_server, "/api/claims?limit=25")
    assert status == 200 and [json.loads(line) for line in listed.stdout.splitlines()] == claims

    unknown = kg("ask", "who-controlled", "Nowhere-at-all", "2017-11-12", "--store", store)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("kg ask: ") and unknown.stderr.count("\n") == 1

    usage = kg("claims", "--limit", "many", "--store", store)
    assert usage.returncode == 2


def test_store_given_between_ask_and_the_question(seeds_store: Path, tmp_path: Path) -> None:
    asked = kg(
        "ask", "--store", str(seeds_store), "who-controlled", "Boukamal", "2017-11-12", cwd=tmp_path
    )
    assert asked.returncode == 0, asked.stderr


# -- HTTP ------------------------------------------------------------------------------------------


def test_every_route_is_documented_with_its_methods(seeds_store: Path) -> None:
    from server import create_app

    app = create_app({"KG_STORE": str(seeds_store)})
    real: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in REFUSALS:
            real.setdefault(normal(rule.rule), set()).update(rule.methods or ())
    documented = {normal(path): methods for path, (methods, _) in documented_routes().items()}
    assert set(real) - set(documented) == set(), "routes missing from docs/CONTRACT.md"
    assert set(documented) - set(real) == set(), "routes in docs/CONTRACT.md the app lacks"
    for path, methods in documented.items():
        assert methods <= real[path], f"{path}: {methods - real[path]} not served"
        assert real[path] - {"HEAD", "OPTIONS"} <= methods, f"{path}: document every method"


def test_api_parameters_are_the_documented_ones(seeds_server: LiveServer) -> None:
    checked = 0
    for path, (_, names) in documented_routes().items():
        if not names or not path.startswith("/api/"):
            continue  # the pages take what a browser's form sends
        status, answer = get(seeds_server, f"{path}?not_a_parameter=1")
        assert status == 400, (path, answer)
        expected = re.search(r"\(expected: ([^)]*)\)", answer["error"])
        assert expected, answer
        assert set(expected.group(1).split(", ")) == set(names), path
        checked += 1
    assert checked >= 4


def test_errors_have_the_documented_shape(seeds_server: LiveServer) -> None:
    shape = set(keys("Errors"))
    for path in (
        "/api/who-controlled?place=Boukamal",
        "/api/who-controlled?place=Nowhere-at-all&date=2017-11-12",
        "/api/claims?type=rumour",
        "/api/queries/no_such_query",
        "/api/no-such-route",
        "/sparql?query=SELECT",
        "/store",
    ):
        status, answer = get(seeds_server, path)
        assert status >= 400 and isinstance(answer, dict), (path, answer)
        assert set(answer) == shape and answer["status"] == status, (path, answer)
    status, answer = get(seeds_server, "/sparql?query=ASK%7B%7D", accept="image/png")
    assert status == 406 and set(answer) == shape


def test_sparql_without_a_query_describes_the_service(seeds_server: LiveServer) -> None:
    status, body = get(seeds_server, "/sparql", accept="text/turtle")
    assert status == 200 and b"sparql-service-description#Service" in body


def test_stored_queries_are_the_documented_ones(seeds_server: LiveServer) -> None:
    listing, param = keys("Stored queries"), keys("A stored query's parameter")
    table = tables(section("The stored queries"))[0]
    documented = {
        code(row[0]): [p.strip().strip("`") for p in row[1].split(",") if p.strip()]
        for row in table
    }
    status, queries = get(seeds_server, "/api/queries")
    assert status == 200
    real = {
        q["name"]: [p["name"] + ("*" if p["required"] else "") for p in q["params"]]
        for q in queries
    }
    assert real == documented
    for q in queries:
        assert set(q) == set(listing), q["name"]
        for p in q["params"]:
            assert set(p) == set(param), (q["name"], p)
            assert p["type"] in one_of(param["type"]), (q["name"], p)


# -- the JSON ------------------------------------------------------------------------------------


def check_entity(entity: dict | None, where: str) -> None:
    if entity is None:
        return
    documented = keys("ENTITY")
    assert set(entity) == set(documented), where
    assert entity["type"] in one_of(documented["type"]) or entity["type"] == entity["class"]


def check_claim(claim: dict) -> None:
    from kg.claim_view import claim_view

    documented = keys("A claim")
    assert set(claim) == set(documented), claim["id"]
    assert claim["type"] in claim_view().type_names
    if claim["date"] is not None:
        assert set(claim["date"]) == set(keys("A claim's `date`")), claim["id"]
    for role in ("place", "agent", "target", "controller", "claimant"):
        check_entity(claim[role], f"{claim['id']} {role}")
    for reporter in claim["reported_by"]:
        check_entity(reporter, f"{claim['id']} reported_by")


def test_the_who_controlled_answer_has_the_documented_keys(seeds_server: LiveServer) -> None:
    answer_keys, alternative_keys = keys("The who-controlled answer"), keys("An alternative")
    seen_alternatives = 0
    for query in ("place=Boukamal&date=2017-11-12", "place=Q152828&date=2010-01-01"):
        status, answer = get(seeds_server, f"/api/who-controlled?{query}")
        assert status == 200
        assert set(answer) == set(answer_keys), query
        assert answer["status"] in one_of(answer_keys["status"])
        check_entity(answer["place"], "place")
        check_entity(answer["controller"], "controller")
        for claim in answer["evidence"]:
            check_claim(claim)
        for alt in answer["alternatives"]:
            seen_alternatives += 1
            assert set(alt) == set(alternative_keys)
            assert alt["status"] in one_of(alternative_keys["status"])
            check_entity(alt["controller"], "alternative")
            for claim in alt["evidence"]:
                check_claim(claim)
    assert seen_alternatives  # Boukamal's answer supersedes the government's capture


def test_every_claim_has_the_documented_keys(seeds_server: LiveServer) -> None:
    status, claims = get(seeds_server, "/api/claims")
    assert status == 200 and len(claims) > 100
    for claim in claims:
        check_claim(claim)
    assert any(c["date"] is not None for c in claims)


def test_the_examples_use_documented_keys() -> None:
    documented: set[str] = set()
    for heading in (
        "The who-controlled answer",
        "An alternative",
        "A claim",
        "A claim's `date`",
        "ENTITY",
    ):
        documented |= set(keys(heading))
    examples = 0
    for heading, text in sections().items():
        if "manifest" in heading:
            continue
        for block in re.findall(r"```json\n(.*?)\n```", text, re.S):
            json.loads(block)  # an example stays valid JSON
            used = set(re.findall(r'"([a-z_]+)":', block))
            assert used <= documented, f"{heading}: {used - documented} not documented"
            examples += 1
    assert examples >= 2


def test_the_web_page_json_has_the_documented_keys(seeds_server: LiveServer) -> None:
    match = keys("A search match (`/api/search`)")
    status, found = get(seeds_server, "/api/search?q=abu")
    assert status == 200 and found
    for item in found:
        assert set(item) == set(match), item
        assert item["kind"] in one_of(match["kind"]), item

    status, page = get(seeds_server, "/api/claims/table?limit=5")
    assert status == 200
    assert set(page) == set(keys("A page of the claims browser (`/api/claims/table`)"))
    text = section("A page of the claims browser (`/api/claims/table`)")
    line = next(s for s in text.splitlines() if s.startswith("`type`, "))
    columns = re.findall(r"`([^`]+)`", line)
    status, rows = get(seeds_server, "/api/claims/table?limit=5&format=json")
    assert status == 200 and len(rows) == 5
    for row in rows:
        assert list(row) == columns
    status, body = get(seeds_server, "/api/claims/table?limit=5&format=csv", accept="text/csv")
    assert status == 200 and body.decode().splitlines()[0].split(",") == columns
