"""Extraction of one article: items through the spaCy pipeline, then the claim rules."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import tee

from kg.extract.claims import Claim, item_claims
from kg.extract.gazetteer import Entity, Gazetteer, default_gazetteer
from kg.extract.nlp import make_doc, pipeline
from kg.read.articles import Article


def publisher_entity(article: Article, gazetteer: Gazetteer) -> Entity | None:
    if not article.publisher:
        return None
    return gazetteer.lookup(article.publisher) or gazetteer.adhoc(article.publisher, "NewsAgency")


def relay_entity(
    article: Article, gazetteer: Gazetteer, publisher: Entity | None
) -> Entity | None:
    """The wire agency the article's byline names, unless it is the publisher itself."""
    if not article.relay:
        return None
    relay = gazetteer.lookup(article.relay) or gazetteer.adhoc(article.relay, "NewsAgency")
    return None if publisher is not None and relay.key == publisher.key else relay


def extract(article: Article) -> list[Claim]:
    return next(extract_many([article]))


def extract_many(articles: Iterable[Article], batch_size: int = 64) -> Iterator[list[Claim]]:
    """Claims per article, in order; items of all articles share spaCy's batches (an article
    of one item would otherwise be a batch of one)."""
    nlp, known = pipeline(), default_gazetteer()
    feed, read = tee(articles)
    docs = nlp.pipe(
        (make_doc(nlp, i.headline, i.paragraphs, a.published) for a in feed for i in a.items),
        batch_size=batch_size,
    )
    for article in read:
        gazetteer = known.for_article()  # what one article makes of a name stays in it
        publisher = publisher_entity(article, gazetteer)
        relay = relay_entity(article, gazetteer, publisher)
        claims: list[Claim] = []
        item_docs = [next(docs) for _ in article.items]
        focus = article_places(item_docs, gazetteer)
        for doc in item_docs:
            offset = len({c.sentence_index for c in claims})
            claims.extend(
                item_claims(doc, gazetteer, article.stem, offset, publisher, focus, relay)
            )
        yield claims


def article_places(docs: list, gazetteer: Gazetteer) -> Counter:
    """How often each known settlement is named across the article: the focus a summary
    item ("the last stronghold in the country") refers to."""
    counts: Counter = Counter()
    for doc in docs:
        for ent in doc.ents:
            entity = gazetteer.get(ent.ent_id_) if ent.label_ == "KG" else None
            if entity is not None and entity.type in ("Town", "City", "Village"):
                counts[entity.key] += 1
    return counts
