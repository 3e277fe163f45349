"""The presentation's map: the offline basemap, the six areas and available premises."""

from __future__ import annotations

import plotly.graph_objects as go

from components import exports
from components.figures.basemap import base_layers, map_style
from components.figures.theme import TEMPLATE
from components.i18n import t
from layers.schemas import AREA_IDS

AREA_COLOURS = exports.AREA_COLOURS  # Okabe-Ito, as in the exported files
FOCUS_LINE = "#111827"
PREMISES_DOT = "#8e0e4b"


def premises_numbers(premises):
    """Per premises row: its number in its area's top list (1..n), else 0.

    The same order as the list beside the map (``tour_views.top_premises``).
    """
    from components.tour_views import top_premises

    numbers = dict.fromkeys(premises.index, 0)
    for area in AREA_IDS:
        for k, idx in enumerate(top_premises(premises, area).index, start=1):
            numbers[idx] = k
    return [numbers[i] for i in premises.index]


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
    numbers = premises_numbers(premises)
    points = go.Scattermap(
        lat=premises["lat"].round(5).tolist(),
        lon=premises["lon"].round(5).tolist(),
        mode="markers+text",
        # Each area's top premises carry their number in the list beside the map.
        text=[str(n) if n else "" for n in numbers],
        textfont={"size": 12, "color": "#ffffff"},
        textposition="middle center",
        marker={
            "size": [22 if n else 9 for n in numbers],
            "color": PREMISES_DOT,
            "opacity": 0.95,
        },
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
            "style": map_style(),
            "center": view["center"],
            "zoom": view["zoom"],
            "layers": base_layers(base, lang, online_allowed=False, area_names=names),
        },
    )
    return fig
