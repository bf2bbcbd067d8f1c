"""Ingest and answers as a new user meets them: each bad input gets one line that names the file
and what to do, the rest of the batch lands, and nothing is replaced in silence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from conftest import SEEDS
from test_cli import kg

from kg.build import build, extract_chunk
from kg.read.articles import read_article
from kg.store import Store

TADEF = (
    "Army takes town\n\nSyrian government forces captured the town of Tadef from Islamic State "
    "militants on Monday, the Syrian Observatory for Human Rights said.\n"
)


def seed(n: int) -> Path:
    return sorted(SEEDS.glob("*.txt"))[n]


def test_a_huge_article_is_named_and_the_others_land(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(seed(0), folder / "a.txt")
    shutil.copy(seed(1), folder / "b.txt")
    (folder / "huge.txt").write_text("the army said the town " * 100_000)  # 2.3 MB, one line
    out = kg("build", str(folder), "--store", str(tmp_path / "store"))
    assert out.returncode == 1
    assert "2 articles built" in out.stdout
    (line,) = [x for x in out.stderr.splitlines() + out.stdout.splitlines() if "huge.txt" in x]
    assert "split it" in line
    assert "Traceback" not in out.stderr


def test_an_article_whose_extraction_raises_is_rejected_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "x.txt").write_text(TADEF)
    article = read_article(tmp_path / "x.txt")

    def crash(articles):  # noqa: ANN001, ANN202
        raise ValueError("a rule crashed")

    monkeypatch.setattr("kg.extract.run.extract_many", crash)
    (done,) = extract_chunk([article])  # a chunk of one article, as a worker gets it
    assert done.error == "ValueError: a rule crashed" and done.stem == "x"


def test_a_date_corrected_in_the_manifest_is_picked_up(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x.txt").write_text(TADEF)
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"x.txt": {"published": "2017-11-09"}}))
    store = Store(tmp_path / "store")
    assert build(store, [folder]).articles == 1
    manifest.write_text(json.dumps({"x.txt": {"published": "2017-11-15"}}))
    again = build(store, [folder])
    assert (again.articles, again.unchanged) == (1, 0)
    days = {
        r["d"].value
        for r in store.select("SELECT ?d WHERE { ?e a ckg:ControlChange ; ckg:start ?d }")
    }
    assert days == {"2017-11-13"}  # the Monday before the corrected date
    assert build(store, [folder]).unchanged == 1  # and nothing when nothing changed


def test_the_same_name_from_another_folder_keeps_both(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir(), second.mkdir()
    shutil.copy(seed(0), first / "tabqa.txt")
    shutil.copy(seed(2), second / "tabqa.txt")
    store = Store(tmp_path / "store")
    build(store, [first])
    report = build(store, [second])
    (note,) = [n for n in report.notes if "tabqa" in n]
    assert str(second / "tabqa.txt") in note and str(first / "tabqa.txt") in note
    stems = {r["s"].value for r in store.select("SELECT ?s WHERE { ?a ckg:stem ?s }")}
    assert len(stems) == 2 and "tabqa" in stems
    assert build(store, [second]).unchanged == 1  # built again: the same name as before
    assert build(store, [first]).unchanged == 1  # the first is still itself


def test_undated_articles_are_named_and_counted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "nodate.txt").write_text(TADEF)
    (folder / "feb.txt").write_text(
        "Army takes town\n\nPublished on 31 February 2017 Syrian government forces captured "
        "the town of Tadef from Islamic State militants, the Observatory said.\n"
    )
    shutil.copy(seed(0), folder / "dated.txt")
    report = build(Store(tmp_path / "store"), [folder])
    assert report.articles == 3 and report.undated == 2
    assert "2 undated" in report.summary()
    notes = [n for n in report.notes if "no publication date" in n]
    assert any("nodate.txt" in n for n in notes)
    assert any("feb.txt" in n and "31 February 2017" in n for n in notes)


def test_a_csv_with_no_text_column_says_so_once(tmp_path: Path) -> None:
    corpus = tmp_path / "c.csv"
    corpus.write_text("id,body\n" + "".join(f"{i},some text\n" for i in range(300)))
    report = build(Store(tmp_path / "store"), [corpus])
    assert len(report.rejected) == 1 and "--text-column" in report.rejected[0]


def test_an_unterminated_quote_is_named_and_the_rows_before_land(tmp_path: Path) -> None:
    corpus = tmp_path / "c.csv"
    corpus.write_text(
        "id,date,text\n"
        f'a,2017-11-14,"{TADEF}"\n'
        f'b,2017-11-14,"{TADEF}\n'  # never closed: it would swallow the row below
        f'c,2017-11-14,"{TADEF}"\n'
    )
    report = build(Store(tmp_path / "store"), [corpus])
    assert report.articles == 1
    (line,) = report.rejected
    assert "c.csv line" in line and "quote" in line


def test_claims_of_an_unknown_article_and_a_day_that_does_not_exist(seeds_store: Path) -> None:
    out = kg("claims", "--article", "nosuch", "--store", str(seeds_store))
    assert out.returncode == 1 and "No article 'nosuch'" in out.stderr
    out = kg("ask", "who-controlled", "Boukamal", "2017-11-31", "--store", str(seeds_store))
    assert out.returncode == 2 and "November 2017 has 30 days" in out.stderr


def test_export_turtle_is_turtle_without_the_caches(seeds_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.ttl"
    assert (
        kg(
            "export", "--format", "turtle", "--out", str(out), "--store", str(seeds_store)
        ).returncode
        == 0
    )
    graph = rdflib.Graph().parse(out, format="turtle")
    predicates = {str(p) for p in graph.predicates()}
    assert any(p.endswith("#controller") for p in predicates)
    internal = ("Card", "reading", "Reading", "controlSides", "controlMonth", "page", "total")
    assert not [p for p in predicates if any(word in p for word in internal)]
    missing = kg("export", "--out", "/nonexistent/dir/x.trig", "--store", str(seeds_store))
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "/nonexistent/dir" in missing.stderr


def test_who_controlled_says_how_old_its_evidence_is(seeds_store: Path) -> None:
    out = kg("ask", "who-controlled", "Boukamal", "2018-06-01", "--store", str(seeds_store))
    answer = json.loads(out.stdout)
    assert answer["latest_evidence"] == "2017-11-20"
    assert answer["days_after_latest_evidence"] == 193
    text = kg(
        "ask",
        "who-controlled",
        "Boukamal",
        "2018-06-01",
        "--format",
        "text",
        "--store",
        str(seeds_store),
    ).stdout
    assert "latest evidence published 2017-11-20, 193 days before that day" in text
    for line in [x for x in text.splitlines() if ': "' in x]:
        quoted = line.split(': "', 1)[1].rstrip('"')
        assert quoted.endswith((".", "…")), quoted  # whole, or cut between words
