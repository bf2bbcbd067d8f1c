"""Datelines: the date a page prints before the article is its publication date; only the
dateline's words are removed, and the article text after them is kept (in .txt files and in
corpus rows, where the dateline often runs into the article's one paragraph)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kg.ask.evaluate_control import FAKES_COLUMNS
from kg.errors import ArticleError
from kg.read.articles import dateline_day, read_article, read_dateline
from kg.read.corpus import Columns, read_corpus, row_article

BODY = "A war monitor said troops entered the town on Tuesday. Residents fled north."
COLUMNS = Columns(**FAKES_COLUMNS)  # the FA-KES corpus's columns


def txt(tmp_path: Path, body: str, title: str = "Troops enter a town in the north") -> Path:
    """An article as such corpora are written out: a title, a blank line, the text."""
    path = tmp_path / "a.txt"
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("dateline", "day"),
    [
        ("Published April 19 2017", dt.date(2017, 4, 19)),
        ("Published on April 19, 2017", dt.date(2017, 4, 19)),
        ("Posted on August 3 2016", dt.date(2016, 8, 3)),
        ("Last updated at Nov 27 2017", dt.date(2017, 11, 27)),
        ("Last updated at Jul 172015", dt.date(2015, 7, 17)),  # "Jul 17, 2015", comma stripped
        ("Date of publication 10 July 2016", dt.date(2016, 7, 10)),
        ("Sun 10 Jul 2016", dt.date(2016, 7, 10)),
        ("Thu Aug 1 2013", dt.date(2013, 8, 1)),
        ("Monday 3 October 2016", dt.date(2016, 10, 3)),
        ("Thursday 31 July 2014 10:59", dt.date(2014, 7, 31)),
        ("Sat 24 Aug 2013 at 2354", dt.date(2013, 8, 24)),
        ("August 13 2016 2037 UTC+3", dt.date(2016, 8, 13)),
        ("23 February 2015", dt.date(2015, 2, 23)),
        ("Aug. 1 2016", dt.date(2016, 8, 1)),
        ("24.08.2013", dt.date(2013, 8, 24)),
        ("18-12-2014", dt.date(2014, 12, 18)),
        ("19.07.2016 (updated 1457 19.07.2016)", dt.date(2016, 7, 19)),
    ],
)
def test_a_dateline_gives_the_date_and_keeps_the_text(
    tmp_path: Path, dateline: str, day: dt.date
) -> None:
    article = read_article(txt(tmp_path, f"{dateline} {BODY}"))
    assert article.published == day and article.published_from == "text"
    assert article.items[0].paragraphs == [BODY]
    row = {"unit_id": "1", "date": "", "article_content": f"{dateline} {BODY}"}
    from_row = row_article(row, COLUMNS)
    assert from_row.published == day and from_row.text == BODY


def test_a_dateline_on_its_own_line_is_dropped(tmp_path: Path) -> None:
    article = read_article(txt(tmp_path, f"Published April 19 2017\n\n{BODY}"))
    assert article.published == dt.date(2017, 4, 19)
    assert article.text.split("\n\n") == ["Troops enter a town in the north", BODY]


@pytest.mark.parametrize(
    ("wire", "day"),
    [
        ("BEIRUT (Reuters) -", None),
        ("BEIRUT, Aug 1 (Reuters) -", None),  # no year: no date
        ("QAMISHLI, Syria (AFP) —", None),
        ("AMMAN -", None),
        ("Published April 19 2017 BEIRUT (Reuters) -", dt.date(2017, 4, 19)),
        ("MOSCOW, April 19, 2017 (RIA Novosti) -", dt.date(2017, 4, 19)),
    ],
)
def test_a_wire_dateline_is_removed(tmp_path: Path, wire: str, day: dt.date | None) -> None:
    body = "Syrian troops advanced on the town on Sunday, a monitor said."
    article = read_article(txt(tmp_path, f"{wire} {body}"))
    assert article.items[0].paragraphs == [body]
    assert article.published == day


def test_a_dateline_after_a_headline_run_into_the_paragraph(tmp_path: Path) -> None:
    """Pages flattened into one paragraph print the headline, the agency, then the date: the
    headline ends where the dateline stood, a sentence of its own."""
    text = "Air raid kills 12 at a market Monitor AFP Thursday 24 Apr 2014 " + BODY
    article = read_article(txt(tmp_path, text))
    assert article.published == dt.date(2014, 4, 24)
    assert article.items[0].paragraphs == ["Air raid kills 12 at a market Monitor AFP. " + BODY]
    agency = "Ten people killed in shelling of Raqqa 21 November 2016 SANA " + BODY
    assert read_dateline([agency]) == (
        dt.date(2016, 11, 21),
        ["Ten people killed in shelling of Raqqa. SANA " + BODY],
    )


@pytest.mark.parametrize(
    "text",
    [
        "March 15 2011 marked the start of the uprising, a monitor said.",
        "On Thursday 24 Apr 2014 the army entered the town, a monitor said.",
        "Troops entered the town on Sunday 10 Jul 2016 after a week of shelling.",
        "The talks were held in Geneva. They ended on Thursday 24 Apr 2014 without a deal.",
        "Published widely on Monday, the report named the town.",
        "February 30 2016 is no day, the monitor said.",
    ],
)
def test_dates_in_sentences_are_not_datelines(text: str) -> None:
    assert read_dateline([text]) == (None, [text])


def test_an_unlabelled_date_deep_in_the_article_is_text() -> None:
    paragraphs = [f"Paragraph {n} of the report, a monitor said." for n in range(4)]
    paragraphs.append("10 July 2016 The fighting resumed at dawn, residents said.")
    assert read_dateline(paragraphs) == (None, paragraphs)


def test_a_number_after_the_dateline_stays(tmp_path: Path) -> None:
    body = "150000 people fled the city on Tuesday, the agency said."
    article = read_article(txt(tmp_path, f"Published July 5 2016 {body}"))
    assert article.published == dt.date(2016, 7, 5) and article.text.endswith(body)


def test_a_row_of_one_short_line_after_its_dateline_is_not_rejected() -> None:
    """16 words after the date read as a headline alone: the line is kept whole, as before."""
    text = "30 October 2016 12 people were hurt in a gas attack on a district in the east of town"
    row = {"unit_id": "7", "date": "10/30/2016", "article_content": text}
    article = row_article(row, COLUMNS)
    assert article.published == dt.date(2016, 10, 30) and article.text == text


def test_the_printed_date_wins_over_the_row_date(tmp_path: Path) -> None:
    """A row's date is often the day the page was crawled; the dateline is the page's own."""
    corpus = tmp_path / "rows.csv"
    corpus.write_text(
        "unit_id,date,source,article_title,article_content\n"
        f'1,5/2/2017,wire,Troops enter a town,"Published April 19 2017 {BODY}"\n'
        f'2,5/2/2017,wire,Troops enter a town,"{BODY} More fighting was reported."\n',
        encoding="utf-8",
    )
    printed, undated = list(read_corpus(corpus, COLUMNS))
    assert not isinstance(printed, ArticleError) and not isinstance(undated, ArticleError)
    assert (printed.published, printed.published_from) == (dt.date(2017, 4, 19), "text")
    assert printed.text == BODY
    assert (undated.published, undated.published_from) == (dt.date(2017, 5, 2), "manifest")


def test_a_furniture_line_with_a_dateline_is_still_dropped(tmp_path: Path) -> None:
    article = read_article(
        txt(tmp_path, f"Published on Mar. 4, 2019 Read time Approx. 2 minutes\n\n{BODY}")
    )
    assert article.published == dt.date(2019, 3, 4) and "Read time" not in article.text


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Jul 172015", dt.date(2015, 7, 17)),
        ("Aug 012016", dt.date(2016, 8, 1)),
        ("3 Sept. 2015", dt.date(2015, 9, 3)),
        ("Mar. 4, 2019", dt.date(2019, 3, 4)),
        ("2018-04-02", dt.date(2018, 4, 2)),
        ("6-09-2013", dt.date(2013, 9, 6)),
        ("31.12.1999", dt.date(1999, 12, 31)),
        ("Feb 30 2016", None),
        ("31.02.2016", None),
    ],
)
def test_dateline_days(text: str, day: dt.date | None) -> None:
    assert dateline_day(text) == day


def test_a_byline_names_the_wire_the_publisher_carries() -> None:
    from kg.read.articles import byline_agency

    assert byline_agency(["BEIRUT (Reuters) - Troops advanced on Monday."]) == "Reuters"
    assert byline_agency(["Rebels shell city Monitor AFP At least ten people died."]) == "AFP"
    assert byline_agency(["A commander told AFP the town had fallen."]) is None
    assert byline_agency(["Troops advanced, AP said on Monday."]) is None
    # a credit closing the text
    assert byline_agency(["Troops advanced.", "The siege was lifted on Monday.-AFP"]) == "AFP"
    assert byline_agency(["Troops advanced.", "The siege was lifted on Monday. (Reuters)"]) == (
        "Reuters"
    )
    assert byline_agency(["Troops advanced.", "The commander spoke to AFP"]) is None
