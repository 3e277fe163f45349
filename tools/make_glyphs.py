"""Write MapLibre glyph PBFs (SDF) for the maps' text labels, so no font server is needed.

Run from the repository root: ``python tools/make_glyphs.py`` (needs Pillow; the
fonts are DejaVu Sans, free licence, from the Debian package fonts-dejavu-core).
It writes ``assets/glyphs/<regular|bold>/<start>-<end>.pbf`` for the Latin ranges
(Norwegian letters included); ``components.tiles_route`` serves them for any
font stack the map asks for.

The format is MapLibre's glyphs protobuf: one fontstack with one glyph per code
point: a signed distance field of the glyph at 24 px with a 3-pixel buffer
(radius 8, cutoff 0.25, as fontnik and tiny-sdf), and its metrics.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIZE = 24
BUFFER = 3
RADIUS = 8.0
CUTOFF = 0.25
RANGES = ((0, 255), (256, 511), (8192, 8447))  # Latin-1, Latin Extended, punctuation
FONTS = {
    "regular": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
}
OUT = Path("assets/glyphs")


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field, wire):
    return _varint(field << 3 | wire)


def _uint(field, n):
    return _key(field, 0) + _varint(n)


def _sint(field, n):
    return _uint(field, (n << 1) ^ (n >> 31) if n < 0 else n << 1)


def _bytes(field, data):
    return _key(field, 2) + _varint(len(data)) + data


def _sdf(alpha):
    """Signed distance field (bytes) of a coverage image ``alpha`` in 0..1."""
    h, w = alpha.shape
    inside = alpha > 0.5
    ys, xs = np.mgrid[0:h, 0:w]
    pts = np.stack([ys.ravel(), xs.ravel()], axis=1).astype(float)
    ins, outs = pts[inside.ravel()], pts[~inside.ravel()]

    def nearest(src, dst):
        if not len(dst):
            return np.full(len(src), RADIUS * 2)
        best = np.full(len(src), np.inf)
        for k in range(0, len(dst), 256):
            d = np.sqrt(((src[:, None, :] - dst[None, k : k + 256, :]) ** 2).sum(-1))
            best = np.minimum(best, d.min(1))
        return best

    dist = np.zeros(h * w)
    flat_in = inside.ravel()
    # Outside pixels: distance to the nearest inside one (positive); inside:
    # negative distance to the nearest outside one. The half-pixel edge term
    # from the coverage keeps the outline smooth.
    dist[~flat_in] = nearest(pts[~flat_in], ins) - 0.5
    dist[flat_in] = -(nearest(pts[flat_in], outs) - 0.5)
    dist += (0.5 - alpha.ravel()) * 0.5
    value = 255 - 255 * (dist / RADIUS + CUTOFF)
    return np.clip(np.round(value), 0, 255).astype(np.uint8).tobytes()


def glyph(font, code):
    """The protobuf bytes of one glyph, or None when the font lacks it."""
    ch = chr(code)
    advance = round(font.getlength(ch))
    left, top, right, bottom = font.getbbox(ch, anchor="ls")  # from the baseline
    width, height = max(0, right - left), max(0, bottom - top)
    body = _uint(1, code)
    if width and height:
        img = Image.new("L", (width + 2 * BUFFER, height + 2 * BUFFER), 0)
        ImageDraw.Draw(img).text(
            (BUFFER - left, BUFFER - top), ch, font=font, fill=255, anchor="ls"
        )
        alpha = np.asarray(img, dtype=float) / 255.0
        body += _bytes(2, _sdf(alpha))
    # As fontnik: 'top' is the glyph's top edge above the baseline minus the
    # font's ascender.
    ascent = font.getmetrics()[0]
    body += _uint(3, width) + _uint(4, height)
    body += _sint(5, left) + _sint(6, -top - ascent) + _uint(7, advance)
    return body


def _has(font, code):
    left, top, right, bottom = font.getbbox(chr(code))
    return right > left and bottom > top


def pbf(path, name, start, end):
    font = ImageFont.truetype(path, SIZE, layout_engine=ImageFont.Layout.BASIC)
    glyphs = b"".join(
        _bytes(3, glyph(font, c))
        for c in range(start, end + 1)
        if c == 32 or (c > 32 and not 127 <= c < 160 and _has(font, c))
    )
    stack = _bytes(1, name.encode()) + _bytes(2, f"{start}-{end}".encode()) + glyphs
    return _bytes(1, stack)


def main():
    for style, path in FONTS.items():
        folder = OUT / style
        folder.mkdir(parents=True, exist_ok=True)
        for start, end in RANGES:
            data = pbf(path, f"DejaVu Sans {style.title()}", start, end)
            (folder / f"{start}-{end}.pbf").write_bytes(data)
            print(f"{folder}/{start}-{end}.pbf {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
