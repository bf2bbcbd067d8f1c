"""`kg eval-control`: who-controlled scored against gold cases, on a corpus written here, and
on the blind development sets when the FA-KES corpus is beside the project."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kg.ask.evaluate_control import evaluate_control
from kg.build import build

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "fakes_dev.csv"
FIELDS = ["unit_id", "date", "source", "location", "article_title", "article_content"]


def write_corpus(path: Path) -> None:
    rows = [
        {"unit_id": "1", "date": "3/14/2019", "source": "wire", "location": "",
         "article_title": "Rebels take town",
         "article_content": "Rebel fighters captured the town of Qantara on Tuesday the "
                            "Syrian Observatory for Human Rights said. Air strikes hit the "
                            "nearby village of Marj Sultan."},
    ]  # fmt: skip
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def test_cases_are_scored_with_their_causes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.csv"
    write_corpus(corpus)
    gold = {
        "articles": {"1": {"published": "2019-03-14"}},
        "cases": [
            {"article": "1", "place": "Qantara", "date": "2019-03-13",
             "expect": ["rebels", "Syrian opposition"], "claimant": ["SOHR"], "kind": "capture",
             "wording": "verb; weekday"},
            {"article": "1", "place": "Qantara", "date": "2019-03-13",
             "expect": ["Islamic State"], "kind": "capture", "wording": "verb"},
            {"article": "1", "place": "Marj Sultan", "date": "2019-03-14", "expect_none": True},
            {"article": "1", "place": "Atlantis", "date": "2019-03-14", "expect": ["rebels"],
             "kind": "held", "wording": "list"},
        ],
    }  # fmt: skip
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold))
    scores = evaluate_control(path, corpus, None, build).as_dict()
    assert scores["positive"] == (1, 3) and scores["negative"] == (1, 1)
    assert scores["claimant"] == (1, 1)
    assert scores["causes"] == {"another controller": 1, "place not found": 1}
    assert scores["by_wording"]["weekday"] == (1, 1) and scores["by_wording"]["list"] == (0, 1)


@pytest.mark.skipif(not CORPUS.exists(), reason="the FA-KES corpus is not beside the project")
@pytest.mark.parametrize(
    "gold, floor, none_floor",
    [
        (SHARED / "gold" / "dev_control.json", 0.81, 0.95),
        (ROOT / "tests/gold/dev_control_2.json", 0.74, 0.95),
        (ROOT / "tests/gold/dev_control_3.json", 0.70, 0.95),
        (ROOT / "tests/gold/dev_control_4.json", 0.78, 0.95),
        # set 5 makes 'terrorists fired shells on the besieged al-Fouaa town' a place no one is
        # said to hold; sets 7 and 8 read the same wording as held by the side under siege
        # (set 7's guideline 29, a set-8 clarification), and the extractor follows them
        (ROOT / "tests/gold/dev_control_5.json", 0.75, 0.90),
        (ROOT / "tests/gold/dev_control_6.json", 0.74, 0.95),
        (ROOT / "tests/gold/dev_control_7.json", 0.70, 0.95),
        (ROOT / "tests/gold/dev_control_8.json", 0.60, 0.95),
    ],
)
def test_blind_development_sets_stay_above_their_floor(gold: Path, floor: float,
                                                       none_floor: float) -> None:
    if not gold.exists():
        pytest.skip(f"{gold} is absent")
    scores = evaluate_control(gold, CORPUS, None, build).as_dict()
    right, total = scores["positive"]
    assert right / total >= floor
    right, total = scores["negative"]
    assert right / total >= none_floor


def test_the_wire_articles_written_blind_stay_above_their_floor() -> None:
    """tests/gold/dev_control_9.json: 24 wire-style articles about 2017-2019, written with
    their gold by a writer who never saw the rules (the articles are in the repository)."""
    gold = ROOT / "tests/gold/dev_control_9.json"
    scores = evaluate_control(gold, ROOT / "tests/gold/dev_control_9_articles.csv", None,
                              build).as_dict()
    right, total = scores["positive"]
    assert right / total >= 0.75
    right, total = scores["negative"]
    assert right / total >= 0.95
