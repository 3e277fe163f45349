"""The map page's controls: the filters above the map, the toolbar of layers,
basemap and downloads, and the legend toggle on the map (pure layout builders;
``map_panel`` holds the callbacks)."""

from __future__ import annotations

import flask
from dash import dcc, html

from components import exports_panel, figures, ids
from components.i18n import t
from components.i18n.map import area_name, section_name
from layers import aggregates
from layers.schemas import AREA_IDS

EXPORT_PREFIX = "map"


def _online_allowed():
    return bool(flask.current_app.config.get("ONLINE_BASEMAPS", False))


def _dropdown_labels(lang):
    return {
        "search": t("map_dropdown_search", lang),
        "clear_search": t("map_dropdown_clear", lang),
        "clear_selection": t("map_dropdown_clear", lang),
        "no_options_found": t("map_dropdown_none", lang),
        "select_all": t("map_dropdown_all", lang),
        "deselect_all": t("map_dropdown_deselect", lang),
        "selected_count": t("map_dropdown_count", lang),
    }


def _controls(ctx, view, lang):
    area_options = [
        {"label": area_name(a, ctx.area_names.get(a, a), lang), "value": a}
        for a in AREA_IDS
    ]
    section_options = [
        {"label": f"{s} – {section_name(s, lang)}", "value": s} for s in ctx.sections
    ]
    marks = {i: label for i, label in enumerate(aggregates.SIZE_LABELS)}
    return html.Section(
        [
            html.Div(
                [
                    html.Label(t("map_area_label", lang), htmlFor=ids.MAP_AREA),
                    dcc.Dropdown(
                        id=ids.MAP_AREA,
                        options=area_options,
                        value=view.area,
                        placeholder=t("map_area_placeholder", lang),
                        clearable=True,
                        searchable=True,
                        labels=_dropdown_labels(lang),
                        className="dropdown",
                    ),
                ],
                className="control control-area",
            ),
            html.Div(
                [
                    html.Label(t("map_sections_label", lang), htmlFor=ids.MAP_SECTIONS),
                    dcc.Dropdown(
                        id=ids.MAP_SECTIONS,
                        options=section_options,
                        value=list(view.sections),
                        multi=True,
                        placeholder=t("map_sections_placeholder", lang),
                        labels=_dropdown_labels(lang),
                        maxHeight=320,
                        className="dropdown",
                    ),
                ],
                className="control control-sections",
            ),
            html.Div(
                [
                    html.Label(t("map_size_label", lang), htmlFor=ids.MAP_SIZE),
                    dcc.RangeSlider(
                        id=ids.MAP_SIZE,
                        min=0,
                        max=len(aggregates.SIZE_LABELS) - 1,
                        step=1,
                        marks=marks,
                        value=list(view.size),
                        allowCross=False,
                        allow_direct_input=False,
                        className="size-slider",
                    ),
                ],
                className="control control-size",
            ),
            html.Div(
                html.Button(
                    t("map_reset", lang),
                    id=ids.MAP_RESET,
                    type="button",
                    className="btn",
                ),
                className="control control-reset",
            ),
        ],
        className="map-controls",
        **{"aria-label": t("map_filters", lang)},
    )


def _toolbar(view, lang):
    layer_options = [
        {"label": t(f"map_layer_{name}", lang), "value": name}
        for name in figures.LAYERS
    ]
    online = _online_allowed()
    basemaps = figures.BASEMAPS if online else ("offline",)
    basemap_options = [
        {"label": t(f"map_basemap_{b}", lang), "value": b} for b in basemaps
    ]
    return html.Div(
        [
            html.Fieldset(
                [
                    html.Legend(t("map_layers_label", lang)),
                    dcc.Checklist(
                        id=ids.MAP_LAYERS,
                        options=layer_options,
                        value=list(view.layers),
                        inline=True,
                        className="choice-list",
                        labelClassName="choice",
                    ),
                ],
                className="toolbar-group",
            ),
            html.Fieldset(
                [
                    html.Legend(t("map_basemap_label", lang)),
                    dcc.RadioItems(
                        id=ids.MAP_BASEMAP,
                        options=basemap_options,
                        value=view.basemap if online else "offline",
                        inline=True,
                        className="choice-list",
                        labelClassName="choice",
                    ),
                ],
                className="toolbar-group",
                hidden=not online,
                title=t("map_online_note", lang),
            ),
            exports_panel.export_buttons(
                EXPORT_PREFIX, lang, area=view.area, layers=view.layers
            ),
        ],
        className="map-toolbar",
    )


LEGEND_TOGGLE = "map-legend-toggle"
OFFLINE_NOTICE = "map-offline-notice"


def _legend_toggle(lang):
    """Shows or hides the map's legend (assets/map_legend.js; the legend is shown)."""
    return html.Button(
        t("map_legend_hide", lang),
        id=LEGEND_TOGGLE,
        type="button",
        className="map-legend-toggle",
        **{
            "aria-expanded": "true",
            "data-hide": t("map_legend_hide", lang),
            "data-show": t("map_legend_show", lang),
        },
    )
