"""Per-area figures: one row per area, then the rest of the municipality, then the total.

A point belongs to an area when it lies within the area's polygon (a point on the
edge belongs to neither). Everything not in one of the six areas belongs to
``rest``, including establishments that could not be placed, so the six areas and
the rest always add up to the total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID

# figure -> the layer it is computed from
FIGURE_LAYER = {
    "establishments": "establishments",
    "jobs": "establishments",
    "unplaced_establishments": "establishments",
    "premises_available": "premises",
    "premises_m2": "premises",
    "median_rent_nok_m2": "premises",
    "stops": "transit_stops",
    "lines": "transit_stops",
    "departures_peak_hour": "transit_stops",
}
FIGURES = tuple(FIGURE_LAYER)
AVAILABLE = "ledig"


def locate(geometry, areas):
    """Return, for each point, the id of the area that contains it, or ``rest``.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Points (missing or empty geometries allowed), same CRS as ``areas``.
    areas : geopandas.GeoDataFrame
        Polygons with an ``area_id`` column; they must not overlap.

    Returns
    -------
    numpy.ndarray
        Object array of area ids, one per point.
    """
    out = np.full(len(geometry), REST_ID, dtype=object)
    if len(geometry) == 0:
        return out
    valid = ~(geometry.isna().to_numpy() | geometry.is_empty.to_numpy())
    x = np.full(len(geometry), np.nan)
    y = np.full(len(geometry), np.nan)
    x[valid] = shapely.get_x(geometry.values[valid])
    y[valid] = shapely.get_y(geometry.values[valid])
    for area_id, poly in zip(areas["area_id"], areas.geometry.values, strict=True):
        minx, miny, maxx, maxy = poly.bounds
        # Bounding-box filter first: cheap, and most points fail it.
        cand = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if len(cand) == 0:
            continue
        shapely.prepare(poly)
        inside = shapely.contains_xy(poly, x[cand], y[cand])
        out[cand[inside]] = area_id
    return out


def area_figures(areas, establishments, premises, stops, sources=None, boundary=None):
    """Compute the per-area figures.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        The ``areas`` layer.
    establishments, premises, stops : geopandas.GeoDataFrame
        The ``establishments``, ``premises`` and ``transit_stops`` layers.
    sources : dict, optional
        ``{layer name: LayerInfo or dict}`` describing each layer's source, licence,
        as-of date and whether it is demonstration data.
    boundary : geopandas.GeoDataFrame, optional
        The municipality. Premises and stops outside it (a timetable covers the
        whole region) are left out of ``rest`` and ``total``. Establishments are
        in the municipality by their registered address, so all of them count.

    Returns
    -------
    list of dict
        One dict per area in ``AREA_IDS`` order, then ``rest`` and ``total``.
    """
    ids = list(AREA_IDS) + [REST_ID]
    rows = {i: {"area_id": i} for i in ids + [TOTAL_ID]}

    where = locate(establishments.geometry, areas)
    jobs = establishments["employees"].to_numpy()
    guessed = np.where(establishments["employees_estimated"].to_numpy(), jobs, 0)
    codes = pd.Categorical(where, categories=ids).codes
    counts = np.bincount(codes, minlength=len(ids))
    job_sums = np.bincount(codes, weights=jobs, minlength=len(ids))
    guessed_sums = np.bincount(codes, weights=guessed, minlength=len(ids))
    standards = establishments["nace_standard"].to_numpy()
    for k, i in enumerate(ids):
        rows[i]["establishments"] = int(counts[k])
        rows[i]["jobs"] = int(job_sums[k])
        rows[i]["jobs_estimated"] = int(guessed_sums[k])
        rows[i]["nace_standard"] = _standards(standards[codes == k])
    rows[TOTAL_ID]["establishments"] = len(establishments)
    rows[TOTAL_ID]["jobs"] = int(jobs.sum())
    rows[TOTAL_ID]["jobs_estimated"] = int(guessed.sum())
    rows[TOTAL_ID]["nace_standard"] = _standards(standards)
    rows[TOTAL_ID]["unplaced_establishments"] = int((~establishments["placed"]).sum())

    avail = _inside(premises[premises["status"] == AVAILABLE], boundary)
    p_where = locate(avail.geometry, areas)
    for i in ids:
        _premises_figures(rows[i], avail[p_where == i])
    _premises_figures(rows[TOTAL_ID], avail)

    stops = _inside(stops, boundary)
    s_where = locate(stops.geometry, areas)
    for i in ids:
        _transit_figures(rows[i], stops[s_where == i])
    _transit_figures(rows[TOTAL_ID], stops)

    sources = sources or {}
    for row in rows.values():
        row["sources"] = {
            fig: _source(sources.get(layer))
            for fig, layer in FIGURE_LAYER.items()
            if fig in row
        }
        row["demonstration"] = any(s["demonstration"] for s in row["sources"].values())
    return [rows[i] for i in ids + [TOTAL_ID]]


def _standards(values):
    """The industry standard(s) of the codes behind a figure: "SN2025+SN2007"."""
    found = {v for v in values if v}
    return "+".join(s for s in ("SN2025", "SN2007") if s in found)


def _inside(points, boundary):
    if boundary is None or len(points) == 0:
        return points
    muni = boundary.to_crs(points.crs).union_all()
    shapely.prepare(muni)
    keep = shapely.contains_xy(
        muni, points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    )
    return points[keep]


def _premises_figures(row, avail):
    row["premises_available"] = len(avail)
    row["premises_m2"] = float(avail["size_m2"].sum())
    rents = avail["rent_nok_m2_year"].dropna()
    row["median_rent_nok_m2"] = float(rents.median()) if len(rents) else None


def split_lines(text):
    """Split a stop's comma-separated ``lines`` value into a set of line names."""
    return {part.strip() for part in str(text).split(",") if part.strip()}


def _transit_figures(row, stops):
    lines = set()
    for text in stops["lines"]:
        lines |= split_lines(text)
    row["stops"] = int(stops["stop_id"].nunique())
    row["lines"] = len(lines)
    row["departures_peak_hour"] = float(stops["departures_peak_hour"].sum())


def _source(info):
    if info is None:
        return {"source": "", "licence": "", "as_of": "", "demonstration": False}
    d = info if isinstance(info, dict) else info.to_dict()
    return {
        "source": d.get("source", ""),
        "licence": d.get("licence", ""),
        "as_of": d.get("as_of", ""),
        "demonstration": bool(d.get("demonstration", False)),
    }


def store_figures(store):
    """Compute :func:`area_figures` from the layers of a store.

    Parameters
    ----------
    store : layers.store.GeoPackageStore

    Returns
    -------
    list of dict
    """
    infos = {i.name: i for i in store.list_layers()}
    return area_figures(
        store.read_layer("areas"),
        store.read_layer("establishments"),
        store.read_layer("premises"),
        store.read_layer("transit_stops"),
        sources=infos,
        boundary=store.read_layer("boundary"),
    )
