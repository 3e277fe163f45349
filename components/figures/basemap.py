"""The one offline basemap: our own boundary, neighbours and areas as GeoJSON layers.

Every map of the app (map page, finder, register, presentation) draws its context
from here, so they look alike: the GeoJSON is built once per store version
(``current``), the layers in one order (``base_layers``) and one camera fit
(``camera``, as MapLibre's ``cameraForBounds``). Online tiles are an option in
layer slot 0; without them nothing leaves the machine.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import shapely

from components.figures.theme import COORD_DECIMALS
from components.i18n import t

BASEMAPS = ("offline", "kartverket", "osm")
ONLINE_BASEMAPS = ("kartverket", "osm")
TILES = {
    "kartverket": (
        "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/"
        "{z}/{y}/{x}.png",
        "map_attr_kartverket",
    ),
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "map_attr_osm"),
}


def geojson(gdf, *, id_column=None, tolerance=0.0, decimals=COORD_DECIMALS):
    """Return ``gdf`` as a GeoJSON dict with rounded (and optionally simplified) shapes.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        EPSG:4326.
    id_column : str, optional
        Column copied to each feature's ``id`` and ``properties``.
    tolerance : float
        Simplification tolerance in degrees (0: none).
    decimals : int
        Coordinate decimals (5 is about a metre).

    Returns
    -------
    dict
    """
    geoms = gdf.geometry.values
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    geoms = shapely.transform(geoms, lambda c: np.round(c, decimals))
    features = []
    for k, geom in enumerate(geoms):
        feat = {"type": "Feature", "geometry": json.loads(shapely.to_geojson(geom))}
        if id_column:
            value = str(gdf[id_column].iloc[k])
            feat["id"] = value
            feat["properties"] = {id_column: value}
        else:
            feat["properties"] = {}
        features.append(feat)
    return {"type": "FeatureCollection", "features": features}


# Colours and widths of the offline basemap (one look for every map).
NEIGHBOUR_FILL = "#dde2e8"
NEIGHBOUR_LINE = "#9aa5b1"
MUNI_FILL = "#fbfaf5"
BOUNDARY_LINE = "#323f4b"
BOUNDARY_WIDTH = 2.5
AREA_FILL = "#2f6fba"
AREA_LINE = "#1d4f91"
EMPTY_GEOJSON = {"type": "FeatureCollection", "features": []}


@dataclass(frozen=True)
class Basemap:
    """The offline basemap of one store version (built by :func:`build_basemap`)."""

    boundary: dict  # GeoJSON, simplified to about 5 m
    neighbours: dict  # GeoJSON, simplified to about 50 m
    areas: dict  # GeoJSON, features' id and properties.area_id
    area_names: dict  # area id -> stored name
    boundary_bounds: tuple  # (west, south, east, north)
    areas_bounds: tuple  # of all areas; the boundary's when there are none
    area_bounds: dict  # area id -> (west, south, east, north)

    def boundary_centre(self):
        """``(lat, lon)`` of the middle of the boundary's bounding box."""
        west, south, east, north = self.boundary_bounds
        return round((south + north) / 2, 5), round((west + east) / 2, 5)


def _bounds(values):
    return tuple(float(v) for v in values)


def build_basemap(boundary, neighbours, areas):
    """Build the offline basemap from the ``boundary``, ``neighbours``, ``areas`` layers.

    Parameters
    ----------
    boundary, neighbours, areas : geopandas.GeoDataFrame
        EPSG:4326; ``neighbours`` and ``areas`` may be empty.

    Returns
    -------
    Basemap
    """
    boundary_bounds = _bounds(boundary.total_bounds)
    return Basemap(
        boundary=geojson(boundary, tolerance=0.00005),
        neighbours=(
            geojson(neighbours, tolerance=0.0005, decimals=4)
            if len(neighbours)
            else EMPTY_GEOJSON
        ),
        areas=geojson(areas, id_column="area_id"),
        area_names=dict(zip(areas["area_id"], areas["name"], strict=True)),
        boundary_bounds=boundary_bounds,
        areas_bounds=_bounds(areas.total_bounds) if len(areas) else boundary_bounds,
        area_bounds={
            a: _bounds(g.bounds)
            for a, g in zip(areas["area_id"], areas.geometry.values, strict=True)
        },
    )


def current():
    """The basemap of the app's store, built once per store version (shared)."""
    from components import data

    def build():
        return build_basemap(
            data.layer("boundary"),
            data.layer_or_empty("neighbours"),
            data.layer("areas"),
        )

    return data.memo("figures.basemap", None, build)


def base_layers(base, lang, basemap="offline", *, online_allowed=True, areas=False):
    """The map's own context layers, drawn below the traces.

    Slot 0 holds the online raster basemap when one is chosen (else an empty,
    hidden layer) so that switching basemap patches one slot, not the geometry;
    slots 1 and 2 are the neighbours' and the municipality's fills, whose opacity
    follows the basemap. With ``areas`` the six areas are drawn as layers too (for
    maps whose traces do not draw them).

    Parameters
    ----------
    base : Basemap
    lang : str
    basemap : str
        One of ``BASEMAPS``.
    online_allowed : bool
        Whether online tiles may be used (app setting ``ONLINE_BASEMAPS``).
    areas : bool

    Returns
    -------
    list of dict
    """
    basemap = basemap if online_allowed and basemap in BASEMAPS else "offline"

    def layer(source, kind, color, **extra):
        return {
            "sourcetype": "geojson",
            "source": source,
            "type": kind,
            "color": color,
            **extra,
            "below": "traces",
        }

    out = [
        basemap_layer(basemap, lang),
        layer(
            base.neighbours, "fill", NEIGHBOUR_FILL, opacity=_neighbour_opacity(basemap)
        ),
        layer(base.boundary, "fill", MUNI_FILL, opacity=_muni_opacity(basemap)),
        layer(base.neighbours, "line", NEIGHBOUR_LINE, line={"width": 1}),
    ]
    if areas:
        out += [
            layer(base.areas, "fill", AREA_FILL, opacity=0.14),
            layer(base.areas, "line", AREA_LINE, line={"width": 1.5}),
        ]
    out.append(
        layer(base.boundary, "line", BOUNDARY_LINE, line={"width": BOUNDARY_WIDTH})
    )
    return out


def _neighbour_opacity(basemap):
    return 0.9 if basemap == "offline" else 0.45


def _muni_opacity(basemap):
    return 1.0 if basemap == "offline" else 0.0


def basemap_layer(basemap, lang):
    """Layer slot 0: the raster tiles of an online basemap, or an empty layer."""
    if basemap in TILES:
        url, attribution = TILES[basemap]
        return {
            "sourcetype": "raster",
            "source": [url],
            "sourceattribution": t(attribution, lang),
            "type": "raster",
            "below": "traces",
            "visible": True,
        }
    return {
        "sourcetype": "geojson",
        "source": {"type": "FeatureCollection", "features": []},
        "type": "fill",
        "below": "traces",
        "visible": False,
    }


def _mercator_y(lat):
    lat = max(-85.0, min(85.0, lat))
    return (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2


def _mercator_lat(y):
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


def camera(bounds, size, *, padding=0, margin=0.0, max_zoom=17.0):
    """Centre and zoom that fit ``bounds`` (west, south, east, north) in a map.

    The same fit as MapLibre's ``cameraForBounds`` (512-pixel tiles, Web Mercator).

    Parameters
    ----------
    bounds : tuple of float
        Lon/lat bounds, EPSG:4326.
    size : tuple of int
        The map's width and height in pixels.
    padding : float
        Pixels kept free on each side.
    margin : float
        Share of the bounds' extent added on each side.
    max_zoom : float

    Returns
    -------
    tuple
        ``({"lat": ..., "lon": ...}, zoom)``, rounded to 5 decimals and 2.
    """
    west, south, east, north = (float(v) for v in bounds)
    width = max(1.0, size[0] - 2 * padding)
    height = max(1.0, size[1] - 2 * padding)
    dx = max((east - west) / 360, 1e-9) * (1 + 2 * margin)
    y0, y1 = _mercator_y(north), _mercator_y(south)
    dy = max(y1 - y0, 1e-9) * (1 + 2 * margin)
    zoom = min(math.log2(width / (512 * dx)), math.log2(height / (512 * dy)), max_zoom)
    centre = {
        "lat": round(_mercator_lat((y0 + y1) / 2), 5),
        "lon": round((west + east) / 2, 5),
    }
    return centre, round(zoom, 2)
