"""`python -m layers migrate`: GeoPackage -> PostGIS and back, verified."""

import subprocess
import sys

import pytest

from layers import firm_index, register, timetable, users
from layers.errors import StoreError
from layers.store import open_store
from layers.store.migrate import copy_store, verify
from tests.register_support import ROOT, store_with_users


@pytest.fixture
def source(default_store, tmp_path):
    """A copy of the default store with two editors and an edited listing."""
    path = store_with_users(default_store, tmp_path / "src")
    store = open_store(path)
    row = register.all_listings(store)[0]
    register.update_listing(
        store,
        row["premises_id"],
        {"contact": "kari@example.org"},
        expected_version=row["version"],
        user="kari",
    )
    return store


def test_gpkg_to_postgis_and_back_keeps_everything(source, pg_url, tmp_path):
    """Layers, register (versions, history) and users survive the round trip."""
    done = subprocess.run(
        [sys.executable, "-m", "layers", "migrate", "--from", str(source.path)]
        + ["--to", pg_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "verified" in done.stdout
    pg = open_store(pg_url)
    assert {i.name: i.rows for i in pg.list_layers()} == {
        i.name: i.rows for i in source.list_layers()
    }
    pid = register.all_listings(source)[0]["premises_id"]
    assert register.history(pg, pid) == register.history(source, pid)
    assert register.get_listing(pg, pid)["version"] == 2
    assert users.authenticate(pg, "kari", "kari-passord-2026")["role"] == "editor"
    # The derived tables go along: travel times and the firm index work there.
    assert firm_index.load(pg) is not None
    assert timetable.load_timetable(pg) is not None
    # A new edit in PostGIS gets a fresh history id (the sequence follows the copy).
    register.renew_listing(pg, pid, user="ola")
    assert register.history(pg, pid)[0]["id"] > register.history(source, pid)[0]["id"]

    back = open_store(tmp_path / "laptop.gpkg")
    copy_store(pg, back)
    assert register.history(back, pid) == register.history(pg, pid)
    assert verify(pg, back)["figures"] > 0


def test_a_target_with_data_is_refused(source, pg_url):
    """Without --replace, migrate never overwrites a store that holds data."""
    target = open_store(pg_url)
    copy_store(source, target)
    with pytest.raises(StoreError, match="holds data already"):
        copy_store(source, target)
    assert copy_store(source, target, replace=True)["tables"]["users"] == 2


def test_a_differing_copy_is_reported(source, pg_url):
    """verify names what differs when the copy is changed afterwards."""
    target = open_store(pg_url)
    copy_store(source, target)
    register.renew_listing(
        target, register.all_listings(target)[0]["premises_id"], user="ola"
    )
    with pytest.raises(StoreError, match="register_premises"):
        verify(source, target)


def test_build_goes_straight_into_postgis(default_store, pg_url):
    """`build --store postgresql://…` gives the same figures as the default store."""
    from layers.stats import store_figures

    done = subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", pg_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    pg, gpkg = open_store(pg_url), open_store(default_store)
    assert store_figures(pg) == store_figures(gpkg)
    assert register.all_listings(pg) == register.all_listings(gpkg)
