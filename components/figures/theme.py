"""The figures' look: fonts, colours, the plotly template and the maps' config."""

from __future__ import annotations

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

# Okabe-Ito based: apart also with deuteranopia and protanopia
# (tests/test_palettes.py simulates both).
PREMISES_COLORS = {
    "kontor": "#0072b2",
    "lager/logistikk": "#d55e00",
    "handel": "#cc79a7",
    "industri": "#333333",
    "servering": "#e69f00",
    "helse/lab": "#009e73",
    "kombinert": "#56b4e9",
    "annet": "#6b6b6b",
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
