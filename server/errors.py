"""One JSON error shape for every route (`server.protocol.error_body`): Flask's handlers."""

from __future__ import annotations

import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from kg.errors import KGError
from server.protocol import error_body

log = logging.getLogger(__name__)


def error_response(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(error_body(message, status), status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _kg_error(exc: KGError) -> Response:
    return error_response(exc.message, exc.status)


def _http_error(exc: HTTPException) -> Response:
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return error_response(exc.description or exc.name, exc.code or 500, headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("Unhandled error")
    return error_response(f"Internal error: {type(exc).__name__}: {exc}", 500)


def init_app(app: Flask) -> None:
    app.register_error_handler(KGError, _kg_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
