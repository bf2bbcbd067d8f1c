"""Link entities to Wikidata, offline, from data shipped with the project.

Two sources, in this order, and nothing else (never guess; unknown or ambiguous stays unlinked):

- ``verified``: the entity's record in ``kg/data/entities.jsonl`` carries a Wikidata id; it is
  kept exactly, with coordinates from Natural Earth when a row there has the same id.
- ``natural-earth``: a populated place (type Place, Town, City or Village) without an id is
  looked up by name in ``kg/data/natural_earth_places.csv`` (name, alternative names, ASCII
  name; case, diacritics and punctuation ignored) and linked only when exactly one Wikidata
  id remains after filtering by country. Natural Earth holds populated places only, so
  provinces, countries, regions and actors are never linked through it.

``kg/emit/wikidata.py`` adds the opt-in online source (``wikidata-api``); `kg.ask.links`
reports on the links of a store's entities and writes the online ones.
"""

from __future__ import annotations

import csv
import hashlib
import io
import marshal
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from kg.extract.gazetteer import (
    Entity,
    Gazetteer,
    default_gazetteer,
)
from kg.resources import data_dir
from kg.vocab import WIKIDATA

Source = Literal["verified", "natural-earth", "wikidata-api"]
LINKABLE_PLACE_TYPES = frozenset({"Place", "Town", "City", "Village"})
NO_CANDIDATE = "no candidate"
NOT_LINKABLE = "type not linkable"


@dataclass(frozen=True)
class Link:
    qid: str
    lat: float | None
    lon: float | None
    source: Source
    label: str  # the name the source knows the target by

    @property
    def iri(self) -> str:
        return WIKIDATA + self.qid


@dataclass(frozen=True)
class LinkContext:
    """What the article says around the entity: the countries it mentions, as Natural Earth
    ``adm0name`` values ("Syria", "Iraq", "United States of America")."""

    countries: frozenset[str] = frozenset()

    @classmethod
    def from_names(cls, names: Iterable[str], gazetteer: Gazetteer | None = None) -> LinkContext:
        """Country names as written (labels or aliases of our Country entities) to a context."""
        ne = default_natural_earth()
        found = {c for name in names if (c := ne.country_for(name, gazetteer)) is not None}
        return cls(frozenset(found))


# -- Natural Earth ---------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One Natural Earth populated place."""

    name: str
    names: tuple[str, ...]
    country: str
    admin1: str
    lat: float
    lon: float
    pop_max: int
    feature: str
    qid: str | None


_APOSTROPHES = re.compile(r"['’‘`ʿʾ]")
_NOT_WORD = re.compile(r"[^0-9a-z\u0080-\uffff]+")
# What fold does to ASCII text in one table: apostrophes dropped, letters lowered, other
# punctuation to spaces (most Natural Earth names are ASCII; this is ~10x faster).
_ASCII_FOLD = {
    i: None if chr(i) in "'`" else chr(i).lower() if chr(i).isalnum() else " " for i in range(128)
}


def fold(text: str) -> str:
    """A name compared case-, diacritic- and punctuation-insensitively: "Dar'a" == "dara"."""
    if text.isascii():
        return " ".join(text.translate(_ASCII_FOLD).split())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _row_names(row: Mapping[str, str]) -> tuple[str, ...]:
    alternatives = re.split(r"[,|;]", row.get("namealt") or "")
    names = [row["name"], row.get("nameascii") or "", *alternatives]
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def _folded_names(row: Mapping[str, str]) -> set[str]:
    """{fold(n) for n in _row_names(row)}, faster: most rows have no alternative names and
    an ASCII name equal to the name."""
    alternatives = row.get("namealt") or ""
    names = {row["name"], row.get("nameascii") or ""}
    names.update(re.split(r"[,|;]", alternatives) if alternatives else ())
    return {fold(n) for n in names if n and not n.isspace()}


def _place(row: Mapping[str, str]) -> Place:
    return Place(
        name=row["name"],
        names=_row_names(row),
        country=row["adm0name"],
        admin1=row.get("adm1name") or "",
        lat=float(row["latitude"]),
        lon=float(row["longitude"]),
        pop_max=_pop(row),
        feature=row.get("featurecla") or "",
        qid=_qid(row),
    )


def _pop(row: Mapping[str, str]) -> int:
    return int(float(row.get("pop_max") or 0))


def _qid(row: Mapping[str, str]) -> str | None:
    return (row.get("wikidataid") or "").strip() or None


Index = tuple[dict[str, list[int]], dict[str, int], dict[str, str]]


class NaturalEarth:
    """The populated places of Natural Earth, by folded name and by Wikidata id.

    The index holds row numbers; a row becomes a Place only when a lookup returns it (a build
    looks up a few names, and making all 7,000 Places cost more than indexing them)."""

    def __init__(
        self, header: list[str], rows: list[list[str]], index: Index | None = None
    ) -> None:
        self.header = header
        self.rows = rows
        self._places: dict[int, Place] = {}
        self.by_name, self.by_qid, self.countries = index or self._index()

    def _index(self) -> Index:
        by_name: dict[str, list[int]] = {}
        by_qid: dict[str, int] = {}
        rows = [self.row(i) for i in range(len(self.rows))]
        pops = [_pop(row) for row in rows]
        for i in sorted(range(len(rows)), key=lambda i: -pops[i]):
            for name in _folded_names(rows[i]):
                by_name.setdefault(name, []).append(i)
            if qid := _qid(rows[i]):
                by_qid.setdefault(qid, i)  # the most populous row wins
        countries = {fold(c): c for c in {row["adm0name"]: None for row in rows}}
        return by_name, by_qid, countries

    @classmethod
    def from_csv(cls, path: Path, cache: bool = True) -> NaturalEarth:
        """The places of a Natural Earth CSV file. With ``cache``, the rows and the index are
        kept beside it (``__pycache__/``, as Python keeps bytecode), keyed by the file and this
        module; a folder that cannot be written leaves the index in memory only."""
        raw = path.read_bytes()
        cached = _cache_file(path, raw) if cache else None
        state = _read_cache(cached) if cached else None
        if state is not None:
            return cls(state[0], state[1], state[2:])
        header, *lines = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
        rows = [line for line in lines if line]  # as csv.DictReader, skip blank lines
        found = cls(header, rows)
        if cached is not None:
            _write_cache(cached, (header, rows, found.by_name, found.by_qid, found.countries))
        return found

    def row(self, i: int) -> dict[str, str]:
        return dict(zip(self.header, self.rows[i], strict=False))

    @property
    def places(self) -> list[Place]:
        return [self.place(i) for i in range(len(self.rows))]

    def place(self, row: int) -> Place:
        if row not in self._places:
            self._places[row] = _place(self.row(row))
        return self._places[row]

    def candidates(self, names: Iterable[str]) -> list[Place]:
        """Places bearing any of the names, one per Wikidata id (rows without one kept)."""
        seen: dict[str | int, Place] = {}
        for name in names:
            for i in self.by_name.get(fold(name), []):
                place = self.place(i)
                seen.setdefault(place.qid or i, place)
        return list(seen.values())

    def coordinates(self, qid: str) -> tuple[float, float] | None:
        row = self.by_qid.get(qid)
        place = self.place(row) if row is not None else None
        return (place.lat, place.lon) if place else None

    def is_country(self, name: str) -> bool:
        return fold(name) in self.countries

    def country_for(self, name: str, gazetteer: Gazetteer | None = None) -> str | None:
        """The adm0name for a country name, trying our Country entity's label and aliases."""
        if fold(name) in self.countries:
            return self.countries[fold(name)]
        entity = (gazetteer or default_gazetteer()).lookup(name)
        if entity is None or entity.type not in {"Country", "State"}:
            return None
        hits = (self.countries.get(fold(n)) for n in [entity.label, *entity.aliases])
        return next((h for h in hits if h), None)


CACHE_SHAPE = (list, list, dict, dict, dict)  # header, rows, by_name, by_qid, countries


def _cache_file(path: Path, raw: bytes) -> Path | None:
    """Where the index of this data file, built by this module's code, is kept."""
    try:
        code = Path(__file__).read_bytes()  # any change to fold or the index is a new key
    except OSError:
        return None
    key = hashlib.sha256(raw + code).hexdigest()[:20]
    return path.parent / "__pycache__" / f"{path.stem}.{key}.marshal"


def _read_cache(cached: Path) -> tuple | None:
    """The cached state, or None when there is none or it cannot be read."""
    try:
        state = marshal.loads(cached.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    fits = isinstance(state, tuple) and len(state) == len(CACHE_SHAPE)
    return state if fits and all(map(isinstance, state, CACHE_SHAPE)) else None


def _write_cache(cached: Path, state: tuple) -> None:
    """Written to a temporary file and renamed (other processes may read it meanwhile);
    skipped where the folder is read-only."""
    try:
        cached.parent.mkdir(exist_ok=True)
        for old in cached.parent.glob(f"{cached.name.rsplit('.', 2)[0]}.*.marshal"):
            old.unlink(missing_ok=True)  # an index of an earlier data file or module
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(state))
        os.replace(temporary, cached)
    except OSError:
        pass


@lru_cache(maxsize=1)
def default_natural_earth() -> NaturalEarth:
    return NaturalEarth.from_csv(data_dir() / "natural_earth_places.csv")


def coordinates_for(qid: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a Wikidata id from Natural Earth, or None."""
    return default_natural_earth().coordinates(qid)


# -- linking ---------------------------------------------------------------------------


def link_entity(entity: Entity, context: LinkContext | None = None) -> Link | None:
    """The Wikidata link of one entity from shipped data, or None when unknown or ambiguous."""
    return explain_link(entity, context)[0]


def explain_link(entity: Entity, context: LinkContext | None = None) -> tuple[Link | None, str]:
    """The link, or None with the reason it could not be made."""
    if entity.wikidata:
        return _verified(entity), ""
    if entity.type not in LINKABLE_PLACE_TYPES:
        return None, NOT_LINKABLE
    return _natural_earth(entity, context or LinkContext())


def _verified(entity: Entity) -> Link:
    assert entity.wikidata is not None
    lat, lon = coordinates_for(entity.wikidata) or (None, None)
    return Link(entity.wikidata, lat, lon, "verified", entity.label)


def _natural_earth(entity: Entity, context: LinkContext) -> tuple[Link | None, str]:
    ne = default_natural_earth()
    names = [entity.label, *entity.aliases]
    if entity.type == "Place" and any(ne.is_country(n) for n in names):
        return None, "name is also a country"  # a bare GPE "Kuwait" is not Kuwait City
    everywhere = ne.candidates(names)
    countries = _countries(entity, context)
    candidates = [c for c in everywhere if c.country in countries] if countries else everywhere
    if not candidates:
        return None, _none_in(countries, everywhere)
    if len(candidates) > 1:
        return None, _ambiguous(candidates)
    place = candidates[0]
    if place.qid is None:
        return None, f"no Wikidata id in Natural Earth for {place.name}, {place.country}"
    return Link(place.qid, place.lat, place.lon, "natural-earth", place.name), ""


def _countries(entity: Entity, context: LinkContext) -> frozenset[str]:
    """The entity's own country (from part_of in the data file) beats the article's."""
    own = _own_country(entity)
    return frozenset({own}) if own else context.countries


def _own_country(entity: Entity) -> str | None:
    gazetteer = default_gazetteer()
    seen: set[str] = set()
    current: Entity | None = entity
    while current is not None and current.part_of and current.key not in seen:
        seen.add(current.key)
        current = gazetteer.get(current.part_of)
        if current is not None and current.type == "Country":
            return default_natural_earth().country_for(current.label, gazetteer)
    return None


def _none_in(countries: frozenset[str], elsewhere: list[Place]) -> str:
    """A context that rules out every candidate leaves the name unlinked: a namesake abroad
    is more often a different place than a town in a country the article never names."""
    if not elsewhere:
        return NO_CANDIDATE
    where = ", ".join(sorted({c.country for c in elsewhere}))
    return f"{NO_CANDIDATE} in {', '.join(sorted(countries))} ({len(elsewhere)} in {where})"


def _ambiguous(candidates: list[Place]) -> str:
    countries = ", ".join(sorted({c.country for c in candidates}))
    return f"ambiguous: {len(candidates)} candidates in {countries}"


# -- report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedEntry:
    key: str
    label: str
    type: str
    qid: str
    source: str  # verified, natural-earth, wikidata-api; or "store" for a link only the store has
    note: str = ""


@dataclass(frozen=True)
class UnlinkedEntry:
    key: str
    label: str
    type: str
    reason: str


@dataclass
class LinkReport:
    linked: list[LinkedEntry] = field(default_factory=list)
    unlinked: list[UnlinkedEntry] = field(default_factory=list)

    def add(self, entity: Entity, link: Link | None, reason: str) -> None:
        if link is not None:
            self.add_linked(entity, link.qid, link.source)
        else:
            self.unlinked.append(UnlinkedEntry(entity.key, entity.label, entity.type, reason))

    def add_linked(self, entity: Entity, qid: str, source: str, note: str = "") -> None:
        self.linked.append(LinkedEntry(entity.key, entity.label, entity.type, qid, source, note))

    def format(self) -> str:
        lines = [f"Linked: {len(self.linked)}"]
        for e in sorted(self.linked, key=lambda e: (e.label.casefold(), e.key)):
            note = f" ({e.note})" if e.note else ""
            lines.append(f"  {e.label} [{e.type}] -> {e.qid} ({e.source}){note}")
        lines.append(f"Unlinked: {len(self.unlinked)}")
        for u in sorted(self.unlinked, key=lambda e: (e.label.casefold(), e.key)):
            lines.append(f"  {u.label} [{u.type}]: {u.reason}")
        return "\n".join(lines)


def link_report(entities: Iterable[Entity], context: LinkContext | None = None) -> LinkReport:
    """Which entities link from shipped data, with the source, and why the others do not."""
    report = LinkReport()
    for entity in entities:
        report.add(entity, *explain_link(entity, context))
    return report
