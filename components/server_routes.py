"""Plain Flask routes beside the Dash app: /health."""

from __future__ import annotations

import flask

from components import data


def register(app):
    """Add the server routes to ``app`` (a Dash app)."""
    server = app.server

    @server.route("/health")
    def health():
        state = data.status()
        return flask.jsonify(state), (200 if state["ok"] else 503)
