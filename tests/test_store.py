"""The GeoPackage store: round trip, metadata, atomic replacement."""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from geopandas.testing import assert_geodataframe_equal

from layers.errors import InputError, StoreError
from layers.store import GeoPackageStore, open_store


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_keeps_rows_and_metadata(tmp_path, six_squares):
    """A replaced layer reads back equal, with its source and as-of date."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers(
        {"areas": (six_squares, {"source": "test", "as_of": "2024-10-31"})}
    )
    back = store.read_layer("areas")
    assert_geodataframe_equal(
        back, six_squares.assign(geometry=back.geometry), check_dtype=False
    )
    assert back.geometry.normalize().geom_equals(six_squares.geometry.normalize()).all()
    info = store.layer_info("areas")
    assert (info.source, info.as_of, info.rows) == ("test", "2024-10-31", 6)


def test_list_layers_names_every_layer(tmp_path, six_squares, empty):
    """list_layers returns one entry per stored layer, sorted, with demo flags."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers(
        {
            "areas": (six_squares, {"source": "a"}),
            "premises": (empty("premises"), {"source": "p", "demonstration": True}),
        }
    )
    infos = store.list_layers()
    assert [i.name for i in infos] == ["areas", "premises"]
    assert [i.demonstration for i in infos] == [False, True]


def test_invalid_layer_leaves_store_unchanged(tmp_path, six_squares):
    """A frame that fails its schema is refused and the file keeps its bytes."""
    path = tmp_path / "s.gpkg"
    store = GeoPackageStore(path)
    store.replace_layers({"areas": (six_squares, {"source": "a"})})
    before = _sha(path)
    with pytest.raises(InputError, match="area_id"):
        store.replace_layers({"areas": (six_squares.drop(columns="area_id"), {})})
    assert _sha(path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp.gpkg")]


def test_missing_store_is_a_clear_error(tmp_path):
    """Reading a store that does not exist names the file."""
    store = open_store(tmp_path / "nope.gpkg")
    with pytest.raises(StoreError, match="nope.gpkg does not exist"):
        store.read_layer("areas")


def test_reproducible_writes_give_equal_bytes(tmp_path, six_squares):
    """The same layers written reproducibly twice give byte-identical files."""
    for name in ("a.gpkg", "b.gpkg"):
        GeoPackageStore(tmp_path / name).replace_layers(
            {"areas": (six_squares, {"source": "x"})}, reproducible=True
        )
    assert _sha(tmp_path / "a.gpkg") == _sha(tmp_path / "b.gpkg")


def test_reader_sees_new_data_after_replace(tmp_path, six_squares):
    """The per-process cache is invalidated when the file is replaced."""
    store = GeoPackageStore(tmp_path / "s.gpkg")
    store.replace_layers({"areas": (six_squares, {"source": "a"})})
    assert len(store.read_layer("areas")) == 6
    store.replace_layers({"areas": (six_squares.iloc[:2], {"source": "b"})})
    assert len(store.read_layer("areas")) == 2


@pytest.mark.slow
def test_killed_import_leaves_previous_data(tmp_path, six_squares):
    """SIGKILL in the middle of a write leaves the old store readable and intact."""
    path = tmp_path / "s.gpkg"
    GeoPackageStore(path).replace_layers({"areas": (six_squares, {"source": "old"})})
    before = _sha(path)
    script = textwrap.dedent(
        f"""
        import os, signal, pyogrio
        import geopandas as gpd
        from layers.store import GeoPackageStore
        real = pyogrio.write_dataframe
        def write_then_die(*a, **k):
            real(*a, **k)
            os.kill(os.getpid(), signal.SIGKILL)
        pyogrio.write_dataframe = write_then_die
        store = GeoPackageStore({str(path)!r})
        areas = store.read_layer("areas")
        store.replace_layers({{"areas": (areas.iloc[:1], {{"source": "new"}})}})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL
    assert _sha(path) == before
    store = GeoPackageStore(path)
    assert len(store.read_layer("areas")) == 6
    assert store.layer_info("areas").source == "old"
