"""The store's plain (non-spatial) tables, written beside the layers."""

import pandas as pd
import pytest

from layers.errors import StoreError
from layers.store import GeoPackageStore


def _table():
    return pd.DataFrame({"k": [1, 2], "blob": [b"\x01\x00", b""], "s": ["a", "b"]})


def test_table_round_trip(tmp_path, six_squares):
    """A table written with layers in one step reads back equal, not as a layer."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers(
        {"areas": (six_squares, {"source": "a"}), "my_table": (_table(), {})}
    )
    pd.testing.assert_frame_equal(store.read_table("my_table"), _table())
    assert [i.name for i in store.list_layers()] == ["areas"]


def test_missing_table_is_none(tmp_path, six_squares):
    """A table the store does not hold reads as None."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers({"areas": (six_squares, {"source": "a"})})
    assert store.read_table("my_table") is None


def test_table_is_replaced_with_the_next_write(tmp_path):
    """Writing a table again replaces it (and the cached frame)."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers({"my_table": (_table(), {})})
    store.replace_layers({"my_table": (_table().iloc[:1], {})})
    assert len(store.read_table("my_table")) == 1


@pytest.mark.parametrize("name", ["gpkg_contents", "store_layers", "Bad-Name", "1x"])
def test_reserved_or_bad_table_names_are_refused(tmp_path, name):
    """GeoPackage, SQLite and store names, and non-identifiers, are refused."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    with pytest.raises(StoreError):
        store.replace_layers({name: (_table(), {})})
