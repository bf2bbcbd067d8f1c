"""Opt-in online linking through the Wikidata API (``wbsearchentities``, ``wbgetentities``).

Polite by construction: a User-Agent that names the project, at most one request per
``min_interval`` seconds, and an on-disk JSON cache keyed by the request URL, so a second run
asks the network nothing. A candidate is accepted only when its label or an alias is the name
we searched for and one of its P31 (instance of) values is a class that
``kg/data/wikidata_types.json`` accepts for our type; exactly one candidate must remain.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.emit.link import Link, coordinates_for, fold, link_entity
from kg.errors import WikidataError
from kg.extract.gazetteer import Entity
from kg.resources import data_dir

API = "https://www.wikidata.org/w/api.php"
USER_AGENT = (
    "conflict-kg/0.1 (https://w3id.org/conflict-kg/; contact: "
    + os.environ.get("KG_CONTACT", "set KG_CONTACT to an e-mail address")
    + ") python-urllib"
)
BATCH = 50  # wbgetentities takes at most 50 ids per request


@dataclass(frozen=True)
class Candidate:
    qid: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Item:
    qid: str
    label: str
    aliases: tuple[str, ...]
    instance_of: tuple[str, ...]
    coordinates: tuple[float, float] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


class WikidataClient:
    def __init__(
        self,
        base_url: str = API,
        cache_dir: Path = Path(".kg") / "wikidata-cache",
        user_agent: str = USER_AGENT,
        min_interval: float = 1.0,
        timeout: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.cache_dir = Path(cache_dir)
        self.user_agent = user_agent
        self.min_interval = min_interval
        self.timeout = timeout
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None
        self.requests = 0  # made over the network, not answered from the cache

    # -- API calls -----------------------------------------------------------------------
    def search(self, name: str, language: str = "en", limit: int = 10) -> list[Candidate]:
        """Items whose label or alias matches ``name`` (wbsearchentities)."""
        data = self.get(
            action="wbsearchentities",
            search=name,
            language=language,
            uselang=language,
            type="item",
            limit=str(limit),
        )
        return [_candidate(hit) for hit in data.get("search", [])]

    def get_entities(self, qids: Iterable[str], language: str = "en") -> dict[str, Item]:
        """Labels, aliases and claims of items (wbgetentities), by id."""
        ids = sorted(set(qids))
        items: dict[str, Item] = {}
        for start in range(0, len(ids), BATCH):
            data = self.get(
                action="wbgetentities",
                ids="|".join(ids[start : start + BATCH]),
                props="claims|labels|aliases",
                languages=language,
            )
            for qid, raw in data.get("entities", {}).items():
                if "missing" not in raw:
                    items[qid] = _item(qid, raw, language)
        return items

    # -- transport -----------------------------------------------------------------------
    def url(self, params: dict[str, str]) -> str:
        query = urllib.parse.urlencode(sorted({**params, "format": "json"}.items()))
        return f"{self.base_url}?{query}"

    def get(self, **params: str) -> dict[str, Any]:
        url = self.url(params)
        cached = self._read_cache(url)
        if cached is not None:
            return cached
        data = self._fetch(url)
        if "error" in data:
            info = data["error"].get("info", data["error"])
            raise WikidataError(f"Wikidata refused {params.get('action')}: {info}")
        self._write_cache(url, data)
        return data

    def _fetch(self, url: str) -> dict[str, Any]:
        self._wait()
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise WikidataError(
                f"Cannot reach Wikidata at {self.base_url} ({exc}): check the network, "
                "or link offline only"
            ) from exc
        finally:
            self._last = self._clock()
            self.requests += 1
        try:
            return json.loads(body)
        except ValueError as exc:
            raise WikidataError(f"Wikidata answered with something other than JSON: {exc}") from exc

    def _wait(self) -> None:
        """Keep at least ``min_interval`` seconds from the end of one request to the next."""
        if self._last is None:
            return
        remaining = self.min_interval - (self._clock() - self._last)
        if remaining > 0:
            self._sleep(remaining)

    # -- cache ---------------------------------------------------------------------------
    def _cache_path(self, url: str) -> Path:
        return self.cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()[:32]}.json"

    def _read_cache(self, url: str) -> dict[str, Any] | None:
        path = self._cache_path(url)
        if not path.is_file():
            return None
        entry = json.loads(path.read_text(encoding="utf-8"))
        return entry["response"] if entry.get("url") == url else None

    def _write_cache(self, url: str, data: dict[str, Any]) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        path = self._cache_path(url)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"url": url, "response": data}), encoding="utf-8")
        tmp.replace(path)  # a reader never sees half an entry


# -- parsing API answers -----------------------------------------------------------------


def _candidate(hit: dict[str, Any]) -> Candidate:
    return Candidate(hit["id"], hit.get("label", ""), hit.get("description", ""))


def _item(qid: str, raw: dict[str, Any], language: str) -> Item:
    label = raw.get("labels", {}).get(language, {}).get("value", "")
    aliases = tuple(a["value"] for a in raw.get("aliases", {}).get(language, []))
    claims = raw.get("claims", {})
    return Item(qid, label, aliases, _item_values(claims.get("P31", [])), _coords(claims))


def _values(statements: list[dict[str, Any]]) -> list[Any]:
    """The values of the non-deprecated statements that have one."""
    out = []
    for st in statements:
        snak = st.get("mainsnak", {})
        if st.get("rank") != "deprecated" and snak.get("snaktype") == "value":
            out.append(snak["datavalue"]["value"])
    return out


def _item_values(statements: list[dict[str, Any]]) -> tuple[str, ...]:
    return tuple(v["id"] for v in _values(statements) if isinstance(v, dict) and "id" in v)


def _coords(claims: dict[str, Any]) -> tuple[float, float] | None:
    values = _values(claims.get("P625", []))
    if not values:
        return None
    return float(values[0]["latitude"]), float(values[0]["longitude"])


# -- linking -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def accepted_classes() -> dict[str, frozenset[str]]:
    """Our entity type -> the Wikidata classes (P31 values) a candidate may have."""
    raw = json.loads((data_dir() / "wikidata_types.json").read_text(encoding="utf-8"))
    return {kind: frozenset(qids) for kind, qids in raw["types"].items()}


def link_online(entity: Entity, client: WikidataClient, language: str = "en") -> Link | None:
    """A Wikidata link when exactly one candidate has the name and a class fitting our type.

    An entity with a verified id keeps it and costs no request."""
    if entity.wikidata:
        return link_entity(entity)
    classes = accepted_classes().get(entity.type)
    if not classes:
        return None
    matches = _matching_items(entity, client, classes, language)
    if len(matches) != 1:
        return None
    item = matches[0]
    lat, lon = item.coordinates or coordinates_for(item.qid) or (None, None)
    return Link(item.qid, lat, lon, "wikidata-api", item.label)


def _matching_items(
    entity: Entity, client: WikidataClient, classes: frozenset[str], language: str
) -> list[Item]:
    candidates = client.search(entity.label, language)
    if not candidates:
        return []
    items = client.get_entities([c.qid for c in candidates], language)
    wanted = fold(entity.label)
    return [
        item
        for item in items.values()
        if classes & set(item.instance_of) and wanted in {fold(n) for n in item.names}
    ]
