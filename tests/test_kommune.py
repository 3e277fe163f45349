"""Any kommune by configuration: the TOML, `init`, `fetch boundary`, a second kommune.

The end-to-end tests set a store up for Rælingen (3224, whose boundary we ship)
with a small areas file and walk its dashboard, stats and exports in a fresh
process (a process serves one kommune), searching every output for "Lørenskog".
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from layers import build, cli, kommune
from layers.errors import InputError
from layers.schemas import AREA_IDS, AREA_PLACES
from layers.sources.areas import read_areas
from layers.sources.fetch import read_kommune_file
from layers.store import open_store

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "geodata" / kommune.BUNDLED_KOMMUNER_FILE
LORENSKOG_AREAS = (
    "sentrum",
    "stasjonsomradet",
    "fjellhamar",
    "visperud",
    "ahus",
    "losbydalen",
)
NOT_LORENSKOG = ("Lørenskog", "Lorenskog", "L\\u00f8renskog", "LØRENSKOG")


@pytest.fixture(autouse=True)
def _restore_kommune():
    """Each test leaves the process serving the default kommune, as it found it."""
    yield
    kommune.activate(kommune.default())


def _areas_file(path):
    """Two business areas inside Rælingen, in CRS84 (GeoJSON's default)."""
    gdf = gpd.GeoDataFrame(
        {"area_id": ["fjerdingby", "loeken"], "name": ["Fjerdingby", "Løken"]},
        geometry=[box(11.05, 59.90, 11.08, 59.915), box(11.08, 59.87, 11.11, 59.885)],
        crs="EPSG:4326",
    )
    gdf.to_file(path, driver="GeoJSON")
    return path


def _geonorge_zip(path, numbers=None):
    """The bundled kommuner written the way Geonorge ships them (zip, EPSG:25833,
    ``Kommune`` and ``Kommunegrense`` members, names as a list)."""
    gdf = gpd.read_file(BUNDLED).to_crs("EPSG:25833")
    if numbers:
        gdf = gdf[gdf["kommunenummer"].isin(numbers)]
    features = []
    for row in json.loads(gdf.to_json())["features"]:
        p = row["properties"]
        row["properties"] = {
            "kommunenummer": p["kommunenummer"],
            "navn": [{"navn": p["kommunenavn"], "sprak": "nor"}],
        }
        features.append(row)
    crs = {"type": "name", "properties": {"name": "EPSG:25833"}}
    doc = {
        "Kommune": {"type": "FeatureCollection", "crs": crs, "features": features},
        "Kommunegrense": {"type": "FeatureCollection", "crs": crs, "features": []},
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "Basisdata_0000_Norge_25833_Kommune_GeoJSON.geojson", json.dumps(doc)
        )
    return path


@pytest.fixture
def file_server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving ``tmp_path/www``; yields its URL."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(www)
    )
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield www, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------- configuration


def test_default_configuration_is_lorenskog():
    """The shipped TOML is Lørenskog's: number, former numbers, six areas, strategy."""
    k = kommune.default()
    assert (k.number, k.name) == ("3222", "Lørenskog")
    assert k.numbers == {"3222", "3029", "0230"}
    assert k.areas == LORENSKOG_AREAS
    assert k.strategy and k.demonstration
    assert tuple(AREA_IDS) == LORENSKOG_AREAS
    assert tuple(AREA_PLACES) == (*LORENSKOG_AREAS, "rest")


def test_configuration_survives_the_store_metadata():
    """to_dict/from_dict round-trips (what a store records)."""
    k = kommune.default()
    assert kommune.Kommune.from_dict(json.loads(json.dumps(k.to_dict()))) == k


def test_bad_configuration_is_refused(tmp_path):
    """A TOML without a four-digit number is an input error, not a crash."""
    (tmp_path / "9999.toml").write_text('number = "99"\nname = "X"\n')
    with pytest.raises(InputError, match="four digits"):
        kommune.load("9999", folder=tmp_path)
    with pytest.raises(InputError, match="no configuration"):
        kommune.load("1234", folder=tmp_path)


def test_area_ids_follow_the_active_kommune():
    """AREA_IDS is the served kommune's areas, and back to Lørenskog's after."""
    other = kommune.Kommune(number="3224", name="Rælingen", areas=("a", "b"))
    kommune.activate(other)
    assert list(AREA_IDS) == ["a", "b"] and "sentrum" not in AREA_IDS
    assert list(AREA_PLACES) == ["a", "b", "rest"]
    kommune.activate(kommune.default())
    assert "sentrum" in AREA_IDS


def test_strategy_figures_only_for_lorenskog():
    """The published figures apply to Lørenskog only; another kommune has none."""
    from layers import strategy

    assert strategy.applies() and strategy.published()["jobs"].value == 24_892
    other = kommune.Kommune(number="3224", name="Rælingen")
    assert not strategy.applies(other) and strategy.published(other) == {}


def test_ui_text_names_the_active_kommune():
    """The i18n texts name the served kommune and count its areas."""
    from components.i18n import t

    assert t("app_title", "nb") == "Næringsarealer Lørenskog"
    kommune.activate(kommune.Kommune(number="3224", name="Rælingen", areas=("a", "b")))
    assert t("app_title", "nb") == "Næringsarealer Rælingen"
    assert t("app_title", "en") == "Business areas of Rælingen"
    assert "de to næringsområdene" in t("export_overview_title", "nb")


# ---------------------------------------------------------------- kommune file


def test_kommune_file_reads_geonorge_zip(tmp_path):
    """Geonorge's zip (EPSG:25833, named collections, names as a list) is read."""
    gdf = read_kommune_file(_geonorge_zip(tmp_path / "k.zip"))
    assert gdf.crs.to_epsg() == 4326
    names = dict(zip(gdf["kommunenummer"], gdf["kommunenavn"], strict=True))
    assert names["3224"] == "Rælingen" and names["3205"] == "Lillestrøm"
    bundled = read_kommune_file(BUNDLED)
    a = gdf.set_index("kommunenummer").loc["3224"].geometry
    b = bundled.set_index("kommunenummer").loc["3224"].geometry
    assert a.symmetric_difference(b).area / b.area < 1e-6


def test_kommune_file_without_polygons_is_refused(tmp_path):
    """A GeoJSON with no kommunenummer polygons is bad input."""
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match="no kommune polygons"):
        read_kommune_file(path)


def test_split_kommuner_finds_the_neighbours():
    """Rælingen's neighbours in the bundled file are those that touch it."""
    boundary, neighbours = build.split_kommuner(read_kommune_file(BUNDLED), "3224")
    assert list(boundary["kommunenummer"]) == ["3224"]
    assert set(neighbours["kommunenummer"]) == {"3222", "3205", "3220"}
    with pytest.raises(InputError, match="not in the kommune file"):
        build.split_kommuner(read_kommune_file(BUNDLED), "4601")


def test_free_area_ids_from_the_file(tmp_path):
    """Another kommune's areas file defines its areas, in the file's order."""
    boundary, _ = build.split_kommuner(read_kommune_file(BUNDLED), "3224")
    areas = read_areas(
        _areas_file(tmp_path / "a.geojson"), boundary=boundary, area_ids=None
    )
    assert list(areas["area_id"]) == ["fjerdingby", "loeken"]
    assert list(areas["name"]) == ["Fjerdingby", "Løken"]
    bad = gpd.GeoDataFrame(
        {"area_id": ["Not OK!"]}, geometry=[box(11.05, 59.9, 11.06, 59.91)], crs=4326
    )
    bad.to_file(tmp_path / "bad.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match="lower-case"):
        read_areas(tmp_path / "bad.geojson", area_ids=None)
    # The default kommune keeps its six fixed areas.
    with pytest.raises(InputError, match="unknown area id"):
        read_areas(tmp_path / "a.geojson")


# ------------------------------------------------------------------ init, fetch


def test_init_other_kommune_without_areas(tmp_path):
    """`init --kommune 3224` (bundled boundary): one area, the whole kommune."""
    store = tmp_path / "s.gpkg"
    assert cli.main(["init", "--kommune", "3224", "--store", str(store)]) == 0
    s = open_store(store)
    k = kommune.for_store(s)
    assert (k.number, k.name, k.areas) == ("3224", "Rælingen", ("kommunen",))
    assert not k.strategy and not k.demonstration
    assert (
        s.read_layer("areas")
        .geometry.iloc[0]
        .equals_exact(s.read_layer("boundary").geometry.iloc[0], 1e-9)
    )
    assert s.read_layer("establishments").empty and s.read_layer("premises").empty
    assert not any(i.demonstration for i in s.list_layers())


def test_import_areas_replaces_the_whole_kommune_area(tmp_path):
    """After `init` without areas, `import areas` brings the kommune's own areas."""
    store = tmp_path / "s.gpkg"
    assert cli.main(["init", "--kommune", "3224", "--store", str(store)]) == 0
    areas = str(_areas_file(tmp_path / "a.geojson"))
    assert cli.main(["import", "areas", areas, "--store", str(store)]) == 0
    k = kommune.for_store(open_store(store))
    assert k.areas == ("fjerdingby", "loeken") and k.number == "3224"


def test_init_downloads_the_kommune_file(tmp_path, file_server):
    """With --url, init downloads Kartverket's file (local server) and reads it."""
    www, url = file_server
    _geonorge_zip(www / "Basisdata_0000_Norge_4258_Kommuner_GeoJSON.zip")
    store = tmp_path / "s.gpkg"
    areas = _areas_file(tmp_path / "a.geojson")
    argv = ["init", "--kommune", "3224", "--areas", str(areas), "--store", str(store)]
    argv += ["--url", f"{url}/Basisdata_0000_Norge_4258_Kommuner_GeoJSON.zip"]
    assert cli.main(argv) == 0
    assert (
        tmp_path / "downloads" / "Basisdata_0000_Norge_4258_Kommuner_GeoJSON.zip"
    ).exists()
    k = kommune.for_store(open_store(store))
    assert k.areas == ("fjerdingby", "loeken")
    assert k.area_names == {"fjerdingby": "Fjerdingby", "loeken": "Løken"}
    info = open_store(store).layer_info("boundary")
    assert "Administrative enheter kommuner" in info.source


def test_fetch_boundary_replaces_boundary_and_keeps_areas(tmp_path, file_server):
    """`fetch boundary` swaps boundary and neighbours in; areas stay; a failed
    download changes nothing (exit 4)."""
    www, url = file_server
    store = tmp_path / "s.gpkg"
    areas = _areas_file(tmp_path / "a.geojson")
    init = ["init", "--kommune", "3224", "--areas", str(areas), "--store", str(store)]
    assert cli.main(init) == 0
    before = open_store(store).version()
    bad = ["fetch", "boundary", "--url", f"{url}/missing.zip", "--store", str(store)]
    assert cli.main(bad) == 4
    assert open_store(store).version() == before
    _geonorge_zip(www / "k.zip", numbers=["3224", "3222"])
    ok = ["fetch", "boundary", "--url", f"{url}/k.zip", "--store", str(store)]
    assert cli.main(ok) == 0
    s = open_store(store)
    assert list(s.read_layer("neighbours")["kommunenummer"]) == ["3222"]
    assert list(s.read_layer("areas")["area_id"]) == ["fjerdingby", "loeken"]
    assert kommune.for_store(s).number == "3224"


def test_fetch_boundary_refuses_another_kommune(tmp_path, file_server):
    """--kommune must be the store's own: `init` is for setting up another."""
    www, url = file_server
    store = tmp_path / "s.gpkg"
    assert cli.main(["init", "--kommune", "3224", "--store", str(store)]) == 0
    _geonorge_zip(www / "k.zip")
    argv = ["fetch", "boundary", "--url", f"{url}/k.zip", "--kommune", "3205"]
    assert cli.main([*argv, "--store", str(store)]) == 2


# ------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def raelingen(tmp_path_factory):
    """A store set up for Rælingen with two areas, walked by kommune_probe."""
    tmp = tmp_path_factory.mktemp("raelingen")
    store = tmp / "store.gpkg"
    areas = _areas_file(tmp / "areas.geojson")
    run = [sys.executable, "-m", "layers", "init", "--kommune", "3224"]
    subprocess.run(
        [*run, "--areas", str(areas), "--store", str(store)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    out = tmp / "out"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "tests" / "kommune_probe.py"),
            str(store),
            str(out),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return store, out


def _texts(out):
    """Every output of the probe as text (PDF text extracted, XLSX unzipped)."""
    from pypdf import PdfReader

    for path in sorted(out.iterdir()):
        if path.suffix == ".pdf":
            yield path.name, "".join(p.extract_text() for p in PdfReader(path).pages)
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                yield path.name, "".join(zf.read(n).decode() for n in zf.namelist())
        else:
            yield path.name, path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_second_kommune_dashboard_runs(raelingen):
    """Every page, fired callback and export answers for Rælingen, no error."""
    _, out = raelingen
    summary = json.loads((out / "summary.json").read_text())
    assert summary["index"] == 200 and summary["health"] == 200
    assert set(summary["pages"].values()) == {200}
    assert set(summary["exports"].values()) == {200}
    statuses = [c["status"] for c in summary["callbacks"]]
    assert statuses and all(s in (200, 204) for s in statuses)
    assert any(
        c["output"].startswith("profile-content") and c["status"] == 200
        for c in summary["callbacks"]
    )


@pytest.mark.slow
def test_second_kommune_outputs_never_name_lorenskog(raelingen):
    """No "Lørenskog" in any HTML, JSON, PDF or XLSX the app sends for Rælingen."""
    _, out = raelingen
    texts = dict(_texts(out))
    assert "Næringsarealer Rælingen" in texts["index.html"]
    assert "Rælingen" in texts["export_nb.pdf"] and "Løken" in texts["export_en.xlsx"]
    # Lørenskog borders Rælingen: its name is right as a neighbour's map label
    # (a GeoJSON point named after the neighbour kommune), and nowhere else.
    neighbour_label = re.compile(
        r'\{"type":\s?"Feature",\s?"geometry":\s?\{"type":\s?"Point",\s?'
        r'"coordinates":\s?\[[-0-9., ]+\]\},\s?"properties":\s?'
        r'\{"name":\s?"L(?:\\u00f8|ø)renskog"\}\}'
    )
    labelled = 0
    for name, text in texts.items():
        text, n = neighbour_label.subn("", text)
        labelled += n
        for word in NOT_LORENSKOG:
            assert word not in text, (name, word)
    assert labelled, "the neighbour's name is on the map pages"


@pytest.mark.slow
def test_second_kommune_stats(raelingen):
    """`stats` for Rælingen: its two areas, rest and total; no Lørenskog text."""
    store, _ = raelingen
    run = [sys.executable, "-m", "layers", "stats", "--store", str(store)]
    as_json = subprocess.run(
        [*run, "--format", "json"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    rows = json.loads(as_json)
    assert [r["area_id"] for r in rows] == ["fjerdingby", "loeken", "rest", "total"]
    assert rows[-1]["establishments"] == 0 and not rows[-1]["demonstration"]
    table = subprocess.run(run, cwd=ROOT, check=True, capture_output=True, text=True)
    for word in NOT_LORENSKOG:
        assert word not in as_json and word not in table.stdout


@pytest.mark.browser
def test_second_kommune_in_the_browser(raelingen, page, tmp_path):
    """Rælingen's map page draws in Chromium with its name and no console error."""
    from tests.register_support import start_gunicorn, stop_gunicorn

    store, _ = raelingen
    proc, url = start_gunicorn(store, tmp_path, secret="kommune-browser-key")
    try:
        page.goto(url + "/", wait_until="networkidle")
        page.wait_for_selector("#map-graph .maplibregl-canvas", timeout=30_000)
        title = page.locator(".app-title").inner_text()
        assert title == "Næringsarealer Rælingen"
        assert "renskog" not in page.content()
        page.screenshot(path=str(tmp_path / "raelingen.png"))
    finally:
        stop_gunicorn(proc)
    assert not page.log.console_errors and not page.log.outside_requests
