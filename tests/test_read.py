"""Reading articles: page furniture removed by general rules, items, publication dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kg.errors import ArticleError, ManifestError
from kg.read.articles import find_articles, load_manifest, read_article

PAGE = """Hello Subscribers,

Thanks for reading the Levant Ledger. Our archive stays open while we rebuild the site, \
and you can write to us at desk@example.org.

Weekly Briefing for March 4th

Published on Mar. 4, 2019 Read time Approx. 2 minutes

Army Pushes Into Northern Hills Near Border

Government troops advanced on Sunday toward the hills north of the border town, the ministry said.

The advance followed a week of shelling, residents said.

Aid Convoy Reaches Besieged Suburb

A convoy of twelve trucks entered the suburb on Saturday, a United Nations official said.

Related Articles

Subscribe to our newsletter.

Follow us

Contact"""


def test_letter_tail_and_metadata_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(PAGE, encoding="utf-8")
    article = read_article(path)
    assert article.published == dt.date(2019, 3, 4) and article.published_from == "text"
    for furniture in (
        "Subscribers",
        "desk@example.org",
        "Related Articles",
        "Follow us",
        "Read time",
        "newsletter",
    ):
        assert furniture not in article.text
    headlines = [i.headline for i in article.items]
    assert headlines == [
        "Weekly Briefing for March 4th",
        "Army Pushes Into Northern Hills Near Border",
        "Aid Convoy Reaches Besieged Suburb",
    ]
    assert (
        article.items[1].paragraphs[-1]
        == "The advance followed a week of shelling, residents said."
    )
    assert article.items[2].paragraphs == [
        "A convoy of twelve trucks entered the suburb on Saturday, a United Nations official said."
    ]


def test_sentence_case_subheads_stay_in_their_item(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(
        "Army retakes a river town from militants\n\nThe army said it retook the town."
        "\n\nFighting in the valley\n\nClashes continued in the valley, a monitor said.",
        encoding="utf-8",
    )
    article = read_article(path, {"published": "2019-05-02", "publisher": "Wire"})
    assert len(article.items) == 1 and article.published_from == "manifest"
    assert "Fighting in the valley" in article.items[0].paragraphs


def test_text_date_wins_over_manifest(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Published on 2 April 2018\n\nTroops entered the town, a source said.", encoding="utf-8"
    )
    assert read_article(path, {"published": "2018-01-01"}).published == dt.date(2018, 4, 2)


def test_no_date_anywhere_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Troops entered the town on Friday, a source said.", encoding="utf-8")
    article = read_article(path)
    assert article.published is None and article.items


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "HTML"),
    ],
)
def test_bad_files_are_named_with_the_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError, match=reason) as err:
        read_article(path)
    assert str(path) in err.value.message


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Troops took the town \x96 a monitor said \x93it fell\x94.".encode("latin-1"))
    assert "\u201cit fell\u201d" in read_article(path).text


def test_manifest_errors(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ManifestError, match="manifest.json"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(
        '{"a.txt": {"published": "last week"}}', encoding="utf-8"
    )
    (tmp_path / "a.txt").write_text("Troops took the town, a monitor said.", encoding="utf-8")
    [(path, meta)] = list(find_articles([tmp_path]))
    with pytest.raises(ArticleError, match="YYYY-MM-DD"):
        read_article(path, meta)
