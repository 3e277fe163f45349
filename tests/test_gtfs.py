"""Tests of the Entur GTFS importer (feeds built in code, see gtfs_fixtures)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from layers.errors import InputError
from layers.schemas import SCHEMAS
from layers.sources import gtfs
from layers.sources.gtfs import area_transit_figures, read_gtfs
from tests.gtfs_fixtures import (
    LORENSKOG_BBOX,
    cross_border_tables,
    feed_tables,
    with_row,
    write_feed,
    write_large_feed,
    write_zip,
)

SP1, SP2, Q30 = "NSR:StopPlace:1", "NSR:StopPlace:2", "NSR:Quay:30"
ST_HEADER = feed_tables()["stop_times.txt"][0]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def feed(tmp_path):
    return write_feed(tmp_path / "feed.zip")


def by_stop(result):
    return result.stops.set_index("stop_id")


def error_of(path, **kwargs):
    with pytest.raises(InputError) as info:
        read_gtfs(path, **kwargs)
    return info.value


def visperud_trip(tmp_path, rows):
    """Feed whose only stop times are trip T1 stopping at Visperud: (time, pickup)."""
    lines = [ST_HEADER] + [
        f"T1,{arr},{dep},{Q30},{i},{pickup},0,"
        for i, (arr, dep, pickup) in enumerate(rows, start=1)
    ]
    path = write_feed(tmp_path / "feed.zip", replace={"stop_times.txt": lines})
    return by_stop(read_gtfs(path, date="2024-01-09")).loc[Q30]


# ------------------------------------------------------------- reference date


def test_default_reference_date_is_first_tuesday_with_service(feed):
    """Tuesday 2 January is removed, so the default is Tuesday 9 January."""
    assert read_gtfs(feed).reference_date == dt.date(2024, 1, 9)


def test_reference_date_accepts_iso_string(feed):
    """A 'YYYY-MM-DD' date is used as the reference date."""
    assert read_gtfs(feed, date="2024-01-10").reference_date == dt.date(2024, 1, 10)


def test_date_without_service_raises(feed):
    """A date on which nothing runs is refused with an explanation."""
    err = error_of(feed, date=dt.date(2024, 1, 2))
    assert "no trip runs on 2024-01-02" in err.message
    assert err.field == "date"


def test_feed_with_only_calendar_dates_works(tmp_path):
    """calendar.txt is optional; calendar_dates.txt alone defines service."""
    dates = ["service_id,date,exception_type", "WK,20240110,1", "EXTRA,20240109,1"]
    path = write_feed(
        tmp_path / "feed.zip",
        drop=("calendar.txt",),
        replace={"calendar_dates.txt": dates},
    )
    result = read_gtfs(path)
    assert result.reference_date == dt.date(2024, 1, 9)
    assert by_stop(result).loc[SP2, "departures_day"] == 1


# ----------------------------------------------------------------- departures


def test_peak_window_is_0700_inclusive_to_0900_exclusive(tmp_path):
    """06:59:59 and 09:00:00 are outside, 07:00:00 and 08:59:59 inside."""
    times = ["06:59:59", "07:00:00", "08:59:59", "09:00:00"]
    stop = visperud_trip(tmp_path, [(t, t, 0) for t in times])
    assert stop["departures_peak_hour"] == 1.0


def test_no_pickup_stop_time_is_not_a_departure(tmp_path):
    """pickup_type 1 (drop-off only) counts neither in the peak nor the day."""
    stop = visperud_trip(tmp_path, [("07:30:00", "07:30:00", 1)])
    assert (stop["departures_peak_hour"], stop["departures_day"]) == (0.0, 0)


def test_times_after_midnight_are_not_peak(tmp_path):
    """25:10:00 and 31:30:00 belong to the service day but lie past its peak."""
    stop = visperud_trip(tmp_path, [(t, t, "") for t in ("25:10:00", "31:30:00")])
    assert (stop["departures_peak_hour"], stop["departures_day"]) == (0.0, 2)


def test_peak_falls_back_to_arrival_time(tmp_path):
    """A stop time without departure_time is counted by its arrival_time."""
    stop = visperud_trip(tmp_path, [("08:30:00", "", 0)])
    assert stop["departures_peak_hour"] == 0.5


def test_departures_per_stop_place(feed):
    """Peak and day departures of the standard feed on 9 January."""
    stops = by_stop(read_gtfs(feed))
    assert stops["departures_peak_hour"].to_dict() == {SP1: 0.5, SP2: 1.0, Q30: 0.5}
    assert stops["departures_day"].to_dict() == {SP1: 3, SP2: 3, Q30: 2}


def test_stop_place_without_service_is_kept_with_zeros(feed):
    """On Saturday 13 January only the metro runs; Visperud stays, at zero."""
    stop = by_stop(read_gtfs(feed, date="2024-01-13")).loc[Q30]
    assert (stop["departures_day"], stop["departures_peak_hour"]) == (0, 0.0)
    assert stop["lines"] == ""


# ---------------------------------------------------------------- stop places


def test_quays_are_rolled_into_their_stop_place(feed):
    """One row per stop place: stations and the standalone stop, no quays."""
    assert sorted(read_gtfs(feed).stops["stop_id"]) == [Q30, SP1, SP2]


def test_stop_place_lies_at_parent_station(feed):
    """The stop place point is the station's coordinates, not its quays'."""
    geom = by_stop(read_gtfs(feed)).geometry[SP1]
    assert geom.equals(Point(10.9550, 59.9280))


def test_station_without_coordinates_lies_at_mean_of_quays(tmp_path):
    """A station row with empty coordinates is placed at the mean of its quays."""
    row = "NSR:StopPlace:1,Lørenskog stasjon,,,,1,,0,,"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("stops.txt", 1, row))
    geom = by_stop(read_gtfs(path)).geometry[SP1]
    assert geom.distance(Point(10.9550, 59.9280)) < 1e-9


def test_lines_per_stop_place(feed):
    """Lines include drop-off-only routes and fall back to route_id."""
    lines = by_stop(read_gtfs(feed))["lines"].to_dict()
    assert lines == {SP1: "2,25,RUT:Line:L1", SP2: "2,25", Q30: "25,RUT:Line:L1"}


def test_lines_sorted_numerically(tmp_path):
    """Line names starting with digits sort by number: 2, 25, 100."""
    row = "RUT,RUT:Line:L1,100,Kjeller - Oslo bussterminal,704,,"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("routes.txt", 3, row))
    assert by_stop(read_gtfs(path)).loc[SP1, "lines"] == "2,25,100"


def test_stops_conform_to_schema(feed):
    """The stops layer has the transit_stops columns, a geometry and EPSG:4326."""
    stops = read_gtfs(feed).stops
    assert list(stops.columns) == [*SCHEMAS["transit_stops"], "geometry"]
    assert stops.crs == "EPSG:4326"


def test_area_transit_figures_counts_lines_once(feed):
    """Lines serving both stations are counted once for the area."""
    stops = read_gtfs(feed).stops
    figures = area_transit_figures(stops[stops["stop_id"].isin([SP1, SP2])])
    assert figures == {"stops": 2, "lines": 3, "departures_peak_hour": 1.5}


def test_area_transit_figures_of_empty_area():
    """An area without stops has zero figures."""
    empty = gpd.GeoDataFrame({"lines": [], "departures_peak_hour": []})
    assert area_transit_figures(empty) == {
        "stops": 0,
        "lines": 0,
        "departures_peak_hour": 0.0,
    }


# ---------------------------------------------------------------------- lines


def test_lines_layer_has_routes_with_shapes_only(feed):
    """Only the bus route has shapes; the metro and the rail route are left out."""
    lines = read_gtfs(feed).lines
    assert lines[["route_id", "route_type", "color"]].values.tolist() == [
        ["RUT:Line:25", 704, "#E60000"]
    ]


def test_route_shapes_are_merged(feed):
    """The route's geometry covers both of its shapes."""
    geom = read_gtfs(feed).lines.geometry.iloc[0]
    assert geom.bounds == pytest.approx((10.90, 59.92, 10.98, 59.94))


def test_extended_route_types_accepted(tmp_path):
    """Entur's extended route types (here 1008 ferry) are accepted."""
    row = "RUT,RUT:Line:25,25,Ferge,1008,,"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("routes.txt", 2, row))
    assert read_gtfs(path).lines["route_type"].tolist() == [1008]


def test_extra_columns_bom_and_quoted_fields_tolerated(tmp_path):
    """A BOM, unknown columns and quoted fields with commas are read."""
    tables = feed_tables()
    tables["stops.txt"] = [h + ",extra" for h in tables["stops.txt"]]
    tables["stops.txt"][1] = (
        '"NSR:StopPlace:1","Lørenskog, stasjon",59.928,10.955,,1,,0,,,"x,y"'
    )
    path = write_zip(tmp_path / "feed.zip", tables, bom=("stops.txt", "trips.txt"))
    assert by_stop(read_gtfs(path)).loc[SP1, "name"] == "Lørenskog, stasjon"


def test_feed_info_is_returned(feed):
    """Publisher, version and period come from feed_info.txt."""
    info = read_gtfs(feed).feed_info
    assert (info["publisher"], info["version"]) == ("Entur", "20240101-v1")
    assert (info["start"], info["end"]) == ("2024-01-01", "2024-01-31")


# --------------------------------------------------------------------- errors


def test_not_a_zip_raises(tmp_path):
    """A text file is refused, naming it."""
    path = tmp_path / "feed.zip"
    path.write_text("stop_id,stop_name\n")
    err = error_of(path)
    assert (err.file, "not a zip" in err.message) == ("feed.zip", True)


def test_truncated_zip_raises(feed):
    """A zip cut short is refused as corrupt."""
    feed.write_bytes(feed.read_bytes()[:200])
    assert error_of(feed).file == "feed.zip"


def test_missing_required_file_raises(tmp_path):
    """A feed without stops.txt is refused, naming the missing file."""
    err = error_of(write_feed(tmp_path / "feed.zip", drop=("stops.txt",)))
    assert "lacks stops.txt" in err.message


def test_missing_calendars_raises(tmp_path):
    """A feed with neither calendar.txt nor calendar_dates.txt is refused."""
    drop = ("calendar.txt", "calendar_dates.txt")
    err = error_of(write_feed(tmp_path / "feed.zip", drop=drop))
    assert "calendar.txt and calendar_dates.txt" in err.message


def test_missing_required_column_raises(tmp_path):
    """stops.txt without stop_lat names the member and the column."""
    lines = [
        ",".join(v for i, v in enumerate(r.split(",")) if i != 2)
        for r in feed_tables()["stops.txt"]
    ]
    path = write_feed(tmp_path / "feed.zip", replace={"stops.txt": lines})
    err = error_of(path)
    assert (err.file, err.field) == ("feed.zip/stops.txt", "stop_lat")


def test_bad_time_format_raises(tmp_path):
    """A malformed departure time names the member, row and field."""
    row = "T1,07:00:00,7h00,NSR:Quay:21,2,,,"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("stop_times.txt", 2, row))
    err = error_of(path)
    assert (err.file, err.row, err.field) == (
        "feed.zip/stop_times.txt",
        2,
        "departure_time",
    )


def test_swapped_coordinates_raise(tmp_path):
    """A stop with lat and lon exchanged is refused as swapped."""
    row = "NSR:Quay:12,Lørenskog stasjon,10.9540,59.9270,,0,NSR:StopPlace:1,1,,2"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("stops.txt", 3, row))
    err = error_of(path)
    assert (err.file, err.row, err.field) == (
        "feed.zip/stops.txt",
        3,
        "stop_lat/stop_lon",
    )
    assert "swapped" in err.message


def test_coordinates_outside_norway_raise(tmp_path):
    """A stop in Paris is refused as outside Norway."""
    row = "NSR:Quay:11,Paris,48.85,2.35,,0,NSR:StopPlace:1,1,,1"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("stops.txt", 2, row))
    err = error_of(path)
    assert (err.row, "outside Norway" in err.message) == (2, True)


def test_trip_with_unknown_route_raises(tmp_path):
    """A trip whose route is not in routes.txt names the trips.txt row."""
    row = "RUT:Line:99,WK,T2,Lørenskog,0,S25b"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("trips.txt", 2, row))
    err = error_of(path)
    assert (err.file, err.row, err.field) == ("feed.zip/trips.txt", 2, "route_id")


def test_trip_with_unknown_service_raises(tmp_path):
    """A trip whose service is in neither calendar file names the row."""
    row = "RUT:Line:2,NOPE,T3,Ellingsrudåsen,1,"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("trips.txt", 3, row))
    err = error_of(path)
    assert (err.row, err.field) == (3, "service_id")


def test_route_type_out_of_range_raises(tmp_path):
    """A route type above 1700 is refused."""
    row = "RUT,RUT:Line:2,2,Østerås - Ellingsrudåsen,1701,,"
    path = write_feed(tmp_path / "feed.zip", replace=with_row("routes.txt", 1, row))
    err = error_of(path)
    assert (err.file, err.row, err.field) == ("feed.zip/routes.txt", 1, "route_type")


def test_unpacked_size_limit_raises(feed):
    """A feed larger unpacked than max_unpacked_bytes is refused."""
    err = error_of(feed, max_unpacked_bytes=100)
    assert "zip bomb" in err.message


def test_high_compression_ratio_raises_before_reading(tmp_path):
    """A member compressing 1000:1 is refused before required files are checked."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("stop_times.txt", b"0" * 5_000_000)
    err = error_of(path)
    assert (err.file, "zip bomb" in err.message) == ("bomb.zip/stop_times.txt", True)


# ------------------------------------------------------------- regional (bbox)


@pytest.fixture
def cross_border(tmp_path):
    return write_zip(tmp_path / "national.zip", cross_border_tables())


def cross_border_with(tmp_path, member, index, row):
    """The cross-border feed with data row ``index`` of ``member`` replaced."""
    tables = cross_border_tables()
    tables[member][index] = row
    return write_zip(tmp_path / "national.zip", tables)


def test_bbox_skips_stops_abroad_and_counts_them(cross_border):
    """Stockholm, Kiel and a swapped stop lie outside the bbox: skipped, counted."""
    result = read_gtfs(cross_border, bbox=LORENSKOG_BBOX)
    assert sorted(result.stops["stop_id"]) == [Q30, SP1, SP2]
    report = result.report
    assert (report["stops_rows"], report["stops_skipped"]) == (11, 4)
    assert report["stop_places_skipped"] == 3


def test_bbox_keeps_named_hubs_outside_it(cross_border):
    """A hub named in ``keep_places`` is kept with its quays and the trips
    calling there, though it lies outside the box (Oslo S for Lørenskog)."""
    result = read_gtfs(
        cross_border, bbox=LORENSKOG_BBOX, keep_places=("NSR:StopPlace:90",)
    )
    stops = result.stops.set_index("stop_id")
    assert "RE11" in stops.loc["NSR:StopPlace:90", "lines"]
    assert result.report["stop_places_skipped"] == 2  # Kiel and the swapped stop
    tt = result.timetable
    assert "NSR:StopPlace:90" in set(tt.places["stop_id"])
    assert _calls(tt, "T5") == 2  # Lørenskog stasjon, then Stockholm C
    plain = read_gtfs(cross_border, bbox=LORENSKOG_BBOX)
    assert "NSR:StopPlace:90" not in set(plain.stops["stop_id"])
    assert _calls(plain.timetable, "T5") < 2


def _calls(tt, trip_id):
    """How many calls of a trip the timetable keeps (0: not kept)."""
    ids = list(tt.trip_ids)
    if trip_id not in ids:
        return 0
    k = ids.index(trip_id)
    return int(tt.trip_start[k + 1] - tt.trip_start[k])


@pytest.mark.parametrize(
    ("index", "message"), [(10, "swapped"), (11, "outside Norway")]
)
def test_without_bbox_stops_abroad_raise(tmp_path, index, message):
    """Without a bbox the swapped stop and Kiel are refused as before."""
    tables = cross_border_tables()
    rows = tables["stops.txt"]
    tables["stops.txt"] = rows[:8] + [rows[index]]
    err = error_of(write_zip(tmp_path / "national.zip", tables))
    assert (err.file, err.row, message in err.message) == (
        "national.zip/stops.txt",
        8,
        True,
    )


def test_bbox_stop_times_of_skipped_stops_do_not_count(cross_border):
    """Only the stop times at Lørenskog's stops are kept and counted."""
    result = read_gtfs(cross_border, bbox=LORENSKOG_BBOX)
    stops = by_stop(result)
    assert stops["departures_day"].to_dict() == {SP1: 4, SP2: 3, Q30: 3}
    assert stops["departures_peak_hour"].to_dict() == {SP1: 1.0, SP2: 1.0, Q30: 1.0}
    assert stops.loc[Q30, "lines"] == "25,K1,RUT:Line:L1"
    report = result.report
    assert (report["stop_times"], report["stop_times_skipped"]) == (11, 6)
    assert report["departures_on_date"] == 10


def test_bbox_keeps_routes_and_trips_serving_the_region(cross_border):
    """SJ only stops abroad and is left out; trip T8 of a kept route is not kept."""
    result = read_gtfs(cross_border, bbox=LORENSKOG_BBOX)
    assert sorted(result.lines["route_id"]) == [
        "RUT:Line:25",
        "RUT:Line:K1",
        "VY:Line:RE11",
    ]
    assert (result.report["routes"], result.report["trips"]) == (5, 6)


def test_bbox_keeps_whole_shapes_of_kept_routes(cross_border):
    """Shapes reach beyond the bbox, from any trip of a kept route; points outside
    Norway are dropped."""
    result = read_gtfs(cross_border, bbox=LORENSKOG_BBOX)
    geoms = result.lines.set_index("route_id").geometry
    rail = geoms["VY:Line:RE11"]
    assert (rail.geom_type, len(rail.geoms)) == ("MultiLineString", 2)
    assert rail.bounds[2] == pytest.approx(18.0001)
    assert geoms["RUT:Line:K1"].bounds == pytest.approx((10.5, 58.0, 10.98, 59.92))
    assert result.report["shape_points_skipped"] == 2


def test_bbox_malformed_coordinate_outside_still_raises(tmp_path):
    """A stop abroad is not checked against Norway, but must still be a number."""
    row = "NSR:Quay:95,Byttet,abc,59.9300,,0,,0,,"
    path = cross_border_with(tmp_path, "stops.txt", 10, row)
    err = error_of(path, bbox=LORENSKOG_BBOX)
    assert (err.row, err.field) == (10, "stop_lat/stop_lon")


def test_bbox_still_checks_the_stops_it_keeps(tmp_path):
    """A swapped quay of a station in the bbox is refused as without a bbox."""
    row = "NSR:Quay:12,Lørenskog stasjon,10.9540,59.9270,,0,NSR:StopPlace:1,1,,2"
    path = cross_border_with(tmp_path, "stops.txt", 3, row)
    err = error_of(path, bbox=LORENSKOG_BBOX)
    assert (err.row, "swapped" in err.message) == (3, True)


def test_bbox_errors_name_the_row_in_the_file(tmp_path):
    """A bad value in a kept stop time is reported at its row in stop_times.txt."""
    row = "T6,07:15:00,7h15,NSR:Quay:30,1,0,0,"
    path = cross_border_with(tmp_path, "stop_times.txt", 12, row)
    err = error_of(path, bbox=LORENSKOG_BBOX)
    assert (err.file, err.row, err.field) == (
        "national.zip/stop_times.txt",
        12,
        "departure_time",
    )


def test_bbox_does_not_parse_skipped_stop_times(tmp_path):
    """Stop times at skipped stops are passed over unread."""
    row = "T7,7h00,7h00,NSR:Quay:91,1,9,9,"
    path = cross_border_with(tmp_path, "stop_times.txt", 14, row)
    assert read_gtfs(path, bbox=LORENSKOG_BBOX).report["stop_times"] == 11


def test_bbox_covering_the_feed_reads_as_without(feed):
    """A bbox around every stop gives the same layers as the strict read."""
    strict, regional = read_gtfs(feed), read_gtfs(feed, bbox=(10, 59, 12, 61))
    assert regional.stops.equals(strict.stops)
    assert regional.lines.equals(strict.lines)
    assert regional.report == strict.report


def test_bbox_allows_a_larger_unpacked_size(feed, monkeypatch):
    """The zip bomb guard's default limit is higher for a streamed regional read."""
    monkeypatch.setattr(gtfs, "MAX_UNPACKED_BYTES", 100)
    assert "zip bomb" in error_of(feed).message
    assert read_gtfs(feed, bbox=LORENSKOG_BBOX).report["stop_places"] == 3
    monkeypatch.setattr(gtfs, "MAX_UNPACKED_BYTES_BBOX", 100)
    assert "zip bomb" in error_of(feed, bbox=LORENSKOG_BBOX).message


def test_bbox_without_service_raises(feed):
    """A bbox no trip calls in is refused, saying so (not asking for a date)."""
    err = error_of(feed, bbox=(5.0, 60.0, 5.5, 60.5))
    assert (err.field, "no trip calls at a stop in the bbox" in err.message) == (
        "bbox",
        True,
    )


@pytest.mark.parametrize("bbox", [(1, 2, 3), (11, 59, 10, 60), ("a", 0, 1, 1)])
def test_bad_bbox_raises(feed, bbox):
    """A bbox that is not (minx, miny, maxx, maxy) in degrees is refused."""
    assert error_of(feed, bbox=bbox).field == "bbox"


# Peak RSS of the child itself: VmHWM belongs to the address space made at exec,
# whereas getrusage's ru_maxrss keeps the forking parent's (pytest's) high mark.
MEMORY_CHILD = r"""
import json, re, sys
from layers.sources.gtfs import read_gtfs
result = read_gtfs(sys.argv[1], bbox=[float(v) for v in sys.argv[2:6]])
status = open("/proc/self/status").read()
peak_mb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
print(json.dumps({"peak_mb": peak_mb, "report": result.report}))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/status")
@pytest.mark.slow
def test_bbox_read_memory_follows_the_region(tmp_path):
    """3 million stop times, 1 % in the bbox: the read stays under 400 MB peak RSS.

    Measured: about 250 MB, of which 130 MB are the imports; 10 million stop
    times take about 265 MB. Read without a bbox, the 3 million take 740 MB.
    """
    path = tmp_path / "large.zip"
    inside = write_large_feed(path, stop_times=3_000_000)
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(path), *map(str, LORENSKOG_BBOX)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    child = json.loads(done.stdout)
    assert child["report"]["stop_times"] == inside
    assert child["report"]["stop_times_skipped"] == 3_000_000 - inside
    assert child["peak_mb"] < 400


def test_import_gtfs_limits_the_feed_to_the_municipality(default_store, cross_border):
    """`import gtfs` reads only the stops within about 3 km of Lørenskog."""
    from layers.cli_imports import import_gtfs
    from layers.store import open_store

    store = open_store(default_store)
    layers = import_gtfs(argparse.Namespace(file=cross_border, date=None), store)
    stops, meta = layers["transit_stops"]
    assert sorted(stops["stop_id"]) == [Q30, SP1, SP2]
    inner = store.read_layer("boundary").to_crs(4326).total_bounds
    # 3 km is 0.027° of latitude and 0.054° of longitude at 60° N
    margin = [-0.054, -0.027, 0.054, 0.027]
    expected = [b + m for b, m in zip(inner, margin, strict=True)]
    assert meta["details"]["bbox"] == pytest.approx(expected, abs=0.004)
    assert meta["details"]["report"]["stops_skipped"] == 4
