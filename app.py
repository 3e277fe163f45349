"""Næringsarealer: build the Dash app and expose ``server`` for gunicorn.

Nothing happens at import: ``server`` is created on first access, so tests can
build their own app with their own settings (one Dash app per process).
"""

from __future__ import annotations

import os
import sys

import dash

from components import settings as settings_mod


def create_app(settings=None):
    """Build the dashboard.

    Parameters
    ----------
    settings : dict, optional
        Overrides of ``components.settings.DEFAULTS`` (store path, secret key, ...).

    Returns
    -------
    dash.Dash
    """
    from components import auth, frontend, layout, server_routes, tiles_route
    from components.export_cli import register_cli
    from components.i18n import t
    from layers import kommune
    from layers.store import open_store

    config = settings_mod.resolve(settings)
    # The kommune of the store this app serves (layers/kommune.py).
    kommune.activate_store(open_store(config["NARING_STORE"]))
    app = dash.Dash(
        __name__,
        title=t("app_title"),
        compress=True,
        serve_locally=True,
        update_title=None,
        # Vendored files for the standalone exports (Leaflet) are inlined there,
        # not loaded into the dashboard.
        assets_path_ignore=["vendor"],
        suppress_callback_exceptions=False,
        # A store that fails during a callback: a message, not a 500.
        on_error=server_routes.callback_error,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"}
        ],
    )
    app.server.config.update(config)
    app.server.secret_key = config["SECRET_KEY"]
    # Dash calls a layout function on assignment unless a validation layout is
    # set; ours needs a request (the store), so set the validation layout first.
    app.validation_layout = layout.validation_layout()
    app.layout = layout.serve_layout
    auth.register(app)
    # After auth: its limits and headers depend on the checked login.
    server_routes.register(app)
    tiles_route.register(app)  # /tiles/<z>/<x>/<y>.png from the store
    # Custom plotly.js, the grid's JS only where a grid is, caching, preloads.
    frontend.register(app)
    register_cli(app.server)
    return app


_default = None


def warm(app):
    """Build the store's frames, the map's cells and default pages before serving.

    ``gunicorn --preload app:server`` runs this once in the master (outside any
    worker timeout); ``NARING_WARM=0`` skips it.
    """
    from components import data, map_panel

    if os.environ.get("NARING_WARM", "1") == "0":
        return None
    return data.warm(app, map_panel.warm, data.finder_listings)


def __getattr__(name):
    # gunicorn's `app:server` looks the attribute up: build the app on first use.
    global _default
    # `flask --app app ...` looks for a Flask object named `application`.
    if name in ("server", "application", "app"):
        if _default is None:
            _default = create_app()
            try:
                warm(_default)
            except Exception as exc:  # noqa: BLE001 - a cold cache is no reason not to serve
                # An error here would reach gunicorn as "no attribute 'server'";
                # the first requests build what the warm-up could not.
                print(f"warm-up skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
        return _default if name == "app" else _default.server
    raise AttributeError(name)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8050"))
    __getattr__("app").run(host="127.0.0.1", port=port, debug=False)
