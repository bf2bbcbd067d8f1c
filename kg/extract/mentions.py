"""Mentions of entities in an item, and the rules that resolve a noun phrase to an entity.

Resolution is item-scoped: "the town" is the most recent settlement mentioned in the item (or
the next one, for a lead sentence that names it only later), "militants" the armed group the
item is about, "it" the subject of the governing clause.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.attrs import DEP, LEMMA, LOWER, POS, TAG
from spacy.tokens import Doc, Span, Token

from kg.extract.cues import DIRECTION_KINDS, PART_KINDS, Cue, place_cues, split_run
from kg.extract.gazetteer import (
    NER_TYPES,
    Entity,
    Gazetteer,
    adhoc_key,
    lexicon,
    norm,
    split_direction,
)
from kg.vocab import slug

CLAUSE_DEPS = {"relcl", "acl", "advcl", "ccomp", "xcomp", "conj", "parataxis", "appos", "cc"}
PRONOUNS = {"it", "they", "he", "she", "its", "their", "his", "her", "them", "him"}
TYPED_HEADS = {
    "town": "Town",
    "city": "City",
    "village": "Village",
    "province": "Province",
    "governorate": "Province",
    "region": "Region",
    "district": "Region",
}
COMPATIBLE = {
    "neighbourhood": {"Region", "Place", "Village"},
    "neighborhood": {"Region", "Place", "Village"},
    "district": {"Region", "Place", "Village", "Town"},
    "suburb": {"Region", "Place", "Village", "Town"},
    "town": {"Town", "City", "Village", "Place"},
    "city": {"City", "Town", "Place"},
    "village": {"Village", "Town", "Place"},
    "capital": {"City"},
    "province": {"Province"},
    "region": {"Province", "Region", "Place"},
}
SETTLEMENTS = {"Town", "City", "Village", "Place"}


@dataclass
class Mention:
    start: int
    end: int
    entity: Entity
    text: str


class Words:
    """An item's words as plain strings, read once: ``pos[i]``, ``tag[i]``, ``dep[i]``,
    ``lower[i]`` and ``lemma[i]`` (lower-cased) of token ``i``. The rules walk every sentence
    a score of times looking for their trigger words; a spaCy ``Token`` costs an object and a
    string lookup per attribute each time, these lists an index."""

    __slots__ = ("dep", "lemma", "lower", "pos", "tag")

    def __init__(self, doc: Doc) -> None:
        strings = doc.vocab.strings
        columns = doc.to_array([POS, TAG, DEP, LOWER, LEMMA]).T.tolist() if len(doc) else [[]] * 5
        self.pos, self.tag, self.dep, self.lower = ([strings[k] for k in c] for c in columns[:4])
        lowered = {key: strings[key].lower() for key in set(columns[4])}
        self.lemma = [lowered[key] for key in columns[4]]


@dataclass
class ItemContext:
    """What a whole item knows while its sentences are read in order."""

    doc: Doc
    gazetteer: Gazetteer
    stem: str
    mentions: list[Mention] = field(default_factory=list)
    by_token: dict[int, Mention] = field(default_factory=dict)
    last_place: Entity | None = None
    last_speaker: Entity | None = None
    controllers: dict[str, Entity] = field(default_factory=dict)  # place key -> last controller
    holders: dict[str, Entity] = field(default_factory=dict)  # ... by a change or a state
    lists: dict[int, list[Entity]] = field(default_factory=dict)  # token -> its list's places
    article_places: Counter = field(default_factory=Counter)  # settlements across the article
    sources: dict[str, Entity] = field(default_factory=dict)  # head noun -> anonymous source
    words: Words = field(init=False)

    def __post_init__(self) -> None:
        self.words = Words(self.doc)

    def add(self, mention: Mention) -> None:
        self.mentions.append(mention)
        for i in range(mention.start, mention.end):
            self.by_token[i] = mention

    def at(self, token: Token) -> Entity | None:
        m = self.by_token.get(token.i)
        return m.entity if m else None


def build_context(doc: Doc, gazetteer: Gazetteer, stem: str) -> ItemContext:
    """The item's mentions: places by their cues ("the village of X", "X air base") first,
    then the entity ruler's and NER's entities on the tokens left."""
    ctx = ItemContext(doc=doc, gazetteer=gazetteer, stem=stem)
    peoples = nationality_words(gazetteer)
    actors = {
        i
        for ent in doc.ents
        # "Kurdish village" names no place; "the Qaterji neighbourhood" NER took for a people does
        if (ent.label_ == "NORP" and ent.text in peoples)
        or (ent.label_ == "KG" and not is_place_key(ent.ent_id_, gazetteer))
        for i in range(ent.start, ent.end)
    }
    countries = {  # "a neighbourhood of Syria's city of Homs": no cue makes Syria a district
        i
        for ent in doc.ents
        if ent.label_ == "KG" and (gazetteer.get(ent.ent_id_) or FALLBACK).type == "Country"
        for i in range(ent.start, ent.end)
    }
    taken: set[int] = set()
    listed: list[tuple[int, int, Entity]] = []
    for cue in place_cues(doc):
        name = cue.base or (cue.start, cue.end)
        if taken & set(range(cue.start, cue.end)):
            continue
        if not cue.named and actors & set(range(*name)):
            continue  # "Russian air base", "Kurdish village": no place's name
        if (countries | (actors - nationals(doc))) & set(range(*name)):
            continue
        if cue.facility in DIRECTION_KINDS:
            part = city_part(cue, doc, ctx)
            if part is None:
                continue
            entity = part
        else:
            entity = cue_entity(cue, doc, gazetteer)
        ctx.add(Mention(cue.start, cue.end, entity, doc[cue.start : cue.end].text))
        taken.update(range(cue.start, cue.end))
        if cue.listed:
            listed.append((cue.start, cue.end, entity))
        if cue.head is not None:
            ctx.lists.setdefault(cue.head, []).append(entity)
    remember_lists(ctx, listed)
    for start, end in group_names(doc):  # "Liwa Thuwar al-Raqqa": a group, not Raqqa
        group_name = doc[start:end].text
        group = (gazetteer.lookup(group_name) or people_named(doc[start:end], gazetteer)
                 or gazetteer.adhoc(group_name, "ArmedGroup", sure=True))
        ctx.add(Mention(start, end, group, group_name))
        taken.update(range(start, end))
    for whole in doc.ents:
        if taken & set(range(whole.start, whole.end)):
            continue
        for ent in listed_names(whole, gazetteer):
            found = entity_for_span(ent, gazetteer)
            if found is not None:
                ctx.add(Mention(ent.start, ent.end, found, ent.text))
    ctx.mentions.sort(key=lambda m: m.start)
    unlink_strays(ctx)
    return ctx


SMALL_PLACE = 100_000  # below this many people a name is as often another town's


def unlink_strays(ctx: ItemContext) -> None:
    """'the village of al-Sabha' in a report on Deir al-Zor is not the Jordanian town of
    that name: a small place the gazetteer matched in a country the item names nothing else
    in is a place known from the text alone."""
    codes, doc = lexicon()["country_codes"], ctx.doc

    parts = REGION_WORDS - {"area"}

    def part(m: Mention) -> bool:  # "al-Sinaah district": a part of a town, not a city abroad
        after = m.end < len(doc) and doc[m.end].lower_ in parts
        # "the district of Hamdaniyeh" names the district; "the Sinaa district of Deir
        # Ezzor" the city it is in
        return after or (m.start > 2 and doc[m.start - 1].lower_ == "of"
                         and doc[m.start - 2].lower_ in parts
                         and doc[m.start - 3].pos_ != "PROPN")

    countries = {
        codes.get(m.entity.key) if m.entity.type == "Country" else m.entity.country
        for m in ctx.mentions
        if m.entity.type == "Country"
        or (m.entity.country and not part(m) and (m.entity.population >= SMALL_PLACE
                                                  or m.entity.type in ("City", "Province")))
    } | {codes.get(m.entity.side or "") for m in ctx.mentions} - {None}
    if not countries:
        return
    for i, m in enumerate(ctx.mentions):
        e = m.entity
        if (e.is_place and e.known and e.country and e.country not in countries
                and (e.population < SMALL_PLACE or part(m))
                and e.type not in ("Country", "Province")):
            stray = ctx.gazetteer.adhoc(m.text, e.type)
            ctx.mentions[i] = Mention(m.start, m.end, stray, m.text)
            for t in range(m.start, m.end):
                ctx.by_token[t] = ctx.mentions[i]


def group_names(doc: Doc) -> list[tuple[int, int]]:
    """Armed groups' proper names, kept whole: a run of capitalised words opened by a word
    that names a unit ('Liwa', 'Jaish', 'Harakat', 'Brigade'; kg/data/lexicon.json
    "armed_group_words"), whatever place or person the rest of the name holds."""
    words = set(lexicon()["armed_group_words"])
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if (
            token.text[:1].isupper()
            and token.lower_ in words
            and (i == 0 or not doc[i - 1].text[:1].isupper() or doc[i - 1].is_sent_start)
        ):
            end = i + 1
            while (
                end < len(doc)
                and (
                    doc[end].text[:1].isupper() or doc[end].lower_ in ("al", "el", "-", "ash", "as")
                )
                and not doc[end].is_sent_start
            ):
                end += 1
            while end > i + 1 and doc[end - 1].lower_ in ("al", "el", "-", "ash", "as"):
                end -= 1
            if end - i >= 2:
                found.append((i, end))
                i = end
                continue
        i += 1
    return found + named_forces(doc, found)


def people_named(span: Span, gazetteer: Gazetteer) -> Entity | None:
    """A force's name with its country where its people's word belongs ('Syria Democratic
    Forces'): the force the people's word names."""
    words = []
    for t in span:
        country = gazetteer.lookup(t.text) if t.text[:1].isupper() else None
        words.append(country.demonyms[0] if country is not None and country.type == "Country"
                     and country.demonyms else t.text)
    text = " ".join(words)
    return gazetteer.lookup(text) if text != span.text else None


def named_forces(doc: Doc, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """'the so-called Democratic Syria Troops': three or more capitalised words inside a
    sentence, ending in a word for a force ('Troops', 'Forces', 'Army'; kg/data/lexicon.json
    "armed_group_tails") and not opened by a people's word, name one force, not the country
    and the generic troops inside it."""
    tails = set(lexicon()["armed_group_tails"])
    used = {i for s, e in taken for i in range(s, e)}
    found: list[tuple[int, int]] = []
    for t in doc:
        if t.lower_ not in tails or not t.text[:1].isupper() or t.i in used:
            continue
        start = t.i
        while start > 0 and doc[start - 1].text[:1].isupper() and not doc[start].is_sent_start:
            start -= 1
        if (t.i - start >= 2 and not doc[start].is_sent_start
                and doc[start].ent_type_ != "NORP" and doc[start].pos_ != "ADJ"
                and not used & set(range(start, t.i + 1))):
            found.append((start, t.i + 1))
    return found


def remember_lists(ctx: ItemContext, listed: list[tuple[int, int, Entity]]) -> None:
    """Members of one list (cues that follow each other within a few tokens) are reached
    from any of their tokens."""
    groups: list[list[tuple[int, int, Entity]]] = []
    for item in listed:
        if groups and item[0] - groups[-1][-1][1] <= 2:
            groups[-1].append(item)
        else:
            groups.append([item])
    for group in groups:
        members = [e for _, _, e in group]
        for start, end, _ in group:
            for i in range(start, end):
                ctx.lists[i] = members


def fits_kind(entity: Entity, kind: str) -> bool:
    """Can a place of this type be what the cue's kind noun calls it?"""
    if kind == "Province" or entity.type == "Province":
        return kind == entity.type
    return entity.type != "Country"


FALLBACK = Entity(key="", label="", type="")


def nationality_words(gazetteer: Gazetteer) -> set[str]:
    """Words for peoples, faiths and nationalities (the gazetteer's demonyms and
    kg/data/lexicon.json "nationality_words")."""
    words = set(lexicon()["nationality_words"])
    return words | {d for e in gazetteer.by_key.values() for d in e.demonyms}


def nationals(doc: Doc) -> set[int]:
    """Tokens NER calls a nationality or group ('al-Qadimah' is often one): a cue's kind
    noun outranks that guess."""
    return {i for ent in doc.ents if ent.label_ == "NORP" for i in range(ent.start, ent.end)}


def is_place_key(key: str, gazetteer: Gazetteer) -> bool:
    entity = gazetteer.get(key)
    return entity is not None and entity.is_place


def cue_entity(cue: Cue, doc: Doc, gazetteer: Gazetteer) -> Entity:
    if cue.facility is None:
        text = doc[cue.start : cue.end].text
        names = [f"{text} {cue.kind_word}", text] if cue.kind_word else [text]
        if cue.type == "Province":  # "the province of Raqa": Raqa province, not the city
            names.append(f"{text} province")
        for name in names:  # "Idlib province" is the province, not the city "Idlib"
            # "Idleb city" is its province's capital
            settlement = cue.type in SETTLEMENTS
            known = gazetteer.settlement(name) if settlement else gazetteer.lookup(name)
            if known is not None and known.is_place and fits_kind(known, cue.type) and not (
                known.type in SETTLEMENTS and quarter_word(cue, doc)
            ):  # "the Shahba and Hamdaniyeh neighbourhoods": not the towns of those names
                return known
        return gazetteer.adhoc(text, cue.type, sure=True)
    base = doc[cue.base[0] : cue.base[1]].text if cue.base else None
    return gazetteer.facility(cue.label(doc), cue.facility, base)


QUARTER_WORDS = {"neighbourhood", "neighborhood", "quarter", "district"}


def quarter_word(cue: Cue, doc: Doc) -> bool:
    """Does the cue call its name a city's quarter with the word after it ('the X
    neighbourhood', 'the A and B neighbourhoods')? A town elsewhere of that name is then not
    it. ('a district of Manbij' names the city the district is in.)"""
    words = [cue.kind_word or ""]
    if cue.end < len(doc):
        words.append(doc[cue.end].lemma_)
    if cue.listed:  # "the A and B neighbourhoods": the word after the list's last name
        after = next((t for t in doc[cue.end : cue.end + 6] if t.pos_ == "NOUN"), None)
        words.append(after.lemma_ if after is not None else "")
    return any(w.lower() in QUARTER_WORDS for w in words)


def city_part(cue: Cue, doc: Doc, ctx: ItemContext) -> Entity | None:
    """'eastern Aleppo', 'the west of the city': the part of a known city or town, or None
    ('northern Syria' is a country's, 'east of the river' no place's)."""
    assert cue.facility is not None
    words = doc[cue.base[0] : cue.base[1]] if cue.base else None
    if words is None or words[0].lower_ == "the" and words[-1].lower_ == "city":
        # "the (divided) city", or no city said: the last city named before (cues come
        # before ents)
        since = doc[cue.start].sent.start
        for _ in range(3):  # this sentence and the three before
            since = previous_sentence_start(doc[since])
        named = [
            ctx.gazetteer.get(e.ent_id_)
            for e in doc.ents
            if e.label_ == "KG" and since <= e.start and e.end <= cue.start
        ]
        places = [e for e in named if e is not None and e.is_place and e.type != "Country"]
        # the last place named, if a city of the theatre: not "talks in Geneva ... the eastern
        # districts", nor a city before "in Idlib province ... the northern districts"
        city = places[-1] if places and places[-1].type == "City" and (
            places[-1].country in lexicon()["theatre_countries"]) else None
    else:
        city = ctx.gazetteer.lookup(words.text)
    if city is None or city.type not in ("City", "Town"):
        return None
    return ctx.gazetteer.facility(cue.label(doc, city.label), cue.facility, city.label)


def listed_names(ent: Span, gazetteer: Gazetteer) -> list[Span]:
    """A place NER ran over a list whose commas were stripped ('strongholds in Tabqa
    al-Hamra Abu Jarad Umm Tina and al-Kabir'), split where place names open, when 'and'
    or a comma follows it and no gazetteer knows the whole."""
    doc = ent.doc
    after = doc[ent.end] if ent.end < len(doc) else None
    if (len(ent) < 3 or ent.label_ not in ("GPE", "LOC", "FAC") or after is None
            or after.lower_ not in ("and", ",")
            or gazetteer.lookup(ent.text) is not None):
        return [ent]
    parts = split_run(doc, ent.start, ent.end, listed=True)
    return [Span(doc, s, e, label=ent.label_) for s, e in parts] if len(parts) > 1 else [ent]


def entity_for_span(ent: Span, gazetteer: Gazetteer) -> Entity | None:
    if ent.label_ == "KG":
        return gazetteer.get(ent.ent_id_)
    known = gazetteer.lookup(ent.text)
    if known is not None:
        return known
    if ent.label_ == "NORP":  # "Russian airstrikes": the country acts
        country = gazetteer.by_demonym.get(ent.text.lower())
        return gazetteer.as_actor(country) if country is not None else None
    type_ = NER_TYPES.get(ent.label_)
    if type_ is None or not_a_name(ent):
        return None
    if type_ in ("Place", "Region"):
        type_ = typed_by_context(ent) or type_
    return gazetteer.adhoc(ent.text, type_)


@lru_cache(maxsize=1)
def common_nouns() -> frozenset[str]:
    """Nouns the rules read as words ('airstrikes', 'civilians', 'town'), never as names."""
    lex = lexicon()
    return (
        frozenset(lex["attack_nouns"])
        | frozenset(lex["victim_nouns"])
        | frozenset(lex["place_nouns"])
    )


EQUIPMENT_CODE = re.compile(r"^[A-Za-z]{1,4}-?\d+[A-Za-z0-9]*$")  # Tu-22MZ, Su-24, F-16


def not_a_name(ent: Span) -> bool:
    """What NER tags but names no actor or place: a common noun ('congress', a headline's
    'Airstrikes'), a cut word ('Pro-'), an aircraft or weapon ('Tu-22MZ', 'Kalibr missiles')."""
    lex = lexicon()
    text = ent.text.strip()
    if not text or text.endswith("-") or text.islower():
        return True
    if any(EQUIPMENT_CODE.match(t.text) for t in ent):
        return True
    after = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    if after is not None and after.lemma_.lower() in lex["equipment_nouns"]:
        return True
    words = common_nouns()
    lower = ent[0].lower_
    return len(ent) == 1 and bool({ent[0].lemma_.lower(), lower, lower.removesuffix("s")} & words)


def typed_by_context(ent: Span) -> str | None:
    """'the town of X' makes X a town; 'X province' makes X a province; 'X Hill' a place."""
    if ent[-1].lemma_.lower() in lexicon()["feature_nouns"]:
        return "Place"
    head = ent.root.head
    if head.lower_ == "of" and head.head.lemma_.lower() in TYPED_HEADS:
        return TYPED_HEADS[head.head.lemma_.lower()]
    nxt = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    if nxt is not None and nxt.lemma_.lower() in TYPED_HEADS:
        return TYPED_HEADS[nxt.lemma_.lower()]
    return None


def np_tokens(token: Token) -> list[Token]:
    """The tokens of a noun phrase without its clauses."""
    out = [token]
    for child in token.children:
        if child.dep_ not in CLAUSE_DEPS and child.dep_ != "punct":
            out.extend(np_tokens(child))
    return sorted(out, key=lambda t: t.i)


def np_text(token: Token) -> str:
    toks = [t for t in np_tokens(token) if t.dep_ not in ("det", "prep") or t.i > token.i]
    words = [t.text_with_ws for t in toks if not (t.dep_ == "det" and t.i < token.i)]
    return "".join(words).strip()


def modifier_text(token: Token) -> str:
    """Head noun with its left modifiers: 'the U.K.-based monitor' -> 'u.k.-based monitor'."""
    left = [t for t in token.subtree if t.i <= token.i and t.i >= token.left_edge.i]
    return norm(token.doc[left[0].i : token.i + 1].text) if left else token.lower_


# -- actors ---------------------------------------------------------------------------------
def actor_of(token: Token | None, ctx: ItemContext, clause: Token | None = None) -> Entity | None:
    """The actor a noun phrase stands for, or None. Actors of different sides joined by
    'and' ('attacks by Russian jets and government forces') name no single one: None."""
    found = one_actor(token, ctx, clause)
    if found is None or token is None or not token.conjuncts:
        return found
    if found.type != "ArmedGroup":
        return found  # "Turkey and Iran agreed": a joint act, told by its first party
    side = ctx.gazetteer.side_of(found)
    for other in token.conjuncts:
        if allied(other):
            continue  # "Turkish troops and their Syrian rebel allies": the first party leads
        also = one_actor(other, ctx, clause)
        if also is None or also.type != "ArmedGroup":
            continue
        s = ctx.gazetteer.side_of(also)
        if s is not None and (side is None or s.key != side.key):
            return None
    return found


FORCE_NOUNS = {"force", "militia", "fighter", "troop"}  # not "rebels": whose, is not said


def backed_force(token: Token, ctx: ItemContext) -> Entity | None:
    """The force a '<backer>-backed' modifier makes of a force noun ('U.S.-backed Syrian
    forces', 'US-backed militias', 'Turkish-backed fighters'): what the gazetteer knows by
    the backer and the noun, or by the backer and 'forces'."""
    if token.pos_ not in ("NOUN", "PROPN"):
        return None
    forces = ("forces",) if token.lemma_.lower() in FORCE_NOUNS else ()
    for c in token.lefts:
        if c.dep_ in ("amod", "compound"):
            found = backed_by(c, ctx, (token.text, token.lemma_ + "s", *forces))
            if found is not None:
                return found
    return None


def backed_by(modifier: Token, ctx: ItemContext, nouns: Iterable[str]) -> Entity | None:
    """The known force '<backer>-backed NOUN' names, for the first of these nouns the
    gazetteer knows ('Turkey-backed' with 'rebels': Turkish-backed rebels)."""
    text = "".join(t.text_with_ws for t in modifier.subtree).strip()
    backer = text[: -len("backed")].rstrip("- ")
    if not text.lower().endswith("backed") or not backer:
        return None
    for noun in nouns:
        found = ctx.gazetteer.lookup(f"{backer}-backed {noun}")
        if found is not None and found.is_actor:
            return ctx.gazetteer.as_actor(found)
    return None


def allied(token: Token) -> bool:
    """'their allies', 'allied rebels', 'its proxies': a party named as another's ally."""
    words = lexicon()["ally_words"]
    return token.lemma_.lower() in words or any(
        c.dep_ in ("amod", "compound") and c.lemma_.lower() in words for c in token.children
    )


def one_actor(token: Token | None, ctx: ItemContext, clause: Token | None = None) -> Entity | None:
    if token is None:
        return None
    named = named_as(token)
    if named is not None:  # "a Kurdish-led force known as the SDF": the SDF
        found = actor_of(named, ctx)
        if found is not None and found.type not in ("Country", "State"):
            return found  # (not the country in a name misspelt: "the Syria Democratic Forces")
    backed = backed_force(token, ctx)
    if backed is not None:  # "U.S.-backed Syrian forces": not the Syrian army
        return backed
    found = ctx.at(token)
    if found is not None and found.is_actor:
        return named_kind(token, ctx) or ctx.gazetteer.as_actor(found)
    if token.lower_ in PRONOUNS:
        return pronoun_actor(token, ctx, clause)
    if token.lower_ in RELATIVIZERS and token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj"):
        noun = antecedent(token)
        if noun.i != token.i:  # "the SDF, an alliance which took ..."
            return (
                actor_of(noun, ctx)
                or (actor_of(noun.head, ctx) if noun.dep_ == "appos" else None)
                or apposed_actor(noun, ctx)
            )
        return None
    loyal = loyal_to(token)
    if loyal is not None:  # "forces loyal to President Assad": his side
        found = actor_of(loyal, ctx)
        if found is not None:
            return ctx.gazetteer.side_of(found)
    member_of = prep_object_of(token, ("from", "of"), hung_on_verb=False)
    if member_of is not None and token.lemma_.lower() in lexicon()["non_state_words"]:
        found = one_actor(member_of, ctx, clause)  # "fighters from the Nusra Front": its
        if found is not None:
            return found
    generic = generic_actor(token, ctx)
    if generic is not None:
        return named_kind(token, ctx, ("appos", "compound")) or generic
    actors = [e for t in np_tokens(token) if (e := ctx.at(t)) is not None and e.is_actor]
    # "the Syrian Kurdish YPG militia": the group, not the country an adjective names
    best = next((e for e in actors if e.type not in ("Country", "State")), None)
    appos = next((c for c in token.children if c.dep_ == "appos"), None)
    beside = one_actor(appos, ctx, clause) if appos is not None and ctx.at(token) is None else None
    if beside is not None and (best is None
                               or token.lemma_.lower() in lexicon()["affiliation_nouns"]):
        return beside  # "the PKK's Syrian affiliate, the PYD": the PYD, not the PKK
    if best is None and token.lemma_.lower() in lexicon()["non_state_words"]:
        return kind_of_others(token, ctx)  # "US-backed Syrian militias": not the Syrian state
    if actors:
        return ctx.gazetteer.as_actor(best or actors[0])
    return kind_of_others(token, ctx)


def named_kind(token: Token, ctx: ItemContext, deps: tuple[str, ...] = ("compound",)
               ) -> Entity | None:
    """'ISIS terrorists', 'Nusra militants', 'the Takfiri group ISIL': a word that alone
    stands for a side ('terrorists' in state media's mouth) named by a group's name bound to
    it is that group."""
    mention = ctx.by_token.get(token.i)
    for c in token.children:
        if mention is not None and mention.start <= c.i < mention.end:
            continue  # a word of the name itself ("Free Syrian Army")
        proper = c.dep_ in deps and (c.i < token.i or c.dep_ == "appos") and c.text[:1].isupper()
        named = ctx.at(c) if proper else None  # a name, not "rebel" in "rebel jihadists"
        if named is not None and named.type == "ArmedGroup" and (
            mention is None or named != mention.entity
        ):
            return named
    return None


def kind_of_others(token: Token, ctx: ItemContext) -> Entity | None:
    """'Islamist fighters and other rebels': a party the text counts among others of a kind
    is of that kind."""
    for c in token.children:
        if c.dep_ == "conj" and any(g.lower_ == "other" for g in c.children):
            found = ctx.at(c)
            if found is not None and found.is_actor:
                return ctx.gazetteer.as_actor(found)
            return generic_actor(c, ctx)
    return None


RELATIVIZERS = {"which", "that", "who", "whom"}


def apposed_place(noun: Token, ctx: ItemContext) -> Entity | None:
    """'Douma the besieged rebel-held town', 'Douma, a rebel-held town', 'X - a rebel-held
    district -', 'X another opposition-held city': a description right after a named place
    (after its comma or dash, or where the comma was stripped), opening with an article,
    describes it."""
    start = noun.left_edge.i
    if start == 0 or noun.doc[start].lower_ not in ("the", "a", "an", "another"):
        return None
    if noun.tag_ in ("NNS", "NNPS"):
        return None
    before = start - 1
    if noun.doc[before].text in (",", "-", "--", "—", "–") and before > 0:
        before -= 1  # "al-Inzarat - a rebel-held neighbourhood of East Aleppo -"
    found = place_mention(noun.doc[before], ctx)
    mention = ctx.by_token.get(before)
    kind = TYPED_HEADS.get(noun.lemma_.lower()) or (
        "Region" if noun.lemma_.lower() in REGION_WORDS else None)
    if found is None and mention is not None and not mention.entity.known and kind:
        # a name NER took for a person, described as a town or a neighbourhood: a place
        return ctx.gazetteer.adhoc(mention.text, kind, sure=True)
    return found


def apposed_actor(noun: Token, ctx: ItemContext) -> Entity | None:
    """'the Syrian Democratic Forces an Arab-Kurdish alliance which ...': with the comma
    stripped, an indefinite description right after a named actor describes it."""
    start = noun.left_edge.i
    if start == 0 or noun.doc[start].lower_ not in ("a", "an"):
        return None
    found = ctx.at(noun.doc[start - 1])
    return ctx.gazetteer.as_actor(found) if found is not None and found.is_actor else None


def loyal_to(token: Token) -> Token | None:
    """'forces loyal to X', 'fighters allied to X': X."""
    for c in token.children:
        if c.dep_ in ("amod", "acl") and c.lemma_.lower() in ("loyal", "ally", "allied", "aligned"):
            to = next(
                (g for g in c.children if g.lower_ in ("to", "with") and g.dep_ == "prep"), None
            )
            if to is not None:
                return next((g for g in to.children if g.dep_ == "pobj"), None)
    return None


def named_as(token: Token) -> Token | None:
    """'a force known as X', 'a group called X': X."""
    for c in token.children:
        if c.dep_ == "acl" and c.lemma_.lower() in ("know", "call", "name", "dub"):
            as_ = next((g for g in c.children if g.lower_ == "as" and g.dep_ == "prep"), None)
            target = next((g for g in as_.children if g.dep_ == "pobj"), None) if as_ else None
            return target or next((g for g in c.children if g.dep_ in ("oprd", "attr")), None)
    return None


def pronoun_actor(token: Token, ctx: ItemContext, clause: Token | None) -> Entity | None:
    """'The government said it captured': 'it' is the subject of the governing clause; a
    possessive ('against the group in its stronghold') is the nearest actor before it."""
    if token.dep_ == "poss":
        singular = token.lower_ == "its"
        for t in reversed(token.doc[token.sent.start : token.i]):
            if singular and t.tag_ == "NNS":
                continue  # "forces ... the largest city under its control": not theirs
            if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound" and t.lower_ not in PRONOUNS:
                found = actor_of(t, ctx)
                if found is not None and found.type not in ("NewsAgency", "Monitor"):
                    return found
    driven = driven_from_own(token, ctx)
    if driven is not None:  # "driving IS militants out of a stronghold they had held": IS
        return driven
    head = token.head
    singular = token.lower_ in ("its", "it")
    while head.dep_ not in ("ROOT",) and head.head.i != head.i:
        head = head.head
        for child in head.children:
            if child.dep_ in ("nsubj", "nsubjpass") and child.i != token.i and child.i < token.i:
                if singular and child.tag_ == "NNS":
                    continue  # "forces renewed ... the city under its control": not theirs
                return actor_of(child, ctx)
    previous = [
        m.entity
        for m in ctx.mentions
        if m.start < token.sent.start
        and m.entity.is_actor
        and m.entity.type not in ("NewsAgency", "Country", "Monitor", "AnonymousSource")
    ]
    # "They seized the district, driving out the rebels": not the party the sentence acts on
    acted_on = {m.entity.key for m in ctx.mentions if token.i < m.start < token.sent.end}
    return next((e for e in reversed(previous) if e.key not in acted_on), None)


def driven_from_own(pronoun: Token, ctx: ItemContext) -> Entity | None:
    """The party a verb drives out of, or takes, the place a relative clause says the
    pronoun held: 'driving IS militants out of a stronghold they had held' (they: IS)."""
    clause = next((a for a in pronoun.ancestors if a.dep_ == "relcl"), None)
    if clause is None or pronoun.dep_ not in ("nsubj", "nsubjpass"):
        return None
    for verb in list(clause.ancestors)[:5]:
        if verb.pos_ != "VERB":
            continue
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        found = actor_of(obj, ctx) if obj is not None else None
        return found if found is not None and found.type in ("ArmedGroup", "Government") else None
    return None


def generic_actor(token: Token, ctx: ItemContext) -> Entity | None:
    """'militants', 'the monitoring group': the matching actor the item is about."""
    text, lemma = modifier_text(token), token.lemma_.lower()
    owners = ctx.gazetteer.generic.get(text) or ctx.gazetteer.generic.get(norm(token.text)) or []
    if not owners and lemma in lexicon()["group_words"] and is_bare_definite(token):
        # "the group seized ...": the armed group last named
        groups = [
            m
            for m in ctx.mentions
            if m.entity.type == "ArmedGroup" and m.start < token.i and not is_state_force(m, ctx)
        ]
        return groups[-1].entity if groups else None
    if not owners and lemma not in lexicon()["non_state_words"]:
        return None
    bare = lemma in lexicon()["non_state_words"] and not any(
        c.dep_ in ("amod", "compound", "nmod", "poss") for c in token.children
    )
    if bare:
        # bare "militants", "militant-held": the non-state group the item last named, of
        # whatever name ("Kurdish fighters" is someone else)
        groups = [
            m
            for m in ctx.mentions
            if m.entity.type == "ArmedGroup"
            and not is_state_force(m, ctx)
            and m.entity.key != "syrian-opposition"
            or m.entity in owners
        ]
        before = [m for m in groups if m.start < token.i]
        if before:
            return before[-1].entity
    mentioned = [m for m in ctx.mentions if m.entity in owners]
    if mentioned:
        before = [m for m in mentioned if m.start < token.i]
        return (before or mentioned)[-1].entity
    if bare:
        groups = [m for m in ctx.mentions if m.entity.type == "ArmedGroup" and not m.entity.side]
        if groups:
            return groups[0].entity
    return owners[0] if len(owners) == 1 and owners[0].type == "Monitor" else None


def is_state_force(mention: Mention, ctx: ItemContext) -> bool:
    """An army or ministry: its side is a government or a state."""
    side = ctx.gazetteer.get(mention.entity.side or "")
    return side is not None and side.type in ("Government", "State", "Country")


def is_bare_definite(token: Token) -> bool:
    return any(c.lower_ == "the" for c in token.children) and not any(
        c.dep_ in ("amod", "compound", "nmod", "poss", "prep") for c in token.children
    )


def of_object(token: Token) -> Token | None:
    """The object of the noun's 'of' ('the head of the SOHR', 'the capital of X')."""
    return next((g for c in token.children if c.dep_ == "prep" and c.lower_ == "of"
                 for g in c.children if g.dep_ == "pobj"), None)


def named_body(token: Token, ctx: ItemContext) -> Entity | None:
    """A name of several capitalised words that opens with a country's ('the Syria Civil
    Defense'): a body of its own, known from the text."""
    found = ctx.at(token) or next((ctx.at(t) for t in np_tokens(token) if ctx.at(t)), None)
    words = [t for t in np_tokens(token) if t.text[:1].isupper() and t.lower_ != "the"]
    if found is None or found.type not in ("Country", "State") or len(words) < 3:
        return None
    return ctx.gazetteer.adhoc(" ".join(t.text for t in words), "Organisation")


def for_object(token: Token) -> Token | None:
    """'a spokesman for the Syria Civil Defense': whom the speaker speaks for."""
    if token.lemma_.lower() not in lexicon()["spokesperson_nouns"]:
        return None
    return next((g for c in token.children if c.dep_ == "prep" and c.lower_ == "for"
                 for g in c.children if g.dep_ == "pobj"), None)


def source_of(token: Token | None, ctx: ItemContext) -> Entity | None:
    """Who a reporting verb's subject is: a named source, or an anonymous one."""
    if token is None:
        return None
    of = of_object(token) or for_object(token)
    if of is not None and ctx.at(token) is None and actor_of(of, ctx) is not None:
        # "the head of the SOHR told AFP": the SOHR speaks; "a spokesman for the Syria Civil
        # Defense": the body a country's name opens, not the country
        return named_body(of, ctx) or actor_of(of, ctx)
    appos = next((c for c in token.children if c.dep_ == "appos"), None)
    if ctx.at(token) is None and appos is not None and ctx.at(appos) is not None:
        return source_of(appos, ctx)  # "the UN children's agency (UNICEF) said"
    lemma = token.lemma_.lower()
    if ctx.at(token) is None and lemma in lexicon()["anonymous_source_nouns"]:
        told = ctx.sources.get(lemma)
        if told is not None and is_bare_definite(token) and token.n_lefts == 1:
            return told  # "a civil defense source said ... the source told AA": that one
        label = source_label(token, ctx)
        # anonymous sources are scoped to their article: two "military sources" are not one
        found = Entity(
            key=f"anon-{ctx.stem}-{slug(norm(label))}",
            label=label,
            type="AnonymousSource",
            aliases=source_cores(token, label),
            known=False,
        )
        ctx.sources[lemma] = found
        return found
    if token.lower_ in ("he", "she", "they") and ctx.last_speaker is not None:
        return ctx.last_speaker
    if token.lower_ == "it" and ctx.last_speaker is not None and ctx.last_speaker.type in (
        "Monitor", "NewsAgency", "Organisation", "Government", "ArmedGroup"
    ):
        return ctx.last_speaker  # "..., it said": the body that spoke last
    monitor = named_monitor(token, ctx)
    if monitor is not None:
        return monitor
    return actor_of(token, ctx)


def named_monitor(token: Token, ctx: ItemContext) -> Entity | None:
    """'the Britain-based monitoring group said': the monitor the words name, not the country
    an adjective does; 'the group said' after a monitor spoke: that monitor."""
    if ctx.at(token) is not None:
        return None
    words = [t for t in np_tokens(token) if t.i <= token.i and t.dep_ != "det"]
    for k in (3, 2):
        owners = ctx.gazetteer.generic.get(norm(" ".join(t.text for t in words[-k:])), [])
        monitors = [e for e in owners if e.type == "Monitor"]
        if len(words) >= k and monitors:
            return monitors[0]
    if token.lemma_.lower() == "group" and is_bare_definite(token):
        spoken = [m.entity for m in ctx.mentions
                  if m.start < token.i and m.entity.type == "Monitor"]
        return spoken[-1] if spoken else None
    return None


def source_cores(head: Token, label: str) -> list[str]:
    """Shorter names of an anonymous source, its head and the words right before it ('a
    pro-opposition civil defense source on the ground': 'civil defense source', 'defense
    source', 'source'), for matching the way others name it."""
    doc, words, i = head.doc, [head.text], head.i - 1
    while len(words) < 3 and i >= head.sent.start:
        t = doc[i]
        if t.dep_ not in ("compound", "amod") or "-" in (doc[i + 1].text, doc[i - 1].text):
            break  # (not a part of "pro-opposition")
        words.insert(0, t.text)
        i -= 1
    cores = [" ".join(words[k:]) for k in range(len(words))]
    return [c for c in cores if c != label]


def source_label(token: Token, ctx: ItemContext) -> str:
    """'a military source', 'a senior Iranian official', 'a source on the ground': the words
    that say who, without what a stripped comma glued on ('Later a military source', 'Aleppo
    military source', 'al-Sakhour civil defense official')."""
    kept = []
    for t in np_tokens(token):
        named = ctx.at(t)
        if t.tag_ == "POS":
            continue  # "the Hezbollahs commander": the possessive a feed glued on
        if t.i < token.i and (
            t.dep_ in ("det", "advmod", "punct", "nummod") and t.text != "-"
            or (t.pos_ == "PROPN" and t.ent_type_ != "NORP"
                and not (t.i + 1 < len(t.doc) and t.nbor().tag_ == "POS"))
            or (named is not None and named.is_place)
            or t.lower_ in CONNECTORS_OF_NAMES - {"-"}
        ):
            continue
        kept.append(t)
    at = {t.i for t in kept}  # a hyphen only inside what is kept: "pro-opposition"
    kept = [t for t in kept if t.text != "-" or {t.i - 1, t.i + 1} <= at]
    label = "".join(t.text + (t.whitespace_ if k + 1 < len(kept) and kept[k + 1].i == t.i + 1
                              else " ") for k, t in enumerate(kept)).strip()
    return label if label else np_text(token)


CONNECTORS_OF_NAMES = {"al", "el", "-", "later", "meanwhile"}


# -- places ---------------------------------------------------------------------------------
def place_mention(token: Token | None, ctx: ItemContext) -> Entity | None:
    found = ctx.at(token) if token is not None else None
    return found if found is not None and found.is_place else None


LOCATING = {
    "in",
    "near",
    "outside",
    "around",
    "at",
    "across",
    "along",
    "inside",
    "on",
    "from",
    "to",
    "toward",
    "towards",
    "into",
    "between",
    "by",
    "with",
    "after",
    "before",
    "during",
    "since",
    "within",
    "off",
}


def places_of(
    token: Token | None, ctx: ItemContext, settlement_only: bool = True, certain: bool = False
) -> list[Entity]:
    """Every place a noun phrase names: itself, the members of its list ("the villages of A,
    B and C", "A and B"), never a place that only locates it ("the village of X north of
    Hama", "X in Latakia province"); else what ``place_of`` resolves it to."""
    if token is None:
        return []
    if token.lower_ in ("which", "that"):
        token = antecedent(token)
    if token.lower_ in ("they", "them"):
        return last_list(token, ctx)  # "... captured three villages - A B and C. They lie"
    if token.lemma_.lower() in ("countryside", "outskirt") and place_mention(token, ctx) is None:
        return []  # "posts in Hama northern countryside": around the city, not the city
    if token.lemma_.lower() in lexicon()["partial_words"] and place_mention(token, ctx) is None:
        return []  # "most of Idlib province", "parts of the city": not the whole place (but
        # "the eastern parts of Aleppo" name that part)
    if token.lemma_.lower() == "capital" and of_object(token) is not None and not ctx.at(token):
        # "the provincial capital of Idlib province": the city, not the province
        capital = capital_of(token, ctx)
        return [capital] if capital is not None else []
    named = [c for c in token.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
    if token.lower_ in DIRECTIONS and named:
        token = named[-1]  # "captured Tal Meri west of Damascus" parsed as a 'Tal Meri west'
    found: list[Entity] = []
    stack = [token, *token.conjuncts] if place_mention(token, ctx) else [token]
    while stack:
        t = stack.pop()
        entity = place_mention(t, ctx)
        if entity is None and t.i in ctx.lists:  # the counting noun of a list
            entity = ctx.lists[t.i][0]
        if entity is not None and entity.type != "Country":
            for member in ctx.lists.get(t.i, [entity]):
                if member not in found:
                    found.append(member)
        named_part = t.lemma_.lower() in lexicon()["subplace_nouns"]
        # "the Damascus suburb of Douma": the place before the part noun contains it
        city_first = named_part and any(
            c.dep_ == "compound" and (p := place_mention(c, ctx)) is not None and p.known
            and p.type in ("City", "Province") for c in t.children
        ) and any(g.dep_ == "prep" and g.lower_ == "of" for g in t.children)
        for c in sorted(t.children, key=lambda c: -c.i):
            if c.dep_ in ("relcl", "acl", "advcl", "ccomp", "parataxis", "punct", "cc", "det"):
                continue
            if (named_part and not city_first and c.dep_ == "prep" and c.lower_ == "of"
                    and contains(c, ctx)):
                continue  # "the Salhiya district of Hasakeh city": the city only contains it
            if t.lower_ in DIRECTIONS and c.dep_ == "prep":
                continue  # "X village southwest of Y": the parser made the direction the head
            if c.dep_ == "prep" and c.lower_ in LOCATING:
                continue
            if c.lower_ in DIRECTIONS:
                # "the village of Tal Meri west of Damascus" parsed as a 'Tal Meri west'
                stack.extend(g for g in c.children if g.dep_ == "compound" and g.pos_ == "PROPN")
                continue
            if c.lemma_.lower() in ("countryside", "outskirt"):
                continue
            if city_first and c.dep_ == "compound":
                continue  # "the Damascus suburb of Qaboun": the city only contains it
            if (named_part and c.dep_ == "poss" and (p := place_mention(c, ctx)) is not None
                    and p.type in ("City", "Town", "Province")):
                continue  # "Homs's rebel-held Waer district": Homs contains it
            if (named_part and t.tag_ == "NNS" and c.dep_ == "compound"
                    and (p := place_mention(c, ctx)) is not None and p.type in ("City", "Town")):
                continue  # "rebel-held Homs suburbs": suburbs of the city, not the city
            stack.append(c)
    found.sort(key=lambda e: first_mention(ctx, e, token))
    if found:
        return found + unknown_members(token, ctx, certain, found)
    glued = kind_named(token, ctx) or referent_facility(token, ctx)
    if glued is not None:
        return [glued]
    counted = referred_places(token, ctx)
    if counted:
        return counted
    inside = enclave_in(token, ctx)
    if inside is not None:
        return [inside]
    if token.dep_ == "appos":  # "al-Bab, a nearby town held by ..."
        head = place_mention(token.head, ctx)
        if head is not None:
            return [head]
    beside = apposed_place(token, ctx)
    if beside is not None:  # "the Tabqa airport the only remaining regime-held position"
        return [beside]
    if token.tag_ in ("NNS", "NNPS") and token.pos_ != "PROPN":
        return []  # "a few smaller villages": no one place
    unnamed = proper_place(token, ctx, certain)
    if unnamed is not None:
        return [unnamed, *unknown_members(token, ctx, certain, [unnamed])]
    single = place_of(token, ctx, settlement_only)
    return [single] if single is not None else []


def referent_facility(token: Token, ctx: ItemContext) -> Entity | None:
    """'control the town's airport' (the apostrophe a feed may strip: 'the towns airport'):
    the facility of the place 'the town' stands for."""
    kind = lexicon()["facility_heads"].get(token.lower_)
    if kind is None:
        return None
    for c in token.children:
        stripped = c.dep_ == "compound" and c.lower_.endswith("s") and c.i > 0 and (
            c.doc[c.i - 1].lower_ == "the")
        if (c.dep_ == "poss" or stripped) and c.lemma_.lower() in ("city", "town", "village"):
            place = place_of(c, ctx)
            if place is not None:
                return ctx.gazetteer.facility(f"{place.label} {token.lower_}", kind, place.label)
    return None


def last_list(token: Token, ctx: ItemContext) -> list[Entity]:
    """The places of the list named last, in this sentence or the two before."""
    since = previous_sentence_start(token.doc[previous_sentence_start(token)])
    for i in range(token.i - 1, since - 1, -1):
        members = ctx.lists.get(i)
        if members and len(members) > 1 and all(m.is_place for m in members):
            return list(members)
    return []


def kind_named(token: Token, ctx: ItemContext) -> Entity | None:
    """'al-Inzarat - a rebel-held neighbourhood' parsed as a compound of its kind noun: a
    name NER took for a person, joined to 'neighbourhood', 'village', ..., is that place."""
    lemma = token.lemma_.lower()
    if lemma not in TYPED_HEADS and lemma not in REGION_WORDS:
        return None
    names = [c for c in token.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
    mention = ctx.by_token.get(names[-1].i) if names else None
    if mention is None or mention.entity.known or mention.entity.type not in (
        "Person", "Organisation"
    ):
        return None
    kind = TYPED_HEADS.get(lemma) or "Region"
    place = ctx.gazetteer.adhoc(mention.text, kind, sure=True)
    ctx.add(Mention(mention.start, mention.end, place, mention.text))
    return place


def enclave_in(token: Token, ctx: ItemContext) -> Entity | None:
    """'the last IS enclave in the village of Baghouz', 'the rebel pocket in Douma': an
    enclave or stronghold said to be in a town or village is that place."""
    if token.lemma_.lower() not in lexicon()["enclave_nouns"]:
        return None
    for p in token.children:
        if p.dep_ != "prep" or p.lower_ != "in":
            continue
        obj = next((g for g in p.children if g.dep_ == "pobj"), None)
        named = place_mention(obj, ctx) or place_mention(
            next((g for c in (obj.children if obj is not None else ()) if c.lower_ == "of"
                  for g in c.children), None), ctx)
        if named is not None and named.type in SETTLEMENTS:
            return named
    return None


def unknown_members(
    token: Token, ctx: ItemContext, certain: bool, found: list[Entity]
) -> list[Entity]:
    """The other members of a list of places whose names no gazetteer knows ('regained
    Khatab, Zor Qsayaa and Kherbat Hajam'): a proper name joined to a place is a place,
    whatever NER guessed."""
    out: list[Entity] = []
    for conj in token.conjuncts:
        if conj.i < token.i or place_mention(conj, ctx) is not None:
            continue
        entity = proper_place(conj, ctx, certain=True)
        if entity is not None and entity not in found and entity not in out:
            out.append(entity)
    return out


def proper_place(token: Token, ctx: ItemContext, certain: bool = False) -> Entity | None:
    """A proper name neither NER nor the gazetteer knows, where a control rule expects a
    place ('captured Handarat', 'Jeb el-Kussa is controlled by'): a place known from the
    text alone. Names of actors and dates are not."""
    if token.pos_ != "PROPN" or token.ent_type_ in ("DATE", "TIME", "NORP"):
        return None
    if token.lower_ in PRONOUNS:
        return None
    named = ctx.at(token)
    guessed = named is not None and not named.known and named.type in ("Person", "Organisation")
    if named is not None and not guessed:
        return None
    if token.ent_type_ in ("PERSON", "ORG") and not (
        certain or place_shaped(token) or placed_elsewhere(token, ctx)
    ):
        return None  # unless the predicate wants a place ('X fell to', 'X is a stronghold')
    if any(t.lemma_.lower() in lexicon()["organisation_words"] for t in token.subtree):
        return None  # "Liwa Thuwar al-Raqqa", "the Hamza Brigade": a group, not a place
    doc = token.doc
    start, end = token.i, token.i + 1
    while start > token.sent.start and joined(doc[start - 1], token):
        start -= 1  # "al - Mazare": the name's own left parts, contiguous
    while end < token.sent.end and doc[end].text == "-" and end + 1 < token.sent.end:
        end += 2  # "Jeb el-Kussa" split at its hyphen
    while start < end and not doc[start].text[:1].isalnum():
        start += 1
    while end > start and not doc[end - 1].text[:1].isalnum():
        end -= 1
    span = doc[start:end]
    if not span.text or any(ctx.at(t) is not None and ctx.at(t) is not named for t in span):
        return None
    known = ctx.gazetteer.lookup(span.text)
    if known is not None:
        return known if known.is_place else None
    entity = ctx.gazetteer.adhoc(span.text, "Place", sure=True)
    ctx.add(Mention(span.start, span.end, entity, span.text))
    return entity


def placed_elsewhere(token: Token, ctx: ItemContext) -> bool:
    """'opposition forces took Ramussa' where the item spoke of 'the Ramussa district': a
    name the text made a place elsewhere."""
    key = adhoc_key(" ".join(t.text for t in token.subtree if t.i <= token.i and t.pos_ == "PROPN"))
    return any(m.entity.key == key and m.entity.is_place for m in ctx.mentions)


def joined(part: Token, name: Token) -> bool:
    """Is this token, just left of the name, part of it ('al', '-', 'Tal')?"""
    return (
        part.dep_ in ("compound", "punct", "flat", "amod")
        and part.ent_type_ != "DATE"
        and (part.head.i == name.i or part.head.head.i == name.i)
        and (part.pos_ == "PROPN" or part.text in ("-", "'") or part.lower_ in ("al", "el"))
    )


def place_shaped(token: Token) -> bool:
    """NER often takes 'al-Waer' or 'Tal Baghdaq' for a person: a name that opens with an
    Arabic article or a word that opens place names reads as a place where a rule expects
    one, unless a title ('President', 'commander') precedes it."""
    words = [t for t in token.subtree if t.i <= token.i]
    first = words[0] if words else token
    before = token.doc[first.i - 1] if first.i > 0 else None
    if before is not None and before.lower_ in lexicon()["anonymous_source_nouns"]:
        return False
    text = first.text
    return (
        text.lower() in ("al", "el")
        or text.lower().startswith(("al-", "el-"))
        or (text in lexicon()["place_name_heads"])
    )


def referred_places(token: Token, ctx: ItemContext) -> list[Entity]:
    """'Both towns', 'the two villages': the last places of that kind named before."""
    lemma = token.lemma_.lower()
    if token.tag_ != "NNS" or lemma not in lexicon()["settlement_nouns"]:
        return []
    count = 0
    if not any(c.lower_ in ("the", "both", "these", "those") for c in token.children):
        return []  # "three villages" names new places, "the three villages" earlier ones
    for c in token.children:
        if c.lower_ == "both":
            count = 2
        elif c.dep_ == "nummod":
            count = lexicon()["numbers"].get(c.lower_) or (int(c.text) if c.text.isdigit() else 0)
    if not 1 < count < 6:
        return []
    fits = COMPATIBLE.get(lemma, SETTLEMENTS)
    seen: list[Entity] = []
    for m in reversed([m for m in ctx.mentions if m.start < token.i]):
        if m.entity.type in fits and stands_for(m.entity, token) and m.entity not in seen:
            seen.append(m.entity)
        if len(seen) == count:
            return list(reversed(seen))
    return []


DIRECTIONS = {
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "northern",
    "southern",
    "eastern",
    "western",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
    "km",
    "kilometres",
    "kilometers",
    "miles",
}


def contains(prep: Token, ctx: ItemContext) -> bool:
    """Does 'of ...' name a city, province or country (a container, not the part itself)?"""
    for t in prep.subtree:
        found = place_mention(t, ctx)
        if found is not None:
            return found.type in ("City", "Province", "Country") or is_city_part(found, ctx)
    return False


def is_city_part(entity: Entity, ctx: ItemContext) -> bool:
    """'East Aleppo': a part of a city named by its direction, itself a container."""
    split = split_direction(entity.label)
    city = ctx.gazetteer.get(entity.part_of or "") or (
        ctx.gazetteer.lookup(split[0]) if split else None
    )
    return entity.type == "Region" and city is not None and city.type == "City"


def first_mention(ctx: ItemContext, entity: Entity, near: Token) -> int:
    starts = [m.start for m in ctx.mentions if m.entity is entity and m.start >= near.left_edge.i]
    return min(starts) if starts else 10**9


def antecedent(relativizer: Token) -> Token:
    """What 'which' stands for: the noun just before it ('the town of X, which ...'), whatever
    the parser attached the clause to."""
    t = relativizer.i - 1
    while t >= relativizer.sent.start and relativizer.doc[t].is_punct:
        t -= 1
    if t >= relativizer.sent.start and relativizer.doc[t].pos_ in ("PROPN", "NOUN"):
        return relativizer.doc[t]
    clause = relativizer.head
    return clause.head if clause.dep_ in ("relcl", "acl") else relativizer


def place_of(token: Token | None, ctx: ItemContext, settlement_only: bool = True) -> Entity | None:
    """The place a noun phrase names or refers to; containers ('in Syria') are not it."""
    if token is None:
        return None
    direct = place_mention(token, ctx)
    if direct is not None:
        return direct
    if token.lemma_.lower() in lexicon()["partial_words"]:
        return None  # "90 percent of Eastern Ghouta": not the whole place
    part = token.lemma_.lower() in lexicon()["subplace_nouns"]
    for child in token.children:
        if part and child.dep_ == "prep" and contains(child, ctx):
            continue  # "a regime-held neighbourhood of Aleppo" is not Aleppo
        if child.dep_ == "appos" or (child.dep_ == "prep" and child.lower_ == "of"):
            target = (
                child
                if child.dep_ == "appos"
                else next((c for c in child.children if c.dep_ == "pobj"), None)
            )
            found = place_mention(target, ctx) if target is not None else None
            if found is not None:
                return found
    if token.lower_ == "there":  # the place last named
        before = [
            m.entity
            for m in ctx.mentions
            if m.start < token.i and m.entity.type in SETTLEMENTS | {"Region"}
        ]
        return before[-1] if before else ctx.last_place
    if token.lower_ in ("it", "its"):
        return sentence_topic(token, ctx) or ctx.last_place
    if token.lower_ == "which":
        return ctx.last_place
    if token.lemma_.lower() == "capital":
        return capital_of(token, ctx)
    return salient_place(token, ctx, settlement_only)


def stands_for(entity: Entity, noun: Token) -> bool:
    """Can this place be what the kind noun refers to? 'The base' may be an air base, 'the
    town' never is; 'the rebel-held districts' may be eastern Aleppo, 'a district' is not."""
    lemma = noun.lemma_.lower()
    if entity.is_facility:
        return lemma in lexicon()["facility_heads"]
    return not (entity.is_city_half and noun.tag_ == "NN" and lemma in PART_KINDS)


def nearby(token: Token) -> bool:
    """Is this name only a landmark near something ('near the Habeet area', 'north of X')?"""
    for a in [token.head, *token.head.ancestors][:3]:
        if a.dep_ == "prep" and a.lower_ in ("near", "outside", "around", "toward", "towards"):
            return True
        if a.lower_ in DIRECTIONS:
            return True
    return False


def named_next_as(token: Token, lemma: str, ctx: ItemContext) -> Entity | None:
    """'a car bomb ... in a government-controlled village ... More were wounded in the attack
    in Al-Horra': a name no gazetteer knows, right after 'in' or 'on' in the next sentence, is
    the village the indefinite noun promised. It becomes a place of that kind."""
    sent_end = token.sent.end
    if sent_end >= len(token.doc):
        return None
    following = token.doc[sent_end].sent
    for m in ctx.mentions:
        if not following.start <= m.start < following.end or m.start == 0:
            continue
        if m.entity.known or m.entity.type in ("Country", "NewsAgency", "Monitor"):
            continue
        if token.doc[m.start - 1].lower_ in ("in", "on") and m.text[:1].isupper():
            kind = TYPED_HEADS.get(lemma) or ("Region" if lemma in REGION_WORDS else "Place")
            return ctx.gazetteer.adhoc(m.text, kind, sure=True)
    return None


REGION_WORDS = {"neighbourhood", "neighborhood", "district", "suburb", "quarter", "area"}


def attack_site_later(noun: Token, ctx: ItemContext) -> Entity | None:
    """'a raid on an IS stronghold in eastern Syria ... The strike on the village of
    Ghareebeh killed ...': an indefinite place an attack hit is the one a later definite
    mention of the attack names (within two sentences)."""
    prep = noun.head
    if (
        noun.dep_ != "pobj"
        or prep.lower_ not in SITE_PREPS
        or prep.head.lemma_.lower() not in lexicon()["attack_nouns"]
        or not any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)
    ):
        return None
    doc = noun.doc
    for t in doc[noun.sent.end : next_sentence_end(noun)]:
        if t.lemma_.lower() not in lexicon()["attack_nouns"] or not any(
            c.dep_ == "det" and c.lower_ in ("the", "that", "this") for c in t.children
        ):
            continue
        for p in t.children:
            obj = next((g for g in p.children if g.dep_ == "pobj"), None)
            if p.dep_ != "prep" or p.lower_ not in SITE_PREPS or obj is None:
                continue
            named = place_mention(obj, ctx) or place_mention(
                next((g for c in obj.children if c.lower_ == "of" for g in c.children), None),
                ctx,
            )
            if named is not None and named.type not in ("Country", "Province", "Region"):
                return named
    return None


SITE_PREPS = ("on", "in", "of", "against")
SETTLEMENT_KINDS = ("town", "city", "village")


def named_after(noun: Token, ctx: ItemContext, kinds: tuple[str, ...] = SETTLEMENT_KINDS,
                sentences: int = 2) -> Entity | None:
    """'strikes on the stronghold of the IS group killed 22 ... The city of Raqa has been hit
    before': a held place the sentence leaves unnamed is the first the next sentences
    introduce with a kind noun of its sort ('the city of X', 'X town')."""
    found = introduced_later(noun, ctx, kinds, noun.sent.end, sentences)
    return found[0] if found else None


def introduced_later(noun: Token, ctx: ItemContext, kinds: Iterable[str], start: int,
                     sentences: int) -> list[Entity]:
    """The places named with one of these kind nouns from ``start`` to the end of the
    ``sentences``-th sentence after the noun's, in the theatre and not only located by a
    direction or 'near' (not "the Turkish border town of Kilis", nor "north of the city of
    X")."""
    doc = noun.doc
    end = next_sentence_end(noun, sentences)
    return [
        m.entity for m in sorted(ctx.mentions, key=lambda m: m.start)
        if start <= m.start < end and m.entity.type not in ("Country", "Province")
        and any(called_so(m, k, doc) for k in kinds)
        and m.entity.country in [*lexicon()["theatre_countries"], None]
        and not any(
            a.dep_ == "prep" and (a.lower_ in ("near", "outside", "around") or (
                a.lower_ == "of" and a.head.lower_ in DIRECTIONS))
            for a in list(doc[m.start].ancestors)[:5]
        )
    ]


def previous_sentence_start(token: Token) -> int:
    """Where the sentence before this token's begins (its own, when it is the first)."""
    start = token.sent.start
    return token.doc[start - 1].sent.start if start > 0 else start


def next_sentence_end(token: Token, sentences: int = 2) -> int:
    """Where the second sentence after this token's ends: how far a forward reference
    reaches ('a village held by IS was hit ... Thalthana lies near ...')."""
    end = token.sent.end
    for _ in range(sentences):
        if end < len(token.doc):
            end = token.doc[end].sent.end
    return end


def sentence_topic(pronoun: Token, ctx: ItemContext) -> Entity | None:
    """What 'it' stands for when the sentence named a place before it: the last one that
    is not only where another is ('the Baba Amr district in the city of Homs ... seized it'
    is Baba Amr)."""
    candidates = []
    for m in ctx.mentions:
        if not (pronoun.sent.start <= m.start < pronoun.i) or not m.entity.is_place:
            continue
        if m.entity.type in ("Country", "Province"):
            continue
        head = pronoun.doc[m.start].head
        locating = any(
            a.dep_ == "prep" and a.lower_ in LOCATING for a in [head, *head.ancestors][:3]
        )
        if not locating:
            candidates.append(m.entity)
    return candidates[-1] if candidates else None


def capital_of(token: Token, ctx: ItemContext) -> Entity | None:
    """'the capital of X', "its capital", 'the provincial capital': the capital of the
    province or country named (or last named); a bare 'the capital' is the country's."""
    of = of_object(token)
    region = ctx.at(of) if of is not None else None
    if region is None and of is not None:  # "of Idlib province", its name a compound
        region = next((ctx.at(c) for c in of.children
                       if c.dep_ == "compound" and ctx.at(c) is not None), None)
    if region is None and any(
        c.dep_ == "poss" or c.lower_ in ("provincial", "regional") for c in token.children
    ):
        capitals = {e.key for e in ctx.gazetteer.capitals.values()}
        regions = [
            m.entity
            for m in ctx.mentions
            if m.start < token.i
            and (m.entity.type in ("Province", "Country") or m.entity.key in capitals)
        ]
        region = regions[-1] if regions else None
        if region is not None and region.key in capitals:
            return region  # "its countryside ... its capital": the city named for the province
    if region is not None:
        return ctx.gazetteer.capitals.get(region.key)
    if of is not None:
        return None
    return capital_in_focus(ctx)


def capital_in_focus(ctx: ItemContext) -> Entity | None:
    """'the capital': the capital of the country the item speaks of most."""
    counts = Counter(m.entity.key for m in ctx.mentions if m.entity.type == "Country")
    for key, _ in counts.most_common():
        if key in ctx.gazetteer.capitals:
            return ctx.gazetteer.capitals[key]
    return None


def called_so(m: Mention, lemma: str, doc: Doc) -> bool:
    """Was this name introduced with the kind noun ('the town of X', 'X town')?"""
    before = m.start >= 2 and doc[m.start - 1].lower_ == "of" and doc[m.start - 2].lemma_ == lemma
    after = m.end < len(doc) and doc[m.end].lemma_ == lemma and doc[m.end].tag_ == "NN"
    return before or after


def prep_object_of(token: Token, preps: tuple[str, ...] = ("in", "of"),
                   hung_on_verb: bool = True) -> Token | None:
    """The object of the noun's first preposition of these ('the neighbourhood in the city of
    Homs', 'fighters from the Nusra Front'); with ``hung_on_verb``, also of the one right
    after the noun that the parse hung on the verb."""
    after = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    candidates = [c for c in token.children if c.dep_ == "prep"]
    if hung_on_verb and after is not None and after.dep_ == "prep" and after not in candidates:
        candidates.append(after)
    for c in candidates:
        if c.lower_ in preps:
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    return None


def province_in_focus(token: Token, ctx: ItemContext) -> Entity | None:
    """'the province': the province named last before it, else the one whose capital was
    ('Hasakeh city is the capital of the province of the same name. ... the province')."""
    provinces = {city.key: key for key, city in ctx.gazetteer.capitals.items()}
    for m in reversed([m for m in ctx.mentions if m.start < token.i]):
        if m.entity.type == "Province":
            return m.entity
        if m.entity.key in provinces:
            return ctx.gazetteer.by_key.get(provinces[m.entity.key])
    return None


def salient_place(token: Token, ctx: ItemContext, settlement_only: bool) -> Entity | None:
    """'the town', 'its last stronghold': the settlement of that kind named last in this
    sentence or the one before, else the item's one mentioned most often so far (the latest
    on a tie), else the next one named; 'the area': the latest place."""
    lemma = token.lemma_.lower()
    nouns = lexicon()["settlement_nouns"] if settlement_only else lexicon()["place_nouns"]
    if lemma not in nouns and lemma not in ("area", "pocket"):
        return None
    indefinite = any(
        c.dep_ == "det" and c.lower_ in ("a", "an", "another", "some", "any")
        for c in token.children
    )
    if indefinite and lemma not in lexicon()["settlement_nouns"]:
        return None  # "took an area south of X": a place not named
    if TYPED_HEADS.get(lemma) == "Province" and not indefinite:
        named = province_in_focus(token, ctx)
        if named is not None:
            return named
    fits = COMPATIBLE.get(lemma, SETTLEMENTS | {"Region"} if lemma == "area" else SETTLEMENTS)
    exact = TYPED_HEADS.get(lemma)
    # a town the gazetteer sizes as a village is still 'the city' a sentence later
    near_fits = fits | SETTLEMENTS if lemma in ("city", "town", "village") else fits
    able = [m for m in ctx.mentions if stands_for(m.entity, token)]
    fitting = [m for m in able if m.entity.type in near_fits or m.entity.type == exact]
    places = [m for m in able if m.entity.type == exact] if exact else []
    places = places or [m for m in able if m.entity.type in fits]
    before = [] if indefinite else [m for m in places if m.start < token.i]
    if before and lemma == "area":
        return before[-1].entity
    recent = sorted((
        m
        for m in fitting
        if not indefinite and previous_sentence_start(token) <= m.start < token.i
        and not nearby(token.doc[m.start])
    ), key=lambda m: m.start)
    if recent:  # "... the stronghold of Manbij ... surrounding the town": the one just named
        doc = token.doc
        called = [m for m in recent if called_so(m, lemma, doc)]  # "the town of X ... the town"
        typed = [m for m in recent if m.entity.type == exact]
        # ("declared Tal Afar liberated ... to drive IS out of the city": the town just named,
        # not a bigger city named paragraphs before)
        return (called or typed or recent)[-1].entity
    if before:
        counts = Counter(m.entity.key for m in before)
        best = max(reversed(before), key=lambda m: counts[m.entity.key])
        return best.entity
    if indefinite and lemma in lexicon()["stronghold_nouns"]:
        taken = [m for m in places if token.sent.start <= m.start < token.i
                 and m.entity.type in SETTLEMENTS and not nearby(token.doc[m.start])]
        if taken:  # "captured the town of X ..., driving IS out of a stronghold it had held
            return taken[-1].entity  # since 2013": X, not a village the next sentence names
    following = next_sentence_end(token)
    container = place_of(prep_object_of(token), ctx, settlement_only=False)
    if container is not None and container.type not in ("City", "Town"):
        container = None  # only a city's quarters are known to lie in it
    after = [
        m
        for m in places
        if token.i < m.start < following
        and m.entity.country in lexicon()["theatre_countries"] + [None]
        and not nearby(token.doc[m.start])
        and not (container is not None and m.entity.part_of
                 and m.entity.part_of not in (container.key, container.part_of))
    ]  # "a Kurdish-held town on the border": not the Turkish town named next, nor one near;
    # "the last neighbourhood of Homs": not a quarter of another city
    if after:  # "a district ... in the X area of the Y neighbourhood": Y, called as its kin
        kin = PART_KINDS if lemma in PART_KINDS else ()
        doc = token.doc
        called = [m for m in after if m.end < len(doc) and doc[m.end].lemma_.lower() in kin]
        return (called or after)[0].entity
    if indefinite and (named := named_next_as(token, lemma, ctx)) is not None:
        return named
    if container is not None:
        return None  # "the last neighbourhood of Homs": none of Homs's is named
    if not any(c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in token.children):
        return None  # "a town", a headline's bare "town": not the article's main town
    # a summary item names no place: the settlement the whole article speaks of most
    ranked = [ctx.gazetteer.get(k) for k, _ in ctx.article_places.most_common()]
    return next((e for e in ranked if e is not None and e.type in fits), None)
