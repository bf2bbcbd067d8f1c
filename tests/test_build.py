"""Build internals: one article whose extraction fails cannot take the others down."""

from __future__ import annotations

import datetime as dt

from kg.build import extract_chunk
from kg.read.articles import Article, Item


def article(stem: str, items) -> Article:
    return Article(stem=stem, text="x", published=dt.date(2019, 3, 13), items=items)


def test_a_failing_article_is_isolated_and_named() -> None:
    good = article("good", [Item("A Headline For The Item", ["Rebels captured the town of "
                                                              "Kafr Salem on Sunday, AFP said."])])
    broken = article("broken", [Item(None, None)])  # no paragraphs: the pipeline raises
    done = {e.stem: e for e in extract_chunk([good, broken])}
    assert done["good"].error is None and done["good"].claims >= 2 and done["good"].nquads
    assert done["broken"].error and done["broken"].nquads == b""
