"""The map page's camera: the extent after a pan or zoom, and the fit to an area.

Selecting an area (click, dropdown, URL) fits the map to it; clearing the choice
fits the municipality (``fit_camera``). ``assets/map_fit.js`` applies a fit sent in
a patch, since plotly.js keeps the user's camera otherwise.
"""

from __future__ import annotations

import math

from components.figures import basemap
from components.figures.map_layers import DEFAULT_ZOOM

# The map's size assumed for an extent computed from centre and zoom (a page
# load, or a relayout without plotly's derived corners).
VIEWPORT_PX = (1100, 700)
# The map's size at 1280 px (for the fit of a selected area) and the room kept
# free around the area; the legend sits in the bottom right corner.
MAP_PX = (776, 390)
FIT_PADDING = 30
FIT_MAX_ZOOM = 16.0
FIT_PREFIX = "fit:"  # layout.map.uirevision of a fitted camera (map_fit.js)


def fit_camera(ctx, area):
    """Centre and zoom that fit ``area``, or the municipality when None.

    Returns
    -------
    tuple
        ``({"lat": ..., "lon": ...}, zoom)``
    """
    bounds = ctx.base.area_bounds.get(area) if area else None
    return basemap.camera(
        bounds or ctx.base.boundary_bounds,
        MAP_PX,
        padding=FIT_PADDING,
        margin=0.08 if bounds else 0.0,
        max_zoom=FIT_MAX_ZOOM,
    )


def _bounds(centre, zoom):
    """The extent ``(lon0, lat0, lon1, lat1)`` of a map of ``VIEWPORT_PX``."""
    lat, lon = centre
    px_per_deg = 512 * 2**zoom / 360  # web-mercator tiles of 512 px
    half_w = VIEWPORT_PX[0] / 2 / px_per_deg
    half_h = VIEWPORT_PX[1] / 2 / px_per_deg * math.cos(math.radians(lat))
    return (lon - half_w, lat - half_h, lon + half_w, lat + half_h)


def camera(ctx, view, relayout=None, old=None):
    """Centre, zoom and extent of the map after a ``relayoutData`` (or a page load).

    Returns
    -------
    dict
        ``{"center": [lat, lon], "zoom": float, "bounds": [lon0, lat0, lon1, lat1]}``
    """
    old = old or {}
    centre = old.get("center") or list(view.center or ctx.centre)
    zoom = old.get("zoom")
    if zoom is None:
        zoom = view.zoom if view.zoom is not None else DEFAULT_ZOOM
    relayout = relayout or {}
    c = relayout.get("map.center")
    if isinstance(c, dict) and isinstance(c.get("lat"), int | float):
        if isinstance(c.get("lon"), int | float):
            centre = [float(c["lat"]), float(c["lon"])]
    if isinstance(relayout.get("map.zoom"), int | float):
        zoom = float(relayout["map.zoom"])
    bounds = _bounds(centre, zoom)
    corners = (relayout.get("map._derived") or {}).get("coordinates")
    try:
        lons = [float(p[0]) for p in corners]
        lats = [float(p[1]) for p in corners]
        if len(lons) == 4:
            bounds = (min(lons), min(lats), max(lons), max(lats))
    except (TypeError, ValueError, IndexError):
        pass
    return {"center": centre, "zoom": zoom, "bounds": [float(b) for b in bounds]}
