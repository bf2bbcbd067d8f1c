"""glibc malloc settings for the processes `kg` starts: query workers and build workers.

Oxigraph's query evaluation allocates and frees millions of small blocks per heavy query: a
quarter of a query worker's samples are glibc's ``malloc`` and ``free``. glibc keeps at most 7
freed blocks of each size in a thread's cache and sends the rest through the arena's slower
paths; with 2,000 per size a heavy stored query takes about 8% less CPU (SCALING.md, "glibc's
thread cache for the query workers": paired runs of the same query in two processes, one
with the setting). spaCy's extraction neither gained nor lost from it.

glibc reads ``GLIBC_TUNABLES`` once, when a program starts, so `kg` puts it in its environment
for the programs it starts: the query workers' fork server and the build's spawned workers.
`kg` itself is already running, and so are the server processes granian forks from it (they
answer lookups in Python and were not measured with it). A ``GLIBC_TUNABLES`` set by the user,
even empty, is left as it is. Other C libraries ignore the variable.
"""

from __future__ import annotations

import os

VARIABLE = "GLIBC_TUNABLES"
TUNABLES = {"tcache_count": 2000}  # freed blocks kept per size in each thread's cache (7)


def setting() -> str:
    return ":".join(f"glibc.malloc.{name}={value}" for name, value in TUNABLES.items())


def tune_child_processes() -> None:
    """Give the processes started from now on kg's malloc settings, unless the user chose."""
    os.environ.setdefault(VARIABLE, setting())
