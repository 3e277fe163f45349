"""Firms as square grid cells (EPSG:25833), and the firms of a map extent.

The map never ships every establishment: at municipal zoom it draws one symbol per
occupied cell (250 m or 500 m squares in the metric CRS), sized by jobs and
coloured by the section with most jobs; only a view holding at most a few thousand
firms gets them one by one (:func:`firms_in_extent`). The per-firm cell codes are
computed once per store version (``layers.frames.MEMO``); an aggregate under a
filter is then a few ``bincount`` calls, so its cost and size depend on the number
of occupied cells, not on the number of firms.

Usage::

    from layers import aggregates, grid

    fr = aggregates.frames(store)
    g = grid.cells(store, fr, 500)
    cells = grid.aggregate(fr, g, aggregates.selection(fr, None, ("G",), (0, 7)))
    rows = grid.firms_in_extent(fr, mask, (10.9, 59.9, 11.0, 59.95), limit=3000)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyproj import Transformer

from layers.aggregates import PLACES, SECTIONS, SIZE_BOUNDS
from layers.firm_index import ALL_SIZES, filter_masks
from layers.frames import MEMO
from layers.schemas import METRIC_CRS

CELL_SIZES = (250, 500)  # metres


@dataclass(frozen=True)
class Grid:
    """The occupied cells of one cell size, and each firm's cell (read-only)."""

    size_m: int
    firm_cell: (
        np.ndarray
    )  # per firm (aligned with the Frames' firm arrays): cell code, -1 unplaced
    lat: np.ndarray  # per cell: centre, EPSG:4326
    lon: np.ndarray
    firm_lat: np.ndarray  # per firm, NaN when unplaced (for extent queries)
    firm_lon: np.ndarray
    # Firms counted per (cell, place, section, size class), only the occupied
    # combinations: a filter aggregates these, not every firm.
    e_cell: np.ndarray = None
    e_place: np.ndarray = None
    e_section: np.ndarray = None
    e_size: np.ndarray = None
    e_count: np.ndarray = None
    e_jobs: np.ndarray = None

    @property
    def n_cells(self):
        return len(self.lat)


def build_grid(fr, size_m):
    """Assign every placed firm of ``fr`` (``aggregates.Frames``) a square cell.

    Parameters
    ----------
    fr : aggregates.Frames
    size_m : int
        Side of a cell in metres (EPSG:25833).

    Returns
    -------
    Grid
    """
    lat = np.asarray(fr.firm_lat, dtype=float)
    lon = np.asarray(fr.firm_lon, dtype=float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    to_geo = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
    x, y = to_metric.transform(lon[placed], lat[placed])
    ix = np.floor(np.asarray(x) / size_m).astype(np.int64)
    iy = np.floor(np.asarray(y) / size_m).astype(np.int64)
    keys = ix * 4_000_000 + iy  # 4e6 cells of 250 m span 1 000 km: no collision
    uniq, inverse = np.unique(keys, return_inverse=True)
    firm_cell = np.full(len(lat), -1, dtype=np.int32)
    firm_cell[placed] = inverse.astype(np.int32)
    cx = (np.floor_divide(uniq, 4_000_000) + 0.5) * size_m
    cy = (uniq - np.floor_divide(uniq, 4_000_000) * 4_000_000 + 0.5) * size_m
    clon, clat = to_geo.transform(cx, cy)
    ns, nz, npl = len(SECTIONS), len(SIZE_BOUNDS), len(PLACES) + 1
    sel = firm_cell >= 0
    place = np.where(fr.firm_place < 0, npl - 1, fr.firm_place)[sel].astype(np.int64)
    key = ((firm_cell[sel].astype(np.int64) * npl + place) * ns) + fr.firm_section[sel]
    key = key * nz + fr.firm_size[sel]
    combo, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    jobs = np.bincount(inverse, weights=fr.firm_jobs[sel], minlength=len(combo))
    return Grid(
        size_m=int(size_m),
        firm_cell=firm_cell,
        lat=np.round(np.asarray(clat), 5),
        lon=np.round(np.asarray(clon), 5),
        firm_lat=lat,
        firm_lon=lon,
        e_cell=combo // (npl * ns * nz),
        e_place=(combo // (ns * nz)) % npl,
        e_section=(combo // nz) % ns,
        e_size=combo % nz,
        e_count=counts.astype(np.int64),
        e_jobs=np.rint(jobs).astype(np.int64),
    )


def cells(store, fr, size_m):
    """Return the :class:`Grid` of ``size_m`` for a store, once per store version."""
    if size_m not in CELL_SIZES:
        raise ValueError(f"cell size must be one of {CELL_SIZES}")
    return MEMO.get("grid.cells", store, size_m, lambda: build_grid(fr, size_m))


@dataclass(frozen=True)
class CellAggregate:
    """The occupied cells under a filter: arrays of equal length, one per cell."""

    lat: np.ndarray
    lon: np.ndarray
    firms: np.ndarray  # establishments in the cell
    jobs: np.ndarray  # their employees
    section: tuple  # the section with most jobs (most firms when no jobs)
    area: tuple  # the place (area id or ``rest``) most of its firms lie in

    def __len__(self):
        return len(self.lat)


def aggregate(fr, g, mask):
    """Aggregate the firms of ``mask`` (over the firms of ``fr``) into the cells of ``g``.

    Parameters
    ----------
    fr : aggregates.Frames
    g : Grid
    mask : numpy.ndarray of bool
        Which firms count (``aggregates.selection``).

    Returns
    -------
    CellAggregate
        Only cells holding at least one selected firm.
    """
    sel = mask & (g.firm_cell >= 0)
    cell = g.firm_cell[sel].astype(np.int64)
    n = g.n_cells
    counts = np.bincount(cell, minlength=n)
    jobs = np.bincount(cell, weights=fr.firm_jobs[sel], minlength=n)
    ns, npl = len(SECTIONS), len(PLACES)
    # Jobs per (cell, section), plus a tiny count term so a cell of firms
    # without employees still gets the section most of its firms are in.
    sec = cell * ns + fr.firm_section[sel].astype(np.int64)
    by_sec = np.bincount(
        sec, weights=fr.firm_jobs[sel] + 1e-6, minlength=n * ns
    ).reshape(n, ns)
    place = cell * npl + fr.firm_place[sel].astype(np.int64)
    by_place = np.bincount(place, minlength=n * npl).reshape(n, npl)
    keep = np.flatnonzero(counts)
    return CellAggregate(
        lat=g.lat[keep],
        lon=g.lon[keep],
        firms=counts[keep],
        jobs=np.round(jobs[keep]).astype(np.int64),
        section=tuple(SECTIONS[k] for k in by_sec[keep].argmax(axis=1)),
        area=tuple(PLACES[k] for k in by_place[keep].argmax(axis=1)),
    )


def aggregate_view(g, sections=None, size=None):
    """:func:`aggregate` of the firms in ``sections`` (all if empty) and ``size``
    (first and last class), from the grid's counts: no pass over every firm."""
    section_ok, size_ok = filter_masks(sections, size or ALL_SIZES)
    ok = section_ok[g.e_section] & size_ok[g.e_size]
    cell, count, jobs = g.e_cell[ok], g.e_count[ok], g.e_jobs[ok]
    n = g.n_cells
    counts = np.bincount(cell, weights=count, minlength=n)
    job_sum = np.bincount(cell, weights=jobs, minlength=n)
    ns, npl = len(SECTIONS), len(PLACES) + 1
    by_sec = np.bincount(
        cell * ns + g.e_section[ok], weights=jobs + 1e-6 * count, minlength=n * ns
    ).reshape(n, ns)
    by_place = np.bincount(
        cell * npl + g.e_place[ok], weights=count, minlength=n * npl
    ).reshape(n, npl)[:, : npl - 1]
    keep = np.flatnonzero(counts)
    return CellAggregate(
        lat=g.lat[keep],
        lon=g.lon[keep],
        firms=np.rint(counts[keep]).astype(np.int64),
        jobs=np.rint(job_sum[keep]).astype(np.int64),
        section=tuple(SECTIONS[k] for k in by_sec[keep].argmax(axis=1)),
        area=tuple(PLACES[k] for k in by_place[keep].argmax(axis=1)),
    )


def in_extent(g, bounds):
    """Boolean array over the firms: placed inside ``bounds`` (lon0, lat0, lon1, lat1)."""
    lon0, lat0, lon1, lat1 = bounds
    with np.errstate(invalid="ignore"):
        return (
            (g.firm_lon >= lon0)
            & (g.firm_lon <= lon1)
            & (g.firm_lat >= lat0)
            & (g.firm_lat <= lat1)
        )


def firms_in_extent(fr, g, mask, bounds, limit):
    """Row positions of the selected firms inside ``bounds``, or None if too many.

    Parameters
    ----------
    fr : aggregates.Frames
    g : Grid
        Any grid of the store (its per-firm coordinates are used).
    mask : numpy.ndarray of bool
    bounds : tuple
        ``(lon0, lat0, lon1, lat1)`` in EPSG:4326.
    limit : int
        The most firms a view may hold.

    Returns
    -------
    numpy.ndarray of int or None
        Positions of firms of ``fr``, most employees first; None when more than
        ``limit`` firms are in the extent (the view shows cells instead).
    """
    rows = np.flatnonzero(mask & in_extent(g, bounds))
    if len(rows) > limit:
        return None
    return rows[np.argsort(-fr.firm_jobs[rows], kind="stable")]
