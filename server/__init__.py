"""The HTTP endpoint: a Flask app factory over the `kg` library (SPARQL protocol and JSON API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from kg.store import default_store_path


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. Config keys: KG_STORE (store directory), QUERY_TIMEOUT (seconds),
    QUERY_THREADS (queries run at once), UPDATE_TOKEN (enables SPARQL Update with
    `Authorization: Bearer TOKEN`), QUERIES_DIR (stored queries; default `queries/`),
    CORS_ORIGINS (`*` or origins allowed to call /sparql and /api; default `$KG_CORS_ORIGINS`,
    else none), KG_ASSETS (the node_modules folder holding YASGUI; default `$KG_ASSETS`, else
    the project's own), MAX_ROWS (rows of one /sparql answer, default 10,000; None for no
    cap), MAX_CONTENT_LENGTH (request body bytes, default 1 MiB; larger requests get 413)."""
    app = Flask(__name__)
    app.config.from_mapping(
        KG_STORE=str(default_store_path()),
        QUERY_TIMEOUT=10.0,
        QUERY_THREADS=8,
        UPDATE_TOKEN=None,
        QUERIES_DIR=None,
        JSON_SORT_KEYS=False,
        MAX_ROWS=10_000,  # rows of one /sparql answer; the rest is never computed
        MAX_CONTENT_LENGTH=1024 * 1024,  # bytes of one request body: larger ones get 413
    )
    app.config.update(config or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from server import api, cors, db, direct, errors, graph_store, pages, queries, sparql

    db.init_app(app)
    errors.init_app(app)
    cors.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(queries.bp)
    app.register_blueprint(pages.bp)
    app.wsgi_app = direct.DirectQueries(app)  # type: ignore[method-assign]
    return app
