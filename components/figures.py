"""Pure figure builders: frames and view state in, Plotly figures (or patches) out.

No Dash callbacks and no file reads here. The map is drawn once per page load;
``map_patch`` computes the small partial updates that later interactions send.
Names from data are escaped before they reach a hover label, which renders a
subset of HTML.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
import shapely

from components.aggregates import FULL_SIZE, normalise_size
from components.i18n import fmt_int, fmt_m2, fmt_nok, fmt_num, t
from components.i18n.map import area_name, premises_type_name, section_name
from layers.schemas import AREA_IDS

LAYERS = ("firms", "jobs", "transit", "premises")
DEFAULT_LAYERS = ("firms",)
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
DEFAULT_ZOOM = 10.7
CENTRE_EAST_SHIFT = 0.035  # degrees of longitude
MAP_UIREVISION = "map"
COORD_DECIMALS = 5

FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
)
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#1d4f91"
AREA_FILL = "#2f6fba"
SELECTED_LINE = "#b3261e"
# One colour per SN2007 section (and "?"), chosen to stay apart on a light map.
SECTION_COLORS = {
    "A": "#6b8e23",
    "B": "#8c6d31",
    "C": "#1f77b4",
    "D": "#bcbd22",
    "E": "#17becf",
    "F": "#d95f02",
    "G": "#e7298a",
    "H": "#7570b3",
    "I": "#e6ab02",
    "J": "#1b9e77",
    "K": "#393b79",
    "L": "#a6761d",
    "M": "#66a61e",
    "N": "#9467bd",
    "O": "#636363",
    "P": "#ff7f0e",
    "Q": "#d62728",
    "R": "#2ca02c",
    "S": "#8c564b",
    "T": "#c49c94",
    "U": "#7f7f7f",
    "?": "#a0a0a0",
}
PREMISES_COLORS = {
    "kontor": "#1d4f91",
    "lager/logistikk": "#8c564b",
    "handel": "#c2185b",
    "industri": "#4a4a4a",
    "servering": "#e6ab02",
    "helse/lab": "#00897b",
    "kombinert": "#7b1fa2",
    "annet": "#9e9e9e",
}
ROUTE_GROUPS = {  # GTFS (extended) route_type -> group
    "rail": ("map_route_rail", "#c62828", 3.5),
    "metro": ("map_route_metro", "#ef6c00", 3.0),
    "bus": ("map_route_bus", "#37618e", 1.6),
    "other": ("map_route_other", "#6d4c41", 1.6),
}

TEMPLATE = {
    "layout": {
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {
            "bgcolor": "#ffffff",
            "bordercolor": "#9aa5b1",
            "font": {"family": FONT, "size": 13, "color": INK},
        },
        "xaxis": {
            "gridcolor": "#e4e7eb",
            "zerolinecolor": "#cbd2d9",
            "linecolor": "#9aa5b1",
            "automargin": True,
        },
        "yaxis": {
            "gridcolor": "#e4e7eb",
            "zerolinecolor": "#cbd2d9",
            "linecolor": "#9aa5b1",
            "automargin": True,
        },
    }
}

# The interactive maps' plotly config (map page, finder, register): zoom with the
# wheel, no selection tools, no PNG export button, and never an offer to upload
# the data to a cloud service (plotly.js 3 shows one by default).
MAP_GRAPH_CONFIG = {
    "scrollZoom": True,
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "toImage",
        "sendChartToCloud",
    ],
}


def separators(lang):
    """Plotly number separators: decimal comma and thin space in Norwegian."""
    return ", " if lang != "en" else ".,"


@dataclass(frozen=True)
class MapView:
    """What the map shows: the part of the URL the map reads."""

    layers: tuple = DEFAULT_LAYERS
    area: str | None = None
    sections: tuple = ()
    size: tuple = FULL_SIZE
    basemap: str = "offline"
    center: tuple | None = None  # (lat, lon)
    zoom: float | None = None


@dataclass(frozen=True)
class MapContext:
    """Everything drawn on the map for one store version (built by ``map_context``)."""

    areas_geojson: dict
    area_names: dict
    neighbours_geojson: dict
    boundary_geojson: dict
    centre: tuple  # (lat, lon)
    landmarks: object  # DataFrame: name, lon, lat
    firms: object  # aggregates.Frames.firms
    sections: tuple  # sections present, legend order
    stops: object
    premises: object  # available listings
    premises_types: tuple
    routes: dict = field(default_factory=dict)  # group -> (lon list, lat list)
    outlines: dict = field(default_factory=dict)  # area id -> (lon list, lat list)


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


def map_context(fr, boundary, neighbours, landmarks, lines):
    """Prepare the map's drawing data from the layers of one store version.

    Parameters
    ----------
    fr : components.aggregates.Frames
    boundary, neighbours, landmarks, lines : geopandas.GeoDataFrame
        The ``boundary``, ``neighbours``, ``landmarks`` and ``transit_lines``
        layers, EPSG:4326.

    Returns
    -------
    MapContext
    """
    areas = fr.areas
    # Centre on the six areas, nudged east so the legend covers Lillestrøm.
    minx, miny, maxx, maxy = areas.total_bounds if len(areas) else boundary.total_bounds
    lat, lon = (miny + maxy) / 2, (minx + maxx) / 2 + CENTRE_EAST_SHIFT
    routes = {}
    for group in ROUTE_GROUPS:
        sel = lines[[route_group(rt) == group for rt in lines["route_type"]]]
        if len(sel):
            routes[group] = _line_coords(sel.geometry.values)
    landmark_frame = landmarks[["name"]].copy()
    landmark_frame["lon"] = shapely.get_x(landmarks.geometry.values)
    landmark_frame["lat"] = shapely.get_y(landmarks.geometry.values)
    present = set(fr.firms["section"])
    sections = tuple(s for s in SECTION_COLORS if s in present)
    types = tuple(k for k in PREMISES_COLORS if k in set(fr.premises["type"]))
    types += tuple(sorted(set(fr.premises["type"]) - set(types)))
    return MapContext(
        areas_geojson=geojson(areas, id_column="area_id"),
        area_names=dict(zip(areas["area_id"], areas["name"], strict=True)),
        neighbours_geojson=geojson(neighbours, tolerance=0.0005, decimals=4),
        boundary_geojson=geojson(boundary, tolerance=0.00005),
        centre=(round(lat, 5), round(lon, 5)),
        landmarks=landmark_frame,
        firms=fr.firms[fr.firms["lat"].notna()],  # unplaced firms cannot be drawn
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
    keys += [("firms", s) for s in ctx.sections]
    keys += [("outlines", ""), ("selected", "")]  # on top of every point
    return keys


def _round(values):
    return np.round(np.asarray(values, dtype=float), COORD_DECIMALS).tolist()


def firm_points(firms, lang):
    """Per-point data of a firms trace: lat, lon, marker sizes and customdata.

    customdata is ``[escaped name, employees as text, area id]``: the area id lets
    a click on a firm select the area it lies in.
    """
    employees = firms["employees"].to_numpy()
    sizes = np.clip(3.5 + 1.2 * np.sqrt(employees), 3.5, 20.0).round(1)
    names = [html.escape(str(n)) for n in firms["name"]]
    jobs = [fmt_int(int(e), lang) for e in employees]
    areas = firms["area_id"].tolist() if "area_id" in firms else [""] * len(firms)
    return {
        "lat": _round(firms["lat"]),
        "lon": _round(firms["lon"]),
        "marker.size": sizes.tolist(),
        "customdata": [list(p) for p in zip(names, jobs, areas, strict=True)],
    }


def _firm_trace(firms, section, visible, lang):
    pts = firm_points(firms, lang)
    label = html.escape(f"{section} {section_name(section, lang, short=True)}")
    full = html.escape(section_name(section, lang))
    return go.Scattermap(
        lat=pts["lat"],
        lon=pts["lon"],
        mode="markers",
        marker={
            "size": pts["marker.size"],
            "color": SECTION_COLORS.get(section, "#a0a0a0"),
            "opacity": 0.75,
        },
        customdata=pts["customdata"],
        hovertemplate=(
            "<b>%{customdata[0]}</b><br>"
            + f"{section} {full}<br>"
            + f"{t('map_hover_employees', lang)}: "
            + "%{customdata[1]}<extra></extra>"
        ),
        name=label,
        legendgroup="firms",
        legendgrouptitle={"text": t("map_legend_firms", lang)},
        visible=visible,
        meta=["firms", section],
    )


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


def base_layers(ctx, basemap, lang, online_allowed=True):
    """The map's own context layers, drawn below the traces.

    Slot 0 holds the online raster basemap when one is chosen (else an empty,
    hidden layer) so that switching basemap patches one slot, not the geometry.
    """
    return [
        basemap_layer(basemap if online_allowed else "offline", lang),
        {
            "sourcetype": "geojson",
            "source": ctx.neighbours_geojson,
            "type": "fill",
            "color": "#dde2e8",
            "opacity": _neighbour_opacity(basemap),
            "below": "traces",
        },
        {
            "sourcetype": "geojson",
            "source": ctx.boundary_geojson,
            "type": "fill",
            "color": "#fbfaf5",
            "opacity": _muni_opacity(basemap),
            "below": "traces",
        },
        {
            "sourcetype": "geojson",
            "source": ctx.neighbours_geojson,
            "type": "line",
            "color": "#9aa5b1",
            "line": {"width": 1},
            "below": "traces",
        },
        {
            "sourcetype": "geojson",
            "source": ctx.boundary_geojson,
            "type": "line",
            "color": "#323f4b",
            "line": {"width": 2.5},
            "below": "traces",
        },
    ]


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


def _visible(view, layer, key=""):
    if layer in ("areas", "landmarks", "outlines", "selected"):
        return True
    if layer not in view.layers:
        return False
    if layer == "firms" and view.sections:
        return key in view.sections
    return True


def map_figure(ctx, view, density, lang, *, online_allowed=True):
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

    Returns
    -------
    plotly.graph_objects.Figure
    """
    from components.aggregates import firm_mask

    mask = firm_mask(ctx.firms, (), view.size)
    firms = ctx.firms[mask]
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
            traces.append(_firm_trace(firms[firms["section"] == key], key, vis, lang))
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
            "style": "white-bg",
            "center": {"lat": lat, "lon": lon},
            "zoom": view.zoom if view.zoom is not None else DEFAULT_ZOOM,
            "layers": base_layers(ctx, view.basemap, lang, online_allowed),
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
            "font": {"size": 11},
            "groupclick": "toggleitem",
            "itemsizing": "constant",
            "tracegroupgap": 6,
            "title": {"text": f"<b>{t('map_legend_title', lang)}</b>"},
        },
        hoverlabel={"align": "left"},
        uirevision=MAP_UIREVISION,
        clickmode="event",
        dragmode="pan",
    )
    return go.Figure(data=traces, layout=layout)


def map_patch(patch, ctx, old, new, density, lang, *, online_allowed=True):
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

    Returns
    -------
    dash.Patch
    """
    from components.aggregates import firm_mask

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
    if old is None or old.size != new.size:
        mask = firm_mask(ctx.firms, (), new.size)
        firms = ctx.firms[mask]
        for i, (layer, key) in enumerate(keys):
            if layer == "firms":
                pts = firm_points(firms[firms["section"] == key], lang)
                patch["data"][i]["lat"] = pts["lat"]
                patch["data"][i]["lon"] = pts["lon"]
                patch["data"][i]["marker"]["size"] = pts["marker.size"]
                patch["data"][i]["customdata"] = pts["customdata"]
    if old is None or old.basemap != new.basemap:
        basemap = new.basemap if online_allowed else "offline"
        patch["layout"]["map"]["layers"][0] = basemap_layer(basemap, lang)
        patch["layout"]["map"]["layers"][1]["opacity"] = _neighbour_opacity(basemap)
        patch["layout"]["map"]["layers"][2]["opacity"] = _muni_opacity(basemap)
    return patch


# --- bar charts -----------------------------------------------------------------
# Plain figure dicts (what dcc.Graph takes): a go.Figure validates every property,
# which costs more than the callback's whole computation.


def _bar_layout(lang, *, height=260, horizontal=False, xtitle="", ytitle="", **extra):
    value_axis = {"tickformat": ",.0f"}  # thousands with the language's separator
    xaxis = {"title": {"text": xtitle}, "fixedrange": True}
    yaxis = {"title": {"text": ytitle}, "fixedrange": True}
    if horizontal:
        xaxis.update(value_axis)
        yaxis["autorange"] = "reversed"
    else:
        yaxis.update(value_axis)
    return {
        "template": TEMPLATE,
        "separators": separators(lang),
        "height": height,
        "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
        "showlegend": False,
        "bargap": 0.25,
        "xaxis": xaxis,
        "yaxis": yaxis,
        **extra,
    }


def empty_figure(message, lang, height=120):
    """A blank chart that says ``message`` (for an empty selection)."""
    annotation = {
        "text": html.escape(message),
        "showarrow": False,
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
        "font": {"color": MUTED, "size": 14},
    }
    return {
        "data": [],
        "layout": {
            "template": TEMPLATE,
            "separators": separators(lang),
            "height": height,
            "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [annotation],
        },
    }


def jobs_by_section_figure(jobs, lang):
    """Horizontal bars: jobs per SN2007 section (``aggregates.jobs_by_section``)."""
    codes, values = list(jobs), list(jobs.values())
    if not any(values):
        return empty_figure(t("profile_chart_empty", lang), lang)
    labels = [f"{s} {section_name(s, lang, short=True)}" for s in codes]
    bar = {
        "type": "bar",
        "x": values,
        "y": labels,
        "orientation": "h",
        "marker": {"color": [SECTION_COLORS.get(s, "#a0a0a0") for s in codes]},
        "text": [fmt_int(v, lang) for v in values],
        "textposition": "auto",
        "customdata": [html.escape(section_name(s, lang)) for s in codes],
        "hovertemplate": "%{customdata}: %{x:,.0f}<extra></extra>",
    }
    height = max(140, 24 * len(labels) + 40)
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang, height=height, horizontal=True, xtitle=t("profile_axis_jobs", lang)
        ),
    }


def size_classes_figure(counts, lang):
    """Bars: establishments per size class (``aggregates.by_size_class``)."""
    values = list(counts.values())
    bar = {
        "type": "bar",
        "x": list(counts),
        "y": values,
        "marker": {"color": ACCENT},
        "text": [fmt_int(v, lang) for v in values],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang,
            xtitle=t("profile_axis_employees", lang),
            ytitle=t("profile_axis_count", lang),
        ),
    }


def premises_by_type_figure(by_type, lang):
    """Horizontal bars: available m² per premises type (see ``aggregates``)."""
    if not by_type:
        return empty_figure(t("profile_chart_empty", lang), lang)
    kinds = list(by_type)
    m2 = [by_type[k]["m2"] for k in kinds]
    labels = [premises_type_name(k, lang) for k in kinds]
    bar = {
        "type": "bar",
        "x": m2,
        "y": labels,
        "orientation": "h",
        "marker": {"color": [PREMISES_COLORS.get(k, "#9e9e9e") for k in kinds]},
        "text": [fmt_m2(v, lang) for v in m2],
        "textposition": "auto",
        "customdata": [by_type[k]["count"] for k in kinds],
        "hovertemplate": "%{y}: %{x:,.0f} m² (%{customdata})<extra></extra>",
    }
    height = max(120, 26 * len(labels) + 40)
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang, height=height, horizontal=True, xtitle=t("profile_axis_m2", lang)
        ),
    }


def new_per_year_figure(per_year, lang):
    """Bars: establishments started per year (``aggregates.new_per_year``)."""
    bar = {
        "type": "bar",
        "x": [str(y) for y in per_year],
        "y": list(per_year.values()),
        "marker": {"color": "#0b6e4f"},
        "hovertemplate": "%{x}: %{y:,.0f}<extra></extra>",
    }
    return {
        "data": [bar],
        "layout": _bar_layout(
            lang,
            xtitle=t("profile_axis_year", lang),
            ytitle=t("profile_axis_count", lang),
        ),
    }


def comparison_figure(names, values, title, lang, *, color=ACCENT, fmt=fmt_int):
    """Horizontal bars of one figure across the areas (and the rest)."""
    bar = {
        "type": "bar",
        "x": [0 if v is None else v for v in values],
        "y": list(names),
        "orientation": "h",
        "marker": {"color": color},
        "text": [fmt(v, lang) if v is not None else "–" for v in values],
        "textposition": "auto",
        "hovertemplate": "%{y}: %{x:,.0f}<extra></extra>",
    }
    layout = _bar_layout(
        lang,
        height=40 + 30 * len(names),
        horizontal=True,
        title={"text": html.escape(title), "x": 0, "font": {"size": 15}},
    )
    layout["margin"]["t"] = 36
    return {"data": [bar], "layout": layout}


def view_from_state(state, allowed_sections=None):
    """Parse the map's URL state (``components.urlstate.parse_search``) to a MapView.

    Unknown values are dropped, so a hand-edited link cannot break the page.
    """
    from components.urlstate import get_list

    raw_layers = state.get("layers")
    if raw_layers is None:
        layers = DEFAULT_LAYERS
    else:
        layers = tuple(get_list(state, "layers", LAYERS))
    area = state.get("area")
    area = area if area in AREA_IDS else None
    sections = tuple(get_list(state, "nace", allowed_sections or SECTION_COLORS))
    size = FULL_SIZE
    if "size" in state:
        parts = state["size"].split("-")
        size = normalise_size(parts) if len(parts) == 2 else FULL_SIZE
    basemap = state.get("basemap", "offline")
    basemap = basemap if basemap in BASEMAPS else "offline"
    center = None
    if "center" in state:
        try:
            lat, lon = (float(v) for v in state["center"].split(","))
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                center = (lat, lon)
        except ValueError:
            center = None
    zoom = None
    if "zoom" in state:
        try:
            zoom = min(22.0, max(0.0, float(state["zoom"])))
        except ValueError:
            zoom = None
    return MapView(layers, area, sections, size, basemap, center, zoom)


def view_to_params(view):
    """The URL parameters of a MapView (None for defaults, so links stay short)."""
    layers = None
    if tuple(view.layers) != DEFAULT_LAYERS:
        layers = ",".join(view.layers) if view.layers else "none"
    size = None if tuple(view.size) == FULL_SIZE else f"{view.size[0]}-{view.size[1]}"
    return {
        "area": view.area,
        "layers": layers,
        "nace": ",".join(view.sections) or None,
        "size": size,
        "basemap": None if view.basemap == "offline" else view.basemap,
        "center": f"{view.center[0]:.5f},{view.center[1]:.5f}" if view.center else None,
        "zoom": f"{view.zoom:.2f}" if view.zoom is not None else None,
    }
