"""`python -m layers fetch basemap`: tiles into the store, served from /tiles/.

The tile server is a local HTTP server on 127.0.0.1 that draws a small PNG for
every z/x/y it is asked for (so any plan can be fetched), and answers 404 for the
tiles listed in ``missing``.
"""

import hashlib
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from layers import tiles
from layers.cli import main
from layers.store import open_store


def _png(colour):
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(buf, format="PNG")
    return buf.getvalue()


class _Tiles(BaseHTTPRequestHandler):
    missing = set()
    seen = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        m = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", self.path)
        if not m or tuple(int(v) for v in m.groups()) in self.missing:
            self.send_error(404)
            return
        z, x, y = (int(v) for v in m.groups())
        self.seen.append((z, x, y))
        body = _png((z * 10 % 256, x % 256, y % 256))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server(monkeypatch):
    monkeypatch.setenv("no_proxy", "*")
    _Tiles.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()


@pytest.fixture
def store_copy(tmp_path, default_store):
    path = tmp_path / "store" / "store.gpkg"
    path.parent.mkdir()
    path.write_bytes(Path(default_store).read_bytes())
    return path


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_plan_covers_the_bounds_at_each_zoom():
    """Every zoom level's tiles cover the bounds; counts grow about 4x per level."""
    bounds = (10.90, 59.87, 11.05, 59.96)
    p = tiles.plan(bounds, (10, 13), margin=0)
    for z in range(10, 14):
        zs = [t for t in p.tiles if t[0] == z]
        west = min(tiles.tile_bounds(*t)[0] for t in zs)
        east = max(tiles.tile_bounds(*t)[2] for t in zs)
        south = min(tiles.tile_bounds(*t)[1] for t in zs)
        north = max(tiles.tile_bounds(*t)[3] for t in zs)
        assert west <= 10.90 and east >= 11.05 and south <= 59.87 and north >= 59.96
    assert p.estimated_bytes == p.count * tiles.TYPICAL_TILE_BYTES
    assert tiles.parse_zoom("10-16") == (10, 16)
    with pytest.raises(tiles.TilesError):
        tiles.parse_zoom("16-10")


def test_fetch_basemap_stores_tiles_and_attribution(tile_server, store_copy, capsys):
    """The tiles land in the store with their source; the estimate comes first."""
    _Tiles.missing = {(11, 0, 0)}  # outside the plan: 404s are skipped anyway
    code = main(
        [
            "fetch",
            "basemap",
            "--url",
            tile_server,
            "--zoom",
            "10-12",
            "--store",
            str(store_copy),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "estimated" in out.err and "MB" in out.err
    store = open_store(store_copy)
    meta = tiles.info(store)
    assert meta["tiles"] == len(_Tiles.seen) > 0
    assert meta["attribution"].startswith("© Kartverket")
    assert (meta["min_zoom"], meta["max_zoom"]) == (10, 12)
    z, x, y = _Tiles.seen[0]
    body = tiles.read_tile(store, z, x, y)
    assert body.startswith(tiles.PNG_MAGIC)
    assert tiles.read_tile(store, 5, 0, 0) is None


def test_too_many_tiles_is_refused(tile_server, store_copy, capsys):
    """Above --max-tiles nothing is downloaded and the store is unchanged."""
    before = _sha(store_copy)
    code = main(
        ["fetch", "basemap", "--url", tile_server, "--max-tiles", "5"]
        + ["--store", str(store_copy)]
    )
    assert code == 2
    assert "limit" in capsys.readouterr().err
    assert _Tiles.seen == [] and _sha(store_copy) == before


def test_osm_needs_an_explicit_url(store_copy, capsys):
    """OSM's public servers forbid bulk downloads: --source osm needs --url."""
    before = _sha(store_copy)
    code = main(["fetch", "basemap", "--source", "osm", "--store", str(store_copy)])
    assert code == 2
    assert "tile usage policy" in capsys.readouterr().err
    assert _sha(store_copy) == before


def test_offline_fetch_fails_clearly_and_changes_nothing(store_copy, capsys):
    """No server at the address: exit 4, a plain message, the store unchanged."""
    before = _sha(store_copy)
    code = main(
        ["fetch", "basemap", "--url", "http://127.0.0.1:9/{z}/{x}/{y}.png"]
        + ["--zoom", "10-11", "--store", str(store_copy)]
    )
    assert code == 4
    err = capsys.readouterr().err
    assert "connection refused" in err and "No data was changed" in err
    assert _sha(store_copy) == before
    assert tiles.info(open_store(store_copy)) is None


def test_tile_route_serves_stored_tiles(tile_server, store_copy, dash_app, monkeypatch):
    """/tiles/z/x/y.png: the stored bytes, long-cached; 404 when missing;
    above the stored zoom an enlarged cut of the parent tile."""
    assert (
        main(
            ["fetch", "basemap", "--url", tile_server, "--zoom", "10-11"]
            + ["--store", str(store_copy)]
        )
        == 0
    )
    # The one app of the test process, pointed at the store with tiles.
    monkeypatch.setitem(dash_app.server.config, "NARING_STORE", str(store_copy))
    client = dash_app.server.test_client()
    z, x, y = _Tiles.seen[-1]
    r = client.get(f"/tiles/{z}/{x}/{y}.png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert r.data == tiles.read_tile(open_store(store_copy), z, x, y)
    assert "max-age" in r.headers["Cache-Control"]
    assert client.get("/tiles/3/0/0.png").status_code == 404
    assert client.get("/tiles/3/99/0.png").status_code == 404
    child = client.get(f"/tiles/{z + 1}/{2 * x + 1}/{2 * y}.png")
    assert child.status_code == 200
    img = Image.open(io.BytesIO(child.data))
    assert img.size == (256, 256)
    parent = Image.open(io.BytesIO(r.data)).convert("RGB")
    assert img.convert("RGB").getpixel((128, 128)) == parent.getpixel((192, 64))


def test_stored_tiles_fill_slot_0_of_the_offline_map(tile_server, store_copy):
    """With fetched tiles the offline basemap's slot 0 is our own tile route."""
    from components.figures import basemap

    assert (
        main(
            ["fetch", "basemap", "--url", tile_server, "--zoom", "10-10"]
            + ["--store", str(store_copy)]
        )
        == 0
    )
    meta = tiles.info(open_store(store_copy))
    slot0 = basemap.basemap_layer("offline", "nb", meta)
    assert slot0["source"] == [basemap.LOCAL_TILES_URL]
    assert "Kartverket" in slot0["sourceattribution"]
    assert basemap.basemap_layer("offline", "nb", None)["visible"] is False


def test_glyph_route_serves_our_glyphs_for_any_font_stack(client):
    """Map labels need glyph PBFs: served from assets/glyphs, bold on request."""
    regular = client.get("/glyphs/Open Sans Regular,Arial Unicode MS Regular/0-255.pbf")
    bold = client.get("/glyphs/Open Sans Bold/0-255.pbf")
    assert regular.status_code == bold.status_code == 200
    assert regular.data != bold.data and b"DejaVu Sans" in regular.data
    assert client.get("/glyphs/X/65536-66000.pbf").status_code == 404
    # A range we have no glyphs for: an empty set, not an error for the map.
    empty = client.get("/glyphs/X/9728-9983.pbf")
    assert empty.status_code == 200 and b"9728-9983" in empty.data
    assert len(empty.data) < 40
    # A path outside the glyph folder is never read by the route.
    odd = client.get("/glyphs/X/..%2F..%2Fapp.pbf")
    assert odd.mimetype != "application/x-protobuf"


def test_glyphs_are_sent_compressed_when_the_browser_accepts_it(client):
    """The SDF glyph PBFs shrink to a fraction: brotli, else gzip, else plain."""
    import gzip

    import brotli

    url = "/glyphs/Open Sans Regular/0-255.pbf"
    plain = client.get(url).data
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br"
    assert gz.headers["Content-Encoding"] == "gzip"
    assert brotli.decompress(br.data) == gzip.decompress(gz.data) == plain
    assert len(br.data) < len(plain) / 3
    assert "Accept-Encoding" in br.headers["Vary"]
