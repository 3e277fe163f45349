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
            # Never empty: the renderer drops an empty ``{}`` when it applies a
            # patch, plotly.js then sees a changed layer source and reloads it
            # in MapLibre on every update of the map.
            feat["properties"] = {"index": k}
        features.append(feat)
    return {"type": "FeatureCollection", "features": features}


# The map style: a white background and our own glyphs (``/glyphs/``, served by
# ``components.tiles_route`` from ``assets/glyphs``) so labels need no font server.
GLYPHS_URL = "/glyphs/{fontstack}/{range}.pbf"
LOCAL_TILES_URL = "/tiles/{z}/{x}/{y}.png"
LABEL_FONT = "DejaVu Sans Regular"
LABEL_FONT_BOLD = "DejaVu Sans Bold"
RAIL_LINE = "#8a1c1c"
STOP_DOT = "#52606d"
LABEL_INK = "#1f2933"
NEIGHBOUR_INK = "#616e7c"


def map_style():
    """The MapLibre style of every map: a white background, our own glyphs.

    ``sources`` holds one empty GeoJSON source rather than nothing: plotly's figure
    JSON drops an empty ``{}``, and a style without ``sources`` fails MapLibre's
    validation on the next update ("Map error." on the finder and presentation).
    """
    return {
        "version": 8,
        "sources": {"naring-empty": {"type": "geojson", "data": EMPTY_GEOJSON}},
        "glyphs": GLYPHS_URL,
        "layers": [
            {
                "id": "background",
                "type": "background",
                "paint": {"background-color": "#ffffff"},
            }
        ],
    }


SLOT_PREFIX = "naring-slot-"
# plotly.js draws choroplethmap below densitymap below scattermap traces.
_TRACE_ORDER = {"choroplethmap": 0, "densitymap": 1, "scattermap": 2}


def _slot(k):
    return {
        "id": f"{SLOT_PREFIX}{k}",
        "type": "background",
        "layout": {"visibility": "none"},
    }


def stacked(fig):
    """A copy of the map figure ``fig`` (a dict) in which every layer has its own slot.

    plotly.js removes and re-adds, on every update of a map, each trace and each
    layout layer whose ``below`` it shares with another (by default all do:
    ``"traces"`` for our context layers, none for traces and labels), and MapLibre
    then reloads their sources: a filter or a layer toggle redraws the whole map.
    Here each gets a ``below`` of its own, an empty hidden layer added to the style
    in drawing order (context layers, traces, labels), so the drawing order stays
    as it was and an update touches only what changed.

    Parameters
    ----------
    fig : dict
        ``{"data": [...], "layout": {"map": {"style": {...}, "layers": [...]}}}``;
        not changed.

    Returns
    -------
    dict
    """
    data = list(fig.get("data") or [])
    layout = fig["layout"]
    opts = layout["map"]
    layers = list(opts.get("layers") or [])
    bottom = [i for i, layer in enumerate(layers) if layer.get("below") == "traces"]
    top = [i for i, layer in enumerate(layers) if layer.get("below") != "traces"]
    traces = sorted(
        range(len(data)),
        key=lambda i: (_TRACE_ORDER.get(data[i].get("type"), 2), i),
    )
    order = [("layer", i) for i in bottom] + [("trace", i) for i in traces]
    order += [("layer", i) for i in top]
    for k, (kind, i) in enumerate(order):
        below = f"{SLOT_PREFIX}{k}"
        if kind == "layer":
            layers[i] = {**layers[i], "below": below}
        else:
            data[i] = {**data[i], "below": below}
    style = opts["style"]
    style = {**style, "layers": [*style["layers"], *map(_slot, range(len(order)))]}
    return {
        **fig,
        "data": data,
        "layout": {**layout, "map": {**opts, "style": style, "layers": layers}},
    }


def _point_features(rows):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(lon, 5), round(lat, 5)],
                },
                "properties": {"name": name},
            }
            for lat, lon, name in rows
        ],
    }


def short_name(name):
    """A landmark's name without its note in brackets (``"X (context)"`` -> ``X``)."""
    return str(name).split(" (")[0].strip()


def orientation(lines, stops, landmarks, neighbours):
    """What orients a reader without tiles: rail, stations, stops, places, neighbours.

    Parameters
    ----------
    lines, stops, landmarks, neighbours : geopandas.GeoDataFrame
        The ``transit_lines``, ``transit_stops``, ``landmarks`` and ``neighbours``
        layers, EPSG:4326 (any may be empty).

    Returns
    -------
    dict
        ``rail`` (GeoJSON lines) and ``labels``: ``(lat, lon, text, kind)`` with
        kind ``station``, ``place``, ``stop`` or ``neighbour``.
    """
    labels = []
    if len(lines):
        rt = lines["route_type"].astype(int)
        rail = lines[(rt == 2) | ((rt >= 100) & (rt < 200))]
    else:
        rail = lines
    confidence = (
        landmarks["confidence"] if "confidence" in landmarks else [""] * len(landmarks)
    )
    for name, geom, sure in zip(
        landmarks["name"], landmarks.geometry.values, confidence, strict=True
    ):
        # A place whose point is only a low-confidence guess gets no name on the
        # map: a label says "here", which the source does not.
        if geom is None or geom.is_empty or str(sure).lower() == "low":
            continue
        text = short_name(name)
        kind = "station" if "stasjon" in text.lower() else "place"
        labels.append((geom.y, geom.x, text, kind))
    for name, geom in zip(stops["name"], stops.geometry.values, strict=True):
        if geom is not None and not geom.is_empty:
            labels.append((geom.y, geom.x, str(name), "stop"))
    if len(neighbours):
        for name, geom in zip(
            neighbours["kommunenavn"], neighbours.geometry.values, strict=True
        ):
            point = shapely.point_on_surface(geom)
            labels.append((point.y, point.x, str(name), "neighbour"))
    return {
        "rail": geojson(rail, decimals=5) if len(rail) else EMPTY_GEOJSON,
        "labels": tuple(
            (round(float(a), 5), round(float(b), 5), c, d) for a, b, c, d in labels
        ),
    }


def _labels_of(base, kind):
    return [(lat, lon, text) for lat, lon, text, k in base.labels if k == kind]


def display_names(base, lang):
    """Area id -> the name shown in ``lang`` (``i18n.map.area_name``)."""
    from components.i18n.map import area_name

    return {a: area_name(a, n, lang) for a, n in base.area_names.items()}


def area_label_points(base, names):
    """GeoJSON points (one per area, inside it) named ``names[area_id]``."""
    rows = []
    for feat in base.areas["features"]:
        area = feat["properties"]["area_id"]
        point = shapely.point_on_surface(shapely.geometry.shape(feat["geometry"]))
        rows.append((point.y, point.x, names.get(area, area)))
    return _point_features(rows)


def label_layers(base, area_names=None, *, stops=True):
    """Symbol layers of names, drawn above the traces (MapLibre hides collisions).

    Area names (``area_names``: id -> display name) always; stations and
    neighbours always; places from zoom 12, stop names from zoom 14.5.
    """

    def symbol(points, size, color, font, **extra):
        return {
            "sourcetype": "geojson",
            "source": points,
            "type": "symbol",
            "symbol": {
                "icon": "",
                "text": "{name}",
                "textfont": {"size": size, "color": color, "family": font},
                "textposition": extra.pop("position", "top center"),
                "placement": "point",
            },
            **extra,
        }

    out = [
        symbol(
            _point_features(_labels_of(base, "neighbour")),
            15,
            NEIGHBOUR_INK,
            LABEL_FONT,
            position="middle center",
        ),
        symbol(
            _point_features(_labels_of(base, "place")),
            11,
            LABEL_INK,
            LABEL_FONT,
            minzoom=12.5,
        ),
    ]
    if stops:
        out.append(
            symbol(
                _point_features(_labels_of(base, "stop")),
                10,
                STOP_DOT,
                LABEL_FONT,
                minzoom=14.5,
            )
        )
    out.append(
        symbol(
            _point_features(_labels_of(base, "station")),
            12,
            RAIL_LINE,
            LABEL_FONT_BOLD,
        )
    )
    if area_names is not None:
        out.append(
            symbol(
                area_label_points(base, area_names),
                14,
                LABEL_INK,
                LABEL_FONT_BOLD,
                position="middle center",
            )
        )
    return out


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
    # Tiles fetched into the store (``layers.tiles.info``): attribution, zoom range.
    tiles: dict | None = None
    # Orientation without tiles: rail lines, stations, stops, landmarks, neighbours.
    rail: dict = None  # GeoJSON lines
    labels: tuple = ()  # ((lat, lon, text, kind), ...), kind station/landmark/...

    def boundary_centre(self):
        """``(lat, lon)`` of the middle of the boundary's bounding box."""
        west, south, east, north = self.boundary_bounds
        return round((south + north) / 2, 5), round((west + east) / 2, 5)


def _bounds(values):
    return tuple(float(v) for v in values)


def build_basemap(boundary, neighbours, areas, *, tiles=None, context=None):
    """Build the offline basemap from the ``boundary``, ``neighbours``, ``areas`` layers.

    Parameters
    ----------
    boundary, neighbours, areas : geopandas.GeoDataFrame
        EPSG:4326; ``neighbours`` and ``areas`` may be empty.
    tiles : dict, optional
        The stored tiles' metadata (``layers.tiles.info``), if any were fetched.
    context : dict, optional
        ``{"rail": GeoJSON, "labels": tuple}`` (:func:`orientation`).

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
        tiles=tiles,
        rail=(context or {}).get("rail") or EMPTY_GEOJSON,
        labels=tuple((context or {}).get("labels") or ()),
    )


def current():
    """The basemap of the app's store, built once per store version (shared)."""
    from components import data

    def build():
        from layers import tiles

        neighbours = data.layer_or_empty("neighbours")
        return build_basemap(
            data.layer("boundary"),
            neighbours,
            data.layer("areas"),
            tiles=tiles.info(data.store()),
            context=orientation(
                data.layer_or_empty("transit_lines"),
                data.layer_or_empty("transit_stops"),
                data.layer_or_empty("landmarks"),
                neighbours,
            ),
        )

    return data.memo("figures.basemap", None, build)


def base_layers(
    base,
    lang,
    basemap="offline",
    *,
    online_allowed=True,
    areas=False,
    area_names=None,
    stops=True,
):
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

    tiled = basemap != "offline" or base.tiles is not None
    out = [
        basemap_layer(basemap, lang, base.tiles),
        layer(
            base.neighbours,
            "fill",
            NEIGHBOUR_FILL,
            opacity=_neighbour_opacity(basemap, base.tiles),
        ),
        layer(
            base.boundary, "fill", MUNI_FILL, opacity=_muni_opacity(basemap, base.tiles)
        ),
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
    if not tiled:
        out.append(
            layer(base.rail or EMPTY_GEOJSON, "line", RAIL_LINE, line={"width": 2.5})
        )
        if stops:
            out.append(
                layer(
                    _point_features(_labels_of(base, "stop")),
                    "circle",
                    STOP_DOT,
                    circle={"radius": 2.5},
                    opacity=0.8,
                    minzoom=12,
                )
            )
    return out + label_layers(base, area_names, stops=stops)


def _neighbour_opacity(basemap, tiles=None):
    return 0.9 if basemap == "offline" and tiles is None else 0.35


def _muni_opacity(basemap, tiles=None):
    return 1.0 if basemap == "offline" and tiles is None else 0.0


def basemap_layer(basemap, lang, tiles=None):
    """Layer slot 0: online tiles, the store's own tiles, or an empty layer."""
    if basemap == "offline" and tiles is not None:
        return {
            "sourcetype": "raster",
            "source": [LOCAL_TILES_URL],
            "sourceattribution": str(tiles.get("attribution", "")),
            "type": "raster",
            "below": "traces",
            "visible": True,
        }
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
