"""Read articles: plain text plus an optional manifest.json, into items of paragraphs.

Site furniture is removed by general rules over paragraph shapes, never by the exact strings
of one site: a reader's letter opens with a salutation and runs to the first headline; a
page's tail of short link lines and calls to action ends the text; a dateline ("Published
April 19 2017", "Sun 10 Jul 2016 18:14", "BEIRUT (Reuters) -") is metadata, read for the date:
its words are removed, the article text after them is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import ArticleError, ManifestError
from kg.resources import data_dir

SALUTATION = re.compile(r"^(Dear|Hello|Hi)\b[^.!?\n]{0,60},\s*$")
EMAIL = re.compile(r"\S+@\S+\.\w+|\[email(?:&#160;|\s)?protected\]", re.I)
TERMINAL = tuple(".!?\"”’)'…:")
MAX_BYTES = 5_000_000
MAX_CHARS = 1_000_000  # what spaCy's parser reads in one text (its `nlp.max_length`)


@dataclass
class Item:
    """One news item: a headline and the paragraphs under it."""

    headline: str | None
    paragraphs: list[str]


@dataclass
class Article:
    stem: str
    text: str
    published: dt.date | None = None
    published_from: str | None = None  # "text" or "manifest"
    publisher: str | None = None
    title: str | None = None
    url: str | None = None
    items: list[Item] = field(default_factory=list)
    relay: str | None = None  # the wire agency a byline names ("AFP", "(Reuters)")
    source: str | None = None  # the file it was read from (absolute), or None for a corpus row
    unread_date: str | None = None  # a dateline's date that is no day ("31 February 2017")

    @property
    def digest(self) -> str:
        """SHA-256 of the cleaned text."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def input_digest(self) -> str:
        """SHA-256 of all the article's graph is built from: its text and the metadata read
        with it, so a date corrected in a manifest is picked up by the next build."""
        meta = (self.published, self.published_from, self.publisher, self.title, self.url)
        return hashlib.sha256(f"{self.text}\0{meta!r}".encode()).hexdigest()


def words(paragraph: str) -> int:
    return len(paragraph.split())


def is_heading(paragraph: str) -> bool:
    """A line with no sentence-final punctuation and few words reads as a heading."""
    p = paragraph.strip()
    return 0 < words(p) <= 16 and not p.endswith(TERMINAL[:-1]) and "\n" not in p


def is_title_case(paragraph: str) -> bool:
    ws = [w for w in re.findall(r"[A-Za-z][\w'’-]*", paragraph) if len(w) > 3]
    return bool(ws) and sum(w[0].isupper() for w in ws) / len(ws) >= 0.75


def split_paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u00a0\u2000-\u200b\u202f\u205f\u3000]", " ", text)
    return [re.sub(r"\s*\n\s*", " ", p).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def drop_letter(paragraphs: list[str]) -> list[str]:
    """A salutation opens a letter to readers that runs until the first heading."""
    for i, p in enumerate(paragraphs[:5]):
        if SALUTATION.match(p):
            for j in range(i + 1, len(paragraphs)):
                if is_heading(paragraphs[j]):
                    return paragraphs[:i] + paragraphs[j:]
    return paragraphs


def is_furniture_shaped(paragraph: str) -> bool:
    """Link labels, buttons and calls to action: a heading, a few words, or a question."""
    p = paragraph.strip()
    return is_heading(p) or words(p) < 8 or (p.endswith("?") and words(p) < 20)


def drop_tail(paragraphs: list[str]) -> list[str]:
    """Cut the page's tail: a run of short lines at the end that holds a heading-like line."""
    cut = len(paragraphs)
    while cut > 1 and is_furniture_shaped(paragraphs[cut - 1]):
        cut -= 1
    tail = paragraphs[cut:]
    if tail and any(is_heading(p) or not p.endswith(".") for p in tail):
        return paragraphs[:cut]
    return paragraphs


MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
MONTHS = {n: i for i, full in enumerate(MONTH_NAMES, 1) for n in (full, full[:3])} | {"sept": 9}
MONTH_FIRST = re.compile(
    r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:,\s*|\s+)(?P<year>\d{4})"
)
DAY_FIRST = re.compile(r"(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?(?:,\s*|\s+)(?P<year>\d{4})")


def parse_date(text: str) -> dt.date | None:
    """An ISO day or a printed English date ("May 3, 2015", "3 Sept. 2015"); anything else goes
    to dateparser, which costs 0.5-0.8 s to import and load, so the common shapes skip it."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    day = printed_date(text)
    if day is not None:
        return day
    import dateparser  # slow to import; only needed for dates in other shapes

    parsed = dateparser.parse(text, languages=["en"], settings={"STRICT_PARSING": True})
    return parsed.date() if parsed else None


def printed_date(text: str) -> dt.date | None:
    """An English month name or abbreviation with a day and a four-digit year, or None.
    The month is looked up in a table, not with strptime's %b, which follows the C locale."""
    m = MONTH_FIRST.fullmatch(text) or DAY_FIRST.fullmatch(text)
    month = MONTHS.get(m.group("month").lower()) if m else None
    if m is None or month is None:
        return None
    try:
        return dt.date(int(m.group("year")), month, int(m.group("day")))
    except ValueError:
        return None  # "February 30": dateparser decides


# -- Datelines ----------------------------------------------------------------------------------
# A dateline is what a page prints before the article: a label ("Published", "Posted on",
# "Last updated at", "Date of publication"), a weekday, a date, a clock time, a wire's place and
# agency ("BEIRUT (Reuters) -"). Rows and flattened pages run it into the text of the paragraph
# ("Published April 19 2017 A war monitor said ..."), and sources that strip punctuation print
# "Jul 172015" for "Jul 17, 2015". Only the dateline's words are removed, never the text after.

MONTH_WORD = (
    r"(?=[A-Z])(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
WEEKDAY_WORD = (
    r"(?=[A-Z])(?i:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b\.?,?"
)
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
YEAR = r"(?:1[89]|20)\d{2}(?!\d)"
DATE = (
    rf"(?:{DAY}\s+{MONTH_WORD},?\s*{YEAR}"  # 10 Jul 2016, 3 Sept. 2015
    rf"|{MONTH_WORD}\s*{DAY}(?:,\s*|\s+){YEAR}"  # July 30 2014, Mar. 4, 2019
    rf"|{MONTH_WORD}\s*(?:[0-2]\d|3[01]){YEAR}"  # Jul 172015: the comma stripped with its space
    rf"|(?:[12]\d|3[01]|0?[1-9])\.(?:1[0-2]|0?[1-9])\.{YEAR}"  # 24.08.2013: day first
    rf"|(?:[12]\d|3[01]|0?[1-9])-(?:1[0-2]|0?[1-9])-{YEAR}"  # 18-12-2014: day first
    r"|(?:1[89]|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d))"  # ISO
)
ZONE = r"(?:\s*(?:UTC|GMT)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?)"
TIME = (
    r"(?:,?\s+(?:at\s+)?(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s*[AaPp]\.?[Mm]\b\.?)?"  # 18:14
    r"|\s+at\s+(?:[01]?\d|2[0-3])[0-5]\d(?!\d)"  # at 2354 (the colon stripped)
    r"|\s+(?:0?\d|1[0-2])[0-5]\d\s*[AaPp]\.?[Mm]\b\.?"  # 0147 PM
    rf"|\s+(?:[01]\d|2[0-3])[0-5]\d(?={ZONE}))"  # 2037 UTC+3
    rf"{ZONE}?"  # not a bare number: "July 5 2016 150000 people fled" keeps its count
)
UPDATED = r"(?:\s*\((?i:last\s+)?(?i:updated)\b[^()]{0,40}\))"  # (updated 1457 19.07.2016)
LABEL = (
    r"(?i:(?:first\s+|last\s+)?(?:published|posted|updated|modified)|date\s+of\s+publication"
    r"|publication\s+date)\b(?:\s+(?i:on|at))?\s*:?"
)
DATED = rf"(?:(?P<weekday>{WEEKDAY_WORD})\s+)?(?P<date>{DATE})(?P<time>{TIME})?{UPDATED}?"
PUBLISHED = re.compile(rf"^(?P<label>{LABEL})\s*{DATED}")
DATELINE = re.compile(rf"^(?:(?P<label>{LABEL})\s*)?{DATED}")
# A wire's place in capitals, a day without a year, the agency in parentheses, a dash:
# "BEIRUT (Reuters) -", "QAMISHLI, Syria (AFP) --", "MOSCOW, Aug 1 (RIA Novosti) -", "AMMAN -"
PLACE = r"[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+){0,3}(?:,\s*[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)?"
AGENCY = r"\([A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3}\)"
WIRE = re.compile(
    rf"^{PLACE}(?:,?\s+(?P<date>{MONTH_WORD}\s*{DAY}(?:,?\s*(?P<year>{YEAR}))?))?"
    rf"\s*(?:{AGENCY}\s*(?:[-–—]+|:)?|[-–—]+)(?=\s)"
)
# A wire agency named after a date inside the opening words: "... in Raqqa 21 November 2016 SANA"
AGENCY_NAMES = (
    r"(?:AFP|AP|Reuters|SANA|NNA|TASS|Xinhua|DPA|ANSA|Anadolu|IRNA|KUNA|WAM|SPA|MENA|QNA|UPI"
    r"|EFE|Sputnik|RIA(?:\s+Novosti)?|Interfax|Petra|BNA|Kyodo|Yonhap|PTI|IANS)\b"
)
EMBEDDED = re.compile(
    rf"(?<![\w’'])(?:(?P<weekday>{WEEKDAY_WORD})\s+)?(?P<date>{DATE})(?P<time>{TIME})?"
    rf"(?:(?=(?P<agency>\s+(?:[A-Z][a-z]+\s+)?{AGENCY_NAMES})))?"
)
AFTER_AGENCY = re.compile(AGENCY_NAMES)
NOT_BEFORE_A_DATELINE = frozenset(
    "on in at by since until till from of to before after between and or but the a an through "
    "during last next this that as than for with about around early late mid dated".split()
)
LEAD = 3  # paragraphs at the head of the text where an unlabelled dateline is looked for
LEAD_WORDS = 40  # words at the head of a paragraph where a dateline inside it is looked for


def dateline_day(text: str) -> dt.date | None:
    """The day of a date that DATE matched; None for an impossible one ("Feb 30 2016")."""
    text = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", text)
    numbers = re.findall(r"\d+", text)
    name = re.search(r"[A-Za-z]+", text)
    try:
        if name is None:  # 2018-04-02, or day first: 24.08.2013, 6-09-2013
            first, month, last = map(int, numbers)
            year, day = (first, last) if len(numbers[0]) == 4 else (last, first)
        else:
            month = MONTHS[name.group().lower()]
            if len(numbers) == 1:  # "Jul 172015"
                day, year = int(numbers[0][:-4]), int(numbers[0][-4:])
            else:
                day, year = int(numbers[0]), int(numbers[1])
        return dt.date(year, month, day)
    except (KeyError, ValueError):
        return None


def opens_text(rest: str) -> bool:
    """What follows a date written out alone must not read as the rest of a sentence about it
    ("March 15 2011 marked the start ...")."""
    return not rest[:1].islower()


def is_stamp(m: re.Match) -> bool:
    """A date with a label, a weekday or a clock time, or in figures only, reads as a dateline
    whatever follows it ("Thu Feb 5 2015 title: ...", "16-11-2014 title: ...")."""
    named = m.groupdict()
    return bool(
        named.get("label")
        or named.get("weekday")
        or named.get("time")
        or not re.search(r"[A-Za-z]", m.group("date"))
    )


def strip_leading(paragraph: str, lead: bool) -> tuple[dt.date | None, str] | None:
    """(date or None, the rest) when the paragraph opens with a dateline, else None. Outside the
    lead only a labelled dateline ("Published on ...") counts."""
    day, rest, matched = None, paragraph, False
    m = DATELINE.match(paragraph)
    if m:
        after = paragraph[m.end() :].lstrip()
        found = dateline_day(m.group("date"))
        counts = m.group("label") or (lead and (is_stamp(m) or opens_text(after)))
        if found is not None and counts:
            day, rest, matched = found, after.lstrip(",;:|-–— "), True
    w = WIRE.match(rest) if lead else None
    if w and opens_text(rest[w.end() :].lstrip()):
        if day is None and w.group("year"):
            day = dateline_day(w.group("date"))
        rest, matched = rest[w.end() :].lstrip(), True
    return (day, rest) if matched else None


def embedded_dateline(paragraph: str) -> tuple[dt.date, str] | None:
    """A dateline inside a paragraph's opening words, after a headline run into it ("Air raid
    kills 21 at Syria market Monitor AFP Thursday 24 Apr 2014 An air strike ..."): a date with
    a weekday, a clock time or a wire agency after it. Not after a preposition or an article
    ("on Thursday 24 Apr 2014"); after another lowercase word only with a clock time or an
    agency; before lowercase words only after an agency's name ("Reuters Wednesday 7 Aug 2013
    sixty-two rebel fighters ..."). The day, and the paragraph without the dateline's words."""
    opening = [w.end() for w in itertools.islice(re.finditer(r"\S+", paragraph), LEAD_WORDS)]
    limit = opening[-1] if opening else 0
    for m in EMBEDDED.finditer(paragraph):
        if m.start() >= limit:
            break
        if not (m.group("weekday") or m.group("time") or m.group("agency")):
            continue
        before = re.findall(r"[\w’'.-]+", paragraph[: m.start()])
        prev = before[-1].strip(".") if before else ""
        if prev.lower() in NOT_BEFORE_A_DATELINE:
            continue
        if prev[:1].islower() and not (m.group("time") or m.group("agency")):
            continue
        if not (opens_text(paragraph[m.end() :].lstrip()) or AFTER_AGENCY.fullmatch(prev)):
            continue
        day = dateline_day(m.group("date"))
        if day is not None:
            title = paragraph[: m.start()].rstrip()
            # the headline run into the text ends where the dateline stood: "... Monitor AFP"
            # is a sentence of its own, not the subject or the speaker of the lead's
            joint = ". " if len(title.split()) >= 3 and title[-1:].isalnum() else " "
            rest = title + joint + paragraph[m.end() :].lstrip()
            return day, rest.strip()
    return None


def is_rest_of_furniture(rest: str) -> bool:
    """What is left of a dateline line that held no article text: nothing, or a short
    sentence-case fragment ("Read time Approx. 2 minutes")."""
    return not rest or (is_heading(rest) and words(rest) < 8 and not is_title_case(rest))


def read_dateline(paragraphs: list[str]) -> tuple[dt.date | None, list[str]]:
    """The publication date printed in the text, and the paragraphs without their datelines.

    A paragraph opening with a dateline loses the dateline's words and keeps the rest; it is
    dropped only when the rest is a fragment of the same furniture line, or nothing. When no
    article text would be left, the fragments come back, and failing that the paragraphs stay
    as they were (a one-line row: "30 October 2016 35 cases of ..."). Labelled datelines
    count anywhere, unlabelled and wire datelines in the first LEAD paragraphs; failing those,
    a dateline inside the opening words of a lead paragraph. The first date is the one."""
    published: dt.date | None = None
    read: list[tuple[str, bool]] = []  # (paragraph or the rest of it, a fragment of furniture)
    for i, p in enumerate(paragraphs):
        found = strip_leading(p, lead=i < LEAD)
        if found is None:
            read.append((p, False))
        else:
            published = published or found[0]
            read.append((found[1], is_rest_of_furniture(found[1])))
    out = [p for p, furniture in read if not furniture]
    if published is None:
        for i, p in enumerate(out[:LEAD]):
            inside = embedded_dateline(p)
            if inside is not None:
                published, out[i] = inside
                break
    for fallback in ([p for p, _ in read if p], paragraphs):  # a short text is not furniture
        if not any(i.paragraphs for i in split_items(out)):
            out = fallback
    return published, out


read_published = read_dateline  # its former name


@lru_cache(maxsize=1)
def wire_bylines() -> tuple[str, ...]:
    """Agency names a byline may stand as (kg/data/lexicon.json "wire_bylines")."""
    lexicon = json.loads((data_dir() / "lexicon.json").read_text(encoding="utf-8"))
    return tuple(lexicon["wire_bylines"])


BYLINE_WORDS = 40
NOT_BYLINE_BEFORE = {"told", "to", "the", "according", "by", "and", "of", "from", "an", "a"}
NOT_BYLINE_AFTER = {
    "said",
    "says",
    "reported",
    "reports",
    "quoted",
    "cited",
    "correspondent",
    "news",
    "that",
    "and",
    "reporter",
    "photographer",
}


def byline_agency(paragraphs: list[str]) -> str | None:
    """The wire agency a byline names in the article's first words: "(Reuters)", "BEIRUT
    (AFP) -", or a title run into the text with the agency between ("... Monitor AFP At
    least ..."), or a credit closing the text ("... sieges.-AFP"); not an agency a sentence
    speaks of ("told AFP", "AFP said")."""
    if not paragraphs:
        return None
    # the title and the lead: a file's first paragraph is often its headline
    head = " ".join(" ".join(paragraphs[:2]).split()[:BYLINE_WORDS])
    names = sorted(wire_bylines(), key=len, reverse=True)
    tail = paragraphs[-1].rstrip()
    for name in names:  # a credit closing the text: "... the sieges.-AFP", "— Reuters"
        if re.search(rf"[.\"”]\s*[-–—]+\s*{re.escape(name)}$|\(\s*{re.escape(name)}\s*\)$", tail):
            return name
    for name in names:
        if re.search(rf"\(\s*{re.escape(name)}\s*\)", head):
            return name
    tokens = head.split()
    for i in range(len(tokens)):
        for name in names:
            words = name.split()
            if tokens[i : i + len(words)] != words:
                continue
            before = tokens[i - 1].lower() if i else ""
            after = tokens[i + len(words)].lower() if i + len(words) < len(tokens) else ""
            if before not in NOT_BYLINE_BEFORE and after not in NOT_BYLINE_AFTER:
                return name
    return None


def split_items(paragraphs: list[str]) -> list[Item]:
    """A title-case heading of four or more words starts a new item; shorter or sentence-case
    headings are sections of the current item."""
    items: list[Item] = []
    for p in paragraphs:
        starts_item = is_heading(p) and (not items or (is_title_case(p) and words(p) >= 4))
        if starts_item:
            items.append(Item(headline=p, paragraphs=[]))
        elif not items:
            items.append(Item(headline=None, paragraphs=[p]))
        else:
            items[-1].paragraphs.append(p)
    return [i for i in items if i.paragraphs or i.headline]


def clean(text: str) -> list[str]:
    paragraphs = split_paragraphs(text)
    paragraphs = drop_letter(paragraphs)
    paragraphs = [p for p in paragraphs if not EMAIL.search(p)]
    return drop_tail(paragraphs)


def decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise ArticleError(f"{path}: the file is empty; remove it or add the article's text")
    if len(raw) > MAX_BYTES:
        raise ArticleError(f"{path}: {len(raw):,} bytes is too large for one article; split it")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # before the NUL test: UTF-16 text is full of NULs
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ArticleError(
                f"{path}: has a UTF-16 byte-order mark but is not valid UTF-16; re-save it as UTF-8"
            ) from exc
    if b"\x00" in raw[:4096]:
        raise ArticleError(
            f"{path}: looks like a binary file, not plain text; convert it to UTF-8 text"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: not UTF-8 and not Windows-1252 text; re-save it as UTF-8"
        ) from exc
    return text


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a huge file is refused by its size, before it is read into memory."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ArticleError(f"{path}: {size:,} bytes is too large for one article; split it")
    return path.read_bytes()


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(body|div|p)\b", head))


def read_article(path: Path, meta: dict | None = None) -> Article:
    """Read one article file with its manifest entry (if any)."""
    meta = meta or {}
    for name in ("publisher", "title", "url"):
        if not isinstance(meta.get(name) or "", str):
            raise ArticleError(
                f"{path}: manifest.json gives {name}={meta[name]!r}, not text; write it as a string"
            )
    text = decode(path, read_bytes(path))
    if looks_like_html(text):
        raise ArticleError(f"{path}: is HTML, not plain text; extract the article text first")
    paragraphs = clean(text)
    published, paragraphs = read_dateline(paragraphs)
    published_from = "text" if published else None
    if published is None and meta.get("published"):
        published = manifest_date(path, meta["published"])
        published_from = "manifest"
    if (length := sum(map(len, paragraphs))) > MAX_CHARS:
        raise ArticleError(
            f"{path}: {length:,} characters is longer than one article can be "
            f"({MAX_CHARS:,}); split it into its articles"
        )
    items = split_items(paragraphs)
    if not any(i.paragraphs for i in items):
        raise ArticleError(f"{path}: no article text left after removing page furniture")
    title = meta.get("title") or next((i.headline for i in items if i.headline), None)
    return Article(
        stem=path.stem,
        text="\n\n".join(paragraphs),
        published=published,
        published_from=published_from,
        publisher=meta.get("publisher"),
        title=title,
        url=meta.get("url"),
        items=items,
        relay=byline_agency(clean(text)),
        source=str(path.resolve()),
        unread_date=None if published else unread_dateline(paragraphs),
    )


def unread_dateline(paragraphs: list[str]) -> str | None:
    """The date of an opening dateline that names no day of the calendar, for the reader."""
    for paragraph in paragraphs[:3]:  # a title, a byline, then the dateline
        m = DATELINE.match(paragraph)
        if m and dateline_day(m.group("date")) is None:
            return m.group("date")
    return None


def manifest_date(path: Path, value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ArticleError(
            f"{path}: manifest.json gives published={value!r}, not a date; write it as YYYY-MM-DD"
        ) from None


def load_manifest(directory: Path) -> dict[str, dict]:
    path = directory / "manifest.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: not valid JSON ({exc}); fix it or remove it") from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ManifestError(
            f'{path}: must map file names to objects, e.g. {{"a.txt": {{"publisher": "AFP"}}}}'
        )
    return data


def find_articles(paths: list[Path]) -> Iterator[tuple[Path, dict]]:
    """Yield (file, manifest entry) for each article under the given files and folders."""
    for path in paths:
        if path.is_dir():
            manifest = load_manifest(path)
            for file in sorted(path.glob("*.txt")):
                yield file, manifest.get(file.name, {})
        elif path.is_file():
            manifest = load_manifest(path.parent)
            yield path, manifest.get(path.name, {})
        else:
            raise ArticleError(
                f"{path}: no such file or folder; pass .txt files or folders of them"
            )
