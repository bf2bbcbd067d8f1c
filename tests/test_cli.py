"""The `kg` command as users run it: real processes, real stores, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEEDS, write_articles


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_ask_json_and_text(seeds_store: Path) -> None:
    out = kg("ask", "who-controlled", "Boukamal", "2017-11-12", "--store", str(seeds_store))
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["controller"]["wikidata"] == "Q2429253" and answer["date"] == "2017-11-12"
    text = kg(
        "ask",
        "who-controlled",
        "Albu Kamal",
        "2017-11-12",
        "--as-of",
        "2017-11-10",
        "--format",
        "text",
        "--store",
        str(seeds_store),
    )
    assert text.stdout.startswith(
        "Abu Kamal on 2017-11-12 (as known on 2017-11-10): Government of Syria"
    )


def test_claims_formats(seeds_store: Path) -> None:
    lines = kg(
        "claims", "--type", "control", "--format", "jsonl", "--store", str(seeds_store)
    ).stdout
    claims = [json.loads(line) for line in lines.splitlines()]
    assert claims and all(c["type"] == "control" for c in claims)
    assert set(claims[0]) >= {
        "id",
        "article",
        "published",
        "sentence",
        "date",
        "place",
        "agent",
        "target",
        "controller",
        "claimant",
        "reported_by",
        "hedged",
        "contested",
    }
    rows = list(
        csv.DictReader(
            io.StringIO(
                kg(
                    "claims",
                    "--article",
                    "001_f70243738f423680",
                    "--format",
                    "csv",
                    "--store",
                    str(seeds_store),
                ).stdout
            )
        )
    )
    assert rows and {r["article"] for r in rows} == {"001_f70243738f423680"}
    by_place = kg(
        "claims", "--place", "Deir el-Zour", "--format", "jsonl", "--store", str(seeds_store)
    )
    assert all(
        json.loads(x)["place"]["label"] == "Deir ez-Zor" for x in by_place.stdout.splitlines()
    )


def test_every_sentence_is_a_claim(seeds_store: Path) -> None:
    lines = kg("claims", "--format", "jsonl", "--store", str(seeds_store)).stdout.splitlines()
    claims = [json.loads(x) for x in lines]
    for article in {c["article"] for c in claims}:
        indices = sorted(
            {int(c["id"].split("/s")[-1].split("/")[0]) for c in claims if c["article"] == article}
        )
        assert indices == list(range(len(indices)))  # no sentence without a claim


@pytest.mark.parametrize(
    ("fmt", "probe"),
    [("json", '"bindings"'), ("csv", "n\n"), ("tsv", "?n"), ("xml", "<sparql"), ("table", "n")],
)
def test_query_formats(seeds_store: Path, fmt: str, probe: str) -> None:
    out = kg(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a ckg:Claim }",
        "--format",
        fmt,
        "--store",
        str(seeds_store),
    )
    assert out.returncode == 0, out.stderr
    assert probe in out.stdout


def test_query_from_file_and_construct(seeds_store: Path, tmp_path: Path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a ckg:Town ; rdfs:label ?l }")
    out = kg("query", f"@{rq}", "--format", "turtle", "--store", str(seeds_store))
    assert "Abu Kamal" in out.stdout


def test_export_and_validate(seeds_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.nq"
    assert (
        kg(
            "export", "--format", "nquads", "--out", str(out), "--store", str(seeds_store)
        ).returncode
        == 0
    )
    graphs = {line.rsplit(" ", 2)[-2] for line in out.read_text().splitlines() if line}
    assert "<https://w3id.org/conflict-kg/id/graph/000_c61af74bb94eb2a7>" in graphs
    valid = kg("validate", "--store", str(seeds_store))
    assert valid.returncode == 0, valid.stdout
    assert "SHACL shapes: ok" in valid.stdout


def test_errors_are_one_line_and_exit_codes(seeds_store: Path, tmp_path: Path) -> None:
    unknown = kg("ask", "who-controlled", "Atlantis", "2017-11-12", "--store", str(seeds_store))
    assert (
        unknown.returncode == 1 and unknown.stderr.count("\n") == 1 and "Atlantis" in unknown.stderr
    )
    bad_date = kg("ask", "who-controlled", "Boukamal", "12/11/2017", "--store", str(seeds_store))
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    missing = kg("claims", "--store", str(tmp_path / "nowhere"))
    assert (
        missing.returncode == 1
        and "kg build" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    bad_query = kg("query", "SELEC nothing", "--store", str(seeds_store))
    assert bad_query.returncode == 1 and "Traceback" not in bad_query.stderr


def test_build_is_idempotent_and_rejects_bad_files(tmp_path: Path) -> None:
    folder = write_articles(
        tmp_path / "in",
        {
            "good.txt": "Rebels captured the town of Kafr Salem on Sunday, AFP said.",
            "empty.txt": "",
        },
        {"good.txt": {"published": "2019-03-13"}},
    )
    store = str(tmp_path / "store")
    first = kg("build", str(folder), "--store", store)
    assert first.returncode == 1
    assert "empty.txt" in first.stderr and "empty" in first.stderr
    assert first.stdout.startswith("1 articles built")
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = kg("query", count, "--format", "csv", "--store", store).stdout
    (folder / "empty.txt").unlink()
    again = kg("build", str(folder), "--store", store)
    assert again.returncode == 0 and "0 articles built, 1 unchanged" in again.stdout
    forced = kg("build", str(folder), "--force", "--store", store)
    assert forced.returncode == 0 and "1 articles built" in forced.stdout
    assert kg("query", count, "--format", "csv", "--store", store).stdout == before


def test_stems_differing_in_separators_get_their_own_graphs(tmp_path: Path) -> None:
    text = "Rebels captured the town of Kafr Salem on Sunday, AFP said."
    folder = write_articles(tmp_path / "in", {"a_b.txt": text, "a-b.txt": text, "A-B.txt": text})
    store = str(tmp_path / "store")
    assert kg("build", str(folder), "--store", store).returncode == 0
    out = kg("query", "SELECT ?s WHERE { ?a ckg:stem ?s } ORDER BY ?s", "--format", "csv",
             "--store", store)
    assert out.stdout.split() == ["s", "A-B", "a-b", "a_b"]


def test_default_path_is_seeds(tmp_path: Path) -> None:
    (tmp_path / "seeds").symlink_to(SEEDS)
    out = kg("build", "--store", str(tmp_path / "store"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("5 articles built")
