"""The store-level query: a timetable, an origin and a window to a Reach."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import numpy as np
import pandas as pd

from layers import firm_index
from layers import timetable as tt_mod
from layers.errors import InputError, StoreError
from layers.frames import MEMO
from layers.reach.figures import (
    group_points,
    reach_counts,
)
from layers.reach.params import (
    DEFAULT_MAX_MINUTES,
    DEFAULT_WINDOW,
    MAX_MINUTES_LIMIT,
    UNREACHED,
    Origin,
    ReachParams,
    TravelTimes,
    hhmm,
    parse_origin_text,
    parse_window,
)
from layers.reach.raptor import (
    origin_at,
    origin_from_stop,
    travel_times,
)
from layers.schemas import METRIC_CRS


def _memo(key, compute):
    """One entry of the per-process memo (:data:`layers.frames.MEMO`).

    ``key`` holds the store versions the value depends on (:func:`_versions`), so a
    new version is a new key; old entries leave by the memo's byte bound.
    """
    return MEMO.get("reach", "reach", key, compute, version=0)


def _versions(store, *names):
    """A cheap token of the store version the named layers come from.

    In a GeoPackage every layer but the premises register (and the timetable)
    changes only by ``replace_layers``, which writes a new file: its inode is the
    version. The register is edited in place and has its own token. A database
    store (PostGIS) has no file: each named layer's own version (its generation,
    or the store's for the register) is the token. The timetable comes with
    ``transit_stops`` (one import).
    """
    from layers.store import GeoPackageStore

    if not isinstance(store, GeoPackageStore):
        return (str(store.path), *(store.version(name) for name in names))
    try:
        st = os.stat(store.path)
    except OSError:
        return (str(store.path), None)
    out = [str(store.path), st.st_dev, st.st_ino]
    if "premises" in names:
        out.append(store.version("premises"))
    return tuple(out)


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
        ``source``, ``licence``, ``as_of`` and ``demonstration`` of the timetable
        and of the establishments.
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
        xy, jobs, mult = _memo(
            ("points", _versions(store, "establishments")),
            lambda: group_points(*_store_points(store)),
        )
    else:
        xy, jobs, mult = group_points(*establishment_points(establishments))
    counts, weighted = reach_counts(times, xy, jobs, multiplicity=mult)
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


def _store_points(store):
    """:func:`establishment_points` of the store, from its firm index when current
    (no read of every establishment), else from the layer."""
    index = firm_index.load(store)
    if index is None:
        return establishment_points(_layer(store, "establishments"))
    from pyproj import Transformer

    placed = np.isfinite(index.lon) & np.isfinite(index.lat)
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    x, y = to_metric.transform(index.lon[placed], index.lat[placed])
    return np.column_stack([x, y]), index.jobs[placed].astype("int64")


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
            "licence": info.licence,
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
