"""Travel-time reach: figures on a line with known answers, the CLI contract,
the dashboard's cached API (the algorithm against the oracle: test_reach.py)."""

import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from layers import reach, timetable
from layers.cli import main
from layers.sources.gtfs import read_gtfs
from layers.store import GeoPackageStore
from tests import reach_fixtures as fx

TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
SP = "NSR:StopPlace:"

# --------------------------------------------------------------- figures

# A line P0 → P1 → P2 east, trips leaving P0 every even minute; P1 10 min
# later, P2 40 min later. Establishments with known travel times.
LINE_PLACES = {
    "1": ("P0", 10.90, fx.LAT),
    "2": ("P1", 10.99, fx.LAT),
    "3": ("P2", 11.08, fx.LAT),
}


def _line_tables():
    trips = []
    for n, start in enumerate(range(6 * 3600, 10 * 3600, 120)):
        calls = [
            ("1", start, start, 0, 1),
            ("2", start + 600, start + 600, 0, 0),
            ("3", start + 2400, start + 2400, 1, 0),
        ]
        trips.append((f"X{n}", "WK", calls))
    return fx.feed(LINE_PLACES, trips, ["WK,1,1,1,1,1,0,0,20240101,20240131"], [])


def _east_of(key, metres):
    lon, lat = LINE_PLACES[key][1:]
    x, y = TO_METRIC.transform(lon, lat)
    return TO_LONLAT.transform(x + metres, y)


def _establishments():
    """e1..e5 with 5, 7, 11, 13, 17 employees, and one unplaced (19)."""
    points = [
        _east_of("1", 300),  # walk from the origin, ~4.9 min
        _east_of("2", 0),  # at P1: 10 or 11 min, median 10
        _east_of("2", 500),  # P1 + 8.2 min walk: median 18.1
        _east_of("3", 0),  # P2: median 40
        _east_of("3", 5000),  # beyond any walk
    ]
    geoms = [shapely.Point(p) for p in points] + [None]
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "orgnr": [str(900000000 + i) for i in range(n)],
            "name": [f"E{i}" for i in range(n)],
            "parent_orgnr": "",
            "nace": "62.010",
            "nace_section": "J",
            "employees": [5, 7, 11, 13, 17, 19],
            "org_form": "BEDR",
            "start_date": "2020-01-01",
            "address": "",
            "postcode": "",
            "kommunenummer": "3222",
            "placed": [True] * 5 + [False],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )


def _line_store(tmp_path, store=None):
    """The line feed's stops and timetable and the establishments, in ``store``
    (default a GeoPackage in ``tmp_path``)."""
    tables = _line_tables()
    result = read_gtfs(fx.write(tmp_path / "line.zip", tables), date=fx.DAY)
    meta = {"source": "test feed", "as_of": "2024-01-09", "demonstration": True}
    store = store or GeoPackageStore(tmp_path / "line.gpkg")
    store.replace_layers(
        {
            "transit_stops": (result.stops, meta),
            "establishments": (_establishments(), {"source": "test", "as_of": "x"}),
            **timetable.to_tables(result.timetable, reference_date="2024-01-09"),
        }
    )
    return store


def test_jobs_and_establishments_within_each_band(tmp_path):
    """15 min: e1, e2; 30: + e3; 45: + e4; the far and the unplaced never."""
    got = reach.query(_line_store(tmp_path), SP + "1")
    assert got.jobs_within == {"15": 12, "30": 23, "45": 36}
    assert got.establishments_within == {"15": 2, "30": 3, "45": 4}


def test_stop_percentiles_on_the_line(tmp_path):
    """P1 is 10 min for even minutes, 11 for odd: p25 = median = 10, p75 = 11."""
    stops = reach.query(_line_store(tmp_path), SP + "1").stops.set_index("stop_id")
    assert stops.loc[SP + "2", ["p25_min", "median_min", "p75_min"]].tolist() == [
        10.0,
        10.0,
        11.0,
    ]
    assert stops.loc[SP + "3", "median_min"] == 40.0


def test_band_polygons_are_walk_circles(tmp_path):
    """The 15-min band: the origin's 769 m circle and P1's for its 5 minutes left."""
    got = reach.query(_line_store(tmp_path), SP + "1")
    bands = reach.band_polygons(got.times).set_index("minutes").to_crs(25833)
    p = reach.ReachParams()
    r_origin = p.max_straight_m
    r_p1 = 5 * 60 * p.speed_ms / p.detour
    expected = math.pi * (r_origin**2 + r_p1**2)
    assert bands.geometry[15].area == pytest.approx(expected, rel=0.02)
    est = _establishments().to_crs(25833).geometry
    assert bands.geometry[15].contains(est.iloc[0])
    assert bands.geometry[15].contains(est.iloc[1])
    assert not bands.geometry[15].contains(est.iloc[2])
    assert bands.geometry[45].contains(bands.geometry[30])


def test_point_median_beats_any_single_stop(tmp_path):
    """A point near two stops reached at alternate minutes has the better median."""
    times = reach.TravelTimes(
        origin=reach.Origin(0.0, 0.0, 0, 0, np.zeros(0, int), np.zeros(0, int)),
        day=fx.DAY,
        window_s=(0, 240),
        departures_s=np.arange(0, 240, 60),
        seconds=np.array([[600, 1800], [1800, 600], [600, 1800], [1800, 600]]),
        max_s=3600,
        params=reach.ReachParams(),
        place_xy=np.array([[10_000.0, 0.0], [10_400.0, 0.0]]),
    )
    point = np.array([[10_200.0, 0.0]])
    walk = reach.ReachParams().walk_seconds(200.0)
    assert reach.percentile(reach.point_times(times, point), 50)[0] == 600 + walk


# ------------------------------------------------------------------- CLI


def _cli(capsys, *args):
    code = main(["reach", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_contract(tmp_path, capsys):
    """The JSON shape and semantics of `python -m layers reach`."""
    store = _line_store(tmp_path)
    code, out, _ = _cli(
        capsys, "--from", SP + "1", "--store", str(store.path), "--max-minutes", "45"
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) >= {
        "origin",
        "date",
        "window",
        "stops",
        "jobs_within",
        "establishments_within",
    }
    assert data["origin"]["stop_id"] == SP + "1"
    assert data["date"] == "2024-01-09"
    assert data["window"] == ["07:00", "09:00"]
    assert [s["stop_id"] for s in data["stops"]] == [SP + "1", SP + "2", SP + "3"]
    assert set(data["stops"][1]) == {
        "stop_id",
        "name",
        "median_min",
        "p25_min",
        "p75_min",
    }
    assert data["stops"][0]["median_min"] == 0.0
    assert data["jobs_within"] == {"15": 12, "30": 23, "45": 36}
    assert data["establishments_within"] == {"15": 2, "30": 3, "45": 4}
    assert data["source"]["transit_stops"]["demonstration"] is True


def test_cli_max_minutes_drops_stops(tmp_path, capsys):
    """With --max-minutes 39 the 40-minute P2 is not listed."""
    store = _line_store(tmp_path)
    _, out, _ = _cli(
        capsys, "--from", SP + "1", "--store", str(store.path), "--max-minutes", "39"
    )
    assert SP + "3" not in [s["stop_id"] for s in json.loads(out)["stops"]]


def test_cli_half_of_the_minutes_rule(tmp_path, capsys):
    """Window 06:59-07:01 (2 minutes): P1 is 11 and 10 min; listed at 10, not 9."""
    store = _line_store(tmp_path)
    args = ["--from", SP + "1", "--store", str(store.path), "--window", "06:59-07:01"]
    _, out, _ = _cli(capsys, *args, "--max-minutes", "10")
    assert SP + "2" in [s["stop_id"] for s in json.loads(out)["stops"]]
    _, out, _ = _cli(capsys, *args, "--max-minutes", "9")
    assert SP + "2" not in [s["stop_id"] for s in json.loads(out)["stops"]]


def test_cli_from_lat_lon(tmp_path, capsys):
    """--from LAT,LON walks to P0 (300 m) first: P1 about 5 min later than from P0."""
    store = _line_store(tmp_path)
    lon, lat = _east_of("1", -300)
    _, out, _ = _cli(
        capsys,
        "--from",
        f"{lat:.6f},{lon:.6f}",
        "--store",
        str(store.path),
        "--date",
        "2024-01-09",
    )
    data = json.loads(out)
    assert "stop_id" not in data["origin"]
    p1 = next(s for s in data["stops"] if s["stop_id"] == SP + "2")
    assert 14 <= p1["median_min"] <= 16


def test_cli_table_format(tmp_path, capsys):
    """--format table lists the stops and states the demonstration source."""
    store = _line_store(tmp_path)
    code, out, _ = _cli(
        capsys, "--from", SP + "1", "--store", str(store.path), "--format", "table"
    )
    assert code == 0 and "P1" in out and "demonstration data" in out


@pytest.mark.parametrize(
    "args, field",
    [
        (["--window", "9-7"], "window"),
        (["--window", "09:00-07:00"], "window"),
        (["--date", "2024-13-01"], "date"),
        (["--date", "2024-03-01"], "date"),
        (["--max-minutes", "0"], "max"),
        (["--from", "NSR:StopPlace:404"], "stop place"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path, capsys, args, field):
    """Bad window, date, limit or stop id: exit code 2 and a message naming it."""
    store = _line_store(tmp_path)
    base = {"--from": SP + "1", "--store": str(store.path)}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    code, _, err = _cli(capsys, *[x for kv in base.items() for x in kv])
    assert code == 2
    assert field in err


def test_cli_store_without_timetable_exits_3(tmp_path, capsys):
    """A store without a timetable: exit code 3."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers({"other_table": (gpd.pd.DataFrame({"a": [1]}), {})})
    code, _, err = _cli(capsys, "--from", SP + "1", "--store", str(store.path))
    assert code == 3 and "timetable" in err


# -------------------------------------------------------- dashboard API


def _line_store_with_areas(tmp_path, store=None):
    """The line store plus one area around P0 and two premises."""
    store = _line_store(tmp_path, store)
    x, y = TO_METRIC.transform(*LINE_PLACES["1"][1:])
    square = shapely.box(x - 200, y - 200, x + 200, y + 200)
    areas = gpd.GeoDataFrame(
        {
            "area_id": ["sentrum"],
            "name": ["Sentrum"],
            "description_nb": "",
            "description_en": "",
            "ambition_nb": "",
            "ambition_en": "",
            "indicative": True,
        },
        geometry=[square],
        crs="EPSG:25833",
    ).to_crs("EPSG:4326")
    premises = gpd.GeoDataFrame(
        {
            "premises_id": ["b", "a"],
            "title": ["at P1", "far"],
            "address": "",
            "type": "kontor",
            "size_m2": 100.0,
            "rent_nok_m2_year": 2000.0,
            "available_from": "",
            "status": "ledig",
            "contact": "",
            "url": "",
            "updated_at": "2024-01-01T00:00:00Z",
        },
        geometry=[shapely.Point(_east_of("2", 0)), shapely.Point(_east_of("3", 5000))],
        crs="EPSG:4326",
    )
    store.replace_layers(
        {"areas": (areas, {"source": "t"}), "premises": (premises, {"source": "t"})}
    )
    return store


def test_cached_answers_follow_the_store_on_either_backend(new_store, tmp_path):
    """Re-imported establishments and a new premise are seen at the next call,
    on a GeoPackage and on PostGIS (which has no file to stat)."""
    store = _line_store_with_areas(tmp_path, new_store())
    assert reach.reach_from(store, SP + "1").jobs_within["15"] == 12
    assert reach.area_reach(store).loc[0, "jobs_15"] == 12
    assert len(reach.premises_minutes(store, SP + "1")) == 2
    est = _establishments()
    est.loc[0, "employees"] = 105  # the walk-only one, within 15 min
    store.replace_layers({"establishments": (est, {"source": "test", "as_of": "y"})})
    assert reach.reach_from(store, SP + "1").jobs_within["15"] == 112
    assert reach.area_reach(store).loc[0, "jobs_15"] == 112
    premises = store.read_layer("premises")
    extra = premises.iloc[[0]].assign(premises_id="c", title="also at P1")
    both = gpd.GeoDataFrame(gpd.pd.concat([premises, extra]), crs=premises.crs)
    store.replace_layers({"premises": (both, {"source": "t"})})
    minutes = reach.premises_minutes(store, SP + "1")
    assert minutes.index.tolist() == ["a", "b", "c"]
    assert minutes["c"] == minutes["b"] == 10.0


def test_area_reach_from_the_centroid(tmp_path):
    """The area centred on P0 reaches the jobs P0 reaches (its centroid is P0)."""
    store = _line_store_with_areas(tmp_path)
    row = reach.area_reach(store).set_index("area_id").loc["sentrum"]
    assert (row["jobs_15"], row["jobs_30"], row["jobs_45"]) == (12, 23, 36)
    assert (row["establishments_15"], row["establishments_45"]) == (2, 4)


def test_premises_minutes_sorted_and_nan_when_unreached(tmp_path):
    """Premises minutes come sorted by id; the far one is NaN, the one at P1 10."""
    store = _line_store_with_areas(tmp_path)
    minutes = reach.premises_minutes(store, SP + "1")
    assert minutes.index.tolist() == ["a", "b"]
    assert np.isnan(minutes["a"]) and minutes["b"] == 10.0


def test_travel_minutes_to_points(tmp_path):
    """Walk-only and stop-served points get their median minutes."""
    store = _line_store(tmp_path)
    got = reach.travel_minutes(store, SP + "1", _establishments())
    assert got[0] == pytest.approx(300 * 1.3 / (4.8 / 3.6) / 60, abs=0.05)
    assert got[1] == 10.0 and got[3] == 40.0
    assert np.isnan(got[4]) and np.isnan(got[5])


def test_bands_carry_their_counts(tmp_path):
    """The map layer's bands: 45, 30, 15 with jobs and establishments."""
    got = reach.bands(_line_store(tmp_path), SP + "1")
    assert got["minutes"].tolist() == [45, 30, 15]
    assert got["jobs"].tolist() == [36, 23, 12]
    assert got.crs == "EPSG:4326"


def test_reach_info_states_source_and_settings(tmp_path):
    """reach_info gives the demonstration flag, reference date and settings."""
    info = reach.reach_info(_line_store(tmp_path))
    assert info["demonstration"] is True
    assert info["reference_date"] == "2024-01-09"
    assert info["walk_kmh"] == 4.8 and info["window"] == ["07:00", "09:00"]


def test_settings_from_the_environment():
    """NARING_REACH_* override the defaults; nonsense is refused."""
    from layers.errors import InputError

    env = {"NARING_REACH_WALK_KMH": "4", "NARING_REACH_MAX_RIDES": "2"}
    params = reach.ReachParams.from_env(env)
    assert (params.walk_kmh, params.max_rides, params.detour) == (4.0, 2, 1.3)
    with pytest.raises(InputError):
        reach.ReachParams.from_env({"NARING_REACH_DETOUR": "0.5"})


def test_default_store_holds_a_timetable(default_store):
    """The built default store answers reach on the real stop places: from the bus
    hub in Lørenskog sentrum, Ahus and Fjellhamar stasjon are within 30 minutes by
    median, and the answer says the timetable is demonstration data."""
    from layers.store import open_store

    got = reach.query(open_store(default_store), "NSR:StopPlace:5362")
    stops = got.stops.set_index("name")
    assert stops.loc["Ahus", "median_min"] <= 30
    assert stops.loc["Fjellhamar stasjon", "median_min"] <= 30
    assert got.source["transit_stops"]["demonstration"] is True
    assert got.jobs_within["45"] >= got.jobs_within["30"] >= got.jobs_within["15"] > 0


def test_import_gtfs_replaces_the_timetable(default_store, tmp_path, capsys):
    """`import gtfs` stores the new feed's timetable with its layers."""
    import shutil

    from layers.store import open_store

    copy = tmp_path / "copy.gpkg"
    shutil.copyfile(default_store, copy)
    feed_path = fx.write(tmp_path / "scenario.zip", fx.scenario_tables())
    assert main(["import", "gtfs", str(feed_path), "--store", str(copy)]) == 0
    capsys.readouterr()
    tt = timetable.load_timetable(open_store(copy))
    assert sorted(tt.places["name"]) == sorted(
        n for n, *_ in fx.SCENARIO_PLACES.values()
    )
    code, out, _ = _cli(
        capsys, "--from", SP + "1", "--store", str(copy), "--window", "07:00-07:01"
    )
    assert code == 0
    stops = {s["stop_id"]: s["median_min"] for s in json.loads(out)["stops"]}
    assert stops[SP + "3"] == 15.0
