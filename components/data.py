"""The one place components get data from: the store named in the app's settings.

Layer frames are cached per process by the store (read-only); the per-area figures
are cached here per store file version.
"""

from __future__ import annotations

import flask

from layers.errors import StoreError
from layers.stats import store_figures
from layers.store import open_store

_FIGURES: dict[tuple, list] = {}


def store():
    """Return the store configured for the running app."""
    return open_store(flask.current_app.config["NARING_STORE"])


def layer(name):
    """Return a layer frame (shared, read-only: copy before changing it)."""
    return store().read_layer(name)


def layer_or_empty(name):
    """Return a layer, or an empty frame with its columns when the store lacks it."""
    from layers.schemas import empty_layer

    try:
        return layer(name)
    except StoreError:
        return empty_layer(name)


def version():
    """Return ``(store path, store version)``; read once per request (cached on g)."""
    path = flask.current_app.config["NARING_STORE"]
    hit = flask.g.get("naring_store_version") if flask.has_request_context() else None
    if hit is None or hit[0] != path:
        s = store()
        hit = (path, (str(s.path), s.version()))
        if flask.has_request_context():
            flask.g.naring_store_version = hit
    return hit[1]


def layer_infos():
    """Return ``{layer name: LayerInfo}``."""
    return {i.name: i for i in store().list_layers()}


def figures():
    """Return the per-area figures (``layers.stats``), cached per store version."""
    key = version()
    if key not in _FIGURES:
        _FIGURES.clear()
        _FIGURES[key] = store_figures(store())
    return _FIGURES[key]


def status(path=None):
    """Describe the store's state for /health and the error page.

    Returns
    -------
    dict
        ``ok`` (bool), ``store`` (path), ``message`` and ``layers`` (name -> info).
    """
    s = open_store(path or flask.current_app.config["NARING_STORE"])
    try:
        infos = {i.name: i.to_dict() for i in s.list_layers()}
    except StoreError as exc:
        return {"ok": False, "store": str(s.path), "message": str(exc), "layers": {}}
    required = ("areas", "boundary", "establishments", "premises", "transit_stops")
    missing = [n for n in required if n not in infos]
    if missing:
        msg = f"the store lacks layer(s): {', '.join(missing)}"
        return {"ok": False, "store": str(s.path), "message": msg, "layers": infos}
    return {"ok": True, "store": str(s.path), "message": "ok", "layers": infos}
