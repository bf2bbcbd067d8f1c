"""spaCy's attribute ruler with its one-token matches remembered per kind of token.

The model's attribute ruler (tag to POS and morphology, a few exceptions by word and
dependency) runs its Matcher over every token of every document: about a sixth of the whole
pipeline's time on wire copy, for rules whose outcome for a one-token pattern depends only on
the token's own attributes (tag, lower-case form, dependency, ...). `RememberedAttributeRuler`
asks the model's own Matcher once per distinct combination of those attributes and remembers
the answer; patterns of several tokens, with operators or on extension attributes go through
a Matcher as before. The rules, their order and the annotations are the model's: later rules
take precedence, as in spaCy's `AttributeRuler`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# Pattern keys that are not token attributes read from the token itself
_NOT_ATTRIBUTES = {"OP", "_"}
_ALIASES = {"TEXT": "ORTH"}


class RememberedAttributeRuler:
    """Does to a Doc what ``ruler`` does, with one-token matches looked up per token key."""

    LIMIT = 1_000_000  # token keys remembered at most; then forgotten and learnt anew

    def __init__(self, ruler: AttributeRuler) -> None:
        vocab = ruler.vocab
        self.attrs, self.indices = ruler.attrs, ruler.indices
        self.one_token = Matcher(vocab, validate=False)
        self.others = Matcher(vocab, validate=False)
        self.rule_of: dict[int, int] = {}
        read: set[str] = set()
        for rule, attrs in enumerate(ruler.attrs):
            key = vocab.strings[str(rule)]
            self.rule_of[key] = rule
            patterns = ruler.matcher.get(key)[1] if key in ruler.matcher else []  # type: ignore[operator]
            single = [p for p in patterns if "_" not in attrs and _per_token(p)]
            if single:
                self.one_token.add(key, single)
                read.update(_name(attribute) for p in single for attribute in p[0])
            if rest := [p for p in patterns if p not in single]:
                self.others.add(key, rest)
        self.read = sorted(read)  # the token attributes the one-token rules look at
        self.remembered: dict[tuple[Any, ...], dict[str, Any] | None] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        if len(self.remembered) > self.LIMIT:
            self.remembered.clear()
        keys: list[list[Any]] = [[] for _ in doc]  # no one-token rule: one key for all
        if self.read:
            read: list[int | str] = list(self.read)
            keys = doc.to_array(read).reshape(len(doc), -1).tolist()
        extra = self._other_matches(doc)
        for i, values in enumerate(keys):
            if i in extra:
                continue
            key = tuple(values)
            try:
                attrs = self.remembered[key]
            except KeyError:
                attrs = self.remembered[key] = self._merged(self._matched_rules(doc, i))
            if attrs:
                set_token_attrs(doc[i], attrs)
        for i, rules in extra.items():  # in the order spaCy's AttributeRuler applies them
            for rule in sorted(self._matched_rules(doc, i) + rules):
                set_token_attrs(doc[i], self.attrs[rule])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def _matched_rules(self, doc: Doc, i: int) -> list[int]:
        """The rules whose one-token patterns match token ``i`` (they read no other token)."""
        matches = self.one_token(doc[i : i + 1], allow_missing=True)
        return [self.rule_of[match] for match, _, _ in matches]

    def _merged(self, rules: list[int]) -> dict[str, Any] | None:
        """The attributes the rules set, the later rule's value where two set the same one
        (each is a field of its own, so setting them at once is setting them in turn)."""
        merged: dict[str, Any] = {}
        for rule in sorted(rules):
            merged.update(self.attrs[rule])
        return merged or None

    def _other_matches(self, doc: Doc) -> dict[int, list[int]]:
        """Rules of several tokens or with operators: the token each sets, and the rules."""
        found: dict[int, list[int]] = {}
        if not len(self.others):
            return found  # (spaCy warns of a Matcher called with no patterns)
        for match, start, end in self.others(doc, allow_missing=True):
            rule = self.rule_of[match]
            index = self.indices[rule]
            target = start + index if index >= 0 else end + index
            if not start <= target < end:
                raise ValueError(f"attribute rule {rule}: index {index} is outside its match")
            found.setdefault(target, []).append(rule)
        return found


def _name(attribute: str) -> str:
    return _ALIASES.get(attribute.upper(), attribute.upper())


def _per_token(pattern: list[dict[str, Any]]) -> bool:
    """A pattern that matches exactly one token on that token's own attributes."""
    return len(pattern) == 1 and all(
        (name := _name(attribute)) not in _NOT_ATTRIBUTES and name in IDS
        for attribute in pattern[0]
    )


@Language.factory("kg_attribute_rules")
def _remembered(nlp: Language, name: str) -> RememberedAttributeRuler:
    """The model's attribute ruler, remembered; raises KeyError or ValueError (on a one-word
    Doc) when its one-token rules read an attribute a Doc cannot give as an array."""
    rules = RememberedAttributeRuler(nlp.get_pipe("attribute_ruler"))  # type: ignore[arg-type]
    rules(nlp.make_doc("a"))
    return rules


def remember_attribute_rules(nlp: Language) -> None:
    """Put a RememberedAttributeRuler in place of the model's attribute ruler, if it has one
    it can stand for (another model's may read other attributes: then its own ruler stays)."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    try:
        nlp.add_pipe("kg_attribute_rules", after="attribute_ruler")
    except (KeyError, ValueError):
        return  # nothing was added
    nlp.remove_pipe("attribute_ruler")
