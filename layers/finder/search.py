"""The finder's search: listings prepared once, filtered, nearest stops, ordered."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import shapely

from layers.aggregates import locate
from layers.demo import AS_OF as DEMO_AS_OF
from layers.errors import StoreError
from layers.finder.query import (
    AREA_CHOICES,
    DEFAULT_SORT,
    DETOUR_FACTOR,
    LOCAL_TZ,
    NO_DAY,
    SORT_COLUMNS,
    STALE_DAYS,
)
from layers.schemas import METRIC_CRS, PREMISES_STATUSES, PREMISES_TYPES

# --------------------------------------------------------------------------
# The listings, prepared once per store version.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Listings:
    """The register's listings with everything a search needs. Read-only.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per listing, in register order (by id): the premises columns
        (without geometry), ``area_id``, ``lon``, ``lat``, ``demonstration``.
    area_code, type_code, status_code : numpy.ndarray
        Positions in ``AREA_CHOICES``, ``PREMISES_TYPES``, ``PREMISES_STATUSES``
        (-1: unknown).
    size, rent : numpy.ndarray
        m² and NOK/m²/year (NaN: not given).
    available_day, updated_day : numpy.ndarray
        Date ordinals of ``available_from`` and of ``updated_at`` in Norway
        (``NO_DAY`` when empty).
    levels : numpy.ndarray
        The distinct peak-hour departure counts of the stops, ascending.
    near_stop : numpy.ndarray
        ``(len(levels), n)``: row k holds each listing's nearest stop (a row of
        ``stops``) among those with at least ``levels[k]`` departures, -1: none.
    near_dist : numpy.ndarray
        The same shape: straight-line distance in metres (EPSG:25833), inf: none.
    stops : pandas.DataFrame
        ``stop_id``, ``name``, ``lines``, ``departures_peak_hour``, ``lon``,
        ``lat``.
    area_names : dict
        Area id -> name (the six areas).
    ranks : dict
        Sort ranks of titles, stop names and type names.
    index : dict
        Listing id -> row.
    columns : dict
        The columns of ``frame`` and of ``stops`` (prefixed ``stop_``) as numpy
        arrays, for reading a few rows fast.
    orders : dict
        ``(column, "asc" | "desc", stop level)`` -> every row, sorted by that
        column (then ``DEFAULT_SORT``, then id): a search sorted by one column
        only keeps the matching rows of it, with no sort at request time.
    """

    frame: pd.DataFrame
    area_code: np.ndarray
    type_code: np.ndarray
    status_code: np.ndarray
    size: np.ndarray
    rent: np.ndarray
    available_day: np.ndarray
    updated_day: np.ndarray
    levels: np.ndarray
    near_stop: np.ndarray
    near_dist: np.ndarray
    stops: pd.DataFrame
    area_names: dict = field(default_factory=dict)
    ranks: dict = field(default_factory=dict)
    index: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    reach: object = None

    def __len__(self):
        return len(self.frame)


def _codes(values, allowed):
    codes = pd.Categorical(np.asarray(values, dtype=object), categories=allowed).codes
    return codes.astype(np.int16)


def _days(values, *, local=False):
    s = pd.Series(values, dtype=object).astype(str).str.strip()
    if local:
        stamps = pd.to_datetime(s, errors="coerce", utc=True, format="ISO8601")
        days = stamps.dt.tz_convert(LOCAL_TZ).dt.date
    else:
        days = pd.to_datetime(s.str[:10], errors="coerce", format="ISO8601").dt.date
    return np.array(
        [d.toordinal() if isinstance(d, date) else NO_DAY for d in days],
        dtype=np.int64,
    )


def nearest_stops(points, stops, departures):
    """For each point and each departure threshold, the nearest qualifying stop.

    Parameters
    ----------
    points : array of shapely.Point
        The listings, in a metric CRS (EPSG:25833).
    stops : array of shapely.Point
        The stops, same CRS.
    departures : array-like of float
        Each stop's departures in the peak hour.

    Returns
    -------
    levels : numpy.ndarray
        Distinct departure counts, ascending.
    near_stop : numpy.ndarray
        ``(len(levels), len(points))`` int: position in ``stops`` of the nearest
        stop with at least ``levels[k]`` departures, or -1.
    near_dist : numpy.ndarray
        Its straight-line distance (inf when there is none).

    Notes
    -----
    The thresholds are visited from the highest down; each adds only the stops
    with exactly that count, so every stop enters one spatial index once.
    """
    points = np.asarray(points, dtype=object)
    stops = np.asarray(stops, dtype=object)
    dep = np.asarray(departures, dtype=float)
    ok = np.isfinite(dep)
    levels = np.unique(dep[ok])
    n = len(points)
    near_stop = np.full((len(levels), n), -1, dtype=np.int32)
    near_dist = np.full((len(levels), n), np.inf)
    best = np.full(n, -1, dtype=np.int32)
    best_d = np.full(n, np.inf)
    if n == 0:
        return levels, near_stop, near_dist
    for k in range(len(levels) - 1, -1, -1):
        sel = np.flatnonzero(ok & (dep == levels[k]))
        tree = shapely.STRtree(stops[sel])
        (pi, ti), dist = tree.query_nearest(
            points, return_distance=True, all_matches=False
        )
        closer = dist < best_d[pi]
        best_d[pi[closer]] = dist[closer]
        best[pi[closer]] = sel[ti[closer]]
        near_stop[k] = best
        near_dist[k] = best_d
    return levels, near_stop, near_dist


def _rank(values):
    keys = pd.Series([str(v).casefold() for v in values], dtype=object)
    return keys.rank(method="dense").fillna(0).to_numpy(dtype=np.int64)


def prepare(premises, areas, stops, *, type_names=None, reach=None):
    """Prepare the register's listings for searching.

    Parameters
    ----------
    premises : geopandas.GeoDataFrame
        The ``premises`` layer (``layers.register.read_register``), EPSG:4326.
    areas : geopandas.GeoDataFrame
        The ``areas`` layer.
    stops : geopandas.GeoDataFrame
        The ``transit_stops`` layer (the whole timetable: a stop across the
        municipal border counts).
    type_names : list of str, optional
        The display names of ``PREMISES_TYPES`` (in that order), which sorting
        by type follows; default the type ids themselves.
    reach : callable, optional
        See :attr:`Listings.reach`.

    Returns
    -------
    Listings
    """
    prem = premises.sort_values("premises_id", kind="stable").reset_index(drop=True)
    frame = pd.DataFrame(prem.drop(columns=prem.geometry.name))
    if "demonstration" not in frame:
        frame["demonstration"] = False
    frame["area_id"] = locate(prem.geometry, areas)
    frame["lon"] = shapely.get_x(prem.geometry.values)
    frame["lat"] = shapely.get_y(prem.geometry.values)
    stop_frame = pd.DataFrame(
        {
            "stop_id": stops["stop_id"].astype(str).to_numpy(),
            "name": stops["name"].astype(str).to_numpy(),
            "lines": stops["lines"].astype(str).to_numpy(),
            "departures_peak_hour": stops["departures_peak_hour"].to_numpy(float),
            "lon": shapely.get_x(stops.geometry.values),
            "lat": shapely.get_y(stops.geometry.values),
        }
    )
    points = prem.geometry.to_crs(METRIC_CRS).values
    stop_points = stops.geometry.to_crs(METRIC_CRS).values if len(stops) else []
    levels, near_stop, near_dist = nearest_stops(
        points, stop_points, stop_frame["departures_peak_hour"].to_numpy()
    )
    type_names = list(type_names or PREMISES_TYPES)
    type_rank = np.argsort(np.argsort([s.casefold() for s in type_names]))
    area_names = dict(
        zip(areas["area_id"].astype(str), areas["name"].astype(str), strict=True)
    )
    ranks = {
        "title": _rank(frame["title"]),
        "stop": np.append(_rank(stop_frame["name"]), np.iinfo(np.int64).max),
        "type": np.append(type_rank, len(type_rank)),
    }
    listings = Listings(
        frame=frame,
        area_code=_codes(frame["area_id"], AREA_CHOICES),
        type_code=_codes(frame["type"], PREMISES_TYPES),
        status_code=_codes(frame["status"], PREMISES_STATUSES),
        size=frame["size_m2"].to_numpy(dtype=float),
        rent=frame["rent_nok_m2_year"].to_numpy(dtype=float),
        available_day=_days(frame["available_from"]),
        updated_day=_days(frame["updated_at"], local=True),
        levels=levels,
        near_stop=near_stop,
        near_dist=near_dist,
        stops=stop_frame,
        area_names=area_names,
        ranks=ranks,
        index={pid: k for k, pid in enumerate(frame["premises_id"])},
        columns={
            **{c: frame[c].to_numpy(dtype=object) for c in frame.columns},
            **{f"stop_{c}": stop_frame[c].to_numpy(dtype=object) for c in stop_frame},
        },
    )
    return replace(listings, orders=_orders(listings), reach=reach)


def _orders(listings):
    """Every single-column sort order, computed once (see ``Listings.orders``)."""
    default = DEFAULT_SORT[0]
    base = _lexsorted(listings, np.arange(len(listings)), [], None)
    out = {}
    for column in SORT_COLUMNS:
        per_level = column in ("stop", "walk")
        levels = range(len(listings.levels)) if per_level else [None]
        for level in levels:
            departures = listings.levels[level] if per_level else None
            values = sort_keys(listings, column, departures)[base]
            for direction in ("asc", "desc"):
                if (column, direction) == (default["colId"], default["sort"]):
                    order = base
                else:
                    key = -values if direction == "desc" else values
                    key = np.where(np.isnan(key), np.inf, key)
                    # A stable sort keeps ties in the default order, then by id.
                    order = base[np.argsort(key, kind="stable")]
                out[(column, direction, level)] = order.astype(np.int32)
    return out


# --------------------------------------------------------------------------
# Filtering.
# --------------------------------------------------------------------------


def stop_level(listings, min_departures):
    """The row of ``near_stop`` for stops with at least ``min_departures``.

    Returns
    -------
    int or None
        None when no stop has that many departures.
    """
    if min_departures is None:
        return 0 if len(listings.levels) else None
    k = int(np.searchsorted(listings.levels, min_departures, side="left"))
    return k if k < len(listings.levels) else None


def nearest(listings, min_departures=None):
    """Each listing's nearest stop with at least ``min_departures`` departures.

    Returns
    -------
    stop : numpy.ndarray
        Row of ``listings.stops``, -1 when none qualifies.
    distance_m : numpy.ndarray
        Straight-line metres in EPSG:25833 (inf when none qualifies).
    """
    k = stop_level(listings, min_departures)
    if k is None:
        n = len(listings)
        return np.full(n, -1, dtype=np.int32), np.full(n, np.inf)
    return listings.near_stop[k], listings.near_dist[k]


def walking_m(distance_m):
    """Walking distance estimated from straight-line metres (x ``DETOUR_FACTOR``)."""
    return np.asarray(distance_m, dtype=float) * DETOUR_FACTOR


def _allowed(codes, chosen, allowed_values):
    if not chosen:
        return np.ones(len(codes), dtype=bool)
    table = np.zeros(len(allowed_values) + 1, dtype=bool)  # last slot: code -1
    for value in chosen:
        table[allowed_values.index(value)] = True
    return table[codes]


def filter_mask(listings, query):
    """Return a boolean array: the listings that match ``query``.

    Bounds are inclusive. A listing without a rent passes the rent filter only
    when ``rent_missing`` is ``keep``. A listing with no availability date counts
    as available now.

    Parameters
    ----------
    listings : Listings
    query : Query

    Returns
    -------
    numpy.ndarray of bool
    """
    q = query
    mask = _allowed(listings.area_code, q.areas, AREA_CHOICES)
    mask &= _allowed(listings.type_code, q.types, PREMISES_TYPES)
    mask &= _allowed(listings.status_code, q.statuses, PREMISES_STATUSES)
    size = listings.size
    if q.size_min is not None:
        mask &= size >= q.size_min
    if q.size_max is not None:
        mask &= size <= q.size_max
    rent = listings.rent
    has_rent = ~np.isnan(rent)
    in_range = has_rent.copy()
    if q.rent_min is not None:
        in_range &= rent >= q.rent_min
    if q.rent_max is not None:
        in_range &= rent <= q.rent_max
    mask &= in_range | (~has_rent & (q.rent_missing == "keep"))
    if q.available_by is not None:
        mask &= listings.available_day <= date.fromisoformat(q.available_by).toordinal()
    if q.max_walk_m is not None:
        _stop, dist = nearest(listings, q.min_departures)
        mask &= walking_m(dist) <= q.max_walk_m
    if q.reach_minutes is not None and q.reach_from:
        minutes = reach_minutes(listings, q.reach_from, **q.reach_kwargs())
        mask &= minutes <= q.reach_minutes
    return mask


def reach_minutes(listings, origin, **kwargs):
    """Median minutes by public transport from ``origin`` to every listing.

    ``kwargs``: ``day`` and ``window`` (:meth:`Query.reach_kwargs`), passed to
    the provider. NaN where not reached, or everywhere when the listings have no
    reach provider (no timetable), the origin is unknown to the timetable or no
    trip runs on the day.
    """
    n = len(listings)
    if listings.reach is None or not origin:
        return np.full(n, np.nan)
    try:
        minutes = np.asarray(listings.reach(origin, **kwargs), dtype=float)
    except (
        ValueError,
        StoreError,
    ):  # an unknown stop place, a point outside the region
        return np.full(n, np.nan)
    return minutes if len(minutes) == n else np.full(n, np.nan)


def age_days(updated_day, today):
    """Days since each update (``updated_day``: ordinals; ``NO_DAY``: a huge age)."""
    return today.toordinal() - np.asarray(updated_day, dtype=np.int64)


def stale_mask(updated_day, today, days=STALE_DAYS):
    """True where a listing was last updated more than ``days`` days before today."""
    return age_days(updated_day, today) > days


def is_stale(updated_at, today, days=STALE_DAYS):
    """Whether one listing (its ``updated_at`` timestamp) may be out of date."""
    return bool(stale_mask(_days([updated_at], local=True), today, days)[0])


def match_bits(mask):
    """Encode a boolean mask as base64 of its bits (little-endian within a byte)."""
    packed = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return base64.b64encode(packed.tobytes()).decode("ascii")


def bits_mask(text, n):
    """Decode :func:`match_bits` back to a boolean array of length ``n``."""
    raw = np.frombuffer(base64.b64decode(text or ""), dtype=np.uint8)
    bits = np.unpackbits(raw, bitorder="little")[:n].astype(bool)
    return np.pad(bits, (0, n - len(bits)))


# --------------------------------------------------------------------------
# Sorting and pages of results.
# --------------------------------------------------------------------------


def sort_keys(listings, column, min_departures=None):
    """The numeric key a grid column sorts by (NaN sorts last)."""
    if column == "title":
        return listings.ranks["title"].astype(float)
    if column == "area":
        return listings.area_code.astype(float)
    if column == "type":
        return listings.ranks["type"][listings.type_code].astype(float)
    if column == "size":
        return listings.size
    if column == "rent":
        return listings.rent
    if column == "available":
        return listings.available_day.astype(float)
    if column == "status":
        return listings.status_code.astype(float)
    if column in ("stop", "walk"):
        stop, dist = nearest(listings, min_departures)
        if column == "walk":
            return np.where(np.isfinite(dist), dist, np.nan)
        ranks = listings.ranks["stop"][stop].astype(float)
        return np.where(stop >= 0, ranks, np.nan)
    if column == "updated":
        return np.where(
            listings.updated_day == NO_DAY, np.nan, listings.updated_day
        ).astype(float)
    raise KeyError(column)


def ordered(listings, query, sort_model=None):
    """Positions (in ``listings``) of the matches of ``query``, sorted.

    Parameters
    ----------
    listings : Listings
    query : Query
    sort_model : list of dict, optional
        AG Grid's ``[{"colId": ..., "sort": "asc" | "desc"}]``; unknown columns
        are ignored; ties and an empty model fall back to ``DEFAULT_SORT``, then
        the id.

    Returns
    -------
    numpy.ndarray of int
    """
    mask = filter_mask(listings, query)
    model = [
        s
        for s in (sort_model or [])
        if isinstance(s, dict) and s.get("colId") in SORT_COLUMNS
    ]
    if len(model) <= 1:
        spec = (model or list(DEFAULT_SORT))[0]
        column = spec["colId"]
        level = None
        if column in ("stop", "walk"):
            level = stop_level(listings, query.min_departures)
        direction = "desc" if spec.get("sort") == "desc" else "asc"
        order = listings.orders.get((column, direction, level))
        if order is not None:
            return order[mask[order]].astype(np.int64)
    return _lexsorted(listings, np.flatnonzero(mask), model, query.min_departures)


def _lexsorted(listings, idx, model, min_departures):
    """``idx`` sorted by the sort model, then ``DEFAULT_SORT``, then position."""
    keys = [idx]  # last resort: register order (by id)
    for spec in reversed(list(model) + list(DEFAULT_SORT)):
        values = sort_keys(listings, spec["colId"], min_departures)[idx]
        if spec.get("sort") == "desc":
            values = -values
        keys.append(np.where(np.isnan(values), np.inf, values))
    return idx[np.lexsort(keys)]


def row_index(listings, query, sort_model, premises_id):
    """Position of a listing among the sorted matches, or None when it is not one."""
    k = listings.index.get(premises_id)
    if k is None:
        return None
    where = np.flatnonzero(ordered(listings, query, sort_model) == k)
    return int(where[0]) if len(where) else None


def safe_link(url):
    """Return ``url`` when it is an absolute http(s) link, else ""."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return text
    return ""


def records(listings, positions, query, today):
    """Raw values of some listings, with their nearest stop and staleness.

    Parameters
    ----------
    listings : Listings
    positions : array of int
        Rows of ``listings``.
    query : Query
        Its ``min_departures`` picks the stops that count.
    today : datetime.date

    Returns
    -------
    list of dict
        The premises fields plus ``area_id``, ``lon``, ``lat``, ``stop_name``,
        ``stop_lines``, ``stop_departures``, ``distance_m`` (straight line),
        ``walk_m``, ``updated_day`` (ISO, in Norway), ``age_days`` and ``stale``.
    """
    positions = np.asarray(positions, dtype=np.int64)
    stop, dist = nearest(listings, query.min_departures)
    cols = listings.columns
    names = [c for c in cols if not c.startswith("stop_")]
    # Demonstration listings are dated relative to their data's as-of date, so
    # their freshness is judged against that date, not the day of viewing.
    demo = np.asarray(listings.columns["demonstration"], dtype=bool)[positions]
    ages = np.where(
        demo,
        age_days(listings.updated_day[positions], min(today, DEMO_AS_OF)),
        age_days(listings.updated_day[positions], today),
    )
    out = []
    for k, age in zip(positions.tolist(), ages.tolist(), strict=True):
        row = {c: cols[c][k] for c in names}
        s = int(stop[k])
        rent = row["rent_nok_m2_year"]
        row["rent_nok_m2_year"] = None if rent is None or rent != rent else float(rent)
        row["size_m2"] = float(row["size_m2"])
        row["demonstration"] = bool(row["demonstration"])
        day = int(listings.updated_day[k])
        found = s >= 0
        row.update(
            stop_name=str(cols["stop_name"][s]) if found else "",
            stop_lines=str(cols["stop_lines"][s]) if found else "",
            stop_departures=float(cols["stop_departures_peak_hour"][s])
            if found
            else None,
            distance_m=float(dist[k]) if found else None,
            walk_m=float(dist[k]) * DETOUR_FACTOR if found else None,
            updated_day=date.fromordinal(day).isoformat() if day != NO_DAY else "",
            age_days=int(age) if day != NO_DAY else None,
            stale=bool(age > STALE_DAYS),
        )
        out.append(row)
    return out


def sorted_lines(text):
    """A stop's lines, numbers first in numeric order, then the others."""
    parts = {p.strip() for p in str(text).split(",") if p.strip()}
    return sorted(
        parts, key=lambda p: (not p.isdigit(), int(p) if p.isdigit() else 0, p)
    )
