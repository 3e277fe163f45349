"""Walking between stop places and the range RAPTOR search (see layers.reach)."""

from __future__ import annotations

import numpy as np

from layers import timetable as tt_mod
from layers.errors import InputError
from layers.reach.params import (
    _BIG_N,
    UNREACHED,
    Origin,
    ReachParams,
    TravelTimes,
)
from layers.reach.schedule import TIME_SPAN, day_schedule
from layers.schemas import CRS, METRIC_CRS

# ------------------------------------------------------------------ geometry


def _transformer(to_metric=True):
    from pyproj import Transformer

    if to_metric:
        return Transformer.from_crs(CRS, METRIC_CRS, always_xy=True)
    return Transformer.from_crs(METRIC_CRS, CRS, always_xy=True)


def place_xy(tt):
    """EPSG:25833 coordinates of the stop places, shape (places, 2), memoised."""
    hit = tt._memo.get(("xy",))
    if hit is None:
        x, y = _transformer().transform(
            tt.places["lon"].to_numpy(float), tt.places["lat"].to_numpy(float)
        )
        hit = np.column_stack([x, y])
        tt._memo[("xy",)] = hit
    return hit


def _pairs_within(a_xy, b_xy, radius):
    """Index pairs (i in a, j in b) closer than ``radius`` metres, with distances."""
    import shapely

    if len(a_xy) == 0 or len(b_xy) == 0:
        empty = np.zeros(0, dtype="int64")
        return empty, empty, np.zeros(0)
    tree = shapely.STRtree(shapely.points(b_xy))
    ia, jb = tree.query(shapely.points(a_xy), predicate="dwithin", distance=radius)
    dist = np.hypot(*(a_xy[ia] - b_xy[jb]).T)
    keep = dist <= radius
    return ia[keep].astype("int64"), jb[keep].astype("int64"), dist[keep]


def transfers(tt, params):
    """Walking transfers between distinct stop places, as CSR arrays, memoised.

    Returns
    -------
    start : numpy.ndarray of int64
        Place ``p``'s transfers are ``start[p]:start[p + 1]``.
    to : numpy.ndarray of int64
    walk_s : numpy.ndarray of int64
    """
    key = ("transfers", params.detour, params.walk_kmh, params.max_walk_m)
    hit = tt._memo.get(key)
    if hit is not None:
        return hit
    xy = place_xy(tt)
    i, j, dist = _pairs_within(xy, xy, params.max_straight_m)
    other = i != j
    i, j, dist = i[other], j[other], dist[other]
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    walk = params.walk_seconds(dist[order]).astype("int64")
    start = np.r_[0, np.cumsum(np.bincount(i, minlength=tt.n_places))].astype("int64")
    hit = (start, j, walk)
    tt._memo[key] = hit
    return hit


def origin_at(tt, lon, lat, params, *, stop_id="", name="", place=None):
    """The :class:`Origin` at a point (with ``place``, that stop place at 0 s)."""
    x, y = _transformer().transform(float(lon), float(lat))
    _, j, dist = _pairs_within(np.array([[x, y]]), place_xy(tt), params.max_straight_m)
    walk = params.walk_seconds(dist).astype("int64")
    if place is not None:
        walk = np.where(j == place, 0, walk)
        if place not in set(j.tolist()):
            j, walk = np.r_[j, place], np.r_[walk, 0]
    return Origin(float(x), float(y), float(lon), float(lat), j, walk, stop_id, name)


def origin_from_stop(tt, stop_id, params):
    """The origin at a stop place id (``NSR:StopPlace:…``): any quay, no walk."""
    ids = tt.places["stop_id"].to_numpy(dtype=object)
    found = np.flatnonzero(ids == stop_id)
    if len(found) == 0:
        raise InputError(
            f"no stop place {stop_id!r} in the store's timetable", field="from"
        )
    p = int(found[0])
    row = tt.places.iloc[p]
    return origin_at(
        tt, row["lon"], row["lat"], params, stop_id=stop_id, name=row["name"], place=p
    )


# ------------------------------------------------------------------- routing


def travel_times(
    tt, origin, *, day, window_s=(7 * 3600, 9 * 3600), max_s=90 * 60, params=None
):
    """Range-RAPTOR travel times from ``origin`` for every minute of a window.

    Parameters
    ----------
    tt : layers.timetable.Timetable
    origin : Origin
    day : datetime.date
        Service date.
    window_s : (int, int)
        Departure window, seconds after midnight, end exclusive.
    max_s : int
        Longest travel time searched; longer ones are ``UNREACHED``.
    params : ReachParams, optional

    Returns
    -------
    TravelTimes
    """
    params = params or ReachParams()
    start_s, end_s = (int(v) for v in window_s)
    departures = np.arange(start_s, end_s, 60, dtype="int64")
    ds = day_schedule(tt, day, horizon_s=end_s + int(max_s))
    seconds = _range_raptor(tt, ds, origin, departures, int(max_s), params)
    return TravelTimes(
        origin,
        day,
        (start_s, end_s),
        departures,
        seconds,
        int(max_s),
        params,
        place_xy(tt),
    )


def _range_raptor(tt, ds, origin, departures, max_s, params):
    n_places = tt.n_places
    rounds = params.max_rides
    tr_start, tr_to, tr_walk = transfers(tt, params)
    min_tr = int(params.min_transfer_s)
    inf = UNREACHED
    arrive = np.full((rounds + 1, n_places), inf, dtype="int64")
    ready = np.full((rounds + 1, n_places), inf, dtype="int64")
    by_vehicle = np.full((rounds + 1, n_places), inf, dtype="int64")
    n_patterns = len(ds.pattern_first_entry)
    base = _BIG_N * (n_patterns - 1 - ds.entry_pattern)
    none = base + _BIG_N - 1
    first = np.zeros(len(ds.entry_place), dtype=bool)
    first[ds.pattern_first_entry] = True
    boards_at = ds.entry_boards
    out = np.empty((len(departures), n_places), dtype="int64")
    acc_place, acc_s = origin.access_place, origin.access_s
    for m in range(len(departures) - 1, -1, -1):
        t = int(departures[m])
        limit = t + max_s
        cand = t + acc_s
        better = cand < ready[0, acc_place]
        arrive[0, acc_place[better]] = cand[better]
        ready[0, acc_place[better]] = cand[better]
        marked = np.zeros(n_places, dtype=bool)
        marked[acc_place[better]] = True
        for k in range(1, rounds + 1):
            np.minimum(arrive[k], arrive[k - 1], out=arrive[k])
            np.minimum(ready[k], ready[k - 1], out=ready[k])
            np.minimum(by_vehicle[k], by_vehicle[k - 1], out=by_vehicle[k])
            if not marked.any():
                continue
            veh = _ride(ds, ready[k - 1], marked, boards_at, base, none, first)
            veh[veh > limit] = inf
            improved = np.flatnonzero(veh < by_vehicle[k])
            before = ready[k].copy()
            if len(improved):
                by_vehicle[k, improved] = veh[improved]
                arrive[k, improved] = np.minimum(arrive[k, improved], veh[improved])
                ready[k, improved] = np.minimum(
                    ready[k, improved], veh[improved] + min_tr
                )
                counts = tr_start[improved + 1] - tr_start[improved]
                if counts.sum():
                    idx = np.repeat(tr_start[improved], counts) + _ranges(counts)
                    to, walk = tr_to[idx], tr_walk[idx]
                    src = np.repeat(veh[improved], counts)
                    reach_at = src + walk
                    ok = reach_at <= limit
                    np.minimum.at(arrive[k], to[ok], reach_at[ok])
                    np.minimum.at(
                        ready[k], to[ok], src[ok] + np.maximum(walk[ok], min_tr)
                    )
            marked = ready[k] < before
        times = arrive[rounds] - t
        times[times > max_s] = inf
        out[m] = times
    return out


def _ranges(counts):
    """``[0..c0), [0..c1), …`` concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype="int64") - starts


def _ride(ds, ready_prev, marked, boards_at, base, none, first):
    """One RAPTOR round of rides: earliest vehicle arrival per stop place.

    Boards, at every marked stop place, the first trip of each pattern leaving
    at or after the place's ready time; along a pattern the earliest boarded
    trip so far (a running minimum, as trips never overtake) is ridden to each
    later stop where it may be left.
    """
    n_places = len(ready_prev)
    out = np.full(n_places, UNREACHED, dtype="int64")
    entries = np.flatnonzero(marked[ds.entry_place] & boards_at)
    if len(entries) == 0:
        return out
    tau = ready_prev[ds.entry_place[entries]] + tt_mod.DAY_S
    tau = np.clip(tau, 0, TIME_SPAN - 1)
    pos = np.searchsorted(ds.key, entries * TIME_SPAN + tau, side="left")
    k = pos - ds.col_start[entries]
    ok = k < ds.entry_trips[entries]
    value = none.copy()
    value[entries[ok]] = base[entries[ok]] + k[ok]
    running = np.minimum.accumulate(value)
    before = np.empty_like(running)
    before[1:] = running[:-1]
    before[first] = none[first]
    trip = before - base
    can = (trip < _BIG_N - 1) & ds.entry_alights
    sel = np.flatnonzero(can)
    if len(sel) == 0:
        return out
    arrival = ds.arrival[ds.col_start[sel] + trip[sel]]
    np.minimum.at(out, ds.entry_place[sel], arrival)
    return out
