"""Names, aliases, types, sides and Wikidata ids of known entities, from kg/data/entities.jsonl.

An entity seen only by spaCy's NER gets an ad-hoc record keyed by its normalised name, so a
place nobody listed still becomes a node with a stable IRI.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.resources import data_dir
from kg.vocab import slug

PLACE_TYPES = {"Place", "Town", "City", "Village", "Province", "Country", "Region"}
ACTOR_TYPES = {
    "Actor",
    "ArmedGroup",
    "Government",
    "State",
    "Person",
    "NewsAgency",
    "Monitor",
    "Organisation",
    "AnonymousSource",
}
SOURCE_RANK = {"NewsAgency": 0, "Monitor": 1}  # outer reporters first when order is unclear
NER_TYPES = {
    "GPE": "Place",
    "LOC": "Region",
    "FAC": "Place",
    "ORG": "Organisation",
    "PERSON": "Person",
    "NORP": None,
}


@dataclass
class Entity:
    key: str
    label: str
    type: str
    aliases: list[str] = field(default_factory=list)
    wikidata: str | None = None
    side: str | None = None
    part_of: str | None = None
    generic: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    capital_of: str | None = None
    known: bool = True  # False for ad-hoc entities found only by NER
    geonames: str | None = None  # GeoNames id (https://sws.geonames.org/ID/)
    country: str | None = None  # ISO 3166 alpha-2 code, for places from GeoNames
    lat: float | None = None
    lon: float | None = None
    population: int = 0

    @property
    def is_place(self) -> bool:
        return self.type in PLACE_TYPES

    @property
    def is_facility(self) -> bool:
        """An air base, oilfield, dam or crossing the text made up ("Tabqa air base"): a
        place, but never what "the town" or "rebel-held neighbourhoods" stands for."""
        return self.type == "Place" and any(self.key.endswith("-" + k) for k in facility_kinds())

    @property
    def is_city_half(self) -> bool:
        """'eastern Aleppo': a part of a city named by its direction, never what 'a
        district' or 'the neighbourhood' stands for."""
        return self.type in ("Place", "Region") and self.key.rsplit("-", 1)[-1] in lexicon()[
            "direction_regions"].values()

    @property
    def is_actor(self) -> bool:
        return self.type in ACTOR_TYPES or self.type == "Country"


FIELDS = set(Entity.__dataclass_fields__)


def norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").strip().lower().replace("'s ", "s ")
    for article in ("the ", "a ", "an "):
        if text.startswith(article):
            text = text[len(article) :]
    return text[:-2].strip() if text.endswith("'s") else text


class Gazetteer:
    """The known entities. Extraction and emission read one article through a view of it
    (``for_article``): the entities that article's text makes up are kept in the view."""

    def __init__(self, entities: list[Entity], places: list[dict] | None = None) -> None:
        self.by_key = {e.key: e for e in entities}
        self.by_alias: dict[str, Entity] = {}
        self.by_qid: dict[str, Entity] = {}
        self.generic: dict[str, list[Entity]] = {}
        self.by_demonym: dict[str, Entity] = {}
        self.capitals: dict[str, Entity] = {}
        self.by_fold: dict[str, Entity] = {}  # places by a transliteration-tolerant key
        self.place_forms: list[tuple[str, str]] = []  # (surface form, key) for the ruler
        # a written name's transliteration keys (kg.extract.places.folds)
        self.fold_key: Callable[[str], list[str]] | None = None
        for e in entities:
            for d in e.demonyms:
                self.by_demonym[d.lower()] = e
            if e.capital_of:
                self.capitals[e.capital_of] = e
            for name in [e.label, *e.aliases]:
                self.by_alias.setdefault(norm(name), e)
            if e.wikidata:
                self.by_qid[e.wikidata] = e
            for g in e.generic:
                owners = self.generic.setdefault(norm(g), [])
                if all(o.key != e.key for o in owners):
                    owners.append(e)
        # GeoNames' names come after the hand-written ones, best ranked place first
        self.add_places(places or [])

    def add_places(self, records: list[dict]) -> list[Entity]:
        """GeoNames' places (kg/data/places.jsonl, best ranked first): a place that is a
        hand-written entity (``same_as``) lends it its id, coordinates, names and forms; the
        others become entities of their own. Returns the new entities."""
        if records:  # places.py imports this module: its fold key is fetched once, here
            from kg.extract.places import folds

            self.fold_key = folds
        merged = {r["key"]: r["same_as"] for r in records if r.get("same_as") in self.by_key}
        new: list[Entity] = []
        for r in records:
            key = merged.get(r["key"], r["key"])
            part_of = merged.get(r.get("part_of") or "", r.get("part_of"))
            capital_of = merged.get(r.get("capital_of") or "", r.get("capital_of"))
            if key in self.by_key:
                # a hand-written entity keeps its own names (GeoNames' go to the lookup
                # tables below): the governorate's "Idlib" must not name the city's entity
                e = self.by_key[key]
                e.geonames = e.geonames or r.get("geonames")
                e.part_of = e.part_of or part_of
                e.capital_of = e.capital_of or capital_of
            else:
                e = Entity(
                    key=key,
                    label=r["label"],
                    type=r["type"],
                    aliases=r["aliases"],
                    part_of=part_of,
                    capital_of=capital_of,
                )
                new.append(e)
                self.by_key[key] = e
            e.geonames, e.country = e.geonames or r.get("geonames"), r.get("country")
            e.lat, e.lon, e.population = r.get("lat"), r.get("lon"), r.get("population") or 0
            for f in r["folds"]:
                self.by_fold.setdefault(f, e)
            for name in (r["label"], *r["aliases"]):
                self.by_alias.setdefault(norm(name), e)
            if e.capital_of:
                self.capitals.setdefault(e.capital_of, e)
            self.place_forms.extend((form, key) for form in r["forms"])
        if self.fold_key is not None:  # the hand-written places GeoNames lacks ("Eastern
            # Al-Ghouta" is the Eastern Ghouta: the article inside the name)
            for e in list(self.by_key.values()):
                if e.is_place and e.type != "Country" and e.geonames is None:
                    for name in (e.label, *e.aliases):
                        for f in self.fold_key(name):
                            self.by_fold.setdefault(f, e)
        return new

    @classmethod
    def from_file(cls, path: Path, places: Path | None = None) -> Gazetteer:
        records = []
        if places is not None and places.exists():
            with places.open(encoding="utf-8") as fh:
                records = [json.loads(line) for line in fh if line.strip()]
        return cls(read_entities(path), records)

    def for_article(self) -> Gazetteer:
        """A view for one article: ad-hoc entities and countries acting as states are added
        to the view, not to this gazetteer. Shared, the type one article gave a name ("the
        town of X") became the type of X in every article the process read later, so an
        article's graph depended on what the process had extracted before it."""
        view = copy.copy(self)
        view.by_key = dict(self.by_key)
        return view

    def lookup(self, name: str) -> Entity | None:
        name = name.strip()
        if name.upper().startswith("Q") and name[1:].isdigit():
            return self.by_qid.get(name.upper())
        found = self.by_alias.get(norm(name))
        if found is None and self.fold_key is not None:
            found = next(
                (f for key in self.fold_key(name) if (f := self.by_fold.get(key)) is not None),
                None,
            )
        return found

    def get(self, key: str) -> Entity | None:
        return self.by_key.get(key)

    def adhoc(self, text: str, type_: str, sure: bool = False) -> Entity:
        """An entity known only from the text; the same name always gives the same key.
        ``sure`` types (from 'the town of X') replace a type NER guessed earlier in the
        article. A leading article is not part of the name ("the Islamic Front")."""
        text = LEADING_ARTICLE.sub("", text.strip()) or text
        key = adhoc_key(text)
        if key not in self.by_key or (sure and self.by_key[key].type != type_):
            self.by_key[key] = Entity(key=key, label=text.strip(), type=type_, known=False)
        return self.by_key[key]

    def facility(self, label: str, kind: str, base_name: str | None) -> Entity:
        """A facility ("Tabqa air base"): keyed by the place it is named after and its kind,
        so every wording of it ("Tabaqa military airport") is one entity."""
        key = facility_key(self, label, kind, base_name)
        if key not in self.by_key:
            base = self.lookup(base_name) if base_name else None
            self.by_key[key] = Entity(
                key=key,
                label=label.strip(),
                type="Place",
                known=False,
                part_of=base.key if base is not None and base.is_place else None,
            )
        return self.by_key[key]

    def place_keys(self, name: str) -> list[str]:
        """The keys extraction gives a place written so: a known place, a facility of a
        place ("Tabqa military airport"), or a place known only from the text."""
        keys = []
        known = self.lookup(name)
        if known is not None and known.is_place:
            keys.append(known.key)
        split = split_facility(name) or split_direction(name)
        if split is not None:
            keys.append(facility_key(self, name, split[1], split[0]))
        keys.append(adhoc_key(name))
        bare = strip_kind(name)
        if bare != name:  # "Sahel district", "the village of X": the name the cue kept
            if name.split()[-1].lower() in ("city", "town"):
                settlement = self.settlement(bare)  # "Idleb city": the province's capital
                keys.extend([settlement.key] if settlement is not None else [])
            keys.extend(k for k in self.place_keys(bare) if k not in keys)
        return keys

    def as_actor(self, entity: Entity) -> Entity:
        """A country that acts ("Russia vetoed") is its state: an Actor, not a Place."""
        if entity.type != "Country":
            return entity
        key = f"{entity.key}-state"
        if key not in self.by_key:
            self.by_key[key] = Entity(
                key=key,
                label=entity.label,
                type="State",
                wikidata=entity.wikidata,
                known=entity.known,
            )
        return self.by_key[key]

    def settlement(self, name: str) -> Entity | None:
        """The place a name given as a city or town stands for: a province's name is its
        capital ("Idleb city")."""
        found = self.lookup(name)
        if found is not None and found.type == "Province":
            return self.capitals.get(found.key)
        return found

    def country_of_state(self, entity: Entity) -> Entity | None:
        """The country a state acts for (``as_actor``'s inverse), or the country itself."""
        if entity.type == "Country":
            return entity
        found = self.get(entity.key.removesuffix("-state")) if entity.type == "State" else None
        return found if found is not None and found.type == "Country" else None

    def side_of(self, entity: Entity | None) -> Entity | None:
        """Whose control a capture by this actor gives: its side, else itself."""
        if entity is None:
            return None
        return self.as_actor(self.by_key.get(entity.side or "", entity))

    def ruler_patterns(self) -> list[dict]:
        patterns = self.entity_patterns()
        taken = {p["pattern"] for p in patterns}
        patterns += [
            {"label": "KG", "pattern": form, "id": key}
            for form, key in self.place_forms
            if form not in taken
        ]
        return patterns

    def entity_patterns(self) -> list[dict]:
        patterns = []
        for e in self.by_key.values():
            if not e.known or e.key.startswith(GEONAMES_PREFIXES):
                continue  # places from GeoNames come with their own forms
            names = {e.label, *e.aliases}
            # the apostrophe a feed stripped inside a name: "Kurdish Peoples Protection Units"
            names |= {n.replace("'s ", "s ").replace("’s ", "s ") for n in names}
            for name in names:
                variants = {name, name[:1].upper() + name[1:]}
                if len(name) >= 4 and name.replace(" ", "").isalpha():
                    variants.add(name.upper())  # "DAESH", "JARABLUS" in capitals
                if name[-1:].isalpha() and name[-1:] != "s" and len(name) >= 4:
                    # a possessive whose apostrophe a feed stripped: "Syrias", "Assads"
                    variants |= {v + "s" for v in variants if not v.isupper()}
                for variant in variants:
                    patterns.append({"label": "KG", "pattern": variant, "id": e.key})
        return patterns


LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\S)", re.I)


def adhoc_key(text: str) -> str:
    return f"x-{slug(norm(text))}"


def facility_key(gazetteer: Gazetteer, label: str, kind: str, base_name: str | None) -> str:
    base = gazetteer.lookup(base_name) if base_name else None
    if base is not None and base.is_place:
        return f"{base.key}-{kind}"
    if base_name:
        return f"{adhoc_key(base_name)}-{kind}"
    return adhoc_key(label)


def strip_kind(name: str) -> str:
    """'Sahel district' -> 'Sahel', 'the village of X' -> 'X'; other names unchanged."""
    words = name.strip().split()
    kinds = lexicon()["place_kind_heads"]
    if len(words) > 2 and words[0].lower() == "the":
        words = words[1:]
    if len(words) > 2 and words[0].lower() in kinds and words[1].lower() == "of":
        return " ".join(words[2:])
    if len(words) > 1 and words[-1].lower() in kinds:
        return " ".join(words[:-1])
    return name


def split_direction(name: str) -> tuple[str, str] | None:
    """'eastern Aleppo', 'east Aleppo', 'the eastern suburbs of Aleppo' -> ('Aleppo', 'east'):
    a part of a city."""
    words = name.strip().split()
    if words and words[0].lower() == "the":
        words = words[1:]
    plural_part = len(words) > 3 and words[1].lower() in lexicon()["city_part_plurals"]
    if plural_part and words[2].lower() == "of":
        words = [words[0], *words[3:]]
    kind = lexicon()["direction_regions"].get(words[0].lower()) if len(words) > 1 else None
    return (" ".join(words[1:]), kind) if kind else None


def split_facility(name: str) -> tuple[str, str] | None:
    """'Tabqa military airport' -> ('Tabqa', 'airport'), 'the Old City of Homs' -> ('Homs',
    'old-city'): the place and the facility's kind."""
    words = name.strip().split()
    heads = lexicon()["facility_heads"]
    if words and words[0].lower() == "the":
        words = words[1:]
    for n in (3, 2, 1):  # "the airport of X", "the Old City of X"
        if len(words) > n + 1 and words[n].lower() in ("of", "in"):
            kind = heads.get(" ".join(words[:n]).lower())
            if kind is not None:
                return " ".join(words[n + 1 :]), kind
    modifiers = set(lexicon()["facility_modifiers"])
    for n in (3, 2, 1):
        if len(words) > n and " ".join(words[-n:]).lower() in heads:
            base = words[:-n]
            while base and base[-1].lower() in modifiers:
                base = base[:-1]
            return (" ".join(base), heads[" ".join(words[-n:]).lower()]) if base else None
    return None


GEONAMES_PREFIXES = ("gn-", "prov-")


def read_entities(path: Path) -> list[Entity]:
    entities = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                raw = json.loads(line)
                entities.append(Entity(**{k: v for k, v in raw.items() if k in FIELDS}))
    return entities


def curated_entities() -> list[Entity]:
    """The hand-written entities of kg/data/entities.jsonl alone."""
    return read_entities(data_dir() / "entities.jsonl")


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The hand-written entities and GeoNames' places of the region (kg/data/places.jsonl)."""
    return Gazetteer.from_file(data_dir() / "entities.jsonl", data_dir() / "places.jsonl")


@lru_cache(maxsize=1)
def facility_kinds() -> frozenset[str]:
    return frozenset(lexicon()["facility_heads"].values())


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return json.loads((data_dir() / "lexicon.json").read_text(encoding="utf-8"))
