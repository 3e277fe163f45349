"""Shared parts of the demonstration data: dates, totals, geometry, files."""

from __future__ import annotations

import csv
import gzip
import io
import math
import zipfile
from datetime import date

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box

from layers import kommune, strategy
from layers.schemas import METRIC_CRS, REST_ID
from layers.sources.areas import draw_indicative_areas

# The demonstration data is the default kommune's (geodata/kommuner/3222.toml),
# calibrated to its strategy's figures; another kommune gets none.
KOMMUNE = kommune.default()
SEED = int(KOMMUNE.number)
AS_OF = date(2024, 10, 31)  # the strategy's "October 2024"
KOMMUNENUMMER = KOMMUNE.number
AREA_IDS = KOMMUNE.areas  # the demonstration's areas: the default kommune's
# Calibrated to the strategy's published figures (layers/strategy.py).
DEMO_TOTAL_ESTABLISHMENTS = strategy.ENTERPRISES.value
DEMO_TOTAL_JOBS = strategy.JOBS.value
DEMO_NEW_IN_2023 = strategy.NEW_ENTERPRISES.value
DEMO_UNPLACED = 68  # about 1.5 % of the establishments: address not in the register
DEMO_NOTE_NB = (
    "Demonstrasjonsdata: genererte, fiktive virksomheter, adresser, rutetider og "
    f"lokaler, kalibrert til totalene i {KOMMUNE.name}s næringsstrategi (4 512 "
    "virksomheter og 24 892 arbeidsplasser, oktober 2024) - ikke reelle bedrifter."
)
DEMO_NOTE_EN = (
    "Demonstration data: generated, fictitious establishments, addresses, timetables "
    f"and premises, calibrated to the totals of {KOMMUNE.name}'s business strategy (4,512 "
    "enterprises and 24,892 jobs, October 2024) - not real firms."
)
FILE_NAMES = {
    "establishments": "underenheter_demo.json.gz",
    "addresses": "adresser_demo.csv",
    "gtfs": "gtfs_demo.zip",
    "premises": "premises_demo.csv",
}
BOUNDARY_PATH = kommune.GEODATA / KOMMUNE.boundary_file


_ZIP_TIME = (AS_OF.year, AS_OF.month, AS_OF.day, 0, 0, 0)
_TO_LONLAT = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_ALL_AREAS = (*AREA_IDS, REST_ID)


# ------------------------------------------------------------------ calibration

# Share of establishments and jobs (sum 24 892) per area; the rest of the
# municipality is where most small firms and sole proprietors sit.
AREA_SHARES = {
    "sentrum": 0.18,
    "stasjonsomradet": 0.07,
    "fjellhamar": 0.07,
    "visperud": 0.12,
    "ahus": 0.08,
    "losbydalen": 0.02,
    REST_ID: 0.46,
}
AREA_JOBS = {
    "sentrum": 4300,
    "stasjonsomradet": 1300,
    "fjellhamar": 900,
    "visperud": 5300,
    "ahus": 8000,
    "losbydalen": 392,
    REST_ID: 4700,
}
# Distinct addresses per establishment (office buildings hold many firms).
_ADDRESS_SHARE = {
    "sentrum": 0.45,
    "stasjonsomradet": 0.55,
    "fjellhamar": 0.6,
    "visperud": 0.5,
    "ahus": 0.3,
    "losbydalen": 0.7,
    REST_ID: 0.85,
}
_AREA_MARGIN_M = 15.0  # addresses keep this far inside an area's outline
_REST_MARGIN_M = 40.0  # ... and this far outside every area when in the rest
_REST_MIN_NORTHING = 6647000.0  # the rest's addresses avoid the southern forest
_REST_FULL_NORTHING = 6651000.0  # from here northwards the rest is fully urban


# -------------------------------------------------------------------- orgnr


_ORGNR_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def orgnr_check_digit(base):
    """Return the MOD11 check digit of an organisasjonsnummer's first eight digits.

    Parameters
    ----------
    base : str
        Eight digits.

    Returns
    -------
    int or None
        The ninth digit, or None when the remainder gives 10 (such numbers are
        never issued).
    """
    rest = sum(int(d) * w for d, w in zip(base, _ORGNR_WEIGHTS, strict=True)) % 11
    digit = (11 - rest) % 11
    return None if digit == 10 else digit


def is_valid_orgnr(orgnr):
    """Tell whether ``orgnr`` is nine digits with a correct MOD11 check digit.

    Parameters
    ----------
    orgnr : str

    Returns
    -------
    bool
    """
    text = str(orgnr)
    if len(text) != 9 or not text.isascii() or not text.isdigit():
        return False
    return orgnr_check_digit(text[:8]) == int(text[8])


def _orgnrs(first_base, n):
    """The first ``n`` valid organisasjonsnumre from eight-digit base ``first_base``."""
    out = []
    base = first_base
    while len(out) < n:
        digit = orgnr_check_digit(f"{base:08d}")
        if digit is not None:
            out.append(f"{base:08d}{digit}")
        base += 1
    return out


# ------------------------------------------------------------------- geometry


def _regions(boundary):
    """Sampling regions in EPSG:25833: each area shrunk a little, and the rest.

    The rest is the municipality outside every area (with a margin), north of
    the southern forest.
    """
    areas = draw_indicative_areas(boundary).to_crs(METRIC_CRS)
    shapes = dict(zip(areas["area_id"], areas.geometry, strict=True))
    muni = boundary.to_crs(METRIC_CRS).union_all()
    regions = {a: shapes[a].buffer(-_AREA_MARGIN_M) for a in AREA_IDS}
    taken = shapely.union_all(list(shapes.values())).buffer(_REST_MARGIN_M)
    minx, _, maxx, maxy = muni.bounds
    north = box(minx, _REST_MIN_NORTHING, maxx, maxy)
    inner = muni.buffer(-_AREA_MARGIN_M)
    regions[REST_ID] = inner.difference(taken).intersection(north)
    return regions


def _urban_bias(y):
    """Acceptance probability of a rest point at northing ``y``: denser northwards."""
    span = _REST_FULL_NORTHING - _REST_MIN_NORTHING
    return np.clip(0.2 + 0.8 * (y - _REST_MIN_NORTHING) / span, 0.2, 1.0)


def _sample_points(rng, region, n, *, biased=False):
    """``n`` random points inside ``region``, as an (n, 2) array."""
    if n == 0:
        return np.empty((0, 2))
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    parts, got = [], 0
    while got < n:
        m = max(64, 4 * (n - got))
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        keep = shapely.contains_xy(region, x, y)
        if biased:
            keep &= rng.random(m) < _urban_bias(y)
        parts.append(np.column_stack([x[keep], y[keep]]))
        got += int(keep.sum())
    return np.concatenate(parts)[:n]


def _street_points(rng, region, numbers, *, biased, anchor=None):
    """Points for the house numbers of one street, along a short, gently bent axis.

    The axis runs through ``anchor`` (a real stop of the street's name) when it
    lies in ``region``, else from a random point. Odd numbers lie on one side,
    even numbers on the other, a few metres apart at random. Points that fall
    outside ``region`` are moved to random points of the region near the axis.
    """
    n = len(numbers)
    start = _sample_points(rng, region, 1, biased=biased)[0]
    length = rng.uniform(250.0, 900.0)
    angle = rng.uniform(0.0, math.pi)
    ux, uy = math.cos(angle), math.sin(angle)
    if anchor is not None and shapely.contains_xy(region, *anchor):
        start = np.array(anchor) - 0.5 * length * np.array([ux, uy])
    t = np.linspace(0.0, length, n)
    bend = rng.uniform(-0.0006, 0.0006) * (t - length / 2) ** 2
    side = np.where(np.asarray(numbers) % 2 == 1, 12.0, -12.0)
    side = side + bend + rng.normal(0.0, 3.0, n)
    pts = np.column_stack(
        [start[0] + t * ux - side * uy, start[1] + t * uy + side * ux]
    )
    pts = np.round(pts, 2)
    bad = ~shapely.contains_xy(region, pts[:, 0], pts[:, 1])
    if bad.any():
        near = region.intersection(Point(start).buffer(length))
        near = near if near.area > 10_000 else region
        pts[bad] = np.round(_sample_points(rng, near, int(bad.sum())), 2)
        still = ~shapely.contains_xy(region, pts[:, 0], pts[:, 1])
        pts[still] = np.round(_sample_points(rng, near, int(still.sum())), 2)
    return pts


# ------------------------------------------------------------------ helpers


def _largest_remainder(total, shares):
    """Split ``total`` into integers proportional to ``shares`` (dict), exactly."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return dict(zip(keys, counts.tolist(), strict=True))


def _rng(seed, part):
    """An independent random stream for one part of the data set."""
    return np.random.default_rng([seed, part])


def _csv_text(rows, *, delimiter, newline="\n"):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    return buf.getvalue()


def _write_gzip(path, data):
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(data)
    path.write_bytes(raw.getvalue())


def _write_zip(path, members):
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as zf:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    path.write_bytes(raw.getvalue())


def _lonlat(x, y):
    lon, lat = _TO_LONLAT.transform(x, y)
    return float(lon), float(lat)
