"""Figures for notebooks: who held a place over time, casualties by day, a map of events.

Each function returns a ``matplotlib.figure.Figure`` built without pyplot (no global state, no
double display in Jupyter). Everything renders offline: the map draws no tiles, only the
places' coordinates over Natural Earth's populated places shipped in ``kg/data``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from kg.ask.claims import get_claim
from kg.ask.entities import resolve_entity
from kg.ask.who_controlled import readings, runs_of, winner
from kg.derived.cards import EntityCache
from kg.notebook.graphview import COLOURS
from kg.resources import data_dir
from kg.store import GraphStore, Store, load


class KGFigure(Figure):
    """A Figure that shows itself in Jupyter as PNG without pyplot's inline backend."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=96)
        return buffer.getvalue()


LATE = dt.date(9999, 12, 31)  # "on or before" this day: every dated control claim
BAND_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"]


# -- control over time ------------------------------------------------------------------------
@dataclass
class Change:
    """One moment of a place's control history: who won it, and on whose word."""

    day: dt.date
    controller: str
    contested: bool
    claims: list[dict] = field(default_factory=list)
    others: list[str] = field(default_factory=list)


def control_history(store: Store, place: str) -> tuple[dict, list[Change]]:
    """The place (ENTITY) and its control moments, oldest first, from every dated claim."""
    node = resolve_entity(store, place, kind="Place")
    entities = EntityCache(store)
    changes = []
    for moment in reversed(runs_of(readings(store, node, LATE, None))):
        top = winner(moment)
        named = list(dict.fromkeys(r.controller for r in moment))
        changes.append(
            Change(
                moment[0].start,
                top,
                len(named) > 1,
                [get_claim(store, r.claim, entities) for r in moment],
                [c for c in named if c != top],
            )
        )
    return entities.get(node) or {"label": place}, changes


def sources(claims: list[dict]) -> str:
    """Who says so, short: the reporting chain (else the claimant) and the publication day."""
    said = []
    for claim in claims:
        chain = [e["label"] for e in claim["reported_by"] if e] or (
            [claim["claimant"]["label"]] if claim["claimant"] else ["?"]
        )
        said.append(f"{' < '.join(chain)} ({claim['published'] or 'undated'})")
    return "\n".join(dict.fromkeys(said))


def bands(changes: list[Change], end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(controller, from, to) spans: a change lasts until the next change of controller."""
    spans: list[tuple[str, dt.date, dt.date]] = []
    for change in changes:
        if spans and spans[-1][0] == change.controller:
            continue
        if spans:
            spans[-1] = (spans[-1][0], spans[-1][1], change.day)
        spans.append((change.controller, change.day, end))
    return spans


def history_end(changes: list[Change], until: dt.date | None) -> dt.date:
    if until is not None:
        return until
    published = [
        dt.date.fromisoformat(c["published"]) for ch in changes for c in ch.claims if c["published"]
    ]
    return max([changes[-1].day + dt.timedelta(days=3), *published])


def control_timeline(store: Store, place: str, until: dt.date | None = None) -> Figure:
    """Who controlled ``place`` over time: one band per controller, contested days hatched
    in red, each change annotated with its sources."""
    entity, changes = control_history(store, place)
    fig = KGFigure(figsize=(11, 4.5), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(f"Who controlled {entity['label']}, according to whom")
    if not changes:
        return empty(ax, f"No dated control claim about {entity['label']} in the store")
    rows = list(dict.fromkeys(r for c in changes for r in [c.controller, *c.others]))
    draw_bands(ax, bands(changes, history_end(changes, until)), rows)
    for i, change in enumerate(changes):
        annotate_change(ax, change, rows, i)
    labels = EntityCache(store)
    ax.set_yticks(
        range(len(rows)), [(labels.get(ox.NamedNode(r)) or {"label": r})["label"] for r in rows]
    )
    ax.set_ylim(-0.8, len(rows) + 0.6)
    day_axis(ax, [changes[0].day, history_end(changes, until)])
    return fig


def draw_bands(ax: Any, spans: list[tuple[str, dt.date, dt.date]], rows: list[str]) -> None:
    for controller, start, end in spans:
        y = rows.index(controller)
        left, right = mdates.date2num(start), mdates.date2num(end)
        ax.barh(
            y,
            right - left,
            left=left,
            height=0.5,
            gid="band",
            color=BAND_COLOURS[y % len(BAND_COLOURS)],
            alpha=0.8,
        )
    ax.xaxis_date()


def annotate_change(ax: Any, change: Change, rows: list[str], index: int) -> None:
    """The change's sources; a contested day shaded, and the side the disagreeing sources
    name hatched on its own row."""
    x, y = mdates.date2num(change.day), rows.index(change.controller)
    for other in change.others:
        ax.barh(
            rows.index(other),
            1,
            left=x,
            height=0.5,
            fill=False,
            hatch="xx",
            edgecolor="red",
            gid="competing",
        )
    if change.contested:
        ax.axvspan(
            x,
            x + 1,
            color="red",
            alpha=0.25,
            hatch="//",
            gid="contested",
            label="contested (sources disagree)",
        )
    ax.plot([x], [y], marker="v", color="black", gid="change")
    text = ("CONTESTED\n" if change.contested else "") + sources(change.claims)
    ax.annotate(
        text,
        (x, y + 0.25),
        xytext=(6, 18 + 26 * (index % 3)),
        textcoords="offset points",
        fontsize=7,
        gid="sources",
        arrowprops={"arrowstyle": "-", "color": "#555555"},
        bbox={"boxstyle": "round", "fc": "#ffffffcc", "ec": "#999999"},
    )


def empty(ax: Any, message: str) -> Figure:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, gid="empty")
    ax.set_axis_off()
    return ax.figure


# -- casualties -------------------------------------------------------------------------------
CASUALTIES = load("kg.notebook", "plots_casualties")


def casualty_events(store: Store, place: str | None = None) -> list[dict]:
    """One row per casualty event: day, perpetrator, count (the highest any claim gives),
    and its claims; events shared by several reports are counted once."""
    place_iri = resolve_entity(store, place).value if place else None
    entities, events = EntityCache(store), dict[str, dict]()
    for row in store.select(CASUALTIES()):
        if place_iri and row.get("place", ox.NamedNode("x:none")).value != place_iri:
            continue
        event = events.setdefault(
            row["event"].value,
            {
                "event": row["event"].value,
                "count": 0,
                "claims": [],
                "day": dt.date.fromisoformat(row["start"].value) if "start" in row else None,
                "perpetrator": (entities.get(row.get("agent")) or {"label": "unattributed"})[
                    "label"
                ],
            },
        )
        event["count"] = max(event["count"], int(row["count"].value))
        if row["claim"].value not in event["claims"]:
            event["claims"].append(row["claim"].value)
    return sorted(events.values(), key=lambda e: (e["day"] or dt.date.max, e["perpetrator"]))


def casualties_by_day(store: Store, place: str | None = None) -> Figure:
    """People killed by day, stacked by perpetrator; each bar says how many claims back it."""
    found = casualty_events(store, place)
    events = [e for e in found if e["day"] is not None]
    fig = KGFigure(figsize=(10, 4), layout="constrained")
    ax = fig.add_subplot()
    undated = f" ({len(found) - len(events)} undated events not shown)" if found != events else ""
    ax.set_title("Casualties by day and perpetrator" + (f" in {place}" if place else "") + undated)
    if not events:
        return empty(ax, "No dated casualty claims with a count in the store yet")
    by_day: dict[str, dict[dt.date, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for e in events:
        by_day[e["perpetrator"]][e["day"]].append(e)
    stack_bars(ax, by_day)
    ax.set_ylabel("casualties (as claimed)")
    ax.legend(title="perpetrator", fontsize=8)
    return fig


def stack_bars(ax: Any, by_day: dict[str, dict[dt.date, list[dict]]]) -> None:
    bottoms: dict[dt.date, float] = defaultdict(float)
    for i, (perpetrator, days) in enumerate(sorted(by_day.items())):
        xs = sorted(days)
        heights = [sum(e["count"] for e in days[d]) for d in xs]
        bars = ax.bar(
            [mdates.date2num(d) + 0.5 for d in xs],
            heights,
            width=0.8,
            label=perpetrator,
            bottom=[bottoms[d] for d in xs],
            color=BAND_COLOURS[i % len(BAND_COLOURS)],
        )
        claims = [sum(len(e["claims"]) for e in days[d]) for d in xs]
        ax.bar_label(
            bars,
            [f"{h} ({c} claim{'s' * (c > 1)})" for h, c in zip(heights, claims, strict=True)],
            label_type="center",
            fontsize=7,
        )
        for d, h in zip(xs, heights, strict=True):
            bottoms[d] += h
    day_axis(ax, [d for days in by_day.values() for d in days])


def day_axis(ax: Any, days: list[dt.date]) -> None:
    """Whole days on the x axis (matplotlib's default locator ticks hours on short spans)."""
    span = (max(days) - min(days)).days + 1
    ax.xaxis_date()
    if span <= 62:
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, span // 8)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))


# -- the map ----------------------------------------------------------------------------------
PLACES, EVENTS_AT = load("kg.notebook", "plots_places"), load("kg.notebook", "plots_events_at")
Box = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


@cache
def populated_places() -> list[tuple[float, float]]:
    """(lon, lat) of Natural Earth's populated places: offline context under the markers."""
    with open(data_dir() / "natural_earth_places.csv", encoding="utf-8") as f:
        return [(float(r["longitude"]), float(r["latitude"])) for r in csv.DictReader(f)]


def located_places(store: GraphStore) -> dict[str, dict]:
    return {
        r["place"].value: {
            "label": r["label"].value,
            "lat": float(r["lat"].value),
            "lon": float(r["long"].value),
            "events": {},
        }
        for r in store.select(PLACES())
    }


def with_events(store: GraphStore) -> dict[str, dict]:
    places = located_places(store)
    for r in store.select(EVENTS_AT()):
        if r["place"].value in places:
            cls = r["class"].value.rsplit("#", 1)[-1]
            places[r["place"].value]["events"][cls] = int(r["n"].value)
    return places


def frame_of(places: list[dict], margin: float = 1.0) -> Box:
    lons, lats = [p["lon"] for p in places], [p["lat"] for p in places]
    return (min(lons) - margin, min(lats) - margin, max(lons) + margin, max(lats) + margin)


def inside(lon: float, lat: float, box: Box) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def place_map(store: GraphStore, bbox: Box | None = None, all_places: bool = False) -> Figure:
    """Places with coordinates (black triangles, labelled) and their events as coloured
    markers around them, sized by the number of events, over Natural Earth's country borders,
    coastlines, lakes and rivers (kg/notebook/basemap.py); ``bbox`` = lon/lat min, max."""
    places = [p for p in with_events(store).values() if all_places or p["events"]]
    fig = KGFigure(figsize=(9, 7), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title("Places and the events reported there")
    if not places:
        return empty(ax, "No place with coordinates and events in the store")
    box = bbox or frame_of(places)
    places = [p for p in places if inside(p["lon"], p["lat"], box)]
    draw_basemap(ax, box)
    context = [pt for pt in populated_places() if inside(*pt, box)]
    if context:
        lons, lats = zip(*context, strict=True)
        ax.scatter(lons, lats, s=2, color="#cccccc", gid="context", zorder=1)
    draw_places(ax, places, box)
    set_frame(ax, box)
    return fig


# Natural Earth's layers (kg/notebook/basemap.py) as the web page's map draws them
BASEMAP_STYLE = {
    "coastlines": {"color": "#7fa9d1", "linewidth": 0.8},
    "lakes": {"color": "#7fa9d1", "linewidth": 0.6},
    "rivers": {"color": "#5c94c8", "linewidth": 1.1},
    "countries": {"color": "#7a6a58", "linewidth": 1.0, "linestyle": (0, (4, 3))},
}


def draw_basemap(ax: Any, box: Box) -> None:
    """Country borders, coastlines, lakes and rivers inside the frame, from the offline
    layers `npm ci` installs; nothing when they are not installed."""
    from matplotlib.collections import LineCollection

    from kg.notebook.basemap import layer

    for name, style in BASEMAP_STYLE.items():
        lines = layer(name, box)
        if lines:
            ax.add_collection(LineCollection(lines, zorder=0.5, gid=f"basemap-{name}", **style))


def draw_places(ax: Any, places: list[dict], box: Box) -> None:
    radius = 0.015 * max(box[2] - box[0], box[3] - box[1])
    seen: set[str] = set()
    for place in places:
        ax.scatter(
            [place["lon"]], [place["lat"]], marker="^", color="black", s=40, zorder=3, gid="place"
        )
        ax.annotate(
            place["label"],
            (place["lon"], place["lat"]),
            xytext=(5, -12),
            textcoords="offset points",
            fontsize=9,
            gid="place-label",
        )
        for i, (cls, n) in enumerate(sorted(place["events"].items())):
            angle = 2 * math.pi * i / max(len(place["events"]), 1)
            ax.scatter(
                [place["lon"] + radius * math.cos(angle)],
                [place["lat"] + radius * math.sin(angle)],
                s=30 + 25 * math.sqrt(n),
                color=COLOURS.get(cls, "#999999"),
                edgecolor="black",
                alpha=0.85,
                zorder=2,
                gid="event",
                label=None if cls in seen else cls,
            )
            seen.add(cls)
    if seen:
        ax.legend(title="events", fontsize=8, loc="best")


def set_frame(ax: Any, box: Box) -> None:
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect(1 / math.cos(math.radians((box[1] + box[3]) / 2)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.grid(True, color="#eeeeee")


__all__ = [
    "control_timeline",
    "control_history",
    "casualties_by_day",
    "casualty_events",
    "place_map",
]
