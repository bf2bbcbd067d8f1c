"""Places found by their linguistic cues, whatever a gazetteer or NER knows of them.

- a kind noun before the name: "the town of X", "the village of al-X", "the villages of A, B
  and C", "the cities of A and B";
- a kind noun after it: "X village", "X district", "the X neighbourhood";
- a facility: "X air base", "X military airport", "the Shaar oilfield", "the 17th Division
  base", "Base 46", "the army airport in X";
- a sentence that says what a name is: "X is a stronghold of Y", "X, a key rebel town, ...",
  "X is located 14 kilometres south of Y";
- a list after "including" that follows a kind noun ("five villages and hilltops including A B
  and C"): written without commas, a run of names is split where a word that opens place
  names ("Beit", "Tal", "Jabal": ``place_name_heads`` in the lexicon) begins a new one.

Each cue gives a ``Cue``: the tokens of the name, the type the kind noun gives it, and for a
facility its kind ("airport", "oilfield", ...), so "Tabqa air base" and "Tabaqa military
airport" are one facility: the airport of Tabqa. The words live in ``kg/data/lexicon.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Token

from kg.extract.gazetteer import lexicon

DIRECTION_KINDS = ("east", "west", "north", "south")
CONNECTORS = {
    "al",
    "el",
    "as",
    "ash",
    "ad",
    "ar",
    "at",
    "az",
    "an",
    "ez",
    "es",
    "ed",
    "bin",
    "ibn",
    "bani",
    "-",
    "'",
}
# parts of a city: "the X district of Aleppo" names X, not Aleppo
PART_KINDS = {"neighbourhood", "neighborhood", "district", "quarter", "suburb"}
PREFIXES = ("al-", "el-", "as-", "ash-", "ad-", "ar-", "at-", "az-", "an-", "ez-", "es-")


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    type: str  # entity type the cue gives: Town, Village, City, Region, Province, Place
    facility: str | None = None  # "airport", "oilfield", ... for a facility of the named place
    listed: bool = False  # one of several places the same cue names
    base: tuple[int, int] | None = None  # the named place a facility belongs to
    head: int | None = None  # the kind noun that counts a list ('three villages ... - A B C')
    named: bool = False  # the kind noun comes first ('the village of X'): X is surely a place
    kind_word: str | None = None  # the kind noun after the name ('Idlib province')

    def label(self, doc: Doc, base_label: str | None = None) -> str:
        """The facility named after its place ('Deir al-Zor army airport'), a part of a city
        ('eastern Aleppo'), else the name."""
        if self.facility in DIRECTION_KINDS and (base_label or self.base):
            base = base_label or doc[self.base[0] : self.base[1]].text  # type: ignore[index]
            return f"{self.facility}ern {base}"
        if self.base is None:
            return doc[self.start : self.end].text
        base = base_label or doc[self.base[0] : self.base[1]].text
        start, end = self.base
        rest = [t.text for t in doc[self.start : self.end] if not start <= t.i < end]
        words = [w for w in rest if w.lower() not in ("in", "of", "near", "at", "the")]
        return " ".join([base, *words])


@lru_cache(maxsize=1)
def kind_heads() -> dict[str, str]:
    """Kind noun (singular and plural, lower case) -> entity type."""
    return lexicon()["place_kind_heads"]


@lru_cache(maxsize=1)
def facility_heads() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Facility phrases as word tuples, longest first, by their first word -> kind."""
    heads = [(tuple(p.split()), kind) for p, kind in lexicon()["facility_heads"].items()]
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for words, kind in sorted(heads, key=lambda h: -len(h[0])):
        by_first.setdefault(words[0], []).append((words, kind))
    return by_first


def glued_article(text: str) -> bool:
    """'alKhadar', 'elBab': an article written onto a capitalised name."""
    return len(text) > 3 and text[:2].lower() in ("al", "el") and text[2].isupper()


def is_name_word(token: Token) -> bool:
    text = token.text
    if token.ent_type_ in ("DATE", "TIME"):
        return False  # "the city of Homs Wednesday"
    if token.is_punct and text not in ("-", "'"):
        return False
    if text[:1].isdigit():  # "Division 30", not "the town of X 60 kilometres north of"
        nxt = token.nbor() if token.i + 1 < len(token.doc) else None
        return nxt is None or not (nxt.is_alpha and nxt.text[:1].islower())
    if text[:1].isupper() or glued_article(text):
        return True
    return text.lower() in CONNECTORS or text.lower().startswith(PREFIXES)


def starts_name(token: Token) -> bool:
    text = token.text
    if text[:1].isdigit() and token.i + 1 < len(token.doc):  # "17th Division"
        return text.lower().endswith(("st", "nd", "rd", "th")) and token.nbor().text[:1].isupper()
    if text[:1].isupper():
        return token.lower_ not in STOP_STARTS and token.pos_ not in NOT_NAMES
    lower = text.lower()
    if glued_article(text) or (lower.startswith(PREFIXES) and len(text) > 3):
        return True
    # "al Rahmaliya", "al-Shafa": an article glued or apart, then a capital
    return (
        lower in CONNECTORS - {"-", "'", "bin", "ibn", "bani"}
        and token.i + 1 < len(token.doc)
        and (token.nbor().text[:1].isupper() or token.nbor().text == "-")
    )


NOT_NAMES = {"DET", "PRON", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "NUM"}
STOP_STARTS = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "in",
    "on",
    "at",
    "of",
    "by",
    "for",
    "with",
    "from",
    "to",
    "as",
    "it",
    "its",
    "their",
    "his",
    "her",
    "this",
    "that",
    "these",
    "those",
    "he",
    "she",
    "they",
    "we",
    "i",
    "who",
    "which",
}


def name_run(doc: Doc, start: int, limit: int) -> int:
    """The end of a name starting at ``start``: name words, not ending on a connector."""
    if start >= limit or not starts_name(doc[start]):
        return start
    end = start + 1
    while end < limit and is_name_word(doc[end]) and not facility_at(doc, end):
        if doc[end].lower_ in kind_heads() and doc[end].text[:1].islower():
            break
        end += 1
    while end > start + 1 and doc[end - 1].lower_ in CONNECTORS:
        end -= 1
    return end


def split_run(doc: Doc, start: int, end: int, listed: bool = False) -> list[tuple[int, int]]:
    """A run of names without commas, split where a place-name opening word begins one, or
    where a capitalised word follows a word the Arabic article opens ('Tall al-Kurum Mazra
    al-Wadi Salqin': three names; such a word ends its name). In a list 'and' closes, an
    opening word also takes just one word when no article follows ('the suburbs of Ain Tarma
    Zamalka and Jobar': Ain Tarma, Zamalka)."""
    heads = set(lexicon()["place_name_heads"])
    parts, first = [], start
    for i in range(start + 1, end):
        opens = doc[i].text in heads and doc[i - 1].lower_ not in CONNECTORS
        after_article = (i - first >= 3 and doc[i - 2].text == "-"
                         and doc[i - 3].lower_ in ("al", "el") and doc[i].text[:1].isupper()
                         and doc[i].lower_ not in ("al", "el"))
        after_head = (listed and i - first == 2 and doc[first].text in heads
                      and doc[i - 1].lower_ not in CONNECTORS and doc[i].text[:1].isupper()
                      and doc[i].lower_ not in CONNECTORS and doc[i].lower_ not in kind_heads())
        if opens or after_article or after_head:
            parts.append((first, i))
            first = i
    parts.append((first, end))
    return parts


def facility_at(doc: Doc, i: int) -> tuple[int, str] | None:
    """(end, kind) of a facility phrase starting at token ``i``."""
    for words, kind in facility_heads().get(doc[i].lower_, ()):
        n = len(words)
        if i + n <= len(doc) and all(doc[i + k].lower_ == w for k, w in enumerate(words)):
            return i + n, kind
    return None


def read_list(doc: Doc, start: int, limit: int) -> list[tuple[int, int]]:
    """Names joined by commas and 'and', from ``start``: [(start, end), ...]. Names after a
    comma count only in a list that 'and' or 'or' closes ('A, B and C'); 'X, AFP said'
    names one place."""
    runs: list[tuple[int, int]] = []
    closed = False
    i = start
    while i < limit:
        end = name_run(doc, i, limit)
        if end == i:
            break
        runs.append((i, end))
        i = end
        comma = i < limit and doc[i].text == ","
        if comma:
            i += 1
        if i < limit and doc[i].lower_ in ("and", "or"):
            closed = True
            i += 1
        elif not comma or closed:
            break
    if not closed:  # "X, AFP said": one place
        return split_run(doc, *runs[0]) if runs else []
    return [part for run in runs for part in split_run(doc, *run, listed=True)]


def place_cues(doc: Doc) -> list[Cue]:
    cues: list[Cue] = []
    for sent in doc.sents:
        cues.extend(sentence_cues(doc, sent.start, sent.end))
    return cues


def sentence_cues(doc: Doc, start: int, end: int) -> list[Cue]:
    cues: list[Cue] = []
    kinds = kind_heads()
    if (said := described_name(doc, start, end)) is not None:
        cues.append(said)
    i = start
    while i < end:
        token = doc[i]
        facility = facility_at(doc, i)
        if facility is not None:
            cues.extend(facility_cues(doc, start, i, facility, end))
            i = facility[0]
            continue
        direction = directions().get(token.lower_)
        if direction is not None:
            cue = direction_cue(doc, i, direction, end)
            if cue is not None:
                cues.append(cue)
                i = cue.end
                continue
        kind = kinds.get(token.lower_)
        if kind is not None and (token.text[:1].islower() or i > start):
            cues.extend(kind_cues(doc, start, i, kind, end))
        if token.lower_ == "including" and i > start and listing_places(doc, start, i):
            names = read_list(doc, i + 1, end)
            if len(names) > 1:
                cues.extend(Cue(s, e, "Place", listed=True) for s, e in names)
        i += 1
    return cues


def described_name(doc: Doc, start: int, end: int) -> Cue | None:
    """A sentence that opens by saying what a name is: "X is a stronghold of Y", "X is one of
    the last rebel bastions", "X, a key rebel town, ...", "X is located 14 kilometres south of
    Y": X is a place."""
    name_end = name_run(doc, start, end)
    if name_end == start or name_end + 2 >= end:
        return None
    if any(
        t.pos_ not in ("PROPN", "ADP", "DET", "PUNCT", "NOUN", "ADJ") for t in doc[start:name_end]
    ):
        return None
    verb = doc[name_end]
    at = name_end + 1
    if verb.lower_ in ("is", "was") and doc[at].lower_ in ("now", "still"):
        at += 1
    if verb.lower_ in ("is", "was", "lies") and doc[at].lower_ in ("located", "situated"):
        return Cue(start, name_end, "Place", named=True)
    if at + 2 < end and doc[at].lower_ == "one" and doc[at + 1].lower_ == "of":
        at += 2  # "X is one of the last rebel bastions"
        if doc[at].lower_ != "the":
            return None
    elif verb.lower_ not in ("is", "was", ",") or doc[at].lower_ not in ("a", "an"):
        return None
    for k in range(at + 1, min(end, at + 6)):
        word = doc[k].lower_
        if word in kind_heads() or doc[k].lemma_.lower() in lexicon()["stronghold_nouns"]:
            return Cue(start, name_end, kind_heads().get(word, "Place"), named=True)
        if doc[k].pos_ not in ("ADJ", "NOUN", "PROPN", "PUNCT", "VERB", "ADV"):
            return None
    return None


@lru_cache(maxsize=1)
def directions() -> dict[str, str]:
    return lexicon()["direction_regions"]


def direction_cue(doc: Doc, i: int, direction: str, end: int) -> Cue | None:
    """'eastern Aleppo', 'east Aleppo', 'the (rebel-held) east of Aleppo', 'the west of the
    city': a part of a city, named after it. Whether the name is a city is the gazetteer's
    to say (``kg.extract.mentions``)."""
    token = doc[i]
    nxt = i + 1
    if nxt < end and token.lower_ in ("east", "west", "north", "south") and doc[nxt].lower_ == "of":
        if (
            i == 0
            or doc[i - 1].lower_ not in ("the",)
            and doc[i - 1].text != "-"
            and not (doc[i - 1].lower_.endswith(("held", "controlled")))
        ):
            return None  # "east of Aleppo" locates; "the east of Aleppo" names a part
        base = nxt + 1
        if base + 1 < end and doc[base].lower_ == "the" and doc[base + 1].lower_ == "city":
            named = base + 3 < end and doc[base + 2].lower_ == "of"
            name_end = name_run(doc, base + 3, end) if named else base + 3
            if named and name_end > base + 3:  # "the west of the city of Aleppo"
                return Cue(i, name_end, "Region", facility=direction, base=(base + 3, name_end))
            return Cue(i, base + 2, "Region", facility=direction, base=(base, base + 2))
        name_end = name_run(doc, base, end)
        return (
            Cue(i, name_end, "Region", facility=direction, base=(base, name_end))
            if (name_end > base)
            else None
        )
    parts = lexicon()["city_part_plurals"]
    if (
        nxt + 2 < end
        and doc[nxt].lower_ in parts
        and doc[nxt + 1].lower_ == "of"
        and token.text[:1].islower()
    ):
        # "the rebel-held eastern suburbs of Aleppo", "western districts of the city", "the
        # western side of the divided city": that part of the city
        base = nxt + 2 + (doc[nxt + 2].lower_ == "the")
        city = the_city(doc, nxt + 2, end)
        if city is not None:
            return Cue(i, city, "Region", facility=direction, base=(nxt + 2, city))
        name_end = name_run(doc, base, end)
        if len(read_list(doc, base, end)) > 1:
            return None  # "the eastern suburbs of A, B and C": suburbs, each its own place
        if name_end > base:
            return Cue(i, name_end, "Region", facility=direction, base=(base, name_end))
    if (
        nxt < end
        and doc[nxt].lower_ in parts
        and (nxt + 1 == end or doc[nxt + 1].lower_ != "of")
        and token.text[:1].islower()
        and any(t.lower_ == "the" for t in doc[max(0, i - 4) : i])
    ):
        # "shells fell on the regime-held northern districts": that part of
        # the city the item named last
        return Cue(i, nxt + 1, "Region", facility=direction)
    name_end = name_run(doc, nxt, end)
    if (
        name_end > nxt
        and token.lower_ not in ("east", "west", "north", "south")
        or (name_end > nxt and token.text[:1].islower())
    ):
        return Cue(i, name_end, "Region", facility=direction, base=(nxt, name_end))
    return None


def the_city(doc: Doc, i: int, end: int) -> int | None:
    """The end of 'the city' or 'the divided city' at ``i``, else None."""
    if i >= end or doc[i].lower_ != "the":
        return None
    k = i + 1
    while k < min(end, i + 3) and (doc[k].pos_ == "ADJ" or doc[k].tag_ == "VBN"):
        k += 1
    return k + 1 if k < end and doc[k].lower_ == "city" else None


def listing_places(doc: Doc, start: int, i: int) -> bool:
    """'villages and hilltops including': a kind noun shortly before 'including'."""
    kinds = kind_heads()
    return any(
        doc[k].lower_ in kinds or doc[k].lower_ in ("hilltops", "hills", "positions")
        for k in range(max(start, i - 4), i)
    )


def kind_cues(doc: Doc, start: int, i: int, kind: str, end: int) -> list[Cue]:
    """'the village of X' (and 'the villages of A and B'), 'X village'."""
    out: list[Cue] = []
    nxt = i + 1
    named_before = name_start(doc, start, i)
    if named_before is not None and doc[i].lower_ in PART_KINDS | {"area"}:
        # "the al-Qaterji neighbourhood of Aleppo", "the Bab al-Nasr area of Old Aleppo": the
        # name before; 'of' names the city
        return [Cue(named_before, i, kind, kind_word=doc[i].text)]
    if nxt < end and doc[nxt].lower_ == "of":
        names = read_list(doc, nxt + 1, end)
        listed = len(names) > 1
        out.extend(Cue(s, e, kind, listed=listed, named=True) for s, e in names)
        if out:
            return out
    # "Baghaydin village", "the Khaldiyeh district": a name just before the kind noun
    first = name_start(doc, start, i)
    if first is not None:
        out.append(Cue(first, i, kind, kind_word=doc[i].text))
        if doc[i].tag_ in ("NNS", "NNPS") or doc[i].lower_.endswith("s"):
            out.extend(names_before(doc, start, first, kind))  # "A and B areas"
    return out or counted_list(doc, i, kind, end)


def names_before(doc: Doc, start: int, first: int, kind: str) -> list[Cue]:
    """'al-Mazare and al-Kharroubi areas': the names listed before the last one."""
    out: list[Cue] = []
    k = first - 1
    while k > start and doc[k].lower_ in ("and", ",", "or"):
        k -= 1
        while k > start and doc[k].text == ",":
            k -= 1
        begin = name_start(doc, start, k + 1)
        if begin is None:
            break
        out.append(Cue(begin, k + 1, kind, listed=True))
        k = begin - 1
    return out


def counted_list(doc: Doc, i: int, kind: str, end: int) -> list[Cue]:
    """'three villages south of Aleppo - A B and C -': a counted plural named after a dash
    or colon; without commas, the run is split into as many names as were counted."""
    count = next(
        (lexicon()["numbers"].get(c.lower_) for c in doc[i].children if c.dep_ == "nummod"), None
    )
    if not count or count < 2:
        return []
    dash = next(
        (k for k in range(i + 1, min(end, i + 14)) if doc[k].text in ("-", "--", ":", "—")), None
    )
    starts = [dash + 1] if dash is not None else [
        # the dash a feed stripped: the first run of names that is a list of that many
        k for k in range(i + 1, min(end, i + 14)) if starts_name(doc[k])
        and not starts_name(doc[k - 1])
    ]
    for first in starts:
        names = counted(read_list(doc, first, end), count)
        if names:
            return [Cue(s, e, kind, listed=True, head=i, named=True) for s, e in names]
    return []


def counted(names: list[tuple[int, int]], count: int) -> list[tuple[int, int]]:
    """The names as a list of ``count``, splitting a run without commas into one name per
    word when that makes the count ('A B and C' for three); else none."""
    if len(names) < count and sum(e - s for s, e in names) == count:
        names = [(k, k + 1) for s, e in names for k in range(s, e)]
    return names if len(names) == count else []


def name_start(doc: Doc, start: int, head: int) -> int | None:
    """Where a name that ends just before ``head`` begins, or None."""
    k = head - 1
    while k >= start and is_name_word(doc[k]):
        k -= 1
    k += 1
    while k < head and not starts_name(doc[k]):
        k += 1
    if k >= head or (k == start and doc[k].lower_ in STOP_STARTS):
        return None
    if all(t.text[:1].isdigit() for t in doc[k:head]):
        return None
    return k


def facility_cues(doc: Doc, start: int, i: int, facility: tuple[int, str], end: int) -> list[Cue]:
    """'Tabqa air base', 'the army airport in X', 'Base 46'."""
    stop, kind = facility
    if kind == "base" and stop < end and doc[stop].text.isdigit():  # "Base 46", "Regiment 111"
        return [Cue(i, stop + 1, "Place")]
    lead = i
    while lead > start and doc[lead - 1].lower_ in FACILITY_MODIFIERS:
        lead -= 1
    first = name_start(doc, start, lead)
    if first is not None:
        return [Cue(first, stop, "Place", facility=kind, base=(first, lead))]
    if (
        stop + 1 < end
        and doc[stop].lower_ in ("in", "of", "near", "at")
        and starts_name(doc[stop + 1])
        and kind not in lexicon()["facilities_named_before"]  # "a road near X" is no X road
    ):
        name_end = name_run(doc, stop + 1, end)
        if name_end > stop + 1:
            return [Cue(lead, name_end, "Place", facility=kind, base=(stop + 1, name_end))]
    return []


FACILITY_MODIFIERS = frozenset(lexicon()["facility_modifiers"]) - {"the"}
