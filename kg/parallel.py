"""Work spread over processes on one machine, results back in order.

Extraction is CPU-bound Python and spaCy, so threads do not help; each worker process loads
the pipeline once (``initializer``) and takes chunks of items, so spaCy still batches inside a
chunk. Results come back in input order: the caller writes them in the parent, a few whole
articles per transaction (``kg.build.Writer``).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def chunk_size(n: int, workers: int, largest: int = 32) -> int:
    """Chunks big enough for spaCy's batches, small enough that the last ones balance."""
    return max(1, min(largest, n // (workers * 4) or 1))


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def map_chunks(
    fn: Callable[[list[T]], R],
    items: list[T],
    workers: int,
    initializer: Callable[[], None] | None = None,
    size: int | None = None,
) -> Iterator[R]:
    """``fn`` over chunks of ``items`` in ``workers`` processes, results in order.

    Workers are started with ``spawn``: a fork of a parent that runs threads (a server, a
    test session) can deadlock, and spawn behaves the same on every platform.
    """
    context = mp.get_context("spawn")
    size = size or chunk_size(len(items), workers)
    with context.Pool(workers, initializer=initializer) as pool:
        yield from pool.imap(fn, chunks(items, size))
