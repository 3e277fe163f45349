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

    s = store()
    provider = _reach_provider(s) if has_timetable() else None
    return memo(
        "finder.listings",
        None,
        lambda: finder.prepare(
            layer("premises"),
            layer("areas"),
            layer_or_empty("transit_stops"),
            reach=provider,
        ),
    )


# --------------------------------------------------------------------------
# Travel-time reach (layers/reach.py: cached there per store version).
# --------------------------------------------------------------------------


def _reach_provider(s):
    from layers import reach

    def minutes(origin, **kwargs):
        return reach.premises_minutes(s, origin, **kwargs).to_numpy()

    return minutes


def has_timetable():
    """Whether the store holds a timetable for travel times."""
    return memo("reach.has_timetable", None, lambda: _has_timetable(store()))


def _has_timetable(s):
    from layers import reach

    try:
        reach.store_timetable(s)
    except StoreError:
        return False
    return True


def reach_info(day=None, window=None):
    """:func:`layers.reach.reach_info` for ``day`` and ``window`` (default: the
    reference date, 07:00-09:00), or None when the store has no timetable."""
    if not has_timetable():
        return None
    from layers import reach

    return memo(
        "reach.info",
        (day, window),
        lambda: reach.reach_info(store(), day=day, window=window),
        limit=64,
    )


def area_reach():
    """``{area id: row}`` of :func:`layers.reach.area_reach` (empty: no timetable).

    A row: ``jobs_15/30/45`` and ``establishments_15/30/45`` from the area's
    centroid, 07:00-09:00 on the timetable's reference date.
    """
    if not has_timetable():
        return {}
    from layers import reach

    def build():
        frame = reach.area_reach(store())
        return {r["area_id"]: r for r in frame.to_dict("records")}

    return memo("reach.areas", None, build)


def area_reach_row(area_id):
    """One area's reach row (as in :func:`area_reach`), computing only that area
    (the profile of one area should not wait for all six); None: no timetable."""
    if not has_timetable():
        return None
    from layers import reach
    from layers.schemas import CRS, METRIC_CRS

    def build():
        areas = layer("areas")
        hit = areas[areas["area_id"] == area_id]
        if not len(hit):
            return None
        c = hit.geometry.to_crs(METRIC_CRS).centroid.to_crs(CRS).iloc[0]
        r = reach.reach_from(store(), (c.y, c.x))
        row = {"area_id": area_id, "lon": c.x, "lat": c.y}
        for band in (15, 30, 45):
            row[f"jobs_{band}"] = r.jobs_within[str(band)]
            row[f"establishments_{band}"] = r.establishments_within[str(band)]
        return row

    return memo("reach.area_row", area_id, build)


def export_figures():
    """:func:`figures` with each area's reach figures (``reach_views.with_reach``)
    and jobs by section (``exports.with_sections``), for the exports."""
    from components import exports, reach_views

    def build():
        rows = reach_views.with_reach(figures(), area_reach(), reach_info())
        return exports.with_sections(rows, frames())

    return memo("reach.export_figures", None, build)


def reach_places():
    """The timetable's stop places (``stop_id``, ``name``, ``lon``, ``lat``),
    sorted by name; empty without a timetable."""
    import pandas as pd

    if not has_timetable():
        return pd.DataFrame(columns=["stop_id", "name", "lon", "lat"])
    from layers import reach

    def build():
        places = reach.stop_places(store())[["stop_id", "name", "lon", "lat"]]
        key = places["name"].astype(str).str.casefold()
        return (
            places.assign(_k=key)
            .sort_values(["_k", "stop_id"])
            .drop(columns="_k")
            .reset_index(drop=True)
        )

    return memo("reach.places", None, build)


def reach_from(origin, **kwargs):
    """:func:`layers.reach.reach_from` (``day``, ``window``; cached there)."""
    from layers import reach

    return reach.reach_from(store(), origin, **kwargs)


def reach_bands(origin, **kwargs):
    """:func:`layers.reach.bands` (``day``, ``window``; cached there)."""
    from layers import reach

    return reach.bands(store(), origin, **kwargs)


def travel_minutes(origin, points, **kwargs):
    """:func:`layers.reach.travel_minutes` (``day``, ``window``)."""
    from layers import reach

    return reach.travel_minutes(store(), origin, points, **kwargs)


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
