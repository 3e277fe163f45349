"""Plain Flask routes beside the Dash app: /health, and the store-error answer."""

from __future__ import annotations

import flask

from components import data
from layers.errors import StoreError


def register(app):
    """Add the server routes to ``app`` (a Dash app)."""
    server = app.server

    @server.route("/health")
    def health():
        state = data.status()
        return flask.jsonify(state), (200 if state["ok"] else 503)

    @server.errorhandler(StoreError)
    def store_unavailable(exc):
        # The store went away (database down, file gone): a clear 503, no traceback.
        from components.i18n.errors import error_text

        lang = server.config.get("DEFAULT_LANG", "nb")
        body = {"error": exc.code, "message": error_text(exc, lang)}
        return flask.jsonify(body), 503
