"""CORS for `/sparql` and `/api/...`, so a web page on another origin can query the endpoint.

Off unless configured: `CORS_ORIGINS` (app config, else the `KG_CORS_ORIGINS` environment
variable) is `*` or a list (or comma-separated string) of allowed origins. Flask answers
`OPTIONS` itself for every route; this adds the headers a browser's preflight checks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from flask import Flask, Response, current_app, request

ALLOWED_HEADERS = "Accept, Content-Type, Authorization"
MAX_AGE = "600"


def init_app(app: Flask) -> None:
    app.config.setdefault("CORS_ORIGINS", os.environ.get("KG_CORS_ORIGINS") or None)
    app.after_request(_add_headers)


def allowed_origins(setting: str | Iterable[str] | None) -> set[str]:
    if not setting:
        return set()
    items = setting.split(",") if isinstance(setting, str) else setting
    return {item.strip().rstrip("/") for item in items if item.strip()}


def headers_for(
    setting: str | Iterable[str] | None, origin: str | None, method: str
) -> list[tuple[str, str]]:
    """The CORS headers of an answer to ``origin`` (none when CORS is off or it is not allowed)."""
    allowed = allowed_origins(setting)
    if not allowed or not origin:
        return []
    if "*" in allowed:
        headers = [("Access-Control-Allow-Origin", "*")]
    elif origin.rstrip("/") in allowed:
        headers = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    else:
        return []
    if method == "OPTIONS":
        headers += [
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ("Access-Control-Max-Age", MAX_AGE),
        ]
    return headers


def _add_headers(response: Response) -> Response:
    path = request.path
    if not (path == "/sparql" or path.startswith("/api/")):
        return response
    found = headers_for(
        current_app.config.get("CORS_ORIGINS"), request.headers.get("Origin"), request.method
    )
    for name, value in found:
        if name == "Vary":
            response.vary.add(value)
        else:
            response.headers[name] = value
    return response
