"""The store on both backends: round trip, metadata, atomic replacement, versions.

Every test taking ``new_store`` runs on the GeoPackage and on the PostGIS backend
(see ``tests/pg/fixtures.py``); a few check what only one backend has (bytes of
the file, the database's version counter).
"""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from layers.errors import InputError, StoreError
from layers.store import GeoPackageStore, open_store


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_keeps_rows_and_metadata(new_store, six_squares):
    """A replaced layer reads back equal, with its source and as-of date."""
    store = new_store()
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


def test_list_layers_names_every_layer(new_store, six_squares, empty):
    """list_layers returns one entry per stored layer, sorted, with demo flags."""
    store = new_store()
    store.replace_layers(
        {
            "areas": (six_squares, {"source": "a"}),
            "premises": (empty("premises"), {"source": "p", "demonstration": True}),
        }
    )
    infos = store.list_layers()
    assert [i.name for i in infos] == ["areas", "premises"]
    assert [i.demonstration for i in infos] == [False, True]
    assert len(store.read_layer("premises")) == 0


def test_invalid_layer_leaves_store_unchanged(new_store, six_squares):
    """A frame that fails its schema is refused and the store keeps its layer."""
    store = new_store()
    store.replace_layers({"areas": (six_squares, {"source": "a"})})
    before = (store.version(), store.version("areas"))
    sha = _sha(store.path) if new_store.backend == "gpkg" else None
    with pytest.raises(InputError, match="area_id"):
        store.replace_layers({"areas": (six_squares.drop(columns="area_id"), {})})
    assert (store.version(), store.version("areas")) == before
    assert store.layer_info("areas").source == "a"
    if sha is not None:
        assert _sha(store.path) == sha
        folder = store.path.parent
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp.gpkg")]


def test_missing_store_is_a_clear_error(new_store):
    """Reading a store that does not exist names it."""
    store = new_store()
    assert not store.exists()
    with pytest.raises(StoreError, match="does not exist") as info:
        store.read_layer("areas")
    assert str(store.path) in str(info.value)


def test_reader_sees_new_data_after_replace(new_store, six_squares):
    """The per-process cache is invalidated when a layer is replaced."""
    store = new_store()
    store.replace_layers({"areas": (six_squares, {"source": "a"})})
    assert len(store.read_layer("areas")) == 6
    store.replace_layers({"areas": (six_squares.iloc[:2], {"source": "b"})})
    assert len(store.read_layer("areas")) == 2
    # Another handle on the same store (another process would be the same) too.
    assert len(open_store(new_store.locator(store)).read_layer("areas")) == 2


def test_versions_change_with_the_layers_they_cover(new_store, six_squares, empty):
    """A layer's version changes when it is replaced (PostGIS: only then)."""
    store = new_store()
    store.replace_layers(
        {"areas": (six_squares, {}), "landmarks": (empty("landmarks"), {})}
    )
    whole, areas, landmarks = (
        store.version(),
        store.version("areas"),
        store.version("landmarks"),
    )
    store.replace_layers({"landmarks": (empty("landmarks"), {"source": "again"})})
    assert store.version() != whole
    assert store.version("landmarks") != landmarks
    if new_store.backend == "postgis":
        # The GeoPackage is a new file after any import; the database keeps one
        # generation per layer, so other layers' caches survive.
        assert store.version("areas") == areas


def test_replacing_several_layers_is_one_step(new_store, six_squares, empty):
    """If one frame of a replacement is refused, none of them is written."""
    store = new_store()
    store.replace_layers({"areas": (six_squares, {"source": "old"})})
    with pytest.raises(InputError):
        store.replace_layers(
            {
                "areas": (six_squares.iloc[:1], {"source": "new"}),
                "landmarks": (six_squares, {}),
            }
        )
    assert store.layer_info("areas").source == "old"
    assert [i.name for i in store.list_layers()] == ["areas"]


KILLED_IMPORT = """
    import os, signal, sys
    import pyogrio
    from layers.store import open_store
    import layers.store.postgis as postgis

    def die_after(real):
        def wrapper(*a, **k):
            real(*a, **k)
            os.kill(os.getpid(), signal.SIGKILL)
        return wrapper

    pyogrio.write_dataframe = die_after(pyogrio.write_dataframe)
    postgis._write_frame = die_after(postgis._write_frame)
    store = open_store(sys.argv[1])
    areas = store.read_layer("areas")
    store.replace_layers({"areas": (areas.iloc[:1], {"source": "new"})})
"""


def test_killed_import_leaves_previous_data(new_store, six_squares):
    """SIGKILL in the middle of a write leaves the old layer readable and intact."""
    store = new_store()
    store.replace_layers({"areas": (six_squares, {"source": "old"})})
    sha = _sha(store.path) if new_store.backend == "gpkg" else None
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(KILLED_IMPORT),
            new_store.locator(store),
        ],
        cwd=os.getcwd(),
    )
    assert proc.returncode == -signal.SIGKILL
    if sha is not None:
        assert _sha(store.path) == sha
    again = open_store(new_store.locator(store))
    assert len(again.read_layer("areas")) == 6
    assert again.layer_info("areas").source == "old"


def test_plain_tables_are_kept_beside_the_layers(new_store, six_squares):
    """A plain DataFrame given to replace_layers reads back with read_table."""
    store = new_store()
    if not hasattr(store, "read_table"):
        pytest.skip(f"{new_store.backend} has no plain tables yet")
    table = pd.DataFrame({"stop_id": ["a", "b"], "minutes": [3.5, 12.0]})
    store.replace_layers(
        {"areas": (six_squares, {}), "reach_minutes": (table, {"source": "t"})}
    )
    back = store.read_table("reach_minutes")
    pd.testing.assert_frame_equal(back, table, check_dtype=False)
    assert [i.name for i in store.list_layers()] == ["areas"]


def test_reproducible_writes_give_equal_bytes(tmp_path, six_squares):
    """The same layers written reproducibly twice give byte-identical files."""
    for name in ("a.gpkg", "b.gpkg"):
        GeoPackageStore(tmp_path / name).replace_layers(
            {"areas": (six_squares, {"source": "x"})}, reproducible=True
        )
    assert _sha(tmp_path / "a.gpkg") == _sha(tmp_path / "b.gpkg")


def test_side_tables_have_the_same_columns_on_both_backends(
    tmp_path, pg_url, six_squares
):
    """The SQLite tables their owners create match the PostGIS migrations."""
    import contextlib

    from layers import register, sessions, users
    from layers.register import staging
    from layers.store import PostGISStore

    def fill(store):
        store.replace_layers({"areas": (six_squares, {})})
        register.add_listing(
            store,
            {"title": "A", "type": "kontor", "size_m2": 100, "status": "ledig"}
            | {"lat": 59.93, "lon": 10.96},
            user="kari",
        )
        users.add_user(store, "kari", "kari-passord-2026", "editor")
        sessions.start_session(store, "kari", "session-1", lifetime_s=3600)
        staging.put(store, "a" * 32, ".csv", "a.csv", b"x")

    gpkg, pg = GeoPackageStore(tmp_path / "s.gpkg"), PostGISStore(pg_url)
    fill(gpkg)
    fill(pg)
    tables = (
        "store_layers",
        "register_premises",
        "register_history",
        "users",
        "user_sessions",
        "login_throttle",
        "register_uploads",
    )
    with contextlib.closing(gpkg.connect()) as con:
        lite = {
            t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in tables
        }
    with pg.snapshot() as con:
        post = {
            t: [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
                    (pg.schema, t),
                )
            ]
            for t in tables
        }
    # PostGIS keeps three more columns per layer (kind, generation, table name).
    assert post.pop("store_layers")[: len(lite["store_layers"])] == lite.pop(
        "store_layers"
    )
    assert post == lite


def test_migrations_upgrade_an_older_database_once(pg_url, six_squares):
    """A store at an older migration is upgraded on first use, each file once."""
    from layers.store import PostGISStore
    from layers.store.postgis import dispose

    store = PostGISStore(pg_url)
    store.replace_layers({"areas": (six_squares, {})})
    numbers = [n for n, _name, _path in store.migrations()]
    assert store.applied() == numbers and store.upgrade() == []
    with store.transaction() as con:  # back to the first migration
        con.execute("DROP TABLE user_sessions")
        con.execute("DROP TABLE login_throttle")
        con.execute("DROP TABLE register_uploads")
        con.execute("DELETE FROM schema_migrations WHERE version > 1")
    dispose(store)  # as a new process would start
    again = PostGISStore(pg_url)
    assert again.exists() and again.applied() == numbers
    with again.snapshot() as con:
        assert con.table_exists("user_sessions") and con.table_exists(
            "register_uploads"
        )
    assert len(again.read_layer("areas")) == 6
