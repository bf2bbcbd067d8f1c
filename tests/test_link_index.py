"""The Natural Earth index built fast (ASCII folding by table, Places made on demand) answers
every lookup as the plain build did."""

from __future__ import annotations

import csv
import json
import re
import unicodedata

from kg.link import NaturalEarth, Place, _place, default_natural_earth, fold
from kg.resources import data_dir


def plain_fold(text: str) -> str:
    """fold as it was: NFKD, combining marks dropped, casefold, apostrophes and punctuation."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’‘`ʿʾ]", "", text.casefold())
    return " ".join(re.sub(r"[^0-9a-z\u0080-\uffff]+", " ", text).split())


class PlainIndex:
    """The index as it was: every row a Place, every name folded the plain way."""

    def __init__(self, places: list[Place]) -> None:
        self.by_name: dict[str, list[Place]] = {}
        self.by_qid: dict[str, Place] = {}
        for place in sorted(places, key=lambda p: -p.pop_max):
            for name in {plain_fold(n) for n in place.names}:
                self.by_name.setdefault(name, []).append(place)
            if place.qid:
                self.by_qid.setdefault(place.qid, place)
        self.countries = {plain_fold(p.country): p.country for p in places}

    def candidates(self, names: list[str]) -> list[Place]:
        seen: dict[str | int, Place] = {}
        for name in names:
            for place in self.by_name.get(plain_fold(name), []):
                seen.setdefault(place.qid or id(place), place)
        return list(seen.values())


def rows() -> list[dict[str, str]]:
    with (data_dir() / "natural_earth_places.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def entity_names() -> list[str]:
    lines = (data_dir() / "entities.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return [n for r in records for n in [r["label"], *r.get("aliases", [])]]


ODD = [
    "".join(map(chr, range(128))),
    "Dar'a",
    "Dar’a",
    "DAR`A",
    "Ma'arrat al-Nu'man",
    "Maʿarrat an-Nuʿman",
    "  Deir   ez-Zor ",
    "Al-Bāb",
    "Şanlıurfa",
    "Straße",
    "ﬁre",  # a ligature NFKD splits
    "-",
    "",
    "\t",
    "\x1c\x1f",
]


def test_fold_is_unchanged() -> None:
    names = [n for row in rows() for n in (row["name"], row["nameascii"], row["namealt"])]
    for text in [*names, *entity_names(), *ODD]:
        assert fold(text) == plain_fold(text), repr(text)


def test_every_lookup_is_unchanged() -> None:
    ne = default_natural_earth()
    plain = PlainIndex([_place(row) for row in rows()])
    assert sorted(ne.by_name) == sorted(plain.by_name)
    assert ne.countries == plain.countries
    probes = [[n] for n in plain.by_name] + [[n] for n in entity_names()] + [[n] for n in ODD]
    probes += [["Tripoli", "Homs"], ["Aleppo", "Halab"], ["Kobani", "Ayn al-Arab"]]
    for names in probes:
        assert ne.candidates(names) == plain.candidates(names), names
    for qid, place in plain.by_qid.items():
        assert ne.coordinates(qid) == (place.lat, place.lon), qid
    assert ne.places == [_place(row) for row in rows()]


def test_places_are_made_once_and_on_demand() -> None:
    ne = NaturalEarth(rows())
    assert ne._places == {}
    first = ne.candidates(["Aleppo"])
    assert first and ne.candidates(["Aleppo"])[0] is first[0]
    assert len(ne._places) < 10
