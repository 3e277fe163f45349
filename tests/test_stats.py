"""Per-area figures: definitions of every figure and the rest/total rows."""

import math

import geopandas as gpd
import pytest
from shapely.geometry import Point

from layers.schemas import AREA_IDS, CRS, conform, empty_layer
from layers.stats import area_figures, locate
from tests.conftest import square_centre


def _est(rows):
    base = {
        "orgnr": "",
        "name": "",
        "parent_orgnr": "",
        "nace": "47.1",
        "nace_section": "G",
        "nace_standard": "SN2007",
        "employees_estimated": False,
        "org_form": "BEDR",
        "start_date": "2020-01-01",
        "address": "",
        "postcode": "1470",
        "kommunenummer": "3222",
    }
    recs = [
        {
            **base,
            "orgnr": f"9{i:08d}",
            "employees": jobs,
            "placed": geom is not None,
            "geometry": geom,
        }
        for i, (geom, jobs) in enumerate(rows)
    ]
    return _frame("establishments", recs)


def _prem(rows):
    recs = [
        {
            "premises_id": str(i),
            "title": "t",
            "address": "",
            "type": "kontor",
            "size_m2": size,
            "rent_nok_m2_year": rent,
            "available_from": "2025-01-01",
            "status": status,
            "contact": "",
            "url": "",
            "updated_at": "",
            "geometry": geom,
        }
        for i, (geom, size, rent, status) in enumerate(rows)
    ]
    return _frame("premises", recs)


def _stops(rows):
    recs = [
        {
            "stop_id": sid,
            "name": sid,
            "lines": lines,
            "departures_peak_hour": peak,
            "departures_day": 0,
            "geometry": geom,
        }
        for sid, geom, lines, peak in rows
    ]
    return _frame("transit_stops", recs)


def _frame(name, recs):
    if not recs:
        return empty_layer(name)
    return conform(name, gpd.GeoDataFrame(recs, geometry="geometry", crs=CRS))


def _by_id(rows):
    return {r["area_id"]: r for r in rows}


def test_locate_assigns_points_and_rest(six_squares):
    """Points inside a square get its id; outside or missing get 'rest'."""
    pts = gpd.GeoSeries(
        [square_centre(0), square_centre(5), Point(11.5, 60.5), None], crs=CRS
    )
    assert list(locate(pts, six_squares)) == ["sentrum", "losbydalen", "rest", "rest"]


def test_establishments_and_jobs_add_up(six_squares, empty):
    """Areas plus rest equal the total; unplaced count in rest and in the total."""
    est = _est(
        [
            (square_centre(0), 5),
            (square_centre(0), 0),
            (square_centre(3), 7),
            (Point(11.2, 60.1), 2),
            (None, 4),
        ]
    )
    rows = _by_id(
        area_figures(six_squares, est, empty("premises"), empty("transit_stops"))
    )
    assert rows["sentrum"]["establishments"] == 2 and rows["sentrum"]["jobs"] == 5
    assert rows["visperud"]["jobs"] == 7
    assert rows["rest"]["establishments"] == 2 and rows["rest"]["jobs"] == 6
    assert rows["total"]["unplaced_establishments"] == 1
    parts = [rows[a]["jobs"] for a in (*AREA_IDS, "rest")]
    assert sum(parts) == rows["total"]["jobs"] == 18


def test_premises_count_only_available(six_squares, empty):
    """Only 'ledig' listings count; m² summed; median rent ignores missing rent."""
    p = square_centre(4)
    prem = _prem(
        [
            (p, 100.0, 1000.0, "ledig"),
            (p, 50.0, 3000.0, "ledig"),
            (p, 30.0, float("nan"), "ledig"),
            (p, 999.0, 10.0, "utleid"),
        ]
    )
    rows = _by_id(area_figures(six_squares, _est([]), prem, empty("transit_stops")))
    ahus = rows["ahus"]
    assert ahus["premises_available"] == 3
    assert ahus["premises_m2"] == 180.0
    assert ahus["median_rent_nok_m2"] == 2000.0
    assert rows["sentrum"]["median_rent_nok_m2"] is None


def test_lines_are_counted_once_per_area(six_squares, empty):
    """Lines serving several stops of an area count once; departures are summed."""
    stops = _stops(
        [
            ("A", square_centre(1), "25,300", 6.0),
            ("B", square_centre(1), "300,L1", 2.5),
            ("C", square_centre(2), "", 0.0),
        ]
    )
    rows = _by_id(area_figures(six_squares, _est([]), empty("premises"), stops))
    st = rows["stasjonsomradet"]
    assert (st["stops"], st["lines"], st["departures_peak_hour"]) == (2, 3, 8.5)
    assert rows["fjellhamar"]["stops"] == 1 and rows["fjellhamar"]["lines"] == 0
    assert rows["total"]["lines"] == 3


def test_rows_in_order_with_sources(six_squares, empty):
    """Rows come as the six areas, rest, total; every figure names its source."""
    sources = {
        "establishments": {
            "source": "demo",
            "as_of": "2024-10-31",
            "demonstration": True,
        }
    }
    rows = area_figures(
        six_squares,
        _est([]),
        empty("premises"),
        empty("transit_stops"),
        sources=sources,
    )
    assert [r["area_id"] for r in rows] == [*AREA_IDS, "rest", "total"]
    assert rows[0]["sources"]["jobs"]["as_of"] == "2024-10-31"
    assert rows[0]["demonstration"] is True
    assert rows[0]["sources"]["stops"]["demonstration"] is False


def test_point_on_edge_is_not_within(six_squares, empty):
    """A point exactly on an area's edge is not within it (goes to rest)."""
    edge = Point(10.90, 59.905)
    rows = _by_id(
        area_figures(
            six_squares, _est([(edge, 1)]), empty("premises"), empty("transit_stops")
        )
    )
    assert (
        rows["sentrum"]["establishments"] == 0 and rows["rest"]["establishments"] == 1
    )


@pytest.mark.parametrize("n", [0, 1])
def test_empty_layers_give_zeros(six_squares, empty, n):
    """Empty layers give zero counts rather than errors."""
    est = _est([(square_centre(0), 3)] * n)
    rows = _by_id(
        area_figures(six_squares, est, empty("premises"), empty("transit_stops"))
    )
    assert rows["total"]["establishments"] == n
    assert rows["total"]["premises_m2"] == 0.0
    assert not math.isnan(rows["total"]["departures_peak_hour"])


def test_stops_outside_municipality_are_left_out(six_squares, empty):
    """A stop outside the boundary counts in neither rest nor total."""
    from shapely.geometry import box

    muni = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["L"]},
        geometry=[box(10.85, 59.85, 11.1, 59.95)],
        crs=CRS,
    )
    stops = _stops(
        [("in", Point(11.0, 59.93), "1", 1.0), ("out", Point(10.7, 59.93), "2", 3.0)]
    )
    rows = _by_id(
        area_figures(six_squares, _est([]), empty("premises"), stops, boundary=muni)
    )
    assert rows["rest"]["stops"] == 1 and rows["total"]["stops"] == 1
    assert rows["total"]["departures_peak_hour"] == 1.0


def test_estimated_jobs_and_standard_are_reported(six_squares, empty):
    """jobs_estimated is the part of jobs from the 1-4 class; standards named."""
    est = _est([(square_centre(0), 2), (square_centre(0), 9), (None, 2)])
    est["employees_estimated"] = [True, False, True]
    est["nace_standard"] = ["SN2025", "SN2007", "SN2025"]
    rows = _by_id(
        area_figures(six_squares, est, empty("premises"), empty("transit_stops"))
    )
    assert (rows["sentrum"]["jobs"], rows["sentrum"]["jobs_estimated"]) == (11, 2)
    assert rows["rest"]["jobs_estimated"] == 2
    assert (rows["total"]["jobs"], rows["total"]["jobs_estimated"]) == (13, 4)
    assert rows["sentrum"]["industry_standard"] == ["SN2007", "SN2025"]
    assert rows["rest"]["industry_standard"] == ["SN2025"]
    assert rows["visperud"]["industry_standard"] == []
