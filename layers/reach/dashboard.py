"""What the dashboard calls: the store-level query, cached per store version."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from layers.reach.api import (
    _as_day,
    _check_day,
    _memo,
    _sources,
    _versions,
    query,
    reference_date,
    store_timetable,
)
from layers.reach.figures import (
    band_polygons,
    point_times,
)
from layers.reach.params import (
    BANDS_MIN,
    DEFAULT_MAX_MINUTES,
    DEFAULT_WINDOW,
    ReachParams,
    hhmm,
    parse_window,
    percentile,
)
from layers.schemas import CRS, METRIC_CRS

# ------------------------------------------------------- for the dashboard
#
# What the UI calls (components/data.py is the one door): each answer is cached
# per process and per store version (the timetable, the establishments and the
# areas), read-only, so a filter change or a second view of an area costs a
# dictionary lookup. Nothing is precomputed at import: the figures depend on
# three independently imported layers and on the settings, and one query takes
# tens of milliseconds on the demonstration timetable (see bench/bench_reach.py).


def _origin_key(origin):
    if isinstance(origin, tuple | list):
        return ("point", round(float(origin[0]), 6), round(float(origin[1]), 6))
    return ("text", str(origin).strip())


def _window_text(window):
    return window if isinstance(window, str) else "-".join(window)


def reach_from(
    store,
    origin,
    *,
    day=None,
    window=DEFAULT_WINDOW,
    max_minutes=DEFAULT_MAX_MINUTES,
    params=None,
):
    """:func:`query`, cached per store version: the map layer and detail card.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    origin : str or (lat, lon)
        A stop place id, ``"LAT,LON"``, or a (lat, lon) pair (a map click or a
        premise's point).
    day, window, max_minutes, params
        As for :func:`query`.

    Returns
    -------
    Reach
        Shared: do not modify its frames.
    """
    params = params or ReachParams.from_env()
    window = window if isinstance(window, str) else "-".join(window)
    key = (
        "reach",
        _versions(store, "transit_stops", "establishments"),
        _origin_key(origin),
        str(day),
        window,
        int(max_minutes),
        params,
    )
    return _memo(
        key,
        lambda: query(
            store,
            origin,
            day=day,
            window=window,
            max_minutes=max_minutes,
            params=params,
        ),
    )


def travel_minutes(store, origin, points, **kwargs):
    """Median travel minutes from ``origin`` to each point (the finder filter).

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    origin : str or (lat, lon)
    points : geopandas.GeoSeries or GeoDataFrame
        Any CRS (e.g. the premises); missing geometries give NaN.
    **kwargs
        ``day``, ``window``, ``max_minutes``, ``params`` as for :func:`reach_from`.

    Returns
    -------
    numpy.ndarray of float
        Minutes (one decimal), NaN where not reached within ``max_minutes`` for
        at least half of the departure minutes.
    """
    result = reach_from(store, origin, **kwargs)
    geom = getattr(points, "geometry", points)
    out = np.full(len(geom), np.nan)
    ok = (geom.notna() & ~geom.is_empty).to_numpy()
    if not ok.any():
        return out
    metric = geom[ok].to_crs(METRIC_CRS)
    xy = np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()])
    median = percentile(point_times(result.times, xy), 50).astype(float)
    median[median > result.times.max_s] = np.nan
    out[ok] = np.round(median / 60, 1)
    return out


def premises_minutes(
    store,
    origin,
    *,
    day=None,
    window=DEFAULT_WINDOW,
    max_minutes=DEFAULT_MAX_MINUTES,
    params=None,
):
    """Median travel minutes from ``origin`` to every premise, cached.

    The premises finder's "reachable within N minutes from PLACE": computed once
    per origin and store version, so that a filter change only compares an
    array (``minutes.to_numpy() <= n``).

    Returns
    -------
    pandas.Series of float
        Indexed by ``premises_id``, sorted by it (the order of the finder's
        listings); NaN where not reached (see :func:`travel_minutes`). Shared:
        do not modify.
    """
    params = params or ReachParams.from_env()
    window = window if isinstance(window, str) else "-".join(window)
    args = (str(day), window, int(max_minutes), params)
    versions = _versions(store, "transit_stops", "premises")
    key = ("premises", versions, _origin_key(origin), *args)

    def compute():
        premises = store.read_layer("premises")
        premises = premises.sort_values("premises_id", kind="stable")
        kwargs = {"day": day, "window": window, "max_minutes": max_minutes}
        minutes = travel_minutes(store, origin, premises, params=params, **kwargs)
        return pd.Series(minutes, index=premises["premises_id"].to_numpy())

    return _memo(key, compute)


def bands(store, origin, *, bands_min=BANDS_MIN, **kwargs):
    """Travel-time band polygons from ``origin`` (the map layer), EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
        ``minutes`` (largest first), ``jobs`` and ``establishments`` within, and
        the polygon.
    """
    result = reach_from(store, origin, **kwargs)
    # The key names what the result was computed from (the origin, the date, the
    # window, ...), not the result object (its id may be reused once evicted).
    key = (
        "bands",
        _versions(store, "transit_stops", "establishments"),
        _origin_key(origin),
        str(kwargs.get("day")),
        _window_text(kwargs.get("window", DEFAULT_WINDOW)),
        int(kwargs.get("max_minutes", DEFAULT_MAX_MINUTES)),
        kwargs.get("params") or ReachParams.from_env(),
        tuple(bands_min),
    )
    frame = _memo(key, lambda: band_polygons(result.times, bands_min))
    jobs = [result.jobs_within.get(str(m)) for m in frame["minutes"]]
    est = [result.establishments_within.get(str(m)) for m in frame["minutes"]]
    return frame.assign(jobs=jobs, establishments=est)


def area_reach(store, *, day=None, window=DEFAULT_WINDOW, params=None):
    """Reach from each area's centroid: the profile, comparison and exports figure.

    "Jobs reachable within 30 minutes by public transport in the morning peak"
    is ``jobs_30`` with the default window (07:00-09:00 on the reference date).

    Returns
    -------
    pandas.DataFrame
        One row per area: ``area_id``, ``lon``, ``lat`` (the centroid, computed
        in EPSG:25833), ``jobs_15``, ``jobs_30``, ``jobs_45``,
        ``establishments_15``, ``establishments_30``, ``establishments_45``.
    """
    params = params or ReachParams.from_env()
    window = window if isinstance(window, str) else "-".join(window)
    key = (
        "areas",
        _versions(store, "transit_stops", "establishments", "areas"),
        str(day),
        window,
        params,
    )

    def compute():
        areas = store.read_layer("areas")
        centres = areas.geometry.to_crs(METRIC_CRS).centroid.to_crs(CRS)
        rows = []
        for area_id, c in zip(areas["area_id"], centres, strict=True):
            r = reach_from(store, (c.y, c.x), day=day, window=window, params=params)
            row = {"area_id": area_id, "lon": c.x, "lat": c.y}
            for band in BANDS_MIN:
                row[f"jobs_{band}"] = r.jobs_within[str(band)]
                row[f"establishments_{band}"] = r.establishments_within[str(band)]
            rows.append(row)
        return pd.DataFrame(rows)

    return _memo(key, compute)


def reach_info(store, *, day=None, window=None):
    """What the UI states beside a reach figure: source, date, window, settings.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    day : datetime.date or str, optional
        The chosen service date; default the timetable's reference date.
    window : (str, str) or str, optional
        The chosen departure window; default ``DEFAULT_WINDOW``.

    Returns
    -------
    dict
        ``source``, ``licence``, ``as_of`` and ``demonstration`` of the timetable,
        ``reference_date``, ``date`` (the chosen one), ``period`` (first and last
        day with service), ``window`` (the chosen one), ``bands_min`` and the
        settings (``walk_kmh``, ``detour``, ``max_walk_m``, ``min_transfer_s``,
        ``max_rides``).

    Raises
    ------
    layers.errors.InputError
        The date is unreadable or no trip runs on it, or the window is not
        ``HH:MM-HH:MM`` (the message says what the timetable covers).
    """
    tt = store_timetable(store)
    src = _sources(store).get("transit_stops", {})
    ref = reference_date(tt)
    chosen = _as_day(day) if day is not None else ref
    _check_day(tt, chosen)
    window = window or DEFAULT_WINDOW
    start, end = parse_window(window if isinstance(window, str) else "-".join(window))
    period = tt.period()
    return {
        **src,
        "reference_date": ref.isoformat(),
        "date": chosen.isoformat(),
        "period": [d.isoformat() for d in period] if period else None,
        "window": [hhmm(start), hhmm(end)],
        "bands_min": list(BANDS_MIN),
        **dataclasses.asdict(ReachParams.from_env()),
    }


def stop_places(store):
    """The timetable's stop places (``stop_id``, ``name``, ``lon``, ``lat``), the
    choices of the finder's "from PLACE" (Oslo S, Lillestrøm, …)."""
    return store_timetable(store).places
