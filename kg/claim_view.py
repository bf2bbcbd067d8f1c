"""What a claim is, as ``kg/data/claims.json`` declares it: its types (each with the ontology
class of its events, the fields it fills, the fields that identify its event across articles,
and for some the rule that finds it) and its fields (JSON key, RDF property, kind of value,
cardinality, and the names people read), with the order of the columns of each table.

Every part of the product that shows, writes or checks a claim reads this declaration: the
rules (event classes, declared recognisers), the RDF writer, the claim's JSON, `kg claims`, the
claims browser and its downloads, the resource pages and `kg eval`; the ontology and the SHACL
shapes get from it the class of each type's events and the list of types (`kg.store.ontology`), and
tests check the fields' properties and shapes against it. A new claim type is a rule and an
entry here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.errors import InputError, KGError
from kg.resources import data_dir
from kg.vocab import PREFIXES

DECLARATION = "claims.json"
ON = ("claim", "event", "article")
KINDS = ("entity", "place", "date", "number", "text", "boolean", "type", "iri", "claims")
CARDINALITIES = ("one", "optional", "many")
# the kinds a rule sets on a claim as one value, which the RDF writer writes as they are
WRITTEN_KINDS = ("entity", "place", "number", "text", "boolean")
VIEWS = ("export", "table", "browser", "download", "evaluated")
CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")  # a type's class: a local name of the ontology


@dataclass(frozen=True)
class Field:
    """One key of a claim's JSON and where its value lives in the graph."""

    key: str
    on: str  # the node the property hangs from: the claim, its event, or its article
    prop: str | None  # a compact IRI (ckg:place); None for the claim's own IRI
    kind: str
    cardinality: str
    label: str  # a table's column
    title: str | None = None  # the fact's name on a claim's page ("Held by")
    phrase: str | None = None  # before the value on an article's page ("held by")
    also: tuple[str, ...] = ()  # further properties the value is read from

    @property
    def iri(self) -> str | None:
        if self.prop is None:
            return None
        prefix, name = self.prop.split(":", 1)
        return PREFIXES[prefix] + name

    @property
    def name(self) -> str | None:
        """The property's local name (``place`` for ckg:place)."""
        return self.prop.split(":", 1)[1] if self.prop else None

    @property
    def is_entity(self) -> bool:
        """Its value is an actor or a place: an IRI in the graph, ENTITY in the JSON."""
        return self.kind in ("entity", "place")

    @property
    def written(self) -> bool:
        """The RDF writer writes the rule's value under the property as it is (the others,
        the date, the reporting chain, the type and the links, it writes its own way)."""
        return (
            self.on in ("claim", "event")
            and self.kind in WRITTEN_KINDS
            and self.cardinality != "many"
        )


@dataclass(frozen=True)
class ClaimType:
    name: str
    cls: str  # the ontology class of its events
    event: str  # the class its claims' events get unless the rule names a subclass
    describes: str
    fields: tuple[str, ...]  # the fields its claims may fill besides those of every claim
    occurrence: tuple[str, ...]  # what identifies its event across articles, with the day
    rule: str | None = None  # "module:function", a recogniser given a trigger token
    triggers: tuple[str, ...] = ()  # verb lemmas the rule reads, beyond the lexicon's


@dataclass(frozen=True)
class Column:
    """A column of the claims browser made of several fields ("toll": qualifier, count and
    victims)."""

    name: str
    label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ClaimView:
    types: dict[str, ClaimType]
    fields: dict[str, Field]
    columns: dict[str, Column]
    views: dict[str, tuple[str, ...]]

    @property
    def type_names(self) -> tuple[str, ...]:
        return tuple(self.types)

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of a claim's JSON, in order."""
        return tuple(self.fields)

    def check_type(self, kind: str | None) -> None:
        if kind is not None and kind not in self.types:
            raise InputError(f"type must be one of {', '.join(self.types)}, got {kind!r}")

    def entity_keys(self) -> tuple[str, ...]:
        """The keys holding one entity (a list of them: `reported_by`)."""
        return tuple(k for k, f in self.fields.items() if f.is_entity and f.cardinality != "many")

    def actor_fields(self) -> list[Field]:
        """The event's actors (agent, target, controller): who did what to whom."""
        return [f for f in self.fields.values() if f.kind == "entity" and f.on == "event"]

    def of(self, kind: str) -> list[Field]:
        """The fields a claim of this type may fill, in the JSON's order (none for a type
        the declaration does not know)."""
        own = self.types[kind].fields if kind in self.types else ()
        return [f for k, f in self.fields.items() if k in own]

    def written(self, on: str) -> list[Field]:
        return [f for f in self.fields.values() if f.written and f.on == on]

    def view(self, name: str) -> tuple[str, ...]:
        return self.views[name]

    def label(self, name: str) -> str:
        """The column header of a field or of a browser column."""
        return self.columns[name].label if name in self.columns else self.fields[name].label

    def table_columns(self, name: str) -> list[dict[str, str]]:
        """The columns of a table view as {name, label, kind} (kind "column" for the browser's
        columns made of several fields), for the pages and their scripts."""
        return [
            {
                "name": n,
                "label": self.label(n),
                "kind": "column" if n in self.columns else self.fields[n].kind,
            }
            for n in self.views[name]
        ]


@cache
def claim_view() -> ClaimView:
    """The declaration the product reads (kg/data/claims.json), read once."""
    return load(data_dir() / DECLARATION)


def load(path: Path) -> ClaimView:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        view = ClaimView(
            types={name: _claim_type(name, t) for name, t in raw["types"].items()},
            fields={key: _field(key, f) for key, f in raw["fields"].items()},
            columns={
                name: Column(name, c["label"], tuple(c["from"]))
                for name, c in raw["columns"].items()
            },
            views={name: tuple(keys) for name, keys in raw["views"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KGError(f"{path}: not a claim declaration ({type(exc).__name__}: {exc})") from None
    problems = list(_problems(view))
    if problems:
        raise KGError(f"{path}: " + "; ".join(problems))
    return view


def _claim_type(name: str, t: dict) -> ClaimType:
    return ClaimType(
        name=name,
        cls=t["class"],
        event=t["event"],
        describes=t["describes"],
        fields=tuple(t["fields"]),
        occurrence=tuple(t["occurrence"]),
        rule=t.get("rule"),
        triggers=tuple(t.get("triggers", ())),
    )


def _field(key: str, f: dict) -> Field:
    return Field(
        key=key,
        on=f["on"],
        prop=f["property"],
        kind=f["kind"],
        cardinality=f["cardinality"],
        label=f["label"],
        title=f.get("title"),
        phrase=f.get("phrase"),
        also=tuple(f.get("also", ())),
    )


def _problems(view: ClaimView):
    """What makes the declaration unusable, each said so it can be fixed."""
    for f in view.fields.values():
        if f.on not in ON or f.kind not in KINDS or f.cardinality not in CARDINALITIES:
            yield (
                f"field {f.key!r}: on must be one of {ON}, kind one of {KINDS}, "
                f"cardinality one of {CARDINALITIES}"
            )
        for curie in filter(None, (f.prop, *f.also)):
            if curie.split(":", 1)[0] not in PREFIXES or ":" not in curie:
                yield f"field {f.key!r}: {curie!r} is not a compact IRI of kg.vocab.PREFIXES"
    classes: dict[str, str] = {}
    for t in view.types.values():
        if not CLASS_NAME.fullmatch(t.cls):
            yield f"type {t.name!r}: class must be a name like CasualtyReport, got {t.cls!r}"
        if t.cls in classes:  # the class names its one type (ckg:claimTypeName)
            yield f"types {classes[t.cls]!r} and {t.name!r} both have the class {t.cls!r}"
        classes.setdefault(t.cls, t.name)
        for key in (*t.fields, *t.occurrence):
            if key not in view.fields:
                yield f"type {t.name!r} names the field {key!r}, which no field declares"
        if t.rule is not None and ":" not in t.rule:
            yield f"type {t.name!r}: rule must be module:function, got {t.rule!r}"
    for c in view.columns.values():
        for key in c.sources:
            if key not in view.fields:
                yield f"column {c.name!r} is made of {key!r}, which no field declares"
    for name in VIEWS:
        if name not in view.views:
            yield f"views lacks {name!r}"
    for name, keys in view.views.items():
        unknown = [k for k in keys if k not in view.fields and k not in view.columns]
        if unknown:
            yield f"view {name!r} names {', '.join(unknown)}, declared neither as field nor column"
