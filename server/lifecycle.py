"""Stopping an embedded waitress server cleanly (tests, benchmarks, notebooks).

`TcpWSGIServer.close()` closes only the listening socket and the trigger pipe; worker threads
and open channels live on, and when one finishes it wakes the loop by writing b"x" to the
trigger's file descriptor, by then closed and possibly reused by a new connection, which
then reads a stray "x" before its status line. Stop the workers first, close every channel,
then the trigger.
"""

from __future__ import annotations

from typing import Any


def stop(server: Any, timeout: float = 5.0) -> None:
    """Stop a server made by `waitress.create_server` whose `run()` loop is in a thread."""
    from waitress import wasyncore

    server.task_dispatcher.shutdown(timeout=timeout)
    wasyncore.close_all(server._map)  # the run() loop ends when its map is empty
