"""Who says so: the reporting chain of a sentence, outermost first, and its hedges.

"X happened, AFP said, citing the SOHR" gives [AFP, SOHR]; "Y told AFP" gives [AFP, Y];
"According to Reuters" gives [Reuters]. Several reporting verbs in one sentence are ordered
by syntax (the governing verb first) and, where the parse is flat, news agencies before
monitors before everyone else: agencies relay, monitors and officials originate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from kg.extract.gazetteer import SOURCE_RANK, Entity, lexicon, norm
from kg.extract.mentions import ItemContext, Mention, Words, source_of


@dataclass
class Attribution:
    chain: list[Entity] = field(default_factory=list)
    hedged: bool = False
    verbs: set[int] = field(default_factory=set)  # token indices of reporting verbs
    entries: list[tuple[Token, list[Entity]]] = field(default_factory=list)  # outer first

    @property
    def claimant(self) -> Entity | None:
        return self.chain[-1] if self.chain else None

    def scoped(self, trigger: Token | None) -> Attribution:
        """The chain of the reporting verb whose clause holds this claim ('IS retook X, the
        Observatory said, but state media said the army held it': the second claim is state
        media's alone), with the verbs above it; the whole sentence's when none holds it."""
        speaker = governing_verb(trigger, self.entries) if trigger is not None else None
        if speaker is None:
            return self
        above = {speaker.i} | {a.i for a in speaker.ancestors}
        # the verb, those above it, and the sentence's 'citing X' and 'according to X'; not
        # the other speakers' verbs
        kept = [(t, steps) for t, steps in self.entries
                if t.i in above or t.tag_ == "VBG" or t.lower_ == "according"]
        chain: list[Entity] = []
        for _, steps in kept:
            for step in steps:
                if all(step.key != c.key for c in chain):
                    chain.append(step)
        return Attribution(chain=chain, hedged=self.hedged, verbs=self.verbs, entries=kept)


CLAUSE_EDGES = ("ccomp", "xcomp", "parataxis", "advcl")


def governing_verb(trigger: Token, entries: list[tuple[Token, list[Entity]]]) -> Token | None:
    """The nearest reporting verb of the sentence whose clause holds the trigger."""
    verbs = {t.i for t, steps in entries if steps and t.pos_ in ("VERB", "AUX")}
    t = trigger
    while t.head.i != t.i:
        if t.head.i in verbs and t.dep_ in CLAUSE_EDGES:
            return t.head
        accuser = charged_with(t)
        if accuser is not None and accuser.i in verbs:
            return accuser
        t = t.head
    # "IS retook X, the Observatory said, but ...": the saying hung on the sentence's root
    return next((c for c in t.children if c.i in verbs and c.dep_ == "parataxis"), None)


def charged_with(clause: Token) -> Token | None:
    """The verb that accuses someone of this clause ('X accused government forces of
    gassing people over rebel-held suburbs': accused), or None."""
    of = clause.head
    if clause.dep_ != "pcomp" or of.lower_ != "of":
        return None
    verb = of.head if of.head.pos_ == "VERB" else of.head.head
    return verb if verb.lemma_.lower() in lexicon()["charging_verbs"] else None


def child(token: Token, *deps: str) -> Token | None:
    return next((c for c in token.children if c.dep_ in deps), None)


def depth(token: Token) -> int:
    return sum(1 for _ in token.ancestors)


def may_report(words: Words, i: int) -> bool:
    """is_reporting's first test, on the item's word lists: a verb of saying."""
    return words.pos[i] in ("VERB", "AUX") and words.lemma[i] in lexicon()["reporting_verbs"]


def is_reporting(token: Token, words: Words) -> bool:
    """A verb of saying. Verbs that also name acts ('declared victory', 'claimed by ISIS')
    report only when they take a clause: 'declared that ...'."""
    if not may_report(words, token.i):
        return False
    if words.lemma[token.i] in lexicon()["reporting_verbs_need_clause"]:
        return any(c.dep_ in ("ccomp", "xcomp", "parataxis") for c in token.children) or (
            closing(token)
        ) or any((v := charged_with(p)) is not None and v.i == token.i
                 for p in token.subtree if p.dep_ == "pcomp")
    return True


def closing(verb: Token) -> bool:
    """'... were eliminated a source on the ground announced on Sunday': a reporting verb
    that ends its sentence (a date or a full stop after it at most) reports what came
    before, however the parser hung it."""
    rest = [t for t in verb.doc[verb.i + 1 : verb.sent.end] if not t.is_punct]
    return not any(c.dep_ in ("dobj", "attr", "auxpass") for c in verb.children) and all(
        t.ent_type_ in ("DATE", "TIME") or t.lower_ in ("on", "in", "late", "early", "earlier")
        for t in rest
    )


def is_citing(words: Words, i: int) -> bool:
    return words.tag[i] == "VBG" and words.lemma[i] in lexicon()["citing_verbs"]


def verb_steps(verb: Token, ctx: ItemContext) -> list[Entity]:
    """The sources one reporting verb contributes, outer first."""
    steps: list[Entity] = []
    if verb.lemma_.lower() == "tell":
        listener = child(verb, "dative", "dobj")
        if listener is None:
            to = next((c for c in verb.children if c.lower_ == "to"), None)
            listener = child(to, "pobj") if to is not None else None
        outlet = source_of(listener, ctx)
        if outlet is not None:
            steps.append(outlet)
    steps.extend(spoken_to(verb, ctx))
    subject = (
        name_before(verb, ctx) or own_subject(verb, ctx) or inverted_speaker(verb, ctx)
        or governing_speaker(verb) or shared_speaker(verb) or stranded_speaker(verb, ctx)
        or child(verb, "nsubj", "nsubjpass")
    )
    speaker = source_of(subject, ctx)
    if speaker is not None:
        steps.append(speaker)
    for c in verb.children:
        if is_citing(ctx.words, c.i):
            cited = source_of(child(c, "dobj"), ctx)
            if cited is not None:
                steps.append(cited)
    return steps


def own_subject(verb: Token, ctx: ItemContext) -> Token | None:
    """The verb's subject. Of several the parse hung on it ('as a car bomb wounded 37 people
    in X state television reported'), the nearest that names a source itself; when none
    does, the speaker is looked for elsewhere (a source stranded before the verb)."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if len(subjects) == 1 and not (subjects[0].pos_ == "PRON" or names_source(subjects[0], ctx)):
        # "... struck the opposition-held X district in Aleppo Omar Hamza told Anadolu": the
        # parse's subject names no source; one stranded before the verb may
        return stranded_speaker(verb, ctx) or subjects[0]
    if len(subjects) < 2:
        return subjects[0] if subjects else None
    named = [s for s in subjects if names_source(s, ctx)]
    return min(named, key=lambda s: abs(s.i - verb.i)) if named else None


def names_source(token: Token, ctx: ItemContext) -> bool:
    """Does the noun itself, or a word bound to it, name who speaks ('state television',
    'a military source'), rather than a name deep in its phrase ('people in X')?"""
    near = [token, *(c for c in token.children if c.dep_ in ("compound", "amod", "nmod"))]
    return token.lemma_.lower() in lexicon()["anonymous_source_nouns"] or any(
        (e := ctx.at(t)) is not None and not e.is_place for t in near
    )


def shared_speaker(verb: Token) -> Token | None:
    """'state media denied ... and said ...': the subject of the verb this one is joined to."""
    if verb.dep_ != "conj" or verb.head.lemma_.lower() not in lexicon()["reporting_verbs"]:
        return None
    return child(verb.head, "nsubj")


def governing_speaker(verb: Token) -> Token | None:
    """'The Observatory confirmed the toll, adding that ...': the speaker of the clause a
    subjectless reporting participle hangs on."""
    if verb.tag_ != "VBG" or verb.dep_ not in ("advcl", "xcomp", "conj"):
        return None
    if verb.head.lemma_.lower() not in lexicon()["reporting_verbs"]:
        return None  # "the YPG seized X, adding ...", the parse's: who adds is not said there
    return child(verb.head, "nsubj")


def inverted_speaker(verb: Token, ctx: ItemContext) -> Token | None:
    """'... said the Observatory', 'said a military source': a speaker after its verb (the
    parser often takes it for an object)."""
    if verb.lemma_.lower() == "tell":
        return None
    after = next((c for c in verb.children if c.dep_ in ("dobj", "attr") and c.i > verb.i), None)
    if after is None or after.i > verb.i + 4:
        return None
    return after if source_of(after, ctx) is not None else None


def stranded_speaker(verb: Token, ctx: ItemContext) -> Token | None:
    """'..., the Syrian Observatory for Human Rights said.' parsed with the speaker hung on
    the noun before it: the source named just before a subjectless reporting verb."""
    start = max(verb.sent.start, verb.i - 8)
    for t in reversed(verb.doc[start : verb.i]):
        found = ctx.at(t)
        if found is not None and found.type in ("Monitor", "NewsAgency", "AnonymousSource"):
            return t
        if found is not None and found.type == "Person" and t.i == verb.i - 1:
            return t  # "... in Aleppo Ibrahim Abu Leith told Anadolu": the name just before
        if found is None and t.pos_ == "NOUN" and (
            t.lemma_.lower() in lexicon()["anonymous_source_nouns"]
            or any(e.type in ("Monitor", "NewsAgency")
                   for e in ctx.gazetteer.generic.get(norm(t.text), []))
        ):
            return t  # "a military source announced", "the observatory said" (not "militants")
        if t.pos_ == "VERB":
            break
    return None


def spoken_to(verb: Token, ctx: ItemContext) -> list[Entity]:
    """'Speaking to Reuters, X said': the outlet spoken to relays what X said."""
    for c in verb.children:
        if c.dep_ == "advcl" and c.lemma_.lower() in lexicon()["speaking_verbs"]:
            to = next((g for g in c.children if g.lower_ == "to"), None)
            obj = child(to, "pobj") if to is not None else None
            for t in obj.subtree if obj is not None else ():
                found = ctx.at(t)
                if found is not None and found.type == "NewsAgency":
                    return [found]
    return []


def name_before(verb: Token, ctx: ItemContext) -> Token | None:
    """'Talking to Reuters Karim Haddad said ...' (the comma stripped): the outlet
    spoken to is the listener; the name run between it and the verb is the speaker."""
    doc = verb.doc
    end = verb.i
    begin = end
    def loose(t: Token) -> bool:  # a name word NER left alone or took for part of a person
        found = ctx.at(t)
        return t.pos_ == "PROPN" and (found is None or found.type == "Person" and not found.known)

    while begin > verb.sent.start and loose(doc[begin - 1]):
        begin -= 1
    if end - begin < 2 or begin == verb.sent.start:
        return None
    listener = ctx.at(doc[begin - 1])
    to = next((t for t in doc[max(verb.sent.start, begin - 6) : begin] if t.lower_ == "to"), None)
    if listener is None or listener.type != "NewsAgency" or to is None or not any(
        t.lemma_.lower() in lexicon()["speaking_verbs"]
        for t in doc[max(verb.sent.start, to.i - 2) : to.i]
    ):
        return None
    person = ctx.gazetteer.adhoc(doc[begin:end].text, "Person")
    ctx.add(Mention(begin, end, person, doc[begin:end].text))
    return doc[end - 1]


def according_to(sent: Span, ctx: ItemContext) -> list[tuple[Token, list[Entity]]]:
    found = []
    lower = ctx.words.lower
    for i in range(sent.start, sent.end - 1):
        if lower[i] != "according" or lower[i + 1] != "to":
            continue
        token = sent.doc[i]
        obj = child(token.nbor(), "pobj") or child(token, "pobj")
        if obj is None:
            obj = next((t for t in token.nbor().subtree if t.dep_ == "pobj"), None)
        sources = [s for s in (source_of(obj, ctx), *conjuncts(obj, ctx)) if s is not None]
        if sources:
            found.append((token, sources))
    return found


def conjuncts(token: Token | None, ctx: ItemContext) -> list[Entity | None]:
    return [source_of(c, ctx) for c in token.conjuncts] if token is not None else []


def rank(token: Token, steps: list[Entity]) -> tuple[int, int]:
    return SOURCE_RANK.get(steps[0].type, 2), depth(token)


def attribute(sent: Span, ctx: ItemContext) -> Attribution:
    entries: list[tuple[Token, list[Entity]]] = []
    verbs: set[int] = set()
    words = ctx.words
    for i in range(sent.start, sent.end):
        citing = is_citing(words, i)
        if not citing and not may_report(words, i):
            continue  # most words: no Token made
        token = sent.doc[i]
        if is_reporting(token, words):
            verbs.add(token.i)
            steps = verb_steps(token, ctx)
            if steps:
                entries.append((token, steps))
        elif citing and not is_reporting(token.head, words):
            # "Citing X, AFP said" where the parse hangs "citing" elsewhere
            cited = source_of(child(token, "dobj"), ctx)
            if cited is not None:
                entries.append((token, [cited]))
    entries.extend(according_to(sent, ctx))
    entries.sort(key=lambda e: rank(*e))
    chain: list[Entity] = []
    for _, steps in entries:
        for s in steps:
            if all(s.key != c.key for c in chain):
                chain.append(s)
    return Attribution(
        chain=chain, hedged=is_hedged(sent, ctx.words), verbs=verbs, entries=entries
    )


def is_hedged(sent: Span, words: Words) -> bool:
    hedges = lexicon()["hedges"]
    text = sent.text.lower()
    if any(" " in h and h in text for h in hedges):
        return True
    return any(
        words.lower[i] in hedges
        or words.lemma[i] in ("claim", "allege")
        and is_claim_verb(sent.doc[i])
        for i in range(sent.start, sent.end)
    )


def is_claim_verb(token: Token) -> bool:
    """'Israel claims it struck' hedges; 'a bombing claimed by ISIS' (responsibility) does not."""
    return (
        token.lemma_.lower() in ("claim", "allege")
        and token.pos_ == "VERB"
        and any(c.dep_ == "ccomp" for c in token.children)
    )
