"""Claims beyond control: casualties, attacks, diplomacy, movements and statements.

Each recogniser reads a trigger token (a verb, or for attacks an event noun heading a clause's
subject or object) and fills the roles from the parse: the agent from the subject, a
"by"-phrase or a modifier ("government shelling", "an HTS attack"); the target from the object
or an "on"/"against" phrase; the place from a locative phrase. Trigger words live in
kg/data/lexicon.json.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Span, Token

from kg.claim_view import claim_view
from kg.extract.attribution import child
from kg.extract.gazetteer import Entity, lexicon
from kg.extract.mentions import ItemContext, Words, actor_of, np_tokens, place_of

LOCATIVE = (
    "in",
    "on",
    "near",
    "around",
    "outside",
    "at",
    "across",
    "along",
    "south",
    "north",
    "east",
    "west",
    "into",
    "toward",
    "towards",
    "to",
    "inside",
    "from",
)


@dataclass
class Event:
    type: str
    trigger: Token
    agent: Entity | None = None
    target: Entity | None = None
    place: Entity | None = None
    count: int | None = None
    count_qualifier: str | None = None
    victims: str | None = None
    subset: bool = False  # "including 20 children": part of another claim's count


def lemma(token: Token) -> str:
    return token.lemma_.lower()


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.tag_ == "VBN"
        and verb.dep_ in ("acl", "relcl")
        and not any(c.dep_ in ("aux", "nsubj") for c in verb.children)
    )


def preps(token: Token, *words: str) -> list[Token]:
    """Objects of the token's prepositions (and of 'by' agents)."""
    out: list[Token] = []
    for c in token.children:
        if c.dep_ in ("prep", "agent") and (not words or c.lower_ in words):
            out.extend(g for g in c.children if g.dep_ == "pobj")
    return out


def subject(verb: Token) -> Token | None:
    found = child(verb, "nsubj")
    if found is None and verb.dep_ in ("xcomp", "advcl", "conj") and verb.head.i != verb.i:
        found = child(verb.head, "nsubj")
    if found is None and verb.dep_ in ("acl", "relcl") and not is_passive(verb):
        found = verb.head
    return found


def agent_of(verb: Token, ctx: ItemContext) -> Entity | None:
    """Who did it: the 'by' phrase of a passive, else the subject (or its event noun's owner)."""
    if is_passive(verb):
        for obj in preps(verb, "by"):
            return actor_of(obj, ctx)
        return None
    subj = subject(verb)
    return actor_of(subj, ctx) if subj is not None else actor_left_of(verb, ctx)


def actor_left_of(verb: Token, ctx: ItemContext, reach: int = 6) -> Entity | None:
    """When the parse lost the subject ('after Russia on Friday blocked'): the actor named
    just before the verb, within its clause."""
    for t in reversed(verb.doc[max(verb.sent.start, verb.i - reach) : verb.i]):
        if t.is_punct or (t.pos_ == "VERB" and t.i != verb.i):
            return None
        found = ctx.at(t)
        if found is not None and found.is_actor:
            return ctx.gazetteer.as_actor(found)
    return None


def place_near(
    token: Token, ctx: ItemContext, exclude: frozenset[int] | set[int] = frozenset()
) -> Entity | None:
    """The nearest place named in a locative phrase of the trigger's own clause
    (settlements before countries); nested clauses and excluded tokens are skipped."""
    candidates: list[tuple[int, Entity]] = []
    stack = [token]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.i in exclude or c.dep_ in ("ccomp", "relcl", "parataxis", "conj", "acl"):
                continue
            if c.dep_ == "pobj" and c.head.lower_ in LOCATIVE:
                found = place_of(c, ctx, settlement_only=True) or first_place(c, ctx)
                if found is not None:
                    candidates.append((abs(c.i - token.i), found))
            stack.append(c)
    candidates.sort(key=lambda pair: (pair[1].type == "Country", pair[0]))
    return candidates[0][1] if candidates else None


def first_place(token: Token, ctx: ItemContext) -> Entity | None:
    """'the Eastern Ghouta suburbs of the capital': a place named inside the phrase."""
    for t in np_tokens(token):
        found = place_of(t, ctx, settlement_only=True) if t.i != token.i else None
        if found is not None:
            return found
    return None


# -- casualties ----------------------------------------------------------------------------
def number_of(noun: Token) -> tuple[int | None, str | None]:
    """The count on a noun ('at least 19 civilians', 'six children') and its qualifier."""
    lex = lexicon()
    num = next((c for c in noun.children if c.dep_ == "nummod"), None)
    if num is None:
        return None, None
    value = parse_number(num)
    left = noun.doc[noun.left_edge.i : num.i].text.lower().strip()
    qualifier = next(
        (
            q
            for q in sorted(lex["count_qualifiers"], key=len, reverse=True)
            if left.endswith(q) or left == q
        ),
        None,
    )
    return value, qualifier


def parse_number(token: Token) -> int | None:
    text = token.text.lower().replace(",", "")
    if text.isdigit():
        return int(text)
    words = lexicon()["numbers"]
    if text in words:
        value = words[text]
        compound = [
            c for c in token.children if c.dep_ in ("compound", "quantmod") and c.lower_ in words
        ]
        return value * words[compound[0].lower_] if compound and text == "hundred" else value
    return None


def victims_text(noun: Token) -> str:
    """'displaced civilians', 'pro-government fighters', 'ISIS militants' (no count, no article)."""
    drop = {
        "det",
        "nummod",
        "quantmod",
        "advmod",
        "predet",
        "punct",
        "prep",
        "relcl",
        "acl",
        "cc",
        "conj",
        "appos",
    }
    toks = [
        t
        for t in noun.subtree
        if t.i == noun.i
        or (t.i < noun.i and t.dep_ not in drop and not (t.head.dep_ == "nummod" or t.like_num))
    ]
    text = "".join(t.text_with_ws for t in toks).strip()
    return text.replace(" - ", "-").replace("pro -", "pro-")


def victim_nouns(verb: Token) -> list[Token]:
    """The killed: the passive subject or active object, with its conjuncts."""
    head = child(verb, "nsubjpass") if is_passive(verb) else child(verb, "dobj")
    if head is None and verb.dep_ in ("acl", "relcl"):
        head = verb.head
    if head is None and lemma(verb) == "die":
        head = child(verb, "nsubj")
    return [head, *head.conjuncts] if head is not None else []


def casualty_state(token: Token, ctx: ItemContext) -> list[Event]:
    """'left 11 people dead', 'at least 15 dead as a bomb hit the camp'."""
    kind = lexicon()["casualty_states"].get(token.lower_)
    if kind is None or token.pos_ != "ADJ":
        return []
    if token.dep_ == "oprd" and lemma(token.head) == "leave":
        nouns = [n for n in victim_nouns(token.head) if number_of(n)[0] is not None]
        place = place_near(token.head, ctx)
        return [
            Event(
                "casualties",
                token.head,
                place=place,
                count=number_of(n)[0],
                count_qualifier=number_of(n)[1],
                victims=victims_text(n) + ("" if kind == "killed" else " (wounded)"),
            )
            for n in nouns
        ]
    count, qualifier = number_of(token)
    if count is None or token.dep_ not in ("ROOT", "ccomp", "conj"):
        return []
    victims = "people" if kind == "killed" else "people (wounded)"
    return [
        Event(
            "casualties",
            token,
            place=place_near(token, ctx),
            count=count,
            count_qualifier=qualifier,
            victims=victims,
        )
    ]


def casualties(verb: Token, ctx: ItemContext) -> list[Event]:
    kind = lexicon()["casualty_verbs"].get(lemma(verb))
    if kind is None or verb.pos_ != "VERB":
        return casualty_state(verb, ctx)
    events = []
    nouns = [n for n in victim_nouns(verb) if counted(n)] or counted_nouns(verb)
    victims = {t.i for n in nouns for t in n.subtree}
    agent = perpetrator(verb, ctx, victims)
    place = place_near(verb, ctx, victims) or place_in_victims(nouns, ctx)
    for noun in nouns:
        count, qualifier = number_of(noun)
        if count is None:
            continue  # "many of the civilians killed": no count, no casualty claim
        label = victims_text(noun) + ("" if kind == "killed" else " (wounded)")
        events.append(
            Event(
                "casualties",
                verb,
                agent=agent,
                place=place,
                count=count,
                count_qualifier=qualifier,
                victims=label,
            )
        )
        for inc in preps(noun, "including"):
            sub, subq = number_of(inc)
            if sub is not None:
                events.append(
                    Event(
                        "casualties",
                        verb,
                        agent=agent,
                        place=place,
                        count=sub,
                        count_qualifier=subq,
                        victims=victims_text(inc),
                        subset=True,
                    )
                )
    return events


def counted(noun: Token) -> bool:
    return number_of(noun)[0] is not None or noun.lemma_.lower() in lexicon()["victim_nouns"]


def counted_nouns(verb: Token) -> list[Token]:
    """'the number of those killed ... to around 52 civilians': a counted victim noun nearby."""
    words = lexicon()["victim_nouns"]
    return [
        t
        for t in verb.sent
        if t.lemma_.lower() in words and number_of(t)[0] is not None and t.i > verb.i
    ][:1]


def perpetrator(verb: Token, ctx: ItemContext, victims: set[int]) -> Entity | None:
    """'killed in government shelling', 'killed by X', 'a bombing claimed by ISIS killed'."""
    if not is_passive(verb) and lemma(verb) != "die":
        subj = subject(verb)
        if subj is not None:
            by = [o for t in subj.subtree for o in preps(t, "by")]
            return actor_of(by[0], ctx) if by else actor_of(subj, ctx)
    for obj in preps(verb, "by", "in", "during", "after", "from"):
        if obj.i in victims:
            continue
        if lemma(obj) in lexicon()["attack_nouns"]:
            # "killed in Russian airstrikes on X": the strikes' owner, never their target
            found = noun_agent(obj, ctx) or next(
                (actor_of(o, ctx) for t in obj.subtree for o in preps(t, "with")), None
            )
        else:
            found = actor_of(obj, ctx) or next(
                (actor_of(o, ctx) for t in obj.subtree for o in preps(t, "by", "with")), None
            )
        if found is not None and found.type not in ("NewsAgency", "Monitor"):
            return found
    return None


def place_in_victims(nouns: list[Token], ctx: ItemContext) -> Entity | None:
    for noun in nouns:
        for t in noun.subtree:
            found = place_of(t, ctx, settlement_only=True) if t.dep_ == "pobj" else None
            if found is not None:
                return found
    return None


# -- attacks, diplomacy, movement, statements ------------------------------------------------
def attack(token: Token, ctx: ItemContext) -> Event | None:
    lex = lexicon()
    word = lemma(token)
    if token.dep_ == "amod":
        return None  # "the besieged enclave", "destroyed neighbourhoods": states, not events
    if token.pos_ == "VERB" and word in lex["attack_verbs"]:
        return attack_event(token, ctx, object_=True)
    if token.pos_ == "VERB" and word in lex["attack_light_verbs"]:
        obj = child(token, "dobj")
        if obj is not None and lemma(obj) in lex["attack_nouns"]:
            return attack_event(token, ctx, object_=False, noun=obj)
    return None


def attack_event(
    verb: Token, ctx: ItemContext, object_: bool, noun: Token | None = None
) -> Event | None:
    target_t = None
    if object_:
        target_t = child(verb, "nsubjpass") if is_passive(verb) else child(verb, "dobj")
    ons = [o for o in preps(noun or verb, "on", "against", "at") if lemma(o) != "behalf"]
    target = actor_of(target_t, ctx) or (actor_of(ons[0], ctx) if ons else None)
    place = place_near(verb, ctx) or (place_near(noun, ctx) if noun is not None else None)
    if place is None and target_t is not None:
        place = place_of(target_t, ctx) or place_near(target_t, ctx)
    if place is None and ons:
        place = place_of(ons[0], ctx) or place_near(ons[0], ctx)
    agent = agent_of(verb, ctx)
    if agent is None and verb.tag_ == "VBG" and verb.i > verb.sent.start:
        agent = actor_of(verb.nbor(-1), ctx)  # "government shelling", "Russian shelling"
    subj = subject(verb)
    anaphoric = subj is not None and lemma(subj) in lexicon()["attack_nouns"]
    if target is None and place is None and not has_date(verb) and noun is None and not anaphoric:
        return None  # "they are fighting on behalf of the regime": no specific attack
    # ("the attack targeted a gathering": a known attack, told more about, is kept)
    return Event("attack", verb, agent=agent, target=target, place=place)


def has_date(token: Token) -> bool:
    return any(
        t.ent_type_ == "DATE"
        for c in token.children
        if c.dep_ in ("prep", "npadvmod")
        for t in c.subtree
    )


def diplomacy(token: Token, ctx: ItemContext) -> Event | None:
    lex, word = lexicon(), lemma(token)
    if token.pos_ != "VERB":
        return None
    dobj = child(token, "dobj")
    objects = [dobj, child(token, "nsubjpass"), *preps(token, "to", "for", "on")]
    objects += preps(dobj, "for", "to", "on") if dobj is not None else []  # "calls for talks"
    about = next(
        (
            o
            for o in objects
            if o is not None
            and (lemma(o) in lex["diplomacy_nouns"] or o.lower_ in lex["diplomacy_nouns"])
        ),
        None,
    )
    if word not in lex["diplomacy_verbs"] and not (word in lex["diplomacy_object_verbs"] and about):
        return None
    target_t = child(token, "dobj")
    target = actor_of(target_t, ctx) if target_t is not None and about is None else None
    if target is None:
        target = next(
            (actor_of(o, ctx) for o in preps(token, "with", "to") if actor_of(o, ctx)), None
        )
    place = place_near(token, ctx) or (place_near(about, ctx) if about is not None else None)
    return Event("diplomacy", token, agent=agent_of(token, ctx), target=target, place=place)


def movement(token: Token, ctx: ItemContext) -> Event | None:
    if token.pos_ != "VERB" or lemma(token) not in lexicon()["movement_verbs"]:
        return None
    if lemma(token) in ("push", "move", "head", "close") and not preps(
        token, "toward", "towards", "into", "to", "in", "on"
    ):
        if not any(c.dep_ == "prt" for c in token.children) and lemma(token) != "move":
            return None
    dest = child(token, "dobj")
    place = place_near(token, ctx) or (
        place_of(dest, ctx, settlement_only=False) if dest is not None else None
    )
    return Event("movement", token, agent=agent_of(token, ctx), place=place)


def statement(
    sent: Span,
    ctx: ItemContext,
    speaker: Entity | None,
    verbs: set[int],
    taken: frozenset[int] | set[int] = frozenset(),
) -> Event | None:
    """A speech act that is news in itself: a statement verb ('accused', 'pledged'), or
    reported speech carrying a stance (modality, negation, first person, an evaluative verb)
    from someone who is not a news agency. "X said Y happened" is attribution, not this."""
    lex, words = lexicon(), ctx.words
    for i in range(sent.start, sent.end):
        if (
            words.pos[i] == "VERB"
            and words.lemma[i] in lex["statement_verbs"]
            and i not in taken
            and not negated(sent.doc[i])
        ):
            return speech_event(sent.doc[i], ctx, speaker)
    if speaker is None or speaker.type == "NewsAgency" or not verbs or not has_stance(sent):
        return None
    return Event("statement", sent.doc[min(verbs)], agent=speaker)


def speech_event(token: Token, ctx: ItemContext, speaker: Entity | None) -> Event:
    subj = subject(token)
    if subj is not None and lemma(subj) in lexicon()["diplomacy_nouns"]:
        # "the joint statement pledged ...": a diplomatic act, not a person speaking
        return Event("diplomacy", token, agent=actor_left_of(subj, ctx))
    agent: Entity | None
    if subj is not None and subj.lower_ in ("he", "she", "they") and ctx.last_speaker:
        agent = ctx.last_speaker  # "He accused ...": the last one quoted
    else:
        agent = agent_of(token, ctx) or speaker
    return Event("statement", token, agent=agent, target=target_of_speech(token, ctx))


def negated(token: Token) -> bool:
    return any(c.dep_ == "neg" for c in token.children)


def has_stance(sent: Span) -> bool:
    """Modality, negation, first person or an evaluative verb in the active voice
    ('were believed to have retreated' hedges a fact; it takes no stance)."""
    lex = lexicon()
    return any(
        (t.dep_ == "aux" and t.lemma_.lower() in lex["modal_irrealis"])
        or t.dep_ == "neg"
        or t.lower_ in lex["first_person"]
        or (
            lemma(t) in lex["stance_verbs"]
            and t.dep_ not in ("amod", "compound")
            and not any(c.dep_ in ("auxpass", "nsubjpass") for c in t.children)
        )
        for t in sent
    )


def target_of_speech(verb: Token, ctx: ItemContext) -> Entity | None:
    obj = child(verb, "dobj")
    return actor_of(obj, ctx) if obj is not None else None


def counterfactual(token: Token) -> bool:
    """'would have extended', 'could strike', 'did not attack': not a claim that it happened.
    Plans with 'will' stay: a congress that 'will be held' on a date is a claim."""
    if any(
        c.dep_ == "neg"
        or (
            c.dep_ == "aux"
            and c.lemma_.lower() in ("would", "could", "might", "may", "should", "must", "can")
        )
        for c in token.children
    ):
        return True
    # "if Russia was serious about supporting ...": a condition, not an event
    return any(
        c.dep_ == "mark" and c.lower_ in ("if", "unless")
        for t in (token, *token.ancestors)
        for c in t.children
    )


EVENT_DEPS = {"ROOT", "ccomp", "xcomp", "advcl", "conj", "relcl", "acl", "pcomp", "parataxis"}


def purpose(token: Token) -> bool:
    """'to try and renew', 'in an attempt to drive': aims, not events."""
    if token.dep_ == "conj" and token.head.i != token.i and purpose(token.head):
        return True
    return (
        any(c.tag_ == "TO" for c in token.children)
        and token.head.lemma_.lower() not in lexicon()["raising_verbs"]
    )


TRIGGER_VERB_LISTS = (
    "casualty_verbs",
    "attack_verbs",
    "attack_light_verbs",
    "diplomacy_verbs",
    "diplomacy_object_verbs",
    "movement_verbs",
)


@lru_cache(maxsize=1)
def trigger_verbs() -> frozenset[str]:
    """The lemmas a verb needs for any recogniser below to read it as an event."""
    lex = lexicon()
    declared = (word for t in claim_view().types.values() for word in t.triggers)
    return frozenset([*(word for key in TRIGGER_VERB_LISTS for word in lex[key]), *declared])


Recogniser = Callable[[Token, ItemContext], Event | None]


@lru_cache(maxsize=1)
def recognisers() -> tuple[Recogniser, ...]:
    """The rules kg/data/claims.json names for its types, in its order: each given a trigger
    token, the event it reads or None."""
    found = []
    for t in claim_view().types.values():
        if t.rule is not None:
            module, name = t.rule.split(":")
            found.append(getattr(importlib.import_module(module), name))
    return tuple(found)


def may_recognise(words: Words, i: int) -> bool:
    """recognise's first test, on the item's word lists: a casualty state ('11 dead') or a
    verb some recogniser reads. Any other word (most of a text) is passed over without a Token
    or the tree walks below."""
    pos = words.pos[i]
    if pos == "ADJ":
        return words.lower[i] in lexicon()["casualty_states"]
    return pos == "VERB" and words.lemma[i] in trigger_verbs()


def recognise(token: Token, ctx: ItemContext) -> list[Event]:
    """Every event this token triggers (casualties first: 'killed' is not also an attack)."""
    if not may_recognise(ctx.words, token.i):
        return []
    if token.pos_ == "ADJ":
        return casualty_state(token, ctx)
    if token.dep_ not in EVENT_DEPS:
        return []  # "Russian-sponsored talks", "hit-and-run": modifiers, not events
    if counterfactual(token) or purpose(token):
        return []
    found = casualties(token, ctx)
    if found:
        return found
    for recogniser in recognisers():
        event = recogniser(token, ctx)
        if event is not None:
            return [event]
    return []


CLAUSE_BOUNDARIES = {"ccomp", "advcl", "conj", "parataxis", "xcomp", "relcl"}


def governs(a: Token, b: Token) -> bool:
    """b sits inside one of a's arguments, within a's clause."""
    t = b
    while t.head.i != t.i:
        boundary = t.dep_ in CLAUSE_BOUNDARIES or (t.dep_ == "acl" and t.tag_ == "VBN")
        if boundary and t.head.i != a.i:
            return False
        t = t.head
        if t.i == a.i:
            return True
    return False


def same_event(a: Token, b: Token) -> bool:
    """Two triggers naming one event: the noun is the verb's subject ('the shelling targeted'),
    or sits in the object of a light verb ('launched missiles targeting', 'carried out
    attacks'). 'Repulsed an attack' names two events."""
    if not governs(a, b):
        return False
    if a.pos_ == "NOUN":  # only within the noun phrase, not its relative clause
        t = b
        while t.i != a.i:
            if t.dep_ in ("relcl", "acl", "dobj", "nsubj"):
                return False
            t = t.head
        return True
    if lemma(a) in lexicon()["attack_light_verbs"]:
        return True
    t = b
    while t.head.i != a.i:
        t = t.head
    return t.dep_ in ("nsubj", "nsubjpass", "csubj")


def describes(participle: Token, host: Token) -> bool:
    """'the talks, sponsored jointly with Iran' only describes the talks another verb is about;
    'a cease-fire brokered earlier in July' dates an event of its own."""
    if participle.dep_ != "acl" or participle.tag_ != "VBN" or has_date(participle):
        return False
    return participle.head.i == host.i or governs(host, participle.head)


def merge_events(events: list[Event]) -> list[Event]:
    kept: list[Event] = []
    for e in events:
        host = next(
            (
                k
                for k in kept
                if k.type == e.type != "casualties"
                and (
                    same_event(k.trigger, e.trigger)
                    or same_event(e.trigger, k.trigger)
                    or describes(e.trigger, k.trigger)
                    or describes(k.trigger, e.trigger)
                )
            ),
            None,
        )
        if host is None:
            kept.append(e)
            continue
        main, other = (e, host) if describes(host.trigger, e.trigger) else (host, e)
        for name in (f.key for f in claim_view().of(main.type) if f.is_entity):
            if getattr(main, name) is None:
                setattr(main, name, getattr(other, name))
        kept[kept.index(host)] = main
    return kept


def nominal_attacks(
    sent: Span, ctx: ItemContext, events: list[Event], anchors: dict[int, Entity | None]
) -> list[Event]:
    """'an ISIS counterattack', 'Russian airstrikes on eastern Syria', 'Wednesday's fighting':
    an attack named by a noun, when something specific is said of it (who, whom, where beyond
    a country, or when), or when it is how people were killed or a place changed hands."""
    lex = lexicon()
    taken = {e.trigger.i for e in events}
    found = []
    words = ctx.words
    for i in range(sent.start, sent.end):
        if words.pos[i] != "NOUN" or words.lemma[i] not in lex["attack_nouns"] or i in taken:
            continue
        noun = sent.doc[i]
        if noun.dep_ == "conj" or any(c.lower_ == "no" and c.dep_ == "det" for c in noun.children):
            continue  # "airstrikes and artillery attacks": one event; "no clashes": none
        anchor = next((t.i for t in noun.ancestors if t.i in anchors), None)
        predicate = noun.head if noun.dep_ in ("nsubj", "nsubjpass") else None
        if predicate is not None and any(c.lemma_ in ("will", "shall") for c in predicate.children):
            continue  # "the battle will be finished within days": a forecast
        place = place_near(noun, ctx) or (
            place_near(predicate, ctx) if predicate is not None else None
        )
        if place is None and anchor is not None:
            place = anchors[anchor]
        event = Event(
            "attack", noun, agent=noun_agent(noun, ctx), target=noun_target(noun, ctx), place=place
        )
        specific = event.agent or event.target or (place is not None and place.type != "Country")
        if specific or anchor is not None or dated(noun):
            found.append(event)
    return found


def unreal_context(noun: Token) -> bool:
    """A noun under a condition, a modal or an aim ('if ..., it should take part in talks')."""
    return any(
        t.pos_ in ("VERB", "AUX") and (counterfactual(t) or purpose(t)) for t in noun.ancestors
    )


def nominal_diplomacy(sent: Span, ctx: ItemContext, events: list[Event]) -> list[Event]:
    """'the seventh round of peace talks in Astana, which closed on Tuesday': talks named by a
    noun that no diplomatic verb of the sentence already covers, placed or dated."""
    words, talks = ctx.words, lexicon()["talk_nouns"]
    nouns = [
        i for i in range(sent.start, sent.end) if words.pos[i] == "NOUN" and words.lower[i] in talks
    ]
    covered = {t.i for e in events for t in e.trigger.subtree} if nouns else set()
    found = []
    for noun in (sent.doc[i] for i in nouns):
        if noun.i in covered:
            continue
        if unreal_context(noun):
            continue
        if noun.dep_ == "conj" or noun.dep_ == "compound":
            continue
        place = place_near(noun, ctx)
        closing = next((c for c in noun.subtree if c.dep_ == "relcl" and has_date(c)), None)
        if (place is not None and place.type != "Country") or dated(noun) or closing is not None:
            found.append(Event("diplomacy", noun, agent=noun_agent(noun, ctx), place=place))
    return found


def dated(noun: Token) -> bool:
    if any(c.dep_ == "poss" and c.ent_type_ == "DATE" for c in noun.children):
        return True
    return any(t.ent_type_ == "DATE" for o in preps(noun, "on", "in", "last") for t in o.subtree)


def noun_agent(noun: Token, ctx: ItemContext) -> Entity | None:
    for c in noun.children:
        if c.dep_ in ("compound", "amod", "poss", "nmod"):
            found = actor_of(c, ctx)
            if found is not None:
                return found
    for obj in preps(noun, "by", "between") + [
        o for c in noun.children if c.dep_ == "acl" for o in preps(c, "by")
    ]:
        found = actor_of(obj, ctx)
        if found is not None:
            return found
    if noun.dep_ == "dobj" and noun.head.pos_ == "VERB":
        return actor_of(subject(noun.head), ctx)  # "began surprise attacks": who began them
    return None


def noun_target(noun: Token, ctx: ItemContext) -> Entity | None:
    for obj in preps(noun, "on", "against"):
        found = actor_of(obj, ctx)
        if found is not None:
            return found
    return None


__all__ = ["Event", "recognise", "statement", "merge_events", "nominal_attacks", "np_tokens"]
