"""The app's own tile route: ``/tiles/<z>/<x>/<y>.png`` from the store's tiles.

Tiles fetched once with ``python -m layers fetch basemap`` are served from the
same origin (the CSP's ``'self'``), long-cached, 404 when missing. Above the
highest stored zoom a tile is cut from its stored ancestor and enlarged (up to
``OVERZOOM`` levels), so zooming in past the fetched range stays readable instead
of going blank.
"""

from __future__ import annotations

import gzip
import io
import re
from functools import lru_cache
from pathlib import Path

import flask

from components import data
from layers import tiles

ROUTE = "/tiles/<int:z>/<int:x>/<int:y>.png"
GLYPHS_ROUTE = "/glyphs/<fontstack>/<glyph_range>.pbf"
GLYPHS_DIR = Path(__file__).resolve().parent.parent / "assets" / "glyphs"
_RANGE = re.compile(r"\d{1,5}-\d{1,5}")
CACHE_SECONDS = 30 * 24 * 3600
OVERZOOM = 3


def _png(body):
    return flask.Response(
        body,
        mimetype="image/png" if body[:4] == b"\x89PNG" else "image/jpeg",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )


def _overzoomed(store, z, x, y):
    """Cut tile ``z/x/y`` from a stored ancestor up to ``OVERZOOM`` levels up."""
    for up in range(1, OVERZOOM + 1):
        if z - up < 0:
            return None
        parent = tiles.read_tile(store, z - up, x >> up, y >> up)
        if parent is None:
            continue
        from PIL import Image

        with Image.open(io.BytesIO(parent)) as img:
            img = img.convert("RGBA")
            n = 2**up
            size = img.width // n
            left, top = (x % n) * size, (y % n) * size
            part = img.crop((left, top, left + size, top + size))
            part = part.resize((img.width, img.height), Image.Resampling.BILINEAR)
            buf = io.BytesIO()
            part.save(buf, format="PNG")
        return buf.getvalue()
    return None


def tile(z, x, y):
    """One tile's response, or 404."""
    n = 2**z if 0 <= z <= 22 else 0
    if not (0 <= x < n and 0 <= y < n):
        flask.abort(404)
    store = data.store()
    body = tiles.read_tile(store, z, x, y)
    if body is None:
        meta = data.memo("tiles.info", None, lambda: tiles.info(store))
        if meta and z > int(meta["max_zoom"]):
            body = _overzoomed(store, z, x, y)
    if body is None:
        flask.abort(404)
    return _png(body)


def glyphs(fontstack, glyph_range):
    """The map labels' glyphs (SDF PBF, ``tools/make_glyphs.py``) for any font stack.

    MapLibre asks for ``{fontstack}/{range}.pbf``; every stack gets our DejaVu Sans
    (bold when the stack's first font is bold). A range we lack is answered
    with an empty glyph set (MapLibre reports a 404 as a map error; an empty
    set just leaves those characters out).
    """
    if not _RANGE.fullmatch(glyph_range):
        flask.abort(404)
    weight = "bold" if "bold" in fontstack.split(",")[0].lower() else "regular"
    start, end = (int(v) for v in glyph_range.split("-"))
    if not (0 <= start <= end <= 65535 and start % 256 == 0 and end == start + 255):
        flask.abort(404)
    accepts = flask.request.headers.get("Accept-Encoding", "")
    offered = {a.split(";")[0].strip() for a in accepts.split(",")}
    encoding = "br" if "br" in offered else "gzip" if "gzip" in offered else ""
    body = _glyph_body(weight, glyph_range, encoding)
    headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    if encoding:
        # Compressed here: flask-compress leaves protobuf alone, and these SDF
        # bitmaps shrink to a sixth (98 KB -> 15 KB for 0-255 with brotli).
        headers["Content-Encoding"] = encoding
    headers["Vary"] = "Accept-Encoding"
    return flask.Response(body, mimetype="application/x-protobuf", headers=headers)


@lru_cache(maxsize=64)
def _glyph_body(weight, glyph_range, encoding):
    path = GLYPHS_DIR / weight / f"{glyph_range}.pbf"
    body = path.read_bytes() if path.is_file() else _empty_glyphs(glyph_range)
    if encoding == "br":
        import brotli

        return brotli.compress(body, quality=11)
    if encoding == "gzip":
        return gzip.compress(body, 9, mtime=0)
    return body


def _empty_glyphs(glyph_range):
    """A glyphs PBF with one font stack and no glyphs (protobuf by hand)."""
    name, rng = b"DejaVu Sans", glyph_range.encode()
    stack = bytes([0x0A, len(name)]) + name + bytes([0x12, len(rng)]) + rng
    return bytes([0x0A, len(stack)]) + stack


def register(app):
    """Add the tile and glyph routes to the Dash ``app``'s Flask server."""
    app.server.add_url_rule(ROUTE, "basemap_tile", tile, methods=["GET"])
    app.server.add_url_rule(GLYPHS_ROUTE, "map_glyphs", glyphs, methods=["GET"])
