"""A layer from an older store, without columns added since, still loads."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
from shapely.geometry import Point

from layers.schemas import CRS, SCHEMAS
from layers.store import GeoPackageStore

NEW = ("employees_estimated", "nace_standard")


def test_old_establishments_layer_gets_the_new_columns(tmp_path):
    """employees_estimated defaults to False and nace_standard to ""."""
    cols = {c: ["x"] for c, k in SCHEMAS["establishments"].items() if k == "str"}
    cols.update(employees=[3], placed=[True])
    old = gpd.GeoDataFrame(
        {c: v for c, v in cols.items() if c not in NEW},
        geometry=[Point(10.95, 59.93)],
        crs=CRS,
    )
    path = tmp_path / "old.gpkg"
    pyogrio.write_dataframe(old, path, layer="establishments", driver="GPKG")
    gdf = GeoPackageStore(path).read_layer("establishments")
    assert list(gdf.columns[:-1]) == list(SCHEMAS["establishments"])
    assert gdf["employees_estimated"].tolist() == [False]
    assert gdf["employees_estimated"].dtype == bool
    assert gdf["nace_standard"].tolist() == [""]


def test_given_values_are_kept(tmp_path):
    """A layer that has the columns keeps their values through the store."""
    cols = {c: ["x"] for c, k in SCHEMAS["establishments"].items() if k == "str"}
    cols.update(employees=[2], placed=[True], employees_estimated=[True])
    cols["nace_standard"] = ["SN2025"]
    gdf = gpd.GeoDataFrame(cols, geometry=[Point(10.95, 59.93)], crs=CRS)
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers({"establishments": (gdf, {"source": "t"})})
    back = store.read_layer("establishments")
    assert back["employees_estimated"].tolist() == [True]
    assert back["nace_standard"].tolist() == ["SN2025"]
