"""Claims from parsed items: control claims by rule, and every other sentence as `other`.

Control claims come from four linguistic shapes, each general:
- a capture verb ("captured", "retook", "liberated", "regained control of", "declared
  victory over X in P", "declared P free of X") whose agent gains the place;
- a driving-out verb ("drove militants from the area") whose agent gains it;
- a loss verb ("withdrew from", "retreated from") whose agent loses it;
- a state ("the ISIS-held town", "is controlled by", "in full control of").
Plans, attempts and modal or negated verbs ("racing to take", "will recapture") are not claims
of control.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.extract.attribution import Attribution, attribute, child
from kg.extract.dates import DateRange, resolve
from kg.extract.events import (
    Event,
    may_recognise,
    merge_events,
    nominal_attacks,
    nominal_diplomacy,
    parse_number,
    recognise,
    statement,
)
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import (
    ItemContext,
    Words,
    actor_of,
    antecedent,
    build_context,
    place_of,
    places_of,
    salient_place,
)
from kg.read.articles import is_heading

EVENT_CLASSES = {  # claim type -> class of the event it is about (control: a change, or a state)
    "control": "ControlChange",
    "attack": "Attack",
    "casualties": "CasualtyReport",
    "statement": "Statement",
    "diplomacy": "DiplomaticAction",
    "movement": "Movement",
    "other": "OtherEvent",
}
UPWARD_DEPS = {"ccomp", "xcomp", "advcl", "pcomp", "pobj", "prep", "dobj", "oprd", "acomp"}


@dataclass
class Claim:
    type: str
    sentence_index: int
    sentence: str
    headline: str | None = None
    event: str = "OtherEvent"  # the ontology class of the event
    date: DateRange | None = None
    place: Entity | None = None
    agent: Entity | None = None
    target: Entity | None = None
    controller: Entity | None = None
    count: int | None = None
    count_qualifier: str | None = None
    victims: str | None = None
    subset: bool = False  # a count that is part of another claim's ("including 20 children")
    claimant: Entity | None = None
    reported_by: list[Entity] = field(default_factory=list)
    hedged: bool = False
    contested: bool = False  # the sentence itself disputes something ("baseless", "denied")
    denial: bool = False  # a holder's denial of a change: dated as the change it denies
    order_in_day: int = 0


# -- dates ----------------------------------------------------------------------------------
def is_future(token: Token) -> bool:
    for t in (token, *token.ancestors):
        if any(c.lemma_ in ("will", "shall") and c.dep_ == "aux" for c in t.children):
            return True
        if t.pos_ == "VERB":
            return False
    return False


def date_mentions(doc: Doc) -> dict[int, DateRange]:
    """Each DATE entity resolved, indexed by all its tokens."""
    published = doc.user_data.get("published")
    pub = dt.date.fromisoformat(published) if published else None
    found: dict[int, DateRange] = {}
    anchor: dt.date | None = None
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        text = ent.text
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if prev is not None and prev.lower_ in ("on", "since", "in", "last"):
            text = f"{prev.text} {text}"
        rng = resolve(text, pub, future=is_future(ent.root)) or span_of(ent, anchor or pub)
        if rng is not None:
            for i in range(ent.start, ent.end):
                found[i] = rng
            if rng.start is not None and rng.start == rng.end:
                anchor = rng.start  # the item's latest dated moment
    return found


def span_of(ent: Span, anchor: dt.date | None) -> DateRange | None:
    """'three days of clashes', 'over two weeks of fighting': a stretch ending at the item's
    latest dated moment (or the publication day)."""
    words = ent.text.lower().split()
    after = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    if anchor is None or len(words) != 2 or after is None or after.lower_ != "of":
        return None
    unit = {"day": 1, "days": 1, "week": 7, "weeks": 7}.get(words[1])
    count = lexicon()["numbers"].get(words[0]) or (int(words[0]) if words[0].isdigit() else None)
    if unit is None or not count:
        return None
    return DateRange(anchor - dt.timedelta(days=count * unit - 1), anchor, ent.text)


def own_date(token: Token, dates: dict[int, DateRange], skip: set[int]) -> DateRange | None:
    """The most precise date in the clause of this token, not in a nested clause or another
    trigger's ('on Sunday' wins over 'this month')."""
    stack, found = [token], []
    while stack:
        t = stack.pop()
        if t.i in dates:
            found.append(dates[t.i])
        for c in t.children:
            if c.dep_ in (
                "ccomp",
                "relcl",
                "conj",
                "parataxis",
                "acl",
                "advcl",
                "xcomp",
            ) and not participle_modifier(c):
                continue
            if c.i in skip and not participle_modifier(c):
                continue
            stack.append(c)
    return min(found, key=span_days) if found else None


def span_days(rng: DateRange) -> int:
    if rng.start is None or rng.end is None:
        return 10**6
    return (rng.end - rng.start).days


def participle_modifier(token: Token) -> bool:
    """'killed in government shelling on Monday': a subjectless -ing form modifying the
    event (often a noun the parser took for a verb) shares its date."""
    return (
        token.tag_ == "VBG"
        and token.dep_ in ("advcl", "acl")
        and not any(c.dep_ in ("nsubj", "nsubjpass", "mark", "aux") for c in token.children)
    )


def date_for(token: Token, dates: dict[int, DateRange], triggers: set[int]) -> DateRange | None:
    """The trigger's own date, else that of the clause governing it (a statement's date is
    when the event was known to have happened); never across 'and'/'but'."""
    t, shift = token, 0
    while True:
        found = own_date(t, dates, triggers - {t.i})
        if found is not None:
            return shifted(found, shift)
        participle = t.dep_ == "acl" and t.tag_ == "VBG"  # "a victory overrunning X"
        if (t.dep_ not in UPWARD_DEPS and not participle) or t.head.i == t.i:
            return None
        shift += offset_days(t)
        t = t.head


def offset_days(clause: Token) -> int:
    """'two days after the government declared victory': the declaration is two days before
    the main clause's date (after -> minus, before -> plus)."""
    mark = next(
        (
            c
            for c in clause.children
            if c.dep_ in ("mark", "prep") and c.lower_ in ("after", "before")
        ),
        None,
    )
    if mark is None:
        return 0
    for c in clause.children:
        unit = {"day": 1, "week": 7}.get(c.lemma_.lower())
        if c.dep_ == "npadvmod" and unit:
            num = next((n for n in c.children if n.dep_ == "nummod"), None)
            count = parse_number(num) if num is not None else 1
            return (count or 0) * unit * (-1 if mark.lower_ == "after" else 1)
    return 0


def shifted(rng: DateRange, days: int) -> DateRange:
    if not days or rng.start is None or rng.end is None:
        return rng
    delta = dt.timedelta(days=days)
    return DateRange(rng.start + delta, rng.end + delta, rng.text, rng.unresolved)


def order_in_day(token: Token) -> int:
    """-1 for an event a sentence places before another ('hours after it was retaken')."""
    for t in (token, *token.ancestors):
        for c in t.children:
            if c.dep_ in ("mark", "prep") and c.lower_ in ("after", "before"):
                if c.i < token.i or c.head.i == token.i:
                    return -1 if c.lower_ == "after" else 1
        if t.lower_ in ("after", "before") and t.dep_ == "prep":
            return -1 if t.lower_ == "after" else 1
    return 0


# -- control -------------------------------------------------------------------------------
def irrealis(token: Token) -> bool:
    """Plans, attempts, modality and negation: 'will recapture', 'racing to take'."""
    lex = lexicon()
    for c in token.children:
        if c.dep_ == "neg" or (c.dep_ == "aux" and c.lemma_.lower() in lex["modal_irrealis"]):
            return True
        if c.dep_ == "mark" and c.lower_ in lex["conditional_marks"]:
            return True  # "if Manbij is captured"
    if token.dep_ == "xcomp" and token.head.lemma_.lower() in lex["irrealis_heads"]:
        return True
    if any(c.tag_ == "TO" for c in token.children):
        # "believed to have retreated" reports a (hedged) fact; "racing to take" does not
        return token.head.lemma_.lower() not in lex["raising_verbs"]
    if token.dep_ == "pcomp" and token.head.lower_ in ("to", "toward", "towards"):
        return True
    return False


def prep_object(token: Token | None, *preps: str) -> Token | None:
    if token is None:
        return None
    for c in token.children:
        if c.dep_ in ("prep", "agent", "dative", "prt") and c.lower_ in preps:
            # "out of the town": the object hangs under "of"
            return child(c, "pobj") or (
                prep_object(c, "of") if c.lower_ in ("out", "outside") else None
            )
    return None


def is_passive(verb: Token) -> bool:
    """'was recaptured by X', or a reduced relative 'the town captured by X'."""
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True
    return (
        verb.tag_ == "VBN"
        and verb.dep_ in ("acl", "relcl")
        and not any(c.dep_ in ("aux", "nsubj") for c in verb.children)
    )


def roles(verb: Token) -> tuple[Token | None, Token | None]:
    """(agent, patient) of a verb, active or passive, relative clause or not."""
    if is_passive(verb):
        agent = prep_object(verb, "by")
        patient = child(verb, "nsubjpass")
    else:
        agent = subject(verb)
        patient = child(verb, "dobj")
    if patient is not None and patient.lower_ in ("which", "that"):
        patient = antecedent(patient)
    elif patient is None and verb.dep_ in ("relcl", "acl"):
        patient = verb.head
    if patient is None and not is_passive(verb):
        patient = object_after(verb)
    if agent is None and verb.dep_ == "acl" and verb.tag_ == "VBG":
        agent = verb.head  # "the government retaking the town"
        if agent.ent_type_ != "KG" and agent.dep_ in ("dobj", "attr") and subject(agent.head):
            agent = subject(agent.head)  # "the group scored a victory overrunning X"
    if agent is None and verb.dep_ in ("acl", "advcl") and any(
        c.dep_ == "aux" and c.lower_ == "having" for c in verb.children
    ):  # "Iraqi forces, having retaken the cities"
        agent = verb.head if verb.dep_ == "acl" else child(verb.head, "nsubj")
        for _ in range(3):  # "Iraqi forces aided by airstrikes having retaken": up to the force
            if agent is None or agent.pos_ in ("NOUN", "PROPN") and agent.ent_type_ == "KG":
                break
            agent = agent.head if agent.head.i != agent.i else None
    if agent is None and verb.dep_ in ("xcomp", "advcl", "conj", "ccomp", "pcomp"):
        agent = child(verb.head, "nsubj") or (
            child(verb.head.head, "nsubj") if verb.head.dep_ == "prep" else None
        )
    if agent is None and verb.dep_ == "ccomp" and verb.head.dep_ in ("xcomp", "ccomp"):
        agent = child(verb.head.head, "nsubj")
    if agent is None and not is_passive(verb) and any(
        c.dep_ == "aux" and c.lower_ == "having" for c in verb.children
    ):
        agent = actor_before(verb)
    return agent, patient


def actor_before(verb: Token) -> Token | None:
    """The nearest named actor before a subjectless participle ('Iraqi forces aided by
    coalition airstrikes having retaken X'), not one that only helps ('by ...')."""
    helpers = {t.i for c in verb.sent if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ ==
               "by") for t in c.subtree}
    for t in reversed(verb.doc[verb.sent.start : verb.i]):
        lead = verb.doc[max(verb.sent.start, t.left_edge.i - 3) : t.left_edge.i]
        if any(w.lower_ == "by" for w in lead):
            continue
        if t.ent_type_ == "KG" and t.i not in helpers and t.pos_ in ("NOUN", "PROPN"):
            return t
    return None


def subject(verb: Token) -> Token | None:
    """The verb's subject; of two (a parse of a sentence whose commas were stripped), the
    one nearest before it."""
    found = [c for c in verb.children if c.dep_ == "nsubj"]
    before = [c for c in found if c.i < verb.i]
    chosen = before or found
    return chosen[-1] if chosen else None


def object_after(verb: Token) -> Token | None:
    """A noun phrase right after a transitive verb the parser gave no object (commas stripped
    from 'They seized the Sahel district, driving out ...' make it a clause's subject)."""
    doc = verb.doc
    for t in doc[verb.i + 1 : min(verb.i + 6, verb.sent.end)]:
        if t.pos_ in ("VERB", "AUX", "ADP", "PUNCT", "SCONJ", "CCONJ", "PRON"):
            return None
        if t.pos_ in ("NOUN", "PROPN") and t.head.i > t.i and t.dep_ in ("compound", "amod"):
            continue
        if t.pos_ in ("NOUN", "PROPN"):
            return t
    return None


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


CONTROL_LEMMA_LISTS = (
    "control_gain",
    "control_gain_phrasal",
    "declare_verbs",
    "control_defeat",
    "control_deprive",
    "control_drive_out",
    "control_loss",
    "control_loss_phrasal",
    "control_state_verbs",
    "control_fall",
    "control_take_verbs",
    "control_keep_verbs",
    "control_state_nouns",
    "stronghold_state_nouns",
    "siege_verbs",
    "party_place_nouns",
    "group_capital_nouns",
    "siege_nouns",
    "control_cede",
    "control_cede_phrasal",
)


# the lemmas control_of's rules test by name: the copula ("X is a stronghold of Y"), the
# noun or verb "control", and the adjective of "declared X free"
COPULA, CONTROL, FREE = "be", "control", "free"


@lru_cache(maxsize=1)
def control_lemmas() -> frozenset[str]:
    """The lemmas a token needs for a rule of control_of to read it (or a '-held' suffix)."""
    lex = lexicon()
    return frozenset(w for key in CONTROL_LEMMA_LISTS for w in lex[key]) | {COPULA, CONTROL, FREE}


CONTROL_POS = ("VERB", "ADJ", "NOUN", "AUX")


def may_control(words: Words, i: int) -> bool:
    """control_of's first test, on the item's word lists: a word no rule of control_of reads
    (most words of a text) is passed over without a Token or the irrealis test's walk."""
    return words.pos[i] in CONTROL_POS and (
        words.lemma[i] in control_lemmas() or words.lower[i] in lexicon()["held_suffixes"]
    )


def is_capture_noun(words: Words, i: int) -> bool:
    """'the capture of X', 'the fall of X': nominal_capture's word."""
    return words.pos[i] == "NOUN" and words.lemma[i] in lexicon()["nominal_capture"]


def control_of(token: Token, ctx: ItemContext) -> Found | None:
    if not may_control(ctx.words, token.i):
        return None
    lex, lemma = lexicon(), token.lemma_.lower()
    if irrealis(token):
        return None
    gaz = ctx.gazetteer
    if token.pos_ == "VERB" and (
        lemma in lex["control_gain"] or phrasal(token, "control_gain_phrasal")
    ):
        return gain(token, ctx, gaz)
    if lemma in lex["declare_verbs"] and token.pos_ == "VERB":
        victory = next(
            (
                c
                for c in token.children
                if c.dep_ == "dobj" and c.lemma_.lower() in lex["victory_nouns"]
            ),
            None,
        )
        return gain(token, ctx, gaz) if victory is not None else None
    if token.pos_ == "VERB" and lemma in lex["control_defeat"] and is_passive(token):
        # "ISIS was defeated (there) (by regime forces)": it lost the place, to the victor
        loser = actor_of(child(token, "nsubjpass"), ctx) if child(token, "nsubjpass") else None
        if loser is None and token.dep_ in ("pcomp", "advcl", "xcomp"):
            # "militants entered X for the first time since being defeated there"
            clause = next((a for a in token.ancestors if child(a, "nsubj") is not None), None)
            loser = actor_of(child(clause, "nsubj"), ctx) if clause is not None else None
        there = next((c for c in token.children if c.lower_ in ("there", "here")), None)
        place = (place_of(there, ctx) if there is not None else None) or (
            ctx.last_place or salient_place(token, ctx, True)
        )
        victor = actor_of(prep_object(token, "by"), ctx)
        if loser is not None and place is not None:
            return Found(token, "ControlChange", place, victor, loser, gaz.side_of(victor))
    if token.pos_ == "VERB" and lemma in lex["control_deprive"]:
        return deprive(token, ctx)
    if token.pos_ == "VERB" and lemma in lex["control_fall"]:
        return fall_to(token, ctx, gaz)
    if token.pos_ == "VERB" and (
        lemma in lex["control_cede"] or phrasal(token, "control_cede_phrasal")
    ):
        return cede(token, ctx, gaz)
    if token.pos_ in ("VERB", "AUX") and (
        lemma in lex["control_take_verbs"] or lemma in lex["control_keep_verbs"]
    ):
        found = control_object(token, ctx, gaz)
        if found is not None:
            return found
    if token.pos_ == "NOUN" and lemma in lex["stronghold_state_nouns"]:
        return stronghold_noun(token, ctx, gaz)
    if token.pos_ == "VERB" and lemma in lex["siege_verbs"]:
        return besieged(token, ctx, gaz)
    if token.pos_ == "NOUN" and lemma in lex["siege_nouns"]:
        return siege_noun(token, ctx, gaz)
    if token.pos_ == "NOUN" and lemma in lex["group_capital_nouns"] and group_capital(token, ctx):
        return stronghold_noun(token, ctx, gaz)  # "the group's de facto capital Raqqa"
    if token.pos_ == "NOUN" and lemma in lex["control_state_nouns"]:
        return controlled(token, ctx, gaz)
    if token.pos_ in ("NOUN", "PROPN") and lemma in lex["party_place_nouns"]:
        return party_place(token, ctx, gaz)
    if token.pos_ == "AUX" and lemma == COPULA:
        return stronghold_of(token, ctx, gaz)
    if token.pos_ == "VERB" and lemma in lex["control_drive_out"]:
        return drive_out(token, ctx, gaz)
    if token.pos_ == "VERB" and (
        lemma in lex["control_loss"] or phrasal(token, "control_loss_phrasal")
    ):
        return loss(token, ctx)
    if token.lower_ in lex["held_suffixes"] and token.i >= 2 and token.nbor(-1).text == "-":
        return held(token, ctx, gaz)
    if lemma in lex["control_state_verbs"] or lemma == CONTROL:
        return controlled(token, ctx, gaz)
    if lemma == FREE and token.pos_ == "ADJ" and token.head.lemma_.lower() in lex["declare_verbs"]:
        declare = token.head
        return gain_found(
            token,
            child(declare, "nsubj"),
            child(declare, "dobj") or child(token, "nsubj"),
            prep_object(token, "of"),
            ctx,
            gaz,
        )
    return None


def phrasal(token: Token, key: str) -> bool:
    particles = lexicon()[key].get(token.lemma_.lower(), [])
    return any(c.dep_ == "prt" and c.lower_ in particles for c in token.children)


def gain_found(
    trigger: Token,
    agent_t,
    place_t,
    target_t,
    ctx: ItemContext,
    gaz: Gazetteer,
    event: str = "ControlChange",
) -> Found | None:
    if place_t is not None and place_t.lemma_.lower() in lexicon()["partial_words"]:
        return None  # "controls most of Idlib province": not the whole place
    places = [p for p in places_of(place_t, ctx) if p.type != "Country"]
    if not places:
        return None
    agent = actor_of(agent_t, ctx)
    controller = gaz.side_of(agent)
    return Found(
        trigger, event, places[0], agent, actor_of(target_t, ctx), controller, places[1:]
    )


def gain(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    agent, patient = roles(verb)
    if patient is not None and patient.lemma_.lower() in ("control", "victory"):
        place_t = prep_object(patient, "of", "over", "in") or prep_object(verb, "in", "of")
        target_t = prep_object(patient, "over") if patient.lemma_ == "victory" else None
        if patient.lemma_ == "victory":
            place_t = prep_object(patient, "in") or prep_object(verb, "in")
            if place_t is None and ctx.last_place is not None:
                # "declared victory over the group": over the place the item is about
                return focus_found(verb, agent, target_t, ctx, gaz)
        return gain_found(verb, agent, place_t, target_t or prep_object(verb, "from"), ctx, gaz)
    source = prep_object(verb, "from")
    if patient is None and source is not None:
        patient = child(source, "appos")  # "liberated from ISIS the city of X"
    return gain_found(verb, agent, patient, source, ctx, gaz)


def focus_found(verb: Token, agent_t, target_t, ctx: ItemContext, gaz: Gazetteer) -> Found:
    agent = actor_of(agent_t, ctx)
    return Found(
        verb, "ControlChange", ctx.last_place, agent, actor_of(target_t, ctx), gaz.side_of(agent)
    )


def deprive(verb: Token, ctx: ItemContext) -> Found | None:
    """'strips ISIS of its last stronghold': the object loses the place."""
    place = place_of(prep_object(verb, "of"), ctx)
    if place is None or place.type == "Country":
        return None
    return Found(verb, "ControlChange", place, None, actor_of(child(verb, "dobj"), ctx), None)


def nominal_capture(
    noun: Token, ctx: ItemContext, gaz: Gazetteer, prior: dict[str, Entity]
) -> Found | None:
    """'the capture of X', 'the recapture of X (by Y)': a change that refers back to one
    already reported, so without an agent it takes the controller the article gave X."""
    place = place_of(prep_object(noun, "of"), ctx)
    if place is None or place.type == "Country":
        return None
    gainer = actor_of(prep_object(noun, "to"), ctx)  # "the fall of X to Y", "loss of X to Y"
    if gainer is None and noun.lemma_.lower() in lexicon()["nominal_loss"]:
        return None  # "its loss of X": who gained it is not said
    agent = (
        gainer
        or actor_of(prep_object(noun, "by"), ctx)
        or actor_of(child(noun, "poss"), ctx)
    )
    controller = gaz.side_of(agent) if agent is not None else prior.get(place.key)
    return Found(noun, "ControlChange", place, agent, None, controller)


def drive_out(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    agent, patient = roles(verb)
    place_t = prep_object(verb, "from", "out") or prep_object(patient, "in", "from")
    if place_t is None and verb.lemma_.lower() == "eliminate" and patient is not None:
        place_t = prep_object(patient, "in")
    if place_t is None:
        return None
    return gain_found(verb, agent, place_t, patient, ctx, gaz)


def loss(verb: Token, ctx: ItemContext) -> Found | None:
    agent_t = child(verb, "nsubj")
    place_t = prep_object(verb, "from") or child(verb, "dobj")
    if is_passive(verb):  # "X was lost to Y"
        agent_t, place_t = None, child(verb, "nsubjpass") or place_t
    gainer_t = prep_object(verb, "to")
    if gainer_t is not None and actor_of(gainer_t, ctx) is not None:
        # "lost X to Y", "which it had lost in March to Y": Y gains it
        return gain_found(verb, gainer_t, place_t, agent_t, ctx, ctx.gazetteer)
    place = place_of(place_t, ctx)
    if place is None and place_t is not None:
        # "lost most of its territory, including Mosul and Raqqa": the first named; the
        # others follow through losses_including()
        named = included_places(verb, ctx)
        place = named[0] if named else None
    if place is None or place.type == "Country":
        return None
    agent = actor_of(agent_t, ctx)
    return Found(verb, "ControlChange", place, agent, None, None)


def included_places(head: Token, ctx: ItemContext) -> list[Entity]:
    found = []
    for t in head.subtree:
        if t.lower_ == "including" and t.dep_ == "prep":
            for obj in (c for c in t.children if c.dep_ == "pobj"):
                for o in (obj, *obj.conjuncts):
                    place = place_of(o, ctx)
                    if place is not None and place.type != "Country":
                        found.append(place)
    return found


def held(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the ISIS-held town of X', 'rebel-held Idlib'."""
    holder_t = token.nbor(-2)
    holder = holder_word(holder_t, ctx)
    noun = token.head if token.head.pos_ in ("NOUN", "PROPN") else None
    if holder is None or noun is None:
        return None
    lemma = noun.lemma_.lower()
    area = lemma in lexicon()["area_nouns"]
    if (
        lemma not in lexicon()["settlement_nouns"] + ["province", "region", "governorate"]
        and ctx.at(noun) is None
        and not area
    ):
        return None  # "a government-held base": a facility, not the place around it
    places = [p for p in places_of(noun, ctx, settlement_only=False) if p.type != "Country"]
    if area and not named_in(noun, places, ctx):
        return None  # "IS-held areas including the towns of A and B" names them; else none
    if not places or changed_by(noun):
        return None
    return Found(token, "ControlState", places[0], holder, None, gaz.side_of(holder),
                 places[1:])


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


def controlled(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'P is controlled by X' and 'X is in (full) control of P'."""
    if token.pos_ == "VERB":
        agent_t, patient_t = roles(token)
        if (
            child(token, "nsubjpass") is None
            and token.dep_ not in ("acl", "relcl")
            and child(token, "dobj") is None
        ):
            return None
        # "the territory it once held": only a named or settlement place is a state claim
        agent = actor_of(agent_t, ctx)
        places = [p for p in places_of(patient_t, ctx) if p.type != "Country"]
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
                held_t = child(prep.head, "nsubj", "nsubjpass", "dobj") or (
                    prep.head.head if prep.head.dep_ in ("acl", "relcl", "xcomp") else None
                )
            places = [p for p in places_of(held_t, ctx, settlement_only=False)
                      if p.type != "Country"]
            if not places or agent is None:
                return None
            return Found(token, "ControlState", places[0], agent, None, gaz.side_of(agent),
                         places[1:])
    if place is None or agent is None or place.type == "Country":
        return None
    return Found(token, "ControlState", place, agent, None, gaz.side_of(agent))


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
    return any(ctx.at(t) in places for t in near if ctx.at(t) is not None)


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


def holder_word(token: Token, ctx: ItemContext) -> Entity | None:
    """The party a modifier names: 'ISIS-held', 'rebel-held', and the people's words that
    stand for their forces ('Kurdish-held', 'Kurd-held': "Kurdish forces")."""
    found = ctx.at(token) or actor_of(token, ctx)
    if found is not None and found.known and found.is_actor:
        return ctx.gazetteer.as_actor(found)
    for word in (token.text, token.lemma_, token.text + "s"):
        for suffix in lexicon()["holder_suffixes"]:
            named = ctx.gazetteer.lookup(f"{word} {suffix}".strip())
            if named is not None and named.is_actor and named.type != "Country":
                return named
    return found if found is not None and found.is_actor else None


def fall_to(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'X fell to Y', 'X fell into the hands of Y', 'after the town fell to IS'."""
    gainer_t = prep_object(verb, "to", "into")
    if gainer_t is not None and gainer_t.lemma_.lower() == "hand":
        gainer_t = prep_object(gainer_t, "of") or child(gainer_t, "poss")
    if gainer_t is None:
        return None
    place_t = subject(verb)
    if place_t is None and verb.dep_ in ("relcl", "acl"):
        place_t = verb.head
    return gain_found(verb, gainer_t, place_t, None, ctx, gaz)


def besieged(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the SDF besieged Manbij', 'X was surrounded by the army', 'encircling IS in the town
    of X': a siege changes no control; the besieged still hold the place (the party the
    sentence names inside it, else the besieger's opponent: kg/data/lexicon.json
    "besieged_side")."""
    if is_passive(verb) and verb.dep_ == "amod":
        return None  # "the besieged town": told by siege_noun's kin, the party of the place
    besieger_t, place_t = roles(verb)
    inside = actor_of(place_t, ctx) if place_t is not None else None
    if inside is not None:  # "encircling IS in the town of Manbij"
        place_t = prep_object(verb, "in") or prep_object(place_t, "in")
    return siege_found(verb, besieger_t, place_t, inside, ctx, gaz)


def siege_noun(noun: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'the siege of X by Y', "a government siege of X", 'X is under siege by the army',
    'the siege by regime forces on X'."""
    besieger_t = prep_object(noun, "by") or child(noun, "poss", "compound", "amod", "nmod")
    place_t = prep_object(noun, "of", "on")
    if place_t is not None and actor_of(place_t, ctx) is not None:
        besieger_t, place_t = place_t, prep_object(noun, "on")  # "under the siege of the army"
    if place_t is None and noun.head.lower_ == "under" and noun.head.dep_ == "prep":
        held_t = noun.head.head
        place_t = held_t if held_t.pos_ in ("NOUN", "PROPN") else subject(held_t) or child(
            held_t, "nsubjpass")
    return siege_found(noun, besieger_t, place_t, None, ctx, gaz)


def siege_found(
    trigger: Token, besieger_t, place_t, inside: Entity | None, ctx: ItemContext, gaz: Gazetteer
) -> Found | None:
    places = [p for p in places_of(place_t, ctx) if p.type != "Country"]
    if not places:
        return None
    holder = inside
    if holder is None:
        besieger = holder_word(besieger_t, ctx) if besieger_t is not None else None
        side = gaz.side_of(besieger) if besieger is not None else None
        opponent = lexicon()["besieged_side"].get(side.key if side else "")
        holder = gaz.get(opponent) if opponent else None
    if holder is None:
        return None
    return Found(trigger, "ControlState", places[0], holder, None, gaz.side_of(holder), places[1:])


def cede(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'rebels handed over the town of X to government forces', 'ceded X to Y': Y gains X
    from the subject."""
    gainer_t = prep_object(verb, "to")
    if gainer_t is None or actor_of(gainer_t, ctx) is None:
        return None
    giver_t, place_t = roles(verb)
    return gain_found(verb, gainer_t, place_t, giver_t, ctx, gaz)


def control_object(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'established full control of X' (a change), 'had full control of X' (a state)."""
    control = child(verb, "dobj")
    if control is None or control.lemma_.lower() != CONTROL:
        return None
    agent_t, _ = roles(verb)
    place_t = prep_object(control, "of", "over", "in") or prep_object(verb, "over", "of", "in")
    keeps = verb.lemma_.lower() in lexicon()["control_keep_verbs"]
    found = gain_found(verb, agent_t, place_t, None, ctx, gaz)
    if found is not None and keeps:
        found.event = "ControlState"
    return found


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
    for c in noun.children:
        named = ctx.at(c)
        if c.ent_type_ == "NORP" or c.lower_ in ("syrian", "iraqi"):
            continue  # "its main Iraqi bastion": where, not whose
        if c.dep_ in ("poss", "compound", "amod", "nmod") and named is None or (
            c.dep_ in ("poss", "compound", "amod", "nmod") and named is not None
            and named.is_actor
        ):
            holder = holder or actor_of(c, ctx) or backed_side(c, ctx)
    if holder is None and of is not None and place_mention(of, ctx) is None:
        holder = actor_of(of, ctx)
    place_t = None
    if of is not None and place_mention(of, ctx) is not None:
        place_t = of
    else:
        inside = [c for c in noun.children if c.dep_ in ("compound", "appos", "nmod")
                  and place_mention(c, ctx) is not None]
        appos = child(noun, "appos")
        if inside:
            place_t = inside[0]
        elif appos is not None:
            place_t = appos
        elif noun.dep_ == "appos" and noun.head.pos_ in ("PROPN", "NOUN"):
            place_t = noun.head
        elif noun.dep_ == "attr":
            place_t = child(noun.head, "nsubj")
    if holder is None or place_t is None or holder.type not in HOLDER_TYPES:
        return None
    places = [p for p in places_of(place_t, ctx, settlement_only=False, certain=True)
              if p.type != "Country"]
    if not places:
        return None
    return Found(noun, "ControlState", places[0], holder, None, gaz.side_of(holder), places[1:])


HOLDER_TYPES = {"ArmedGroup", "Government", "State", "Country", "Actor", "Organisation"}


def group_capital(noun: Token, ctx: ItemContext) -> bool:
    """Is this 'capital' an armed group's ('IS's de facto capital'), not a country's?"""
    for c in noun.children:
        if c.dep_ in ("poss", "compound", "nmod"):
            found = actor_of(c, ctx)
            if found is not None and found.type == "ArmedGroup":
                return True
    return False


def place_mention(token: Token | None, ctx: ItemContext) -> Entity | None:
    found = ctx.at(token) if token is not None else None
    return found if found is not None and found.is_place else None


def backed_side(token: Token, ctx: ItemContext) -> Entity | None:
    """'Turkey-backed', 'US-backed': the word names whom the holder is backed by; the holder
    is a generic force of that kind, looked up whole ('Turkish-backed rebels')."""
    text = " ".join(t.text for t in token.subtree)
    return ctx.gazetteer.lookup(text + " rebels") if "backed" in text.lower() else None


def changed_by(token: Token) -> bool:
    """Is this noun phrase what a realised change of control is about ('captured the IS
    stronghold of X', 'the town was seized')?"""
    lex = lexicon()
    changes = set(lex["control_gain"]) | set(lex["control_drive_out"]) | set(lex["control_loss"])
    for t in token.ancestors:
        if t.pos_ == "VERB":
            return t.lemma_.lower() in changes and not irrealis(t)
    return False


# -- assembling ----------------------------------------------------------------------------
def sentence_claims(
    sent: Span,
    index: int,
    ctx: ItemContext,
    dates: dict[int, DateRange],
    publisher: Entity | None,
    relay: Entity | None = None,
) -> list[Claim]:
    attribution = attribute(sent, ctx)
    # headlines are title case, which defeats the tagger; they are kept as `other` claims
    headline = (sent.start == 0 and bool(ctx.doc.user_data.get("headline"))) or is_subhead(sent)
    found, events = ([], []) if headline else read_triggers(sent, ctx, attribution)
    found = [g for f in found if (g := denied(f, ctx)) is not None]
    triggers = {f.trigger.i for f in found} | {e.trigger.i for e in events} | attribution.verbs
    claims = [control_claim(f, sent, index, attribution, dates, triggers) for f in found]
    claims += [event_claim(e, sent, index, dates, triggers) for e in events]
    taken = triggers - attribution.verbs
    speech = (
        None if headline else statement(sent, ctx, attribution.claimant, attribution.verbs, taken)
    )
    if speech is not None and speech.trigger.i not in {e.trigger.i for e in events}:
        claims.append(event_claim(speech, sent, index, dates, triggers))
    if not claims:
        claims = [other_claim(sent, index, ctx, dates)]
    disputed = disputes(sent, ctx.words)
    for claim in claims:
        finish(claim, ctx, attribution, publisher, relay)
        claim.contested = disputed
    remember(sent, ctx, found, attribution)
    return claims


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
    if denier is None or denier.type not in ("ArmedGroup", "Government", "State", "Country"):
        return None  # a denial by an onlooker says nothing of who holds the place
    holder = ctx.gazetteer.side_of(denier)
    return Found(f.trigger, "ControlState", f.place, denier, None, holder, f.others, True)


def disputes(sent: Span, words: Words) -> bool:
    """'rejected the accusation as baseless', 'denied', 'contradicting a statement': the
    sentence contests another claim."""
    cues = lexicon()["dispute_cues"]
    return any(
        words.lower[i] in cues or words.lemma[i] in cues
        for i in range(sent.start, sent.end)
        if words.pos[i] in ("VERB", "ADJ")
        and words.dep[i] != "amod"
        or words.lower[i] in ("baseless", "unfounded")
    )


def is_subhead(sent: Span) -> bool:
    """A section heading inside an item ('Fighting across the border'): short, unpunctuated,
    a paragraph of its own."""
    text = sent.text.strip()
    starts = sent.start == 0 or "\n" in sent.doc[sent.start - 1].text
    ends = (
        sent.end == len(sent.doc)
        or "\n" in sent.doc[sent.end - 1].text
        or (sent.end < len(sent.doc) and "\n" in sent.doc[sent.end].text)
    )
    return starts and ends and is_heading(text)  # the reader's own test of a heading


def read_triggers(
    sent: Span, ctx: ItemContext, attribution: Attribution
) -> tuple[list[Found], list[Event]]:
    """Control claims and other events of a sentence, one per event mentioned."""
    found: list[Found] = []
    events: list[Event] = []
    words, doc = ctx.words, sent.doc
    for i in range(sent.start, sent.end):
        if i in attribution.verbs:
            continue
        control, capture, event = (
            may_control(words, i),
            is_capture_noun(words, i),
            may_recognise(words, i),
        )
        if not control and not capture and not event:
            continue  # no rule below reads this word (most words of a text)
        token = doc[i]
        f = control_of(token, ctx) if control else None
        if f is None and capture:
            f = nominal_capture(token, ctx, ctx.gazetteer, ctx.controllers)
        if f is not None:
            f = localised(f, ctx.gazetteer)
        if f is not None and any(same_finding(f, g) for g in found):
            continue  # "the rebel-held town": read by two rules, one claim
        if f is not None:
            found.append(f)
            more = {p.key: p for p in f.others + included_places(f.trigger, ctx)}
            more.pop(f.place.key if f.place else "", None)
            found += [
                Found(f.trigger, f.event, p, f.agent, f.target, f.controller)
                for p in more.values()
            ]
            ctx.last_place = f.place or ctx.last_place  # "... after it was retaken": same place
            if f.place is not None and f.controller is not None and f.event == "ControlChange":
                ctx.controllers[f.place.key] = f.controller
        elif event:
            events.extend(recognise(token, ctx))
    # an attack noun under a change of control or a killing is how it happened
    anchors = {f.trigger.i: f.place for f in found} | {
        e.trigger.i: e.place for e in events if e.type == "casualties"
    }
    nominal = nominal_attacks(sent, ctx, events, anchors) + nominal_diplomacy(sent, ctx, events)
    return found, merge_events(events + nominal)


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


def event_claim(
    e: Event, sent: Span, index: int, dates: dict[int, DateRange], triggers: set[int]
) -> Claim:
    return Claim(
        type=e.type,
        sentence_index=index,
        sentence=sent.text.strip(),
        event=EVENT_CLASSES[e.type],
        date=date_for(e.trigger, dates, triggers),
        place=e.place,
        agent=e.agent,
        target=e.target,
        count=e.count,
        count_qualifier=e.count_qualifier,
        victims=e.victims,
        subset=e.subset,
        order_in_day=order_in_day(e.trigger),
    )


def control_claim(
    f: Found,
    sent: Span,
    index: int,
    attribution: Attribution,
    dates: dict[int, DateRange],
    triggers: set[int],
) -> Claim:
    date = date_for(f.trigger, dates, triggers)
    if date is None and f.event == "ControlState":
        # a state named in a sentence about a dated event holds on that event's day too
        date = sentence_day(sent, dates) or publication_range(sent.doc)
    elif date is None and not backstory(f.trigger, sent):
        # a change told without a date: on the day the item last named (its lead's "said on
        # Tuesday"), else by the time it was reported
        date = item_day(sent, dates) or publication_range(sent.doc)
    order = order_in_day(f.trigger)
    return Claim(
        denial=f.denial,
        type="control",
        sentence_index=index,
        sentence=sent.text.strip(),
        event=f.event,
        date=date,
        place=f.place,
        agent=f.agent,
        target=f.target,
        controller=f.controller,
        order_in_day=order,
    )


def item_day(sent: Span, dates: dict[int, DateRange], within: int = 7) -> DateRange | None:
    """The single day the item named last before this sentence, if it lies in the week
    before publication."""
    published = sent.doc.user_data.get("published")
    if not published:
        return None
    pub = dt.date.fromisoformat(published)
    doc = sent.doc
    for i in range(sent.start - 1, -1, -1):
        rng = dates.get(i)
        if rng is None or rng.start is None or rng.start != rng.end or not says_when(doc[i]):
            continue
        return rng if pub - dt.timedelta(days=within) <= rng.start <= pub else None
    return None


def says_when(token: Token) -> bool:
    """Does this date tell when something was said ('a monitor said on Tuesday', 'the army
    announced on Sunday')?"""
    verb = next((a for a in token.ancestors if a.pos_ in ("VERB", "AUX")), None)
    return verb is not None and verb.lemma_.lower() in lexicon()["reporting_verbs"]


def backstory(trigger: Token, sent: Span) -> bool:
    """A change a sentence tells as background, not news of the day: a noun referring back
    ('the capture of the town'), the past perfect anywhere in the sentence ('had declared
    victory ... but a counterattack saw'), or 'earlier', 'previously', 'once'."""
    if trigger.pos_ == "NOUN":
        return True
    return any(
        (t.dep_ in ("aux", "auxpass") and t.lower_ == "had" and not reported(t.head))
        or (t.lower_ in lexicon()["backstory_adverbs"] and not t.ent_type_ == "DATE"
            and not (t.i + 1 < len(t.doc) and t.doc[t.i + 1].ent_type_ == "DATE"))
        for t in sent
    )  # "earlier on Wednesday" is today's news


def reported(verb: Token) -> bool:
    """'The army said villages had been retaken': the past perfect of reported speech tells
    the news itself."""
    return verb.dep_ == "ccomp" and verb.head.lemma_.lower() in lexicon()["reporting_verbs"]


def sentence_day(sent: Span, dates: dict[int, DateRange]) -> DateRange | None:
    """The one day a sentence names, if it names exactly one (and not after publication)."""
    published = sent.doc.user_data.get("published")
    days = {
        rng
        for i in range(sent.start, sent.end)
        if (rng := dates.get(i)) is not None and rng.start is not None and rng.start == rng.end
    }
    if len({d.start for d in days}) != 1:
        return None
    day = next(iter(days))
    if published and day.start and day.start > dt.date.fromisoformat(published):
        return None
    return day


def publication_range(doc: Doc) -> DateRange | None:
    """A state with no date of its own holds when the article was written."""
    published = doc.user_data.get("published")
    if not published:
        return None
    day = dt.date.fromisoformat(published)
    return DateRange(day, day, "(publication date)")


def other_claim(sent: Span, index: int, ctx: ItemContext, dates: dict[int, DateRange]) -> Claim:
    root = sent.root
    date = date_for(root, dates, set()) or next((dates[t.i] for t in sent if t.i in dates), None)
    place = next(
        (m.entity for m in ctx.mentions if sent.start <= m.start < sent.end and m.entity.is_place),
        None,
    )
    agent = actor_of(child(root, "nsubj"), ctx)
    return Claim(
        type="other",
        sentence_index=index,
        sentence=sent.text.strip(),
        date=date,
        place=place,
        agent=agent,
    )


def finish(
    claim: Claim,
    ctx: ItemContext,
    attribution: Attribution,
    publisher: Entity | None,
    relay: Entity | None = None,
) -> None:
    claim.headline = ctx.doc.user_data.get("headline")
    claim.reported_by = list(attribution.chain)
    if relay is not None and relay.key not in {e.key for e in claim.reported_by}:
        claim.reported_by.insert(0, relay)  # the wire the publisher carries it from
    claim.claimant = attribution.claimant or relay or publisher
    claim.hedged = attribution.hedged


def remember(sent: Span, ctx: ItemContext, found: list[Found], attribution: Attribution) -> None:
    """Carry the item's focus forward: the last place spoken of, the last speaker."""
    places = [f.place for f in found if f.place]
    if places:
        ctx.last_place = places[-1]
    if attribution.chain:
        ctx.last_speaker = attribution.chain[-1]


def item_claims(
    doc: Doc,
    gazetteer: Gazetteer,
    stem: str,
    first_index: int,
    publisher: Entity | None,
    article_places: Counter | None = None,
    relay: Entity | None = None,
) -> list[Claim]:
    """All claims of one item, sentence by sentence, numbered from ``first_index``."""
    ctx = build_context(doc, gazetteer, stem)
    ctx.article_places = article_places or Counter()
    dates = date_mentions(doc)
    claims: list[Claim] = []
    index = first_index
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        claims.extend(sentence_claims(sent, index, ctx, dates, publisher, relay))
        index += 1
    date_denials(claims)
    return claims


def date_denials(claims: list[Claim]) -> None:
    """A denial stands against the change it denies: it takes that change's date, so the
    two compete on one day instead of the denial superseding the change."""
    for i, claim in enumerate(claims):
        if not claim.denial or claim.place is None:
            continue
        earlier = [c for c in claims[:i] if c.type == "control" and c.event == "ControlChange"
                   and c.place is not None and c.place.key == claim.place.key and c.date]
        if earlier:
            claim.date = earlier[-1].date
