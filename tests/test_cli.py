"""The command line contract: build, stats, import errors and exit codes."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from layers.cli import main
from layers.schemas import AREA_IDS

ROOT = Path(__file__).resolve().parent.parent


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _stats(store, capsys):
    assert main(["stats", "--store", str(store), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_stats_json_lists_areas_rest_total(default_store, capsys):
    """`stats --format json` gives the six areas, then rest, then total."""
    rows = _stats(default_store, capsys)
    assert [r["area_id"] for r in rows] == [*AREA_IDS, "rest", "total"]
    for key in (
        "establishments",
        "jobs",
        "premises_available",
        "premises_m2",
        "median_rent_nok_m2",
        "stops",
        "lines",
        "departures_peak_hour",
    ):
        assert key in rows[0]
    assert "unplaced_establishments" in rows[-1]


def test_default_store_matches_published_totals(default_store, capsys):
    """The demonstration data adds up to the strategy's 4 512 firms and 24 892 jobs."""
    total = _stats(default_store, capsys)[-1]
    assert total["establishments"] == 4512
    assert total["jobs"] == 24892
    assert total["demonstration"] is True
    assert total["sources"]["jobs"]["demonstration"] is True


def test_areas_and_rest_add_up_to_total(default_store, capsys):
    """Every additive figure of the six areas plus the rest equals the total."""
    rows = _stats(default_store, capsys)
    for key in ("establishments", "jobs", "premises_available", "stops"):
        assert sum(r[key] for r in rows[:-1]) == rows[-1][key], key


def test_area_characters_show_in_default_data(default_store, capsys):
    """Ahus has the most jobs of the six areas; Visperud the most premises m²."""
    rows = {r["area_id"]: r for r in _stats(default_store, capsys)}
    six = [rows[a] for a in AREA_IDS]
    assert max(six, key=lambda r: r["jobs"])["area_id"] == "ahus"
    assert max(six, key=lambda r: r["premises_m2"])["area_id"] == "visperud"


def test_stats_table_labels_demonstration(default_store, capsys):
    """The table marks demonstration rows and lists every source."""
    assert main(["stats", "--store", str(default_store)]) == 0
    out = capsys.readouterr().out
    assert "sentrum *" in out and "total *" in out
    assert "DEMONSTRASJONSDATA" in out and "Kartverket" in out
    assert "24 892" in out


@pytest.mark.slow
def test_build_is_reproducible(tmp_path, default_store):
    """Building twice from the same geodata gives byte-identical stores."""
    again = tmp_path / "again.gpkg"
    subprocess.run(
        [sys.executable, "-m", "layers", "build", "--store", str(again)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert _sha(again) == _sha(default_store)


@pytest.fixture
def store_copy(tmp_path, default_store):
    path = tmp_path / "store.gpkg"
    path.write_bytes(Path(default_store).read_bytes())
    return path


def test_bad_premises_file_exits_2_and_changes_nothing(store_copy, tmp_path, capsys):
    """An unknown status gives exit 2, a message naming file/row/field, same bytes."""
    bad = tmp_path / "lokaler.csv"
    bad.write_text(
        "tittel;adresse;lat;lon;type;areal_m2;status\n"
        "Kontor;Skårersletta 1;59.9275;10.9583;kontor;120;kanskje\n",
        encoding="utf-8",
    )
    before = _sha(store_copy)
    code = main(["import", "premises", str(bad), "--store", str(store_copy)])
    err = capsys.readouterr().err
    assert code == 2
    assert "lokaler.csv" in err and "row 1" in err and "status" in err
    assert _sha(store_copy) == before


def test_premises_outside_municipality_refused(store_copy, tmp_path, capsys):
    """A listing in Bergen is refused with its row named."""
    bad = tmp_path / "lokaler.csv"
    bad.write_text(
        "tittel;lat;lon;type;areal_m2\nKontor;60.39;5.32;kontor;120\n", encoding="utf-8"
    )
    before = _sha(store_copy)
    assert main(["import", "premises", str(bad), "--store", str(store_copy)]) == 2
    assert "outside the municipality" in capsys.readouterr().err
    assert _sha(store_copy) == before


def test_premises_import_adds_to_register(store_copy, tmp_path, capsys):
    """A good list is added to the register and shows in the figures."""
    good = tmp_path / "lokaler.csv"
    good.write_text(
        "tittel;lat;lon;type;areal_m2;leie_kr_m2_aar;status\n"
        "Nytt lager;59.9330;10.9300;lager;1 250,5;1 100;ledig\n",
        encoding="utf-8",
    )
    before = _stats(store_copy, capsys)[-1]["premises_m2"]
    assert main(["import", "premises", str(good), "--store", str(store_copy)]) == 0
    capsys.readouterr()
    after = _stats(store_copy, capsys)[-1]["premises_m2"]
    assert after == pytest.approx(before + 1250.5)


def test_premises_import_keeps_rows_it_cannot_place(store_copy, tmp_path, capsys):
    """A row whose address is not in the register is imported unplaced, not lost."""
    from layers import register

    mixed = tmp_path / "lokaler.csv"
    mixed.write_text(
        "tittel;adresse;lat;lon;type;areal_m2\n"
        "Lager med punkt;;59.9330;10.9300;lager;400\n"
        "Kontor uten punkt;Finnesikkeveien 999;;;kontor;120\n",
        encoding="utf-8",
    )
    assert main(["import", "premises", str(mixed), "--store", str(store_copy)]) == 0
    out, err = capsys.readouterr()
    assert "imported unplaced" in err and "Kontor uten punkt" in err
    assert "unplaced 1" in out
    from layers.store import open_store

    listings = {x["title"]: x for x in register.all_listings(open_store(store_copy))}
    assert not register.is_placed(listings["Kontor uten punkt"])
    assert register.is_placed(listings["Lager med punkt"])


def test_gtfs_without_stop_times_exits_2(store_copy, tmp_path, capsys):
    """A GTFS zip missing stop_times.txt is refused by name; the store is unchanged."""
    import zipfile

    bad = tmp_path / "feed.zip"
    with zipfile.ZipFile(bad, "w") as z:
        for name in (
            "agency.txt",
            "stops.txt",
            "routes.txt",
            "trips.txt",
            "calendar.txt",
        ):
            z.writestr(name, "x\n")
    before = _sha(store_copy)
    assert main(["import", "gtfs", str(bad), "--store", str(store_copy)]) == 2
    assert "stop_times.txt" in capsys.readouterr().err
    assert _sha(store_copy) == before


def test_import_into_missing_store_says_how_to_build(tmp_path, capsys):
    """Importing into a store that does not exist exits 3 and names the build command."""
    code = main(["import", "areas", "x.geojson", "--store", str(tmp_path / "no.gpkg")])
    assert code == 3
    assert "python -m layers build" in capsys.readouterr().err


def test_import_establishments_replaces_layer(store_copy, tmp_path, capsys):
    """Real-format establishments replace the demo layer and lose the demo label."""
    from layers.demo import write_demo_sources

    files = write_demo_sources(tmp_path / "src")
    code = main(
        [
            "import",
            "establishments",
            str(files["establishments"]),
            "--addresses",
            str(files["addresses"]),
            "--store",
            str(store_copy),
            "--as-of",
            "2025-01-31",
        ]
    )
    assert code == 0
    capsys.readouterr()
    total = _stats(store_copy, capsys)[-1]
    assert total["sources"]["jobs"]["demonstration"] is False
    assert total["sources"]["jobs"]["as_of"] == "2025-01-31"
    assert total["establishments"] == 4512
