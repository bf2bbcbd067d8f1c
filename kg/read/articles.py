"""Read articles: plain text plus an optional manifest.json, into items of paragraphs.

Site furniture is removed by general rules over paragraph shapes, never by the exact strings
of one site: a reader's letter opens with a salutation and runs to the first headline; a
page's tail of short link lines and calls to action ends the text; a "Published ..." line is
metadata, read for the date and dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import ArticleError, ManifestError

SALUTATION = re.compile(r"^(Dear|Hello|Hi)\b[^.!?\n]{0,60},\s*$")
EMAIL = re.compile(r"\S+@\S+\.\w+|\[email(?:&#160;|\s)?protected\]", re.I)
PUBLISHED = re.compile(
    r"^(?:Published|Posted|Updated|First published)(?:\s+on)?\s*:?\s+"
    r"(?P<date>(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})|(?:\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4})"
    r"|(?:\d{4}-\d{2}-\d{2}))"
)
TERMINAL = tuple(".!?\"”’)'…:")
MAX_BYTES = 5_000_000


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

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


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


def read_published(paragraphs: list[str]) -> tuple[dt.date | None, list[str]]:
    """Find a "Published on <date>" line: return the date and the paragraphs without it."""
    for i, p in enumerate(paragraphs):
        m = PUBLISHED.match(p)
        if m:
            return parse_date(m.group("date")), paragraphs[:i] + paragraphs[i + 1 :]
    return None, paragraphs


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
    published, paragraphs = read_published(paragraphs)
    published_from = "text" if published else None
    if published is None and meta.get("published"):
        published = manifest_date(path, meta["published"])
        published_from = "manifest"
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
    )


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
