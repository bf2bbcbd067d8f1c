"""Emit RDF: an article and its claims as the quads of the article's named graph (N-Quads).

Each claim points at its own reading of the event (``<claim>/event``): two sources may
disagree on the agent or the day, and each reading keeps its own. See ontology/MODEL.md.
"""

from __future__ import annotations

from functools import cache

import pyoxigraph as ox

from kg.claim_view import Field, claim_view
from kg.emit.link import LinkContext, link_entity
from kg.extract.claims import Claim
from kg.extract.gazetteer import Entity, Gazetteer
from kg.read.articles import Article
from kg.vocab import (
    ENTITIES_GRAPH,
    GEONAMES,
    ONTOLOGY,
    PREFIXES,
    WIKIDATA,
    article_iri,
    claim_iri,
    entity_iri,
    event_iri,
    graph_iri,
)

# Terms are written as N-Quads text from the start: building a pyoxigraph term for each
# subject, predicate and object (and a Quad for each triple) cost a worker more than the
# rules that found the claims; the store parses the text in Rust either way. The IRIs are
# minted by kg.vocab (percent-encoded or slugged), so only literals need escaping.
XSD = PREFIXES["xsd"]
# the roles in which a claim, or its event, names the entities whose listings are read by page
# (`kg.derived.paging.TermPages`): the properties of its entity fields (kg/data/claims.json)
TERM_ROLES = tuple(str(f.name) for f in claim_view().fields.values() if f.is_entity)
# as pyoxigraph escapes a literal: control characters, the quote and the backslash
ESCAPES = str.maketrans(
    {chr(c): f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
    | {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    | {'"': '\\"', "\\": "\\\\"}
)


def iri(value: str) -> str:
    return f"<{value}>"


@cache
def ckg(name: str) -> str:
    return f"<{ONTOLOGY}{name}>"


@cache
def term(prefix: str, name: str) -> str:
    return f"<{PREFIXES[prefix]}{name}>"


RDF_TYPE = term("rdf", "type")


def text(value: str) -> str:
    """A plain literal (xsd:string)."""
    return '"' + value.translate(ESCAPES) + '"'


def typed(value: str, datatype: str) -> str:
    return f"{text(value)}^^<{XSD}{datatype}>"


def lit(value: object) -> str:
    if isinstance(value, bool):
        return typed(str(value).lower(), "boolean")
    if isinstance(value, int):
        return typed(str(value), "integer")
    return text(str(value))


def date_lit(day) -> str:
    return typed(day.isoformat(), "date")


class Emitter:
    """Collects the triples of one article's graph, each entity described once."""

    def __init__(self, article: Article, gazetteer: Gazetteer) -> None:
        self.article = article
        self.gazetteer = gazetteer
        self.graph = iri(graph_iri(article.stem))
        self.triples: list[tuple[str, str, str]] = []  # N-Triples terms
        self.entity_triples: list[tuple[str, str, str]] = []
        self.seen: set[str] = set()
        self.context = LinkContext()

    def add(self, s: str, p: str, o: str | None, shared: bool = False) -> None:
        if o is not None:
            (self.entity_triples if shared else self.triples).append((s, p, o))

    def add_shared(self, s: str, p: str, o: str | None) -> None:
        self.add(s, p, o, shared=True)

    def lines(self) -> list[str]:
        """N-Quads lines of the article's graph."""
        end = f" {self.graph} .\n"
        return [f"{s} {p} {o}{end}" for s, p, o in self.triples]

    def shared_lines(self) -> list[str]:
        """Entity descriptions live once, in the entities graph: repeated in every article's
        graph they would multiply rows of joins over the union default graph."""
        end = f" <{ENTITIES_GRAPH}> .\n"
        return [f"{s} {p} {o}{end}" for s, p, o in self.entity_triples]

    def named(self, *properties: str) -> list[str]:
        """IRIs the article's own triples name as objects of these ontology properties."""
        wanted = {ckg(p) for p in properties}
        return sorted({o[1:-1] for _, p, o in self.triples if p in wanted and o[0] == "<"})

    def terms(self) -> list[str]:
        """IRIs of the entities named in the roles its term pages are kept for
        (`TERM_ROLES`): what `kg.derived.paging.TermPages` would read back."""
        return self.named(*TERM_ROLES)

    def places(self) -> list[str]:
        """IRIs of the places the article's own triples name (``ckg:place``)."""
        return self.named("place")

    # -- entities --------------------------------------------------------------------------
    def entity(self, e: Entity | None) -> str | None:
        if e is None:
            return None
        node = iri(entity_iri(e.key))
        if e.key in self.seen:
            return node
        self.seen.add(e.key)
        self.add_shared(node, RDF_TYPE, ckg(e.type))
        self.add_shared(node, term("rdfs", "label"), text(e.label))
        for alias in sorted(set(e.aliases) - {e.label}):
            self.add_shared(node, term("skos", "altLabel"), text(alias))
        self.link(node, e)
        side = self.gazetteer.get(e.side) if e.side else None
        if side is not None:
            self.add_shared(node, ckg("side"), self.entity(self.gazetteer.as_actor(side)))
        part_of = self.gazetteer.get(e.part_of) if e.part_of else None
        if part_of is not None:
            self.add_shared(node, ckg("partOf"), self.entity(part_of))
        return node

    def link(self, node: str, e: Entity) -> None:
        """Wikidata id (verified, or a unique Natural Earth match), GeoNames id and
        coordinates."""
        if e.geonames:
            self.add_shared(node, ckg("geonames"), iri(GEONAMES + e.geonames + "/"))
        found = link_entity(e, self.context)
        if found is None or (found.lat is None and e.lat is not None):
            if e.lat is not None and e.lon is not None:
                self.add_shared(node, term("geo", "lat"), typed(f"{e.lat}", "decimal"))
                self.add_shared(node, term("geo", "long"), typed(f"{e.lon}", "decimal"))
        if found is None:
            return
        self.add_shared(node, term("skos", "exactMatch"), iri(WIKIDATA + found.qid))
        self.add_shared(node, ckg("linkSource"), lit(found.source))
        if found.lat is not None and found.lon is not None:
            self.add_shared(node, term("geo", "lat"), typed(f"{found.lat}", "decimal"))
            self.add_shared(node, term("geo", "long"), typed(f"{found.lon}", "decimal"))

    # -- article ---------------------------------------------------------------------------
    def article_node(self) -> str:
        a = self.article
        node = iri(article_iri(a.stem))
        self.add(node, RDF_TYPE, ckg("Article"))
        self.add(node, ckg("stem"), lit(a.stem))
        if a.title:
            self.add(node, term("dcterms", "title"), lit(a.title))
        if a.url:
            self.add(node, ckg("url"), typed(a.url, "anyURI"))
        if a.published:
            self.add(node, ckg("published"), date_lit(a.published))
            self.add(node, ckg("publishedFrom"), lit(a.published_from))
        if a.publisher:
            publisher = self.gazetteer.lookup(a.publisher) or self.gazetteer.adhoc(
                a.publisher, "NewsAgency"
            )
            self.add(node, ckg("publisher"), self.entity(publisher))
        self.add(node, ckg("textSha256"), lit(a.digest))
        self.add(node, ckg("inputSha256"), lit(a.input_digest))
        return node

    # -- claims ----------------------------------------------------------------------------
    def claim(self, c: Claim, k: int, article: str) -> None:
        claim = claim_iri(self.article.stem, c.sentence_index, k)
        node = iri(claim)
        self.add(node, RDF_TYPE, ckg("Claim"))
        self.add(node, ckg("claimType"), lit(c.type))
        self.add(node, ckg("inArticle"), article)
        self.add(node, ckg("sentenceIndex"), lit(c.sentence_index))
        self.fields(node, c, "claim")
        for position, reporter in enumerate(c.reported_by, start=1):
            step = iri(f"{claim}/step{position}")
            self.add(node, ckg("reportedBy"), self.entity(reporter))
            self.add(node, ckg("reportingStep"), step)
            self.add(step, RDF_TYPE, ckg("ReportingStep"))
            self.add(step, ckg("position"), lit(position))
            self.add(step, ckg("reporter"), self.entity(reporter))
        if c.date is not None:
            self.add(node, ckg("dateText"), lit(c.date.text))
            if c.date.unresolved:
                self.add(node, ckg("dateUnresolved"), lit(True))
        self.add(node, ckg("about"), self.event(c, claim))
        self.add(node, ckg("occurrence"), self.occurrence(c))

    def fields(self, node: str, c: Claim, on: str) -> None:
        """The claim's values of the fields kg/data/claims.json declares on this node (the
        claim or its event), each under its declared property; an empty one is not written."""
        for f in claim_view().written(on):
            self.add(node, f"<{f.iri}>", self.value(f, getattr(c, f.key)))

    def value(self, f: Field, value: object) -> str | None:
        if value is None or value == "":
            return None
        return self.entity(value) if f.is_entity else lit(value)  # type: ignore[arg-type]

    def occurrence(self, c: Claim) -> str | None:
        """The real-world event several articles may report: shared, described once."""
        key = occurrence_key(c)
        if key is None:
            return None
        node = iri(event_iri(*key))
        if node not in self.seen and c.date is not None:
            self.seen.add(node)
            self.add_shared(node, RDF_TYPE, ckg(c.event))
            self.add_shared(node, ckg("place"), self.entity(c.place))
            self.add_shared(node, ckg("start"), date_lit(c.date.start))
            self.add_shared(node, ckg("end"), date_lit(c.date.end))
        return node

    def event(self, c: Claim, claim: str) -> str:
        node = iri(f"{claim}/event")
        self.add(node, RDF_TYPE, ckg(c.event))
        self.fields(node, c, "event")
        if c.date is not None and c.date.start is not None:
            self.add(node, ckg("start"), date_lit(c.date.start))
        if c.date is not None and c.date.end is not None:
            self.add(node, ckg("end"), date_lit(c.date.end))
        if c.order_in_day:
            self.add(node, ckg("orderInDay"), lit(c.order_in_day))
        if c.subset:
            self.add(node, ckg("countSubset"), lit(True))
        return node


def occurrence_key(c: Claim) -> tuple[str, ...] | None:
    """What identifies an event across articles: its type, day and defining roles. Claims
    without a resolved day or a place/agent are too vague to merge."""
    fields = claim_view().types[c.type].occurrence if c.type in claim_view().types else ()
    if not fields or c.date is None or c.date.start is None or c.date.end is None:
        return None
    values = [getattr(c, f) for f in fields]
    if values[0] is None and values[1] is None:
        return None
    names = [v.key if hasattr(v, "key") else str(v or "") for v in values]
    return (c.type, c.event, *names, c.date.start.isoformat(), c.date.end.isoformat())


def article_emitter(article: Article, claims: list[Claim], gazetteer: Gazetteer) -> Emitter:
    """The triples of the article's own graph and its entity descriptions for the shared graph"""
    emitter = Emitter(article, gazetteer.for_article())
    # places are linked among the countries the article speaks of
    countries = {
        e.label
        for c in claims
        for e in (c.place, c.agent, c.target, c.controller)
        if e is not None and e.type in ("Country", "State")
    }
    emitter.context = LinkContext.from_names(countries, gazetteer)
    node = emitter.article_node()
    per_sentence: dict[int, int] = {}
    for c in claims:
        k = per_sentence.get(c.sentence_index, 0)
        per_sentence[c.sentence_index] = k + 1
        emitter.claim(c, k, node)
    return emitter


def article_quads(
    article: Article, claims: list[Claim], gazetteer: Gazetteer
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """(the quads of the article's own graph, entity descriptions for the shared graph), as
    pyoxigraph quads"""
    emitter = article_emitter(article, claims, gazetteer)
    return parsed(emitter.lines()), parsed(emitter.shared_lines())


def parsed(lines: list[str]) -> list[ox.Quad]:
    return list(ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_QUADS))
