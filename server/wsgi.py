"""The app as `kg serve`'s server processes build it: `server.wsgi:app_from_environment`.

granian imports the app by name in each server process it starts, so `server.launch.serve` passes
the configuration through the environment (`KG_SERVE_CONFIG`, JSON). Any WSGI server can
serve the same factory: `KG_SERVE_CONFIG='{"KG_STORE": "/data/store"}' gunicorn
'server.wsgi:app_from_environment()'`.
"""

from __future__ import annotations

import json
import os

from flask import Flask

from server import create_app, db
from server.launch import CONFIG_VARIABLE
from server.shared_pool import end_with


def app_from_environment() -> Flask:
    """The app configured by `KG_SERVE_CONFIG`, its query workers started (the first query
    should not wait for them)."""
    config = json.loads(os.environ.get(CONFIG_VARIABLE) or "{}")
    if config.get("OWN_PROCESS_GROUP"):
        # Ctrl-C signals the terminal's whole process group. granian's server processes that
        # got it at the same moment as their parent sometimes never ended (granian 2.8: the
        # parent waited for them forever); out of the group, only the parent hears it and
        # stops them itself. Out of the group, a kill of the group would miss them too: they
        # end when the parent ends, however it ends.
        os.setpgid(0, 0)
        end_with(os.getppid())
    app = create_app(config)
    with app.app_context():
        db.start_workers()
    return app
