"""The one door from components to the store, its frames and the per-area engine.

Panels get data only through these functions, never through a sibling panel or
by reading files. Layer frames, the engine's frames and rows, and anything a panel
memoises with :func:`memo` are kept per process and per store version in
``layers.frames.MEMO`` (shared and read-only: copy before changing).
"""

from __future__ import annotations

import time

import flask

from layers import aggregates, register
from layers.errors import StoreError
from layers.frames import MEMO
from layers.store import open_store


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


def memo(namespace, key, build, limit=None):
    """Return ``build()`` memoised per store version (``layers.frames.MEMO``).

    Parameters
    ----------
    namespace : str
        The caller (``"map.context"``, ``"finder.listings"`` …).
    key : hashable
        What was computed (area, filters, language …).
    build : callable
        ``build() -> value``; called again only after the store changed.
    limit : int, optional
        The most entries the namespace keeps (least recently used dropped first).

    Returns
    -------
    object
        Shared and read-only.
    """
    path, stamp = version()
    return MEMO.get(namespace, path, key, build, version=stamp, limit=limit)


def layer_infos():
    """Return ``{layer name: LayerInfo}``."""
    return memo("data.layer_infos", None, lambda: _infos(store()))


def _infos(s):
    return {i.name: i for i in s.list_layers()}


def as_of(name):
    """Return the as-of date (ISO) of a layer, or "" when the store lacks it."""
    info = layer_infos().get(name)
    return info.as_of if info else ""


def frames():
    """Return the engine's :class:`layers.aggregates.Frames` of the store."""
    return aggregates.frames(store())


def figures():
    """Return the engine's unfiltered rows (``stats`` rows), per store version.

    One dict per area, then ``rest`` and ``total``, with every figure, its source
    and as-of date, ``jobs_estimated`` and ``industry_standard``
    (:func:`layers.aggregates.area_rows`).
    """
    return aggregates.store_rows(store())


def figures_by_area():
    """Return :func:`figures` as ``{area id: row}`` (``rest`` and ``total`` too)."""
    return memo(
        "aggregates.rows_by_area", None, lambda: {r["area_id"]: r for r in figures()}
    )


def finder_listings():
    """Return the register's listings prepared for the finder, per store version."""
    from components import finder

    return memo(
        "finder.listings",
        None,
        lambda: finder.prepare(
            layer("premises"), layer("areas"), layer_or_empty("transit_stops")
        ),
    )


def boundary():
    """Return the municipality's boundary, or None when the store lacks it."""
    gdf = layer_or_empty("boundary")
    return gdf if len(gdf) else None


def listings():
    """Return every listing of the register as a dict, sorted by id (not cached)."""
    return register.all_listings(store())


def status(path=None):
    """Describe the store's state for /health and the error page.

    Returns
    -------
    dict
        ``ok`` (bool), ``store`` (path or URL without password), ``version`` (the
        store version, when readable), ``message`` and ``layers`` (name -> info,
        with ``rows``).
    """
    s = open_store(path or flask.current_app.config["NARING_STORE"])
    try:
        infos = {i.name: i.to_dict() for i in s.list_layers()}
        store_version = str(s.version())
    except StoreError as exc:
        return {"ok": False, "store": str(s.path), "message": str(exc), "layers": {}}
    required = ("areas", "boundary", "establishments", "premises", "transit_stops")
    missing = [n for n in required if n not in infos]
    if missing:
        msg = f"the store lacks layer(s): {', '.join(missing)}"
        return {"ok": False, "store": str(s.path), "message": msg, "layers": infos}
    return {
        "ok": True,
        "store": str(s.path),
        "version": store_version,
        "message": "ok",
        "layers": infos,
    }


def warm(app, *steps):
    """Run ``steps`` (callables) in a request context of ``app`` before serving.

    Builds what the first request would otherwise pay for (the engine's frames,
    the map's context, grid cells and default pages) into the memo of this
    process; under ``gunicorn --preload`` the master does it once and the workers
    inherit it. A store that cannot be read is logged and left to the error page.

    Parameters
    ----------
    app : dash.Dash
    *steps : callable
        Called without arguments inside ``app.server.test_request_context("/")``.

    Returns
    -------
    float or None
        Seconds taken, or None when the store could not be read.
    """
    t0 = time.perf_counter()
    try:
        with app.server.test_request_context("/"):
            for step in steps:
                step()
    except (StoreError, OSError) as exc:
        app.server.logger.warning("warm-up skipped: %s", exc)
        return None
    _release_free_memory()
    return time.perf_counter() - t0


def _release_free_memory():
    # The build's temporaries (the spatial join, the layer as read) are freed but
    # glibc keeps the pages; give them back so forked workers do not carry them.
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc: nothing to trim
