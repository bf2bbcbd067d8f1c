"""The rules' word lists (kg.extract.mentions.Words) and the early tests that read them."""

from __future__ import annotations

import pytest
from conftest import generated_texts, seed_texts

from kg.extract.control import control_of, is_capture_noun, may_control
from kg.extract.events import may_recognise, recognise
from kg.extract.gazetteer import default_gazetteer, lexicon
from kg.extract.mentions import Words, build_context
from kg.extract.nlp import pipeline

# the shapes the early tests let through, and odd texts
ODD = [
    "",
    "   ",
    "Killed.",
    "The ISIS-held town was freed; 12 dead, officials claimed.",
    "The capture of Raqqa by the SDF ended the battle on Sunday.",
    "The seizure of Tabqa by the SDF followed the liberation of Manbij and the fall of Jarablus.",
    "The explosion left 11 people dead and 20 wounded in Aleppo on Monday.",
]


@pytest.fixture(scope="module")
def docs() -> list:
    return list(pipeline().pipe(ODD + seed_texts() + generated_texts(40, seed=11)))


def test_words_are_the_tokens_own(docs: list) -> None:
    for doc in docs:
        words = Words(doc)
        assert len(words.pos) == len(words.lemma) == len(doc)
        for t in doc:
            assert (
                words.pos[t.i],
                words.tag[t.i],
                words.dep[t.i],
                words.lower[t.i],
                words.lemma[t.i],
            ) == (t.pos_, t.tag_, t.dep_, t.lower_, t.lemma_.lower())


def test_a_word_skipped_is_one_no_rule_reads(docs: list) -> None:
    """read_triggers skips a word that control_of's and recognise's first tests reject and
    that is no capture noun: none of the rules it calls may find anything in it. Fails if a
    rule starts reading words those tests do not let through."""
    gazetteer, captures = default_gazetteer(), lexicon()["nominal_capture"]
    skipped = read = 0
    for doc in docs:
        ctx = build_context(doc, gazetteer.for_article(), "test")
        for token in doc:
            if may_control(ctx.words, token.i) or is_capture_noun(ctx.words, token.i):
                read += 1
            else:
                skipped += 1
                assert control_of(token, ctx) is None
                assert token.pos_ != "NOUN" or token.lemma_.lower() not in captures
            if not may_recognise(ctx.words, token.i):
                assert recognise(token, ctx) == []
    assert read and skipped > 10 * read  # most words are skipped, some are read
