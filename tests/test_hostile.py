"""Hostile files and store faults: clear answers (exit 2 or 3), nothing changed.

The fast tier checks the guards one by one and the store's faults in process; the
slow tier (``test_hostile_corpus``) runs the whole generated corpus of
``tests/hostile/corpus.py`` through the CLI in subprocesses.
"""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from layers import limits
from layers.cli import EXIT_STORE, main
from layers.errors import InputError
from layers.sources import guard

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture
def store(default_store, tmp_path):
    path = tmp_path / "store.gpkg"
    shutil.copyfile(default_store, path)
    return path


def _digest(path):
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------- the guards


def test_nested_arrays_are_refused_at_the_depth_limit_in_little_memory():
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bomb = io.BytesIO(b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(InputError) as err:
        list(guard.iter_json_records(bomb, "bomb.json"))
    assert err.value.code == "limit.json_depth"
    assert str(limits.MAX_JSON_DEPTH) in str(err.value)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 200_000  # was 6.9 GB with ijson.items on prefixes


def test_records_stream_as_ijson_items_would():
    recs = [{"a": 1, "b": {"c": [1, 2, {"d": "x"}]}}, {"e": None, "f": True}]
    page = {"_embedded": {"underenheter": recs}, "page": {"size": 2}}
    data = json.dumps(page).encode()
    got = guard.iter_json_records(
        io.BytesIO(data), "p", path=("_embedded", "underenheter", "item")
    )
    assert list(got) == recs
    assert guard.scan_json(io.BytesIO(data), "p") == page


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b'[{"antallAnsatte": NaN}]', "value.not_finite"),
        (b'[{"antallAnsatte": 1e999}]', "value.not_finite"),
        (b'[{"navn": "' + b"x" * (limits.MAX_CELL + 1) + b'"}]', "limit.cell_length"),
        (b'[{"navn": "a"', "file.json_invalid_at"),
    ],
)
def test_json_guard_names_what_is_wrong(text, code):
    with pytest.raises(InputError) as err:
        list(guard.iter_json_records(io.BytesIO(text), "f.json"))
    assert err.value.code == code
    if code == "value.not_finite":
        assert "outside Norway" not in str(err.value)


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ("navn;adresse\nLørenskog;Vei 1\n".encode("utf-16"), "UTF-16 LE"),
        ("navn;adresse\nLørenskog;Vei 1\n".encode("cp1252"), "Windows-1252"),
        ("navn;adresse\nLørenskog;Vei 1\n".encode(), "utf-8"),
    ],
)
def test_encodings_are_named(data, found):
    assert guard.sniff_encoding(data) == found


def test_gzip_bomb_is_refused_by_its_ratio(tmp_path):
    from layers.sources.establishments import iter_underenheter

    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b"[" + b" " * (64 << 20) + b"]"))
    with pytest.raises(InputError) as err:
        list(iter_underenheter(path))
    assert err.value.code == "limit.compression_ratio"


def test_address_row_with_commas_is_an_error_naming_the_row(tmp_path):
    from layers.sources.addresses import read_addresses

    lines = (
        (DATA / "addresses" / "adresser_3222.csv").read_text("utf-8-sig").splitlines()
    )
    lines[3] = lines[3].replace(";", ",")
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        read_addresses(path, kommune="3222")
    assert err.value.code == "file.separator"
    assert err.value.row == 3
    assert "','" in str(err.value)


def test_vertical_crs_code_is_named(tmp_path):
    from layers.sources.addresses import read_addresses

    lines = (
        (DATA / "addresses" / "adresser_3222.csv").read_text("utf-8-sig").splitlines()
    )
    lines[1] = lines[1].replace(";25833;", ";5941;")
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(InputError) as err:
        read_addresses(path)
    assert err.value.code == "crs.vertical"
    assert "5941" in str(err.value)


def test_xlsx_formula_without_a_cached_value_is_named(tmp_path):
    import openpyxl

    from layers.sources.premises import read_premises_table

    wb = openpyxl.Workbook()
    wb.active.append(["Tittel", "Adresse", "lat", "lon", "Type", "areal_m2"])
    wb.active.append(["Kontor", "Vei 1", 59.93, 10.95, "Kontor", "=10*25"])
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(InputError) as err:
        read_premises_table(tmp_path / "f.xlsx")
    assert err.value.code == "file.xlsx_formula"
    assert "F2" in str(err.value)


def test_register_and_importers_share_the_text_limits():
    from layers.register import tables, validation
    from layers.sources import premises

    assert tables.MAX_TEXT is limits.MAX_TEXT == validation.MAX_TEXT
    assert premises.MAX_SIZE_M2 == limits.MAX_SIZE_M2 == tables.MAX_SIZE_M2


# ----------------------------------------------------------------- store faults


def _import_premises(store):
    return main(
        [
            "import",
            "premises",
            str(DATA / "premises" / "lokaler.geojson"),
            "--store",
            str(store),
        ]
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_read_only_store_exits_3(store, capsys):
    store.chmod(0o444)
    assert main(["build", "--store", str(store)]) == EXIT_STORE
    assert "Traceback" not in capsys.readouterr().err


def test_read_only_store_is_refused_before_writing(store, capsys, monkeypatch):
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, m: False if Path(p) == store else real(p, m)
    )
    before = _digest(store)
    assert main(["build", "--store", str(store)]) == EXIT_STORE
    err = capsys.readouterr().err
    assert "cannot be written" in err and "Traceback" not in err
    assert _digest(store) == before


def test_full_disk_exits_3_and_changes_nothing(store, capsys, monkeypatch):
    import pyogrio

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pyogrio, "write_dataframe", full)
    before = _digest(store)
    assert main(["build", "--store", str(store)]) == EXIT_STORE
    assert "full" in capsys.readouterr().err
    assert _digest(store) == before
    assert not list(store.parent.glob(f".{store.name}.*"))


def test_truncated_store_exits_3_and_is_kept(store, capsys):
    size = store.stat().st_size
    os.truncate(store, size // 2)
    assert main(["build", "--store", str(store)]) == EXIT_STORE
    err = capsys.readouterr().err
    assert "damaged" in err and "rebuild" in err
    assert store.stat().st_size == size // 2


def test_deleted_store_exits_3(tmp_path, capsys):
    code = main(["import", "areas", "x.geojson", "--store", str(tmp_path / "no.gpkg")])
    assert code == EXIT_STORE


def test_import_keeps_file_mode(store):
    store.chmod(0o640)
    assert main(["build", "--store", str(store)]) == 0
    assert stat.S_IMODE(store.stat().st_mode) == 0o640


def test_orphan_copies_of_a_killed_import_are_removed(store):
    orphan = store.with_name(f".{store.name}.abc123.tmp.gpkg")
    orphan.write_bytes(b"x" * 1000)
    journal = Path(str(orphan) + "-journal")
    journal.write_bytes(b"j")
    assert main(["build", "--store", str(store)]) == 0
    assert not orphan.exists() and not journal.exists()


def test_killed_import_leaves_no_orphan_after_the_next_run(store):
    code = (
        "import os, signal, pyogrio, sys\n"
        "real = pyogrio.write_dataframe\n"
        "def die(*a, **k):\n"
        "    real(*a, **k); os.kill(os.getpid(), signal.SIGKILL)\n"
        "pyogrio.write_dataframe = die\n"
        "from layers.cli import main\n"
        f"main(['build', '--store', {str(store)!r}])\n"
    )
    before = _digest(store)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert proc.returncode == -9
    assert list(store.parent.glob(f".{store.name}.*.tmp.gpkg"))  # the orphan
    assert _digest(store) == before
    assert main(["build", "--store", str(store)]) == 0
    assert not list(store.parent.glob(f".{store.name}.*.tmp.gpkg*"))


# --------------------------------------------------------------------- rebuild


def test_rebuild_prints_the_plan_and_changes_nothing_without_yes(store, capsys):
    before = _digest(store)
    assert main(["rebuild", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "register_premises" in out and "--yes" in out
    assert _digest(store) == before


def test_rebuild_keeps_register_users_and_history(store, capsys):
    from layers import users
    from layers.store import open_store

    users.add_user(open_store(store), "alice", "correct horse battery", "editor")
    with sqlite3.connect(store) as con:
        history = con.execute("SELECT count(*) FROM register_history").fetchone()[0]
        listings = con.execute("SELECT count(*) FROM register_premises").fetchone()[0]
    assert main(["rebuild", "--yes", "--store", str(store)]) == 0
    assert [u["username"] for u in users.list_users(open_store(store))] == ["alice"]
    with sqlite3.connect(store) as con:
        assert (
            con.execute("SELECT count(*) FROM register_history").fetchone()[0]
            == history
        )
        assert (
            con.execute("SELECT count(*) FROM register_premises").fetchone()[0]
            == listings
        )
    backups = list(store.parent.glob(f"{store.name}.broken-*"))
    assert len(backups) == 1  # the old file is kept, never deleted


def test_rebuild_of_a_truncated_store_keeps_the_old_file(store):
    size = store.stat().st_size
    os.truncate(store, size // 2)
    assert main(["rebuild", "--yes", "--store", str(store)]) == 0
    backups = list(store.parent.glob(f"{store.name}.broken-*"))
    assert [b.stat().st_size for b in backups] == [size // 2]
    assert main(["stats", "--store", str(store)]) == 0


def test_broken_store_page_hides_the_absolute_path(tmp_path):
    from components.layout import broken_store_page

    path = tmp_path / "secret" / "store.gpkg"
    page = str(
        broken_store_page(
            {"store": str(path), "message": f"the store {path} is damaged"}
        )
    )
    assert str(tmp_path) not in page
    assert "store.gpkg" in page and "rebuild" in page


# ------------------------------------------------------------ the whole corpus


@pytest.mark.slow
def test_hostile_corpus(default_store, tmp_path):
    from tests.hostile import corpus, run

    cases = corpus.write_corpus(tmp_path / "corpus", store=default_store)
    assert len(cases) >= 60
    with tempfile.TemporaryDirectory() as work:
        results = run.run_all(cases, tmp_path / "corpus", default_store, work)
    table = "\n".join(run.table(results))
    bad = [
        f"{r.case.name}: {r.verdict} rc={r.rc} {r.message}"
        for r in results
        if r.verdict not in ("refused correctly", "accepted correctly")
    ]
    assert not bad, table + "\n" + "\n".join(bad)
    assert not any(r.traceback for r in results)
    assert not any(r.store_changed and r.case.expect == "refuse" for r in results)
