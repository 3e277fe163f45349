"""The finder's results map: the offline basemap, the areas, stops and listings.

Traces, bottom first: areas, stops, the selected listing's halo, then one trace
per premises type (always all types, so their positions are fixed and
``assets/finder.js`` can show the matches by position), then the travel-time
bands' traces (``reach_layer``, empty until a place to travel from is chosen).
"""

from __future__ import annotations

import html as html_lib

import numpy as np
import plotly.graph_objects as go

from components import finder
from components.figures import (
    PREMISES_COLORS,
    TEMPLATE,
    base_layers,
    basemap,
    camera,
    reach_layer,
    separators,
)
from components.i18n import fmt_m2, fmt_nok, t
from components.i18n.map import premises_type_name
from layers.schemas import AREA_IDS, PREMISES_TYPES

ZOOM_LISTING = 13.5
MAP_PX = (338, 230)  # the map's size at 1280 x 720, for the first view


AREAS_TRACE, STOPS_TRACE, SELECTED_TRACE = 0, 1, 2
FIRST_TYPE_TRACE = 3
# The travel-time bands (components/figures/reach_layer.py), after the listings.
FIRST_BAND_TRACE = FIRST_TYPE_TRACE + len(PREMISES_TYPES)


def _round(values):
    return np.round(np.asarray(values, dtype=float), 5).tolist()


def map_points(listings_, key):
    """Every listing's point, grouped by map trace, for ``assets/finder.js``.

    Returns
    -------
    dict
        ``v`` (store version key), ``traces`` (figure trace positions), and per
        trace ``idx`` (rows of ``listings_``), ``lat`` and ``lon``.
    """
    out = {"v": key, "traces": [], "idx": [], "lat": [], "lon": []}
    frame = listings_.frame
    codes = np.where(
        listings_.type_code < 0, len(PREMISES_TYPES) - 1, listings_.type_code
    )
    for k in range(len(PREMISES_TYPES)):
        idx = np.flatnonzero(codes == k)
        out["traces"].append(FIRST_TYPE_TRACE + k)
        out["idx"].append(idx.tolist())
        out["lat"].append(_round(frame["lat"].to_numpy()[idx]))
        out["lon"].append(_round(frame["lon"].to_numpy()[idx]))
    return out


def _hover_rows(listings_, idx, lang):
    f = listings_.frame.iloc[idx]
    out = []
    for pid, title, kind, size, rent, area, addr in zip(
        f["premises_id"],
        f["title"],
        f["type"],
        f["size_m2"],
        f["rent_nok_m2_year"],
        f["area_id"],
        f["address"],
        strict=True,
    ):
        out.append(
            [
                str(pid),
                html_lib.escape(str(title)),
                html_lib.escape(premises_type_name(kind, lang)),
                fmt_m2(size, lang),
                fmt_nok(rent, lang) if rent == rent else t("finder_no_rent", lang),
                html_lib.escape(finder.area_name(listings_, area, lang)),
                html_lib.escape(str(addr)),
            ]
        )
    return out


def map_figure(listings_, mask, base, lang, selected=None):
    """The results map: areas and boundary as offline GeoJSON, stops, listings.

    Parameters
    ----------
    listings_ : finder.Listings
    mask : numpy.ndarray of bool
        The matches; other listings are drawn without a position (hidden).
    base : components.figures.Basemap
        The offline basemap (``basemap.current()``).
    lang : str
    selected : str, optional
        Id of the listing to mark.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    names = [html_lib.escape(base.area_names.get(a, a)) for a in AREA_IDS]
    traces = [
        go.Choroplethmap(
            geojson=base.areas,
            locations=list(AREA_IDS),
            featureidkey="properties.area_id",
            z=[1] * len(AREA_IDS),
            colorscale=[[0, "#2f6fba"], [1, "#2f6fba"]],
            showscale=False,
            marker={"opacity": 0.12, "line": {"width": 1.5, "color": "#1d4f91"}},
            text=names,
            hovertemplate="<b>%{text}</b><extra></extra>",
            name=t("finder_areas_trace", lang),
            showlegend=False,
        )
    ]
    stops = listings_.stops
    traces.append(
        go.Scattermap(
            lat=_round(stops["lat"]),
            lon=_round(stops["lon"]),
            mode="markers",
            marker={"size": 6, "color": "#0b6e4f", "opacity": 0.75},
            text=[
                html_lib.escape(f"{n} ({', '.join(finder.sorted_lines(li))})")
                for n, li in zip(stops["name"], stops["lines"], strict=True)
            ],
            hovertemplate="%{text}<extra></extra>",
            name=t("finder_stops_trace", lang),
            showlegend=False,
        )
    )
    frame = listings_.frame
    k = listings_.index.get(selected) if selected else None
    traces.append(
        go.Scattermap(
            lat=[] if k is None else _round([frame["lat"].iat[k]]),
            lon=[] if k is None else _round([frame["lon"].iat[k]]),
            mode="markers",
            marker={"size": 30, "color": "#b3261e", "opacity": 0.45},
            hoverinfo="skip",
            name=t("finder_selected_trace", lang),
            showlegend=False,
        )
    )
    points = map_points(listings_, "")
    for j, kind in enumerate(PREMISES_TYPES):
        idx = np.asarray(points["idx"][j], dtype=np.int64)
        show = mask[idx] if len(idx) else np.zeros(0, dtype=bool)
        lat = [v if s else None for v, s in zip(points["lat"][j], show, strict=True)]
        lon = [v if s else None for v, s in zip(points["lon"][j], show, strict=True)]
        traces.append(
            go.Scattermap(
                lat=lat,
                lon=lon,
                mode="markers",
                marker={
                    "size": 11,
                    "color": PREMISES_COLORS.get(kind, "#9e9e9e"),
                    "opacity": 0.95,
                },
                customdata=_hover_rows(listings_, idx, lang),
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>%{customdata[6]}<br>"
                    "%{customdata[2]} · %{customdata[3]} · %{customdata[4]}<br>"
                    "%{customdata[5]}<extra></extra>"
                ),
                name=html_lib.escape(premises_type_name(kind, lang)),
                showlegend=False,
            )
        )
    traces += reach_layer.empty_traces(lang)
    centre, zoom = camera(base.areas_bounds, MAP_PX, margin=0.08)
    fig = go.Figure(traces)
    fig.update_layout(
        template=TEMPLATE,
        separators=separators(lang),
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        map={
            "style": basemap.map_style(),
            "center": centre,
            "zoom": zoom,
            "layers": base_layers(
                base,
                lang,
                online_allowed=False,
                area_names=basemap.display_names(base, lang),
            ),
            "uirevision": "finder",
        },
        showlegend=False,
        hoverlabel={"align": "left"},
        uirevision="finder",
        clickmode="event",
        dragmode="pan",
    )
    return fig
