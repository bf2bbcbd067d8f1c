"""Corpora as CSV / JSON Lines, and extraction in worker processes.

The benchmarks are in bench/ (run on demand); these tests check behaviour, quickly.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

import kg.build
from kg.build import build
from kg.cli import main
from kg.errors import ArticleError
from kg.parallel import chunk_size, map_chunks
from kg.read.corpus import Columns, read_corpus
from kg.store import Store

FAKES = Path("/work/shared/corpora/fakes_dev.csv")
FAKES_COLUMNS = Columns(
    text="article_content",
    date="date",
    title="article_title",
    publisher="source",
    id="unit_id",
    date_format="%m/%d/%Y",
)
ROWS = [
    {
        "unit_id": "a1",
        "date": "11/09/2017",
        "source": "Associated Press",
        "article_title": "Capture",
        "article_content": "Syrian government forces captured the town of Abu Kamal on Thursday, "
        "the Syrian Observatory for Human Rights said.",
    },
    {
        "unit_id": "a2",
        "date": "11/13/2017",
        "source": "AFP",
        "article_title": "Retaken",
        "article_content": "Islamic State fighters recaptured Abu Kamal on Saturday, AFP said, "
        "citing the Syrian Observatory for Human Rights.",
    },
    {
        "unit_id": "bad-date",
        "date": "2017-13-45",
        "source": "AFP",
        "article_title": "x",
        "article_content": "Clashes continued near Deir ez-Zor on Sunday, a monitor said.",
    },
    {
        "unit_id": "empty",
        "date": "11/13/2017",
        "source": "AFP",
        "article_title": "y",
        "article_content": "   ",
    },
    {
        "unit_id": "",
        "date": "",
        "source": "",
        "article_title": "",
        "article_content": "Rebels shelled the city of Aleppo, killing at least five civilians.",
    },
]


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_rows_become_articles_and_bad_rows_are_named(tmp_path: Path) -> None:
    found = list(read_corpus(write_csv(tmp_path / "c.csv", ROWS), FAKES_COLUMNS))
    articles = [a for a in found if not isinstance(a, ArticleError)]
    errors = [e.message for e in found if isinstance(e, ArticleError)]
    assert [a.stem for a in articles][:2] == ["a1", "a2"]
    assert (
        articles[0].published == dt.date(2017, 11, 9)
        and articles[0].publisher == "Associated Press"
    )
    assert articles[0].title == "Capture"
    assert articles[2].stem.startswith("row_")  # no id: a stable hash of the text
    assert len(errors) == 2
    assert "row 3 (id bad-date)" in errors[0] and "--date-format" in errors[0]
    assert "row 4 (id empty)" in errors[1] and "empty" in errors[1]


def test_a_repeated_id_loses_no_text(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A row that repeats an id with the same text is stored once; with another text it is
    stored under the id and its text's hash; both are said, and the build succeeds."""
    first, other = ROWS[0], ROWS[1] | {"unit_id": "a1"}
    corpus = write_csv(tmp_path / "c.csv", [first, dict(first), other])
    notes: list[str] = []
    found = list(read_corpus(corpus, FAKES_COLUMNS, notes))
    assert [a.stem for a in found][0] == "a1" and found[1].stem.startswith("a1_")
    assert [a.text for a in found] == [found[0].text, found[1].text] and len(found) == 2
    assert "row 2 (id a1): the same text as row 1, stored once" in notes[0]
    assert (
        f"row 3 (id a1): the id names row 1, whose text differs; stored as {found[1].stem}"
        in notes[1]
    )
    options = ["--text-column", "article_content", "--date-column", "date", "--id-column",
               "unit_id", "--date-format", "%m/%d/%Y"]  # fmt: skip
    assert main(["build", str(corpus), "--store", str(tmp_path / "store"), *options]) == 0
    printed = capsys.readouterr()
    assert printed.err.count("note: ") == 2 and "2 articles built" in printed.out + printed.err


def test_jsonl_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    lines = [
        json.dumps({"id": "j1", "text": "Rebels shelled Aleppo.", "date": "2017-11-09"}),
        "{not json",
        json.dumps({"id": "j2", "body": "no text column"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = list(read_corpus(path, Columns()))
    assert found[0].stem == "j1" and found[0].published == dt.date(2017, 11, 9)
    assert "row 2" in found[1].message and "not valid JSON" in found[1].message
    assert "no column 'text'" in found[2].message


def test_a_csv_with_a_header_and_no_rows_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("id,text,date\n", encoding="utf-8")
    [found] = list(read_corpus(path, Columns()))
    assert "no rows under its header" in found.message and str(path) in found.message


def test_kg_build_csv_with_column_options(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    corpus = write_csv(tmp_path / "corpus.csv", ROWS)
    code = main(
        [
            "build",
            str(corpus),
            "--store",
            str(tmp_path / "store"),
            "--workers",
            "1",
            "--text-column",
            "article_content",
            "--date-column",
            "date",
            "--title-column",
            "article_title",
            "--publisher-column",
            "source",
            "--id-column",
            "unit_id",
            "--date-format",
            "%m/%d/%Y",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1  # two rows rejected, the rest landed
    assert out.startswith("3 articles built") and "2 rejected" in out
    assert "row 3 (id bad-date)" in err
    rows = Store(tmp_path / "store", read_only=True).select(
        "SELECT ?stem WHERE { ?a ckg:stem ?stem }"
    )
    assert {"a1", "a2"} <= {r["stem"].value for r in rows}


def test_map_chunks_keeps_order() -> None:
    assert list(map_chunks(sorted, [3, 1, 2, 9, 8, 7, 5], workers=2, size=2)) == [
        [1, 3],
        [2, 9],
        [7, 8],
        [5],
    ]
    assert chunk_size(1000, 2) == 32 and chunk_size(10, 4) == 1


def test_workers_write_the_same_graphs_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_csv(tmp_path / "c.csv", [r for r in ROWS if r["unit_id"] in ("a1", "a2", "")])
    monkeypatch.setattr(kg.build, "PARALLEL_MIN_WORDS", 0)
    graphs = []
    for workers in (1, 2):
        store = Store(tmp_path / f"store{workers}")
        report = build(store, [corpus], columns=FAKES_COLUMNS, workers=workers)
        assert report.articles == 3 and report.ok
        graphs.append(sorted(str(q) for q in store.quads()))
        del store
    assert graphs[0] == graphs[1]


@pytest.mark.skipif(not FAKES.exists(), reason="FA-KES development corpus absent")
def test_fakes_dev_rows_all_read_and_a_sample_builds(tmp_path: Path) -> None:
    notes: list[str] = []
    found = list(read_corpus(FAKES, FAKES_COLUMNS, notes))
    # 642 rows, 11 of which repeat an earlier row of their id (stored once) and one that
    # gives an id to another text (stored under the id and its text's hash)
    assert len(found) == 631 and len({a.stem for a in found}) == 631
    assert (
        sum("stored once" in n for n in notes) == 11 and sum("stored as" in n for n in notes) == 1
    )
    assert not [e for e in found if isinstance(e, ArticleError)]
    assert all(
        a.published and dt.date(2011, 1, 1) <= a.published <= dt.date(2017, 1, 1) for a in found
    )
    with FAKES.open(encoding="utf-8", newline="") as f:
        sample = [row for _, row in zip(range(8), csv.DictReader(f), strict=False)]
    report = build(
        Store(tmp_path / "store"),
        [write_csv(tmp_path / "s.csv", sample)],
        columns=FAKES_COLUMNS,
        workers=1,
    )
    assert report.ok and report.articles == 8 and report.claims > 8
