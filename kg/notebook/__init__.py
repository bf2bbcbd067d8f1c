"""Jupyter helpers (the `notebook` extra): the `%%sparql` cell magic (`sparql`), a graph view
of the claims (`graphview`), and plots and maps (`plots`, `basemap`)."""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext kg.notebook`: the %%sparql cell magic, as `%load_ext kg` gives it."""
    from kg.notebook.sparql import load_ipython_extension as load

    load(ipython)
