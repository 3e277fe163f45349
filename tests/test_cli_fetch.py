"""`python -m layers fetch`: download from a (local) service, then import."""

import functools
import hashlib
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from layers.cli import main
from layers.demo import write_demo_sources


@pytest.fixture
def served(tmp_path):
    """The demo sources served over HTTP on 127.0.0.1."""
    files = write_demo_sources(tmp_path / "www")
    handler = functools.partial(
        SimpleHTTPRequestHandler, directory=str(tmp_path / "www")
    )
    handler.log_message = lambda *a, **k: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield {kind: f"{base}/{path.name}" for kind, path in files.items()}
    server.shutdown()


@pytest.fixture
def store_copy(tmp_path, default_store):
    path = tmp_path / "store" / "store.gpkg"
    path.parent.mkdir()
    path.write_bytes(Path(default_store).read_bytes())
    return path


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_fetch_addresses_then_brreg_imports(served, store_copy, capsys, monkeypatch):
    """fetch addresses, then fetch brreg: the establishments layer is replaced."""
    monkeypatch.setenv("no_proxy", "*")
    s = str(store_copy)
    assert main(["fetch", "addresses", "--url", served["addresses"], "--store", s]) == 0
    assert (
        main(["fetch", "brreg", "--url", served["establishments"], "--store", s]) == 0
    )
    capsys.readouterr()
    assert main(["stats", "--store", s, "--format", "json"]) == 0
    total = json.loads(capsys.readouterr().out)[-1]
    assert total["establishments"] == 4512
    assert total["sources"]["jobs"]["demonstration"] is False


def test_fetch_gtfs_imports_timetable(served, store_copy, capsys, monkeypatch):
    """fetch gtfs downloads and imports the feed."""
    monkeypatch.setenv("no_proxy", "*")
    s = str(store_copy)
    assert main(["fetch", "gtfs", "--url", served["gtfs"], "--store", s]) == 0
    assert "transit_stops" in capsys.readouterr().out


def test_fetch_offline_fails_clearly_and_changes_nothing(store_copy, capsys):
    """A service that cannot be reached gives exit 4 and an unchanged store."""
    before = _sha(store_copy)
    code = main(
        [
            "fetch",
            "gtfs",
            "--url",
            "http://127.0.0.1:9/feed.zip",
            "--store",
            str(store_copy),
        ]
    )
    assert code == 4
    assert "127.0.0.1:9" in capsys.readouterr().err
    assert _sha(store_copy) == before


def test_fetch_brreg_without_addresses_says_what_to_do(served, store_copy, capsys):
    """fetch brreg before fetch addresses tells the user to fetch addresses first."""
    code = main(
        [
            "fetch",
            "brreg",
            "--url",
            served["establishments"],
            "--store",
            str(store_copy),
        ]
    )
    assert code == 2
    assert "fetch addresses" in capsys.readouterr().err


def test_postgis_keeps_the_address_register_for_every_machine(
    served, store_copy, pg_url, tmp_path, capsys, monkeypatch
):
    """On PostGIS the address register is kept in the database: `fetch brreg` on
    another machine (another downloads folder) places the firms with it."""
    from layers.store import open_store
    from layers.store.migrate import copy_store

    monkeypatch.setenv("no_proxy", "*")
    copy_store(open_store(store_copy), open_store(pg_url))
    monkeypatch.setenv("NARING_DOWNLOADS", str(tmp_path / "machine-a"))
    assert (
        main(["fetch", "addresses", "--url", served["addresses"], "--store", pg_url])
        == 0
    )
    monkeypatch.setenv("NARING_DOWNLOADS", str(tmp_path / "machine-b"))
    brreg = ["fetch", "brreg", "--url", served["establishments"], "--store", pg_url]
    assert main(brreg) == 0
    capsys.readouterr()
    assert main(["stats", "--store", pg_url, "--format", "json"]) == 0
    total = json.loads(capsys.readouterr().out)[-1]
    assert total["establishments"] == 4512
    assert total["sources"]["jobs"]["demonstration"] is False
