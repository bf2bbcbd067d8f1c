"""Claims from parsed items, sentence by sentence: control claims from the shapes of
``kg.extract.control``, attacks, casualties, statements, diplomacy and movements from
``kg.extract.events``, and every other sentence as an `other` claim; each dated, attributed
and numbered here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.claim_view import claim_view
from kg.extract.attribution import Attribution, attribute, child
from kg.extract.control import control_of, is_capture_noun, may_control
from kg.extract.control.base import Found, denied, included_places, localised, same_finding
from kg.extract.control.nouns import nominal_capture
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
    build_context,
)
from kg.extract.syntax import is_passive
from kg.read.articles import is_heading

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
        if ent.label_ not in ("DATE", "TIME"):  # "Earlier Wednesday" is often a TIME
            continue
        text = ent.text
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if prev is not None and prev.lower_ in ("on", "since", "in", "last"):
            text = f"{prev.text} {text}"
        rng = resolve(text, pub, future=is_future(ent.root)) or span_of(ent, anchor or pub)
        if rng is not None and prev is not None and prev.lower_ in ("until", "till"):
            rng = day_before(rng)  # "held by IS until November": held up to then, not in it
        if rng is not None:
            for i in range(ent.start, ent.end):
                found[i] = rng
            if rng.start is not None and rng.start == rng.end:
                anchor = rng.start  # the item's latest dated moment
    return found


def day_before(rng: DateRange) -> DateRange | None:
    if rng.start is None:
        return None
    day = rng.start - dt.timedelta(days=1)
    return DateRange(day, day, rng.text)


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
        shifted_by_length = offset_days(t) != 0  # "a day after it was lost": a length, no date
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
            if shifted_by_length and c.dep_ == "npadvmod":
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
        # "Monday's fighting, which resulted in X taking control": the fighting's day
        of_fighting = t.dep_ == "relcl" and t.head.lemma_.lower() in lexicon()["attack_nouns"]
        if (t.dep_ not in UPWARD_DEPS and not participle and not of_fighting) or t.head.i == t.i:
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
    before = clause.doc[mark.i - 1] if mark.i > 0 else None
    # the length hung on the clause, or just before its 'after' wherever the parse hung it
    for c in [*clause.children, *([before] if before is not None else [])]:
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
    ended_by_change(claims)
    ended_before_the_news(found, claims, sent)
    claims += [event_claim(e, sent, index, dates, triggers) for e in events]
    said_by = [f.trigger for f in found] + [e.trigger for e in events]
    taken = triggers - attribution.verbs
    speech = (
        None if headline else statement(sent, ctx, attribution.claimant, attribution.verbs, taken)
    )
    if speech is not None and speech.trigger.i not in {e.trigger.i for e in events}:
        claims.append(event_claim(speech, sent, index, dates, triggers))
    if not claims:
        claims = [other_claim(sent, index, ctx, dates)]
    disputed = disputes(sent, ctx.words)
    for k, claim in enumerate(claims):
        own = attribution.scoped(said_by[k]) if k < len(said_by) else attribution
        finish(claim, ctx, own, publisher, relay)
        claim.contested = disputed
    remember(sent, ctx, found, attribution)
    return claims


def ended_before_the_news(found: list[Found], claims: list[Claim], sent: Span) -> None:
    """'X had been in IS hands since June 2014': a state the past perfect tells held from its
    start, and no longer by the report (no change of the sentence ended it at a known day)."""
    published = sent.doc.user_data.get("published")
    if not published:
        return
    pub = dt.date.fromisoformat(published)
    for f, c in zip(found, claims, strict=True):
        date = c.date
        if (c.event == "ControlState" and date is not None and date.start is not None
                and date.end == pub and date.start < pub and before_the_news(f.trigger, sent)):
            c.date = DateRange(date.start, date.start, date.text)


def ended_by_change(claims: list[Claim]) -> None:
    """'retook Rawa, the last town held by IS', 'recaptured X, which had been held by the
    army since April': a state the sentence's own change ends held until the day before it."""
    changes = [
        (c.date.start, c.place.key, c.controller.key)
        for c in claims
        if c.event == "ControlChange" and c.date and c.date.start and c.place and c.controller
    ]
    for state in claims:
        date, place, holder = state.date, state.place, state.controller
        if state.event != "ControlState" or not date or not date.end or not place or not holder:
            continue
        for day, where, taker in changes:
            if where == place.key and taker != holder.key and date.end >= day:
                end = day - dt.timedelta(days=1)
                start = date.start if date.start and date.start <= end else end
                state.date = date = DateRange(start, end, date.text)


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
            f.controller = f.controller or taker_told_before(f, ctx)
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
            if f.place is not None and f.controller is not None:
                ctx.holders[f.place.key] = f.controller
        elif event:
            events.extend(recognise(token, ctx))
    # an attack noun under a change of control or a killing is how it happened
    anchors = {f.trigger.i: f.place for f in found} | {
        e.trigger.i: e.place for e in events if e.type == "casualties"
    }
    nominal = nominal_attacks(sent, ctx, events, anchors) + nominal_diplomacy(sent, ctx, events)
    return found, merge_events(events + nominal)


def taker_told_before(f: Found, ctx: ItemContext) -> Entity | None:
    """'Army units ousted the Nusra Front from X ... a source said X was seized on Tuesday': a
    taking that names no taker is by the side the item said took the place, unless it is a
    retaking or a liberation (kg/data/lexicon.json "retaking_words") or from that side."""
    if f.event != "ControlChange" or f.place is None or f.agent is not None or not (
        f.trigger.pos_ == "VERB" and is_passive(f.trigger)
    ):
        return None
    earlier = ctx.controllers.get(f.place.key)
    if earlier is None or f.trigger.lemma_.lower() in lexicon()["retaking_words"] or any(
        c.lower_ == "back" for c in f.trigger.children
    ):
        return None  # "ISIS seized X in 2014 ... X was liberated on Tuesday": the other side
    if f.target is not None and ctx.gazetteer.side_of(f.target) == earlier:
        return None
    return earlier


def event_claim(
    e: Event, sent: Span, index: int, dates: dict[int, DateRange], triggers: set[int]
) -> Claim:
    return Claim(
        type=e.type,
        sentence_index=index,
        sentence=sent.text.strip(),
        event=claim_view().types[e.type].event,
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
    if date is None and f.event == "ControlState" and before_the_news(f.trigger, sent):
        pass  # "the village had been under government control": held before, not that day
    elif date is None and f.event == "ControlState":
        # a state named in a sentence about a dated event holds on that event's day too; told
        # without one, it held on the day of the item's news as well ("strikes on Sunday
        # killed 20 ... in Idlib, which is held by Y")
        date = sentence_day(sent, dates) or lead_day(sent, dates) or publication_range(sent.doc)
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
    """The single day the item named last for when something was said, up to this sentence
    ('... state television reported on Saturday'), if it lies in the week before
    publication."""
    published = sent.doc.user_data.get("published")
    if not published:
        return None
    pub = dt.date.fromisoformat(published)
    doc = sent.doc
    for i in range(sent.end - 1, -1, -1):
        rng = dates.get(i)
        if rng is None or rng.start is None or rng.start != rng.end or not says_when(doc[i]):
            continue
        return rng if pub - dt.timedelta(days=within) <= rng.start <= pub else None
    return None


def lead_day(sent: Span, dates: dict[int, DateRange], within: int = 7) -> DateRange | None:
    """The first single day the item names up to this sentence, if it lies in the week
    before publication: the day of its news."""
    published = sent.doc.user_data.get("published")
    if not published:
        return None
    pub = dt.date.fromisoformat(published)
    for i in range(0, sent.end):
        rng = dates.get(i)
        if rng is not None and rng.start is not None and rng.start == rng.end:
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
        # "the army announced the capture of X", "the capture of X was announced": news,
        # unless the announcing is told as backstory ("had earlier announced the capture")
        if not (trigger.dep_ in ("dobj", "nsubjpass")
                and trigger.head.lemma_.lower() in lexicon()["declare_verbs"]):
            return True
        trigger = trigger.head
    chain = {trigger.i} | {a.i for a in trigger.ancestors}
    return any(
        t.head.i in chain  # the trigger's own clause or one governing it
        and (
            (t.dep_ in ("aux", "auxpass") and t.lower_ == "had" and not reported(t.head))
            or (t.lower_ in lexicon()["backstory_adverbs"]
                and not (t.lower_ == "earlier" and t.i == sent.start)  # "Earlier, ...": today's
                and t.ent_type_ not in ("DATE", "TIME")
                and not (t.i + 1 < len(t.doc) and t.doc[t.i + 1].ent_type_ in ("DATE", "TIME")))
        )
        for t in sent
    )  # "earlier on Wednesday" is today's news; "after losing it hours earlier" is aside


def before_the_news(trigger: Token, sent: Span) -> bool:
    """A state told in the past perfect ('the village had been under government control'):
    it held before the news, on no day the item names ('Once Syria's economic powerhouse,
    Aleppo has been divided ...' is today's)."""
    chain = {trigger.i} | {a.i for a in trigger.ancestors}
    return any(
        t.head.i in chain and t.dep_ in ("aux", "auxpass") and t.lower_ == "had"
        and not reported(t.head)
        for t in sent
    )


def reported(verb: Token) -> bool:
    """'The army said villages had been retaken': the past perfect of reported speech tells
    the news itself."""
    return verb.dep_ == "ccomp" and verb.head.lemma_.lower() in lexicon()["reporting_verbs"]


def sentence_day(sent: Span, dates: dict[int, DateRange]) -> DateRange | None:
    """The one day a sentence names, if it names exactly one (and not after publication)."""
    published = sent.doc.user_data.get("published")
    pub = dt.date.fromisoformat(published) if published else None
    days = {
        rng
        for i in range(sent.start, sent.end)
        if (rng := dates.get(i)) is not None and rng.start is not None and rng.start == rng.end
        and (pub is None or rng.start <= pub)  # "convoys will arrive by next Saturday": a plan
    }
    if not days:
        return period_since(sent, dates, published)
    if len({d.start for d in days}) != 1:
        return None
    return next(iter(days))


def period_since(
    sent: Span, dates: dict[int, DateRange], published: str | None
) -> DateRange | None:
    """'a truce in 2014 left X in rebel hands': a state told with one past period holds from
    that period's start to the report."""
    if not published:
        return None
    pub = dt.date.fromisoformat(published)
    periods = {rng for i in range(sent.start, sent.end) if (rng := dates.get(i)) is not None
               and rng.start is not None and rng.end is not None and rng.start < rng.end}
    if len(periods) != 1:
        return None
    period = next(iter(periods))
    if period.start is None or period.start > pub:
        return None
    return DateRange(period.start, pub, period.text)


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
    date_backstories(claims, doc)
    return claims


def date_backstories(claims: list[Claim], doc: Doc) -> None:
    """A change told as background with no day ('the brief seizure of X', 'after it had
    fallen to IS') happened by the time of the report: it gets that bound, and so holds on
    the publication day, unless the item dates another change or state of the place (then
    the dated telling is the one to read)."""
    published = doc.user_data.get("published")
    if not published:
        return
    pub = dt.date.fromisoformat(published)
    dated = {c.place.key for c in claims
             if c.type == "control" and c.place is not None and c.date is not None}
    for c in claims:
        if (c.type == "control" and c.event == "ControlChange" and c.date is None
                and not c.denial and c.place is not None and c.controller is not None
                and c.place.key not in dated):
            c.date = DateRange(None, pub, "(by publication)")


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
