"""Date phrases resolved against the publication date, vague ones kept as ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.extract.dates import resolve

MONDAY = dt.date(2019, 3, 11)
THURSDAY = dt.date(2019, 3, 7)


@pytest.mark.parametrize(
    ("text", "pub", "start", "end"),
    [
        ("on Saturday", MONDAY, "2019-03-09", "2019-03-09"),
        ("mid-2016", MONDAY, "2016-07-01", "2016-07-31"),
        ("in the summer of 2016", MONDAY, "2016-06-01", "2016-08-31"),
        ("winter 2016", MONDAY, "2016-12-01", "2017-02-28"),
        ("last summer", MONDAY, "2018-06-01", "2018-08-31"),
        ("last winter", MONDAY, "2018-12-01", "2019-02-28"),
        ("since mid-2016", MONDAY, "2016-07-01", "2019-03-11"),
        ("Thursday", THURSDAY, "2019-03-07", "2019-03-07"),
        ("on Friday", THURSDAY, "2019-03-01", "2019-03-01"),
        ("since last Tuesday", MONDAY, "2019-03-05", "2019-03-11"),
        ("last week", MONDAY, "2019-03-04", "2019-03-10"),
        ("in September", MONDAY, "2018-09-01", "2018-09-30"),
        ("last April", MONDAY, "2018-04-01", "2018-04-30"),
        ("earlier this month", MONDAY, "2019-03-01", "2019-03-11"),
        ("last month", MONDAY, "2019-02-01", "2019-02-28"),
        ("on February 27", MONDAY, "2019-02-27", "2019-02-27"),
        ("on March 20", MONDAY, "2018-03-20", "2018-03-20"),  # a past event after publication day
        ("in 2012", MONDAY, "2012-01-01", "2012-12-31"),
        ("yesterday", MONDAY, "2019-03-10", "2019-03-10"),
        ("two days ago", MONDAY, "2019-03-09", "2019-03-09"),
        ("Nov. 20, 2017", MONDAY, "2017-11-20", "2017-11-20"),
    ],
)
def test_resolve(text: str, pub: dt.date, start: str, end: str) -> None:
    found = resolve(text, pub)
    assert found is not None
    assert (found.start.isoformat(), found.end.isoformat()) == (start, end)
    assert found.text == text


def test_planned_dates_stay_in_the_future() -> None:
    found = resolve("on March 20", MONDAY, future=True)
    assert found.start == dt.date(2019, 3, 20)
    assert resolve("on Friday", MONDAY, future=True).start == dt.date(2019, 3, 15)


def test_relative_dates_without_publication_date_are_unresolved() -> None:
    found = resolve("on Saturday", None)
    assert found.unresolved and found.start is None and found.end is None
    assert resolve("March 3, 2019", None).start == dt.date(2019, 3, 3)


def test_durations_are_not_dates() -> None:
    assert resolve("three days", MONDAY) is None


def test_parts_of_periods_years_ago_and_months_of_a_year() -> None:
    import datetime as _dt

    from kg.extract.dates import resolve as _resolve

    pub = _dt.date(2017, 11, 13)
    end = _resolve("at the end of last year", pub)
    assert (end.start, end.end) == (_dt.date(2016, 12, 1), _dt.date(2016, 12, 31))
    march = _resolve("in March of 2013", pub)
    assert (march.start, march.end) == (_dt.date(2013, 3, 1), _dt.date(2013, 3, 31))
    ago = _resolve("two years ago", pub)
    assert (ago.start, ago.end) == (_dt.date(2015, 1, 1), _dt.date(2015, 12, 31))


def test_the_past_n_units_run_to_publication() -> None:
    from kg.extract.dates import resolve

    day = dt.date(2019, 3, 14)
    two_years = resolve("over the past two years", day)
    assert two_years is not None and (two_years.start, two_years.end) == (
        day - dt.timedelta(days=730),
        day,
    )
    three_months = resolve("the last three months", day)
    assert three_months is not None and three_months.end == day
    assert resolve("the past week", day) is None  # one week back: not a span of several


def test_the_weekend_is_the_last_saturday_and_sunday_begun_by_publication() -> None:
    from kg.extract.dates import resolve

    wednesday, sunday = dt.date(2019, 3, 13), dt.date(2019, 3, 17)
    weekend = resolve("at the weekend", wednesday)
    assert weekend is not None and (weekend.start, weekend.end) == (
        dt.date(2019, 3, 9),
        dt.date(2019, 3, 10),
    )
    last = resolve("last weekend", sunday)
    assert last is not None and last.start == dt.date(2019, 3, 9)


def test_last_weekday_is_that_day_of_the_week_before() -> None:
    tuesday = dt.date(2016, 8, 9)
    assert resolve("last Monday", tuesday).start == dt.date(2016, 8, 1)
    assert resolve("last Sunday", tuesday).start == dt.date(2016, 8, 7)
    assert resolve("on Monday", tuesday).start == dt.date(2016, 8, 8)


def test_a_day_after_publication_is_not_the_day_of_a_state() -> None:
    """'convoys would reach the rebel-held town by next Saturday', said on Tuesday: the state
    holds on the Tuesday, not on a planned day."""
    from test_control_shapes import controls

    claims = controls(
        "Rebels shelled Hama on Monday. The UN said on Tuesday that its convoys would reach the "
        "rebel-held town of Kafr Dalla by next Saturday."
    )
    assert {c.place.label: c.date.start for c in claims} == {"Kafr Dalla": dt.date(2019, 3, 12)}


def test_since_a_month_of_a_year_starts_in_that_year() -> None:
    from kg.extract.dates import resolve

    found = resolve("since June 2014", dt.date(2017, 8, 31))
    assert (found.start, found.end) == (dt.date(2014, 6, 1), dt.date(2017, 8, 31))
    found = resolve("since Tuesday", dt.date(2017, 8, 31))
    assert (found.start, found.end) == (dt.date(2017, 8, 29), dt.date(2017, 8, 31))
