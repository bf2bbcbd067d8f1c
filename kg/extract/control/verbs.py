"""Control told by a verb: a capture ("captured", "retook", "took control of", "declared
victory"), a rout ("drove X out of P"), a loss ("withdrew from", "lost P to Y"), a fall ("P fell
to Y"), a handover ("handed P over to Y"), a defeat ("ISIS was defeated there by Y"), and
control held or taken as the object of a verb ("established full control of P", "had
control of P")."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.attribution import child
from kg.extract.control.base import FIGHTING_TYPES, Found, gain_found, included_places
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import ItemContext, actor_of, place_of, places_of, salient_place
from kg.extract.syntax import is_passive, party_positions, prep_object, roles, subject

CONTROL = "control"
SECURITY_VERBS = ("restore", "establish", "return", "bring")  # "restored security to X"


def gain(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    if party_positions(verb):
        return None  # "stormed IS positions in X": the positions' holder, read by its noun
    agent, patient = roles(verb)
    patient = lying_in(patient) or patient
    if agent is None:
        agent = reporting_party(verb, ctx)
    declarer = declaring(verb)
    if declarer is not None and patient is None:  # "Abadi declared Tal Afar liberated"
        agent, patient = declarer, child(verb, "nsubj", "nsubjpass")
    if actor_of(agent, ctx) is None and not is_passive(verb) and not (agent and agent.conjuncts):
        agent = actor_just_before(verb, ctx) or agent  # (parties of two sides name no one)
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
    if agent is None and source is not None and is_passive(verb):
        agent = governing_subject(verb, actor_of(source, ctx), ctx)
    found = gain_found(verb, agent, patient, source, ctx, gaz)
    if found is not None and found.controller is None and is_passive(verb):
        found.controller = side_reporting(verb, ctx)
    return found


def lying_in(area: Token | None) -> Token | None:
    """'The hamlets sit in an area the army seized in May': what lies in an area a party
    took was taken with it (the subject of 'lie', 'be', 'sit' in the area)."""
    if area is None or area.lemma_.lower() not in lexicon()["area_nouns"] or not (
        area.dep_ == "pobj" and area.head.lower_ in ("in", "within", "inside")
        and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in area.children)
    ):
        return None
    verb = area.head.head
    if verb.lemma_.lower() not in lexicon()["lying_verbs"]:
        return None
    return child(verb, "nsubj")


def side_reporting(verb: Token, ctx: ItemContext) -> Entity | None:
    """'State news agency SANA said the village of X was taken': the side whose own media
    report a taking that names no taker."""
    speaker = actor_of(reporting_subject(verb), ctx)
    if speaker is None or speaker.type != "NewsAgency" or not speaker.side:
        return None
    return ctx.gazetteer.side_of(speaker)


def reporting_party(verb: Token, ctx: ItemContext) -> Token | None:
    """'The army said villages had been wrested back': an armed party that reports a taking
    it names no taker for took it (a monitor saying so names no one)."""
    speaker = reporting_subject(verb)
    found = actor_of(speaker, ctx)
    return speaker if found is not None and found.type in FIGHTING_TYPES else None


def reporting_subject(verb: Token) -> Token | None:
    """The subject of the reporting verb whose reported clause this verb heads."""
    head = verb.head
    if verb.dep_ != "ccomp" or head.lemma_.lower() not in lexicon()["reporting_verbs"]:
        return None
    return child(head, "nsubj")


def declaring(verb: Token) -> Token | None:
    """The subject of 'declare' whose object clause this participle is ('declared X
    liberated', 'announced X recaptured')."""
    head = verb.head
    if verb.tag_ != "VBN" or verb.dep_ not in ("ccomp", "xcomp", "oprd") or head is verb:
        return None
    if head.lemma_.lower() not in lexicon()["declare_verbs"]:
        return None
    return child(head, "nsubj")


def actor_just_before(verb: Token, ctx: ItemContext, reach: int = 6) -> Token | None:
    """A subject the parser lost ('on Friday ISIL seized ...' read as 'on Friday ISIL',
    'resulted in the Nusra Front and its allies taking ...'): the named armed actor just
    before the verb, within a few words and not after 'by' or 'with'."""
    start = max(verb.sent.start, verb.i - reach)
    for t in reversed(verb.doc[start : verb.i]):
        if t.lower_ in ("by", "with", "from", "against"):
            return None
        found = ctx.at(t)
        if found is not None and found.is_actor and found.type in ("ArmedGroup", "Government"):
            return t
    return None


def governing_subject(verb: Token, loser: Entity | None, ctx: ItemContext) -> Token | None:
    """Who took a place an agentless passive says was taken from ``loser``: the armed
    subject of the clause it depends on, of another side ('Kurds made advances ... a week
    after the town was recaptured from IS')."""
    if loser is None:
        return None
    theirs = ctx.gazetteer.side_of(loser)

    def other_side(t: Token | None) -> bool:
        found = actor_of(t, ctx)
        if found is None or found.type not in FIGHTING_TYPES:
            return False
        mine = ctx.gazetteer.side_of(found)
        return mine is not None and mine != theirs

    head = verb
    while head.dep_ in ("advcl", "pcomp", "pobj", "prep", "relcl", "conj") and head.head != head:
        head = head.head
        if head.pos_ not in ("VERB", "AUX"):
            continue
        subject_t = child(head, "nsubj")
        if subject_t is None and head.dep_ == "ROOT":
            # "In the north Kurdish fighters battling IS pushed on ...": the subject
            # the parse lost, the nearest party before the verb that is not the loser's
            subject_t = next((t for t in reversed(head.doc[head.sent.start : head.i])
                              if other_side(t)), None)
        if actor_of(subject_t, ctx) is not None:
            return subject_t if other_side(subject_t) else None
    if verb.sent.start > 0:  # "The army shelled the area for days. Two villages were freed
        # from the rebels on Monday": the party the sentence before is about
        before = verb.doc[verb.sent.start - 1].sent.root
        subject_t = child(before, "nsubj")
        return subject_t if other_side(subject_t) else None
    return None


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


def cede(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'rebels handed over the town of X to government forces', 'ceded X to Y': Y gains X
    from the subject."""
    gainer_t = prep_object(verb, "to")
    if gainer_t is None or actor_of(gainer_t, ctx) is None:
        return None
    giver_t, place_t = roles(verb)
    return gain_found(verb, gainer_t, place_t, giver_t, ctx, gaz)


def control_object(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'established full control of X' (a change), 'had full control of X' (a state), 'was
    able to restore security to X' (the official wording of a capture)."""
    control = child(verb, "dobj")
    glued = verb.dep_ == "compound" and verb.head.lemma_.lower() == CONTROL
    if glued:  # "..., re-establishing control over X" parsed as a compound of its object
        control = verb.head
    if control is None:
        return None
    if control.lemma_.lower() == "security" and verb.lemma_.lower() in SECURITY_VERBS:
        place_t = prep_object(control, "to", "in") or prep_object(verb, "to", "in")
        return gain_found(verb, roles(verb)[0], place_t, None, ctx, gaz, sure=True)
    if control.lemma_.lower() != CONTROL:
        return None
    agent_t = clause_subject(verb) if glued else roles(verb)[0]
    if actor_of(agent_t, ctx) is None and verb.tag_ == "VBG":
        agent_t = clause_subject(verb)  # "..., re-establishing control over X": the clause's
    place_t = prep_object(control, "of", "over", "in") or prep_object(verb, "over", "of", "in")
    keeps = verb.lemma_.lower() in lexicon()["control_keep_verbs"]
    found = gain_found(control if glued else verb, agent_t, place_t, None, ctx, gaz)
    if found is not None and keeps:
        found.event = "ControlState"
    return found



def clause_subject(token: Token) -> Token | None:
    """The subject of the nearest clause above the token."""
    return next((s for a in token.ancestors if (s := child(a, "nsubj")) is not None), None)


def defeat(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'ISIS was defeated (there) (by regime forces)': it lost the place, to the victor."""
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
    if loser is None or place is None:
        return None
    return Found(token, "ControlChange", place, victor, loser, gaz.side_of(victor))


def raised_flag(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'government forces raised the national flag over Daraa al-Balad', 'they hoisted their
    banner at the crossing': who raises its flag over a place has taken it."""
    flag = child(verb, "dobj", "nsubjpass")
    if flag is None or flag.lemma_.lower() not in lexicon()["flag_nouns"]:
        return None
    place_t = prep_object(verb, "over", "at", "above", "on", "in") or prep_object(
        flag, "over", "at", "above", "on", "in")
    agent_t = prep_object(verb, "by") if is_passive(verb) else roles(verb)[0]
    if actor_of(agent_t, ctx) is None:
        return None
    owner = child(place_t, "poss") if place_t is not None else None
    if owner is not None and owner.lower_ == "its" and not places_of(place_t, ctx):
        place_t = owner  # "entered Douma and raised the flag over its public buildings": Douma
    return gain_found(verb, agent_t, place_t, None, ctx, gaz, sure=True)


def declared_victory(verb: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'declared victory over ISIS in P': a capture of P."""
    victory = next(
        (c for c in verb.children
         if c.dep_ == "dobj" and c.lemma_.lower() in lexicon()["victory_nouns"]),
        None,
    )
    return gain(verb, ctx, gaz) if victory is not None else None


def declared_free(token: Token, ctx: ItemContext, gaz: Gazetteer) -> Found | None:
    """'declared the town free of militants': a capture by the declarer."""
    if token.head.lemma_.lower() not in lexicon()["declare_verbs"]:
        return None
    declare = token.head
    return gain_found(
        token,
        child(declare, "nsubj"),
        child(declare, "dobj") or child(token, "nsubj"),
        prep_object(token, "of"),
        ctx,
        gaz,
    )
