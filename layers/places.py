"""Which area a point lies in: the one definition, for firms, premises and stops.

A point belongs to an area when it lies within the area's polygon (a point on the
edge belongs to neither), :func:`locate`; a point in no area belongs to ``rest``.
Premises and stops (a timetable covers the whole region) outside the
municipality's boundary are ``outside`` (:func:`place_ids`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from layers.schemas import REST_ID

# Premises and stops outside the municipality (a timetable covers the region) are
# drawn on the map but belong to neither an area, the rest nor the total.
OUTSIDE = "outside"


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
    if len(geometry) == 0:
        return np.full(0, REST_ID, dtype=object)
    valid = ~(geometry.isna().to_numpy() | geometry.is_empty.to_numpy())
    x = np.full(len(geometry), np.nan)
    y = np.full(len(geometry), np.nan)
    x[valid] = shapely.get_x(geometry.values[valid])
    y[valid] = shapely.get_y(geometry.values[valid])
    return locate_xy(x, y, areas)


def locate_xy(x, y, areas):
    """:func:`locate` for coordinate arrays (NaN: not placed, so ``rest``)."""
    out = np.full(len(x), REST_ID, dtype=object)
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


def place_ids(geometry, areas, boundary=None):
    """Return each point's area id, ``rest``, or ``outside`` the municipality.

    The one definition of "inside the municipality": within the union of the
    boundary's polygons (by :func:`locate`). Without a boundary nothing is outside.
    """
    where = locate(geometry, areas)
    if boundary is not None and len(boundary) and len(geometry):
        muni = boundary.to_crs(geometry.crs).union_all()
        muni_frame = gpd.GeoDataFrame(
            {"area_id": ["in"]}, geometry=[muni], crs=geometry.crs
        )
        inside = locate(geometry, muni_frame)
        where = np.where(inside == "in", where, OUTSIDE)
    return where
