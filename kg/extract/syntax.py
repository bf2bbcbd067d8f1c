"""Syntax the control shapes share: roles of a verb, its subject and object where a parse of
unpunctuated text lost them, prepositions' objects, and what makes a verb unreal (a plan, a
condition, a negation)."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.attribution import child
from kg.extract.gazetteer import lexicon
from kg.extract.mentions import antecedent


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
        # "believed to have retreated" reports a (hedged) fact; "racing to take" does not;
        # "managed to retake", "was able to restore" tell it done, unless they are denied
        head = token.head
        if head.lemma_.lower() in lex["achievement_heads"] and head.i != token.i:
            return irrealis(head) or (head.pos_ == "ADJ" and irrealis(head.head))
        return head.lemma_.lower() not in lex["raising_verbs"]
    if token.dep_ == "pcomp" and token.head.lower_ in ("to", "toward", "towards"):
        return True
    if token.dep_ == "pcomp" and token.head.lower_ in ("of", "at", "for") and (
        token.head.head.lemma_.lower() in lex["purpose_nouns"]
    ):
        return True  # "with the aim of recapturing X", "an attempt at retaking X"
    return False


def prep_object(token: Token | None, *preps: str) -> Token | None:
    if token is None:
        return None
    for c in token.children:
        if c.dep_ in ("prep", "agent", "dative", "prt") and c.lower_ in preps:
            obj = child(c, "pobj")
            if obj is not None and obj.ent_type_ in ("DATE", "TIME"):
                continue  # "In 2015 the group took control of X": a time is no object
            # "out of the town": the object hangs under "of"
            found = obj or (prep_object(c, "of") if c.lower_ in ("out", "outside") else None)
            if found is not None:  # "drive out troops from X": the particle has none
                return found
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
    if agent is None and verb.dep_ in ("xcomp", "advcl", "conj", "ccomp", "pcomp") and not (
        is_passive(verb)  # "X was taken", however the parse hung it: its taker is not said
        or verb.dep_ == "ccomp" and verb.head.lemma_.lower() in lexicon()["reporting_verbs"]
    ):
        agent = child(verb.head, "nsubj") or (
            child(verb.head.head, "nsubj") if verb.head.dep_ == "prep" else None
        )
    if agent is None and verb.dep_ == "ccomp" and verb.head.dep_ in ("xcomp", "ccomp"):
        agent = child(verb.head.head, "nsubj")
    if agent is None and verb.dep_ == "xcomp" and verb.head.dep_ == "acomp":
        agent = child(verb.head.head, "nsubj")  # "the army was able to restore ..."
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
    if not chosen:  # "the Syrian Democratic Force [SDF] besieged X": a bracketed name the
        # parser hung on the verb as an adverbial
        chosen = [c for c in verb.children
                  if c.dep_ == "npadvmod" and c.pos_ == "PROPN" and c.i < verb.i
                  and c.ent_type_ not in ("DATE", "TIME")]
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


def phrasal(token: Token, key: str) -> bool:
    particles = lexicon()[key].get(token.lemma_.lower(), [])
    # the parser reads "won back" either way: a particle, or an adverb right after the verb
    return any(
        c.lower_ in particles and (c.dep_ == "prt" or c.dep_ == "advmod" and c.i == token.i + 1)
        for c in token.children
    )


def changed_by(token: Token) -> bool:
    """Is this noun phrase what a realised change of control is about ('captured the IS
    stronghold of X', 'the town was seized')?"""
    lex = lexicon()
    changes = set(lex["control_gain"]) | set(lex["control_drive_out"]) | set(lex["control_loss"])
    for t in token.ancestors:
        if t.pos_ == "VERB":
            if any(c.dep_ == "dobj" and c.lower_ == "place" for c in t.children):
                return False  # "raids have taken place in X": the idiom, no capture
            if t.lemma_.lower() in lex["control_drive_out"] and not any(
                c.lower_ in ("out", "from") for c in t.children
            ):
                return False  # "pushing towards the IS stronghold of X": no one is driven out
            return (t.lemma_.lower() in changes and not irrealis(t)
                    and not party_positions(t))
    return False


def party_positions(verb: Token) -> bool:
    """'soldiers stormed the Nusra Front's strongholds in X': storming a party's strongholds or
    positions is an assault on them, not yet their capture."""
    lex = lexicon()
    if verb.lemma_.lower() not in lex["assault_gain_verbs"]:
        return False
    obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    return obj is not None and obj.tag_ in ("NNS", "NNPS") and obj.lemma_.lower() in (
        *lex["stronghold_nouns"], "position", "post", "base", "headquarter", "headquarters")
