"""Control told by a noun: "the capture/fall/loss of P (to Y)", "Y's stronghold of P", "its P
bastion", "P, a key rebel stronghold", "the group's de facto capital P", "Y's last stronghold
was the town of P"."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.attribution import child
from kg.extract.control.base import FIGHTING_TYPES, HOLDER_TYPES, Found, country_of
from kg.extract.control.states import forward_reference, recent_group
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import (
    SETTLEMENTS,
    ItemContext,
    actor_of,
    attack_site_later,
    backed_by,
    named_after,
    nearby,
    place_mention,
    place_of,
    places_of,
)
from kg.extract.syntax import changed_by, prep_object


def nominal_capture(
    noun: Token, ctx: ItemContext, gaz: Gazetteer, prior: dict[str, Entity]
) -> Found | None:
    """'the capture of X', 'the recapture of X (by Y)': a change that refers back to one
    already reported, so without an agent it takes the controller the article gave X."""
    of = prep_object(noun, "of")
    place = place_of(of, ctx)
    others: list[Entity] = []
    if of is not None and (place is None or place_mention(of, ctx) is not None):
        # "the capture of Mallah Farms and Castello Road": each member, known or not
        named = [p for p in places_of(of, ctx, certain=True) if p.type != "Country"]
        place, others = (named[0], named[1:]) if named else (place, [])
    if place is None or place.type == "Country":
        return None
    # "the fall of X to Y", "loss of X to Y" (its 'to' often hung on the verb above)
    gainer = actor_of(prep_object(noun, "to") or following_to(noun), ctx)
    if gainer is None and noun.lemma_.lower() in lexicon()["nominal_loss"]:
        return None  # "its loss of X": who gained it is not said
    agent = (
        gainer
        or actor_of(prep_object(noun, "by") or verb_by(noun), ctx)
        or actor_of(child(noun, "poss"), ctx)
        or armed(actor_of(announcer(noun), ctx))
        or armed(actor_of(holder_since(noun), ctx))
        or armed(offensive_owner(noun, ctx))
    )
    controller = gaz.side_of(agent) if agent is not None else prior.get(place.key)
    if controller is None:
        # "Prime Minister Abadi announced the liberation of Mosul": the leader's side
        leader = actor_of(announcer(noun), ctx)
        if leader is not None and leader.type == "Person" and leader.side:
            controller = gaz.side_of(leader)
    return Found(noun, "ControlChange", place, agent, None, controller, others)


def offensive_owner(noun: Token, ctx: ItemContext) -> Entity | None:
    """'the brief seizure of X was part of an army offensive', '... came during a rebel
    assault': whose offensive the capture was part of."""
    verb = noun.head
    if noun.dep_ != "nsubj" or verb.pos_ not in ("VERB", "AUX"):
        return None
    whole = child(verb, "attr")
    offensive = (
        prep_object(whole, "of") if whole is not None and whole.lemma_.lower() == "part"
        else prep_object(verb, "during", "in")
    )
    if offensive is None or offensive.lemma_.lower() not in lexicon()["assault_nouns"]:
        return None
    owners = [c for c in offensive.children
              if c.i < offensive.i and c.dep_ in ("poss", "compound", "amod", "nmod")]
    return next((a for c in owners if (a := actor_of(c, ctx)) is not None), None)


def holder_since(noun: Token) -> Token | None:
    """'X has controlled most of the province since the capture of its capital': who has held
    it since a capture made it."""
    prep = noun.head
    verb = prep.head
    if noun.dep_ != "pobj" or prep.lower_ not in ("since", "after", "following"):
        return None
    lemmas = set(lexicon()["control_state_verbs"]) | set(lexicon()["control_keep_verbs"])
    if verb.pos_ != "VERB" or verb.lemma_.lower() not in lemmas:
        return None
    return child(verb, "nsubj")


def announcer(noun: Token) -> Token | None:
    """Who announces a capture ('the army announced the liberation of X', 'the capture of X
    was announced by the YPG'): a fighting party announces its own."""
    verb = noun.head
    if verb.lemma_.lower() not in lexicon()["declare_verbs"]:
        return None
    if noun.dep_ == "dobj":
        return child(verb, "nsubj")
    if noun.dep_ == "nsubjpass":
        return prep_object(verb, "by")
    return None


def guessed_or_none(actor: Entity | None) -> bool:
    """No actor, or one only NER's guess made ('Dabiq' tagged an organisation)."""
    return actor is None or (not actor.known and actor.type in ("Person", "Organisation"))


def verb_by(noun: Token) -> Token | None:
    """'announced the capture of X by the YPG' parsed with 'by' on the active verb: the
    noun's agent (an active verb has none of its own)."""
    verb = noun.head
    if noun.dep_ != "dobj" or any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
        return None
    return prep_object(verb, "by")


def armed(actor: Entity | None) -> Entity | None:
    return actor if actor is not None and actor.type in FIGHTING_TYPES else None


def following_to(noun: Token) -> Token | None:
    """The object of a 'to' right after the noun phrase, wherever the parser attached it."""
    after = noun.right_edge.i + 1
    if after >= len(noun.doc) or noun.doc[after].lower_ != "to" or noun.doc[after].dep_ != "prep":
        return None
    return next((c for c in noun.doc[after].children if c.dep_ == "pobj"), None)


def stronghold_noun(noun: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the IS stronghold of Al-Bab', "Y's stronghold of X", 'its Raqa bastion', 'X, a key
    rebel stronghold', 'X is a stronghold of Y': Y holds X. A former stronghold is not, and
    a stronghold a sentence says was taken is the capture's ('captured the IS stronghold of
    X' is read by the capture)."""
    if any(c.lower_ in lexicon()["past_markers"] for c in noun.children):
        return None
    if changed_by(noun):
        return None
    of = prep_object(noun, "of")
    holder = None
    for child_t in noun.children:
        c, dep = possessor(child_t), child_t.dep_
        named = ctx.at(c)
        if c.ent_type_ == "NORP" or c.lower_ in ("syrian", "iraqi"):
            continue  # "its main Iraqi bastion": where, not whose
        if (
            dep in ("poss", "compound", "amod", "nmod")
            and named is None
            or (
                dep in ("poss", "compound", "amod", "nmod")
                and named is not None
                and named.is_actor
            )
        ):
            holder = holder or actor_of(c, ctx) or backed_by(c, ctx, ("rebels",))
    if holder is None and of is not None and place_mention(of, ctx) is None:
        holder = actor_of(of, ctx)
        if holder is None and of.lemma_.lower() in lexicon()["generic_fighter_nouns"]:
            holder = recent_group(noun, ctx)  # "a stronghold of the jihadist fighters": the
            # group the sentence or the one before named
    if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "in":
        # "HTS militants, who are based in the adjacent stronghold of Idlib": theirs
        verb = noun.head.head
        if verb.lemma_.lower() in ("base", "entrench", "station", "hole"):
            holder = actor_of(child(verb, "nsubjpass", "nsubj"), ctx)
    place_t = None
    if of is not None and (
        place_mention(of, ctx) is not None
        or (
            holder is not None
            and of.pos_ == "PROPN"
            and guessed_or_none(named := actor_of(of, ctx))
            and named is not holder
        )
    ):
        place_t = of  # "the IS stronghold of Dabiq", a name no gazetteer knows
    else:
        inside = [
            c
            for c in noun.children
            if c.dep_ in ("compound", "appos", "nmod") and place_mention(c, ctx) is not None
        ]
        appos = child(noun, "appos")
        said = noun  # "X is one of the remaining bastions": what 'one' is said of
        if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lower_ == "one":
            said = noun.head.head
        subject = child(said.head, "nsubj") if said.dep_ == "attr" else None
        if inside:
            place_t = inside[0]
        elif subject is not None and place_mention(subject, ctx) is not None:
            place_t = subject  # "X is a stronghold of Y, a coalition of ...": X
        elif appos is not None:
            place_t = appos
        elif noun.dep_ == "appos" and noun.head.pos_ in ("PROPN", "NOUN") and (
            place_mention(noun.head, ctx) is not None or noun.head.pos_ == "PROPN"
        ):
            place_t = noun.head  # (not "links, DAESH's capital in X": the noun it is put by)
        elif noun.dep_ == "compound" and place_mention(noun.head, ctx) is not None:
            place_t = noun.head  # "the IS capital Raqqa": the name it titles
        elif noun.dep_ == "attr":
            place_t = child(noun.head, "nsubj")
    if holder is not None and (place_t is None or (
        place_mention(place_t, ctx) is None and place_t.pos_ != "PROPN"
    )):  # "the attack was in revenge for strikes in X a rebel stronghold": X, not the attack
        place_t = put_by(noun, ctx) or left_as(noun, ctx) or place_t
    within = place_t is None and holder is not None
    if within:  # "the group's stronghold in Raqa": a town, never a province or a country
        place_t = prep_object(noun, "in") or next(
            (g for c in noun.head.children if c.dep_ == "prep" and c.lower_ == "in"
             and c.i == noun.right_edge.i + 1 for g in c.children if g.dep_ == "pobj"),
            None,
        ) or (prep_object(of, "in") if of is not None else None)
        # "hit the IS stronghold in Raqqa", the parser's 'in' on the verb; "a stronghold of
        # DAESH militants in Manbij", on the holder
    if holder is None or holder.type not in HOLDER_TYPES:
        return None
    places = [
        p
        for p in places_of(place_t, ctx, settlement_only=False, certain=True)
        if p.type != "Country" and not (within and p.type in ("Province", "Region"))
    ] if place_t is not None else []
    if not places and within:
        later = attack_site_later(noun, ctx)  # "a raid on an IS stronghold in eastern Syria"
        places = [later] if later is not None else []
    if not places and (within or place_t is None):
        later = named_after(noun, ctx)  # "... on the IS stronghold. The city of Raqa ..."
        places = [later] if later is not None else []
    if not places and (within or place_t is None) and forward_reference(noun):
        later = first_city_next(noun, ctx)  # "civilians killed in and around a stronghold of
        places = [later] if later is not None else []  # IS ... 15 were killed in Manbij"
    if not places:
        return None
    return Found(noun, "ControlState", places[0], holder, None, gaz.side_of(holder), places[1:])


def first_city_next(noun: Token, ctx: ItemContext) -> Entity | None:
    """The first city or town of the theatre the next sentence names, not only as what
    another place is near: what 'a stronghold' a lead leaves unnamed turns out to be."""
    doc = noun.doc
    if noun.sent.end >= len(doc) or any(
        noun.i < m.start < noun.sent.end and m.entity.type in SETTLEMENTS for m in ctx.mentions
    ):
        return None  # "a stronghold of DAESH militants in Manbij": named in its own sentence
    following = doc[noun.sent.end].sent
    for m in ctx.mentions:
        if (following.start <= m.start < following.end and m.entity.known
                and m.entity.type in ("City", "Town")
                and m.entity.country in lexicon()["theatre_countries"]
                and not nearby(doc[m.start])):
            return m.entity
    return None


def put_by(noun: Token, ctx: ItemContext) -> Token | None:
    """'the town of Manbij a key IS stronghold that ...': the place right before a stronghold
    put by it, the comma a feed stripped and the parse lost."""
    first = noun.left_edge
    if first.dep_ != "det" or first.i == 0:
        return None
    before = noun.doc[first.i - 1]
    named = ctx.at(before)
    guessed = named is not None and not named.known and named.type in ("Person", "Organisation")
    # (a name NER took for a group or person is a place when called a stronghold)
    return before if place_mention(before, ctx) is not None or guessed else None


def left_as(noun: Token, ctx: ItemContext) -> Token | None:
    """'its fall leaves X as the group's last stronghold', 'regarded X as its bastion': the
    object the 'as' phrase describes."""
    prep = noun.head
    if noun.dep_ != "pobj" or prep.lower_ != "as":
        return None
    obj = child(prep.head, "dobj")
    if obj is None or (place_mention(obj, ctx) is None and obj.pos_ != "PROPN"):
        return None
    return obj  # (a name no gazetteer knows is a place when called a stronghold)


def group_capital(noun: Token, ctx: ItemContext) -> bool:
    """Is this 'capital' an armed group's ('IS's de facto capital', 'the de facto capital of
    ISIS'), not a country's?"""
    owners = [possessor(c) for c in noun.children if c.dep_ in ("poss", "compound", "nmod")]
    for c in [*owners, prep_object(noun, "of")]:
        found = actor_of(c, ctx) if c is not None else None
        if found is not None and found.type == "ArmedGroup":
            return True
    return False


def possessor(token: Token) -> Token:
    """The name a possessive marker belongs to ('ISs': the parse may hang the 's' alone)."""
    return token.nbor(-1) if token.tag_ == "POS" and token.i > 0 else token


def stronghold_of(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """ "ISIS's last stronghold in Iraq was the town of Qaim": the possessor held the place."""
    if token.lemma_ != "be":
        return None
    subj, attr = child(token, "nsubj"), child(token, "attr")
    if subj is None or attr is None or subj.lemma_.lower() not in lexicon()["stronghold_nouns"]:
        return None
    holder = actor_of(child(subj, "poss"), ctx)
    place = place_of(attr, ctx)
    if holder is None or place is None or place.type == "Country":
        return None
    return Found(token, "ControlState", place, holder, None, gaz.side_of(holder))


def party_facility(noun: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'Russia's air base at Qarnabit', 'the army moved jets to its airbase in Tell Sabun': the
    owner holds the facility of that place (a state its base abroad, not a facility at home)."""
    kind = lexicon()["facility_heads"].get(noun.lemma_.lower())
    owner_t = child(noun, "poss")
    place_t = prep_object(noun, "in", "at")
    if kind is None or owner_t is None or place_t is None:
        return None
    owner = actor_of(owner_t, ctx)
    place = place_mention(place_t, ctx)
    if owner is None or owner.type not in HOLDER_TYPES or place is None:
        return None
    if place.type not in ("City", "Town", "Village", "Place") or place.is_actor:
        return None
    state = gaz.country_of_state(owner)
    home = country_of(state, gaz) if state is not None else None
    if state is not None and (
        kind not in lexicon()["foreign_base_kinds"]
        or home is not None and country_of(place, gaz) == home
    ):
        return None  # "Syria's main airport in Damascus", "Turkey's border crossing": whose
        # country, not who holds it; a state holds its air base abroad
    owner = gaz.as_actor(owner)
    if place.is_facility:  # the cue read "air base at X" as the facility already
        return Found(noun, "ControlState", place, owner, None, gaz.side_of(owner))
    words = [t.text for t in noun.subtree if t.i <= noun.i and t.dep_ == "compound"]
    facility = gaz.facility(" ".join([place.label, *words, noun.text]), kind, place.label)
    return Found(noun, "ControlState", facility, owner, None, gaz.side_of(owner))
