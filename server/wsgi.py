"""The app as `kg serve`'s server processes build it: `server.wsgi:app_from_environment`.

granian imports the app by name in each server process it starts, so `kg.serve.serve` passes
the configuration through the environment (`KG_SERVE_CONFIG`, JSON). Any WSGI server can
serve the same factory: `KG_SERVE_CONFIG='{"KG_STORE": "/data/store"}' gunicorn
'server.wsgi:app_from_environment()'`.
"""

from __future__ import annotations

import json
import os

from flask import Flask

from kg.serve import CONFIG_VARIABLE
from server import create_app, db


def app_from_environment() -> Flask:
    """The app configured by `KG_SERVE_CONFIG`, its query workers started (the first query
    should not wait for them)."""
    config = json.loads(os.environ.get(CONFIG_VARIABLE) or "{}")
    app = create_app(config)
    with app.app_context():
        db.start_workers()
    return app
