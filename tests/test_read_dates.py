"""Printed dates: the fast path gives dateparser's answer for every shape it takes, and leaves
everything else to dateparser."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import dateparser
import pytest

from kg.read.articles import MONTH_NAMES, PUBLISHED, parse_date, printed_date

ROOT = Path(__file__).resolve().parent.parent


def slow(text: str):
    parsed = dateparser.parse(text, languages=["en"], settings={"STRICT_PARSING": True})
    return parsed.date() if parsed else None


def month_forms() -> list[str]:
    forms = [f for full in MONTH_NAMES for f in (full, full[:3])] + ["sept"]
    return sorted(set(forms))


def variants() -> list[str]:
    """Month forms (in turn title, lower and upper case), with and without a dot, with a
    comma, a comma without a space or none, both orders, days with and without a leading zero,
    month ends and a leap day."""
    out = []
    cases = itertools.cycle((str.title, str.lower, str.upper))
    days = [("1", "2015"), ("03", "2015"), ("29", "2016"), ("30", "2015"), ("31", "1999")]
    for form, dot, comma, (day, year) in itertools.product(
        month_forms(), ("", "."), (" ", ", ", ","), days
    ):
        month = next(cases)(form) + dot
        out.append(f"{month} {day}{comma}{year}")
        out.append(f"{day} {month}{comma}{year}")
    return out


def test_fast_path_agrees_with_dateparser() -> None:
    taken = 0
    for text in variants():
        fast = printed_date(text)
        if fast is not None:
            taken += 1
            assert fast == slow(text), text
        assert parse_date(text) == slow(text), text
    assert taken > 0.8 * len(variants())  # only impossible days (Feb 30) fall through


@pytest.mark.parametrize(
    "text",
    [
        "May  3,  2015",
        "Sept. 3, 2015",
        "Dec. 31, 1899",
        "Jan 1, 1000",
        "Feb 29, 2016",
        "3 May, 2015",
        "June 3,2015",
        "  May 3, 2015 ",
    ],
)
def test_fast_path_takes_printed_dates(text: str) -> None:
    assert printed_date(text.strip()) is not None
    assert parse_date(text) == slow(text)


@pytest.mark.parametrize(
    "text",
    [
        "Febr 3, 2015",
        "Mayo 3, 2015",
        "Mai 3, 2015",
        "Monday 3, 2015",
        "Today 3, 2015",
        "February 30, 2015",
        "Feb 29, 2015",
        "May 0, 2015",
        "May 3, 15",
        "05/03/2015",
        "3rd May 2015",
        "May 3, 2015 10:00",
    ],
)
def test_other_shapes_go_to_dateparser(text: str) -> None:
    assert printed_date(text) is None
    assert parse_date(text) == slow(text)


def test_published_lines_take_the_fast_path() -> None:
    for line in ["Published on May 3, 2015", "Posted: 3 Sept. 2015", "Updated Jan 12 2016"]:
        m = PUBLISHED.match(line)
        assert m is not None and printed_date(m.group("date")) is not None, line


def test_reading_a_printed_date_does_not_import_dateparser(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Published on May 3, 2015\n\nTroops entered the town, a source said.\n")
    code = (
        "import sys; from pathlib import Path; from kg.read.articles import read_article; "
        f"a = read_article(Path({str(article)!r})); "
        "print(a.published, 'dateparser' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["2015-05-03", "False"]
