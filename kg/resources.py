"""Where the shipped files live, whether the project is installed or run from a checkout.

In a checkout, `queries/` and `ontology/` sit beside `kg/`. An installed copy carries them as
the data-only packages `kg._queries` and `kg._ontology` (see pyproject.toml); having no
`__init__.py`, they are namespace packages, whose location the import system gives as a
search location (importlib.resources would hand back a MultiplexedPath, not a folder).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kg.errors import KGError


def _dir(package: str, checkout_dir: str) -> Path:
    here = Path(__file__).resolve().parent.parent / checkout_dir
    if here.is_dir():
        return here
    spec = importlib.util.find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise KGError(
            f"The installed package lacks its {checkout_dir}/ files: reinstall with "
            "`pip install .` from the project folder"
        )
    return Path(locations[0])


def queries_dir() -> Path:
    return _dir("kg._queries", "queries")


def ontology_dir() -> Path:
    return _dir("kg._ontology", "ontology")


def data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"


def derived_ontology_path() -> Path:
    """The vocabulary of the derived data (`kg.derived`), apart from the domain ontology."""
    return ontology_dir() / "derived.ttl"
