"""The register's map: the offline basemap with the areas, the listings, the point."""

from __future__ import annotations

import html as html_lib

import plotly.graph_objects as go

from components import figures
from components.figures import basemap
from components.i18n import status_name, t

MARKER_TRACE = 1  # index of the chosen-point trace in the register map
MAP_ZOOM = 10.5


def points_trace_data(rows, lang):
    return {
        "lat": [round(r["lat"], 6) for r in rows],
        "lon": [round(r["lon"], 6) for r in rows],
        "customdata": [r["premises_id"] for r in rows],
        "hovertext": [
            html_lib.escape(f"{r['title']} ({status_name(r['status'], lang)})")
            for r in rows
        ],
    }


def map_figure(rows, point, lang):
    """The register's map: boundary and areas drawn offline, the listings, the point.

    Parameters
    ----------
    rows : list of dict
        Listings (``layers.register`` columns).
    point : tuple of (lat, lon) or None
        The chosen point.
    lang : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    base = basemap.current()
    pts = points_trace_data(rows, lang)
    fig = go.Figure(
        [
            go.Scattermap(
                lat=pts["lat"],
                lon=pts["lon"],
                customdata=pts["customdata"],
                hovertext=pts["hovertext"],
                hoverinfo="text",
                mode="markers",
                marker={"size": 8, "color": "#52606d", "opacity": 0.7},
                name=t("register_map_listings", lang),
            ),
            go.Scattermap(
                lat=[point[0]] if point else [],
                lon=[point[1]] if point else [],
                mode="markers",
                marker={"size": 17, "color": "#b3261e"},
                hoverinfo="skip",
                name=t("register_map_point", lang),
            ),
        ]
    )
    lat, lon = point or base.boundary_centre()
    fig.update_layout(
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        map={
            "style": basemap.map_style(),
            "center": {"lat": lat, "lon": lon},
            "zoom": MAP_ZOOM if point is None else MAP_ZOOM + 2,
            "layers": figures.base_layers(
                base,
                lang,
                online_allowed=False,
                areas=True,
                area_names=basemap.display_names(base, lang),
            ),
            "uirevision": "register",
        },
        uirevision="register",
        clickmode="event",
        dragmode="pan",
        hoverlabel={"align": "left"},
    )
    return fig
