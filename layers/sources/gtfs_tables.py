"""Parsing and checking the members of a GTFS feed into tables (for :mod:`gtfs`).

Every column is checked (ids, times, codes, coordinates, parents, calendars); an
error names the member, the row and the field. Split from ``gtfs.py`` with
:mod:`gtfs_zip` so that no file passes ~600 lines.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from layers import limits
from layers.errors import InputError
from layers.schemas import NORWAY_BOUNDS, check_lonlat
from layers.sources.gtfs_zip import WEEKDAYS, _where
from layers.timetable import stop_sequence

_TIME_RE = r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$"
_HEX_RE = re.compile(r"^[0-9A-Fa-f]{6}$")

ROUTE_TYPE_MIN, ROUTE_TYPE_MAX = 0, 1700


def _first_bad(mask, series):
    """Row number and value of the first true value of ``mask`` over ``series``.

    The row number is 1-based with the header excluded, counted in the file: the
    index of a frame read from a member is its 0-based data row (a range for a
    whole member, the kept rows' positions for a streamed one).
    """
    pos = int(np.flatnonzero(np.asarray(mask))[0])
    return int(series.index[pos]) + 1, series.iloc[pos]


def _factorize(series):
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=str)


def _raise_first_bad(series, bad_uniques, codes, where, field, message):
    rows = np.isin(codes, np.flatnonzero(bad_uniques.to_numpy()))
    row, value = _first_bad(rows, series)
    raise InputError(f"{message}, got {value!r}", file=where, row=row, field=field)


def _parse_times(series, where, field):
    """Parse ``H:MM:SS`` times (hours may pass 24) into seconds of the service day.

    Empty values give NaN. Distinct values are parsed once, so millions of rows
    cost little.
    """
    codes, uniques = _factorize(series)
    parts = uniques.str.extract(_TIME_RE)
    empty = uniques.str.strip() == ""
    bad = parts[0].isna() & ~empty
    if bad.any():
        _raise_first_bad(series, bad, codes, where, field, "expected a time HH:MM:SS")
    secs = (
        parts[0].astype(float) * 3600
        + parts[1].astype(float) * 60
        + parts[2].astype(float)
    )
    return secs.to_numpy(dtype=float)[codes]


def _parse_codes(series, allowed, where, field, *, default):
    """Small integer codes (``pickup_type`` and the like); empty means ``default``."""
    codes, uniques = _factorize(series)
    stripped = uniques.str.strip()
    values = pd.to_numeric(stripped.where(stripped != "", str(default)), "coerce")
    bad = ~values.isin(allowed)
    if bad.any():
        expected = ", ".join(str(a) for a in allowed)
        _raise_first_bad(series, bad, codes, where, field, f"expected {expected}")
    return values.to_numpy(dtype="int64")[codes]


def _parse_ints(series, where, field, *, low, high):
    values = pd.to_numeric(series.str.strip(), errors="coerce")
    bad = values.isna() | (values % 1 != 0) | (values < low) | (values > high)
    if bad.any():
        row, value = _first_bad(bad, series)
        raise InputError(
            f"expected a whole number {low}-{high}, got {value!r}",
            file=where,
            row=row,
            field=field,
        )
    return values.astype("int64")


def _parse_gtfs_dates(series, where, field):
    """Parse ``YYYYMMDD`` into ``datetime64[s]`` values."""
    values = pd.to_datetime(series.str.strip(), format="%Y%m%d", errors="coerce")
    if values.isna().any():
        row, value = _first_bad(values.isna(), series)
        raise InputError(
            f"expected a date YYYYMMDD, got {value!r}",
            file=where,
            row=row,
            field=field,
        )
    return values


def _parse_coords(frame, lat_col, lon_col, where, *, allow_empty, in_norway=True):
    """Return float lon and lat arrays (NaN where empty and ``allow_empty``).

    Values that are not numbers, or only one of the pair, always fail; with
    ``in_norway`` every pair must also lie in Norway (else see
    :func:`_check_in_norway`).
    """
    lat_s, lon_s = frame[lat_col].str.strip(), frame[lon_col].str.strip()
    lat = pd.to_numeric(lat_s, errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(lon_s, errors="coerce").to_numpy(dtype=float)
    empty = (lat_s == "").to_numpy() & (lon_s == "").to_numpy()
    if allow_empty:
        lat, lon = np.where(empty, np.nan, lat), np.where(empty, np.nan, lon)
    missing = ~(np.isfinite(lat) & np.isfinite(lon))
    bad = missing & ~(empty & allow_empty)
    if in_norway:
        bad |= ~missing & ~_inside(lon, lat, NORWAY_BOUNDS)
    _raise_bad_coords(bad, frame[lat_col], lon, lat, where, f"{lat_col}/{lon_col}")
    return lon, lat


def _check_in_norway(checked, series, lon, lat, where, field):
    """Raise for the first row of ``checked`` with coordinates outside Norway."""
    present = np.isfinite(lon) & np.isfinite(lat)
    bad = checked & present & ~_inside(lon, lat, NORWAY_BOUNDS)
    _raise_bad_coords(bad, series, lon, lat, where, field)


def _raise_bad_coords(bad, series, lon, lat, where, field):
    if bad.any():
        row, value = _first_bad(bad, series)
        pos = int(np.flatnonzero(bad)[0])
        text = str(value).strip().lower().lstrip("+-")
        if text in ("nan", "inf", "infinity") or not (
            np.isnan(lon[pos]) or np.isfinite(lon[pos])
        ):
            raise InputError(
                code="value.not_finite",
                params={"got": str(value).strip()},
                file=where,
                row=row,
                field=field,
            )
        check_lonlat(lon[pos], lat[pos], source=where, row=row, field=field)
        raise InputError("bad coordinate", file=where, row=row, field=field)


def _inside(lon, lat, bounds):
    """Per point: does it lie in ``bounds`` (edges included; NaN is outside)."""
    minx, miny, maxx, maxy = bounds
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def _check_bbox(bbox):
    """Validate a lon/lat ``(minx, miny, maxx, maxy)``; ``None`` passes through."""
    if bbox is None:
        return None
    try:
        values = tuple(float(v) for v in bbox)
    except (TypeError, ValueError):
        values = ()
    if len(values) == 4 and all(np.isfinite(values)):
        minx, miny, maxx, maxy = values
        if -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90:
            return values
    raise InputError(
        f"bbox must be (minx, miny, maxx, maxy) in degrees lon/lat, got {bbox!r}",
        field="bbox",
    )


# ------------------------------------------------------------------------ tables


def _check_unique(frame, col, where):
    dup = frame[col].duplicated()
    if dup.any():
        row, value = _first_bad(dup, frame[col])
        raise InputError(f"duplicate id {value!r}", file=where, row=row, field=col)


def _stops_table(frame, where, bbox=None, keep_places=()):
    """Parse stops.txt; with ``bbox``, keep only the stops of stop places in it.

    The stop places named in ``keep_places`` (ids) are kept wherever they lie,
    with their quays: hubs outside the region a journey may start from (Oslo S).

    Returns
    -------
    stops : pandas.DataFrame
        ``stop_id``, ``name``, ``location_type``, ``parent_station``, ``lon``,
        ``lat`` and ``row`` (row number in the file).
    skipped : dict
        The ``*_skipped`` counts of the report, ``stops_skipped`` and
        ``stop_places_skipped`` filled in.
    """
    _check_unique(frame, "stop_id", where)
    lengths = frame["stop_name"].str.len().to_numpy()
    if (lengths > limits.MAX_TEXT).any():
        row, _ = _first_bad(pd.Series(lengths > limits.MAX_TEXT), frame["stop_name"])
        raise InputError(
            code="limit.text_length",
            params={
                "what": "name",
                "n": int(lengths.max()),
                "limit": limits.MAX_TEXT,
            },
            file=where,
            row=row,
            field="stop_name",
        )
    codes = _parse_codes(
        frame["location_type"], (0, 1, 2, 3, 4), where, "location_type", default=0
    )
    parent = frame["parent_station"].str.strip()
    unknown = (parent != "") & ~parent.isin(frame["stop_id"])
    if unknown.any():
        row, value = _first_bad(unknown, parent)
        raise InputError(
            f"parent station {value!r} is not in stops.txt",
            file=where,
            row=row,
            field="parent_station",
        )
    parent, chained = _top_parents(frame["stop_id"], parent, where)
    lon, lat = _parse_coords(
        frame, "stop_lat", "stop_lon", where, allow_empty=True, in_norway=bbox is None
    )
    stops = pd.DataFrame(
        {
            "stop_id": frame["stop_id"].to_numpy(),
            "name": frame["stop_name"].to_numpy(),
            "location_type": codes,
            "parent_station": parent.to_numpy(),
            "lon": lon,
            "lat": lat,
            "row": np.arange(1, len(frame) + 1),
        }
    )
    skipped = dict.fromkeys(
        (
            "stops_skipped",
            "stop_places_skipped",
            "stop_times_skipped",
            "shape_points_skipped",
        ),
        0,
    )
    skipped["parent_chains_resolved"] = chained
    if bbox is None:
        return stops, skipped
    place_lon, place_lat = _place_coords(stops)
    # A stop place without any coordinates is kept so that it fails as without bbox.
    unplaced = np.isnan(place_lon) | np.isnan(place_lat)
    kept = _inside(place_lon, place_lat, bbox) | unplaced
    if keep_places:
        place_id = np.where(
            parent.to_numpy() != "", parent.to_numpy(), stops["stop_id"]
        )
        kept |= pd.Series(place_id).isin(list(keep_places)).to_numpy()
    _check_in_norway(kept, frame["stop_lat"], lon, lat, where, "stop_lat/stop_lon")
    skipped["stops_skipped"] = int((~kept).sum())
    skipped["stop_places_skipped"] = int((_is_place(stops) & ~kept).sum())
    return stops[kept].reset_index(drop=True), skipped


MAX_PARENT_DEPTH = 8  # quay -> quay -> stop place is 2; GTFS itself allows 2


def _top_parents(stop_ids, parent, where):
    """Resolve chained ``parent_station`` values to the top stop place.

    GTFS has one level (quay -> station; boarding area -> quay -> station), but
    files seen in the wild chain quays (quay -> quay -> stop place). Every stop
    is given its topmost ancestor; a loop, or a chain deeper than
    :data:`MAX_PARENT_DEPTH`, refuses the file naming the row.

    Returns
    -------
    parent : pandas.Series
        The top ancestor per stop (``""`` for stops without a parent).
    chained : int
        Stops whose parent had a parent of its own (resolved here).
    """
    ids = stop_ids.to_numpy()
    pos = pd.Index(ids).get_indexer(parent.to_numpy())
    has = parent.to_numpy() != ""
    top = np.where(has, pos, -1)
    chained = 0
    for depth in range(MAX_PARENT_DEPTH + 1):
        up = np.where(top >= 0, top, 0)
        grand = np.where(top >= 0, np.where(has[up], pos[up], -1), -1)
        step = grand >= 0
        if not step.any():
            break
        if depth == 0:
            chained = int(step.sum())
        if depth == MAX_PARENT_DEPTH:
            row = int(np.flatnonzero(step)[0]) + 1
            raise InputError(
                f"parent_station chain of stop {ids[row - 1]!r} loops or is deeper "
                f"than {MAX_PARENT_DEPTH} levels; each stop needs one stop place "
                "at the top",
                file=where,
                row=row,
                field="parent_station",
            )
        top = np.where(step, grand, top)
    out = np.where(top >= 0, ids[np.where(top >= 0, top, 0)], "")
    return pd.Series(out, index=parent.index, dtype=object), chained


def _place_positions(stops):
    """Row position, in ``stops``, of each stop's stop place (parent, else itself)."""
    parent = stops["parent_station"]
    parent_pos = pd.Index(stops["stop_id"]).get_indexer(parent)
    own = np.arange(len(stops))
    return np.where((parent != "").to_numpy() & (parent_pos >= 0), parent_pos, own)


def _is_place(stops):
    """Per stop: is it a stop place (a station, or a stop without parent)."""
    no_parent = (stops["parent_station"] == "").to_numpy()
    kind = stops["location_type"].to_numpy()
    return (kind == 1) | ((kind == 0) & no_parent)


def _place_coords(stops):
    """Per stop, the coordinates of its stop place, as :func:`_stop_places` has them.

    The place's own coordinates, else the mean of its quays' (NaN if none).
    """
    place = _place_positions(stops)
    own_lon, own_lat = stops["lon"].to_numpy(), stops["lat"].to_numpy()
    quay = (stops["location_type"] == 0).to_numpy() & (place != np.arange(len(stops)))
    means = (
        pd.DataFrame({"place": place[quay], "lon": own_lon[quay], "lat": own_lat[quay]})
        .groupby("place")[["lon", "lat"]]
        .mean()
        .reindex(place)
    )
    lon, lat = own_lon[place], own_lat[place]
    lon = np.where(np.isnan(lon), means["lon"].to_numpy(), lon)
    lat = np.where(np.isnan(lat), means["lat"].to_numpy(), lat)
    return lon, lat


def _routes_table(frame, where):
    _check_unique(frame, "route_id", where)
    route_type = _parse_ints(
        frame["route_type"],
        where,
        "route_type",
        low=ROUTE_TYPE_MIN,
        high=ROUTE_TYPE_MAX,
    )
    short = frame["route_short_name"].str.strip()
    return pd.DataFrame(
        {
            "route_id": frame["route_id"],
            "short_name": short,
            "long_name": frame["route_long_name"].str.strip(),
            "route_type": route_type,
            "color": frame["route_color"].map(_css_color),
            "line_name": short.where(short != "", frame["route_id"]),
        }
    )


def _css_color(value):
    value = value.strip().lstrip("#")
    return f"#{value.upper()}" if _HEX_RE.match(value) else ""


def _calendar_table(frame, zip_name):
    if frame is None:
        return None
    where = _where(zip_name, "calendar.txt")
    out = {"service_id": frame["service_id"]}
    for day in WEEKDAYS:
        out[day] = _parse_codes(frame[day], (0, 1), where, day, default=-1) == 1
    out["start"] = _parse_gtfs_dates(frame["start_date"], where, "start_date")
    out["end"] = _parse_gtfs_dates(frame["end_date"], where, "end_date")
    return pd.DataFrame(out)


def _calendar_dates_table(frame, zip_name):
    if frame is None:
        return None
    where = _where(zip_name, "calendar_dates.txt")
    kind = _parse_codes(
        frame["exception_type"], (1, 2), where, "exception_type", default=-1
    )
    return pd.DataFrame(
        {
            "service_id": frame["service_id"],
            "date": _parse_gtfs_dates(frame["date"], where, "date"),
            "added": kind == 1,
        }
    )


def _service_ids(calendar, calendar_dates):
    ids = [t["service_id"] for t in (calendar, calendar_dates) if t is not None]
    return pd.Index(pd.concat(ids, ignore_index=True).unique())


def _trips_table(frame, routes, service_ids, where):
    _check_unique(frame, "trip_id", where)
    for col, known, what in (
        ("route_id", routes["route_id"], "routes.txt"),
        ("service_id", service_ids, "calendar.txt or calendar_dates.txt"),
    ):
        unknown = ~frame[col].isin(known)
        if unknown.any():
            row, value = _first_bad(unknown, frame[col])
            raise InputError(
                f"{col} {value!r} is not in {what}",
                file=where,
                row=row,
                field=col,
            )
    out = frame[["trip_id", "route_id", "service_id", "shape_id"]]
    out = out.reset_index(drop=True)
    out["route_pos"] = pd.Index(routes["route_id"]).get_indexer(frame["route_id"])
    return out


def _stop_times_table(frame, trips, stops, where):
    """Parse stop times; trips and stops become row positions in their tables."""
    positions = {}
    for col, known, what in (
        ("trip_id", trips["trip_id"], "trips.txt"),
        ("stop_id", stops["stop_id"], "stops.txt"),
    ):
        codes, uniques = _factorize(frame[col])
        unique_pos = pd.Index(known).get_indexer(uniques)
        unknown = pd.Series(unique_pos < 0)
        if unknown.any():
            _raise_first_bad(
                frame[col], unknown, codes, where, col, f"{col} is not in {what}"
            )
        positions[col] = unique_pos[codes]
    departure = _parse_times(frame["departure_time"], where, "departure_time")
    arrival = _parse_times(frame["arrival_time"], where, "arrival_time")
    pickup = _parse_codes(
        frame["pickup_type"], (0, 1, 2, 3), where, "pickup_type", default=0
    )
    drop_off = _parse_codes(
        frame["drop_off_type"], (0, 1, 2, 3), where, "drop_off_type", default=0
    )
    return pd.DataFrame(
        {
            "trip_pos": positions["trip_id"],
            "stop_pos": positions["stop_id"],
            "time_s": np.where(np.isnan(departure), arrival, departure),
            "boards": pickup != 1,
            "alights": drop_off != 1,
            "arrival_s": arrival,
            "departure_s": departure,
            "seq": stop_sequence(frame["stop_sequence"], where),
        }
    )


def _shapes_table(frame, where, *, in_norway=True):
    """Parse shape points; without ``in_norway``, drop those outside Norway."""
    if frame is None:
        return None
    lon, lat = _parse_coords(
        frame,
        "shape_pt_lat",
        "shape_pt_lon",
        where,
        allow_empty=False,
        in_norway=in_norway,
    )
    seq = pd.to_numeric(frame["shape_pt_sequence"].str.strip(), errors="coerce")
    if seq.isna().any():
        row, value = _first_bad(seq.isna(), frame["shape_pt_sequence"])
        raise InputError(
            f"expected a number, got {value!r}",
            file=where,
            row=row,
            field="shape_pt_sequence",
        )
    shapes = pd.DataFrame(
        {
            "shape_id": frame["shape_id"].to_numpy(),
            "seq": seq.to_numpy(),
            "lon": lon,
            "lat": lat,
        }
    )
    if not in_norway:
        shapes = shapes[_inside(lon, lat, NORWAY_BOUNDS)]
    return shapes


def _feed_info(frame, where):
    if frame is None or frame.empty:
        return {}
    first = frame.iloc[0]
    info = {
        "publisher": first["feed_publisher_name"].strip(),
        "publisher_url": first["feed_publisher_url"].strip(),
        "lang": first["feed_lang"].strip(),
        "version": first["feed_version"].strip(),
    }
    for key, col in (("start", "feed_start_date"), ("end", "feed_end_date")):
        value = first[col].strip()
        if value:
            parsed = _parse_gtfs_dates(pd.Series([value], dtype=str), where, col)
            info[key] = parsed.iloc[0].date().isoformat()
    return info
