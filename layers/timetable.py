"""The compact timetable a travel-time query needs, kept in the store per version.

``import gtfs`` keeps aggregated stop figures and line shapes as layers; this module
keeps, beside them, what :mod:`layers.reach` routes on, so that a query needs the
store alone:

``timetable_places``
    Stop places (``place``, ``stop_id``, ``name``, ``lon``, ``lat``): the stations
    and parentless stops of ``transit_stops``. A quay is boarded as its place.
``timetable_patterns``
    Distinct stop sequences (``pattern``, ``position``, ``place``, ``boards``,
    ``alights``). Two trips share a pattern when they call at the same places in
    the same order with the same pick-up and drop-off rules; ``boards`` is
    ``pickup_type`` other than 1, ``alights`` ``drop_off_type`` other than 1.
``timetable_trips``
    ``trip``, ``trip_id``, ``pattern``, ``service``.
``timetable_stop_times``
    One row per trip: ``trip``, ``arrival_s`` and ``departure_s``, each a BLOB of
    little-endian int32, one per stop of the trip's pattern: seconds after
    midnight of the trip's service day (so past 86 400 after 24:00). A missing
    time is the other of the pair, else interpolated linearly between the trip's
    timed stops by position. (A row per stop time would take several times the
    space and seconds, not milliseconds, to read.)
``timetable_services``
    ``service``, ``service_id``, ``first_day`` (ISO date) and ``days``: one
    character per day from ``first_day``, ``1`` where the service runs, with
    ``calendar.txt`` and ``calendar_dates.txt`` resolved.
``timetable_info``
    ``key``, ``value`` (JSON): format, reference date, counts.

Trips with fewer than two kept stop times (a regional import keeps only the stop
times in its bbox), without a first or last time, or whose times go backwards are
left out and counted in ``info``.

:func:`day_schedule` turns the timetable into the arrays of one service date, the
form :mod:`layers.reach` scans: the trips running that day plus those of the day
before still running after midnight and those of the day after starting before
``horizon_s``, in patterns split so that no trip overtakes another (RAPTOR's
condition for taking the earliest trip).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd

from layers.errors import InputError, StoreError

FORMAT = 2
TABLES = (
    "timetable_places",
    "timetable_patterns",
    "timetable_trips",
    "timetable_stop_times",
    "timetable_services",
    "timetable_info",
)
DAY_S = 86_400
_MAX_DAYS = 3 * 366


@dataclasses.dataclass(eq=False)
class Timetable:
    """A timetable as arrays (see the module notes for the meaning of each).

    Attributes
    ----------
    places : pandas.DataFrame
        ``stop_id``, ``name``, ``lon``, ``lat``; row ``i`` is place ``i``.
    pattern_start : numpy.ndarray of int64
        Pattern ``p``'s stops are ``pattern_place[pattern_start[p]:
        pattern_start[p + 1]]``.
    pattern_place, pattern_boards, pattern_alights : numpy.ndarray
    trip_ids : numpy.ndarray of str
    trip_pattern, trip_service : numpy.ndarray of int64
    trip_start : numpy.ndarray of int64
        Trip ``t``'s times are ``arrival[trip_start[t]:trip_start[t + 1]]``.
    arrival, departure : numpy.ndarray of int32
    service_ids : numpy.ndarray of str
    first_day : datetime.date
        Day 0 of ``service_days``.
    service_days : numpy.ndarray of bool, shape (services, days)
    info : dict
    """

    places: pd.DataFrame
    pattern_start: np.ndarray
    pattern_place: np.ndarray
    pattern_boards: np.ndarray
    pattern_alights: np.ndarray
    trip_ids: np.ndarray
    trip_pattern: np.ndarray
    trip_service: np.ndarray
    trip_start: np.ndarray
    arrival: np.ndarray
    departure: np.ndarray
    service_ids: np.ndarray
    first_day: dt.date
    service_days: np.ndarray
    info: dict
    _memo: dict = dataclasses.field(default_factory=dict, repr=False)

    @property
    def n_places(self):
        """Number of stop places."""
        return len(self.places)

    def services_on(self, day):
        """Boolean array over services: does each run on ``day``."""
        k = (day - self.first_day).days
        if k < 0 or k >= self.service_days.shape[1]:
            return np.zeros(len(self.service_ids), dtype=bool)
        return self.service_days[:, k].copy()

    def period(self):
        """First and last day with any service, or ``None``."""
        any_day = np.flatnonzero(self.service_days.any(axis=0))
        if len(any_day) == 0:
            return None
        step = dt.timedelta(days=1)
        return self.first_day + int(any_day[0]) * step, self.first_day + int(
            any_day[-1]
        ) * step


# ------------------------------------------------------------------ from a feed


def stop_sequence(series, where):
    """Parse ``stop_sequence`` values (whole numbers); empty gives NaN.

    Parameters
    ----------
    series : pandas.Series of str
    where : str
        ``zip/member`` for error messages.

    Returns
    -------
    numpy.ndarray of float
    """
    text = series.astype(str).str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = (text != "") & (values.isna() | (values % 1 != 0) | (values < 0))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"expected a whole number, got {series.iloc[pos]!r}",
            file=where,
            row=int(series.index[pos]) + 1,
            field="stop_sequence",
        )
    return values.to_numpy(dtype=float)


def build_timetable(stop_times, trips, place_of_stop, places, calendar, calendar_dates):
    """Build the timetable from the tables :func:`layers.sources.gtfs.read_gtfs` parses.

    Parameters
    ----------
    stop_times : pandas.DataFrame
        ``trip_pos``, ``stop_pos``, ``arrival_s``, ``departure_s`` (float, NaN
        where empty), ``seq`` (float, NaN where absent), ``boards``, ``alights``.
    trips : pandas.DataFrame
        ``trip_id``, ``service_id``; row ``i`` is ``trip_pos`` ``i``.
    place_of_stop : numpy.ndarray of int
        Per ``stop_pos``, the row of its stop place in ``places``.
    places : pandas.DataFrame
        ``stop_id``, ``name``, ``lon``, ``lat``.
    calendar, calendar_dates : pandas.DataFrame or None
        As parsed by :mod:`layers.sources.gtfs` (``start``/``end`` and weekday columns;
        ``date`` and ``added``).

    Returns
    -------
    Timetable
    """
    n_read = int(trips.shape[0])
    stop_times = stop_times[place_of_stop[stop_times["stop_pos"].to_numpy()] >= 0]
    order = np.lexsort(
        (
            np.arange(len(stop_times)),
            np.nan_to_num(stop_times["seq"].to_numpy(dtype=float), nan=-1.0),
            stop_times["trip_pos"].to_numpy(),
        )
    )
    st = stop_times.iloc[order]
    trip_pos = st["trip_pos"].to_numpy()
    place = place_of_stop[st["stop_pos"].to_numpy()].astype("int64")
    arr = st["arrival_s"].to_numpy(dtype=float)
    dep = st["departure_s"].to_numpy(dtype=float)
    arr, dep = np.where(np.isnan(arr), dep, arr), np.where(np.isnan(dep), arr, dep)
    starts = np.flatnonzero(np.r_[True, trip_pos[1:] != trip_pos[:-1]])
    lengths = np.diff(np.r_[starts, len(trip_pos)])
    arr, dep = _interpolate(arr, dep, starts, lengths)
    ok = _valid_trips(arr, dep, starts, lengths)
    keep = np.repeat(ok, lengths)
    dropped = {
        "trips_short": int((lengths < 2).sum()) + (n_read - len(starts)),
        "trips_bad_times": int((~ok & (lengths >= 2)).sum()),
    }
    trip_pos, place = trip_pos[keep], place[keep]
    boards = st["boards"].to_numpy(dtype=bool)[keep]
    alights = st["alights"].to_numpy(dtype=bool)[keep]
    arr, dep = arr[keep].astype("int32"), dep[keep].astype("int32")
    starts = np.flatnonzero(np.r_[True, trip_pos[1:] != trip_pos[:-1]])
    if len(trip_pos) == 0:
        starts = np.zeros(0, dtype="int64")
    lengths = np.diff(np.r_[starts, len(trip_pos)])
    kept_trips = trip_pos[starts] if len(starts) else np.zeros(0, dtype="int64")
    code = place * 4 + boards * 2 + alights
    keys = [code[s : s + n].tobytes() for s, n in zip(starts, lengths, strict=True)]
    pattern_codes, pattern_of_trip = _factorize_keys(keys)
    first = np.r_[0, np.cumsum([len(k) // 8 for k in pattern_codes])].astype("int64")
    flat = (
        np.frombuffer(b"".join(pattern_codes), dtype="int64")
        if pattern_codes
        else np.zeros(0, dtype="int64")
    )
    service_ids, service_of_trip = _services_of(trips, kept_trips)
    first_day, days = _service_days(service_ids, calendar, calendar_dates)
    tt = Timetable(
        places=places[["stop_id", "name", "lon", "lat"]].reset_index(drop=True),
        pattern_start=first,
        pattern_place=flat // 4,
        pattern_boards=(flat // 2 % 2).astype(bool),
        pattern_alights=(flat % 2).astype(bool),
        trip_ids=trips["trip_id"].to_numpy(dtype=object)[kept_trips],
        trip_pattern=pattern_of_trip,
        trip_service=service_of_trip,
        trip_start=np.r_[0, np.cumsum(lengths)].astype("int64"),
        arrival=arr,
        departure=dep,
        service_ids=service_ids,
        first_day=first_day,
        service_days=days,
        info={},
    )
    tt.info.update(
        {
            "format": FORMAT,
            "places": tt.n_places,
            "patterns": len(first) - 1,
            "trips": len(kept_trips),
            "stop_times": len(arr),
            "services": len(service_ids),
            **dropped,
        }
    )
    return tt


def _interpolate(arr, dep, starts, lengths):
    """Fill times missing at both arrival and departure, linearly by position."""
    missing = np.isnan(arr)
    if not missing.any():
        return arr, dep
    n = len(arr)
    idx = np.arange(n)
    trip = np.repeat(np.arange(len(starts)), lengths)
    prev = np.where(~missing, idx, -1)
    prev = np.maximum.accumulate(prev)
    nxt = np.where(~missing, idx, n)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]
    ok = (prev >= 0) & (nxt < n)
    ok &= (trip[np.clip(prev, 0, n - 1)] == trip) & (
        trip[np.clip(nxt, 0, n - 1)] == trip
    )
    fill = missing & ok
    a, b = prev[fill], nxt[fill]
    frac = (idx[fill] - a) / (b - a)
    value = np.round(dep[a] + (arr[b] - dep[a]) * frac)
    arr, dep = arr.copy(), dep.copy()
    arr[fill] = value
    dep[fill] = value
    return arr, dep


def _valid_trips(arr, dep, starts, lengths):
    """Per trip: two or more stops, every time known and never going back."""
    n = len(arr)
    if n == 0:
        return np.zeros(len(starts), dtype=bool)
    trip = np.repeat(np.arange(len(starts)), lengths)
    known = ~(np.isnan(arr) | np.isnan(dep))
    ok_here = known & (np.nan_to_num(dep) >= np.nan_to_num(arr))
    step = np.ones(n, dtype=bool)
    same = trip[1:] == trip[:-1]
    step[1:] = ~same | (np.nan_to_num(arr[1:]) >= np.nan_to_num(dep[:-1]))
    good = ok_here & step
    bad_per_trip = np.bincount(trip, weights=~good, minlength=len(starts))
    return (bad_per_trip == 0) & (lengths >= 2)


def _factorize_keys(keys):
    index, codes = {}, np.empty(len(keys), dtype="int64")
    for i, key in enumerate(keys):
        codes[i] = index.setdefault(key, len(index))
    return list(index), codes


def _services_of(trips, kept_trips):
    sids = trips["service_id"].to_numpy(dtype=object)[kept_trips]
    codes, uniques = pd.factorize(pd.Series(sids, dtype=object))
    return np.asarray(uniques, dtype=object), codes.astype("int64")


def _service_days(service_ids, calendar, calendar_dates):
    """Resolve calendar and exceptions into a (services, days) boolean matrix."""
    starts, ends = [], []
    if calendar is not None and len(calendar):
        starts.append(calendar["start"].min())
        ends.append(calendar["end"].max())
    if calendar_dates is not None and len(calendar_dates):
        starts.append(calendar_dates["date"].min())
        ends.append(calendar_dates["date"].max())
    if not starts or len(service_ids) == 0:
        return dt.date(2000, 1, 1), np.zeros((len(service_ids), 0), dtype=bool)
    first = min(starts).normalize()
    last = max(ends).normalize()
    n_days = min(int((last - first).days) + 1, _MAX_DAYS)
    days = np.zeros((len(service_ids), n_days), dtype=bool)
    pos = pd.Index(service_ids)
    dates = first + pd.to_timedelta(np.arange(n_days), unit="D")
    weekday = dates.day_of_week.to_numpy()
    if calendar is not None and len(calendar):
        from layers.sources.gtfs_zip import WEEKDAYS

        rows = pos.get_indexer(calendar["service_id"])
        for r, (_, c) in zip(rows, calendar.iterrows(), strict=True):
            if r < 0:
                continue
            runs = np.array([bool(c[d]) for d in WEEKDAYS])[weekday]
            runs &= (dates >= c["start"]) & (dates <= c["end"])
            days[r] |= np.asarray(runs)
    if calendar_dates is not None and len(calendar_dates):
        rows = pos.get_indexer(calendar_dates["service_id"])
        cols = ((calendar_dates["date"] - first).dt.days).to_numpy()
        inside = (rows >= 0) & (cols >= 0) & (cols < n_days)
        added = calendar_dates["added"].to_numpy(dtype=bool)
        days[rows[inside & added], cols[inside & added]] = True
        days[rows[inside & ~added], cols[inside & ~added]] = False
    return first.date(), days


# ----------------------------------------------------------------- store tables


def to_tables(tt, **info):
    """The store's plain tables for ``tt``, as ``{name: (DataFrame, {})}``.

    Parameters
    ----------
    tt : Timetable
    **info
        Extra entries for ``timetable_info`` (for example ``reference_date``).

    Returns
    -------
    dict
        Ready to merge into the ``layers`` argument of ``replace_layers``.
    """
    places = tt.places.assign(place=np.arange(tt.n_places))
    lengths = np.diff(tt.pattern_start)
    patterns = pd.DataFrame(
        {
            "pattern": np.repeat(np.arange(len(lengths)), lengths),
            "position": _positions(lengths),
            "place": tt.pattern_place,
            "boards": tt.pattern_boards.astype("int8"),
            "alights": tt.pattern_alights.astype("int8"),
        }
    )
    trip_lengths = np.diff(tt.trip_start)
    trips = pd.DataFrame(
        {
            "trip": np.arange(len(tt.trip_ids)),
            "trip_id": tt.trip_ids,
            "pattern": tt.trip_pattern,
            "service": tt.trip_service,
        }
    )
    spans = list(zip(tt.trip_start[:-1], tt.trip_start[1:], strict=True))
    arr = tt.arrival.astype("<i4")
    dep = tt.departure.astype("<i4")
    stop_times = pd.DataFrame(
        {
            "trip": np.arange(len(trip_lengths)),
            "arrival_s": [arr[a:b].tobytes() for a, b in spans],
            "departure_s": [dep[a:b].tobytes() for a, b in spans],
        }
    )
    services = pd.DataFrame(
        {
            "service": np.arange(len(tt.service_ids)),
            "service_id": tt.service_ids,
            "first_day": tt.first_day.isoformat(),
            "days": [
                "".join("1" if v else "0" for v in row) for row in tt.service_days
            ],
        }
    )
    meta = {**tt.info, **info}
    info_table = pd.DataFrame(
        {
            "key": sorted(meta),
            "value": [json.dumps(meta[k], sort_keys=True) for k in sorted(meta)],
        }
    )
    frames = {
        "timetable_places": places[["place", "stop_id", "name", "lon", "lat"]],
        "timetable_patterns": patterns,
        "timetable_trips": trips,
        "timetable_stop_times": stop_times,
        "timetable_services": services,
        "timetable_info": info_table,
    }
    return {name: (frame, {}) for name, frame in frames.items()}


def _positions(lengths):
    total = int(np.sum(lengths))
    lengths = np.asarray(lengths, dtype="int64")
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(total) - starts


def from_tables(tables):
    """Rebuild a :class:`Timetable` from its store tables (``{name: DataFrame}``)."""
    places = tables["timetable_places"].sort_values("place")
    patterns = tables["timetable_patterns"].sort_values(["pattern", "position"])
    trips = tables["timetable_trips"].sort_values("trip")
    st = tables["timetable_stop_times"].sort_values("trip")
    services = tables["timetable_services"].sort_values("service")
    info = {
        k: json.loads(v)
        for k, v in zip(
            tables["timetable_info"]["key"],
            tables["timetable_info"]["value"],
            strict=True,
        )
    }
    if info.get("format") != FORMAT:
        raise InputError(
            f"the store's timetable has format {info.get('format')!r}, this version "
            f"reads {FORMAT}; import the GTFS feed again"
        )
    n_pat = np.bincount(patterns["pattern"].to_numpy(), minlength=int(info["patterns"]))
    arrival_blobs = [_blob(b) for b in st["arrival_s"]]
    arrival = _int32s(arrival_blobs)
    departure = _int32s(st["departure_s"])
    n_trip = np.array([len(b) // 4 for b in arrival_blobs], dtype="int64")
    if len(services):
        first_day = dt.date.fromisoformat(services["first_day"].iloc[0])
        days = np.array(
            [
                np.frombuffer(s.encode(), dtype="uint8") == ord("1")
                for s in services["days"]
            ]
        )
    else:
        first_day, days = dt.date(2000, 1, 1), np.zeros((0, 0), dtype=bool)
    return Timetable(
        places=places[["stop_id", "name", "lon", "lat"]].reset_index(drop=True),
        pattern_start=np.r_[0, np.cumsum(n_pat)].astype("int64"),
        pattern_place=patterns["place"].to_numpy(dtype="int64"),
        pattern_boards=patterns["boards"].to_numpy().astype(bool),
        pattern_alights=patterns["alights"].to_numpy().astype(bool),
        trip_ids=trips["trip_id"].to_numpy(dtype=object),
        trip_pattern=trips["pattern"].to_numpy(dtype="int64"),
        trip_service=trips["service"].to_numpy(dtype="int64"),
        trip_start=np.r_[0, np.cumsum(n_trip)].astype("int64"),
        arrival=arrival,
        departure=departure,
        service_ids=services["service_id"].to_numpy(dtype=object),
        first_day=first_day,
        service_days=days.reshape(len(services), -1) if len(services) else days,
        info=info,
    )


def _int32s(blobs):
    joined = b"".join(_blob(b) for b in blobs)
    return np.frombuffer(joined, dtype="<i4").astype("int32")


def _blob(value):
    """A trip's times as bytes. A PostGIS store written before plain tables kept
    bytes as bytea holds the text of their repr (``b'\\x1c…'``): read as that
    literal (``ast.literal_eval`` evaluates literals only), so it needs no new
    import."""
    if isinstance(value, str):
        import ast

        value = ast.literal_eval(value) if value.startswith(("b'", 'b"')) else None
        if not isinstance(value, bytes):
            raise StoreError("the store's timetable holds a row without stop times")
    return bytes(value)


_LOADED: dict = {}


def load_timetable(store):
    """The store's timetable, cached per process and store version.

    Parameters
    ----------
    store : layers.store.GeoPackageStore

    Returns
    -------
    Timetable or None
        ``None`` when the store holds no timetable (a store built before reach
        existed: import the GTFS feed, or rebuild, to add it).
    """
    if isinstance(store.path, str):
        # A database (PostGIS): the tables' versions say when they changed.
        key = store.key()
        stamp = tuple(store.version(name) for name in TABLES)
    else:
        st = store.path.stat()
        key = str(store.path.resolve())
        stamp = (st.st_dev, st.st_ino, st.st_size)
    hit = _LOADED.get(key)
    if hit and hit[0] == stamp:
        return hit[1]
    tables = {name: store.read_table(name) for name in TABLES}
    tt = None if any(t is None for t in tables.values()) else from_tables(tables)
    _LOADED[key] = (stamp, tt)
    return tt
