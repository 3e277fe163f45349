"""Travel-time reach: range RAPTOR against a plain Dijkstra, and the timetable
kept in the store (figures, CLI, dashboard API: test_reach_figures.py)."""

import datetime as dt

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer

from layers import reach, timetable
from layers.sources.gtfs import read_gtfs
from layers.store import GeoPackageStore
from tests import reach_fixtures as fx

TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
SP = "NSR:StopPlace:"


def _timetable(tmp_path, tables, name="feed.zip"):
    return read_gtfs(fx.write(tmp_path / name, tables), date=fx.DAY).timetable


def _engine(tt, origin, start, end, max_s, **params):
    p = reach.ReachParams(**params)
    if origin[0] == "stop":
        where = reach.origin_from_stop(tt, SP + origin[1], p)
    else:
        lon, lat = TO_LONLAT.transform(origin[1], origin[2])
        where = reach.origin_at(tt, lon, lat, p)
    times = reach.travel_times(
        tt, where, day=fx.DAY, window_s=(start, end), max_s=max_s, params=p
    )
    ids = tt.places["stop_id"].str.removeprefix(SP).tolist()
    return {ids[i]: times.seconds[:, i].tolist() for i in range(len(ids))}


def _oracle(tables, origin, start, end, max_s, **params):
    oracle = fx.Oracle(tables, fx.DAY, **params)
    if origin[0] == "stop":
        origin = ("stop", SP + origin[1])
    got = oracle.travel_times(origin, start, end, max_s)
    return {k.removeprefix(SP): v for k, v in got.items()}


def _scenario(tmp_path, start="07:00", end="07:10", max_s=3600, **params):
    tables = fx.scenario_tables()
    tt = _timetable(tmp_path, tables)
    window = reach.parse_window(f"{start}-{end}")
    return _engine(tt, ("stop", "1"), *window, max_s, **params), (tables, window)


def test_scenario_matches_the_oracle(tmp_path):
    """Every place, every minute: RAPTOR equals the Dijkstra on the scenario feed."""
    tables = fx.scenario_tables()
    tt = _timetable(tmp_path, tables)
    for key in fx.SCENARIO_PLACES:
        origin = ("stop", key)
        window = (7 * 3600 - 600, 7 * 3600 + 1200)
        assert _engine(tt, origin, *window, 3600) == _oracle(
            tables, origin, *window, 3600
        ), key


def test_overtaking_trip_is_taken(tmp_path):
    """From A at 07:00 the express leaving at 07:05 reaches C at 07:15, not 07:40."""
    got, _ = _scenario(tmp_path, end="07:01")
    assert got["3"] == [15 * 60]


def test_transfer_at_the_same_place_and_on_foot(tmp_path):
    """C → D by L2 (same place) and C2 → E by L3 (walk) after the express."""
    got, _ = _scenario(tmp_path, end="07:01")
    assert got["5"] == [30 * 60]
    assert got["6"] == [29 * 60]


def test_min_transfer_time_is_respected(tmp_path):
    """With 6 minutes to change, L2 (5 min after the express) is missed."""
    got, _ = _scenario(tmp_path, end="07:01", min_transfer_s=360)
    assert got["5"] == [fx.UNREACHED]


def test_max_rides_limits_the_transfers(tmp_path):
    """With one ride, D (express then L2) is out of reach."""
    got, _ = _scenario(tmp_path, end="07:01", max_rides=1)
    assert got["5"] == [fx.UNREACHED]
    assert got["3"] == [15 * 60]


def test_trip_of_the_day_before_past_midnight_runs(tmp_path):
    """Monday's 31:02 departure is Tuesday 07:02: F at 07:12 from 07:00 to 07:02."""
    got, _ = _scenario(tmp_path, end="07:04")
    assert got["7"][:3] == [12 * 60, 11 * 60, 10 * 60]


def test_wednesday_morning_trip_is_not_tuesdays(tmp_path):
    """Tuesday's 31:03 trip (to E) is Wednesday's: E only via the express."""
    got, _ = _scenario(tmp_path, end="07:01")
    assert got["6"] == [29 * 60]


def test_service_removed_by_calendar_dates_does_not_run(tmp_path):
    """REMOVED (A 07:01 → F 07:05) is off on 9 January: F is not at 07:05."""
    got, _ = _scenario(tmp_path, end="07:01")
    assert got["7"] == [12 * 60]


def test_stop_without_pickup_is_not_boarded(tmp_path):
    """NOPICK leaves A with pickup_type=1: it is not taken to F at 07:03."""
    got, _ = _scenario(tmp_path, start="07:00", end="07:01")
    assert got["7"][0] != 3 * 60


def test_origin_stop_place_is_reached_at_once(tmp_path):
    """The origin stop place itself: 0 minutes at every departure minute."""
    got, _ = _scenario(tmp_path)
    assert got["1"] == [0] * 10


def test_median_differs_from_the_best(tmp_path):
    """F: 10 min at best (07:02) but unreached for most minutes, so not listed."""
    tables = fx.scenario_tables()
    tt = _timetable(tmp_path, tables)
    p = reach.ReachParams()
    times = reach.travel_times(
        tt,
        reach.origin_from_stop(tt, SP + "1", p),
        day=fx.DAY,
        window_s=reach.parse_window("07:00-07:10"),
        max_s=3600,
        params=p,
    )
    f = int(np.flatnonzero(tt.places["stop_id"] == SP + "7")[0])
    assert times.seconds[:, f].min() == 10 * 60
    assert times.percentile(50)[f] == reach.UNREACHED
    listed = reach.stops_frame(tt, times)["stop_id"].tolist()
    assert SP + "7" not in listed and SP + "3" in listed


@pytest.mark.parametrize("seed", range(6))
def test_random_feeds_match_the_oracle(tmp_path, seed):
    """Random feeds (overtaking, exceptions, past midnight, no-pickup stops)."""
    tables = fx.random_tables(seed)
    tt = _timetable(tmp_path, tables)
    rides = 1 + seed % 4
    window = (7 * 3600, 7 * 3600 + 40 * 60)
    origins = [("stop", k) for k in ("1", "2", "3")]
    xy = TO_METRIC.transform(10.92, fx.LAT + 0.01)
    origins.append(("point", *xy))
    for origin in origins:
        got = _engine(tt, origin, *window, 2700, max_rides=rides)
        want = _oracle(tables, origin, *window, 2700, max_rides=rides)
        assert got == want, origin


def test_random_feed_with_long_walks_matches_the_oracle(tmp_path):
    """With 2 km walks more transfers are on foot; still equal to the oracle."""
    tables = fx.random_tables(11)
    tt = _timetable(tmp_path, tables)
    window = (7 * 3600, 7 * 3600 + 30 * 60)
    for key in ("1", "4"):
        got = _engine(tt, ("stop", key), *window, 3600, max_walk_m=2000.0)
        want = _oracle(tables, ("stop", key), *window, 3600, max_walk_m=2000.0)
        assert got == want


# ------------------------------------------------------------- timetable


def test_timetable_survives_the_store(tmp_path):
    """The timetable read back from the store routes exactly as the one imported."""
    tables = fx.random_tables(3)
    tt = _timetable(tmp_path, tables)
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers(timetable.to_tables(tt, reference_date=fx.DAY.isoformat()))
    back = timetable.load_timetable(store)
    assert back.info["reference_date"] == "2024-01-09"
    window = (7 * 3600, 7 * 3600 + 20 * 60)
    assert _engine(back, ("stop", "2"), *window, 2700) == _engine(
        tt, ("stop", "2"), *window, 2700
    )


def test_timetable_keeps_exceptions_per_day(tmp_path):
    """calendar_dates is resolved: GONE is off on the 9th, on the 10th."""
    tt = _timetable(tmp_path, fx.random_tables(0))
    gone = list(tt.service_ids).index("GONE")
    assert not tt.services_on(fx.DAY)[gone]
    assert tt.services_on(fx.DAY + dt.timedelta(days=1))[gone]


def test_store_without_timetable_names_the_fix(tmp_path):
    """A store without timetable tables gives a StoreError saying to re-import."""
    from layers.errors import StoreError

    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers({"other_table": (gpd.pd.DataFrame({"a": [1]}), {})})
    with pytest.raises(StoreError, match="import the GTFS feed again"):
        reach.store_timetable(store)


def test_trips_with_one_kept_stop_leave_an_empty_timetable(tmp_path):
    """Trips with a single stop time are left out and counted; no day has service."""
    from layers.errors import InputError

    tables = fx.scenario_tables()
    rows, seen = [tables["stop_times.txt"][0]], set()
    for row in tables["stop_times.txt"][1:]:
        if row.split(",")[0] not in seen:
            seen.add(row.split(",")[0])
            rows.append(row)
    tables["stop_times.txt"] = rows
    tt = _timetable(tmp_path, tables)
    back = timetable.from_tables(
        {k: v for k, (v, _) in timetable.to_tables(tt).items()}
    )
    assert (back.info["trips"], back.info["trips_short"]) == (0, 8)
    with pytest.raises(InputError, match="no trip runs"):
        reach._check_day(back, fx.DAY)
