"""`kg serve`: the endpoint served by granian, its server processes sharing one pool of query
workers (`server.shared_pool`)."""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import InputError, StoreError
from server.shared_pool import PoolHost
from server.workers import WORKER_PRELOAD, one_per_core

T = TypeVar("T")


def serve(
    store_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 5000,
    timeout: float = 10.0,
    threads: int = 8,
    update_token: str | None = None,
    workers: int | None = None,
    http_workers: int | None = None,
) -> None:
    """Serve the endpoint with granian (a production HTTP server written in Rust: HTTP parsing
    and keep-alive handling never take the GIL) until interrupted. ``threads`` requests are
    handled at once by each of ``http_workers`` server processes (default `default_http_workers`).
    User queries are evaluated by ``workers`` query processes that all server processes share
    (`server.shared_pool`; default `$KG_QUERY_WORKERS`, else one per core and two at least; 0
    evaluates them in threads). Lookups are evaluated in the server processes themselves
    (`server.bounded`), so two of them answer light queries about 1.5 times as fast as one,
    each under its own interpreter lock (bench/throughput.py --serve-args '--http-workers 1')."""
    if not Path(store_path).is_dir():
        raise StoreError(f"No store at {store_path}: run `kg build` first or pass --store DIR")
    _check_port(host, port)
    if workers is None:
        workers = int(os.environ.get("KG_QUERY_WORKERS") or one_per_core())
    config: dict[str, Any] = {
        "KG_STORE": str(Path(store_path).resolve()),
        "QUERY_TIMEOUT": timeout,
        "QUERY_THREADS": threads,
        "UPDATE_TOKEN": update_token,
        "QUERY_WORKERS": workers,
        "OWN_PROCESS_GROUP": True,  # server.wsgi: Ctrl-C reaches this process only
    }
    pool = None
    if workers > 0:
        slots = int(os.environ.get("KG_QUERY_SLOTS") or 0) or None
        pool = PoolHost(config["KG_STORE"], workers, WORKER_PRELOAD, slots)
        config["QUERY_POOL"] = pool.start()
    os.environ[CONFIG_VARIABLE] = json.dumps(config)  # read by the server processes' factory
    print(f"Serving {store_path} on http://{host}:{port}/ (SPARQL at /sparql)", flush=True)
    if note := _in_fresh_process(stale_derived_note, str(store_path)):
        print(note, file=sys.stderr, flush=True)
    try:
        _granian(config, host, port, threads, http_workers)
    finally:
        if pool is not None:
            pool.close()


def _in_fresh_process(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a spawned process. The server processes are forks of this one, and a
    RocksDB store ever opened here leaves its background threads' state behind in them: a fork's
    ``Store.flush()`` then waits forever and keeps the write lock. So this process never opens
    the store itself."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
        return one.submit(fn, *args).result()


def stale_derived_note(store_path: str | os.PathLike[str]) -> str | None:
    """A line naming the derived data the store lacks in its current shape (what the questions
    and listings that read it refuse to answer without), or None. (Imported here: the server
    processes, which import this module for its CONFIG_VARIABLE, never run it.)"""
    from kg.build import has_articles
    from kg.derived import stale
    from kg.store import Store

    store = Store(store_path, read_only=True)
    if not has_articles(store):
        return None  # nothing built yet
    missing = [piece.name for piece in stale(store)]
    if not missing:
        return None
    return (
        f"Note: the store at {store_path} has no {', '.join(missing)} of this version, which "
        "who-controlled, the listings and the stored totals read: run `kg refresh` once (it "
        "computes them from the claims)"
    )


def _granian(
    config: dict[str, Any], host: str, port: int, threads: int, http_workers: int | None
) -> None:
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    Granian(
        "server.wsgi:app_from_environment",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        factory=True,
        workers=max(1, http_workers or default_http_workers()),
        blocking_threads=max(1, threads),
        # granian's default: connections a process holds open (backlog / workers), each one
        # counted, idle or not; `threads` bounds the requests whose Python runs at once
        websockets=False,
        respawn_failed_workers=True,
        # a server process told to stop while it was still starting (its stop handler not yet
        # set) keeps running and the parent would wait on it forever: killed after 5 s
        workers_kill_timeout=5,
        log_level=LogLevels.error,  # its warning about threads over 2 x cores: ours wait
    ).serve()


CONFIG_VARIABLE = "KG_SERVE_CONFIG"


def default_http_workers() -> int:
    """Two server processes on two cores or more: a lookup's Python runs under one interpreter
    lock per process, and a third process on two cores only adds query workers."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def _check_port(host: str, port: int) -> None:
    """Say which port is taken in one line, before the server's processes start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"Cannot listen on {host}:{port} ({exc.strerror}): pass another --port "
                "or stop the program using it"
            ) from None
