"""The premises register: validation, edits, history, conflicts, imports, durability."""

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from layers import register as reg
from layers.errors import InputError, StoreError
from layers.schemas import CRS, SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
T1 = datetime(2025, 3, 2, 10, 30, tzinfo=UTC)
VALID = {
    "title": "Kontor i sentrum",
    "address": "Skårersletta 12, 1473 Lørenskog",
    "type": "kontor",
    "size_m2": "250",
    "rent_nok_m2_year": "1 800",
    "available_from": "2025-04-01",
    "status": "ledig",
    "contact": "Kari Nordmann, 99 99 99 99",
    "url": "https://example.no/lokale",
    "lat": 59.93,
    "lon": 10.96,
}


@pytest.fixture
def boundary():
    """A square around Lørenskog standing in for the municipality."""
    return gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.90, 59.83, 11.04, 59.96)],
        crs=CRS,
    )


@pytest.fixture
def store(new_store, boundary):
    """A store holding only the boundary layer (GeoPackage and PostGIS)."""
    s = new_store()
    s.replace_layers({"boundary": (boundary, {"source": "test"})})
    s.locator = new_store.locator(s)
    s.backend = new_store.backend
    return s


def _errors(values, **kw):
    with pytest.raises(reg.FormErrors) as info:
        reg.validate_listing(values, **kw)
    return info.value.errors


def _premises(rows):
    """A premises layer from (id, title, size) triples."""
    records = [
        {
            "premises_id": pid,
            "title": title,
            "address": "Solheimveien 1",
            "type": "lager/logistikk",
            "size_m2": size,
            "rent_nok_m2_year": float("nan"),
            "available_from": "2025-01-01",
            "status": "ledig",
            "contact": "",
            "url": "",
            "updated_at": "2025-01-01T00:00:00Z",
        }
        for pid, title, size in rows
    ]
    points = [Point(10.95 + 0.001 * k, 59.92) for k in range(len(records))]
    return gpd.GeoDataFrame(records, geometry=points, crs=CRS)


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("title", "  ", "title is required"),
        ("title", "x" * 201, "title is too long"),
        ("address", "x" * 201, "address is too long"),
        ("type", "slott", "unknown type"),
        ("status", "solgt", "unknown status"),
        ("status", "", "status is required"),
        ("size_m2", "", "size is required"),
        ("size_m2", "-5", "size must be greater than 0"),
        ("size_m2", "300 000", "size 300000 is implausible"),
        ("size_m2", "stor", "expected a number"),
        ("rent_nok_m2_year", "0", "rent must be greater than 0"),
        ("rent_nok_m2_year", "50000", "rent 50000 is implausible"),
        ("available_from", "31.02.2025", "expected a date"),
        ("contact", "x" * 201, "contact is too long"),
        ("contact", "Kari\x00", "control character"),
        ("url", "javascript:alert(1)", "must be an http:// or https:// address"),
        ("url", "data:text/html,<b>x</b>", "must be an http:// or https:// address"),
        ("url", "ftp://example.no/x", "must be an http:// or https:// address"),
        ("url", "https://", "no host name"),
        ("lat", "", "latitude is required"),
        ("lon", "øst", "expected a number"),
    ],
)
def test_each_field_error_is_reported_at_the_field(field, value, fragment):
    """A wrong value gives a message under its own field only."""
    errors = _errors({**VALID, field: value})
    assert list(errors) == [field]
    assert fragment in errors[field]


def test_swapped_coordinates_are_reported_at_lat_and_lon():
    """A swapped pair is reported under both coordinate fields."""
    errors = _errors({**VALID, "lat": 10.96, "lon": 59.93})
    assert set(errors) == {"lat", "lon"}
    assert "swapped" in errors["lat"]


def test_point_outside_the_boundary_is_refused(boundary):
    """A point kilometres outside the municipality is refused."""
    errors = _errors({**VALID, "lon": 10.5}, boundary=boundary)
    assert "outside the municipality" in errors["lon"]


def test_point_just_outside_the_boundary_is_tolerated(boundary):
    """A point under 200 m outside the generalised boundary is accepted."""
    out = reg.validate_listing({**VALID, "lon": 11.0415}, boundary=boundary)
    assert out["lon"] == 11.0415


def test_all_field_errors_are_reported_at_once():
    """Every wrong field is reported in one FormErrors."""
    bad = {**VALID, "title": "", "size_m2": "0", "url": "javascript:x", "type": "?"}
    assert set(_errors(bad)) == {"title", "size_m2", "url", "type"}


def test_form_errors_is_an_input_error():
    """FormErrors is an InputError naming the first wrong field."""
    error = reg.FormErrors({"title": "title is required", "url": "bad"})
    assert isinstance(error, InputError) and error.field == "title"


def test_valid_values_are_normalised():
    """Synonyms, Norwegian numbers and dates are normalised; empty rent is None."""
    out = reg.validate_listing(
        {
            **VALID,
            "type": "Butikk",
            "size_m2": "1 250,5",
            "rent_nok_m2_year": "",
            "available_from": "01.05.2025",
            "status": "Available",
        }
    )
    assert (out["type"], out["size_m2"], out["rent_nok_m2_year"]) == (
        "handel",
        1250.5,
        None,
    )
    assert (out["available_from"], out["status"]) == ("2025-05-01", "ledig")


def test_add_returns_version_one_and_logs_creation(store):
    """A new listing is version 1 and its creation is in the history."""
    row = reg.add_listing(store, VALID, user="kari", now=T0)
    assert (row["version"], row["created_by"], row["updated_at"]) == (
        1,
        "kari",
        "2025-03-01T09:00:00Z",
    )
    (entry,) = reg.history(store, row["premises_id"])
    assert (entry["user"], entry["action"], entry["at"]) == (
        "kari",
        "create",
        "2025-03-01T09:00:00Z",
    )
    assert entry["changes"]["size_m2"] == [None, 250.0]


def test_add_with_invalid_values_writes_nothing(store):
    """A refused form leaves the register empty."""
    with pytest.raises(reg.FormErrors):
        reg.add_listing(store, {**VALID, "size_m2": ""}, user="kari")
    assert not reg.has_register(store)


def test_add_checks_the_boundary(store, boundary):
    """add_listing refuses a point outside the given boundary."""
    with pytest.raises(reg.FormErrors) as info:
        reg.add_listing(store, {**VALID, "lon": 10.5}, user="kari", boundary=boundary)
    assert "lon" in info.value.errors


def test_same_title_and_address_twice_is_refused(store):
    """A second listing with the same title and address is a duplicate."""
    reg.add_listing(store, VALID, user="kari")
    with pytest.raises(reg.FormErrors) as info:
        reg.add_listing(store, VALID, user="ola")
    assert "exists already" in info.value.errors["title"]


def test_text_is_stored_verbatim(store):
    """Markup in text round-trips unchanged; escaping is the UI's job."""
    title = "<script>alert(1)</script> & «Ærlig» kontor"
    row = reg.add_listing(store, {**VALID, "title": title}, user="kari")
    assert reg.get_listing(store, row["premises_id"])["title"] == title
    assert reg.read_register(store).loc[0, "title"] == title


def test_read_register_has_schema_columns_then_extras(store):
    """The register reads as a premises layer plus bookkeeping columns."""
    reg.add_listing(store, {**VALID, "rent_nok_m2_year": ""}, user="kari")
    gdf = reg.read_register(store)
    assert list(gdf.columns) == [*SCHEMAS["premises"], *reg.EXTRA_COLUMNS, "geometry"]
    assert gdf.crs == CRS and gdf.geometry.iloc[0].equals(Point(10.96, 59.93))
    assert gdf["rent_nok_m2_year"].isna().all() and gdf.loc[0, "version"] == 1


def test_empty_register_reads_as_empty_frame(store):
    """Without listings the register is an empty frame with every column."""
    gdf = reg.read_register(store)
    assert len(gdf) == 0
    assert list(gdf.columns) == [*SCHEMAS["premises"], *reg.EXTRA_COLUMNS, "geometry"]


def test_has_register_needs_a_listing(store):
    """has_register is False until a listing is saved."""
    assert not reg.has_register(store)
    reg.add_listing(store, VALID, user="kari")
    assert reg.has_register(store)


def test_missing_store_is_a_store_error(new_store):
    """Writing to a store that does not exist raises StoreError."""
    with pytest.raises(StoreError, match="does not exist"):
        reg.add_listing(new_store(), VALID, user="kari")


def test_update_bumps_version_and_logs_only_changed_fields(store):
    """An update records who, when and exactly the fields that changed."""
    pid = reg.add_listing(store, VALID, user="kari", now=T0)["premises_id"]
    row = reg.update_listing(
        store,
        pid,
        {"size_m2": "300", "contact": "Ola"},
        expected_version=1,
        user="ola",
        now=T1,
    )
    assert (row["version"], row["updated_by"], row["size_m2"]) == (2, "ola", 300.0)
    entry = reg.history(store, pid)[0]
    assert (entry["action"], entry["user"], entry["at"]) == (
        "update",
        "ola",
        "2025-03-02T10:30:00Z",
    )
    assert entry["changes"] == {
        "size_m2": [250.0, 300.0],
        "contact": ["Kari Nordmann, 99 99 99 99", "Ola"],
    }


def test_update_without_changes_keeps_the_version(store):
    """Saving an unchanged form writes no new version."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    row = reg.update_listing(store, pid, VALID, expected_version=1, user="ola")
    assert row["version"] == 1 and len(reg.history(store, pid)) == 1


def test_stale_version_raises_conflict_naming_the_other_editor(store):
    """A second editor saving a stale version learns who changed it."""
    pid = reg.add_listing(store, VALID, user="kari", now=T0)["premises_id"]
    reg.update_listing(
        store, pid, {"size_m2": 300}, expected_version=1, user="anna", now=T1
    )
    with pytest.raises(reg.ConflictError) as info:
        reg.update_listing(store, pid, {"size_m2": 400}, expected_version=1, user="ola")
    conflict = info.value
    assert (conflict.updated_by, conflict.updated_at) == (
        "anna",
        "2025-03-02T10:30:00Z",
    )
    assert conflict.current["version"] == 2 and conflict.current["size_m2"] == 300.0
    assert "anna" in str(conflict)


def test_conflict_leaves_the_listing_unchanged(store):
    """The refused edit is not stored."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    reg.update_listing(store, pid, {"size_m2": 300}, expected_version=1, user="anna")
    with contextlib.suppress(reg.ConflictError):
        reg.update_listing(store, pid, {"size_m2": 400}, expected_version=1, user="ola")
    assert reg.get_listing(store, pid)["size_m2"] == 300.0


def test_update_of_unknown_listing_is_an_input_error(store):
    """Updating an id that does not exist names the id."""
    with pytest.raises(InputError, match="no listing"):
        reg.update_listing(store, "nope", VALID, expected_version=1, user="kari")


def test_status_follows_the_allowed_path(store):
    """ledig → reservert → utleid → ledig is allowed, one version each."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    for version, status in enumerate(("reservert", "utleid", "ledig"), start=1):
        row = reg.set_status(store, pid, status, expected_version=version, user="ola")
    assert (row["status"], row["version"]) == ("ledig", 4)
    assert reg.history(store, pid)[0]["changes"] == {"status": ["utleid", "ledig"]}


@pytest.mark.parametrize(
    ("path", "refused"),
    [((), "utleid"), (("trukket",), "reservert"), ((), "ledig")],
)
def test_disallowed_status_change_is_refused(store, path, refused):
    """Changes outside the transition table are refused with a message."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    for version, status in enumerate(path, start=1):
        reg.set_status(store, pid, status, expected_version=version, user="kari")
    with pytest.raises(reg.FormErrors) as info:
        reg.set_status(store, pid, refused, expected_version=len(path) + 1, user="ola")
    assert "status" in info.value.errors


def test_withdrawal_is_allowed_from_any_status(store):
    """Every status can change to trukket."""
    for start in ("ledig", "reservert", "utleid"):
        assert "trukket" in reg.TRANSITIONS[start]


def test_update_cannot_skip_the_transition_table(store):
    """A form edit setting a disallowed status is refused too."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    with pytest.raises(reg.FormErrors, match="cannot become"):
        reg.update_listing(
            store, pid, {"status": "utleid"}, expected_version=1, user="ola"
        )


def test_renew_sets_updated_at_and_logs_it(store):
    """Renewing a listing stamps it with the current time."""
    pid = reg.add_listing(store, VALID, user="kari", now=T0)["premises_id"]
    row = reg.renew_listing(store, pid, user="ola", now=T1)
    assert (row["updated_at"], row["version"]) == ("2025-03-02T10:30:00Z", 2)
    assert reg.history(store, pid)[0]["action"] == "renew"


def test_history_is_newest_first(store):
    """History lists the latest change first."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    reg.set_status(store, pid, "reservert", expected_version=1, user="ola")
    reg.renew_listing(store, pid, user="anna")
    actions = [e["action"] for e in reg.history(store, pid)]
    assert actions == ["renew", "status", "create"]


def test_seed_replaces_every_listing(store):
    """Seeding drops listings not in the frame and marks demonstration data."""
    reg.add_listing(store, VALID, user="kari")
    reg.seed_register(
        store, _premises([("a", "A", 100.0)]), user="build", demonstration=True
    )
    gdf = reg.read_register(store)
    assert list(gdf["premises_id"]) == ["a"] and bool(gdf.loc[0, "demonstration"])


def test_preview_counts_and_writes_nothing(store):
    """Preview sorts rows into added, changed and unchanged without writing."""
    reg.seed_register(
        store,
        _premises([("a", "A", 100.0), ("b", "B", 200.0)]),
        user="build",
        demonstration=False,
    )
    before = (store.version(), reg.all_listings(store))
    report = reg.preview_import(
        store, _premises([("a", "A", 100.0), ("b", "B", 250.0), ("c", "C", 50.0)])
    )
    counts = {k: len(v) for k, v in report.items()}
    assert counts == {"added": 1, "changed": 1, "unchanged": 1, "unplaced": 0}
    assert report["changed"][0]["changes"] == {"size_m2": [200.0, 250.0]}
    assert (store.version(), reg.all_listings(store)) == before


def test_apply_import_upserts_without_deleting(store):
    """Apply adds and updates listings, keeps the missing ones, logs imports."""
    reg.seed_register(
        store,
        _premises([("a", "A", 100.0), ("b", "B", 200.0)]),
        user="build",
        demonstration=False,
    )
    report = reg.apply_import(
        store, _premises([("b", "B", 250.0), ("c", "C", 50.0)]), user="kari"
    )
    assert [len(report[k]) for k in ("added", "changed", "unchanged")] == [1, 1, 0]
    gdf = reg.read_register(store).set_index("premises_id")
    assert list(gdf.index) == ["a", "b", "c"]
    assert (gdf.loc["b", "size_m2"], gdf.loc["b", "version"]) == (250.0, 2)
    assert reg.history(store, "b")[0]["action"] == "import"


def test_import_with_duplicate_ids_is_refused(store):
    """A list with the same id twice is refused before writing."""
    with pytest.raises(InputError, match="duplicate"):
        reg.apply_import(
            store, _premises([("a", "A", 1.0), ("a", "B", 2.0)]), user="kari"
        )


def test_failure_inside_the_transaction_rolls_everything_back(store, monkeypatch):
    """An error half-way through an import leaves the register as it was.

    The listings are inserted first, then the history entries: the history's
    write fails here, after the inserts, and nothing is kept.
    """
    monkeypatch.setattr(
        reg.imports, "_LOG", "INSERT INTO no_such_table VALUES (?, ?, ?, ?, ?)"
    )
    with pytest.raises(Exception, match="no_such_table"):
        reg.apply_import(
            store, _premises([("a", "A", 1.0), ("b", "B", 2.0)]), user="kari"
        )
    assert not reg.has_register(store)


def _run(script, *args):
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _integrity(store):
    if store.backend != "gpkg":
        return "ok"  # PostgreSQL: a killed client's transaction is rolled back
    with contextlib.closing(store.connect(readonly=False)) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


ADD_STREAM = """
    import sys
    from layers.register import add_listing
    from layers.store import open_store

    store = open_store(sys.argv[1])
    for k in range(100000):
        values = {"title": f"Lokale {k}", "type": "kontor", "size_m2": 100 + k,
                  "status": "ledig", "lat": 59.93, "lon": 10.96}
        row = add_listing(store, values, user="stream")
        print(row["premises_id"], flush=True)
"""


@pytest.mark.slow
def test_acknowledged_adds_survive_sigkill(store):
    """Every add acknowledged before a SIGKILL is stored; the file is intact."""
    proc = _run(ADD_STREAM, store.locator)
    acked = [proc.stdout.readline().strip() for _ in range(20)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert all(acked), proc.stderr.read()
    stored = set(reg.read_register(store)["premises_id"])
    assert set(acked) <= stored
    assert _integrity(store) == "ok"


KILLED_MID_TRANSACTION = """
    import os, signal, sys
    from layers.register import writing
    from layers.store import open_store

    store = open_store(sys.argv[1])
    with writing(store) as con:
        if sys.argv[2] == "gpkg":
            con.execute("PRAGMA cache_size = 1")
        con.execute("CREATE TABLE junk (x TEXT)")
        con.executemany("INSERT INTO junk VALUES (?)", [("x" * 500,)] * 5000)
        con.execute("UPDATE register_premises SET title = 'half-saved'")
        os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_transaction_killed_midway_is_rolled_back_on_read(store):
    """A writer killed mid-transaction leaves no trace once the register is read."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    proc = _run(KILLED_MID_TRANSACTION, store.locator, store.backend)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert reg.get_listing(store, pid)["title"] == VALID["title"]
    if store.backend == "gpkg":
        assert not Path(f"{store.path}-journal").exists()
    with reg.reading(store) as con:
        assert not reg.table_exists(con, "junk")
    assert _integrity(store) == "ok"


EDIT = """
    import sys
    from layers.register import ConflictError, update_listing
    from layers.store import open_store

    store = open_store(sys.argv[1])
    try:
        update_listing(store, sys.argv[2], {"contact": sys.argv[3]},
                       expected_version=1, user=sys.argv[3])
        print("saved")
    except ConflictError:
        print("conflict")
"""


@pytest.mark.slow
def test_two_processes_editing_the_same_version_one_wins(store):
    """Of two processes saving the same version, one saves, one gets a conflict."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    procs = [_run(EDIT, store.locator, pid, name) for name in ("anna", "ola")]
    results = sorted(p.communicate()[0].strip() for p in procs)
    assert results == ["conflict", "saved"]
    assert reg.get_listing(store, pid)["version"] == 2


def test_register_survives_a_layer_import(store, boundary):
    """Replacing a layer keeps the register tables in the store file."""
    pid = reg.add_listing(store, VALID, user="kari")["premises_id"]
    store.replace_layers({"boundary": (boundary, {"source": "again"})})
    assert reg.get_listing(store, pid)["title"] == VALID["title"]
