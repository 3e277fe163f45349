"""The map page's layers: areas, jobs density, transit, landmarks, premises, firms.

``map_figure`` draws the map once per page load; ``map_patch`` computes the small
partial updates that later interactions send. Names from data are escaped before
they reach a hover label, which renders a subset of HTML.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import shapely

from components.figures.basemap import (
    SLOT_PREFIX,
    Basemap,
    _muni_opacity,
    _neighbour_opacity,
    base_layers,
    basemap_layer,
    display_names,
    map_style,
)
from components.figures.firm_layer import (
    EMPTY_POINTS,
    _round,
    firm_trace,
    patch_firms,
)
from components.figures.theme import (
    ACCENT,
    AREA_FILL,
    COORD_DECIMALS,
    PREMISES_COLORS,
    ROUTE_GROUPS,
    SECTION_COLORS,
    SELECTED_LINE,
    TEMPLATE,
    separators,
)
from components.i18n import fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import area_name, premises_type_name
from layers.aggregates import SECTIONS
from layers.schemas import AREA_IDS

DEFAULT_ZOOM = 10.7
CENTRE_EAST_SHIFT = 0.035  # degrees of longitude
MAP_UIREVISION = "map"


@dataclass(frozen=True)
class MapContext:
    """Everything drawn on the map for one store version (built by ``map_context``)."""

    base: Basemap  # the offline basemap: boundary, neighbours, areas
    centre: tuple  # (lat, lon)
    landmarks: object  # DataFrame: name, lon, lat
    sections: tuple  # sections present, legend order
    stops: object
    premises: object  # available listings
    premises_types: tuple
    routes: dict = field(default_factory=dict)  # group -> (lon list, lat list)
    # The firms are not kept here (at a million a copy costs hundreds of MB, and
    # the memo would count the engine's frame twice): the map draws them from the
    # engine's frames through layers.grid.
    firms: object = None
    outlines: dict = field(default_factory=dict)  # area id -> (lon list, lat list)

    @property
    def areas_geojson(self):
        return self.base.areas

    @property
    def area_names(self):
        return self.base.area_names


def route_group(route_type):
    """Group a GTFS (extended) route type into rail, metro, bus or other."""
    rt = int(route_type)
    if rt in (1, 400, 401, 402, 403, 404, 405) or 400 <= rt < 500:
        return "metro"
    if rt == 2 or 100 <= rt < 200:
        return "rail"
    if rt in (3, 11) or 200 <= rt < 300 or 700 <= rt < 800:
        return "bus"
    return "other"


def map_context(fr, base, landmarks, lines):
    """Prepare the map's drawing data from the layers of one store version.

    Parameters
    ----------
    fr : aggregates.Frames
    base : Basemap
        The offline basemap (``basemap.current()``).
    landmarks, lines : geopandas.GeoDataFrame
        The ``landmarks`` and ``transit_lines`` layers, EPSG:4326.

    Returns
    -------
    MapContext
    """
    areas = fr.areas
    # Centre on the six areas, nudged east so the legend covers Lillestrøm.
    minx, miny, maxx, maxy = base.areas_bounds
    lat, lon = (miny + maxy) / 2, (minx + maxx) / 2 + CENTRE_EAST_SHIFT
    routes = {}
    for group in ROUTE_GROUPS:
        sel = lines[[route_group(rt) == group for rt in lines["route_type"]]]
        if len(sel):
            routes[group] = _line_coords(sel.geometry.values)
    landmark_frame = landmarks[["name"]].copy()
    landmark_frame["lon"] = shapely.get_x(landmarks.geometry.values)
    landmark_frame["lat"] = shapely.get_y(landmarks.geometry.values)
    present = {
        SECTIONS[k] for k in np.flatnonzero(np.bincount(fr.firm_section, minlength=1))
    }
    sections = tuple(s for s in SECTION_COLORS if s in present)
    types = tuple(k for k in PREMISES_COLORS if k in set(fr.premises["type"]))
    types += tuple(sorted(set(fr.premises["type"]) - set(types)))
    return MapContext(
        base=base,
        centre=(round(lat, 5), round(lon, 5)),
        landmarks=landmark_frame,
        sections=sections,
        stops=fr.stops,
        premises=fr.premises,
        premises_types=types,
        routes=routes,
        outlines={
            a: _line_coords([shapely.boundary(g)])
            for a, g in zip(areas["area_id"], areas.geometry.values, strict=True)
        },
    )


def _line_coords(geoms, decimals=COORD_DECIMALS):
    lons, lats = [], []
    for geom in geoms:
        parts = getattr(geom, "geoms", [geom])
        for part in parts:
            xy = np.round(shapely.get_coordinates(part), decimals)
            lons.extend(xy[:, 0].tolist() + [None])
            lats.extend(xy[:, 1].tolist() + [None])
    return lons, lats


def trace_keys(ctx):
    """The map's traces as ``(layer, key)`` pairs, in drawing order (bottom first).

    ``map_figure`` draws them in this order and ``map_patch`` addresses them by
    their position, so both derive it from here.
    """
    keys = [("areas", ""), ("jobs", "")]
    keys += [("transit", f"route:{g}") for g in ctx.routes]
    keys += [("landmarks", "")]
    keys += [("premises", k) for k in ctx.premises_types]
    keys += [("transit", "stops")]
    keys += [("firms", "")]  # one trace: cells, or single firms zoomed in
    keys += [("outlines", ""), ("selected", "")]  # on top of every point
    return keys


def _stops_trace(stops, visible, lang):
    dep = stops["departures_peak_hour"].to_numpy()
    sizes = np.clip(5.0 + 1.3 * np.sqrt(dep), 5.0, 22.0).round(1)
    custom = [
        [html.escape(str(n)), html.escape(str(li)), fmt_num(d, 0, lang)]
        for n, li, d in zip(stops["name"], stops["lines"], dep, strict=True)
    ]
    return go.Scattermap(
        lat=_round(stops["lat"]),
        lon=_round(stops["lon"]),
        mode="markers",
        marker={"size": sizes.tolist(), "color": "#0b6e4f", "opacity": 0.9},
        customdata=custom,
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>"
            + f"{t('map_hover_lines', lang)}: "
            + "%{customdata[1]}<br>"
            + f"{t('map_hover_departures', lang)}: "
            + "%{customdata[2]}<extra></extra>"
        ),
        name=t("map_stops_trace", lang),
        legendgroup="transit",
        legendgrouptitle={"text": t("map_legend_transit", lang)},
        visible=visible,
        meta=["transit", "stops"],
    )


def _route_trace(group, coords, visible, lang):
    key, color, width = ROUTE_GROUPS[group]
    return go.Scattermap(
        lon=coords[0],
        lat=coords[1],
        mode="lines",
        line={"color": color, "width": width},
        opacity=0.7,
        hoverinfo="skip",
        name=t(key, lang),
        legendgroup="transit",
        legendgrouptitle={"text": t("map_legend_transit", lang)},
        visible=visible,
        meta=["transit", f"route:{group}"],
    )


def _premises_trace(prem, kind, visible, lang):
    custom = [
        [
            html.escape(str(title)),
            html.escape(premises_type_name(kind, lang)),
            fmt_m2(size, lang),
            fmt_nok(rent, lang) if rent == rent else "–",
            html.escape(str(addr)),
            html.escape(str(avail or "–")),
        ]
        for title, size, rent, addr, avail in zip(
            prem["title"],
            prem["size_m2"],
            prem["rent_nok_m2_year"],
            prem["address"],
            prem["available_from"],
            strict=True,
        )
    ]
    sizes = np.clip(6.0 + 0.45 * np.sqrt(prem["size_m2"].fillna(0)), 6.0, 18.0)
    return go.Scattermap(
        lat=_round(prem["lat"]),
        lon=_round(prem["lon"]),
        mode="markers",
        marker={
            "size": sizes.round(1).tolist(),
            "color": PREMISES_COLORS.get(kind, "#9e9e9e"),
            "opacity": 0.95,
        },
        customdata=custom,
        hovertemplate=(
            "<b>%{customdata[1]}</b>: %{customdata[0]}<br>"
            "%{customdata[4]}<br>"
            + f"{t('map_hover_size', lang)}: "
            + "%{customdata[2]}<br>"
            + f"{t('map_hover_rent', lang)}: "
            + "%{customdata[3]}<br>"
            + f"{t('map_hover_from', lang)}: "
            + "%{customdata[5]}<extra></extra>"
        ),
        name=html.escape(premises_type_name(kind, lang)),
        legendgroup="premises",
        legendgrouptitle={"text": t("map_legend_premises", lang)},
        visible=visible,
        meta=["premises", kind],
    )


def _outline_coords(ctx, areas):
    lons, lats = [], []
    for a in areas:
        lon, lat = ctx.outlines.get(a, ([], []))
        lons += lon
        lats += lat
    return lons, lats


def _outlines_trace(ctx, lang):
    lon, lat = _outline_coords(ctx, AREA_IDS)
    return go.Scattermap(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"color": ACCENT, "width": 1.6},
        hoverinfo="skip",
        name=t("map_areas_trace", lang),
        showlegend=False,
        meta=["outlines", ""],
    )


def _selected_trace(ctx, area, lang):
    lon, lat = _outline_coords(ctx, [area] if area else [])
    return go.Scattermap(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"color": SELECTED_LINE, "width": 4},
        hoverinfo="skip",
        name=t("map_selected_trace", lang),
        showlegend=False,
        meta=["selected", ""],
    )


def _selected(area):
    return [AREA_IDS.index(area)] if area in AREA_IDS else None


def _areas_trace(ctx, area, lang):
    names = [
        html.escape(area_name(a, ctx.area_names.get(a, a), lang)) for a in AREA_IDS
    ]
    return go.Choroplethmap(
        geojson=ctx.areas_geojson,
        locations=list(AREA_IDS),
        featureidkey="properties.area_id",
        z=[1] * len(AREA_IDS),
        colorscale=[[0, AREA_FILL], [1, AREA_FILL]],
        showscale=False,
        marker={"opacity": 0.16, "line": {"width": 0}},
        selectedpoints=_selected(area),
        selected={"marker": {"opacity": 0.3}},
        unselected={"marker": {"opacity": 0.1}},
        customdata=list(AREA_IDS),
        text=names,
        hovertemplate="<b>%{text}</b><br>"
        + t("map_hover_click", lang)
        + "<extra></extra>",
        name=t("map_areas_trace", lang),
        showlegend=False,
        meta=["areas", ""],
    )


def _jobs_trace(ctx, density, visible, lang):
    names = [
        html.escape(area_name(a, ctx.area_names.get(a, a), lang)) for a in AREA_IDS
    ]
    return go.Choroplethmap(
        geojson=ctx.areas_geojson,
        locations=list(AREA_IDS),
        featureidkey="properties.area_id",
        z=[round(d, 1) for d in density],
        zmin=0,
        colorscale="YlOrRd",
        marker={"opacity": 0.75, "line": {"width": 0}},
        colorbar={
            "title": {"text": t("map_jobs_trace", lang), "side": "right"},
            "x": 0.01,
            "xanchor": "left",
            "y": 0.03,
            "yanchor": "bottom",
            "len": 0.45,
            "thickness": 12,
            "bgcolor": "rgba(255,255,255,0.9)",
            "outlinewidth": 0,
            "tickformat": ",.0f",
        },
        customdata=list(AREA_IDS),
        text=names,
        hovertemplate="<b>%{text}</b><br>%{z:,.0f} "
        + t("map_hover_jobs_km2", lang)
        + "<extra></extra>",
        name=t("map_jobs_trace", lang),
        showlegend=False,
        visible=visible,
        meta=["jobs", ""],
    )


def _landmarks_trace(ctx, lang):
    lm = ctx.landmarks
    return go.Scattermap(
        lat=_round(lm["lat"]),
        lon=_round(lm["lon"]),
        mode="markers",
        marker={"size": 7, "color": "#3e4c59", "opacity": 0.9},
        text=[html.escape(str(n)) for n in lm["name"]],
        hovertemplate="%{text}<extra></extra>",
        name=t("map_landmarks_trace", lang),
        legendgroup="context",
        legendrank=2000,
        meta=["landmarks", ""],
    )


def _visible(view, layer, key=""):
    if layer in ("areas", "landmarks", "outlines", "selected"):
        return True
    if layer not in view.layers:
        return False
    return True


def map_figure(ctx, view, density, lang, *, online_allowed=True, firm_layer=None):
    """Build the map: areas, context, and the four switchable layers.

    Parameters
    ----------
    ctx : MapContext
    view : MapView
    density : list of float
        Jobs per km² of each area (``AREA_IDS`` order) under the view's filters.
    lang : str
    online_allowed : bool
        Whether online basemaps may be used (app setting ``ONLINE_BASEMAPS``).
    firm_layer : dict, optional
        The firms layer's points (``cell_points`` or ``firm_points``); the map
        panel fills them per view (default: none).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    traces = []
    for layer, key in trace_keys(ctx):
        vis = _visible(view, layer, key)
        if layer == "areas":
            traces.append(_areas_trace(ctx, view.area, lang))
        elif layer == "jobs":
            traces.append(_jobs_trace(ctx, density, vis, lang))
        elif layer == "transit" and key.startswith("route:"):
            group = key.split(":", 1)[1]
            traces.append(_route_trace(group, ctx.routes[group], vis, lang))
        elif layer == "transit":
            traces.append(_stops_trace(ctx.stops, vis, lang))
        elif layer == "landmarks":
            traces.append(_landmarks_trace(ctx, lang))
        elif layer == "premises":
            prem = ctx.premises[ctx.premises["type"] == key]
            traces.append(_premises_trace(prem, key, vis, lang))
        elif layer == "firms":
            traces.append(firm_trace(firm_layer or EMPTY_POINTS, vis, lang))
        elif layer == "outlines":
            traces.append(_outlines_trace(ctx, lang))
        elif layer == "selected":
            traces.append(_selected_trace(ctx, view.area, lang))
    lat, lon = view.center or ctx.centre
    layout = dict(
        template=TEMPLATE,
        separators=separators(lang),
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        map={
            "style": map_style(),
            "center": {"lat": lat, "lon": lon},
            "zoom": view.zoom if view.zoom is not None else DEFAULT_ZOOM,
            "layers": base_layers(
                ctx.base,
                lang,
                view.basemap,
                online_allowed=online_allowed,
                area_names=display_names(ctx.base, lang),
            ),
            "uirevision": MAP_UIREVISION,
        },
        legend={
            "x": 0.99,
            "xanchor": "right",
            "y": 0.01,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.92)",
            "bordercolor": "#cbd2d9",
            "borderwidth": 1,
            # Compact (at most a fifth of the map at 1280 px, tested) and not
            # clickable: the layer and industry choices above the map are the one
            # state (a legend toggle would hide a trace the filters still show).
            "font": {"size": 10},
            "itemclick": False,
            "itemdoubleclick": False,
            "itemsizing": "constant",
            "itemwidth": 30,
            "tracegroupgap": 2,
            "title": {"text": f"<b>{t('map_legend_title', lang)}</b>"},
        },
        hoverlabel={"align": "left"},
        uirevision=MAP_UIREVISION,
        clickmode="event",
        dragmode="pan",
    )
    return go.Figure(data=traces, layout=layout)


def map_patch(
    patch, ctx, old, new, density, lang, *, online_allowed=True, firm_layer=None
):
    """Fill the Dash ``patch`` of the map with the changes from ``old`` to ``new``.

    Only what changed is sent: traces' ``visible``, the selected area's outline,
    the filtered firm points, the jobs density, or the basemap slot.

    Parameters
    ----------
    patch : dash.Patch
    ctx : MapContext
    old : MapView or None
        The view before the change; None sends every small property.
    new : MapView
    density : list of float
    lang : str
    firm_layer : dict, optional
        The firms layer's new points when the filters or the extent changed.

    Returns
    -------
    dash.Patch
    """
    keys = trace_keys(ctx)
    for i, (layer, key) in enumerate(keys):
        vis = _visible(new, layer, key)
        if old is None or vis != _visible(old, layer, key):
            if layer not in ("areas", "landmarks", "outlines", "selected"):
                patch["data"][i]["visible"] = vis
    if old is None or old.area != new.area:
        i = keys.index(("areas", ""))
        patch["data"][i]["selectedpoints"] = _selected(new.area)
        # The selected area's outline: one polygon's coordinates, drawn on top.
        lon, lat = _outline_coords(ctx, [new.area] if new.area else [])
        i = keys.index(("selected", ""))
        patch["data"][i]["lon"] = lon
        patch["data"][i]["lat"] = lat
    filters_changed = old is None or (old.sections, old.size) != (
        new.sections,
        new.size,
    )
    if filters_changed:
        i = keys.index(("jobs", ""))
        patch["data"][i]["z"] = [round(d, 1) for d in density]
    if firm_layer is not None:
        patch_firms(patch, keys.index(("firms", "")), firm_layer)
    if old is None or old.basemap != new.basemap:
        basemap = new.basemap if online_allowed else "offline"
        tiles = ctx.base.tiles
        # Slot 0 of basemap.stacked: the bottom of the map, whatever the basemap.
        patch["layout"]["map"]["layers"][0] = {
            **basemap_layer(basemap, lang, tiles),
            "below": f"{SLOT_PREFIX}0",
        }
        patch["layout"]["map"]["layers"][1]["opacity"] = _neighbour_opacity(
            basemap, tiles
        )
        patch["layout"]["map"]["layers"][2]["opacity"] = _muni_opacity(basemap, tiles)
    return patch
