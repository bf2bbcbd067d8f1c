"""Synthetic wire articles for benchmarks: varied, realistic, drawn from the project's data.

Places come from kg/data/natural_earth_places.csv (Syria and Iraq), actors, agencies and
monitors from kg/data/entities.jsonl; dates, counts and sentence templates vary per article.

    python bench/generate.py 10000 /tmp/wire10k.csv [--seed 1]

Writes a CSV with columns id, date (YYYY-MM-DD), publisher, title, text.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "kg" / "data"

CONTROL = [
    "{actor} captured {place} on {day}, {monitor} said.",
    "{actor} recaptured the town of {place} from {enemy} on {day}, according to {monitor}.",
    "{monitor} said {enemy} had withdrawn from {place} after {actor} advanced on {day}.",
    "{place} fell to {actor} on {day}, {agency} reported, citing {monitor}.",
    "{actor} seized control of {place} {ago}, a military source told {agency}.",
]
ATTACK = [
    "Air strikes hit {place} on {day}, killing at least {n} civilians, {monitor} said.",
    "{actor} shelled {place} {ago}, killing {n} people including {k} children, {agency} said.",
    "A car bomb exploded in {place} on {day}, killing {n} people, {monitor} reported.",
    "Clashes between {actor} and {enemy} near {place} killed {n} fighters on {day}.",
    "{enemy} launched an assault on {actor} positions around {place} on {day}.",
]
OTHER = [
    "{agency} could not independently verify the reports.",
    "The {country} foreign ministry condemned the attack on {place} in a statement on {day}.",
    "Thousands of residents fled {place} toward {place2} as fighting intensified, {monitor} said.",
    "{actor} forces entered the outskirts of {place2} {ago}, state media reported.",
    "The United Nations called for a ceasefire around {place} and access for aid convoys.",
    "{monitor} said the death toll was likely to rise because many people were badly wounded.",
]
AGO = ["on Friday", "earlier this week", "late on Saturday", "two days ago", "last Tuesday"]


@dataclass
class Pools:
    places: list[str]
    actors: list[str]
    agencies: list[str]
    monitors: list[str]
    countries: list[str]


def load_pools() -> Pools:
    entities = [
        json.loads(line)
        for line in (DATA / "entities.jsonl").read_text().splitlines()
        if line.strip()
    ]
    by_type: dict[str, list[str]] = {}
    for e in entities:
        by_type.setdefault(e["type"], []).append(e["label"])
    with (DATA / "natural_earth_places.csv").open(encoding="utf-8") as f:
        places = [r["name"] for r in csv.DictReader(f) if r["adm0name"] in ("Syria", "Iraq")]
    places += [p for t in ("Town", "City", "Village") for p in by_type.get(t, [])]
    actors = [a for t in ("ArmedGroup", "Government", "State") for a in by_type.get(t, [])]
    return Pools(
        sorted(set(places)),
        actors,
        by_type.get("NewsAgency", ["AFP"]),
        by_type.get("Monitor", ["the Syrian Observatory for Human Rights"]),
        by_type.get("Country", ["Syria"]),
    )


def sentence(rng: random.Random, pools: Pools, templates: list[str], day: dt.date) -> str:
    actor, enemy = rng.sample(pools.actors, 2)
    place, place2 = rng.sample(pools.places, 2)
    n = rng.randint(2, 80)
    return rng.choice(templates).format(
        actor=actor,
        enemy=enemy,
        place=place,
        place2=place2,
        day=day.strftime("%A"),
        ago=rng.choice(AGO),
        monitor=rng.choice(pools.monitors),
        agency=rng.choice(pools.agencies),
        country=rng.choice(pools.countries),
        n=n,
        k=rng.randint(1, max(1, n // 3)),
    )


def article(rng: random.Random, pools: Pools, number: int) -> dict[str, str]:
    published = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 6))
    day = published - dt.timedelta(days=rng.randint(0, 6))
    paragraphs = []
    for _ in range(rng.randint(3, 9)):
        templates = rng.choice([CONTROL, ATTACK, ATTACK, OTHER, OTHER])
        paragraphs.append(
            " ".join(sentence(rng, pools, templates, day) for _ in range(rng.randint(1, 3)))
        )
    first = paragraphs[0].split(",")[0]
    return {
        "id": f"gen{number:07d}",
        "date": published.isoformat(),
        "publisher": rng.choice(pools.agencies),
        "title": first[:80],
        "text": "\n\n".join(paragraphs),
    }


def articles(n: int, seed: int = 1) -> Iterator[dict[str, str]]:
    rng, pools = random.Random(seed), load_pools()
    return (article(rng, pools, i) for i in range(n))


def write(n: int, out: Path, seed: int = 1) -> Path:
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["id", "date", "publisher", "title", "text"])
        writer.writeheader()
        writer.writerows(articles(n, seed))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    write(args.n, args.out, args.seed)
    print(f"{args.n} articles in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
