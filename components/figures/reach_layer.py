"""The travel-time band layer: 15/30/45 minutes by public transport from a point.

Bands come from ``layers.reach.bands`` (union of walk circles around the stop
places reached, EPSG:4326) and are drawn as ``choroplethmap`` traces (one per
band, largest first, so the nearest band is on top) plus the starting point as
a ``scattermap`` marker. A figure reserves these traces, empty, at fixed
positions (:func:`empty_traces`), and a callback fills them (:func:`patch_bands`).
"""

from __future__ import annotations

import html as html_lib
import json

import plotly.graph_objects as go
import shapely

from components.i18n import fmt_int, t

BANDS = (45, 30, 15)  # drawing order: largest first
BAND_COLOURS = {15: "#08519c", 30: "#4292c6", 45: "#9ecae1"}
BAND_OPACITY = 0.32
TRACES = len(BANDS) + 1  # the bands, then the starting point
SIMPLIFY_DEG = 0.0002  # about 15 m: keeps the band GeoJSON small


def _band_trace(band, lang):
    colour = BAND_COLOURS[band]
    return go.Choroplethmap(
        geojson={"type": "FeatureCollection", "features": []},
        locations=[],
        z=[],
        featureidkey="properties.band",
        colorscale=[[0, colour], [1, colour]],
        showscale=False,
        marker={"opacity": BAND_OPACITY, "line": {"width": 1, "color": colour}},
        hovertemplate="%{text}<extra></extra>",
        text=[],
        name=t("reach_band_label", lang, band=band),
        showlegend=False,
    )


def empty_traces(lang):
    """The layer's traces with nothing to draw (a figure reserves them)."""
    traces = [_band_trace(b, lang) for b in BANDS]
    traces.append(
        go.Scattermap(
            lat=[],
            lon=[],
            mode="markers",
            marker={"size": 14, "color": "#111111", "opacity": 0.9},
            hoverinfo="skip",
            name=t("reach_map_origin", lang),
            showlegend=False,
        )
    )
    return traces


def band_data(bands, origin_latlon, lang):
    """``[{geojson, locations, z, text}]`` per band in :data:`BANDS` order, and the
    origin's ``(lat, lon)`` lists: what :func:`patch_bands` writes."""
    by_band = {
        int(m): r for m, r in zip(bands["minutes"], bands.itertuples(), strict=True)
    }
    out = []
    for band in BANDS:
        row = by_band.get(band)
        if row is None or row.geometry is None or row.geometry.is_empty:
            out.append(
                {
                    "geojson": {"type": "FeatureCollection", "features": []},
                    "locations": [],
                    "z": [],
                    "text": [],
                }
            )
            continue
        geom = shapely.simplify(row.geometry, SIMPLIFY_DEG)
        geom = shapely.set_precision(geom, 1e-5)
        feature = {
            "type": "Feature",
            "properties": {"band": str(band)},
            "geometry": json.loads(shapely.to_geojson(geom)),
        }
        text = t(
            "reach_band_hover",
            lang,
            band=band,
            jobs=fmt_int(row.jobs, lang),
            est=fmt_int(row.establishments, lang),
        )
        out.append(
            {
                "geojson": {"type": "FeatureCollection", "features": [feature]},
                "locations": [str(band)],
                "z": [1],
                "text": [html_lib.escape(text)],
            }
        )
    lat, lon = (
        ([], [])
        if origin_latlon is None
        else ([round(origin_latlon[0], 5)], [round(origin_latlon[1], 5)])
    )
    return out, lat, lon


def patch_bands(patch, first, bands, origin_latlon, lang):
    """Write the bands (None: clear them) into a figure ``Patch`` whose layer
    traces start at position ``first``."""
    if bands is None:
        empty = {
            "geojson": {"type": "FeatureCollection", "features": []},
            "locations": [],
            "z": [],
            "text": [],
        }
        per_band, lat, lon = [empty] * len(BANDS), [], []
    else:
        per_band, lat, lon = band_data(bands, origin_latlon, lang)
    for k, values in enumerate(per_band):
        for key, value in values.items():
            patch["data"][first + k][key] = value
    patch["data"][first + len(BANDS)]["lat"] = lat
    patch["data"][first + len(BANDS)]["lon"] = lon
    return patch
