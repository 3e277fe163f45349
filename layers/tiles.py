"""Raster basemap tiles for offline use: fetch once, keep in the store, serve locally.

``python -m layers fetch basemap`` downloads the 256-pixel XYZ tiles that cover the
municipality's extent (with a margin, so the neighbours' edges show) from
Kartverket's open cache (CC BY 4.0) into two plain store tables: ``basemap_tiles``
(``z``, ``x``, ``y``, ``data``) and ``basemap_tiles_meta`` (one row: source, URL
pattern, attribution, zoom range, bounds, count, bytes, fetched at). The app serves
them from ``/tiles/<z>/<x>/<y>.png`` (``components.tiles_route``), so every map has
streets and place names without network.

Every tile is downloaded to memory first and written in one ``replace_layers``
step at the end: a failed fetch (no network, a server error) changes nothing.

OpenStreetMap's public tile servers forbid bulk downloading (their tile usage
policy: https://operations.osmfoundation.org/policies/tiles/), so ``--source osm``
needs an explicit ``--url`` of a tile server that allows it (your own, or a
provider you have an agreement with).
"""

from __future__ import annotations

import math
import re
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

TILES_TABLE = "basemap_tiles"
META_TABLE = "basemap_tiles_meta"

SOURCES = {
    # Kartverket's open WMTS cache "topo" in Web Mercator: TileMatrix/TileRow/TileCol.
    "kartverket": (
        "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/"
        "{z}/{y}/{x}.png",
        "© Kartverket (CC BY 4.0)",
    ),
    # No default URL: OSM's own servers forbid bulk downloads (see the docstring).
    "osm": (None, "© OpenStreetMap contributors (ODbL)"),
}
DEFAULT_ZOOM = (10, 16)
DEFAULT_MAX_TILES = 3000
TYPICAL_TILE_BYTES = 20_000  # a topo tile of a suburb is about 10-30 kB
MAX_TILE_BYTES = 1_000_000
MARGIN = 0.08  # share of the extent added on each side
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
USER_AGENT = "naeringsarealer/0.1 (+python-urllib; offline basemap)"


class TilesError(RuntimeError):
    """The request cannot be met (too many tiles, bad zoom, no URL); nothing written."""


@dataclass(frozen=True)
class TilePlan:
    """What a fetch would download."""

    tiles: tuple  # ((z, x, y), ...)
    zoom: tuple  # (min, max)
    bounds: tuple  # (west, south, east, north), EPSG:4326

    @property
    def count(self):
        return len(self.tiles)

    @property
    def estimated_bytes(self):
        return self.count * TYPICAL_TILE_BYTES


def parse_zoom(text):
    """``"10-16"`` or ``"14"`` -> ``(10, 16)``; zoom levels 0-19 only."""
    m = re.fullmatch(r"\s*(\d{1,2})\s*(?:-\s*(\d{1,2}))?\s*", str(text))
    if not m:
        raise TilesError(f"bad zoom range {text!r} (use e.g. 10-16)")
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    if not 0 <= lo <= hi <= 19:
        raise TilesError(f"bad zoom range {text!r} (0-19, low before high)")
    return lo, hi


def tile_xy(lon, lat, z):
    """The XYZ tile holding ``(lon, lat)`` at zoom ``z`` (Web Mercator)."""
    n = 2**z
    lat = max(-85.0511, min(85.0511, lat))
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def tile_bounds(z, x, y):
    """``(west, south, east, north)`` of one tile."""
    n = 2**z

    def lat(row):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def plan(bounds, zoom=DEFAULT_ZOOM, *, margin=MARGIN):
    """The tiles covering ``bounds`` (plus ``margin``) at each zoom in ``zoom``."""
    west, south, east, north = (float(v) for v in bounds)
    dx, dy = (east - west) * margin, (north - south) * margin
    west, east, south, north = west - dx, east + dx, south - dy, north + dy
    tiles = []
    for z in range(zoom[0], zoom[1] + 1):
        x0, y0 = tile_xy(west, north, z)
        x1, y1 = tile_xy(east, south, z)
        tiles += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    return TilePlan(tuple(tiles), tuple(zoom), (west, south, east, north))


def _megabytes(n):
    return f"{n / 1_000_000:.1f} MB"


def describe(p):
    """One line: how many tiles and about how many bytes a plan downloads."""
    return (
        f"{p.count} fliser / tiles, zoom {p.zoom[0]}-{p.zoom[1]}, "
        f"anslått / estimated {_megabytes(p.estimated_bytes)} "
        f"({TYPICAL_TILE_BYTES // 1000} kB per flis / tile)"
    )


class TileBar:
    """A one-line progress bar of tiles done, redrawn in place on ``stream``."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self._last = stream, width, None

    def __call__(self, done, total):
        filled = int(done / max(total, 1) * self.width)
        line = f"[{'#' * filled}{'-' * (self.width - filled)}] {done}/{total}"
        if line != self._last:
            self._last = line
            self.stream.write("\r" + line)
            self.stream.flush()

    def close(self):
        if self._last is not None:
            self.stream.write("\n")


def _is_image(data):
    return data.startswith(PNG_MAGIC) or data.startswith(JPEG_MAGIC)


def _get(url, timeout):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data = response.read(MAX_TILE_BYTES + 1)
    if len(data) > MAX_TILE_BYTES:
        raise TilesError(f"tile larger than {MAX_TILE_BYTES} bytes: {url}")
    return data


def download(p, url_template, *, progress=None, timeout=20):
    """Download every tile of plan ``p``; return a frame ``z, x, y, data``.

    A tile the server does not have (HTTP 404/204) is skipped; any other failure
    (no network, refused, timeout, server error, not an image) raises
    :class:`layers.sources.fetch.FetchError` and nothing is kept.
    """
    from layers.sources.fetch import FetchError, _reason

    rows = []
    for k, (z, x, y) in enumerate(p.tiles):
        url = url_template.format(z=z, x=x, y=y)
        try:
            data = _get(url, timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 204):
                data = None
            else:
                raise FetchError(url, _reason(exc, timeout)) from exc
        except OSError as exc:
            raise FetchError(url, _reason(exc, timeout)) from exc
        if data:
            if not _is_image(data):
                raise FetchError(url, "the answer is not a PNG or JPEG image")
            rows.append((z, x, y, data))
        if progress:
            progress(k + 1, p.count)
    if not rows:
        raise FetchError(url_template, "the server had none of the tiles")
    return pd.DataFrame(rows, columns=["z", "x", "y", "data"])


def tables(frame, p, *, source, url_template, attribution, now=None):
    """The two store tables (``replace_layers`` values) of downloaded tiles."""
    now = now or datetime.now(UTC)
    west, south, east, north = p.bounds
    meta = pd.DataFrame(
        [
            {
                "source": source,
                "url": url_template,
                "attribution": attribution,
                "licence": "CC BY 4.0" if source == "kartverket" else "",
                "min_zoom": int(frame["z"].min()),
                "max_zoom": int(frame["z"].max()),
                "west": west,
                "south": south,
                "east": east,
                "north": north,
                "tiles": len(frame),
                "bytes": int(frame["data"].map(len).sum()),
                "fetched_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ]
    )
    return {TILES_TABLE: (frame, {}), META_TABLE: (meta, {})}


def info(store):
    """The stored tiles' metadata as a dict, or None when none were fetched."""
    meta = store.read_table(META_TABLE)
    if meta is None or not len(meta):
        return None
    return meta.iloc[0].to_dict()


def read_tile(store, z, x, y):
    """The bytes of one stored tile, or None (one indexed query, no frame)."""
    import contextlib
    import sqlite3

    if not store.exists():
        return None
    try:
        with contextlib.closing(store.connect(readonly=True)) as con:
            # SQLite's placeholder, or psycopg's on a PostGIS store.
            mark = "?" if isinstance(con, sqlite3.Connection) else "%s"
            row = con.execute(
                f'SELECT data FROM "{TILES_TABLE}" '
                f"WHERE z = {mark} AND x = {mark} AND y = {mark} LIMIT 1",
                (int(z), int(x), int(y)),
            ).fetchone()
    except sqlite3.OperationalError:  # no tiles table
        return None
    except Exception as exc:  # PostGIS: no tiles table (UndefinedTable)
        if type(exc).__name__ != "UndefinedTable":
            raise
        return None
    return bytes(row[0]) if row else None


def fetch_basemap(
    store,
    *,
    source="kartverket",
    url=None,
    zoom=DEFAULT_ZOOM,
    max_tiles=DEFAULT_MAX_TILES,
    out=None,
    progress=None,
):
    """Fetch the municipality's tiles into ``store``; return the metadata dict.

    Raises
    ------
    TilesError
        Too many tiles, no URL for OSM, a bad URL pattern.
    layers.sources.fetch.FetchError
        The download failed; the store is unchanged.
    """
    out = out or sys.stderr
    default_url, attribution = SOURCES[source]
    if source == "osm" and not url:
        raise TilesError(
            "--source osm needs --url: OpenStreetMap's public tile servers forbid "
            "bulk downloading (tile usage policy); give the address of a tile "
            "server you may bulk-fetch from / OSM forbyr massenedlasting fra sine "
            "flisservere; oppgi --url til en server du har lov til å bruke"
        )
    template = url or default_url
    if not all(f"{{{k}}}" in template for k in "zxy"):
        raise TilesError(f"the URL pattern needs {{z}}, {{x}} and {{y}}: {template}")
    boundary = store.read_layer("boundary").to_crs(4326)
    p = plan(boundary.total_bounds, zoom)
    print(describe(p), file=out)
    if p.count > max_tiles:
        raise TilesError(
            f"{p.count} tiles is more than the limit of {max_tiles}; lower the zoom "
            f"range or raise --max-tiles / for mange fliser"
        )
    bar = TileBar(out) if progress is None else None
    try:
        frame = download(p, template, progress=progress or bar)
    finally:
        if bar is not None:
            bar.close()
    shown = url if url else template
    store.replace_layers(
        tables(frame, p, source=source, url_template=shown, attribution=attribution)
    )
    return info(store)
