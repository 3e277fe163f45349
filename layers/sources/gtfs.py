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

import dataclasses
import datetime as dt
import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.errors import InputError
from layers.schemas import CRS, conform, empty_layer
from layers.sources.gtfs_services import (
    _active_trips,
    _reference_date,
)
from layers.sources.gtfs_tables import (
    _calendar_dates_table,
    _calendar_table,
    _check_bbox,
    _feed_info,
    _place_positions,
    _routes_table,
    _service_ids,
    _shapes_table,
    _stop_times_table,
    _stops_table,
    _trips_table,
)
from layers.sources.gtfs_zip import (
    COLUMNS,
    MAX_UNPACKED_BYTES,
    MAX_UNPACKED_BYTES_BBOX,
    _check_required_files,
    _check_unpacked_size,
    _member_index,
    _open_zip,
    _read_member,
    _read_member_rows,
    _route_shape_pairs,
    _unknown_stop_check,
    _where,
)
from layers.timetable import build_timetable

__all__ = ["COLUMNS", "GtfsResult", "area_transit_figures", "read_gtfs"]

PEAK_START_S = 7 * 3600
PEAK_END_S = 9 * 3600
PEAK_HOURS = 2


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


def read_gtfs(path, *, date=None, bbox=None, max_unpacked_bytes=None, keep_places=()):
    """Read an Entur GTFS zip into the transit stop and line layers.

    Parameters
    ----------
    path : str or os.PathLike
        The GTFS zip file.
    date : datetime.date or str, optional
        Reference (service) date, a date or ``YYYY-MM-DD``. By default the first
        Tuesday on which at least the median number of (kept) trips of the feed's
        weekdays runs, so a holiday week is never the reference.
    bbox : sequence of 4 float, optional
        ``(minx, miny, maxx, maxy)`` in degrees lon/lat. Keep only the stop places
        in it and what serves them, streaming the large members (see the module
        notes). Without it every stop and shape point must lie in Norway.
    max_unpacked_bytes : int, optional
        Largest accepted total uncompressed size of the zip's members; by default
        ``MAX_UNPACKED_BYTES``, or ``MAX_UNPACKED_BYTES_BBOX`` with a ``bbox``.
        Checked, together with each member's compression ratio, before anything
        is read.
    keep_places : iterable of str, optional
        With a ``bbox``: stop place ids kept wherever they lie (hubs such as
        Oslo S, from which travel times into the region are asked for), with
        their quays and the trips calling at them.

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

        stops_frame = read("stops.txt")
        stops, skipped = _stops_table(
            stops_frame, _where(zip_name, "stops.txt"), bbox, keep_places
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
                "stop_times.txt",
                "stop_id",
                stops["stop_id"],
                on_batch=_unknown_stop_check(
                    stops_frame["stop_id"], _where(zip_name, "stop_times.txt")
                ),
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


# ----------------------------------------------------------------- stop places


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
