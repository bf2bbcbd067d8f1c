"""The store attached to the app: a read-only view that follows `kg build`, and a query runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app

from kg.serve import LiveStore, QueryRunner
from kg.store import Store

T = TypeVar("T")


def init_app(app: Flask) -> None:
    app.extensions["kg.store"] = LiveStore(app.config["KG_STORE"])
    app.extensions["kg.runner"] = QueryRunner(
        float(app.config["QUERY_TIMEOUT"]), int(app.config["QUERY_THREADS"])
    )


def get_store() -> Store:
    store: LiveStore = current_app.extensions["kg.store"]
    return store.get()


def run(work: Callable[..., T], *args: Any) -> T:
    """Run store work under the query time limit; ``work`` must not touch the request."""
    runner: QueryRunner = current_app.extensions["kg.runner"]
    return runner.run(work, *args)


def invalidate() -> None:
    """Make the next request reopen the store (after an update written by this process)."""
    store: LiveStore = current_app.extensions["kg.store"]
    store.invalidate()
