"""Control told as a state: "the ISIS-held town", "P is controlled by Y", "under Y control", "in
Y hands", "Y is in full control of P", "the rebel town of P"."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from kg.extract.attribution import child
from kg.extract.control.base import FIGHTING_TYPES, Found, counted, listed_next
from kg.extract.cues import PART_KINDS
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import (
    COMPATIBLE,
    SETTLEMENT_KINDS,
    SETTLEMENTS,
    ItemContext,
    Mention,
    actor_of,
    apposed_place,
    capital_in_focus,
    introduced_later,
    is_city_part,
    is_state_force,
    named_after,
    nearby,
    place_of,
    places_of,
    prep_object_of,
    previous_sentence_start,
    stands_for,
)
from kg.extract.syntax import changed_by, prep_object, roles

CONTROL = "control"


def held(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the ISIS-held town of X', 'rebel-held Idlib'."""
    head = token.head
    named = ctx.at(head)  # "regime-held Latakia", the name tagged an adjective
    noun = head if head.pos_ in ("NOUN", "PROPN") or named is not None and named.is_place else None
    return held_place(token, token.nbor(-2), noun, ctx, gaz)


def held_unhyphenated(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'Aleppo's opposition held al-Fardous district', 'other rebel held areas': the hyphen a
    feed stripped; the parser often makes 'held' a verb and the place its object."""
    head = token.head
    noun = head if head.pos_ in ("NOUN", "PROPN") and head.i > token.i else child(token, "dobj")
    doer = child(token, "nsubj")
    if noun is None or doer is not None and doer.pos_ in ("NOUN", "PROPN", "PRON") and (
            actor_of(doer, ctx) is not None):
        return None  # "the rebels held the town": the verb, read by 'controlled'
    return held_place(token, token.nbor(-1), noun, ctx, gaz)


def held_place(
    token: Token, holder_t: Token, noun: Token | None, ctx: ItemContext, gaz: Gazetteer
) -> Found | None:
    holder = holder_word(holder_t, ctx)
    if holder is None or noun is None or divided(token):
        return None
    lemma = noun.lemma_.lower()
    area = lemma in lexicon()["area_nouns"]
    if (
        lemma not in lexicon()["settlement_nouns"] + ["province", "region", "governorate"]
        and ctx.at(noun) is None
        and not area
    ):
        return None  # "a government-held base": a facility, not the place around it
    # what a party holds is a place, whatever NER guessed ("opposition held Kadi Askar")
    members = included(noun, ctx)
    places = members or [p for p in places_of(noun, ctx, settlement_only=False, certain=True)
                         if p.type != "Country"]
    if not members and not places and not area and not of_container(noun, ctx):
        places = part_around(noun, ctx) or named_next(noun, ctx)
    elif not members and area and not named_in(noun, places, ctx):
        later = named_after(noun, ctx, (*SETTLEMENT_KINDS, "region"))
        places = (enclave_named(noun, ctx) or part_around(noun, ctx) or named_next(noun, ctx)
                  or ([later] if later else []))
        if not places:
            return None  # "IS-held areas including the towns of A and B" names them; else none
    places = [p for i, p in enumerate(places) if i == 0 or not told_apart(p, noun, ctx)]
    if not places or changed_by(noun):
        return None
    return Found(token, "ControlState", places[0], holder, None, gaz.side_of(holder),
                 places[1:])


def told_apart(place: Entity, noun: Token, ctx: ItemContext) -> bool:
    """'rebel-held Kafr Dalla and Umm Tut as well as Tell Sabun, which is held by ISIS': a
    member whose own relative clause tells its control is not the list's holder's."""
    words = lexicon()["control_state_verbs"] + lexicon()["held_suffixes"]
    doc = noun.doc
    for m in ctx.mentions:
        if m.entity != place or m.start < noun.i or m.end >= len(doc):
            continue
        after = doc[m.end + 1] if doc[m.end].text == "," and m.end + 1 < len(doc) else doc[m.end]
        # the clause right after the name is about it, wherever the parser hung it
        if after.lower_ in ("which", "that") and after.head.lemma_.lower() in words:
            return True
    return False


def included(noun: Token, ctx: ItemContext) -> list[Entity]:
    """'raids on IS-held areas of Homs province, including the villages of A and B':
    the places an 'including' phrase after a plural names are members of it, wherever the
    parser hung the phrase (on the noun or on the words that govern it)."""
    noun = counted(noun)  # "a string of towns, including A and B"
    if noun.tag_ not in ("NNS", "NNPS"):
        return []
    for holder in (noun, noun.head, noun.head.head):
        for c in holder.children:
            obj = child(c, "pobj")
            if c.lower_ in lexicon()["including_words"] and c.i > noun.i and obj is not None:
                return [p for p in places_of(obj, ctx, settlement_only=False, certain=True)
                        if p.type != "Country"]
        if holder.dep_ in ("ROOT", "ccomp") or holder.i > noun.i and holder is not noun:
            break
    return []


def enclosing_part(noun: Token | None) -> Token | None:
    """The part noun whose container this is ('a neighbourhood of the Syrian city of
    Aleppo': the neighbourhood, for Aleppo)."""
    t = noun
    for _ in range(3):
        if t is None or t.head.lower_ != "of" or t.head.head.pos_ != "NOUN":
            return None
        t = t.head.head
        if t.lemma_.lower() in lexicon()["subplace_nouns"]:
            return t
    return None


def divided(held: Token) -> bool:
    """'divided into rebel-held and regime-held areas': two holders, no one place's (not
    'were killed ... the government held western Aleppo', a verb the parser joined on)."""
    words = lexicon()["held_suffixes"] + lexicon()["control_state_verbs"]
    partners = [held.head] if held.dep_ == "conj" else []
    partners += [c for c in held.children if c.dep_ == "conj"]
    return any(p.lemma_.lower() in words or p.lower_ in words for p in partners)


def of_container(noun: Token, ctx: ItemContext) -> bool:
    """'rebel-held districts of the city': several parts of a place the text refers back to,
    not the ones the next sentence names (as 'rebel-held suburbs of Damascus' may be)."""
    container = prep_object(noun, "of")
    return (noun.tag_ in ("NNS", "NNPS") and container is not None and container.pos_ != "PROPN"
            and named_city(container, ctx) is None)


def named_city(token: Token | None, ctx: ItemContext) -> Entity | None:
    """The city a noun phrase names: itself, a name compounded to it, or its 'of' object
    ('Homs suburbs', 'the third city of Homs')."""
    for t in (token, *(c for c in (token.children if token is not None else ())
                       if c.dep_ == "compound"), prep_object(token, "of")):
        e = ctx.at(t) if t is not None else None
        if e is not None and e.type in ("City", "Town"):
            return e
    return None


def controlled(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'P is controlled by X' and 'X is in (full) control of P'."""
    if token.pos_ == "VERB":
        agent_t, patient_t = roles(token)
        glued = place_right_after(token, ctx)
        if (
            child(token, "nsubjpass") is None
            and token.dep_ not in ("acl", "relcl")
            and child(token, "dobj") is None
        ):
            if glued is None or child(token, "nsubj") is None:
                return None
            patient_t = glued  # "government forces control Damascus rebels often fire ..."
        # "the territory it once held": only a named or settlement place is a state claim
        agent = actor_of(agent_t, ctx)
        part = enclosing_part(patient_t) if token.dep_ == "acl" else None
        if part is not None:
            # "a neighbourhood of the city of Aleppo held by the YPG": the neighbourhood
            places = [p for p in places_of(part, ctx) if p.type != "Country"] or named_next(
                part, ctx)
        else:
            patient_t = whole_of(patient_t)
            places = [p for p in places_of(patient_t, ctx, settlement_only=patient_t is None
                                           or patient_t.lemma_.lower() != "province")
                      if p.type != "Country"] or (
                listed_next(patient_t, ctx) if patient_t is not None else [])
        if not places or agent is None:
            return None
        return Found(token, "ControlState", places[0], agent, None, gaz.side_of(agent),
                     places[1:])
    else:
        prep = token.head
        if prep.lower_ not in ("in", "under", "within") or prep.dep_ != "prep":
            return None
        if prep.lower_ == "in" and token.lemma_.lower() == CONTROL:
            # "X is in (full) control of P"
            place = place_of(prep_object(token, "of", "over"), ctx)
            agent = actor_of(child(prep.head, "nsubj"), ctx)
        else:
            # "P is under Y control", "under the control of Y", "in Y hands", "in the
            # hands of Y", "the town under Y's control"
            holder_t = child(token, "poss", "compound", "amod", "nmod") or prep_object(
                token, "of"
            )
            agent = actor_of(holder_t, ctx) or held_by_adjective(token, ctx)
            held_t: Token | None = prep.head
            if prep.head.pos_ not in ("NOUN", "PROPN"):
                # "X remains in Y hands", "leaving X in Y hands"
                held_t = child(prep.head, "dobj") or child(prep.head, "nsubj", "nsubjpass") or (
                    prep.head.head if prep.head.dep_ in ("acl", "relcl", "xcomp") else None
                ) or shared_subject(prep.head)
            places = [p for p in places_of(held_t, ctx, settlement_only=False)
                      if p.type != "Country"]
            if not places or agent is None:
                return None
            return Found(token, "ControlState", places[0], agent, None, gaz.side_of(agent),
                         places[1:])
    if place is None or agent is None or place.type == "Country":
        return None
    return Found(token, "ControlState", place, agent, None, gaz.side_of(agent))


def part_around(noun: Token, ctx: ItemContext) -> list[Entity]:
    """'rebel-held neighbourhoods in the east of Aleppo city': the part of the city they make
    up (not 'rebel-held districts of Aleppo': a divided city is no one's)."""
    container = place_of(prep_object_of(noun), ctx, settlement_only=False)
    if container is None:
        return []
    city = ctx.gazetteer.get(container.part_of or "")
    by_direction = city is not None and city.type == "City" and container.key.endswith(
        tuple(f"-{d}" for d in ("east", "west", "north", "south"))
    )
    return [container] if by_direction or is_city_part(container, ctx) else []


def place_right_after(verb: Token, ctx: ItemContext) -> Token | None:
    """The named place just after a verb, which the parse glued to what follows."""
    if verb.i + 1 >= verb.sent.end:
        return None
    after = verb.doc[verb.i + 1]
    found = ctx.at(after)
    return after if found is not None and found.is_place and found.type != "Country" else None


def whole_of(token: Token | None) -> Token | None:
    """'(nearly) all of the province': the province."""
    if token is not None and token.lower_ == "all":
        return prep_object(token, "of") or token
    return token


def enclave_named(noun: Token, ctx: ItemContext) -> list[Entity]:
    """'bombardment on Wadi Barada valley ... pounding the rebel-held enclave': the enclave
    (or pocket) is the place named last before it in the sentence."""
    if noun.lemma_.lower() not in ("enclave", "pocket") or noun.tag_ != "NN" or not any(
        c.dep_ == "det" and c.lower_ == "the" for c in noun.children
    ):
        return []
    before = [m.entity for m in ctx.mentions
              if noun.sent.start <= m.start < noun.i and m.entity.is_place
              and m.entity.type not in ("Country", "Province") and not nearby(noun.doc[m.start])]
    return before[-1:]


def shared_subject(verb: Token) -> Token | None:
    """The subject of a clause that has none of its own: 'Homs was an epicentre ... but is
    now in regime hands' (shared with the clause it is joined to), 'Tal Hamis situated in
    X ... is under the control of Y' (the parser hung it on the clause before)."""
    if verb.dep_ == "conj":
        return child(verb.head, "nsubj", "nsubjpass")
    if verb.dep_ in ("ccomp", "advcl"):
        for sibling in verb.head.children:
            if sibling.i < verb.i and sibling.dep_ in ("ccomp", "advcl") and sibling.pos_ in (
                "VERB", "AUX"
            ):
                return child(sibling, "nsubj", "nsubjpass")
    return None


def party_place(noun: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the rebel town of X', 'a besieged rebel town', 'the opposition district of X': a
    place named by the armed party that holds it. A people or a country ('the Kurdish town',
    'a Syrian village') names no holder; a place a sentence says was taken is the change's."""
    holder = None
    for c in noun.children:
        if c.i > noun.i or c.dep_ not in ("amod", "compound", "nmod"):
            continue
        named = ctx.at(c)
        if c.ent_type_ == "NORP" or (named is not None and not named.is_actor):
            continue
        if c.lemma_.lower() in lexicon()["siege_verbs"]:
            continue  # "the ISIS-besieged city": the besieger, read by the siege shape
        found = actor_of(c, ctx)
        if found is not None and found.type in ("ArmedGroup", "Government"):
            holder = found
    if holder is None or changed_by(noun):
        return None
    places = [p for p in places_of(noun, ctx, settlement_only=False) if p.type != "Country"]
    if not places or not (named_in(noun, places, ctx) or forward_reference(noun)):
        return None  # "the militant enclave", "rebel positions": no place named
    return Found(noun, "ControlState", places[0], holder, None, gaz.side_of(holder), places[1:])


def named_in(noun: Token, places: list[Entity], ctx: ItemContext) -> bool:
    """Is the place named in the noun phrase itself ('the rebel town of X', 'X, a rebel
    town')?"""
    near = [t for t in noun.subtree] + ([noun.head] if noun.dep_ == "appos" else [])
    beside = apposed_place(noun, ctx)  # "the Tabqa airport the only regime-held position"
    return beside in places or any(ctx.at(t) in places for t in near if ctx.at(t) is not None)


def named_next(noun: Token, ctx: ItemContext) -> list[Entity]:
    """'strikes on opposition-held towns ... killed 44. In Jassem ...': a plural that names no
    place of its own stands for the settlements of its kind the next sentence names (not
    those it only locates them in, nor those near them); 'a rebel-held area' for the first."""
    lemma = noun.lemma_.lower()
    single = noun.tag_ == "NN" and any(c.dep_ == "det" and c.lower_ in ("a", "an")
                                       for c in noun.children)
    kinds = [*lexicon()["settlement_nouns"], "area"]
    if not (noun.tag_ in ("NNS", "NNPS") or single) or lemma not in kinds:
        return []
    if any(c.dep_ == "det" and c.lower_ in ("the", "these", "those", "both") for c in
           noun.children):  # "the rebel-held towns": ones named before, read by referred_places
        city = named_city(noun, ctx) or named_city(prep_object(noun, "of"), ctx)
        return listed_parts(noun, city, ctx) if city is not None else []
    doc, end = noun.doc, noun.sent.end
    following = doc[end].sent if end < len(doc) else doc[end:end]
    fits = COMPATIBLE.get(lemma, SETTLEMENTS)
    city = named_city(noun, ctx) or named_city(prep_object(noun, "of"), ctx)
    found: list[Entity] = []
    for m in ctx.mentions:
        if not following.start <= m.start < following.end or m.entity in found:
            continue
        if city is not None and not within(m, city, ctx):
            continue  # "rebel-held Homs suburbs": the suburbs of Homs named next
        if (m.entity.type in fits and stands_for(m.entity, noun) and not nearby(doc[m.start])
                and not locates(doc[m.start])
                and m.entity.country in lexicon()["theatre_countries"] + [None]):
            found.append(m.entity)  # not "the Turkish border town of Kilis"
    if not found and city is not None and not single:
        found = listed_parts(noun, city, ctx)
    if not found:  # (not the parts another city's list names)
        found = [e for e in called_later(noun, following.end, ctx)
                 if city is None or not listed_elsewhere(e, city, ctx)]
    return found[:1] if single else found


def listed_parts(noun: Token, city: Entity, ctx: ItemContext) -> list[Entity]:
    """'gas fumes over rebel-held Damascus suburbs ... [paragraphs on] rockets hit the Damascus
    suburbs of A, B and C': a plural part noun of a named city stands for the parts of that
    city the item lists anywhere with a kind noun of its family and the city's own name (or
    'the capital's', for a capital)."""
    if noun.lemma_.lower() not in PART_KINDS:
        return []
    found: list[Entity] = []
    for m in ctx.mentions:
        kind = listing_kind(m, noun.doc)
        if (kind is not None and kind.i != noun.i and m.entity not in found
                and m.entity.type not in ("Country", "Province")
                and city in owners(kind, ctx)):
            found.append(m.entity)
    return found


def listed_elsewhere(place: Entity, city: Entity, ctx: ItemContext) -> bool:
    """Does a list of another city's parts name this place ('the Hama suburbs of A and B')?"""
    for m in ctx.mentions:
        kind = listing_kind(m, ctx.doc) if m.entity == place else None
        if kind is not None and (found := owners(kind, ctx)) and city not in found:
            return True
    return False


def listing_kind(m: Mention, doc: Doc) -> Token | None:
    """The plural part noun whose 'of' list names this place ('the Homs suburbs of A, B and
    C'), through the list and the names a stripped comma glued on."""
    first = doc[m.end - 1]
    while first.dep_ in ("conj", "compound") and first.head.i != first.i:
        first = first.head
    of = first.head
    kind = of.head if of.dep_ == "prep" and of.lower_ == "of" else None
    if kind is None or kind.tag_ not in ("NNS", "NNPS") or kind.lemma_.lower() not in PART_KINDS:
        return None
    return kind


def owners(kind: Token, ctx: ItemContext) -> list[Entity]:
    """The cities a part noun is said to be of: a name compounded to it, or 'the capital's'
    (the apostrophe may be stripped: 'the capitals eastern suburbs')."""
    doc = kind.doc
    words = [c for c in kind.children if c.dep_ in ("compound", "poss", "nmod")]
    before = kind.i - 1
    while before > 0 and doc[before].pos_ == "ADJ":
        before -= 1
    words.append(doc[before])
    found = []
    for w in words:
        if w.lower_ in ("capital", "capitals"):
            found.append(capital_in_focus(ctx))
        elif (e := ctx.at(w)) is not None and e.type in ("City", "Town"):
            found.append(e)
    return [e for e in found if e is not None]


def within(m: Mention, city: Entity, ctx: ItemContext) -> bool:
    """Is the place named as lying in or around the city (the gazetteer puts it in the city or
    its province, its phrase names the city: 'the Damascus suburbs of A, B and C', or it is a
    quarter the text alone names)?"""
    if m.entity.part_of in (city.key, city.part_of) or (
        not m.entity.known and m.entity.type == "Region"
    ):
        return True  # (or a quarter its kind noun named: "Fardous neighbourhood")
    t = ctx.doc[m.start]
    for a in [t, *list(t.ancestors)[:4]]:
        if any(ctx.at(c) == city for c in a.children if c.i != t.i):
            return True
    return False


KINDRED = (PART_KINDS, frozenset(SETTLEMENT_KINDS))  # kind nouns that stand for one another


def called_later(noun: Token, start: int, ctx: ItemContext) -> list[Entity]:
    """'a car bomb wounded 37 in a government-controlled neighbourhood of Homs. [...] state
    television said people were wounded by the car bomb in Al-Zahraa district': up to three
    sentences on, only a name given with a kind noun of the same family stands for the
    noun."""
    lemma = noun.lemma_.lower()
    kin = next((group for group in KINDRED if lemma in group), None)
    return introduced_later(noun, ctx, kin, start, 3) if kin is not None else []


def locates(token: Token) -> bool:
    """Is this name only where another is ('in Jassem in the province of Daraa': Daraa)?"""
    head = token.head
    return head.dep_ == "prep" and head.lower_ == "of" and head.head.lemma_.lower() in (
        "province", "governorate", "countryside", "outskirts")


def forward_reference(noun: Token) -> bool:
    """'a besieged rebel town ...' names its town in what follows."""
    return noun.lemma_.lower() in lexicon()["settlement_nouns"] and any(
        c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children
    )


def held_by_adjective(noun: Token, ctx: ItemContext) -> Entity | None:
    """'under jihadist control', 'in regime hands': the holder named by an adjective."""
    for c in noun.children:
        if c.dep_ in ("amod", "compound", "nmod"):
            found = holder_word(c, ctx)
            if found is not None and found.is_actor:
                return ctx.gazetteer.as_actor(found)
    return None


VAGUE_HOLDERS = {"militant"}  # "jihadist-held" names the jihadist group the item is about


def recent_group(token: Token, ctx: ItemContext) -> Entity | None:
    """The non-state armed group named last in this sentence or the one before."""
    since = previous_sentence_start(token)
    groups = [m for m in ctx.mentions
              if since <= m.start < token.i and m.entity.type == "ArmedGroup"
              and m.entity.key != "syrian-opposition" and not is_state_force(m, ctx)]
    return groups[-1].entity if groups else None


def holder_word(token: Token, ctx: ItemContext) -> Entity | None:
    """The party a modifier names: 'ISIS-held', 'rebel-held', and the people's words that
    stand for their forces ('Kurdish-held', 'Kurd-held': "Kurdish forces"). A bare
    'militant-held' is the group just named, else the word itself: which group a report
    means by it a paragraph later is a guess."""
    if token.lemma_.lower() in VAGUE_HOLDERS and not any(
        c.dep_ in ("amod", "compound", "nmod", "poss") for c in token.children
    ):
        return recent_group(token, ctx) or ctx.gazetteer.adhoc(
            token.lemma_.lower() + "s", "ArmedGroup"
        )
    found = ctx.at(token) or actor_of(token, ctx)
    if found is not None and found.known and found.is_actor:
        return ctx.gazetteer.as_actor(found)
    for word in (token.text, token.lemma_, token.text + "s"):
        for suffix in lexicon()["holder_suffixes"]:
            named = ctx.gazetteer.lookup(f"{word} {suffix}".strip())
            if named is not None and named.is_actor and named.type != "Country":
                return named
    return found if found is not None and found.is_actor else None


def repelled(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'rebels repelled an army attack on Qaboun', 'an IS offensive on the army's positions in
    X was repelled by the soldiers': who beat back an attack on a place holds it."""
    defender_t, attack_t = roles(verb)
    # "repelled by the strong defence of the Syrian soldiers": whose defence
    defender = actor_of(defender_t, ctx) or actor_of(prep_object(defender_t, "of"), ctx)
    if defender is None or defender.type not in FIGHTING_TYPES:
        return None
    if attack_t is None or attack_t.lemma_.lower() not in lexicon()["assault_nouns"]:
        return None
    target = (
        prep_object(attack_t, "on", "against", "into")
        or prep_object(verb, "on", "in")
        or aimed_at(attack_t)  # "attempts to overrun the area", "an offensive to break X"
    )
    if target is not None and target.lemma_.lower() in ("position", "positions"):
        target = prep_object(target, "in", "of", "around") or target
    places = [p for p in places_of(target, ctx) if p.type != "Country"] if target else []
    if target is None and any(c.dep_ == "det" and c.lower_ == "the" for c in attack_t.children):
        places = attacked_before(verb, ctx)  # "IS encircled X but rebels pushed back the assault"
    where = where_place(verb, ctx)
    if where is not None and target is not None and target.lemma_.lower() in (
        *lexicon()["settlement_nouns"], "area"
    ):
        places = [where, *(p for p in places if p != where)]  # "... Qaboun, where rebels
        # repelled attempts to overrun the area": the area is Qaboun
    if not places:
        return None
    return Found(verb, "ControlState", places[0], defender, None, gaz.side_of(defender),
                 places[1:])


def attacked_before(verb: Token, ctx: ItemContext) -> list[Entity]:
    """The places an earlier clause of the sentence has attacked, besieged or tried to take
    ('IS encircled X but rebels pushed back the assault'): what 'the assault' was on."""
    words = lexicon()
    kinds = set(words["attack_verbs"]) | set(words["siege_verbs"]) | set(words["control_gain"])
    found: list[Entity] = []
    for t in verb.doc[verb.sent.start : verb.i]:
        if t.pos_ == "VERB" and t.lemma_.lower() in kinds:
            obj = child(t, "dobj")
            found += [p for p in places_of(obj, ctx) if p.type != "Country" and p not in found] \
                if obj is not None else []
    return found


def where_place(verb: Token, ctx: ItemContext) -> Entity | None:
    """The place a 'where' clause hangs on ('the district of Qaboun, where ...')."""
    if verb.dep_ != "relcl" or not any(c.lower_ == "where" for c in verb.children):
        return None
    found = places_of(verb.head, ctx)
    return found[0] if found else None


def aimed_at(attack: Token) -> Token | None:
    """The object of the verb an attack noun's purpose clause names ('attempts by loyalist
    forces to overrun the area', 'an offensive to break through the army's positions')."""
    for c in attack.children:
        if c.dep_ in ("acl", "relcl", "advcl") and c.pos_ == "VERB":
            return child(c, "dobj") or prep_object(c, "through", "into", "on")
    return None


def divided_part(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'Aleppo has been divided between a rebel-held east and a regime-controlled west',
    '... between government control in the west and rebel control in the east': each part
    of the divided city is held by the party named just before its direction."""
    doc = token.doc
    divide = next((t for t in doc[token.sent.start : token.i]
                   if t.lemma_.lower() in lexicon()["divide_verbs"]), None)
    if divide is None or not any(t.lower_ == "between" for t in doc[divide.i : token.i]):
        return None
    city = next((m.entity for m in ctx.mentions if token.sent.start <= m.start < divide.i
                 and m.entity.type in ("City", "Town")), None)
    holder = holder_before(token, divide.i, ctx)
    if city is None or holder is None:
        return None
    direction = lexicon()["part_directions"][token.lower_]
    part = gaz.facility(f"{direction}ern {city.label}", direction, city.label)
    return Found(token, "ControlState", part, holder, None, gaz.side_of(holder))


def holder_before(token: Token, floor: int, ctx: ItemContext) -> Entity | None:
    """The party named in the few words before a direction, back to 'and' or 'between':
    'a rebel-held east', 'government control in the west'."""
    for t in reversed(token.doc[max(floor, token.i - 5) : token.i]):
        if t.lower_ in ("and", "between", ","):
            return None
        if t.lower_ in lexicon()["held_suffixes"] and t.i >= 2 and t.nbor(-1).text == "-":
            return holder_word(t.nbor(-2), ctx)
        if t.lemma_.lower() == "control" and t.i >= 1:
            return holder_word(t.nbor(-1), ctx)
    return None
