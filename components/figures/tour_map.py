"""The presentation's map: the offline basemap, the six areas and available premises."""

from __future__ import annotations

import plotly.graph_objects as go

from components import exports
from components.figures.basemap import base_layers
from components.figures.theme import TEMPLATE
from components.i18n import t
from layers.schemas import AREA_IDS

AREA_COLOURS = exports.AREA_COLOURS  # Okabe-Ito, as in the exported files
FOCUS_LINE = "#111827"


def presentation_map_figure(base, view, premises, names, lang):
    """The tour's map: our own offline layers, the six areas and available premises.

    Nothing is shown on hover only: the area colours are named in the text beside
    the map, and hover is off.

    Parameters
    ----------
    base : components.figures.Basemap
        The offline basemap (``basemap.current()``).
    view : dict
        A view of :func:`with_cameras` (centre, zoom, area styles).
    premises : pandas.DataFrame
        Available premises with ``lon`` and ``lat``.
    names : dict
        Area id -> display name.
    lang : str

    Returns
    -------
    plotly.graph_objects.Figure
    """
    n = len(AREA_IDS)
    colours = [AREA_COLOURS[a] for a in AREA_IDS]
    scale = [[k / (n - 1), c] for k, c in enumerate(colours)]
    areas = go.Choroplethmap(
        geojson=base.areas,
        locations=list(AREA_IDS),
        featureidkey="properties.area_id",
        z=list(range(n)),
        zmin=0,
        zmax=n - 1,
        colorscale=scale,
        showscale=False,
        marker={
            "opacity": view["opacity"],
            "line": {"width": view["line_width"], "color": FOCUS_LINE},
        },
        text=[names.get(a, a) for a in AREA_IDS],
        hoverinfo="skip",
        name=t("present_col_area", lang),
    )
    points = go.Scattermap(
        lat=premises["lat"].round(5).tolist(),
        lon=premises["lon"].round(5).tolist(),
        mode="markers",
        marker={"size": 11, "color": "#8e0e4b", "opacity": 0.95},
        visible=bool(view.get("points")),
        hoverinfo="skip",
        name=t("present_top_premises", lang),
    )
    fig = go.Figure([areas, points])
    fig.update_layout(
        template=TEMPLATE,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        hovermode=False,
        dragmode=False,
        map={
            "style": "white-bg",
            "center": view["center"],
            "zoom": view["zoom"],
            "layers": base_layers(base, lang, online_allowed=False),
        },
    )
    return fig
