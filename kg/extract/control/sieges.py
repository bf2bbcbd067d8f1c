"""Sieges: "Y besieged P", "P is under siege by Y", "a government siege of P", "encircling IS in
the town of P". A siege changes no control: the besieged hold the place."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.attribution import child
from kg.extract.control.base import FIGHTING_TYPES, Found
from kg.extract.control.states import holder_word
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import ItemContext, actor_of, places_of
from kg.extract.syntax import is_passive, phrasal, prep_object, roles, subject

ARMED = FIGHTING_TYPES | {"Country"}  # who can be besieged in a place


def besieged(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the SDF besieged Manbij', 'X was surrounded by the army', 'encircling IS in the town
    of X': a siege changes no control; the besieged still hold the place (the party the
    sentence names inside it, else the besieger's opponent: kg/data/lexicon.json
    "besieged_side")."""
    if verb.pos_ == "ADJ" and verb.dep_ != "amod":
        return None  # "the town remained besieged": read by the siege noun's kin, if at all
    if verb.dep_ == "amod" and (is_passive(verb) or verb.tag_ == "VBN" or verb.pos_ == "ADJ"):
        # "rebels in the besieged town of Douma": the party inside holds it; a bare "the
        # besieged town" says not whose (siege_noun's kin, the party of the place, may)
        return besieged_inside(verb, ctx, gaz)
    besieger_t, place_t = roles(verb)
    hung = child(verb, "compound", "npadvmod")  # "saw IS encircle X": the name the parse
    if hung is not None and not is_passive(verb) and actor_of(hung, ctx) is not None:
        besieger_t = hung  # hung on the verb, not the subject above it
    if besieger_t is not None and actor_of(besieger_t, ctx) is None and not is_passive(verb):
        return None  # "buildings surrounding the park": no force besieges anything
    inside = actor_of(place_t, ctx) if place_t is not None else None
    if inside is not None and inside.type not in ARMED:
        inside = None
    if inside is not None:  # "encircling IS in the town of Manbij"
        place_t = prep_object(verb, "in") or prep_object(place_t, "in")
    return siege_found(verb, besieger_t, place_t, inside, ctx, gaz)


def besieged_inside(adjective: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    place_t = adjective.head
    inside = None
    if place_t.dep_ == "pobj" and place_t.head.lower_ in ("in", "inside"):
        inside = actor_of(place_t.head.head, ctx)
    if inside is not None and inside.type in FIGHTING_TYPES:
        return siege_found(adjective, None, place_t, inside, ctx, gaz)
    besieger_t = attacking_party(adjective, ctx)
    if besieger_t is None or not named_here(place_t, ctx):
        return None  # "aid reached the besieged town": whose siege or which town is not said
    return siege_found(adjective, besieger_t, place_t, None, ctx, gaz)


def named_here(noun: Token, ctx: ItemContext) -> bool:
    """Does the phrase name its place ('the besieged Kafr Dalla town', 'the besieged city of
    Rastan'), rather than refer to one ('the besieged town')?"""
    return any(
        (e := ctx.at(t)) is not None and e.is_place for t in noun.subtree
    )


def attacking_party(adjective: Token, ctx: ItemContext) -> Token | None:
    """Who besieges a place: the party the adjective's hyphen names ('the terrorist-besieged
    town'), else the party the sentence has striking it ('regime airstrikes on the besieged
    city of X', 'rebels fired shells on the besieged town'): who bombards a besieged town is
    the side that besieges it."""
    if adjective.i >= 2 and adjective.nbor(-1).text == "-":
        return adjective.nbor(-2) if holder_word(adjective.nbor(-2), ctx) else None
    return striking_party(adjective.head, ctx)


def striking_party(place: Token, ctx: ItemContext) -> Token | None:
    """The party an attack on the place is by: the attack noun's own modifier or 'by' object
    ('regime airstrikes on X', 'raids by Russian jets on X'), or the subject of the verb that
    strikes it ('rebels shelled X', 'rebels fired shells on X')."""
    words = lexicon()
    nouns = words["attack_nouns"] + ["shell", "rocket", "missile", "mortar"]
    for up in list(place.ancestors)[:4]:
        if up.pos_ == "NOUN" and up.lemma_.lower() in nouns:
            for c in [*up.children, prep_object(up, "by")]:
                if c is not None and c.dep_ in ("compound", "amod", "poss", "nmod", "pobj") \
                        and holder_word(c, ctx) is not None:
                    return c
        elif up.pos_ == "VERB":
            if up.lemma_.lower() not in words["attack_verbs"] or is_passive(up):
                return None
            doer = subject(up)
            return doer if doer is not None and holder_word(doer, ctx) is not None else None
    return None


def siege_noun(noun: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the siege of X by Y', "a government siege of X", 'X is under siege by the army',
    'the siege by regime forces on X'."""
    besieger_t = prep_object(noun, "by") or child(noun, "poss", "compound", "amod", "nmod")
    place_t = prep_object(noun, "of", "on")
    if place_t is not None and actor_of(place_t, ctx) is not None:
        besieger_t, place_t = place_t, prep_object(noun, "on")  # "under the siege of the army"
    if place_t is None and noun.head.lower_ == "under" and noun.head.dep_ == "prep":
        held_t = noun.head.head
        # "a base under siege by Y": the parser may hang 'by Y' on the base
        besieger_t = besieger_t or prep_object(held_t, "by")
        place_t = held_t if held_t.pos_ in ("NOUN", "PROPN") else subject(held_t) or child(
            held_t, "nsubjpass")
    return siege_found(noun, besieger_t, quantified(place_t), None, ctx, gaz)


def quantified(token: Token | None) -> Token | None:
    """'the districts of A B and C all of which were under siege': the names before 'all
    of which' (a list's member stands for the list), not 'all'."""
    if token is None or token.lower_ not in ("all", "both", "each"):
        return token
    inner = prep_object(token, "of")
    before = token.i - 1
    while before >= token.sent.start and token.doc[before].is_punct:
        before -= 1
    if (inner is not None and inner.lower_ == "which" and before >= token.sent.start
            and token.doc[before].pos_ in ("NOUN", "PROPN")):
        return token.doc[before]
    return token


def siege_found(
    trigger: Token, besieger_t, place_t, inside: Entity | None, ctx: ItemContext, gaz: Gazetteer
) -> Found | None:
    places = [p for p in places_of(place_t, ctx) if p.type != "Country"]
    if not places:
        return None
    holder = inside
    if holder is None:
        # "regime forces waged an offensive in the area, which has been under siege": the
        # force of the clause the siege is told in
        besieger_t = besieger_t if besieger_t is not None else governing_force(trigger, ctx)
        besieger = holder_word(besieger_t, ctx) if besieger_t is not None else None
        side = gaz.side_of(besieger) if besieger is not None else None
        known = ctx.holders.get(places[0].key)  # the holder the item gave the place
        defender = defender_in(trigger, ctx) or besieged_subject(trigger, ctx)
        # "IS encircled X but rebels pushed it back", "SDF fighters remained besieged"
        if defender is not None and (side is None or gaz.side_of(defender) != side):
            holder = defender
        elif known is not None and (side is None or gaz.side_of(known) != side):
            holder = known
        else:
            opponent = lexicon()["besieged_side"].get(side.key if side else "")
            holder = gaz.get(opponent) if opponent else None
    if holder is None:
        return None
    return Found(trigger, "ControlState", places[0], holder, None, gaz.side_of(holder), places[1:])


def defender_in(trigger: Token, ctx: ItemContext) -> Entity | None:
    """The armed party the sentence has beating back an attack ('... but rebels pushed back
    the assault', 'rebels repelled the attack'): the defender of the place it is about."""
    words = lexicon()
    for t in trigger.sent:
        if t.pos_ == "VERB" and (t.lemma_.lower() in words["repel_verbs"]
                                 or phrasal(t, "repel_phrasal")) and not is_passive(t):
            found = actor_of(subject(t), ctx) if subject(t) is not None else None
            if found is not None and found.type in FIGHTING_TYPES:
                return found
    return None


def besieged_subject(trigger: Token, ctx: ItemContext) -> Entity | None:
    """The armed party the sentence says is besieged ('SDF fighters remained besieged, with
    Turkish-backed factions surrounding the town'): the holder of what surrounds them."""
    words = lexicon()["siege_verbs"]
    for t in trigger.sent:
        if t.lemma_.lower() in words and is_passive(t):
            found = actor_of(child(t, "nsubjpass"), ctx)
            if found is not None and found.type in FIGHTING_TYPES:
                return found
    return None


def governing_force(trigger: Token, ctx: ItemContext) -> Token | None:
    """The armed subject of the nearest clause above a siege told without its besieger."""
    for head in list(trigger.ancestors)[:8]:
        if head.pos_ in ("VERB", "AUX"):
            subject_t = subject(head)
            found = actor_of(subject_t, ctx) if subject_t is not None else None
            if found is not None and found.type in FIGHTING_TYPES:
                return subject_t
    return None
