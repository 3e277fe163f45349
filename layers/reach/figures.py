"""Destinations, reach counts and band polygons from travel times."""

from __future__ import annotations

import numpy as np

from layers.reach.params import (
    BANDS_MIN,
    UNREACHED,
    percentile,
)
from layers.reach.raptor import (
    _pairs_within,
)
from layers.schemas import CRS, METRIC_CRS

# ------------------------------------------------------------- destinations


def point_times(times, points_xy):
    """Per-minute travel times to points (walk from the origin or from a stop).

    Parameters
    ----------
    times : TravelTimes
    points_xy : numpy.ndarray, shape (n, 2)
        EPSG:25833 metres.

    Returns
    -------
    numpy.ndarray of int64, shape (minutes, n)
        ``UNREACHED`` where not within ``times.max_s``.
    """
    params = times.params
    n = len(points_xy)
    n_min = len(times.departures_s)
    out = np.full((n_min, n), UNREACHED, dtype="int64")
    if n == 0:
        return out
    tt_xy = times.place_xy
    direct = np.hypot(
        points_xy[:, 0] - times.origin.x, points_xy[:, 1] - times.origin.y
    )
    walkable = direct <= params.max_straight_m
    walk_direct = params.walk_seconds(direct).astype("int64")
    reach_direct = walkable & (walk_direct <= times.max_s)
    out[:, reach_direct] = walk_direct[reach_direct]
    reached = np.flatnonzero((times.seconds < UNREACHED).any(axis=0))
    if len(reached):
        ip, jp, dist = _pairs_within(points_xy, tt_xy[reached], params.max_straight_m)
        walk = params.walk_seconds(dist).astype("int64")
        order = np.argsort(ip, kind="stable")
        ip, jp, walk = ip[order], reached[jp[order]], walk[order]
        chunk = 20_000
        for a in range(0, len(ip), chunk):
            b = min(a + chunk, len(ip))
            cand = times.seconds[:, jp[a:b]] + walk[a:b]
            cand[cand > times.max_s] = UNREACHED
            cols = ip[a:b]
            starts = np.flatnonzero(np.r_[True, cols[1:] != cols[:-1]])
            best = np.minimum.reduceat(cand, starts, axis=1)
            target = cols[starts]
            out[:, target] = np.minimum(out[:, target], best)
    return out


def reach_counts(times, points_xy, weights, bands_min=BANDS_MIN, multiplicity=None):
    """Number and weight of points whose median travel time is within each band.

    Parameters
    ----------
    times : TravelTimes
    points_xy : numpy.ndarray, shape (n, 2)
    weights : numpy.ndarray, shape (n,)
        E.g. employees per establishment.
    bands_min : sequence of int
    multiplicity : numpy.ndarray, shape (n,), optional
        How many destinations each point stands for (:func:`group_points`).

    Returns
    -------
    counts, weighted : dict
        ``{"15": n, …}`` (string keys, as in the JSON), integers.
    """
    median = percentile(point_times(times, points_xy), 50)
    if multiplicity is None:
        multiplicity = np.ones(len(points_xy), dtype="int64")
    counts, weighted = {}, {}
    for band in bands_min:
        inside = median <= band * 60
        counts[str(band)] = int(np.asarray(multiplicity)[inside].sum())
        weighted[str(band)] = int(np.asarray(weights)[inside].sum())
    return counts, weighted


# Above this many destinations, those in one square of GROUP_CELL_M metres are
# counted at their mean position (as Conveyal counts opportunities on a grid).
GROUP_ABOVE = 200_000
GROUP_CELL_M = 50.0


def group_points(points_xy, weights, above=GROUP_ABOVE, cell_m=GROUP_CELL_M):
    """Destinations merged where that changes no travel time, or little.

    Points at the same position are always merged (exactly the same answer).
    With more than ``above`` points, the points of each ``cell_m`` square are
    merged at their mean position: a travel time is then off by the walk from a
    firm to that position, at most the square's diagonal (about 70 m, under a
    minute), and the work scales with the occupied squares, not the firms.

    Returns
    -------
    xy, weights, multiplicity : numpy.ndarray
        One row per merged point: position, summed weight, number of points.
    """
    xy = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    w = np.asarray(weights, dtype="int64")
    if len(xy) == 0:
        return xy, w, np.zeros(0, dtype="int64")
    key = np.floor(xy / cell_m) if len(xy) > above else xy
    _keys, inverse, mult = np.unique(
        key, axis=0, return_inverse=True, return_counts=True
    )
    inverse = inverse.ravel()
    n = len(mult)
    rep = np.column_stack(
        [np.bincount(inverse, xy[:, k], minlength=n) / mult for k in (0, 1)]
    )
    total = np.bincount(inverse, w, minlength=n)
    return rep, np.rint(total).astype("int64"), mult.astype("int64")


def band_polygons(times, bands_min=BANDS_MIN):
    """Travel-time bands as polygons (see the module notes), EPSG:4326.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per band: ``minutes`` and the (Multi)Polygon, largest first.
    """
    import geopandas as gpd
    import shapely

    params = times.params
    median = times.percentile(50)
    xy = times.place_xy
    cap = params.max_straight_m
    rows = []
    for band in sorted(bands_min, reverse=True):
        left = band * 60 - median
        use = np.flatnonzero((median < UNREACHED) & (left > 0))
        radius = np.minimum(left[use] * params.speed_ms / params.detour, cap)
        centres = np.vstack([[times.origin.x, times.origin.y], xy[use]])
        origin_r = min(band * 60 * params.speed_ms / params.detour, cap)
        radii = np.r_[origin_r, radius]
        circles = shapely.buffer(shapely.points(centres), radii, quad_segs=8)
        rows.append((band, shapely.union_all(circles)))
    metric = gpd.GeoDataFrame(
        {"minutes": [b for b, _ in rows]}, geometry=[g for _, g in rows], crs=METRIC_CRS
    )
    return metric.to_crs(CRS)
