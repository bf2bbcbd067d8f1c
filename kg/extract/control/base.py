"""What a control shape finds (``Found``), how a gain becomes one, and the checks every
finding goes through: forces named for their country ("government forces" in Iraq), a
holder's denial, one claim where two shapes read the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from kg.extract.attribution import child
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import (
    ItemContext,
    actor_of,
    antecedent,
    called_so,
    place_of,
    places_of,
    proper_place,
)
from kg.extract.syntax import prep_object


@dataclass
class Found:
    trigger: Token
    event: str
    place: Entity | None
    agent: Entity | None
    target: Entity | None
    controller: Entity | None
    others: list[Entity] = field(default_factory=list)  # the other places of a list
    denial: bool = False  # a state a denier asserts against a reported change


FIGHTING_TYPES = frozenset({"ArmedGroup", "Government", "State"})  # who takes and holds places
HOLDER_TYPES = {"ArmedGroup", "Government", "State", "Country", "Actor", "Organisation"}


def gain_found(
    trigger: Token,
    agent_t,
    place_t,
    target_t,
    ctx: ItemContext,
    gaz: Gazetteer,
    event: str = "ControlChange",
    sure: bool = False,
) -> Found | None:
    """``sure``: the wording makes ``place_t`` a place, whatever NER guessed."""
    if place_t is not None and place_t.lower_ in ("which", "that"):
        place_t = antecedent(place_t)
    if place_t is not None and place_t.dep_ == "pobj" and place_t.head.lower_ == "of" and (
        place_t.head.head.lemma_.lower() in lexicon()["partial_words"]
    ):
        place_t = place_t.head.head  # "parts of Aleppo which rebels stormed": the parts
    if place_t is not None and place_t.lemma_.lower() in lexicon()["partial_words"] and not (
        (named := ctx.at(place_t)) is not None and named.is_place
    ):
        return None  # "controls most of Idlib province": not the whole place ("the eastern
        # parts of Aleppo" are that part of the city)
    # "took X from the SDF": what is taken from a force is a place, whatever NER guessed
    agent = actor_of(agent_t, ctx)
    certain = (sure or target_t is not None and actor_of(target_t, ctx) is not None
               or lone_name_taken(place_t, agent))
    places = [p for p in places_of(place_t, ctx, certain=certain) if p.type != "Country"]
    if not places and place_t is not None:
        places = listed_next(place_t, ctx) or (
            included_places(trigger, ctx) if counted(place_t).tag_ == "NNS" else [])
    if not places:
        return None
    controller = gaz.side_of(agent)
    return Found(
        trigger, event, places[0], agent, actor_of(target_t, ctx), controller, places[1:]
    )


def counted(noun: Token) -> Token:
    """What a quantity noun counts ('a string of towns': towns), else the noun itself."""
    if noun.lemma_.lower() in lexicon()["quantity_nouns"]:
        return prep_object(noun, "of") or noun
    return noun


def included_places(head: Token, ctx: ItemContext) -> list[Entity]:
    """'seized a string of towns, including A, B and C': the places an 'including' phrase
    under the word names."""
    found = []
    for t in head.subtree:
        if t.lower_ in lexicon()["including_words"] and t.dep_ == "prep":
            for obj in (c for c in t.children if c.dep_ == "pobj"):
                for o in (obj, *obj.conjuncts):
                    place = place_of(o, ctx)
                    if place is not None and place.type != "Country":
                        found.append(place)
    return found


def listed_next(noun: Token, ctx: ItemContext) -> list[Entity]:
    """'rebels seized 14 villages in four days. The gains include the towns of A and B',
    '... Among the villages are A and B': the settlements a plural that names none stands for
    are those the next sentence lists with a settlement word."""
    kinds = ("village", "town", "city")
    noun = counted(noun)  # "a number of villages"
    if noun.tag_ != "NNS" or noun.lemma_.lower() not in kinds or prep_object(noun, "of"):
        return []
    doc = noun.doc
    if noun.sent.end >= len(doc):
        return []
    following = doc[noun.sent.end].sent
    among = following[0].lower_ == "among" and any(
        t.lemma_.lower() in kinds for t in following[1:4])
    found: list[Entity] = []
    for m in list(ctx.mentions):
        if not following.start <= m.start < following.end:
            continue
        entity = m.entity
        if among and not entity.is_place and not entity.known:
            entity = proper_place(doc[m.end - 1], ctx, certain=True) or entity  # what NER
            # took for a person is a place when the sentence lists the villages
        if not entity.is_place or entity.type in ("Country", "Province") or entity in found:
            continue
        if among or any(called_so(m, k, doc) for k in kinds) or m.start in ctx.lists:
            found.extend(e for e in ctx.lists.get(m.start, [entity]) if e not in found)
    return found


def lone_name_taken(place_t: Token | None, agent: Entity | None) -> bool:
    """'rebels took Qarnabit on Tuesday': a lone name an armed party takes is a place, though
    NER took it for a person (people are named whole, 'commander Abu Omar al-Shishani')."""
    return (place_t is not None and place_t.pos_ == "PROPN" and place_t.n_lefts == 0
            and place_t.n_rights == 0 and agent is not None
            and agent.type in ("ArmedGroup", "Government"))


def localised(f: Found, gaz: Gazetteer) -> Found:
    """'government forces' and 'the army' in Iraq are Iraq's: the words name the forces of
    the country the place is in (kg/data/lexicon.json "local_forces")."""
    country = country_of(f.place, gaz) if f.place is not None else None
    for forces in lexicon()["local_forces"].get(country or "", []):
        if f.agent is not None and f.agent.key in forces["instead_of"]:
            agent = gaz.get(forces["forces"])
            controller = gaz.side_of(agent) if f.controller is not None else None
            return Found(f.trigger, f.event, f.place, agent, f.target, controller, f.others)
    return f


def country_of(place: Entity, gaz: Gazetteer) -> str | None:
    """The ISO code of the country a place is in (GeoNames', else up its part_of chain)."""
    seen = 0
    entity: Entity | None = place
    while entity is not None and seen < 5:
        if entity.country:
            return entity.country
        if entity.type == "Country":
            return lexicon()["country_codes"].get(entity.key)
        entity = gaz.get(entity.part_of) if entity.part_of else None
        seen += 1
    return None


def same_finding(a: Found, b: Found) -> bool:
    def key(f: Found) -> tuple:
        return (f.event, f.place.key if f.place else None,
                f.controller.key if f.controller else None)

    return key(a) == key(b)


def denied(f: Found, ctx: ItemContext) -> Found | None:
    """'ISIS denied losing Tabqa', 'the army denied that rebels had taken X': the denier
    says it still holds the place, a state that stands against the change (the sentence is
    flagged contested, and the contradiction is linked to the claims it disputes)."""
    verb = next((a for a in f.trigger.ancestors if a.pos_ == "VERB"), None)
    if verb is None or verb.lemma_.lower() not in lexicon()["denial_verbs"]:
        return f
    if f.trigger.dep_ not in ("xcomp", "ccomp", "pcomp", "dobj") and f.trigger.head != verb:
        return f
    denier = actor_of(child(verb, "nsubj"), ctx)
    if denier is None or denier.type not in HOLDER_TYPES:
        return None  # a denial by an onlooker says nothing of who holds the place
    holder = ctx.gazetteer.side_of(denier)
    return Found(f.trigger, "ControlState", f.place, denier, None, holder, f.others, True)
