"""The RDF vocabulary: namespaces and the IRIs minted for articles, claims and entities.

One module owns IRI minting so the same article, sentence or entity gets the same IRI on
every build (stable IRIs are part of the contract).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

import pyoxigraph as ox

ONTOLOGY = "https://w3id.org/conflict-kg/ontology#"
BASE = "https://w3id.org/conflict-kg/id/"
WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"

PREFIXES = {
    "ckg": ONTOLOGY,
    "id": BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "wd": WIKIDATA,
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}


XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
XSD_DATE = ox.NamedNode(PREFIXES["xsd"] + "date")
RDF_TYPE_NODE = ox.NamedNode(PREFIXES["rdf"] + "type")


def ckg_node(name: str) -> ox.NamedNode:
    """A term of the ontology, as a pyoxigraph node."""
    return ox.NamedNode(ONTOLOGY + name)


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def slug(text: str) -> str:
    """A readable, stable IRI segment: ASCII, lower case, hyphens."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    norm = re.sub(r"[^A-Za-z0-9]+", "-", norm).strip("-").lower()
    return norm or hashlib.sha1(text.encode()).hexdigest()[:12]


def stem_segment(stem: str) -> str:
    """An article's file name as an IRI segment, percent-encoded but otherwise kept: two
    files whose names differ only in case, '_' or '-' must not share a graph."""
    return quote(stem, safe="-._~")


def article_iri(stem: str) -> str:
    return f"{BASE}article/{stem_segment(stem)}"


def graph_iri(stem: str) -> str:
    return f"{BASE}graph/{stem_segment(stem)}"


# the store's graphs besides one per article: the entities, shared by every article; which file
# each article was read from; and the data derived from the articles (control readings, claim
# and entity cards, contradictions), the totals of the aggregates, and the listings' pages
ENTITIES_GRAPH = f"{BASE}graph/entities"
SOURCES_GRAPH = f"{BASE}graph/sources"
DERIVED_GRAPH = f"{BASE}graph/derived"
TOTALS_GRAPH = f"{BASE}graph/totals"
PAGES_GRAPH = f"{BASE}graph/pages"
TERM_PAGES_GRAPH = f"{BASE}graph/term-pages"


def claim_iri(stem: str, sentence: int, index: int) -> str:
    return f"{BASE}claim/{stem_segment(stem)}/s{sentence}/c{index}"


def entity_iri(key: str) -> str:
    return f"{BASE}entity/{slug(key)}"


def event_iri(*parts: str) -> str:
    """Events are named by what they are, so two articles reporting the same event share it."""
    digest = hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
    return f"{BASE}event/{digest}"
