"""Travel-time reach by public transport and walking, from the store's timetable.

Method (as Conveyal's R5 reports accessibility)
    For every whole departure minute ``t`` of a window (start inclusive, end
    exclusive) the earliest arrival at every stop place is found with RAPTOR
    (Delling, Pajor and Werneck 2012) in its *range* form (rRAPTOR): the minutes
    are searched from the last to the first, and each search starts from the
    arrival times found for the later minute, which bound the earlier minute's
    from above, so that only what a minute improves is scanned again. A stop
    place's travel time for ``t`` is its earliest arrival minus ``t``, waiting at
    the origin included; over the minutes we report the median and the 25th and
    75th percentiles (nearest rank: the ``ceil(p/100 n)``-th smallest of the ``n``
    minutes), so a figure does not hinge on one lucky departure.

A journey
    walks from the origin to a stop place (*access*), rides at most
    ``max_rides`` trips, and between two rides either stays at the stop place
    (boarding at least ``min_transfer_s`` after alighting) or walks to another
    stop place (boarding no earlier than ``max(walk, min_transfer_s)`` after
    alighting). A trip is boarded where ``pickup_type`` is not 1 and left where
    ``drop_off_type`` is not 1, at any quay of the stop place. From a stop place
    id the origin is the place itself (no walk) and the places within a walk of
    its coordinates. Trips of the day before that run past midnight (times after
    24:00) and trips of the day after are included; calendar exceptions apply.

Walking
    Straight-line distance in EPSG:25833 times ``detour`` (1.3) at ``walk_kmh``
    (4.8 km/h), rounded up to the second, each walk at most ``max_walk_m``
    (1 000 m, after the detour). There is no street network: a river or a
    motorway without a crossing is walked through.

Destinations (jobs, establishments, premises)
    A point's travel time for a minute is the least of walking straight there
    from the origin and, over the stop places within a walk of it, the place's
    travel time plus the walk; its median over the minutes is compared with the
    band. This is the per-destination percentile Conveyal uses.

Bands (15, 30, 45 min)
    The polygon of a band is the union of circles around the origin and around
    every stop place whose median is within the band, of the radius walkable in
    the time left (capped at the maximum walk), in EPSG:25833. Since a point can
    be reached from different stops at different minutes, its median can be
    lower than that of any single stop plus the walk: the polygon is therefore a
    slightly conservative drawing of the points counted as reached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import sys

import numpy as np
import pandas as pd

from layers import timetable as tt_mod
from layers.errors import InputError, StoreError
from layers.schemas import CRS, METRIC_CRS

BANDS_MIN = (15, 30, 45)
DEFAULT_WINDOW = ("07:00", "09:00")
DEFAULT_MAX_MINUTES = 90
MAX_MINUTES_LIMIT = 360
UNREACHED = np.int64(1 << 40)
_BIG_N = 1 << 24
ENV = {
    "walk_kmh": "NARING_REACH_WALK_KMH",
    "detour": "NARING_REACH_DETOUR",
    "max_walk_m": "NARING_REACH_MAX_WALK_M",
    "min_transfer_s": "NARING_REACH_MIN_TRANSFER_S",
    "max_rides": "NARING_REACH_MAX_RIDES",
}


@dataclasses.dataclass(frozen=True)
class ReachParams:
    """Settings of a reach query (environment ``NARING_REACH_*`` overrides).

    Attributes
    ----------
    walk_kmh : float
        Walking speed, km/h.
    detour : float
        Walked distance per straight-line metre.
    max_walk_m : float
        Longest walk (access, egress, transfer), metres walked (after detour).
    min_transfer_s : int
        Least time between alighting and boarding another trip.
    max_rides : int
        Most trips in a journey.
    """

    walk_kmh: float = 4.8
    detour: float = 1.3
    max_walk_m: float = 1000.0
    min_transfer_s: int = 120
    max_rides: int = 5

    @classmethod
    def from_env(cls, environ=None):
        """Defaults overridden by the ``NARING_REACH_*`` environment variables."""
        environ = os.environ if environ is None else environ
        values = {}
        for field in dataclasses.fields(cls):
            raw = environ.get(ENV[field.name])
            if raw not in (None, ""):
                try:
                    values[field.name] = type(field.default)(float(raw))
                except ValueError:
                    raise InputError(
                        f"expected a number, got {raw!r}", field=ENV[field.name]
                    ) from None
        params = cls(**values)
        params.check()
        return params

    def check(self):
        """Raise :class:`InputError` for values outside sensible bounds."""
        bounds = {
            "walk_kmh": (0.5, 20),
            "detour": (1.0, 3.0),
            "max_walk_m": (0, 5000),
            "min_transfer_s": (0, 1800),
            "max_rides": (1, 10),
        }
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise InputError(f"{name} must be {low}-{high}, got {value}")

    @property
    def speed_ms(self):
        """Walking speed in metres per second."""
        return self.walk_kmh / 3.6

    def walk_seconds(self, straight_m):
        """Walking time, whole seconds rounded up, for straight-line metres."""
        return np.ceil(np.asarray(straight_m) * self.detour / self.speed_ms - 1e-9)

    @property
    def max_straight_m(self):
        """Longest straight-line distance of a walk."""
        return self.max_walk_m / self.detour


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where a query starts.

    Attributes
    ----------
    x, y : float
        EPSG:25833 metres.
    lon, lat : float
    access_place, access_s : numpy.ndarray of int64
        Stop places reached on foot from the origin and the walk in seconds.
    stop_id, name : str
        The stop place, for an origin given as one ("" otherwise).
    """

    x: float
    y: float
    lon: float
    lat: float
    access_place: np.ndarray
    access_s: np.ndarray
    stop_id: str = ""
    name: str = ""

    def to_dict(self):
        """JSON-ready description."""
        out = {"lat": round(self.lat, 6), "lon": round(self.lon, 6)}
        if self.stop_id:
            out = {"stop_id": self.stop_id, "name": self.name, **out}
        return out


@dataclasses.dataclass(frozen=True)
class TravelTimes:
    """Travel times from one origin over a departure window.

    Attributes
    ----------
    origin : Origin
    day : datetime.date
    window_s : tuple of int
        Start (inclusive) and end (exclusive), seconds after midnight.
    departures_s : numpy.ndarray of int64
        The departure minutes, ascending.
    seconds : numpy.ndarray of int64, shape (minutes, places)
        Travel time per minute and stop place; ``UNREACHED`` beyond
        ``max_s``.
    max_s : int
    params : ReachParams
    place_xy : numpy.ndarray, shape (places, 2)
        EPSG:25833 coordinates of the stop places.
    """

    origin: Origin
    day: dt.date
    window_s: tuple
    departures_s: np.ndarray
    seconds: np.ndarray
    max_s: int
    params: ReachParams
    place_xy: np.ndarray

    def percentile(self, p):
        """Nearest-rank percentile per stop place, seconds (``UNREACHED`` if so)."""
        return percentile(self.seconds, p)


def percentile(values, p, axis=0):
    """Nearest-rank ``p``-th percentile along ``axis`` (the ``ceil(p n / 100)``-th).

    With ``n`` minutes, the median is within a limit exactly when at least half
    of the minutes are.
    """
    values = np.asarray(values)
    n = values.shape[axis]
    rank = max(int(math.ceil(p / 100 * n)) - 1, 0)
    return np.partition(values, rank, axis=axis).take(rank, axis=axis)


# -------------------------------------------------------------------- parsing


def parse_window(text):
    """``HH:MM-HH:MM`` into (start, end) seconds; end after start, at most 24:00."""
    try:
        start, end = (part.strip() for part in str(text).split("-"))
        values = []
        for part in (start, end):
            hours, minutes = part.split(":")
            if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
                raise ValueError
            values.append(int(hours) * 3600 + int(minutes) * 60)
    except ValueError:
        raise InputError(
            f"expected a window HH:MM-HH:MM, got {text!r}", field="window"
        ) from None
    if not (0 <= values[0] < values[1] <= tt_mod.DAY_S) or int(minutes) >= 60:
        raise InputError(
            f"the window must run forwards within 00:00-24:00, got {text!r}",
            field="window",
        )
    return values[0], values[1]


def hhmm(seconds):
    """Seconds after midnight as ``HH:MM``."""
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_origin_text(text):
    """``STOP_ID`` or ``LAT,LON`` into ``("stop", id)`` or ``("point", lat, lon)``."""
    value = str(text).strip()
    parts = value.split(",")
    if len(parts) == 2:
        try:
            lat, lon = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise InputError(f"not a latitude,longitude: {text!r}", field="from")
            return ("point", lat, lon)
    if not value or len(value) > 200:
        raise InputError("expected a stop place id or LAT,LON", field="from")
    return ("stop", value)


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
    ds = tt_mod.day_schedule(tt, day, horizon_s=end_s + int(max_s))
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
    tau = np.clip(tau, 0, tt_mod._TIME_SPAN - 1)
    pos = np.searchsorted(ds.key, entries * tt_mod._TIME_SPAN + tau, side="left")
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


def reach_counts(times, points_xy, weights, bands_min=BANDS_MIN):
    """Number and weight of points whose median travel time is within each band.

    Parameters
    ----------
    times : TravelTimes
    points_xy : numpy.ndarray, shape (n, 2)
    weights : numpy.ndarray, shape (n,)
        E.g. employees per establishment.
    bands_min : sequence of int

    Returns
    -------
    counts, weighted : dict
        ``{"15": n, …}`` (string keys, as in the JSON), integers.
    """
    median = percentile(point_times(times, points_xy), 50)
    counts, weighted = {}, {}
    for band in bands_min:
        inside = median <= band * 60
        counts[str(band)] = int(inside.sum())
        weighted[str(band)] = int(np.asarray(weights)[inside].sum())
    return counts, weighted


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


# -------------------------------------------------------------- store-level API


@dataclasses.dataclass(frozen=True)
class Reach:
    """A reach query's answer (what the CLI prints and the dashboard shows).

    Attributes
    ----------
    times : TravelTimes
    stops : pandas.DataFrame
        Stop places reached within ``max_s`` for at least half of the minutes:
        ``stop_id``, ``name``, ``lon``, ``lat``, ``median_min``, ``p25_min``,
        ``p75_min`` (``NaN`` beyond ``max_s``), sorted by median.
    jobs_within, establishments_within : dict
        ``{"15": n, "30": n, "45": n}``.
    source : dict
        ``source``, ``as_of`` and ``demonstration`` of the timetable and of the
        establishments.
    """

    times: TravelTimes
    stops: pd.DataFrame
    jobs_within: dict
    establishments_within: dict
    source: dict

    def to_json(self):
        """The CLI's JSON object (see ``python -m layers reach``)."""
        t = self.times

        def num(v):
            return None if pd.isna(v) else float(v)

        return {
            "origin": t.origin.to_dict(),
            "date": t.day.isoformat(),
            "window": [hhmm(t.window_s[0]), hhmm(t.window_s[1])],
            "max_minutes": t.max_s // 60,
            "stops": [
                {
                    "stop_id": r.stop_id,
                    "name": r.name,
                    "median_min": num(r.median_min),
                    "p25_min": num(r.p25_min),
                    "p75_min": num(r.p75_min),
                }
                for r in self.stops.itertuples()
            ],
            "jobs_within": self.jobs_within,
            "establishments_within": self.establishments_within,
            "source": self.source,
        }


def store_timetable(store):
    """The store's timetable, or a :class:`StoreError` saying how to get one."""
    tt = tt_mod.load_timetable(store)
    if tt is None:
        raise StoreError(
            f"the store {store.path} holds no timetable for travel times; import the "
            "GTFS feed again ('python -m layers import gtfs FILE') or rebuild it"
        )
    return tt


def reference_date(tt):
    """The timetable's reference date (from its import)."""
    value = tt.info.get("reference_date")
    if value:
        return dt.date.fromisoformat(value)
    period = tt.period()
    if period is None:
        raise InputError("the timetable has no service day")
    return period[0]


def resolve_origin(tt, origin, params):
    """An :class:`Origin` from a stop place id, ``"LAT,LON"``, or ``(lat, lon)``."""
    if isinstance(origin, Origin):
        return origin
    if isinstance(origin, tuple | list) and len(origin) == 2:
        return origin_at(tt, origin[1], origin[0], params)
    parsed = parse_origin_text(origin)
    if parsed[0] == "point":
        return origin_at(tt, parsed[2], parsed[1], params)
    return origin_from_stop(tt, parsed[1], params)


def _check_day(tt, day):
    if not tt.services_on(day)[tt.trip_service].any():
        period = tt.period()
        span = "no dates" if period is None else f"{period[0]} to {period[1]}"
        raise InputError(
            f"no trip runs on {day.isoformat()}; the timetable covers {span}",
            field="date",
        )


def query(
    store,
    origin,
    *,
    day=None,
    window=DEFAULT_WINDOW,
    max_minutes=DEFAULT_MAX_MINUTES,
    params=None,
    establishments=None,
):
    """Reach from ``origin``: stop places, bands' jobs and establishments.

    Parameters
    ----------
    store : layers.store.GeoPackageStore
    origin : str, (lat, lon) or Origin
        A stop place id (``NSR:StopPlace:337``), ``"LAT,LON"`` or a pair.
    day : datetime.date or str, optional
        Service date; default the timetable's reference date.
    window : (str, str) or str
        ``("07:00", "09:00")`` or ``"07:00-09:00"``.
    max_minutes : int
    params : ReachParams, optional
        Default :meth:`ReachParams.from_env`.
    establishments : geopandas.GeoDataFrame, optional
        Default the store's ``establishments`` layer (every one it holds).

    Returns
    -------
    Reach
    """
    params = params or ReachParams.from_env()
    tt = store_timetable(store)
    day = _as_day(day) if day is not None else reference_date(tt)
    window_s = parse_window(window if isinstance(window, str) else "-".join(window))
    max_minutes = _check_max(max_minutes)
    _check_day(tt, day)
    where = resolve_origin(tt, origin, params)
    times = travel_times(
        tt, where, day=day, window_s=window_s, max_s=max_minutes * 60, params=params
    )
    if establishments is None:
        xy, jobs = _memo(
            ("points", _versions(store, "establishments")),
            lambda: establishment_points(_layer(store, "establishments")),
        )
    else:
        xy, jobs = establishment_points(establishments)
    counts, weighted = reach_counts(times, xy, jobs)
    sources = _memo(
        ("sources", _versions(store, "transit_stops", "establishments")),
        lambda: _sources(store),
    )
    return Reach(times, stops_frame(tt, times), weighted, counts, sources)


def stops_frame(tt, times):
    """The listed stop places of ``times`` (see :class:`Reach`)."""
    median, p25, p75 = (times.percentile(p) for p in (50, 25, 75))
    listed = np.flatnonzero(median <= times.max_s)

    def minutes(v):
        v = v[listed].astype(float)
        v[v >= UNREACHED] = np.nan
        return np.round(v / 60, 1)

    frame = tt.places.iloc[listed].reset_index(drop=True)
    frame = frame.assign(
        median_min=minutes(median), p25_min=minutes(p25), p75_min=minutes(p75)
    )
    return frame.sort_values(["median_min", "name"], kind="stable").reset_index(
        drop=True
    )


def establishment_points(gdf):
    """EPSG:25833 points and employees of the placed establishments."""
    if gdf is None or len(gdf) == 0:
        return np.zeros((0, 2)), np.zeros(0, dtype="int64")
    placed = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    metric = placed.geometry.to_crs(METRIC_CRS)
    xy = np.column_stack([metric.x.to_numpy(), metric.y.to_numpy()])
    return xy, placed["employees"].fillna(0).to_numpy(dtype="int64")


def _layer(store, name):
    try:
        return store.read_layer(name)
    except StoreError:
        return None


def _sources(store):
    out = {}
    for name in ("transit_stops", "establishments"):
        try:
            info = store.layer_info(name)
        except StoreError:
            continue
        out[name] = {
            "source": info.source,
            "as_of": info.as_of,
            "demonstration": info.demonstration,
        }
    return out


def _as_day(value):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(
            f"expected a date YYYY-MM-DD, got {value!r}", field="date"
        ) from None


def _check_max(value):
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = -1
    if not 1 <= minutes <= MAX_MINUTES_LIMIT or minutes != float(value):
        raise InputError(
            f"max minutes must be a whole number 1-{MAX_MINUTES_LIMIT}, got {value!r}",
            field="max-minutes",
        )
    return minutes


# ------------------------------------------------------- for the dashboard
#
# What the UI calls (components/data.py is the one door): each answer is cached
# per process and per store version (the timetable, the establishments and the
# areas), read-only, so a filter change or a second view of an area costs a
# dictionary lookup. Nothing is precomputed at import: the figures depend on
# three independently imported layers and on the settings, and one query takes
# tens of milliseconds on the demonstration timetable (see bench/bench_reach.py).

_MEMO: dict = {}
_MEMO_SIZE = 64


def _memo(key, compute):
    hit = _MEMO.get(key)
    if hit is None:
        hit = compute()
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = hit
    return hit


def _versions(store, *names):
    """A cheap token of the store version the named layers come from.

    Every layer but the premises register (and the timetable) changes only by
    ``replace_layers``, which writes a new file: its inode is the version. The
    register is edited in place and has its own token.
    """
    try:
        st = os.stat(store.path)
    except OSError:
        return (str(store.path), None)
    out = [str(store.path), st.st_dev, st.st_ino]
    if "premises" in names:
        out.append(store.version("premises"))
    return tuple(out)


def _origin_key(origin):
    if isinstance(origin, tuple | list):
        return ("point", round(float(origin[0]), 6), round(float(origin[1]), 6))
    return ("text", str(origin).strip())


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
    key = ("premises", _versions(store, "premises"), _origin_key(origin), *args)

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
    key = ("bands", id(result), tuple(bands_min))
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


def reach_info(store):
    """What the UI states beside a reach figure: source, date, window, settings.

    Returns
    -------
    dict
        ``source``, ``as_of`` and ``demonstration`` of the timetable,
        ``reference_date``, ``window`` (the default), ``bands_min`` and the
        settings (``walk_kmh``, ``detour``, ``max_walk_m``, ``min_transfer_s``,
        ``max_rides``).
    """
    tt = store_timetable(store)
    src = _sources(store).get("transit_stops", {})
    return {
        **src,
        "reference_date": reference_date(tt).isoformat(),
        "window": list(DEFAULT_WINDOW),
        "bands_min": list(BANDS_MIN),
        **dataclasses.asdict(ReachParams.from_env()),
    }


def stop_places(store):
    """The timetable's stop places (``stop_id``, ``name``, ``lon``, ``lat``), the
    choices of the finder's "from PLACE" (Oslo S, Lillestrøm, …)."""
    return store_timetable(store).places


# ------------------------------------------------------------------ commands


def add_reach_parser(subparsers):
    """Add the ``reach`` command to the subparsers of ``python -m layers``."""
    p = subparsers.add_parser(
        "reach", help="travel times by public transport from a stop place or point"
    )
    p.add_argument(
        "--from",
        dest="origin",
        required=True,
        metavar="STOP_ID|LAT,LON",
        help="a stop place id (NSR:StopPlace:337) or latitude,longitude",
    )
    p.add_argument("--date", help="service date YYYY-MM-DD (default reference date)")
    p.add_argument(
        "--window",
        default="-".join(DEFAULT_WINDOW),
        help="departure window HH:MM-HH:MM",
    )
    p.add_argument("--max-minutes", type=int, default=DEFAULT_MAX_MINUTES)
    p.add_argument(
        "--store", help="store file (default $NARING_STORE or instance/store.gpkg)"
    )
    p.add_argument("--format", choices=("json", "table"), default="json")
    return p


def main_reach(args):
    """Run ``python -m layers reach``; return the exit code."""
    from layers.store import open_store

    store = open_store(args.store)
    if not store.exists():
        raise StoreError(
            f"the store {store.path} does not exist; build it with 'python -m layers build'"
        )
    result = query(
        store,
        args.origin,
        day=args.date,
        window=args.window,
        max_minutes=args.max_minutes,
    )
    if args.format == "json":
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_table(result))
    return 0


def format_table(result):
    """Plain-text table of a :class:`Reach`, with the source underneath."""
    data = result.to_json()
    lines = [
        f"Fra / from: {json.dumps(data['origin'], ensure_ascii=False)}",
        f"Dato / date: {data['date']}, avreise / departing {data['window'][0]}-"
        f"{data['window'][1]}, maks / max {data['max_minutes']} min",
        "",
    ]
    rows = [("holdeplass / stop", "id", "median", "p25", "p75")]
    for s in data["stops"]:
        rows.append(
            (
                s["name"],
                s["stop_id"],
                *("–" if s[k] is None else f"{s[k]:.1f}" for k in _MIN_KEYS),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for n, r in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(w) if i < 2 else c.rjust(w)
                for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    for band in data["jobs_within"]:
        lines.append(
            f"Innen / within {band} min: {data['jobs_within'][band]} arbeidsplasser / "
            f"jobs, {data['establishments_within'][band]} virksomheter / establishments"
        )
    lines.append("")
    for name, src in data["source"].items():
        demo = (
            " — DEMONSTRASJONSDATA / demonstration data" if src["demonstration"] else ""
        )
        lines.append(f"{name}: {src['source']} (per {src['as_of']}){demo}")
    return "\n".join(lines)


_MIN_KEYS = ("median_min", "p25_min", "p75_min")
