"""The Natural Earth index built fast (ASCII folding by table, Places made on demand, kept in
a cache beside the data file) answers every lookup as the plain build did."""

from __future__ import annotations

import csv
import json
import marshal
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from kg.emit.link import NaturalEarth, Place, _place, fold
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


def copied_data(tmp_path: Path) -> Path:
    path = tmp_path / "natural_earth_places.csv"
    shutil.copyfile(data_dir() / path.name, path)
    return path


def cached_files(path: Path) -> list[Path]:
    return sorted((path.parent / "__pycache__").glob("*.marshal"))


def assert_same_lookups(ne: NaturalEarth) -> None:
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


def test_every_lookup_is_unchanged() -> None:
    assert_same_lookups(NaturalEarth.from_csv(data_dir() / "natural_earth_places.csv", False))


def test_the_cached_index_gives_the_same_lookups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copied_data(tmp_path)
    NaturalEarth.from_csv(path)
    assert len(cached_files(path)) == 1

    def not_built(self: NaturalEarth) -> None:
        raise AssertionError("built again instead of read from the cache")

    monkeypatch.setattr(NaturalEarth, "_index", not_built)
    assert_same_lookups(NaturalEarth.from_csv(path))


def test_a_changed_data_file_replaces_the_cache(tmp_path: Path) -> None:
    path = copied_data(tmp_path)
    NaturalEarth.from_csv(path)
    before = cached_files(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("Aleppo,")))
    assert NaturalEarth.from_csv(path).candidates(["Aleppo"]) == []
    after = cached_files(path)
    assert len(after) == 1 and after != before
    assert NaturalEarth.from_csv(path).candidates(["Aleppo"]) == []


def test_an_unwritable_or_broken_cache_builds_in_memory(tmp_path: Path) -> None:
    path = copied_data(tmp_path)
    (path.parent / "__pycache__").write_text("a file, not a folder: as a read-only install")
    assert NaturalEarth.from_csv(path).candidates(["Aleppo"])
    (path.parent / "__pycache__").unlink()
    NaturalEarth.from_csv(path)
    for cached in cached_files(path):
        cached.write_bytes(b"not marshal data")
    assert len(NaturalEarth.from_csv(path).candidates(["Aleppo"])) == 1
    assert marshal.loads(cached_files(path)[0].read_bytes())[0][0] == "name"  # written again


def test_places_are_made_once_and_on_demand() -> None:
    ne = NaturalEarth.from_csv(data_dir() / "natural_earth_places.csv", cache=False)
    assert ne._places == {}
    first = ne.candidates(["Aleppo"])
    assert first and ne.candidates(["Aleppo"])[0] is first[0]
    assert len(ne._places) < 10
