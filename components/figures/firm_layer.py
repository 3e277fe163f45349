"""The map's firms layer: single firms when zoomed in, cells of jobs otherwise.

No view ships every firm (``components.map_panel.firm_layer`` picks the mode);
the one firm trace is a plain dict, and the filters patch only its marker arrays.
"""

from __future__ import annotations

import html

import numpy as np

from components.figures.theme import COORD_DECIMALS, SECTION_COLORS
from components.i18n import fmt_int, t
from components.i18n.map import section_name


def _round(values):
    return np.round(np.asarray(values, dtype=float), COORD_DECIMALS).tolist()


FIRM_MIN_ZOOM = 13.0  # below this zoom the map shows cells, never single firms
MAX_VIEW_FIRMS = 3000  # the most single firms one view may hold
_FIRM_HOVER = "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>"


def _section_colours(sections):
    return [SECTION_COLORS.get(s, "#a0a0a0") for s in sections]


def firm_points(firms, lang):
    """Per-point data of the firms layer for single firms (a zoomed-in view).

    Returns ``{"lat", "lon", "marker.size", "marker.color", "customdata"}`` with
    customdata ``[escaped name, section and employees as text, area id]``: the
    area id lets a click on a firm select the area it lies in.
    """
    employees = firms["employees"].to_numpy()
    sizes = np.clip(3.5 + 1.2 * np.sqrt(employees), 3.5, 20.0).round(1)
    names = [html.escape(str(n)) for n in firms["name"]]
    sections = firms["section"].tolist() if "section" in firms else ["?"] * len(firms)
    label = t("map_hover_employees", lang)
    details = [
        f"{s} {html.escape(section_name(s, lang))}<br>{label}: {fmt_int(int(e), lang)}"
        for s, e in zip(sections, employees, strict=True)
    ]
    areas = firms["area_id"].tolist() if "area_id" in firms else [""] * len(firms)
    return {
        "lat": _round(firms["lat"]),
        "lon": _round(firms["lon"]),
        "marker.size": sizes.tolist(),
        "marker.color": _section_colours(sections),
        "customdata": [list(p) for p in zip(names, details, areas, strict=True)],
    }


def cell_points(agg, size_m, lang):
    """Per-point data of the firms layer for grid cells (``layers.grid.aggregate``).

    One symbol per occupied cell, at its centre, sized by jobs and coloured by the
    section with most jobs; customdata ``[count, jobs and section, area id]``.
    """
    jobs = np.asarray(agg.jobs, dtype=float)
    sizes = np.clip(5.0 + 0.9 * np.sqrt(jobs), 5.0, 30.0).round(1)
    titles = [t("map_cell_firms", lang, n=fmt_int(int(n), lang)) for n in agg.firms]
    details = [
        t(
            "map_cell_detail",
            lang,
            jobs=fmt_int(int(j), lang),
            size=size_m,
            section=f"{s} {html.escape(section_name(s, lang, short=True))}",
        )
        for j, s in zip(agg.jobs, agg.section, strict=True)
    ]
    return {
        "lat": _round(agg.lat),
        "lon": _round(agg.lon),
        "marker.size": sizes.tolist(),
        "marker.color": _section_colours(agg.section),
        "customdata": [
            [ti, d, a] for ti, d, a in zip(titles, details, agg.area, strict=True)
        ],
    }


EMPTY_POINTS = {
    "lat": [],
    "lon": [],
    "marker.size": [],
    "marker.color": [],
    "customdata": [],
}


def firm_trace(points, visible, lang):
    """The one firms trace, as a plain figure dict (no plotly validation)."""
    return {
        "type": "scattermap",
        "lat": points["lat"],
        "lon": points["lon"],
        "mode": "markers",
        "marker": {
            "size": points["marker.size"],
            "color": points["marker.color"],
            "opacity": 0.75,
        },
        "customdata": points["customdata"],
        "hovertemplate": _FIRM_HOVER,
        "name": t("map_legend_firms", lang),
        "legendgroup": "firms",
        "visible": visible,
        "meta": ["firms", ""],
    }


def patch_firms(patch, index, points):
    """Write a firms layer's point arrays into trace ``index`` of a Dash ``patch``."""
    patch["data"][index]["lat"] = points["lat"]
    patch["data"][index]["lon"] = points["lon"]
    patch["data"][index]["marker"]["size"] = points["marker.size"]
    patch["data"][index]["marker"]["color"] = points["marker.color"]
    patch["data"][index]["customdata"] = points["customdata"]
    return patch
