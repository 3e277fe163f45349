"""The six areas: indicative outlines and the importer for official polygons."""

import itertools
import json

import geopandas as gpd
import pytest

from layers.build import read_boundary, read_neighbours
from layers.errors import InputError
from layers.schemas import AREA_IDS, METRIC_CRS
from layers.sources.areas import draw_indicative_areas, fixed_points, read_areas


@pytest.fixture(scope="module")
def boundary():
    return read_boundary()


@pytest.fixture(scope="module")
def drawn(boundary):
    return draw_indicative_areas(boundary)


def test_six_areas_in_order(drawn):
    """The indicative layer has the six ids in their fixed order, all indicative."""
    assert list(drawn.area_id) == list(AREA_IDS)
    assert drawn.indicative.all()
    assert drawn.crs == "EPSG:4326"


def test_areas_lie_inside_municipality(drawn, boundary):
    """Every outline is clipped to the municipal boundary."""
    muni = boundary.to_crs(METRIC_CRS).union_all().buffer(0.5)
    assert drawn.to_crs(METRIC_CRS).within(muni).all()


def test_areas_do_not_overlap(drawn):
    """No two outlines share any area."""
    metric = drawn.to_crs(METRIC_CRS).geometry
    for a, b in itertools.combinations(metric, 2):
        assert a.intersection(b).area < 0.01


def test_fixed_points_fall_in_their_area(drawn):
    """Stasjon, Metro, Triaden, Ahus and Losby Gods lie in the right polygons."""
    pts = fixed_points()
    joined = gpd.sjoin(pts, drawn[["area_id", "geometry"]], predicate="within")
    assert len(joined) == len(pts)
    assert (joined.area_id_left == joined.area_id_right).all()


def test_visperud_touches_oslo(drawn):
    """Visperud shares at least 300 m of border with Oslo."""
    oslo = read_neighbours().query("kommunenummer == '0301'").to_crs(METRIC_CRS)
    vis = drawn.set_index("area_id").to_crs(METRIC_CRS).geometry["visperud"]
    shared = vis.buffer(5).intersection(oslo.union_all().boundary).length
    assert shared > 300


def _write(tmp_path, gdf, name="areas.geojson"):
    path = tmp_path / name
    gdf.to_file(path)
    return path


def test_read_official_areas(tmp_path, drawn, boundary):
    """A GeoPackage with `id` and `navn` columns is read and marked not indicative."""
    official = drawn[["area_id", "name", "geometry"]].rename(
        columns={"area_id": "id", "name": "navn"}
    )
    path = _write(tmp_path, official.iloc[::-1], "areas.gpkg")
    areas = read_areas(path, boundary=boundary)
    assert list(areas.area_id) == list(AREA_IDS)
    assert not areas.indicative.any()


def test_unknown_area_id_names_row_and_field(tmp_path, drawn):
    """An id outside the six is refused with file, row and field in the message."""
    bad = drawn[["area_id", "geometry"]].copy()
    bad.loc[2, "area_id"] = "strommen"
    path = _write(tmp_path, bad)
    with pytest.raises(InputError) as err:
        read_areas(path)
    assert "areas.geojson, row 3, field 'area_id'" in str(err.value)
    assert "strommen" in str(err.value)


def test_overlapping_areas_are_refused(tmp_path, drawn):
    """Two areas that overlap are refused, naming both."""
    bad = drawn[["area_id", "geometry"]].copy()
    bad.loc[1, "geometry"] = bad.geometry[0].buffer(0.001)
    with pytest.raises(InputError, match="overlap"):
        read_areas(_write(tmp_path, bad))


def test_missing_area_is_refused(tmp_path, drawn):
    """A file with five of the six areas is refused, naming the missing one."""
    with pytest.raises(InputError, match="missing area.*losbydalen"):
        read_areas(_write(tmp_path, drawn[["area_id", "geometry"]].iloc[:5]))


def test_areas_outside_municipality_are_refused(tmp_path, drawn, boundary):
    """Polygons moved 10 km away are refused as outside the municipality."""
    moved = drawn[["area_id", "geometry"]].copy()
    moved["geometry"] = moved.translate(xoff=0.2)
    with pytest.raises(InputError, match="outside the municipality"):
        read_areas(_write(tmp_path, moved), boundary=boundary)


def test_not_a_geo_file_is_refused(tmp_path):
    """A file that is not GeoJSON/GeoPackage gives an error naming the file."""
    path = tmp_path / "areas.geojson"
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(InputError, match="areas.geojson"):
        read_areas(path)
