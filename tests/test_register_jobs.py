"""Bulk-import jobs and staged uploads kept in the store, on both backends.

The job's row (``register_jobs``) and the staged file (``register_uploads``) live in
the store, so a second handle (another app server) sees the progress and result
and can confirm; the commit is all or nothing, checked against the preview.
"""

from __future__ import annotations

import time

import geopandas as gpd
import pytest
from shapely.geometry import box

from layers import register
from layers.register import imports, jobs, staging
from layers.schemas import CRS
from layers.store import open_store


@pytest.fixture
def store(new_store):
    """A store holding only a boundary around Lørenskog (gpkg and postgis)."""
    boundary = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.85, 59.80, 11.10, 60.00)],
        crs=CRS,
    )
    s = new_store()
    s.locator = new_store.locator(s)
    s.replace_layers({"boundary": (boundary, {"source": "test"})})
    return s


def generated(n, *, street="Testveien"):
    """A broker list of ``n`` rows with coordinates inside Lørenskog."""
    lines = ["Tittel;Adresse;Type lokale;Areal (m²);Leie;Status;lat;lon"]
    for i in range(n):
        lat = 59.915 + (i % 200) * 0.0001  # a 2 x 2 km patch in central Lørenskog
        lon = 10.950 + (i // 200) * 0.00025
        lines.append(
            f"Lokale {i};{street} {i};kontor;200;{1000 + i % 900} kr;ledig;"
            f"{lat:.6f};{lon:.6f}"
        )
    return "\n".join(lines) + "\n"


def wait(store, token, limit_s=600):
    """Poll a job until it ends (bounded); return its row and the phases seen."""
    phases = []
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        job = jobs.status(store, token)
        if job["state"] != "running":
            return job, phases
        phases.append((job["phase"], job["done"], job["total"]))
        time.sleep(0.2)
    raise AssertionError("job did not end")


def test_a_job_is_seen_and_confirmed_from_another_server(store):
    """Stage on one handle; another handle reads the job and confirms the list."""
    token = staging.start_stage(
        store, "liste.csv", generated(30).encode(), user="kari", background=False
    )
    other = open_store(store.locator)
    job = jobs.status(other, token)
    assert (job["state"], job["kind"], job["username"]) == ("done", "stage", "kari")
    result = job["result"]
    assert result["report"]["counts"]["added"] == 30
    assert result["rows"]["total"] == 30 and len(result["rows"]["points"]) == 30
    assert staging.staged_tokens(other) == [token]
    confirm = staging.start_confirm(
        other, result["ticket"], user="ola", background=False
    )
    done = jobs.status(store, confirm)
    assert done["state"] == "done" and done["result"]["outcome"] == "done"
    assert done["result"]["report"]["counts"]["added"] == 30
    assert len(register.all_listings(store)) == 30
    assert staging.staged_tokens(store) == []
    history = register.history(store, register.all_listings(store)[0]["premises_id"])
    assert [h["action"] for h in history] == ["import"] and history[0]["user"] == "ola"


def test_a_background_job_reports_its_phases(store):
    """In a thread: the row moves through read/compare/write and ends done."""
    token = staging.start_stage(store, "liste.csv", generated(1200).encode(), user="k")
    job, phases = wait(store, token, limit_s=300)
    assert job["state"] == "done", job
    assert {p for p, _d, _t in phases} <= {"read", "compare"}
    confirm = staging.start_confirm(store, job["result"]["ticket"], user="k")
    done, phases = wait(store, confirm, limit_s=300)
    assert done["result"]["outcome"] == "done"
    assert {p for p, _d, _t in phases} <= {"read", "compare", "write"}
    assert len(register.all_listings(store)) == 1200


def test_a_stalled_job_reads_as_interrupted(store):
    """A running row that stopped moving belonged to a stopped server."""
    token = "ab" * 16
    jobs.create(store, token, "confirm", "liste.csv", "kari", now=time.time() - 999)
    assert jobs.status(store, token)["state"] == "interrupted"
    jobs.update(store, token, "compare", 5, 10)
    job = jobs.status(store, token)
    assert (job["state"], job["phase"], job["done"], job["total"]) == (
        "running",
        "compare",
        5,
        10,
    )
    assert jobs.status(store, "../etc/passwd") is None
    assert jobs.status(store, "f" * 32) is None
    with pytest.raises(ValueError):
        jobs.create(store, "nope", "stage", "x", "kari")


def test_a_failed_job_lists_the_problems_and_keeps_nothing(store):
    bad = generated(3).replace(";200;", ";-5;", 1).encode()
    token = staging.start_stage(store, "liste.csv", bad, user="k", background=False)
    job = jobs.status(store, token)
    assert job["state"] == "failed"
    problems = jobs.problems_from(job["result"])
    assert problems and problems[0].row == 1 and problems[0].code
    assert staging.staged_tokens(store) == []


def test_old_jobs_are_cleaned(store):
    jobs.create(store, "cd" * 16, "stage", "a.csv", "kari", now=time.time() - 2e5)
    jobs.finish(store, "cd" * 16, "done", {"x": 1}, now=time.time() - 2e5)
    jobs.clean(store)
    assert jobs.status(store, "cd" * 16) is None


def test_an_edit_between_preview_and_commit_makes_the_confirm_stale(store):
    """The optimistic check: the preview named each listing's version."""
    first = staging.stage(store, "liste.csv", generated(3).encode())
    assert staging.confirm(store, first.ticket, user="kari").state == "done"
    changed = generated(3).replace(";200;", ";300;")
    staged = staging.stage(store, "liste.csv", changed.encode())
    assert staged.report["counts"]["changed"] == 3
    listing = register.all_listings(store)[0]
    register.update_listing(
        store,
        listing["premises_id"],
        {"contact": "Per"},
        expected_version=listing["version"],
        user="ola",
    )
    outcome = staging.confirm(store, staged.ticket, user="kari")
    assert outcome.state == "stale" and outcome.ticket is not None
    assert {r["size_m2"] for r in register.all_listings(store)} == {200.0}


def test_the_check_inside_the_transaction_refuses_a_late_edit(store):
    """An edit after the confirm's own check, before its commit: nothing written."""
    staged = staging.stage(store, "liste.csv", generated(3).encode())
    seen = imports.digest({"added": [], "changed": [], "unchanged": [], "unplaced": []})
    read = staging.read_file(store, generated(3).encode(), "liste.csv")
    with pytest.raises(imports.StaleImport):
        register.apply_import(store, read.layer, user="kari", expected_digest=seen)
    assert register.all_listings(store) == []
    assert staging.confirm(store, staged.ticket, user="kari").state == "done"


def test_uploads_over_the_limit_are_refused_before_they_are_kept(store, monkeypatch):
    monkeypatch.setattr(staging, "MAX_BYTES", 100)
    with pytest.raises(staging.InputError) as caught:
        staging.start_stage(store, "liste.csv", generated(10).encode(), user="k")
    assert caught.value.code == "limit.file_size"
    assert staging.staged_tokens(store) == []


def test_jobs_table_has_the_same_columns_on_both_backends(tmp_path, pg_url):
    """The SQLite table the owner creates matches migration 0003 (PostGIS)."""
    import contextlib

    from layers.store import GeoPackageStore, PostGISStore

    gpkg, pg = GeoPackageStore(tmp_path / "s.gpkg"), PostGISStore(pg_url)
    square = gpd.GeoDataFrame(
        {"kommunenummer": ["3222"], "kommunenavn": ["Lørenskog"]},
        geometry=[box(10.9, 59.9, 11.0, 60.0)],
        crs=CRS,
    )
    for s in (gpkg, pg):
        s.replace_layers({"boundary": (square, {})})
        jobs.create(s, "ef" * 16, "stage", "a.csv", "kari")
        with register.writing(s):  # the register's tables (SQLite)
            pass
    with contextlib.closing(gpkg.connect()) as con:
        lite = [r[1] for r in con.execute("PRAGMA table_info(register_jobs)")]
        lat = [r for r in con.execute("PRAGMA table_info(register_premises)")]
    with pg.snapshot() as con:
        post = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = 'register_jobs' "
                "ORDER BY ordinal_position",
                (pg.schema,),
            )
        ]
        nullable = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = ? AND table_name = 'register_premises'",
                (pg.schema,),
            )
        }
    assert post == lite and "result" in lite
    assert nullable["lat"] == nullable["lon"] == "YES"
    assert [r[3] for r in lat if r[1] in ("lat", "lon")] == [0, 0]


@pytest.mark.slow
def test_a_30000_row_list_previews_and_imports_in_the_background(store, monkeypatch):
    """30 000 rows on either backend: preview and confirm complete as background
    jobs, with progress; the register is read once per comparison (linear), never
    once per row; the commit writes every listing and its history at once."""
    reads = []
    real = imports._fetch_all
    monkeypatch.setattr(imports, "_fetch_all", lambda con: reads.append(1) or real(con))
    n = 30_000
    raw = generated(n).encode()
    assert len(raw) > staging.BACKGROUND_BYTES
    token = staging.start_stage(store, "stor.csv", raw, user="kari")
    job, _phases = wait(store, token)
    assert job["state"] == "done", job
    result = job["result"]
    assert result["report"]["counts"]["added"] == n
    assert len(result["report"]["added"]) == staging.PREVIEW_ROWS
    assert len(result["rows"]["rows"]) == staging.PREVIEW_ROWS
    assert len(result["rows"]["points"]) == staging.MAX_MAP_POINTS
    assert result["rows"]["placed"] == n
    assert len(reads) == 1  # one read of the register for 30 000 rows
    reads.clear()
    confirm = staging.start_confirm(store, result["ticket"], user="kari")
    done, phases = wait(store, confirm)
    assert done["state"] == "done" and done["result"]["outcome"] == "done", done
    assert done["result"]["report"]["counts"]["added"] == n
    assert len(register.all_listings(store)) == n
    assert len(reads) == 2  # the check before the write, and the write's own
    assert {p for p, _d, _t in phases} <= {"read", "compare", "write"}
    pid = register.all_listings(store)[-1]["premises_id"]
    assert [h["action"] for h in register.history(store, pid)] == ["import"]
