"""The demonstration data set: reproducible files in the real formats, calibrated."""

import csv
import gzip
import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.demo import (
    AS_OF,
    BOUNDARY_PATH,
    DEMO_NEW_IN_2023,
    DEMO_STREETS,
    DEMO_TOTAL_ESTABLISHMENTS,
    DEMO_TOTAL_JOBS,
    DEMO_UNPLACED,
    FILE_NAMES,
    is_valid_orgnr,
    orgnr_check_digit,
    write_demo_sources,
)
from layers.schemas import METRIC_CRS, PREMISES_STATUSES, PREMISES_TYPES, REST_ID
from layers.sources.addresses import read_addresses
from layers.sources.areas import draw_indicative_areas
from layers.sources.establishments import SMALL_FIRM_EMPLOYEES, nace_standard_of
from layers.sources.premises import normalise_type, parse_amount, read_premises
from tests.test_real_sources import REAL_HEADER

ROOT = Path(__file__).resolve().parent.parent

GTFS_FILES = {
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
    "calendar.txt",
    "calendar_dates.txt",
    "shapes.txt",
    "feed_info.txt",
}
PLACE_AREA = {
    "Sentrum": "sentrum",
    "Stasjonsbyen": "stasjonsomradet",
    "Fjellhamar": "fjellhamar",
    "Visperud": "visperud",
    "Nordbyhagen": "ahus",
    "Losby": "losbydalen",
}


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """The demo files, written once for the module."""
    return write_demo_sources(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def records(paths):
    """Every object of the underenheter file, as written."""
    with gzip.open(paths["establishments"], "rt", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def kept(records):
    """Open records in 3222, de-duplicated by organisasjonsnummer (no importer)."""
    out = {}
    for r in records:
        if r["beliggenhetsadresse"]["kommunenummer"] != "3222":
            continue
        if "nedleggelsesdato" in r:
            continue
        out[r["organisasjonsnummer"]] = r
    return list(out.values())


@pytest.fixture(scope="module")
def addresses(paths):
    """The address CSV as strings."""
    return pd.read_csv(
        paths["addresses"], sep=";", dtype=str, keep_default_na=False, encoding="utf-8"
    )


@pytest.fixture(scope="module")
def areas():
    """The indicative areas in EPSG:25833."""
    boundary = gpd.read_file(BOUNDARY_PATH)
    return draw_indicative_areas(boundary).to_crs(METRIC_CRS)


def _area_of(areas, x, y):
    """Area id holding each point, REST_ID for none."""
    out = np.full(len(x), REST_ID, dtype=object)
    for area_id, geom in zip(areas["area_id"], areas.geometry, strict=True):
        out[shapely.contains_xy(geom, x, y)] = area_id
    return out


def _gtfs(paths, member):
    with zipfile.ZipFile(paths["gtfs"]) as zf:
        return pd.read_csv(zf.open(member), dtype=str, keep_default_na=False)


def _premises(paths):
    text = paths["premises"].read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


# ----------------------------------------------------------------- the files


def test_same_seed_gives_identical_bytes(paths, tmp_path):
    """Writing again with the same seed reproduces every file byte for byte."""
    again = write_demo_sources(tmp_path)
    for key in FILE_NAMES:
        assert again[key].read_bytes() == paths[key].read_bytes(), key


def test_other_seed_gives_other_establishments(paths, tmp_path):
    """A different seed gives a different establishments file."""
    other = write_demo_sources(tmp_path, seed=1)
    assert other["establishments"].read_bytes() != paths["establishments"].read_bytes()


def test_gzip_header_has_no_time_or_name(paths):
    """The gzip header carries mtime 0 and no file name."""
    head = paths["establishments"].read_bytes()[:10]
    assert head[:2] == b"\x1f\x8b"
    assert head[3] & 0x08 == 0
    assert head[4:8] == b"\x00\x00\x00\x00"


def test_returns_the_four_files(paths):
    """The returned paths are the four named files, all written."""
    assert {k: p.name for k, p in paths.items()} == FILE_NAMES
    assert all(p.stat().st_size > 0 for p in paths.values())


# ------------------------------------------------------------ establishments


def _jobs(record):
    """Jobs as the importer counts them: the count, else 2 for the 1-4 class."""
    if "antallAnsatte" in record:
        return record["antallAnsatte"]
    return SMALL_FIRM_EMPLOYEES if record["harRegistrertAntallAnsatte"] else 0


def test_open_records_match_strategy_totals(kept):
    """4 512 records in 3222 whose jobs (estimate for 1-4 included) sum to 24 892."""
    assert len(kept) == DEMO_TOTAL_ESTABLISHMENTS
    assert sum(_jobs(r) for r in kept) == DEMO_TOTAL_JOBS


def test_file_is_shaped_like_the_bulk_download(records):
    """No closed units and one record per unit, as in the register's bulk file;
    units in the neighbouring kommuner for the importer to filter out."""
    assert not any("nedleggelsesdato" in r or "slettedato" in r for r in records)
    knr = {r["beliggenhetsadresse"]["kommunenummer"] for r in records}
    ids = [r["organisasjonsnummer"] for r in records]
    assert knr == {"3222", "0301", "3205"}
    assert len(ids) == len(set(ids))


def test_no_count_below_five_employees(kept):
    """The 1-4 class has harRegistrertAntallAnsatte and no antallAnsatte."""
    counted = [r["antallAnsatte"] for r in kept if "antallAnsatte" in r]
    assert min(counted) >= 5
    small = [r for r in kept if "antallAnsatte" not in r]
    assert any(r["harRegistrertAntallAnsatte"] for r in small)
    assert all(r["harRegistrertAntallAnsatte"] for r in kept if "antallAnsatte" in r)


def test_units_registered_in_2024_carry_sn2025_codes(kept):
    """New units use the new standard's codes; older ones keep SN2007."""
    new = [r for r in kept if r["oppstartsdato"] >= "2024"]
    old = [r for r in kept if r["oppstartsdato"] < "2024"]
    new_std = {nace_standard_of(r["naeringskode1"]["kode"]) for r in new}
    old_std = {nace_standard_of(r["naeringskode1"]["kode"]) for r in old}
    assert "SN2025" in new_std and "SN2007" not in new_std
    assert "SN2025" not in old_std


def test_orgnrs_pass_mod11(records):
    """Every organisasjonsnummer and parent has a valid MOD11 check digit."""
    numbers = {r["organisasjonsnummer"] for r in records}
    parents = {r["overordnetEnhet"] for r in records}
    assert all(is_valid_orgnr(n) for n in numbers | parents)
    assert not numbers & parents


def test_check_digit_known_value():
    """The MOD11 check digit of a known number, and the never-issued case."""
    assert orgnr_check_digit("97000000") == 3
    assert is_valid_orgnr("970000003") and not is_valid_orgnr("970000004")
    assert orgnr_check_digit("97000002") is None  # remainder gives 10


def test_some_units_have_no_employees(kept):
    """About 15 % have no registered employees at all."""
    none = [r for r in kept if not r["harRegistrertAntallAnsatte"]]
    assert 0.12 < len(none) / len(kept) < 0.18
    assert not any("antallAnsatte" in r for r in none)


def test_started_in_2023_matches_strategy(kept):
    """Exactly 706 of the open establishments started in 2023."""
    started = [r["oppstartsdato"][:4] for r in kept]
    assert started.count("2023") == DEMO_NEW_IN_2023
    assert (
        min(started) >= "1960"
        and max(r["oppstartsdato"] for r in kept) <= AS_OF.isoformat()
    )


def test_hospital_is_the_largest_employer(kept):
    """Sizes are heavy-tailed: one employer with thousands of jobs, median tiny."""
    jobs = sorted((_jobs(r), r["navn"]) for r in kept)
    assert jobs[-1][0] > 3000 and "Universitetssykehus" in jobs[-1][1]
    assert np.median([j for j, _ in jobs]) <= 3


def test_names_are_labelled_demo(records):
    """Every name starts with "Demo"."""
    assert all(r["navn"].startswith("Demo ") for r in records)


def test_establishments_lie_in_their_named_area(kept, addresses, areas):
    """An establishment named after an area is placed inside that area."""
    book = {
        (row.adresseTekst, row.postnummer): (float(row.Øst), float(row.Nord))
        for row in addresses.itertuples()
    }
    want, xy = [], []
    for r in kept:
        loc = r["beliggenhetsadresse"]
        key = (loc["adresse"][0], loc["postnummer"])
        places = [PLACE_AREA[w] for w in r["navn"].split() if w in PLACE_AREA]
        if key in book and places:
            want.append(places[0])
            xy.append(book[key])
    x, y = np.array(xy).T
    assert len(want) > 1500
    assert list(_area_of(areas, x, y)) == want


def test_unplaced_share(kept, addresses):
    """About 1.5 % of the open records have an address missing from the register."""
    book = set(zip(addresses["adresseTekst"], addresses["postnummer"], strict=True))
    missing = [
        r
        for r in kept
        if (
            r["beliggenhetsadresse"]["adresse"][0],
            r["beliggenhetsadresse"]["postnummer"],
        )
        not in book
    ]
    assert len(missing) == DEMO_UNPLACED


def test_job_shares_follow_the_strategy(kept, addresses):
    """Ahus has the most jobs, then Visperud, then the town centre."""
    street_area = {s: a for a, streets in DEMO_STREETS.items() for s in streets}
    area_of = dict(
        zip(
            addresses["adresseTekst"],
            addresses["adressenavn"].map(street_area),
            strict=True,
        )
    )
    jobs = {}
    for r in kept:
        area = area_of.get(r["beliggenhetsadresse"]["adresse"][0])
        jobs[area] = jobs.get(area, 0) + _jobs(r)
    assert jobs["ahus"] > jobs["visperud"] > jobs["sentrum"] > jobs["stasjonsomradet"]


# ----------------------------------------------------------------- addresses


def test_address_csv_header_and_bom(paths):
    """Kartverket's header, `;`-separated, UTF-8 with a BOM."""
    raw = paths["addresses"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    line = raw[3:].split(b"\n", 1)[0]
    assert line.endswith(b"\r")  # CRLF, as Kartverket writes it
    header = line[:-1].decode("utf-8").split(";")
    assert header == REAL_HEADER.split(";")


def test_addresses_lie_in_their_streets_area(addresses, areas):
    """Every address point lies in the area its street belongs to."""
    street_area = {s: a for a, streets in DEMO_STREETS.items() for s in streets}
    x = addresses["Øst"].astype(float).to_numpy()
    y = addresses["Nord"].astype(float).to_numpy()
    assert (y > 6.6e6).all() and (x < 1e6).all()  # Nord first, then Øst
    got = _area_of(areas, x, y)
    assert list(got) == list(addresses["adressenavn"].map(street_area))


def test_rest_addresses_are_in_the_urban_north(addresses):
    """Addresses outside the areas are inside the municipality, north of the forest."""
    boundary = gpd.read_file(BOUNDARY_PATH).to_crs(METRIC_CRS).union_all()
    rest = addresses[addresses["adressenavn"].isin(DEMO_STREETS[REST_ID])]
    x, y = rest["Øst"].astype(float), rest["Nord"].astype(float)
    assert shapely.contains_xy(boundary, x, y).all()
    assert (y >= 6647000).all()


def test_street_and_number_has_one_coordinate(addresses):
    """The same street address never appears twice."""
    key = addresses[["adresseTekst", "postnummer"]]
    assert not key.duplicated().any()
    assert addresses["adresseId"].is_unique


# ---------------------------------------------------------------------- GTFS


def test_gtfs_has_the_required_files(paths):
    """The zip holds every GTFS file the dashboard reads, and stays small."""
    with zipfile.ZipFile(paths["gtfs"]) as zf:
        assert set(zf.namelist()) == GTFS_FILES
    assert paths["gtfs"].stat().st_size < 2_000_000


def test_stop_times_reference_trips_and_stops(paths):
    """Every stop time names an existing trip and stop; every trip has a shape."""
    stop_times = _gtfs(paths, "stop_times.txt")
    trips = _gtfs(paths, "trips.txt")
    stops = _gtfs(paths, "stops.txt")
    shapes = _gtfs(paths, "shapes.txt")
    assert stop_times["trip_id"].isin(trips["trip_id"]).all()
    assert stop_times["stop_id"].isin(stops["stop_id"]).all()
    assert trips["shape_id"].isin(shapes["shape_id"]).all()
    assert set(trips["trip_id"]) == set(stop_times["trip_id"])


def test_last_stop_of_each_trip_has_no_pickup(paths):
    """pickup_type is 1 exactly at each trip's final stop."""
    st = _gtfs(paths, "stop_times.txt")
    seq = st["stop_sequence"].astype(int)
    last = seq == seq.groupby(st["trip_id"]).transform("max")
    assert (st.loc[last, "pickup_type"] == "1").all()
    assert (st.loc[~last, "pickup_type"] == "0").all()


def test_stops_are_the_real_stop_places(paths):
    """Ruter's real stop places (NSR id, name, position), all of them served;
    bus quays generated (DEMO:Quay), rail quays Vy's (NSR:Quay)."""
    stops = _gtfs(paths, "stops.txt")
    stations = stops[stops["location_type"] == "1"]
    quays = stops[stops["location_type"] == "0"]
    real = pd.read_csv(
        ROOT / "geodata" / "ruter_stopplaces_lorenskog_area.csv", dtype=str
    )
    assert len(real) == 93
    mine = stations.set_index("stop_id")
    assert set(real["stop_id"]) <= set(mine.index)
    for r in real.itertuples():
        assert mine.loc[r.stop_id, "stop_name"] == r.stop_name
        assert float(mine.loc[r.stop_id, "stop_lat"]) == float(r.stop_lat)
        assert float(mine.loc[r.stop_id, "stop_lon"]) == float(r.stop_lon)
    others = set(mine.index) - set(real["stop_id"])
    assert all(i.startswith("VYG:StopPlace:") for i in others)
    assert quays["parent_station"].isin(stations["stop_id"]).all()
    rail = quays[quays["vehicle_type"] == "100"]
    assert set(rail["stop_id"]) >= {"NSR:Quay:269", "NSR:Quay:65", "NSR:Quay:339"}
    assert (
        quays.loc[quays["vehicle_type"] == "700", "stop_id"]
        .str.startswith("DEMO:Quay:")
        .all()
    )
    served = set(_gtfs(paths, "stop_times.txt")["stop_id"])
    assert set(quays["stop_id"]) == served


def test_rail_runs_on_vys_track_through_the_three_stations(paths):
    """L1 calls at Lørenskog, Hanaborg and Fjellhamar on Vy's track geometry."""
    stops = _gtfs(paths, "stops.txt").set_index("stop_id")
    times = _gtfs(paths, "stop_times.txt")
    l1 = times[times["trip_id"].str.startswith("VYG:ServiceJourney:L1_")]
    names = set(stops.loc[l1["stop_id"].unique(), "stop_name"])
    assert {"Lørenskog stasjon", "Hanaborg stasjon", "Fjellhamar stasjon"} <= names
    shapes = _gtfs(paths, "shapes.txt")
    track = shapes[shapes["shape_id"] == "VYG:JourneyPattern:L1_0"]
    with open(ROOT / "geodata" / "vy_rail_lorenskog_area_2021.geojson") as f:
        links = [
            g for g in json.load(f)["features"] if g["geometry"]["type"] == "LineString"
        ]
    first = next(g for g in links if g["properties"]["from"].endswith("GRO-1"))
    lon, lat = first["geometry"]["coordinates"][1]
    assert abs(float(track["shape_pt_lon"].iloc[1]) - lon) < 1e-5
    assert abs(float(track["shape_pt_lat"].iloc[1]) - lat) < 1e-5
    assert len(track) > 300  # the track's own vertices, not straight lines


def test_every_area_but_losby_has_a_stop_place(paths, areas):
    """The real stops cover five areas and the rest; none lies in Losbydalen."""
    stops = _gtfs(paths, "stops.txt")
    stations = stops[stops["location_type"] == "1"]
    lon = stations["stop_lon"].astype(float).to_numpy()
    lat = stations["stop_lat"].astype(float).to_numpy()
    pts = gpd.GeoSeries.from_xy(lon, lat, crs="EPSG:4326").to_crs(METRIC_CRS)
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    boundary = gpd.read_file(BOUNDARY_PATH).to_crs(METRIC_CRS).union_all()
    inside = shapely.contains_xy(boundary, x, y)
    assert set(_area_of(areas, x[inside], y[inside])) == {
        *areas["area_id"],
        REST_ID,
    } - {"losbydalen"}


def test_timetable_runs_past_midnight(paths):
    """Trips start around 05:00 and the last ones depart after 24:00."""
    st = _gtfs(paths, "stop_times.txt")
    first = st[st["stop_sequence"] == "1"]["departure_time"]
    assert first.min() <= "05:10:00"
    assert {"24:35:00", "25:05:00"} <= set(first)


def test_calendar_dates_remove_and_add(paths):
    """A holiday removes weekday service; one service exists only as added dates."""
    calendar = _gtfs(paths, "calendar.txt")
    dates = _gtfs(paths, "calendar_dates.txt")
    removed = dates[dates["exception_type"] == "2"]
    assert "20241225" in set(removed["date"])
    added_only = set(dates["service_id"]) - set(calendar["service_id"])
    kinds = dates.loc[dates["service_id"].isin(added_only), "exception_type"]
    assert added_only and set(kinds) == {"1"}


def test_routes_use_real_line_numbers(paths):
    """Ruter's and Vy's line numbers, with extended route types."""
    routes = _gtfs(paths, "routes.txt")
    assert {"25", "110", "300", "L1"} <= set(routes["route_short_name"])
    assert {"704", "712", "100"} <= set(routes["route_type"])


# ------------------------------------------------------------------ premises


def test_premises_types_and_statuses_are_known(paths):
    """Every listing has a known type and status, demo title, link and contact."""
    rows = _premises(paths)
    assert 70 <= len(rows) <= 90
    assert {normalise_type(r["Type lokale"]) for r in rows} <= set(PREMISES_TYPES)
    assert {r["Status"] for r in rows} <= set(PREMISES_STATUSES)
    assert all(r["Tittel"].startswith("Demo: ") for r in rows)
    assert all(r["Lenke"].endswith("/" + r["ID"]) for r in rows)


def test_premises_are_a_brokers_list_with_plausible_values(paths):
    """Human headings, addresses without coordinates, rents as brokers write them."""
    rows = _premises(paths)
    assert "lat" not in rows[0] and "Areal (m²)" in rows[0]
    size = [parse_amount(r["Areal (m²)"]) for r in rows]
    rents = [r["Leie (kr/m²/år)"] for r in rows]
    assert 50 <= min(size) and max(size) <= 12000
    assert 0 < rents.count("") + rents.count("etter avtale") < len(rows) * 0.2
    assert any(v.startswith("kr ") for v in rents)
    assert any(v.endswith(",-") for v in rents)
    values = [parse_amount(v) for v in rents if v and v != "etter avtale"]
    assert all(700 <= v <= 3600 for v in values)


def test_premises_lie_in_their_streets_area(paths, areas):
    """Each listing is placed by its address, in the area of its street."""
    street_area = {s: a for a, streets in DEMO_STREETS.items() for s in streets}
    book = read_addresses(paths["addresses"], kommune="3222")
    layer = read_premises(paths["premises"], addresses=book)
    pts = layer.geometry.to_crs(METRIC_CRS)
    got = _area_of(areas, pts.x.to_numpy(), pts.y.to_numpy())
    want = [street_area[a.split(",")[0].rsplit(" ", 1)[0]] for a in layer["address"]]
    assert list(got) == want


def test_some_premises_are_stale(paths):
    """About 15 % were last updated more than 90 days before the as-of date."""
    rows = _premises(paths)
    limit = (AS_OF - timedelta(days=90)).isoformat()
    stale = [r for r in rows if r["Oppdatert"] < limit]
    assert 0.1 <= len(stale) / len(rows) <= 0.2
    assert all(r["Ledig fra"] >= AS_OF.isoformat() for r in rows)


# ----------------------------------------------------------------- importers


def test_files_load_through_the_importers(paths):
    """Each demo file passes its real importer with the calibrated counts."""
    addresses_mod = pytest.importorskip("layers.sources.addresses")
    establishments_mod = pytest.importorskip("layers.sources.establishments")
    gtfs_mod = pytest.importorskip("layers.sources.gtfs")
    premises_mod = pytest.importorskip("layers.sources.premises")
    book = addresses_mod.read_addresses(paths["addresses"])
    firms, report = establishments_mod.read_establishments(
        paths["establishments"], book
    )
    assert (report.kept, report.unplaced) == (4512, DEMO_UNPLACED)
    assert (report.closed, report.outside_kommune, report.duplicates) == (0, 10, 0)
    assert int(firms["employees"].sum()) == DEMO_TOTAL_JOBS
    feed = gtfs_mod.read_gtfs(paths["gtfs"])
    assert feed.feed_info["publisher"].startswith("Demonstrasjonsdata")
    assert (feed.stops["departures_day"] > 0).all()
    premises = premises_mod.read_premises(paths["premises"], addresses=book)
    assert len(premises) == len(_premises(paths))
