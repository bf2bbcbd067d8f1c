"""The store attached to the app: a read-only view that follows `kg build`, the worker
processes that evaluate user queries, and a thread runner for the server's own queries."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app

from kg.errors import WorkersUnavailable
from kg.store import Store
from server.live import LiveStore
from server.shared_pool import SharedPool
from server.workers import WORKER_PRELOAD, QueryRunner, WorkerPool, close_with

T = TypeVar("T")


def init_app(app: Flask) -> None:
    """Config: QUERY_TIMEOUT, QUERY_THREADS, QUERY_WORKERS (worker processes for /sparql
    and stored queries; default `$KG_QUERY_WORKERS`, else 2; 0 evaluates them in threads,
    where a query past the limit gets its 503 but runs on to its end), QUERY_POOL (the address
    of `kg serve`'s shared workers, `server.shared_pool`: then QUERY_WORKERS is their number and
    this process starts none of its own), and QUERY_SLOTS
    (evaluations at once on the machine, across server processes: `server.slots.Slots`; default
    `$KG_QUERY_SLOTS`, else one per core, two at least)."""
    timeout = float(app.config["QUERY_TIMEOUT"])
    app.extensions["kg.store"] = LiveStore(app.config["KG_STORE"])
    app.extensions["kg.runner"] = QueryRunner(timeout, int(app.config["QUERY_THREADS"]))
    workers = int(app.config.get("QUERY_WORKERS", os.environ.get("KG_QUERY_WORKERS", 2)))
    slots = app.config.get("QUERY_SLOTS", os.environ.get("KG_QUERY_SLOTS"))
    pool: WorkerPool | SharedPool | None = None
    if app.config.get("QUERY_POOL") and workers > 0:  # kg serve's workers, shared
        pool = SharedPool(app.config["QUERY_POOL"], timeout, workers)
    elif workers > 0:
        try:
            pool = WorkerPool(
                app.config["KG_STORE"], timeout, workers, WORKER_PRELOAD, int(slots or 0) or None
            )
        except (OSError, ValueError, ImportError) as exc:  # no multiprocessing here
            app.logger.warning("Query workers unavailable (%s): queries run in threads", exc)
        else:
            close_with(app, pool)
    app.extensions["kg.workers"] = pool


def get_store() -> Store:
    store: LiveStore = current_app.extensions["kg.store"]
    return store.get()


def run(work: Callable[..., T], *args: Any) -> T:
    """Run store work under the query time limit; ``work`` must not touch the request."""
    runner: QueryRunner = current_app.extensions["kg.runner"]
    return runner.run(work, *args)


def evaluate(fn: Callable[..., T], *args: Any) -> T:
    """`evaluate_in` for the current app."""
    return evaluate_in(current_app._get_current_object(), fn, *args)  # type: ignore[attr-defined]


def evaluate_in(app: Flask, fn: Callable[..., T], *args: Any) -> T:
    """``fn(store, *args)`` for a user's query: in a worker process that is killed at the time
    limit, or in the thread runner when there are no workers. ``fn`` is a module-level function
    (sent by name) and its arguments and result are picklable (bytes, not lazy results). Needs
    no app context: `server.direct` calls it beneath Flask."""
    pool: WorkerPool | SharedPool | None = app.extensions["kg.workers"]
    if pool is not None and not pool.unavailable:
        try:
            return pool.run(fn, *args)
        except WorkersUnavailable as exc:
            app.logger.warning("%s: queries run in threads from now on", exc.message)
    runner: QueryRunner = app.extensions["kg.runner"]
    live: LiveStore = app.extensions["kg.store"]
    return runner.run(fn, live.get(), *args)


def evaluate_here(app: Flask, fn: Callable[..., T], *args: Any) -> T:
    """``fn(store, *args)`` in this thread, for a query whose cost is bounded by its few rows
    (`server.bounded`): no time limit, no hand-off to a worker."""
    live: LiveStore = app.extensions["kg.store"]
    return fn(live.get(), *args)


def start_workers() -> None:
    pool: WorkerPool | SharedPool | None = current_app.extensions["kg.workers"]
    if pool is not None:
        pool.start()


def invalidate() -> None:
    """Make the next request reopen the store (after an update written by this process)."""
    store: LiveStore = current_app.extensions["kg.store"]
    store.invalidate()
    pool: WorkerPool | SharedPool | None = current_app.extensions["kg.workers"]
    if pool is not None:
        pool.invalidate()
