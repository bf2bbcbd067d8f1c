"""kg's attribute rules annotate exactly as the model's own attribute ruler does."""

from __future__ import annotations

import pytest
from conftest import generated_texts, seed_texts

from kg.extract.attribute_rules import RememberedAttributeRuler, remember_attribute_rules
from kg.extract.nlp import load_model, pipeline

# What the model's exceptions are about: contractions over two tokens, pronoun case by
# dependency, auxiliaries, "there is", whitespace tokens, determiners standing alone
TRICKY = [
    "I think you're gonna like it, y'all. Let's go! There is nothing doin' here, ol' man.",
    "It was done. I saw it. They gave it to me and you. Gotta go, c'mon, 'nuff said.",
    "But he said that those who fled were many.  \n\n  Double  spaces and a tab\there.",
    "That is what which did. Did they? They did, and they had had enough.",
    "",
    "   ",
]
ATTRIBUTES = ["TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "NORM"]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return TRICKY + seed_texts() + generated_texts(40, seed=3)


def test_annotations_are_the_models_own(texts: list[str]) -> None:
    stock, remembered = load_model(), load_model()
    remember_attribute_rules(remembered)
    assert "attribute_ruler" in stock.pipe_names
    assert "attribute_ruler" not in remembered.pipe_names
    assert remembered.pipe_names.index("kg_attribute_rules") == stock.pipe_names.index(
        "attribute_ruler"
    )
    ours = list(remembered.pipe(texts))
    for theirs, mine in zip(stock.pipe(texts), ours, strict=True):
        assert [t.text for t in theirs] == [t.text for t in mine]
        differing = [
            (t.text, t.pos_, t.lemma_, str(t.morph), u.pos_, u.lemma_, str(u.morph))
            for t, u in zip(theirs, mine, strict=True)
            if (t.pos_, t.lemma_, str(t.morph), t.tag_) != (u.pos_, u.lemma_, str(u.morph), u.tag_)
        ]
        assert differing == []
        assert (theirs.to_array(ATTRIBUTES) == mine.to_array(ATTRIBUTES)).all()
    rules = remembered.get_pipe("kg_attribute_rules")
    assert isinstance(rules, RememberedAttributeRuler)
    # the one-token rules were remembered, far fewer kinds than tokens
    assert 0 < len(rules.remembered) < sum(len(doc) for doc in ours) / 2
    # and the rules of two tokens were applied: "gon na" is lemmatised as "go to"
    gonna = next(doc for doc in ours if "gon" in [t.text for t in doc])
    assert [t.lemma_ for t in gonna if t.text in ("gon", "na")] == ["go", "to"]


def test_a_remembered_answer_is_the_same_as_a_fresh_one(texts: list[str]) -> None:
    """The second time a kind of token is seen its attributes come from memory; forgetting
    everything between documents changes nothing."""
    nlp = load_model()
    remember_attribute_rules(nlp)
    rules = nlp.get_pipe("kg_attribute_rules")
    warm = [doc.to_array(ATTRIBUTES) for doc in nlp.pipe(texts)]
    cold = []
    for text in texts:
        rules.remembered.clear()
        cold.append(nlp(text).to_array(ATTRIBUTES))
    assert all((a == b).all() for a, b in zip(warm, cold, strict=True))


def test_the_build_pipeline_uses_them() -> None:
    assert "kg_attribute_rules" in pipeline().pipe_names
    assert "attribute_ruler" not in pipeline().pipe_names


def test_any_ruler_rules_the_same() -> None:
    """Rules of another ruler: overlapping ones (the later wins), operators, regexes, flags,
    a negative index, and a rule on an extension attribute, which stays with a Matcher."""
    import spacy
    from spacy.tokens import Token

    if not Token.has_extension("kg_test_mark"):
        Token.set_extension("kg_test_mark", default=None)
    rules = [
        ([[{"IS_ALPHA": True}]], {"POS": "X"}, 0),
        ([[{"LOWER": "cat"}], [{"TEXT": {"REGEX": "^Do"}}]], {"POS": "NOUN", "LEMMA": "pet"}, 0),
        ([[{"LOWER": "big", "OP": "+"}, {"IS_ALPHA": True}]], {"TAG": "JJ"}, -1),
        ([[{"LENGTH": 3}]], {"MORPH": "Number=Sing"}, 0),
        ([[{"IS_PUNCT": True}]], {"_": {"kg_test_mark": "p"}}, 0),
        ([[{"LOWER": "the"}, {"LOWER": "cat"}]], {"POS": "PROPN"}, 1),
    ]

    def ruled(remember: bool) -> list:
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("attribute_ruler")
        for patterns, attrs, index in rules:
            ruler.add(patterns, attrs, index)  # type: ignore[attr-defined]
        if remember:
            remember_attribute_rules(nlp)
            assert "kg_attribute_rules" in nlp.pipe_names
        text = "The cat and the big big dog sat. Dogs, cats: the end! The cat"
        return [
            [(t.pos_, t.tag_, t.lemma_, str(t.morph), t._.kg_test_mark) for t in doc]
            for doc in nlp.pipe([text, text.lower(), "", "x"])
        ]

    assert ruled(remember=True) == ruled(remember=False)


def test_an_anonymous_source_is_named_by_its_own_words() -> None:
    """A stripped comma glues a place, a name or an adverb to 'a military source'."""
    from test_rules import claims_of

    for text, label in [
        (
            "Later a military source announced that the army took the town of Tadef.",
            "military source",
        ),
        (
            "Air strikes hit several rebel-held districts including al-Kalaseh and al-Mashhad "
            "civil defence officials told Reuters.",
            "civil defence officials",
        ),
        (  # a named speaker is the claimant, not the role before the name
            "Air strikes hit several rebel-held districts including al-Kalaseh and al-Mashhad "
            "civil defence official Ahmad Ali told Reuters.",
            "Ahmad Ali",
        ),
        ("The army retook the town of Tadef, a source on the ground said.", "source on the ground"),
    ]:
        claims = [c for c in claims_of(text) if c.type == "control"]
        assert claims and {c.claimant.label for c in claims} == {label}, text


def test_speaking_to_an_outlet_the_name_before_the_verb_speaks() -> None:
    """'Speaking to Anadolu Agency Karim Haddad said ...', the comma a feed stripped: Haddad
    is the claimant, the agency relays him."""
    from test_control_shapes import controls

    [c] = controls("Speaking to Anadolu Agency Karim Haddad said the warplanes struck the "
                   "rebel-held town of Kafr Dalla on Wednesday.")
    assert c.claimant.label == "Karim Haddad"
    assert [s.label for s in c.reported_by] == ["Anadolu Agency", "Karim Haddad"]

