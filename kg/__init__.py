"""conflict-kg: a knowledge graph of claims in news about armed conflict."""

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext kg`: the %%sparql cell magic (imported lazily to keep `import kg` cheap)."""
    from kg.notebook.sparql import load_ipython_extension as load

    load(ipython)
