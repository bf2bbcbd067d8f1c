"""Resolve date phrases against the article's publication date, keeping ranges for vague ones.

"on Saturday" in a Monday article is the Saturday before; "last Monday" is the Monday of the
week (Monday to Sunday) before the publication week, as "last week" is that week; "in
September" is the most recent September; "November 18" in a sentence about the future stays in
the publication year. Without a publication date, relative phrases stay unresolved (and are
marked so), never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


def why_not_a_day(text: str) -> str:
    """Why ``text`` is not an ISO day, in words a user can act on."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not m:
        return f"{text!r} is not a date: write YYYY-MM-DD"
    year, month, day = map(int, m.groups())
    if not 1 <= month <= 12:
        return f"{text!r} is not a date: its month is {month}; write YYYY-MM-DD"
    days = calendar.monthrange(year, month)[1]
    return f"{text!r} is not a day: {calendar.month_name[month]} {year} has {days} days (day {day})"


WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a": 1,
    "an": 1,
    "several": 3,
    "few": 3,
}
UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


@dataclass(frozen=True)
class DateRange:
    start: dt.date | None
    end: dt.date | None
    text: str
    unresolved: bool = False

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "text": self.text,
        }


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def last_weekday(anchor: dt.date, weekday: int, future: bool) -> dt.date:
    """The most recent such weekday on or before the anchor (or the next one, for plans)."""
    if future:
        return anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7)
    return anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7)


def clean_phrase(text: str) -> str:
    text = re.sub(r"[’']s$", "", text.strip())
    # a possessive whose apostrophe a feed stripped: "last months loss", "last weeks attack"
    text = re.sub(r"^(last|next|this) (week|month|year)s$", r"\1 \2", text, flags=re.I)
    return re.sub(r"^(on|in|at|by|during|from|earlier|late|early)\s+", "", text, flags=re.I).strip()


PART = re.compile(r"(?:at |by |in |towards? )?(?:the )?(end|beginning|start|middle) of (.+)")


def resolve(text: str, published: dt.date | None, future: bool = False) -> DateRange | None:
    """A date phrase as a range, or None when it is not a date we can place (durations)."""
    phrase = clean_phrase(text).lower().rstrip(".,")
    part = PART.fullmatch(phrase)
    if part:  # "at the end of last year": the last month of the period
        whole = resolve(part.group(2), published, future)
        return narrowed(whole, part.group(1), text) if whole is not None else None
    season = SEASON.fullmatch(phrase)
    if season:  # "the summer of 2012", "last winter"
        return season_range(season, published, text)
    mid = re.fullmatch(r"(since )?mid-?\s*(.+)", phrase)
    if mid:  # "mid-2012": the middle month; "since mid-2012": from it to the report
        whole = resolve(mid.group(2), published, future)
        middle = narrowed(whole, "middle", text) if whole is not None else None
        if middle is not None and mid.group(1) and published is not None:
            return DateRange(middle.start, published, text)
        return middle
    since = re.fullmatch(r"since (?:early |late )?(\d{4})", phrase)
    if since and published is not None:  # "since 2011": from then to the report
        return DateRange(dt.date(int(since.group(1)), 1, 1), published, text)
    since = re.fullmatch(r"since (.+)", phrase)
    if since and published is not None:  # "since June 2014", "since Tuesday": from its start
        start = resolve(since.group(1), published, future)
        if start is not None and start.start is not None and start.start <= published:
            return DateRange(start.start, published, text)
    absolute = resolve_absolute(phrase, published, future)
    if absolute is not None:
        return DateRange(absolute[0], absolute[1], text)
    if resolvable_relative(phrase) and published is None:
        return DateRange(None, None, text, unresolved=True)
    if published is None:
        return None
    relative = resolve_relative(phrase, published, future)
    return DateRange(relative[0], relative[1], text) if relative else None


SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}  # first month
SEASON = re.compile(
    r"(?:the )?(this |last )?(spring|summer|autumn|fall|winter)(?: of)?(?: (\d{4}))?"
)


def season_range(match: re.Match[str], published: dt.date | None, text: str
                 ) -> DateRange | None:
    """A season's three months (winter runs into the next year): of the year given, else
    the current one ('this summer') or the last one ended before publication ('last
    summer'); a bare 'summer' names no year."""
    which, name, year = match.group(1), match.group(2), match.group(3)
    first = SEASONS[name]
    if year is None:
        if published is None or which is None:
            return None
        year_n = published.year - (1 if first > published.month else 0)
        if which.strip() == "last":
            end_month = (first + 2 - 1) % 12 + 1
            end_year = year_n + (1 if first == 12 else 0)
            if dt.date(end_year, end_month, 1) >= published.replace(day=1):
                year_n -= 1  # not over yet: the one before
    else:
        year_n = int(year)
    start = dt.date(year_n, first, 1)
    end_first = dt.date(year_n + (1 if first == 12 else 0), (first + 1) % 12 + 1, 1)
    end = month_range(end_first.year, end_first.month)[1]
    return DateRange(start, end, text)


def narrowed(whole: DateRange, part: str, text: str) -> DateRange:
    """The end, beginning or middle of a period: its last, first or middle month (the
    period itself when it is a month or less)."""
    if whole.start is None or whole.end is None or (whole.end - whole.start).days <= 31:
        return DateRange(whole.start, whole.end, text, whole.unresolved)
    if part == "end":
        return DateRange(whole.end.replace(day=1), whole.end, text)
    if part in ("beginning", "start"):
        return DateRange(*month_range(whole.start.year, whole.start.month), text)
    middle = whole.start + (whole.end - whole.start) / 2
    return DateRange(*month_range(middle.year, middle.month), text)


def resolve_absolute(phrase: str, published: dt.date | None, future: bool):
    m = re.fullmatch(
        r"(?:(\w+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(\w+)\.?)"
        r"(?:,?\s+(\d{4}))?",
        phrase,
    )
    if m:
        month = MONTHS.get((m.group(1) or m.group(4) or "").lower())
        day = int(m.group(2) or m.group(3))
        if month and 1 <= day <= 31:
            year = int(m.group(5)) if m.group(5) else infer_year(month, day, published, future)
            if year is None:
                return None
            try:
                d = dt.date(year, month, day)
            except ValueError:
                return None
            return d, d
    m = re.fullmatch(r"(?:(?:the )?year )?(\d{4})", phrase)
    if m and 1900 < int(m.group(1)) < 2100:
        y = int(m.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    m = re.fullmatch(r"(\w+)\.?,?\s+(?:of\s+)?(\d{4})", phrase)  # "May 2015", "August of 2013"
    if m and m.group(1) in MONTHS:
        return month_range(int(m.group(2)), MONTHS[m.group(1)])
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", phrase)
    if m:
        d = dt.date.fromisoformat(phrase)
        return d, d
    return None


def infer_year(month: int, day: int, published: dt.date | None, future: bool) -> int | None:
    if published is None:
        return None
    year = published.year
    if not future and (month, day) > (published.month, published.day):
        year -= 1  # a past event dated after publication day happened the year before
    return year


RELATIVE_PERIOD_WORDS = {"last", "past", "this", "ago", "weekend", "week", "month", "year",
                         "weeks", "months", "years"}
RELATIVE_WORDS = set(WEEKDAYS) | {"today", "yesterday", "tomorrow", "tonight"} | set(MONTHS)


def resolvable_relative(phrase: str) -> bool:
    return any(
        w in RELATIVE_WORDS
        or w in RELATIVE_PERIOD_WORDS
        for w in re.findall(r"[a-z]+", phrase)
    )


def resolve_relative(phrase: str, pub: dt.date, future: bool):
    since = phrase.startswith("since ")
    if since:
        phrase = phrase[len("since ") :]
    found = resolve_point(phrase, pub, future)
    if found is None:
        return None
    return (found[0], pub) if since else found


def resolve_point(phrase: str, pub: dt.date, future: bool):
    words = re.findall(r"[a-z]+", phrase)
    if not words:
        return None
    if "weekend" in words and not future and "next" not in words:
        # "at the weekend", "over the weekend", "last weekend": the Saturday and Sunday last
        # begun by publication (the week before's, when "last" is said on a weekend)
        saturday = pub - dt.timedelta(days=(pub.weekday() - 5) % 7)
        if "last" in words and pub.weekday() >= 5:
            saturday -= dt.timedelta(days=7)
        return saturday, min(saturday + dt.timedelta(days=1), pub)
    day = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
    for w in words:
        if w in day:
            d = pub + dt.timedelta(days=day[w])
            return d, d
    weekday = next((WEEKDAYS[w] for w in words if w in WEEKDAYS), None)
    if weekday is not None:
        d = last_weekday(pub, weekday, future or "next" in words)
        if "last" in words and not future:
            # "last Monday" in a Tuesday article: the Monday of the week before
            monday = pub - dt.timedelta(days=pub.weekday())
            d = monday - dt.timedelta(days=7 - weekday)
        return d, d
    month = next((MONTHS[w] for w in words if w in MONTHS and len(w) > 3 or w == "may"), None)
    if month is not None:
        year = pub.year if (future or month <= pub.month) else pub.year - 1
        if "last" in words and month >= pub.month:
            year = pub.year - 1
        return month_range(year, month)
    return resolve_period(words, pub)


def past_span(words: list[str], pub: dt.date) -> tuple[dt.date, dt.date] | None:
    """'the past two years', 'the last three months', 'the past five days': from that long
    before publication to publication."""
    for i, w in enumerate(words[:-2]):
        if w in ("past", "last"):
            n = NUMBERS.get(words[i + 1]) or (int(words[i + 1]) if words[i + 1].isdigit() else 0)
            unit = words[i + 2].rstrip("s")
            if n > 1 and unit in UNIT_DAYS:
                return pub - dt.timedelta(days=n * UNIT_DAYS[unit]), pub
    return None


def resolve_period(words: list[str], pub: dt.date):
    if (span := past_span(words, pub)) is not None:
        return span
    if "ago" in words and len(words) >= 3:
        n = NUMBERS.get(words[-3]) or (int(words[-3]) if words[-3].isdigit() else None)
        unit = words[-2].rstrip("s")
        if n and unit == "year":  # "two years ago": that year, not one day of it
            return dt.date(pub.year - n, 1, 1), dt.date(pub.year - n, 12, 31)
        if n and unit == "month":
            first = pub.replace(day=1)
            for _ in range(n):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            return month_range(first.year, first.month)
        if n and unit in UNIT_DAYS:
            d = pub - dt.timedelta(days=n * UNIT_DAYS[unit])
            return d, d
    if words[-1] == "week" and words[0] in ("last", "past"):
        monday = pub - dt.timedelta(days=pub.weekday())
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    if words[-1] == "week" and words[0] == "this":
        return pub - dt.timedelta(days=pub.weekday()), pub
    if words[-1] == "month" and words[0] in ("last", "past"):
        first = pub.replace(day=1) - dt.timedelta(days=1)
        return month_range(first.year, first.month)
    if words[-1] == "month" and words[0] == "this":
        return pub.replace(day=1), pub
    if words[-1] == "year" and words[0] in ("last", "past"):
        return dt.date(pub.year - 1, 1, 1), dt.date(pub.year - 1, 12, 31)
    if words[-1] == "year" and words[0] == "this":
        return dt.date(pub.year, 1, 1), pub
    return None
