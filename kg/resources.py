"""Where the shipped files live, whether the project is installed or run from a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _dir(package: str, checkout_dir: str) -> Path:
    here = Path(__file__).resolve().parent.parent / checkout_dir
    if here.is_dir():
        return here
    return Path(str(resources.files(package)))


def queries_dir() -> Path:
    return _dir("kg._queries", "queries")


def ontology_dir() -> Path:
    return _dir("kg._ontology", "ontology")


def data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"
