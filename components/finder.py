"""The premises finder's logic: filters, nearest stops, staleness and exports.

Pure pandas, numpy and shapely: no Dash here. ``prepare`` turns the register's
listings into a read-only :class:`Listings` once per store version: each listing's
area, its position in EPSG:25833 and, for every threshold of peak-hour departures
that occurs among the stops, its nearest stop with at least that many departures.
A search (:class:`Query`) then only selects and sorts rows of numpy arrays, which
keeps a filter change cheap with tens of thousands of listings.

Walking distance is the straight line in EPSG:25833 times ``DETOUR_FACTOR``; the
UI says so. A listing is "possibly stale" when it was last updated more than
``STALE_DAYS`` days before ``today`` (a listing updated exactly 90 days ago is
still fresh). Functions that depend on the date take ``today`` as an argument.
"""

from __future__ import annotations

import base64
import csv
import io
import math
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import shapely

from components.i18n import NBSP, fmt_int, fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import premises_type_name
from layers.demo import AS_OF as DEMO_AS_OF
from layers.schemas import (
    AREA_IDS,
    METRIC_CRS,
    PREMISES_STATUSES,
    PREMISES_TYPES,
    REST_ID,
)
from layers.stats import locate

DETOUR_FACTOR = 1.3
STALE_DAYS = 90
LOCAL_TZ = "Europe/Oslo"
AREA_CHOICES = (*AREA_IDS, REST_ID)
DEFAULT_STATUSES = ("ledig",)
RENT_MISSING = ("keep", "exclude")
# Text cells starting with these would be run as formulas by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Grid column id -> what it sorts by (see ``sort_keys``).
SORT_COLUMNS = (
    "title",
    "area",
    "type",
    "size",
    "rent",
    "available",
    "status",
    "stop",
    "walk",
    "updated",
)
DEFAULT_SORT = ({"colId": "available", "sort": "asc"},)
NO_DAY = -(10**9)  # ordinal standing for "no date": available now, or never updated


def local_today(now=None):
    """Return today's date in Norway (``now`` may be injected, naive = UTC)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        return now.astimezone(ZoneInfo(LOCAL_TZ)).date()
    except ZoneInfoNotFoundError:  # pragma: no cover - no tz database
        return now.astimezone(UTC).date()


# --------------------------------------------------------------------------
# The search.
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One search of the finder. Empty choices and missing bounds mean "any".

    Attributes
    ----------
    areas : tuple of str
        Area ids of ``AREA_CHOICES`` (the six areas and ``rest``).
    types : tuple of str
        Premises types of ``PREMISES_TYPES``.
    size_min, size_max : float or None
        Floor area in m², inclusive.
    rent_min, rent_max : float or None
        Rent in NOK per m² per year, inclusive.
    rent_missing : str
        ``keep`` or ``exclude`` listings without a rent.
    available_by : str or None
        ISO date: listings available on or before it.
    statuses : tuple of str
        Statuses of ``PREMISES_STATUSES``; ``ledig`` by default.
    min_departures : float or None
        Only stops with at least this many departures in the peak hour count.
    max_walk_m : float or None
        Walking distance (straight line x ``DETOUR_FACTOR``) to such a stop.
    """

    areas: tuple = ()
    types: tuple = ()
    size_min: float | None = None
    size_max: float | None = None
    rent_min: float | None = None
    rent_max: float | None = None
    rent_missing: str = "keep"
    available_by: str | None = None
    statuses: tuple = DEFAULT_STATUSES
    min_departures: float | None = None
    max_walk_m: float | None = None

    def to_dict(self):
        """Return the query as a JSON-friendly dict (lists for tuples)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, d):
        """Build a query from ``to_dict`` output (or anything like it), checked."""
        d = d or {}
        return make_query(
            areas=d.get("areas"),
            types=d.get("types"),
            size=(d.get("size_min"), d.get("size_max")),
            rent=(d.get("rent_min"), d.get("rent_max")),
            rent_missing=d.get("rent_missing"),
            available_by=d.get("available_by"),
            statuses=d.get("statuses", DEFAULT_STATUSES),
            min_departures=d.get("min_departures"),
            max_walk_m=d.get("max_walk_m"),
        )


def _number(value):
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip().replace(NBSP, "").replace(" ", "").replace(",", ".")
        if not value:
            return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _iso_date(value):
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


def _choices(values, allowed):
    if isinstance(values, str):
        values = values.split(",")
    chosen = set(values or ())
    return tuple(v for v in allowed if v in chosen)


def make_query(
    *,
    areas=None,
    types=None,
    size=(None, None),
    rent=(None, None),
    rent_missing="keep",
    available_by=None,
    statuses=DEFAULT_STATUSES,
    min_departures=None,
    max_walk_m=None,
):
    """Build a :class:`Query` from raw control values, dropping what is invalid.

    Numbers may be numbers or strings (``1 500``, ``1500,5``); negative or
    unreadable ones are ignored. Unknown areas, types and statuses are dropped.

    Returns
    -------
    Query
    """
    return Query(
        areas=_choices(areas, AREA_CHOICES),
        types=_choices(types, PREMISES_TYPES),
        size_min=_number(size[0]),
        size_max=_number(size[1]),
        rent_min=_number(rent[0]),
        rent_max=_number(rent[1]),
        rent_missing=rent_missing if rent_missing in RENT_MISSING else "keep",
        available_by=_iso_date(available_by),
        statuses=_choices(statuses, PREMISES_STATUSES),
        min_departures=_number(min_departures),
        max_walk_m=_number(max_walk_m),
    )


def _num_text(value):
    return "" if value is None else f"{value:g}"


def _range_param(lo, hi):
    if lo is None and hi is None:
        return None
    return f"{_num_text(lo)}-{_num_text(hi)}"


def _parse_range(text):
    parts = (text or "").split("-")
    if len(parts) != 2:
        return (None, None)
    return (_number(parts[0]), _number(parts[1]))


def query_to_params(query):
    """The URL parameters of a query (None for defaults, so links stay short)."""
    statuses = None
    if query.statuses != DEFAULT_STATUSES:
        statuses = ",".join(query.statuses) or "alle"
    return {
        "areas": ",".join(query.areas) or None,
        "types": ",".join(query.types) or None,
        "m2": _range_param(query.size_min, query.size_max),
        "rent": _range_param(query.rent_min, query.rent_max),
        "norent": "exclude" if query.rent_missing == "exclude" else None,
        "by": query.available_by,
        "status": statuses,
        "dep": _num_text(query.min_departures) or None,
        "walk": _num_text(query.max_walk_m) or None,
    }


def query_from_params(state):
    """Parse the finder's URL state (``urlstate.parse_search``) to a Query."""
    status = state.get("status")
    if status is None:
        statuses = DEFAULT_STATUSES
    elif status == "alle":
        statuses = ()
    else:
        statuses = status
    return make_query(
        areas=state.get("areas"),
        types=state.get("types"),
        size=_parse_range(state.get("m2")),
        rent=_parse_range(state.get("rent")),
        rent_missing="exclude" if state.get("norent") == "exclude" else "keep",
        available_by=state.get("by"),
        statuses=statuses,
        min_departures=state.get("dep"),
        max_walk_m=state.get("walk"),
    )


def ids_from_param(text, known=None):
    """Read a comma-separated list of listing ids, unique, in order, known ones only."""
    out = []
    for pid in (text or "").split(","):
        pid = pid.strip()
        if pid and pid not in out and (known is None or pid in known):
            out.append(pid)
    return out


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


def prepare(premises, areas, stops):
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
    type_names = [premises_type_name(k, "nb") for k in PREMISES_TYPES]
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
    return replace(listings, orders=_orders(listings))


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
    return mask


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


def fmt_date(iso, lang="nb"):
    """``2024-10-14`` as ``14.10.2024`` (bokmål) or as is (English); "" stays "–"."""
    try:
        day = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return "–"
    return day.isoformat() if lang == "en" else day.strftime("%d.%m.%Y")


def area_name(listings, area_id, lang="nb"):
    """The name of an area id (``rest``: the rest of the municipality)."""
    if area_id == REST_ID:
        return t("finder_area_rest", lang)
    return listings.area_names.get(area_id, area_id)


def status_name(status, lang="nb"):
    """The display name of a status."""
    if status in PREMISES_STATUSES:
        return t(f"finder_status_{status}", lang)
    return str(status)


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


def stop_text(record, lang="nb"):
    """``Visperud (linje 25, 67)`` or "–" when no stop qualifies."""
    if not record["stop_name"]:
        return "–"
    lines = ", ".join(sorted_lines(record["stop_lines"]))
    if not lines:
        return record["stop_name"]
    return f"{record['stop_name']} ({t('finder_lines_short', lang)} {lines})"


def sorted_lines(text):
    """A stop's lines, numbers first in numeric order, then the others."""
    parts = {p.strip() for p in str(text).split(",") if p.strip()}
    return sorted(
        parts, key=lambda p: (not p.isdigit(), int(p) if p.isdigit() else 0, p)
    )


def walk_text(walk_m, lang="nb"):
    """``340 m`` or ``1,2 km``; "–" when unknown."""
    if walk_m is None:
        return "–"
    if walk_m >= 1000:
        return f"{fmt_num(walk_m / 1000, 1, lang)}{NBSP}km"
    return f"{fmt_int(round(walk_m / 10) * 10, lang)}{NBSP}m"


def grid_row(listings, record, lang="nb"):
    """One row for the grid: display text only (the grid sorts on the server)."""
    rent = record["rent_nok_m2_year"]
    updated = fmt_date(record["updated_day"], lang)
    if record["stale"]:
        updated = f"{updated} · {t('finder_stale', lang)}"
    return {
        "premises_id": record["premises_id"],
        "title": record["title"],
        "address": record["address"],
        "area": area_name(listings, record["area_id"], lang),
        "type": premises_type_name(record["type"], lang),
        "size": fmt_m2(record["size_m2"], lang),
        "rent": fmt_nok(rent, lang) if rent is not None else t("finder_no_rent", lang),
        "available": fmt_date(record["available_from"], lang),
        "status": status_name(record["status"], lang),
        "stop": stop_text(record, lang),
        "walk": walk_text(record["walk_m"], lang),
        "updated": updated,
        "stale": record["stale"],
    }


def page(listings, query, sort_model, start, end, today, lang="nb"):
    """One block of grid rows for AG Grid's infinite row model.

    Parameters
    ----------
    listings : Listings
    query : Query
    sort_model : list of dict
        AG Grid's sort model.
    start, end : int
        Rows ``start`` to ``end - 1`` of the sorted matches.
    today : datetime.date
    lang : str

    Returns
    -------
    dict
        ``rowData`` (list of :func:`grid_row` dicts) and ``rowCount`` (all
        matches), the shape of dash-ag-grid's ``getRowsResponse``.
    """
    order = ordered(listings, query, sort_model)
    start = max(0, int(start or 0))
    end = max(start, int(end if end is not None else start + 100))
    chosen = order[start:end]
    rows = [
        grid_row(listings, r, lang) for r in records(listings, chosen, query, today)
    ]
    return {"rowData": rows, "rowCount": int(len(order))}


# --------------------------------------------------------------------------
# Exports.
# --------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "premises_id",
    "title",
    "address",
    "area",
    "type",
    "size_m2",
    "rent_nok_m2_year",
    "available_from",
    "status",
    "stop_name",
    "stop_lines",
    "stop_departures",
    "walk_m",
    "distance_m",
    "updated_day",
    "stale",
    "contact",
    "url",
)


def describe_query(listings, query, lang="nb"):
    """The active filters as short ``label: value`` texts, in form order."""
    q = query
    out = []
    every = t("finder_all", lang)
    areas = [area_name(listings, a, lang) for a in q.areas]
    out.append(f"{t('finder_areas', lang)}: {', '.join(areas) or every}")
    types = [premises_type_name(k, lang) for k in q.types]
    out.append(f"{t('finder_types', lang)}: {', '.join(types) or every}")
    if q.size_min is not None or q.size_max is not None:
        out.append(
            f"{t('finder_size', lang)}: {_bounds(q.size_min, q.size_max, lang)}{NBSP}m²"
        )
    if q.rent_min is not None or q.rent_max is not None:
        out.append(
            f"{t('finder_rent', lang)}: {_bounds(q.rent_min, q.rent_max, lang)} "
            f"{t('finder_rent_unit', lang)}"
        )
    if q.rent_missing == "exclude":
        out.append(t("finder_rent_exclude", lang))
    if q.available_by:
        out.append(
            f"{t('finder_available_by', lang)}: {fmt_date(q.available_by, lang)}"
        )
    statuses = [status_name(s, lang) for s in q.statuses]
    out.append(f"{t('finder_status', lang)}: {', '.join(statuses) or every}")
    if q.max_walk_m is not None:
        dep = q.min_departures
        out.append(
            t(
                "finder_transit_desc",
                lang,
                walk=fmt_int(q.max_walk_m, lang),
                dep=fmt_num(dep or 0, 0 if (dep or 0) == int(dep or 0) else 1, lang),
            )
        )
    elif q.min_departures is not None:
        out.append(
            f"{t('finder_min_departures', lang)}: {fmt_num(q.min_departures, 0, lang)}"
        )
    return out


def _bounds(lo, hi, lang):
    if lo is not None and hi is not None:
        return f"{fmt_num(lo, 0, lang)}–{fmt_num(hi, 0, lang)}"
    if lo is not None:
        return f"≥{NBSP}{fmt_num(lo, 0, lang)}"
    return f"≤{NBSP}{fmt_num(hi, 0, lang)}"


def export_rows(listings, query, today, ids=None, sort_model=None, lang="nb"):
    """The rows to export: the given ids (the shortlist), or every match, sorted.

    Returns
    -------
    list of list
        One list of values per listing, in ``EXPORT_COLUMNS`` order: numbers stay
        numbers, links that are not http(s) are left out, ``stale`` is yes/no.
    """
    if ids is None:
        positions = ordered(listings, query, sort_model)
    else:
        positions = [listings.index[i] for i in ids if i in listings.index]
    yes, no = t("finder_yes", lang), t("finder_no", lang)
    out = []
    for r in records(listings, positions, query, today):
        values = {
            **r,
            "area": area_name(listings, r["area_id"], lang),
            "type": premises_type_name(r["type"], lang),
            "status": status_name(r["status"], lang),
            "stop_lines": ", ".join(sorted_lines(r["stop_lines"])),
            "walk_m": None if r["walk_m"] is None else round(r["walk_m"]),
            "distance_m": None if r["distance_m"] is None else round(r["distance_m"]),
            "stale": yes if r["stale"] else no,
            "url": safe_link(r["url"]),
        }
        out.append([values[c] for c in EXPORT_COLUMNS])
    return out


def export_header(listings, query, *, today, now, source, demonstration, what, lang):
    """The lines written above an exported table.

    Parameters
    ----------
    source : str
        Where the listings come from, with its as-of date.
    demonstration : bool
    what : str
        What is exported (the shortlist, or every match).

    Returns
    -------
    list of str
    """
    lines = [
        t("finder_export_title", lang),
        f"{t('finder_export_filter', lang)}: "
        + "; ".join(describe_query(listings, query, lang)),
        f"{t('finder_export_what', lang)}: {what}",
        f"{t('finder_export_at', lang)}: {now:%Y-%m-%d %H:%M} ({LOCAL_TZ})",
        f"{t('finder_export_source', lang)}: {source}",
        t("finder_export_walk", lang),
        t(
            "finder_export_stale",
            lang,
            days=STALE_DAYS,
            today=fmt_date(today.isoformat(), lang),
        ),
    ]
    if demonstration:
        lines.append(t("finder_export_demo", lang))
    return lines


def export_labels(lang="nb"):
    """Column headings of the export, in ``EXPORT_COLUMNS`` order."""
    return [t(f"finder_col_{c}", lang) for c in EXPORT_COLUMNS]


def _formula(value):
    return isinstance(value, str) and value.startswith(FORMULA_START)


def xlsx_bytes(header_lines, labels, rows):
    """Write a workbook: the header lines, a blank row, the table. Return its bytes.

    Text that a spreadsheet would read as a formula is stored as text.
    """
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Lokaler"
    for r, line in enumerate(header_lines, 1):
        cell = _xlsx_cell(ws, r, 1, line)
        if r == 1:
            cell.font = Font(bold=True, size=13)
    top = len(header_lines) + 2
    for c, label in enumerate(labels, 1):
        _xlsx_cell(ws, top, c, label).font = Font(bold=True)
    for r, row in enumerate(rows, top + 1):
        for c, value in enumerate(row, 1):
            cell = _xlsx_cell(ws, r, c, value)
            if isinstance(value, float | int) and not isinstance(value, bool):
                cell.number_format = "#,##0"
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    widths = [12, 40, 28, 20, 18, 10, 12, 12, 10, 24, 16, 10, 10, 10, 12, 10, 30, 40]
    for c, width in enumerate(widths[: len(labels)], 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_cell(ws, row, col, value):
    if isinstance(value, float) and math.isnan(value):
        value = None
    if isinstance(value, np.generic):
        value = value.item()
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if _formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _csv_value(value, lang):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return t("finder_yes" if value else "finder_no", lang)
    if isinstance(value, int | float | np.number):
        value = float(value)
        text = f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
        return text.replace(".", ",") if lang != "en" else text
    text = str(value)
    # A leading apostrophe keeps a spreadsheet from running the cell as a formula.
    return "'" + text if _formula(text) else text


def csv_bytes(header_lines, labels, rows, lang="nb"):
    """Write the export as CSV (UTF-8 with BOM, ``;``-separated, for Excel).

    Header lines come first, one per row, then a blank row and the table.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    for line in header_lines:
        writer.writerow([_csv_value(line, lang)])
    writer.writerow([])
    writer.writerow([_csv_value(label, lang) for label in labels])
    for row in rows:
        writer.writerow([_csv_value(v, lang) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
