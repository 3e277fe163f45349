"""The premises finder's pure logic: filters, nearest stops, staleness, exports."""

import csv
import io
import math
from datetime import date, datetime

import geopandas as gpd
import numpy as np
import openpyxl
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from components import finder
from components.exports import sheets
from layers.schemas import CRS, METRIC_CRS
from tests.conftest import square_centre

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, 14, 30)
BASE = {
    "title": "Lokale",
    "address": "Veien 1",
    "type": "kontor",
    "size_m2": 500.0,
    "rent_nok_m2_year": 1500.0,
    "available_from": "2025-01-01",
    "status": "ledig",
    "contact": "",
    "url": "",
    "updated_at": "2025-05-20T10:00:00Z",
}


def premises(rows, crs=CRS):
    """A premises layer from dicts with ``premises_id``, ``geometry`` and overrides."""
    records = [{**BASE, **r} for r in rows]
    return gpd.GeoDataFrame(records, geometry="geometry", crs=crs).to_crs(CRS)


def stops(rows, crs=CRS):
    """A transit_stops layer from ``(name, departures, point)`` tuples."""
    frame = gpd.GeoDataFrame(
        {
            "stop_id": [f"NSR:StopPlace:{k}" for k in range(len(rows))],
            "name": [r[0] for r in rows],
            "lines": ["25,3"] * len(rows),
            "departures_peak_hour": [float(r[1]) for r in rows],
            "departures_day": [100] * len(rows),
        },
        geometry=[r[2] for r in rows],
        crs=crs,
    )
    return frame.to_crs(CRS)


@pytest.fixture
def one_stop():
    """A single stop in the first square."""
    return stops([("Sentrum", 10, square_centre(0))])


def build(rows, areas, stop_layer):
    """Prepared listings, one per row, each placed at the centre of square ``k``."""
    layer = premises(
        [
            {
                "premises_id": r.get("premises_id", f"p{n:02d}"),
                "geometry": square_centre(r.pop("k", 0)),
                **r,
            }
            for n, r in enumerate(rows)
        ]
    )
    return finder.prepare(layer, areas, stop_layer)


def ids(listings, query):
    """Ids of the listings matching ``query``, in register order."""
    mask = finder.filter_mask(listings, query)
    return list(listings.frame["premises_id"][mask])


def q(**kw):
    """A query built like the controls build it."""
    return finder.make_query(**kw)


# --- filters ----------------------------------------------------------------------


def test_area_filter_takes_one_several_or_all(six_squares, one_stop):
    """Areas: one, several, or none ticked meaning all; `rest` is outside the six."""
    outside = {"k": 0, "geometry": Point(10.80, 59.95)}
    rows = [{"k": 0}, {"k": 3}, {"k": 4}]
    layer = premises(
        [
            {"premises_id": f"p{n}", "geometry": square_centre(r["k"])}
            for n, r in enumerate(rows)
        ]
        + [{"premises_id": "p9", "geometry": outside["geometry"]}]
    )
    listings = finder.prepare(layer, six_squares, one_stop)
    assert ids(listings, q(areas=["visperud"])) == ["p1"]
    assert ids(listings, q(areas=["sentrum", "ahus"])) == ["p0", "p2"]
    assert ids(listings, q(areas=[])) == ["p0", "p1", "p2", "p9"]
    assert ids(listings, q(areas=["rest"])) == ["p9"]


def test_type_filter_takes_several_types(six_squares, one_stop):
    """Types: any of the ticked ones."""
    listings = build(
        [{"type": "kontor"}, {"type": "lager/logistikk"}, {"type": "handel"}],
        six_squares,
        one_stop,
    )
    assert ids(listings, q(types=["lager/logistikk", "handel"])) == ["p01", "p02"]
    assert ids(listings, q(types=["nonsense"])) == ["p00", "p01", "p02"]


def test_size_bounds_are_inclusive(six_squares, one_stop):
    """800–1 500 m² keeps 800 and 1 500, not 799 or 1 501."""
    sizes = [799, 800, 1500, 1501]
    listings = build([{"size_m2": s} for s in sizes], six_squares, one_stop)
    assert ids(listings, q(size=(800, 1500))) == ["p01", "p02"]
    assert ids(listings, q(size=(None, 800))) == ["p00", "p01"]
    assert ids(listings, q(size=("1 500", None))) == ["p02", "p03"]


def test_rent_bounds_are_inclusive(six_squares, one_stop):
    """Rent 1 000–2 000 keeps both ends."""
    rents = [999, 1000, 2000, 2001]
    listings = build([{"rent_nok_m2_year": r} for r in rents], six_squares, one_stop)
    assert ids(listings, q(rent=(1000, 2000))) == ["p01", "p02"]


def test_listings_without_rent_are_kept_or_excluded(six_squares, one_stop):
    """A listing with no rent passes a rent range only when the user keeps them."""
    listings = build(
        [{"rent_nok_m2_year": 1200}, {"rent_nok_m2_year": math.nan}],
        six_squares,
        one_stop,
    )
    assert ids(listings, q(rent=(1000, 1500))) == ["p00", "p01"]
    assert ids(listings, q(rent=(1000, 1500), rent_missing="exclude")) == ["p00"]
    assert ids(listings, q(rent_missing="exclude")) == ["p00"]
    assert ids(listings, q(rent=(1300, None))) == ["p01"]


def test_available_by_includes_the_day(six_squares, one_stop):
    """ "From next spring": available on or before the chosen date."""
    days = ["2026-02-28", "2026-03-01", "2026-03-02"]
    listings = build([{"available_from": d} for d in days], six_squares, one_stop)
    assert ids(listings, q(available_by="2026-03-01")) == ["p00", "p01"]
    assert ids(listings, q(available_by="not a date")) == ["p00", "p01", "p02"]


def test_status_is_available_only_by_default(six_squares, one_stop):
    """Only `ledig` by default; no status ticked means every status."""
    statuses = ["ledig", "reservert", "utleid", "trukket"]
    listings = build([{"status": s} for s in statuses], six_squares, one_stop)
    assert ids(listings, finder.Query()) == ["p00"]
    assert ids(listings, q(statuses=["ledig", "reservert"])) == ["p00", "p01"]
    assert len(ids(listings, q(statuses=[]))) == 4


# --- staleness ----------------------------------------------------------------------


def test_stale_after_more_than_90_days():
    """Updated exactly 90 days ago is still fresh; 91 days ago is possibly stale."""
    day90 = TODAY.toordinal() - 90
    day91 = TODAY.toordinal() - 91
    assert finder.stale_mask(np.array([day90, day91]), TODAY).tolist() == [
        False,
        True,
    ]
    assert finder.stale_mask(np.array([finder.NO_DAY]), TODAY).tolist() == [True]


def test_staleness_counts_norwegian_days():
    """23:30 UTC on 2 March is 3 March in Norway: 90 days before 1 June, fresh."""
    assert not finder.is_stale("2025-03-02T23:30:00Z", TODAY)
    assert finder.is_stale("2025-03-02T12:00:00Z", TODAY)


# --- nearest stops ------------------------------------------------------------------


@pytest.fixture
def utm_case(six_squares):
    """A listing and two stops placed in EPSG:25833 metres."""
    listing = premises(
        [{"premises_id": "p", "geometry": Point(270_000, 6_650_000)}],
        crs=METRIC_CRS,
    )
    near = ("Nær", 4, Point(270_300, 6_650_400))  # 3-4-5: 500 m
    busy = ("Travel", 20, Point(271_200, 6_649_500))  # sqrt(1200² + 500²) = 1300 m
    quiet = ("Stille", 1, Point(269_950, 6_650_000))  # 50 m
    layer = stops([near, busy, quiet], crs=METRIC_CRS)
    return finder.prepare(listing, six_squares, layer)


def test_nearest_stop_distance_is_straight_line_in_utm(utm_case):
    """The distance is the hand-computed EPSG:25833 one; walking adds 30 %."""
    stop, dist = finder.nearest(utm_case, 4)
    assert utm_case.stops["name"][stop[0]] == "Nær"
    assert dist[0] == pytest.approx(500.0, abs=0.01)
    assert finder.walking_m(dist)[0] == pytest.approx(650.0, abs=0.02)


def test_min_departures_chooses_the_stops_that_count(utm_case):
    """Any stop, at least N departures (between counts too), or none at all."""
    name = utm_case.stops["name"]
    stop, dist = finder.nearest(utm_case, None)
    assert name[stop[0]] == "Stille" and dist[0] == pytest.approx(50.0, abs=0.01)
    stop, dist = finder.nearest(utm_case, 5)
    assert name[stop[0]] == "Travel" and dist[0] == pytest.approx(1300.0, abs=0.01)
    stop, dist = finder.nearest(utm_case, 2.5)
    assert name[stop[0]] == "Nær"
    stop, dist = finder.nearest(utm_case, 21)
    assert stop[0] == -1 and math.isinf(dist[0])


def test_walking_distance_filter_is_inclusive(utm_case):
    """At most 650 m walking to a stop with 4+ departures keeps the 650 m listing."""
    assert ids(utm_case, q(min_departures=4, max_walk_m=650.02)) == ["p"]
    assert ids(utm_case, q(min_departures=4, max_walk_m=649)) == []
    assert ids(utm_case, q(min_departures=21, max_walk_m=100_000)) == []
    assert ids(utm_case, q(min_departures=21)) == ["p"]


def test_nearest_stops_is_vectorised_over_thresholds():
    """One row per distinct departure count, nearest qualifying stop per point."""
    pts = [Point(0, 0), Point(10, 0)]
    stop_pts = [Point(1, 0), Point(9, 0), Point(20, 0)]
    levels, near, dist = finder.nearest_stops(pts, stop_pts, [2, 8, 8])
    assert levels.tolist() == [2.0, 8.0]
    assert near.tolist() == [[0, 1], [1, 1]]
    assert dist.tolist() == [[1.0, 1.0], [9.0, 1.0]]


# --- sorting and pages -----------------------------------------------------------------


@pytest.fixture
def five(six_squares, one_stop):
    """Five listings of different sizes, rents and dates."""
    rows = [
        {"size_m2": 300, "rent_nok_m2_year": 1800, "available_from": "2025-09-01"},
        {"size_m2": 900, "rent_nok_m2_year": math.nan, "available_from": "2025-07-01"},
        {"size_m2": 600, "rent_nok_m2_year": 1200, "available_from": "2025-08-01"},
        {"size_m2": 1200, "rent_nok_m2_year": 2500, "available_from": "2025-07-01"},
        {"size_m2": 100, "rent_nok_m2_year": math.nan, "available_from": "2025-10-01"},
    ]
    return build(rows, six_squares, one_stop)


def order(listings, sort_model, query=None):
    """Ids in the order a grid sorted by ``sort_model`` shows them."""
    rows = finder.ordered(listings, query or finder.Query(), sort_model)
    return [listings.frame["premises_id"][k] for k in rows]


def test_default_order_is_soonest_available_then_id(five):
    """With no sort, the soonest available come first."""
    assert order(five, None) == ["p01", "p03", "p02", "p00", "p04"]


def test_sort_by_size_both_ways(five):
    """A column sorts ascending and descending."""
    assert order(five, [{"colId": "size", "sort": "asc"}])[0] == "p04"
    assert order(five, [{"colId": "size", "sort": "desc"}])[0] == "p03"


def test_missing_rent_sorts_last_both_ways(five):
    """Listings without a rent come last, whichever way rent is sorted."""
    asc = order(five, [{"colId": "rent", "sort": "asc"}])
    desc = order(five, [{"colId": "rent", "sort": "desc"}])
    assert asc == ["p02", "p00", "p03", "p01", "p04"]
    assert desc == ["p03", "p00", "p02", "p01", "p04"]


def test_multi_column_sort_agrees_with_a_single_one(five):
    """Two sort columns use the slow path; the first column still decides."""
    model = [{"colId": "available", "sort": "asc"}, {"colId": "size", "sort": "desc"}]
    assert order(five, model) == ["p03", "p01", "p02", "p00", "p04"]
    assert order(five, [{"colId": "nonsense"}]) == order(five, None)


def test_page_slices_sorted_matches_and_counts_them(five):
    """A grid block: the rows asked for, and the number of all matches."""
    block = finder.page(
        five, q(size=(200, None)), [{"colId": "size", "sort": "asc"}], 1, 3, TODAY
    )
    assert block["rowCount"] == 4
    assert [r["premises_id"] for r in block["rowData"]] == ["p02", "p01"]
    assert block["rowData"][0]["size"] == "600\u00a0m²"


def test_row_index_finds_a_listing_among_the_matches(five):
    """The position of a listing in the sorted matches, or None."""
    model = [{"colId": "size", "sort": "desc"}]
    assert finder.row_index(five, finder.Query(), model, "p01") == 1
    assert finder.row_index(five, q(size=(None, 500)), model, "p01") is None
    assert finder.row_index(five, finder.Query(), model, "nope") is None


def test_grid_row_is_plain_text_and_flags_stale(six_squares, one_stop):
    """Grid cells are text (markup stays literal) with the freshness in words."""
    listings = build(
        [
            {
                "title": "<img src=x onerror=alert(1)>",
                "updated_at": "2024-01-01T00:00:00Z",
            }
        ],
        six_squares,
        one_stop,
    )
    row = finder.page(listings, finder.Query(), None, 0, 10, TODAY)["rowData"][0]
    assert row["title"] == "<img src=x onerror=alert(1)>"
    assert row["stale"] is True and row["updated"] == "01.01.2024 · kan være utdatert"
    assert row["stop"] == "Sentrum (linje 3, 25)"
    en = finder.page(listings, finder.Query(), None, 0, 10, TODAY, "en")["rowData"][0]
    assert en["updated"] == "2024-01-01 · possibly stale"


# --- the URL ---------------------------------------------------------------------------


def test_query_survives_the_url():
    """Every filter goes into the query string and back."""
    query = q(
        areas=["visperud", "rest"],
        types=["lager/logistikk"],
        size=(800, 1500),
        rent=(None, 1800.5),
        rent_missing="exclude",
        available_by="2026-03-01",
        statuses=["ledig", "reservert"],
        min_departures=4,
        max_walk_m=600,
    )
    params = {k: v for k, v in finder.query_to_params(query).items() if v}
    assert params["m2"] == "800-1500" and params["rent"] == "-1800.5"
    assert finder.query_from_params(params) == query
    assert finder.query_from_params({}) == finder.Query()
    assert finder.query_from_params({"status": "alle"}).statuses == ()


def test_bad_url_values_are_dropped():
    """A hand-edited link cannot break the page: unknown values are ignored."""
    query = finder.query_from_params(
        {"areas": "visperud,atlantis", "m2": "x-5", "by": "2026-13-40", "walk": "-3"}
    )
    assert query.areas == ("visperud",)
    assert (query.size_min, query.size_max) == (None, 5.0)
    assert query.available_by is None and query.max_walk_m is None
    assert finder.ids_from_param("a,b,,a,c", {"a": 0, "c": 1}) == ["a", "c"]


def test_match_bits_round_trip():
    """The bitset the browser gets decodes to the same matches."""
    mask = np.random.default_rng(1).random(1001) > 0.5
    text = finder.match_bits(mask)
    assert len(text) < 200
    assert finder.bits_mask(text, 1001).tolist() == mask.tolist()


def test_prepare_leaves_its_input_unchanged(six_squares, one_stop):
    """prepare copies; the store's cached frame is not modified."""
    layer = premises([{"premises_id": "b", "geometry": square_centre(1)}])
    before = layer.copy()
    finder.prepare(layer, six_squares, one_stop)
    assert_geodataframe_equal(layer, before)


# --- exports -----------------------------------------------------------------------------

EVIL = {
    "title": '=HYPERLINK("http://evil.example","klikk")',
    "contact": "+47 99 99 99 99",
    "address": "@SUM(A1:A2)",
    "url": "javascript:alert(1)",
}


@pytest.fixture
def exported(six_squares, one_stop):
    """Two listings (one with formula-like text) and an active search."""
    listings = build(
        [
            {"premises_id": "good", "url": "https://example.no/a", "size_m2": 900},
            {"premises_id": "evil", **EVIL, "size_m2": 1000},
        ],
        six_squares,
        one_stop,
    )
    query = q(areas=["sentrum"], types=["kontor"], size=(800, 1500))
    header = finder.export_header(
        listings,
        query,
        today=TODAY,
        now=NOW,
        source="Demonstrasjonsdata (lokaleregister), per 2024-10-30",
        demonstration=True,
        what="kortliste (2 lokaler)",
        lang="nb",
    )
    rows = finder.export_rows(listings, query, TODAY, ids=["evil", "good"])
    return header, rows


def test_xlsx_export_has_filters_on_top_and_rows_below(exported):
    """Filter, export time, source and the demonstration note come first."""
    header, rows = exported
    data = sheets.table_xlsx(header, finder.export_labels("nb"), rows)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    top = [ws.cell(row=r, column=1).value for r in range(1, len(header) + 1)]
    assert top[1].startswith("Filter: Område: Sentrum; Type lokale: Kontor")
    assert "Størrelse: 800–1\u00a0500\u00a0m²" in top[1]
    assert top[2] == "Utvalg: kortliste (2 lokaler)"
    assert top[3] == "Eksportert: 2025-06-01 14:30 (Europe/Oslo)"
    assert top[4].startswith("Kilde: Demonstrasjonsdata")
    assert "Demonstrasjonsdata" in top[-1]
    table = len(header) + 2
    assert ws.cell(row=table, column=1).value == "ID"
    assert ws.cell(row=table + 1, column=1).value == "evil"
    assert ws.cell(row=table + 2, column=1).value == "good"
    size_col = finder.EXPORT_COLUMNS.index("size_m2") + 1
    assert ws.cell(row=table + 2, column=size_col).value == 900


def test_xlsx_keeps_formula_like_text_as_text(exported):
    """Text starting with = + - @ is stored as text, never as a formula."""
    header, rows = exported
    data = sheets.table_xlsx(header, finder.export_labels("nb"), rows)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    row = len(header) + 3
    for column in ("title", "contact", "address"):
        cell = ws.cell(row=row, column=finder.EXPORT_COLUMNS.index(column) + 1)
        assert cell.data_type == "s"
        assert cell.value == EVIL[column]
    url = ws.cell(row=row, column=finder.EXPORT_COLUMNS.index("url") + 1)
    assert url.value is None  # javascript: is not a link
    good = ws.cell(row=row + 1, column=finder.EXPORT_COLUMNS.index("url") + 1)
    assert good.value == "https://example.no/a"
    assert b"<f>" not in _sheet_xml(data)


def _sheet_xml(data):
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_csv_export_neutralises_formulas(exported):
    """CSV for Excel: BOM, semicolons, formula-like text behind an apostrophe."""
    header, rows = exported
    data = sheets.table_csv(header, finder.export_labels("nb"), rows)
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert lines[1][0].startswith("Filter:")
    evil = lines[len(header) + 2]
    assert evil[0] == "evil"
    assert evil[finder.EXPORT_COLUMNS.index("title")] == "'" + EVIL["title"]
    assert evil[finder.EXPORT_COLUMNS.index("url")] == ""
    assert evil[finder.EXPORT_COLUMNS.index("size_m2")] == "1000"


def test_only_http_links_are_links():
    """javascript:, data: and relative links are dropped."""
    assert finder.safe_link("https://example.no/x") == "https://example.no/x"
    assert finder.safe_link("HTTP://example.no") == "HTTP://example.no"
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "http://", ""):
        assert finder.safe_link(bad) == ""


def test_describe_query_in_both_languages(five):
    """The filter line names each active filter, in the chosen language."""
    query = q(
        areas=["rest"], rent=(None, 2000), available_by="2026-03-01", max_walk_m=600
    )
    nb = "; ".join(finder.describe_query(five, query, "nb"))
    en = "; ".join(finder.describe_query(five, query, "en"))
    assert "Område: Resten av kommunen" in nb and "Ledig senest: 01.03.2026" in nb
    assert "luftlinje × 1,3" in nb and "600 m" in nb
    assert "Area: Rest of the municipality" in en and "2026-03-01" in en


def test_precomputed_orders_match_a_full_sort(five):
    """The per-column orders made by prepare agree with sorting at request time."""
    query = q(statuses=[])
    idx = np.flatnonzero(finder.filter_mask(five, query))
    for column in finder.SORT_COLUMNS:
        for direction in ("asc", "desc"):
            model = [{"colId": column, "sort": direction}]
            fast = finder.ordered(five, query, model)
            slow = finder._lexsorted(five, idx, model, query.min_departures)
            assert fast.tolist() == slow.tolist(), (column, direction)
