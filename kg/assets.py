"""Where the web page's third-party browser files are: YASGUI, installed by `npm ci`.

The files are served by the server itself (analysts work offline), from the `node_modules`
folder that `npm ci` fills at the project root. `KG_ASSETS` names another `node_modules`
folder, for an installed package run outside the source tree.
"""

from __future__ import annotations

import os
from pathlib import Path

YASGUI_BUILD = Path("@zazuko") / "yasgui" / "build"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
INSTALL_HINT = "run `npm ci` in the project folder (or set KG_ASSETS to a node_modules folder)"


def node_modules_candidates(configured: str | os.PathLike[str] | None = None) -> list[Path]:
    """Folders searched for the browser packages, first match wins. A folder named in the
    app config or in `KG_ASSETS` is the only one searched."""
    named = configured or os.environ.get("KG_ASSETS")
    if named:
        return [Path(named)]
    source_tree = Path(__file__).resolve().parent.parent / "node_modules"
    return [source_tree, Path.cwd() / "node_modules"]


def yasgui_dir(configured: str | os.PathLike[str] | None = None) -> Path | None:
    """The YASGUI build folder holding every file the page needs, or None when not installed."""
    for modules in node_modules_candidates(configured):
        build = modules / YASGUI_BUILD
        if all((build / name).is_file() for name in YASGUI_FILES):
            return build
    return None
