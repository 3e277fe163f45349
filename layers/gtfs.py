"""Import an Entur (Norwegian) GTFS feed into the transit stop and line layers.

The feed is read straight from its zip file, never extracted. Departures are counted
for one *reference date*, per *stop place*: a station (``NSR:StopPlace:<n>``,
``location_type`` 1) together with its quays (``NSR:Quay:<n>``), or a stop without
a ``parent_station``.

Definitions used for the figures of a stop place on the reference date, over the
stop times of trips whose service runs that day:

``departures_day``
    Stop times where passengers may board (``pickup_type`` is not 1; empty means 0).
    Times past ``24:00:00`` belong to the service day they are listed under.
``departures_peak_hour``
    Boarding stop times with a departure time (else the arrival time) from 07:00:00
    inclusive to 09:00:00 exclusive of the service day, divided by 2. ``25:10:00``
    is 01:10 the next calendar day and never counts. Stop times with neither time
    (non-timepoints) do not count towards the peak.
``lines``
    Distinct line names (``route_short_name``, else ``route_id``) of the routes with
    a stop time at the stop place where passengers may board *or* alight, i.e. all
    but pure pass-through stop times (``pickup_type`` and ``drop_off_type`` both 1).
    A drop-off-only stop is still served by the line. Names are sorted numerically
    where they start with digits (``2,25,100,L1``) and joined with ``,``.

The line layer has one row per route that has shapes (from any of its trips, not
only those running on the reference date): a LineString if it has one distinct
shape, else a MultiLineString of its shapes. Routes without shapes are left out.

Regional import (``bbox``)
    Entur's national feed has some 40 million stop times and stops abroad (cross-
    border trains and ferries). Given a lon/lat ``bbox``, only the stop places lying
    in it (at the station's coordinates, else the stop's own, else the mean of its
    quays) are kept, with their quays. ``stop_times.txt``, ``trips.txt`` and
    ``shapes.txt`` are streamed in batches and only the rows of kept stops, of the
    trips calling at them and of the shapes of their routes are held, so memory
    follows the region, not the nation. Coordinates of skipped stops are not checked
    against Norway's bounds (non-numbers still fail); shape points outside Norway are
    dropped. Routes are those with a trip calling at a kept stop; their shapes are
    whole, from any of their trips.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import re
import zipfile
import zlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

from layers.errors import InputError
from layers.schemas import CRS, NORWAY_BOUNDS, check_lonlat, conform, empty_layer
from layers.timetable import build_timetable, stop_sequence

PEAK_START_S = 7 * 3600
PEAK_END_S = 9 * 3600
PEAK_HOURS = 2
ROUTE_TYPE_MIN, ROUTE_TYPE_MAX = 0, 1700
MAX_COMPRESSION_RATIO = 100
RATIO_MIN_BYTES = 1_000_000
# Unpacked size limits (zip bomb guard). A regional read streams the big members, so
# it accepts the national feed (about 4 GB unpacked in 2025) with room to grow.
MAX_UNPACKED_BYTES = 2_000_000_000
MAX_UNPACKED_BYTES_BBOX = 10_000_000_000
# CSV bytes per streamed batch: a few times this is the working memory of a stream.
STREAM_BLOCK_BYTES = 1 << 20
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
TUESDAY = 1

# member -> (required columns, optional columns); optional ones read as "" if absent.
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "agency.txt": (("agency_name",), ()),
    "stops.txt": (
        ("stop_id", "stop_name", "stop_lat", "stop_lon"),
        ("location_type", "parent_station"),
    ),
    "routes.txt": (
        ("route_id", "route_type"),
        ("route_short_name", "route_long_name", "route_color"),
    ),
    "trips.txt": (("route_id", "service_id", "trip_id"), ("shape_id",)),
    "stop_times.txt": (
        ("trip_id", "arrival_time", "departure_time", "stop_id"),
        ("pickup_type", "drop_off_type", "stop_sequence"),
    ),
    "calendar.txt": (("service_id", *WEEKDAYS, "start_date", "end_date"), ()),
    "calendar_dates.txt": (("service_id", "date", "exception_type"), ()),
    "shapes.txt": (
        ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
        (),
    ),
    "feed_info.txt": (
        (),
        (
            "feed_publisher_name",
            "feed_publisher_url",
            "feed_lang",
            "feed_version",
            "feed_start_date",
            "feed_end_date",
        ),
    ),
}
REQUIRED_FILES = (
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
)
CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")

_TIME_RE = r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$"
_HEX_RE = re.compile(r"^[0-9A-Fa-f]{6}$")

# the pyarrow CSV reader is several times faster on large stop_times.txt
_CSV_ENGINE = "pyarrow"


@dataclasses.dataclass(frozen=True)
class GtfsResult:
    """What :func:`read_gtfs` returns.

    Attributes
    ----------
    stops : geopandas.GeoDataFrame
        Layer ``transit_stops``: one row per stop place, EPSG:4326.
    lines : geopandas.GeoDataFrame
        Layer ``transit_lines``: one row per route with shapes, EPSG:4326.
    reference_date : datetime.date
        Service day the departures are counted for.
    feed_info : dict
        ``publisher``, ``publisher_url``, ``lang``, ``version``, ``start`` and
        ``end`` (ISO dates) from ``feed_info.txt``; empty if the file is absent.
    timetable : layers.timetable.Timetable
        The compact timetable travel-time queries route on (``layers.reach``).
    report : dict
        Counts of what was read and kept. With a ``bbox``, the ``*_skipped`` counts
        say what was left out: ``stops_skipped`` (rows of stops.txt),
        ``stop_places_skipped``, ``stop_times_skipped`` (outside the bbox) and
        ``shape_points_skipped`` (outside Norway); all 0 without a bbox.
    """

    stops: gpd.GeoDataFrame
    lines: gpd.GeoDataFrame
    reference_date: dt.date
    feed_info: dict
    report: dict
    timetable: object = None


def read_gtfs(path, *, date=None, bbox=None, max_unpacked_bytes=None):
    """Read an Entur GTFS zip into the transit stop and line layers.

    Parameters
    ----------
    path : str or os.PathLike
        The GTFS zip file.
    date : datetime.date or str, optional
        Reference (service) date, a date or ``YYYY-MM-DD``. By default the first
        Tuesday on which any (kept) trip of the feed runs.
    bbox : sequence of 4 float, optional
        ``(minx, miny, maxx, maxy)`` in degrees lon/lat. Keep only the stop places
        in it and what serves them, streaming the large members (see the module
        notes). Without it every stop and shape point must lie in Norway.
    max_unpacked_bytes : int, optional
        Largest accepted total uncompressed size of the zip's members; by default
        ``MAX_UNPACKED_BYTES``, or ``MAX_UNPACKED_BYTES_BBOX`` with a ``bbox``.
        Checked, together with each member's compression ratio, before anything
        is read.

    Returns
    -------
    GtfsResult

    Raises
    ------
    InputError
        The file is not a readable zip, looks like a zip bomb, lacks a required
        file or column, has a bad value (named by member, row and field), or
        nothing runs on the reference date; or ``bbox`` is not a lon/lat box.
    """
    bbox = _check_bbox(bbox)
    if max_unpacked_bytes is None:
        regional = bbox is not None
        max_unpacked_bytes = MAX_UNPACKED_BYTES_BBOX if regional else MAX_UNPACKED_BYTES
    zip_name = os.path.basename(os.fspath(path))
    with _open_zip(path, zip_name) as zf:
        _check_unpacked_size(zf.infolist(), zip_name, max_unpacked_bytes)
        members = _member_index(zf.infolist())
        _check_required_files(members, zip_name)

        def read(member):
            return _read_member(zf, members, zip_name, member)

        def stream(member, key, keep, on_batch=None):
            return _read_member_rows(
                zf, members, zip_name, member, key, keep, on_batch=on_batch
            )

        stops, skipped = _stops_table(
            read("stops.txt"), _where(zip_name, "stops.txt"), bbox
        )
        routes = _routes_table(read("routes.txt"), _where(zip_name, "routes.txt"))
        calendar = _calendar_table(read("calendar.txt"), zip_name)
        calendar_dates = _calendar_dates_table(read("calendar_dates.txt"), zip_name)
        service_ids = _service_ids(calendar, calendar_dates)
        trips_where = _where(zip_name, "trips.txt")
        if bbox is None:
            trips = _trips_table(read("trips.txt"), routes, service_ids, trips_where)
            route_shapes = trips[["route_id", "shape_id"]]
        else:
            stop_time_rows, stop_times_read = stream(
                "stop_times.txt", "stop_id", stops["stop_id"]
            )
            skipped["stop_times_skipped"] = stop_times_read - len(stop_time_rows)
            pairs = []
            trip_rows, _ = stream(
                "trips.txt",
                "trip_id",
                stop_time_rows["trip_id"].unique(),
                on_batch=lambda batch: pairs.append(_route_shape_pairs(batch)),
            )
            trips = _trips_table(trip_rows, routes, service_ids, trips_where)
            if trips.empty:
                raise InputError(
                    f"no trip calls at a stop in the bbox {list(bbox)} "
                    f"({len(stops)} stops in it, {skipped['stops_skipped']} outside)",
                    file=zip_name,
                    field="bbox",
                )
            routes = routes[routes["route_id"].isin(trips["route_id"])]
            routes = routes.reset_index(drop=True)
            trips["route_pos"] = pd.Index(routes["route_id"]).get_indexer(
                trips["route_id"]
            )
            route_shapes = pd.concat(pairs, ignore_index=True) if pairs else None
            if route_shapes is not None:
                kept = route_shapes["route_id"].isin(routes["route_id"])
                route_shapes = route_shapes[kept]
        ref_date = _reference_date(date, calendar, calendar_dates, trips, zip_name)
        active_trips = _active_trips(trips, calendar, calendar_dates, ref_date)
        stop_times = _stop_times_table(
            read("stop_times.txt") if bbox is None else stop_time_rows,
            trips,
            stops,
            _where(zip_name, "stop_times.txt"),
        )
        shapes_where = _where(zip_name, "shapes.txt")
        if bbox is None:
            shapes = _shapes_table(read("shapes.txt"), shapes_where)
        elif route_shapes is None or "shapes.txt" not in members:
            shapes = None
        else:
            shape_rows, _ = stream(
                "shapes.txt", "shape_id", route_shapes["shape_id"].unique()
            )
            shapes = _shapes_table(shape_rows, shapes_where, in_norway=False)
            skipped["shape_points_skipped"] = len(shape_rows) - len(shapes)
        info = _feed_info(read("feed_info.txt"), _where(zip_name, "feed_info.txt"))

    places = _stop_places(stops, _where(zip_name, "stops.txt"))
    place_of_stop = pd.Index(places["pos"]).get_indexer(_place_positions(stops))
    timetable = build_timetable(
        stop_times, trips, place_of_stop, places, calendar, calendar_dates
    )
    figures = _stop_place_figures(
        stop_times, active_trips.to_numpy(), trips, stops, routes
    )
    stops_layer = _stops_layer(places, figures, zip_name)
    lines_layer = _lines_layer(routes, route_shapes, shapes, zip_name)
    report = {
        "stops_rows": len(stops) + skipped["stops_skipped"],
        "stop_places": len(stops_layer),
        "stop_places_served": int((stops_layer["departures_day"] > 0).sum()),
        "routes": len(routes),
        "routes_with_shape": len(lines_layer),
        "trips": len(trips),
        "trips_on_date": int(active_trips.sum()),
        "stop_times": len(stop_times),
        "departures_on_date": int(stops_layer["departures_day"].sum()),
        **skipped,
    }
    return GtfsResult(stops_layer, lines_layer, ref_date, info, report, timetable)


def area_transit_figures(stops_in_area):
    """Aggregate transit figures over the stop places of an area.

    Parameters
    ----------
    stops_in_area : pandas.DataFrame
        Rows of the ``transit_stops`` layer lying in the area.

    Returns
    -------
    dict
        ``stops`` (number of stop places), ``lines`` (number of distinct line
        names over all their ``lines``, so a line serving several stops counts
        once) and ``departures_peak_hour`` (sum).
    """
    names = set()
    for value in stops_in_area["lines"]:
        names.update(_split_lines(value))
    return {
        "stops": len(stops_in_area),
        "lines": len(names),
        "departures_peak_hour": float(stops_in_area["departures_peak_hour"].sum()),
    }


def _split_lines(value):
    if not isinstance(value, str):
        return []
    return [name.strip() for name in value.split(",") if name.strip()]


# --------------------------------------------------------------------------- zip


def _where(zip_name, member):
    return f"{zip_name}/{member}"


def _open_zip(path, zip_name):
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError("file not found", file=zip_name) from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            f"not a zip file or the zip is corrupt ({exc})", file=zip_name
        ) from None


def _check_unpacked_size(infos, zip_name, max_unpacked_bytes):
    total = sum(info.file_size for info in infos)
    if total > max_unpacked_bytes:
        raise InputError(
            f"unpacked size {total:,} bytes exceeds the limit of "
            f"{max_unpacked_bytes:,} bytes; refusing to read it (zip bomb guard)",
            file=zip_name,
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                f"member compresses {ratio:,.0f}:1, more than "
                f"{MAX_COMPRESSION_RATIO}:1; refusing to read it (zip bomb guard)",
                file=_where(zip_name, info.filename),
            )


def _member_index(infos):
    """Map member base names to zip entries, preferring entries at the root."""
    index = {}
    for info in sorted(infos, key=lambda i: i.filename.count("/")):
        if info.is_dir():
            continue
        index.setdefault(info.filename.rsplit("/", 1)[-1].lower(), info)
    return index


def _check_required_files(members, zip_name):
    missing = [name for name in REQUIRED_FILES if name not in members]
    if missing:
        raise InputError(
            f"not a complete GTFS feed: lacks {', '.join(missing)}", file=zip_name
        )
    if not any(name in members for name in CALENDAR_FILES):
        raise InputError(
            "not a complete GTFS feed: lacks both calendar.txt and calendar_dates.txt",
            file=zip_name,
        )


def _read_member(zf, members, zip_name, member):
    """Read the known columns of a member as strings; ``None`` if it is absent."""
    if member not in members:
        return None
    info = members[member]
    where = _where(zip_name, member)
    required, optional = COLUMNS[member]
    try:
        with zf.open(info) as fh:
            header = _header(fh.readline(), where)
        usecols = [raw for raw in header if raw.strip() in required + optional]
        with zf.open(info) as fh:
            frame = pd.read_csv(
                fh,
                usecols=usecols,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8-sig",
                engine=_CSV_ENGINE,
            )
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"corrupt zip member ({exc})", file=where) from None
    except RuntimeError as exc:  # encrypted member
        raise InputError(f"cannot read member ({exc})", file=where) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=where) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"not valid CSV ({exc})", file=where) from None
    frame.columns = [c.strip() for c in frame.columns]
    for col in required:
        if col not in frame.columns:
            raise InputError("required column is missing", file=where, field=col)
    for col in optional:
        if col not in frame.columns:
            frame[col] = ""
    return frame.reset_index(drop=True)


def _read_member_rows(zf, members, zip_name, member, key, keep, *, on_batch=None):
    """Stream a member in batches, keeping the rows whose ``key`` is in ``keep``.

    Only the kept rows of the known columns are held, as strings, so memory
    follows what is kept and not the size of the member.

    Parameters
    ----------
    zf : zipfile.ZipFile
    members : dict
        From :func:`_member_index`; ``member`` must be in it.
    zip_name, member : str
    key : str
        Column matched against ``keep`` (exact strings, as in the file).
    keep : array-like of str
    on_batch : callable, optional
        Called with every ``pyarrow.RecordBatch`` before filtering.

    Returns
    -------
    frame : pandas.DataFrame
        The kept rows; the index is the 0-based data row in the file, so errors
        name the file's row.
    rows_read : int
        Data rows in the member.
    """
    where = _where(zip_name, member)
    required, optional = COLUMNS[member]
    value_set = pa.array(pd.unique(np.asarray(keep, dtype=object)), pa.string())
    pieces, positions, rows_read = [], [], 0
    columns = None
    for batch in _member_batches(zf, members[member], where, required, optional):
        columns = batch.schema.names
        if on_batch is not None:
            on_batch(batch)
        mask = pc.is_in(batch.column(key), value_set=value_set)
        mask = pc.fill_null(mask, False)
        kept = batch.filter(mask)
        if kept.num_rows:
            pieces.append(kept)
            flags = mask.to_numpy(zero_copy_only=False)
            positions.append(rows_read + np.flatnonzero(flags))
        rows_read += batch.num_rows
    if columns is None:  # header only
        names = _member_columns(zf, members[member], where)
        columns = [c for c in required + optional if c in names]
    if pieces:
        frame = pa.Table.from_batches(pieces).to_pandas()
        frame.index = np.concatenate(positions)
    else:
        frame = pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    for col in optional:
        if col not in frame.columns:
            frame[col] = ""
    return frame, rows_read


def _member_columns(zf, info, where):
    """Header names of a member, stripped and made unique."""
    with zf.open(info) as fh:
        header = _header(fh.readline(), where)
    names, seen = [], set()
    for i, raw in enumerate(header):
        name = raw.strip()
        if name in seen:
            name = f"{name}#{i}"
        seen.add(name)
        names.append(name)
    return names


def _member_batches(zf, info, where, required, optional):
    """Yield a member's known columns as ``pyarrow.RecordBatch`` of strings."""
    known = required + optional
    try:
        names = _member_columns(zf, info, where)
        for col in required:
            if col not in names:
                raise InputError("required column is missing", file=where, field=col)
        present = [c for c in known if c in names]
        with zf.open(info) as fh:
            reader = pacsv.open_csv(
                fh,
                read_options=pacsv.ReadOptions(
                    column_names=names,
                    skip_rows=1,
                    block_size=STREAM_BLOCK_BYTES,
                ),
                parse_options=pacsv.ParseOptions(newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=present,
                    column_types={c: pa.string() for c in present},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            yield from reader
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(f"corrupt zip member ({exc})", file=where) from None
    except RuntimeError as exc:  # encrypted member
        raise InputError(f"cannot read member ({exc})", file=where) from None
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "UTF8" in text or "UTF-8" in text:
            raise InputError("not UTF-8 text", file=where) from None
        raise InputError(f"not valid CSV ({text})", file=where) from None


def _route_shape_pairs(batch):
    """Distinct (route_id, shape_id) pairs of a batch of trips.txt rows."""
    if "shape_id" not in batch.schema.names:
        return pd.DataFrame({"route_id": [], "shape_id": []}, dtype=str)
    table = pa.Table.from_batches([batch]).select(["route_id", "shape_id"])
    return table.group_by(["route_id", "shape_id"]).aggregate([]).to_pandas()


def _header(first_line, where):
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("header is not UTF-8 text", file=where) from None
    fields = next(csv.reader([text]), [])
    if not any(f.strip() for f in fields):
        raise InputError("file is empty or has no header row", file=where)
    return fields


# ------------------------------------------------------------------ value parsing


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
        row, _ = _first_bad(bad, series)
        pos = int(np.flatnonzero(bad)[0])
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


def _stops_table(frame, where, bbox=None):
    """Parse stops.txt; with ``bbox``, keep only the stops of stop places in it.

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
    if bbox is None:
        return stops, skipped
    place_lon, place_lat = _place_coords(stops)
    # A stop place without any coordinates is kept so that it fails as without bbox.
    unplaced = np.isnan(place_lon) | np.isnan(place_lat)
    kept = _inside(place_lon, place_lat, bbox) | unplaced
    _check_in_norway(kept, frame["stop_lat"], lon, lat, where, "stop_lat/stop_lon")
    skipped["stops_skipped"] = int((~kept).sum())
    skipped["stop_places_skipped"] = int((_is_place(stops) & ~kept).sum())
    return stops[kept].reset_index(drop=True), skipped


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


# --------------------------------------------------------------------- services


def _active_services(calendar, calendar_dates, day):
    """Service ids running on ``day`` (calendar weekdays plus/minus exceptions)."""
    stamp = pd.Timestamp(day)
    active = set()
    if calendar is not None:
        on = (
            calendar[WEEKDAYS[day.weekday()]]
            & (calendar["start"] <= stamp)
            & (calendar["end"] >= stamp)
        )
        active.update(calendar.loc[on, "service_id"])
    if calendar_dates is not None:
        today = calendar_dates[calendar_dates["date"] == stamp]
        active.update(today.loc[today["added"], "service_id"])
        active.difference_update(today.loc[~today["added"], "service_id"])
    return active


def _active_trips(trips, calendar, calendar_dates, day):
    """Boolean Series over ``trips``: does the trip run on ``day``."""
    return trips["service_id"].isin(_active_services(calendar, calendar_dates, day))


def _feed_period(calendar, calendar_dates):
    starts, ends = [], []
    if calendar is not None and not calendar.empty:
        starts.append(calendar["start"].min())
        ends.append(calendar["end"].max())
    if calendar_dates is not None and not calendar_dates.empty:
        starts.append(calendar_dates["date"].min())
        ends.append(calendar_dates["date"].max())
    if not starts:
        return None
    return min(starts).date(), max(ends).date()


def _reference_date(date, calendar, calendar_dates, trips, zip_name):
    period = _feed_period(calendar, calendar_dates)
    span = "no dates" if period is None else f"{period[0]} to {period[1]}"
    if date is not None:
        day = _as_date(date)
        if not _active_trips(trips, calendar, calendar_dates, day).any():
            raise InputError(
                f"no trip runs on {day.isoformat()} ({day:%A}); the feed's calendar "
                f"covers {span}. Choose a date with service.",
                file=zip_name,
                field="date",
            )
        return day
    if period is not None:
        start, end = period
        day = start + dt.timedelta(days=(TUESDAY - start.weekday()) % 7)
        while day <= end:
            if _active_trips(trips, calendar, calendar_dates, day).any():
                return day
            day += dt.timedelta(days=7)
    raise InputError(
        f"no trip runs on any Tuesday of the feed's calendar ({span}); "
        "pass a reference date",
        file=zip_name,
        field="date",
    )


def _as_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(
            f"expected a date YYYY-MM-DD, got {value!r}", field="date"
        ) from None


# ----------------------------------------------------------------- stop places


def _place_positions(stops):
    """Row position, in ``stops``, of each stop's stop place (parent, else itself)."""
    parent = stops["parent_station"]
    parent_pos = pd.Index(stops["stop_id"]).get_indexer(parent)
    own = np.arange(len(stops))
    return np.where((parent != "").to_numpy() & (parent_pos >= 0), parent_pos, own)


def _stop_places(stops, where):
    """Stop places with their coordinates (mean of the quays where missing).

    Returns
    -------
    pandas.DataFrame
        ``pos`` (row position in ``stops``), ``stop_id``, ``name``, ``lon``,
        ``lat``.
    """
    is_place = (stops["location_type"] == 1) | (
        (stops["location_type"] == 0) & (stops["parent_station"] == "")
    )
    places = stops.loc[is_place, ["stop_id", "name", "lon", "lat", "row"]]
    quays = stops[(stops["location_type"] == 0) & (stops["parent_station"] != "")]
    quay_mean = quays.groupby("parent_station")[["lon", "lat"]].mean()
    fallback = quay_mean.reindex(places["stop_id"].to_numpy())
    lon = places["lon"].fillna(pd.Series(fallback["lon"].to_numpy(), places.index))
    lat = places["lat"].fillna(pd.Series(fallback["lat"].to_numpy(), places.index))
    missing = lon.isna() | lat.isna()
    if missing.any():
        rows = places["row"].to_numpy()[missing.to_numpy()]
        raise InputError(
            "stop place has no coordinates and none of its quays has any",
            file=where,
            row=int(rows[0]),
            field="stop_lat",
        )
    places = places.assign(pos=places.index.to_numpy(), lon=lon, lat=lat)
    return places.reset_index(drop=True)


def _stop_place_figures(stop_times, active, trips, stops, routes):
    """Departures and lines per stop place on the reference date.

    Works on integer row positions only, so millions of stop times are cheap.

    Parameters
    ----------
    stop_times : pandas.DataFrame
        Parsed stop times (``trip_pos``, ``stop_pos``, ``time_s``, ``boards``,
        ``alights``).
    active : numpy.ndarray of bool
        Per row of ``trips``: does the trip run on the reference date.
    trips, stops, routes : pandas.DataFrame
        Parsed trips (with ``route_pos``), stops and routes.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``stops`` (zeros and "" where nothing is served):
        ``departures_day``, ``departures_peak_hour`` and ``lines``.
    """
    trip_pos = stop_times["trip_pos"].to_numpy()
    keep = active[trip_pos]
    trip_pos = trip_pos[keep]
    place = _place_positions(stops)[stop_times["stop_pos"].to_numpy()[keep]]
    boards = stop_times["boards"].to_numpy()[keep]
    alights = stop_times["alights"].to_numpy()[keep]
    time_s = stop_times["time_s"].to_numpy()[keep]
    peak = boards & (time_s >= PEAK_START_S) & (time_s < PEAK_END_S)
    n = len(stops)
    route_rank, names = _line_ranks(routes)
    rank = route_rank[trips["route_pos"].to_numpy()[trip_pos]]
    served = boards | alights
    width = max(len(names), 1)
    pairs = np.sort(pd.unique(place[served].astype("int64") * width + rank[served]))
    departures = np.bincount(place, weights=boards, minlength=n)
    return pd.DataFrame(
        {
            "departures_day": departures.astype("int64"),
            "departures_peak_hour": np.bincount(place, weights=peak, minlength=n)
            / PEAK_HOURS,
            "lines": _join_lines(pairs // width, names[pairs % width], n),
        }
    )


def _line_ranks(routes):
    """Rank each route's line name in display order.

    Returns
    -------
    rank : numpy.ndarray of int
        Per row of ``routes``, the position of its line name in ``names``.
    names : numpy.ndarray of str
        Distinct line names in display order (numeric prefixes numerically).
    """
    codes, uniques = pd.factorize(routes["line_name"].to_numpy(dtype=object))
    order = sorted(range(len(uniques)), key=lambda i: _line_sort_key(uniques[i]))
    position = np.empty(len(order), dtype="int64")
    position[order] = np.arange(len(order))
    names = np.asarray(uniques, dtype=object)[np.asarray(order, dtype="int64")]
    return position[codes], names


def _line_sort_key(name):
    match = re.match(r"^(\d+)(.*)$", name)
    if match:
        return (0, int(match.group(1)), match.group(2))
    return (1, 0, name)


def _join_lines(places, names, n):
    """Join line names per place.

    Parameters
    ----------
    places : numpy.ndarray of int
        Place positions, sorted, with the names of each place in display order.
    names : numpy.ndarray of str
        Line names aligned with ``places``.
    n : int
        Number of places.

    Returns
    -------
    numpy.ndarray of str
        Per place position, the names joined with ``,`` ("" for none).
    """
    out = np.full(n, "", dtype=object)
    if len(places) == 0:
        return out
    starts = np.flatnonzero(np.r_[True, places[1:] != places[:-1]])
    ends = np.r_[starts[1:], len(places)]
    for start, end in zip(starts, ends, strict=True):
        out[places[start]] = ",".join(names[start:end])
    return out


def _stops_layer(places, figures, zip_name):
    fig = figures.iloc[places["pos"].to_numpy()]
    gdf = gpd.GeoDataFrame(
        {
            "stop_id": places["stop_id"].to_numpy(),
            "name": places["name"].to_numpy(),
            "lines": fig["lines"].to_numpy(),
            "departures_peak_hour": fig["departures_peak_hour"].to_numpy(),
            "departures_day": fig["departures_day"].to_numpy(),
        },
        geometry=gpd.points_from_xy(places["lon"], places["lat"]),
        crs=CRS,
    )
    return conform("transit_stops", gdf, source=_where(zip_name, "stops.txt"))


# ------------------------------------------------------------------------ lines


def _shape_lines(shapes):
    """Series shape_id -> LineString, for shapes with at least two points."""
    points = shapes.sort_values(["shape_id", "seq"], kind="stable")
    sizes = points["shape_id"].map(points["shape_id"].value_counts())
    points = points[sizes.to_numpy() >= 2]
    codes, ids = pd.factorize(points["shape_id"])
    coords = np.column_stack([points["lon"].to_numpy(), points["lat"].to_numpy()])
    geoms = shapely.linestrings(coords, indices=codes)
    return pd.Series(geoms, index=pd.Index(ids, dtype=str), dtype=object)


def _merge_lines(geoms):
    """Combine a route's shapes: one LineString, or a MultiLineString of several.

    Identical shapes are kept once. Shapes are not noded or dissolved: variants
    overlap, and a union of thousands of near-identical vertices is slow and
    gives nothing a map needs.
    """
    distinct = list({shapely.to_wkb(g): g for g in geoms}.values())
    if len(distinct) == 1:
        return distinct[0]
    return shapely.MultiLineString(distinct)


def _lines_layer(routes, route_shapes, shapes, zip_name):
    """The line layer from ``route_shapes``, the (route_id, shape_id) of trips."""
    if shapes is None or shapes.empty or route_shapes is None:
        return empty_layer("transit_lines")
    shape_geom = _shape_lines(shapes)
    used = route_shapes.loc[
        route_shapes["shape_id"].isin(shape_geom.index), ["route_id", "shape_id"]
    ]
    route_shapes = used.drop_duplicates()
    geom_of_route = route_shapes.groupby("route_id")["shape_id"].agg(
        lambda ids: _merge_lines(shape_geom[ids.to_numpy()].to_numpy())
    )
    kept = routes[routes["route_id"].isin(geom_of_route.index)]
    if kept.empty:
        return empty_layer("transit_lines")
    gdf = gpd.GeoDataFrame(
        kept[["route_id", "short_name", "long_name", "route_type", "color"]],
        geometry=list(geom_of_route[kept["route_id"].to_numpy()].to_numpy()),
        crs=CRS,
    )
    return conform("transit_lines", gdf, source=_where(zip_name, "shapes.txt"))
