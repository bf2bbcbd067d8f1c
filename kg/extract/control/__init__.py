"""Control claims: the linguistic shapes that tell who holds a place, registered in one order.

Each shape is one small reader in a module of its kind (``verbs``, ``nouns``, ``states``,
``sieges``) and declares here what it reads: the parts of speech of its trigger word and the
lexicon lists (``kg/data/lexicon.json``) the word's lemma comes from. ``control_of`` tries
the shapes in ``SHAPES`` order; the first whose trigger fits reads the token, and its finding
(or its refusal) is the answer, unless the shape only ``tries`` (a verb such as "hold" is a
state only with "control" as its object, and falls to the next shape otherwise). Plans,
conditions, modality and negation ("racing to take", "if X is captured", "will recapture")
are no control, whatever the shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Token

from kg.extract.control import nouns, sieges, states, verbs
from kg.extract.control.base import FIGHTING_TYPES, Found
from kg.extract.cues import PART_KINDS
from kg.extract.gazetteer import Entity, Gazetteer, lexicon
from kg.extract.mentions import SETTLEMENTS, ItemContext, Words, called_so, next_sentence_end
from kg.extract.syntax import irrealis, is_passive, phrasal

Reader = Callable[[Token, ItemContext, Gazetteer], Found | None]


@dataclass(frozen=True)
class Shape:
    """One way reports word control: its trigger (parts of speech, lexicon lists of lemmas,
    phrasal verbs as lists of particles, an extra test) and its reader."""

    name: str
    pos: tuple[str, ...]
    words: tuple[str, ...]  # lexicon lists the trigger's lemma is in
    read: Reader
    phrasal: tuple[str, ...] = ()  # lexicon maps of verb -> particles ("hand over")
    test: Callable[[Token, ItemContext], bool] | None = None
    tries: bool = False  # no finding: let the next shape read the token

    def fits(self, token: Token, ctx: ItemContext) -> bool:
        if token.pos_ not in self.pos:
            return False
        lex, lemma, lower = lexicon(), token.lemma_.lower(), token.lower_
        if not (any(lemma in lex[k] or lower in lex[k] for k in self.words) or any(
            phrasal(token, k) for k in self.phrasal
        )):
            return False
        return self.test is None or self.test(token, ctx)


def held_suffix(token: Token, ctx: ItemContext) -> bool:
    """'ISIS-held', 'rebel-controlled': the suffix after a hyphen."""
    return token.i >= 2 and token.nbor(-1).text == "-"


def held_after_holder(token: Token, ctx: ItemContext) -> bool:
    """'opposition held X', 'rebel held areas': the suffix right after a word naming a party,
    its hyphen stripped."""
    if token.i < 1 or token.nbor(-1).text == "-" or token.nbor(-1).i < token.sent.start:
        return False
    return states.holder_word(token.nbor(-1), ctx) is not None


# The order in one place: the first shape whose trigger fits a token reads it.
SHAPES: tuple[Shape, ...] = (
    Shape("capture", ("VERB",), ("control_gain",), verbs.gain, ("control_gain_phrasal",)),
    Shape("declared victory", ("VERB",), ("declare_verbs",), verbs.declared_victory),
    Shape("raised its flag", ("VERB",), ("flag_verbs",), verbs.raised_flag),
    Shape("defeat", ("VERB",), ("control_defeat",), verbs.defeat,
          test=lambda t, ctx: is_passive(t), tries=True),
    Shape("deprive", ("VERB",), ("control_deprive",), lambda t, ctx, g: verbs.deprive(t, ctx)),
    Shape("fall to", ("VERB",), ("control_fall",), verbs.fall_to),
    Shape("hand over", ("VERB",), ("control_cede",), verbs.cede, ("control_cede_phrasal",)),
    Shape("control as object", ("VERB", "AUX"), ("control_take_verbs", "control_keep_verbs"),
          verbs.control_object, tries=True),
    Shape("stronghold", ("NOUN",), ("stronghold_state_nouns",), nouns.stronghold_noun),
    Shape("siege verb", ("VERB", "ADJ"), ("siege_verbs",), sieges.besieged),
    Shape("siege noun", ("NOUN",), ("siege_nouns",), sieges.siege_noun),
    Shape("group's capital", ("NOUN",), ("group_capital_nouns",), nouns.stronghold_noun,
          test=nouns.group_capital),
    Shape("in hands", ("NOUN",), ("control_state_nouns",), states.controlled),
    Shape("party's place", ("NOUN",), ("party_place_nouns",), states.party_place),
    Shape("party's facility", ("NOUN",), ("facility_heads",), nouns.party_facility),
    Shape("stronghold was", ("AUX",), ("copula_verbs",), nouns.stronghold_of),
    Shape("drive out", ("VERB",), ("control_drive_out",), verbs.drive_out),
    Shape("loss", ("VERB",), ("control_loss",), lambda t, ctx, g: verbs.loss(t, ctx),
          ("control_loss_phrasal",)),
    Shape("X-held", ("VERB", "ADJ", "NOUN", "AUX"), ("held_suffixes",), states.held,
          test=held_suffix),
    Shape("X held", ("VERB", "ADJ"), ("held_suffixes",), states.held_unhyphenated,
          test=held_after_holder, tries=True),
    Shape("controlled", ("VERB", "ADJ", "NOUN", "AUX"), ("control_state_verbs", "control_nouns"),
          states.controlled),
    Shape("declared free", ("ADJ",), ("free_adjectives",), verbs.declared_free),
    Shape("repelled", ("VERB",), ("repel_verbs",), states.repelled, ("repel_phrasal",)),
    Shape("divided between", ("NOUN", "ADJ", "ADV", "PROPN"), ("part_directions",),
          states.divided_part),
)


@lru_cache(maxsize=1)
def control_lemmas() -> frozenset[str]:
    """Every word a shape's trigger can be: a token with none of them is passed over."""
    lex = lexicon()
    words = {w for s in SHAPES for key in s.words for w in lex[key]}
    return frozenset(words | {w for s in SHAPES for key in s.phrasal for w in lex[key]})


CONTROL_POS = frozenset(p for s in SHAPES for p in s.pos)


def may_control(words: Words, i: int) -> bool:
    """control_of's first test, on the item's word lists: a word no shape reads (most words
    of a text) is passed over without a Token or the irrealis test's walk."""
    return words.pos[i] in CONTROL_POS and (
        words.lemma[i] in control_lemmas() or words.lower[i] in control_lemmas()
    )


def is_capture_noun(words: Words, i: int) -> bool:
    """'the capture of X', 'the fall of X': nominal_capture's word."""
    return words.pos[i] == "NOUN" and words.lemma[i] in lexicon()["nominal_capture"]


def control_of(token: Token, ctx: ItemContext) -> Found | None:
    if not may_control(ctx.words, token.i):
        return None
    if irrealis(token):
        return still_held(token, ctx)
    for shape in SHAPES:
        if not shape.fits(token, ctx):
            continue
        found = shape.read(token, ctx, ctx.gazetteer)
        if found is not None and partly(token):
            return None  # "was partly held by IS": a divided place has no one controller
        if found is not None and found.event == "ControlState":
            found.others += [p for p in parts_within(token, ctx) + parts_of_half_next(found, ctx)
                             if p != found.place and p not in found.others]
        if found is not None or not shape.tries:
            return found
    return None


TAKING = tuple(s for s in SHAPES if s.name in ("capture", "drive out"))


def still_held(token: Token, ctx: ItemContext) -> Found | None:
    """'an operation to retake Mosul from Daesh', 'to push IS militants out of al-Bab',
    'failed to capture X from Y': a plan or a try to take a place from a party is no change,
    but says that party holds the place."""
    for shape in TAKING:
        if not shape.fits(token, ctx):
            continue
        found = shape.read(token, ctx, ctx.gazetteer)
        if found is None or found.place is None:
            return None
        holder = found.target
        if holder is None or holder.type not in FIGHTING_TYPES:
            return None
        side = ctx.gazetteer.side_of(holder)
        return Found(token, "ControlState", found.place, holder, None, side, found.others)
    return None


NAMED_PARTS = (*PART_KINDS, "town", "village")  # what lies in a held place


def parts_within(trigger: Token, ctx: ItemContext) -> list[Entity]:
    """'the Zubdiya neighbourhood in rebel-held Aleppo', 'the town of Douma in the rebel
    stronghold of Eastern Ghouta', 'the neighbourhoods of A, B and C in the besieged east':
    places named with their kind just before 'in' a held place are held by the same party."""
    start = min(trigger.left_edge.i, trigger.i)
    if start < 3 or trigger.doc[start - 1].lower_ not in ("in", "of"):
        return []
    doc, end = trigger.doc, start - 1
    kind = doc[end - 1].lemma_.lower()
    for m in ctx.mentions:
        ends_here = m.end == end and (any(called_so(m, k, doc) for k in NAMED_PARTS)
                                      or m.start in ctx.lists)
        before_kind = m.end == end - 1 and kind in NAMED_PARTS
        if (ends_here or before_kind) and m.entity.type not in ("Country", "Province") and (
            m.entity.type in SETTLEMENTS | {"Region"}
        ):
            return ctx.lists.get(m.start, [m.entity])
    return []


def parts_of_half_next(found: Found, ctx: ItemContext) -> list[Entity]:
    """'airstrikes on the rebel-held east of Aleppo ... The raids on Aleppo's Marjeh district
    killed ...': the quarters the next two sentences name with a part word lie in the half
    the sentence before them called held (not those they call held by someone of their own)."""
    half = found.place
    if half is None or not half.is_city_half:
        return []
    doc, end = found.trigger.doc, found.trigger.sent.end
    if end >= len(doc):
        return []
    following = doc[end : next_sentence_end(found.trigger, 2)]
    out: list[Entity] = []
    for m in ctx.mentions:
        if not following.start <= m.start < following.end or m.entity in out:
            continue
        if m.entity.is_city_half or not (m.entity.type == "Region" and not m.entity.known
                                         or m.entity.part_of == half.part_of):
            continue
        named_as_part = any(called_so(m, k, doc) for k in PART_KINDS) or (
            m.start in ctx.lists or m.end < len(doc) and doc[m.end].lemma_.lower() in PART_KINDS)
        own_holder = any(t.lower_ in lexicon()["held_suffixes"] or t.lower_ == "besieged"
                         for t in doc[max(following.start, m.start - 3) : m.start])
        if named_as_part and not own_holder:
            out.extend(e for e in ctx.lists.get(m.start, [m.entity]) if e not in out)
    return out


def partly(token: Token) -> bool:
    return any(
        c.dep_ == "advmod" and c.lower_ in lexicon()["partial_adverbs"] for c in token.children
    )


__all__ = ["SHAPES", "Found", "Shape", "control_of", "is_capture_noun", "may_control"]
