"""Drawing the neighbourhood of one place in a synthetic 5,000-node graph.

    python bench/draw.py [--nodes 5000] [--hops 2] [--no-browser]

Builds an in-memory store in the shape of ontology/MODEL.md (places, actors, events with roles,
claims with claimants and reporters, a few contested), then times: the networkx view of the
whole graph, the focus neighbourhood, the offline HTML drawing, and (when Chromium and
Playwright are installed) the browser until vis-network has laid the drawing out.
Target: the neighbourhood drawn in under 5 seconds.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.notebook.graphview import draw, to_networkx
from kg.store import Store

HEAD = """@prefix ckg: <https://w3id.org/conflict-kg/ontology#> .
@prefix id: <https://w3id.org/conflict-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
ACTOR_CLASSES = ["ArmedGroup", "Government", "State", "NewsAgency", "Monitor"]
EVENT_CLASSES = ["ControlChange", "Attack", "CasualtyReport", "Movement", "Statement"]


def synthetic_trig(nodes: int, seed: int = 7) -> str:
    """About ``nodes`` nodes: 10% places, 10% actors, 40% events, 40% claims."""
    rng = random.Random(seed)
    places, actors, events = nodes // 10, nodes // 10, nodes * 4 // 10
    lines = [HEAD, "id:graph\\/entities {"]
    lines += [f'id:entity\\/p{i} a ckg:Town ; rdfs:label "Place {i}" .' for i in range(places)]
    lines += [
        f'id:entity\\/a{i} a ckg:{rng.choice(ACTOR_CLASSES)} ; rdfs:label "Actor {i}" .'
        for i in range(actors)
    ]
    lines.append("}\nid:graph\\/synthetic {")
    for i in range(events):
        lines.append(
            f"id:event\\/e{i} a ckg:{rng.choice(EVENT_CLASSES)} ; "
            f"ckg:place id:entity\\/p{rng.randrange(places)} ; "
            f"ckg:agent id:entity\\/a{rng.randrange(actors)} ; "
            f"ckg:controller id:entity\\/a{rng.randrange(actors)} ; "
            f'ckg:start "2017-11-{1 + i % 28:02d}"^^xsd:date .'
        )
        lines.append(
            f"id:claim\\/c{i} a ckg:Claim ; ckg:about id:event\\/e{i} ; "
            f'ckg:claimType "other" ; ckg:sentenceText "Sentence {i} of the corpus." ; '
            f"ckg:contested {str(rng.random() < 0.05).lower()} ; "
            f"ckg:claimant id:entity\\/a{rng.randrange(actors)} ; "
            f"ckg:reportedBy id:entity\\/a{rng.randrange(actors)} ."
        )
    lines.append("}")
    return "\n".join(lines)


def timed(label: str, work, *args, **kwargs):
    start = time.perf_counter()
    result = work(*args, **kwargs)
    print(f"{label:<44} {time.perf_counter() - start:7.3f} s")
    return result


def browser_seconds(page_file: Path) -> float | None:
    """Seconds until vis-network finished laying the page out in headless Chromium."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(chromium).is_file():
        return None
    with sync_playwright() as driver, tempfile.TemporaryDirectory() as profile:
        context = driver.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = context.new_page()
        start = time.perf_counter()
        page.goto(page_file.as_uri())
        page.wait_for_function("document.body.dataset.drawn === 'yes'", timeout=120_000)
        seconds = time.perf_counter() - start
        context.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--hops", type=int, default=2)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    store = Store()
    timed(
        "load the synthetic store",
        store.load,
        synthetic_trig(args.nodes).encode(),
        format=ox.RdfFormat.TRIG,
    )
    whole = timed("to_networkx: whole graph", to_networkx, store)
    print(f"  {whole.number_of_nodes()} nodes, {whole.number_of_edges()} edges")
    total = time.perf_counter()
    sub = timed(
        f"to_networkx: focus 'Place 0', {args.hops} hops",
        to_networkx,
        store,
        focus="Place 0",
        hops=args.hops,
    )
    print(f"  {sub.number_of_nodes()} nodes, {sub.number_of_edges()} edges")
    view = timed("draw: offline HTML", draw, sub)
    python_side = time.perf_counter() - total
    page = view.save(Path(tempfile.mkdtemp()) / "neighbourhood.html")
    laid_out = None if args.no_browser else browser_seconds(page)
    if laid_out is not None:
        print(f"{'Chromium: load and lay out':<44} {laid_out:7.3f} s")
    overall = python_side + (laid_out or 0.0)
    print(
        f"{'neighbourhood drawn (target < 5 s)':<44} {overall:7.3f} s "
        f"{'OK' if overall < 5 else 'SLOW'}"
    )


if __name__ == "__main__":
    main()
