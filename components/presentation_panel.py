"""Presentation mode: a full-screen guided tour of the business areas, for a room.

An overview of the municipality, one view per chosen area (the map flies there;
its key figures in large type, its character, ambition and largest premises), then
a closing comparison with the export buttons. Every view is rendered with the page;
moving between them happens in the browser (``assets/presentation.js``: keys,
buttons, the map's flight), so it is instant and needs no network. The current view
(``?view=3`` or ``?view=visperud``) and the chosen areas in order
(``?areas=visperud,ahus``) are kept in the link.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate

from components import aggregates, data, exports, exports_panel, figures, ids, map_panel
from components.comparison_panel import PUBLISHED_ENTERPRISES, PUBLISHED_JOBS
from components.i18n import fmt_int, fmt_m2, fmt_nok, lang_or_default, t
from components.i18n.map import premises_type_name
from components.urlstate import with_params
from layers.errors import StoreError
from layers.schemas import AREA_IDS, REST_ID, TOTAL_ID
from layers.sources.areas import AREA_INFO

PATH = "/presentasjon"
NAV_KEY = "nav_present"
FULLSCREEN = True

OVERVIEW = "oversikt"
CLOSING = "sammenligning"
VIEW_ALIASES = {"overview": OVERVIEW, "summary": CLOSING, "comparison": CLOSING}
EXPORT_PREFIX = "present"
TOP_PREMISES = 3
INHABITANTS = 50000  # "about 50 000", Næringsstrategi 2025–2037
AREA_COLOURS = exports.AREA_COLOURS  # Okabe-Ito, as in the exported files
FOCUS_LINE = "#111827"
# The map's size assumed for the first frame; the browser refits to the real size.
MAP_SIZE = (620, 640)
MAP_PADDING = 40
GRAPH_CONFIG = {
    "displayModeBar": False,
    "scrollZoom": False,
    "doubleClick": False,
    "responsive": True,
}


# --- the views: pure functions of the URL ------------------------------------------


def parse_areas(value):
    """The areas to present, in order, from ``?areas=`` (all six by default).

    Unknown ids and repeats are dropped; nothing valid gives all six.
    """
    chosen = []
    for part in str(value or "").split(","):
        area = part.strip().lower()
        if area in AREA_IDS and area not in chosen:
            chosen.append(area)
    return chosen or list(AREA_IDS)


def areas_param(chosen):
    """The ``areas`` URL value of a choice (None for all six in the usual order)."""
    chosen = list(chosen)
    return None if chosen == list(AREA_IDS) else ",".join(chosen)


def view_list(chosen):
    """The views of a tour: the overview, one per area, and the closing comparison.

    Returns
    -------
    list of dict
        ``key`` (used in ``?view=``), ``kind`` and ``area``.
    """
    views = [{"key": OVERVIEW, "kind": "overview", "area": None}]
    views += [{"key": a, "kind": "area", "area": a} for a in chosen]
    views.append({"key": CLOSING, "kind": "closing", "area": None})
    return views


def view_index(views, value):
    """The index of the view that ``?view=`` names: a number from 1, or a key.

    Numbers beyond the end give the last view; anything unknown the first.
    """
    text = str(value or "").strip().lower()
    if text.isdigit():
        return max(0, min(int(text), len(views)) - 1)
    text = VIEW_ALIASES.get(text, text)
    keys = [v["key"] for v in views]
    return keys.index(text) if text in keys else 0


def view_param(views, index):
    """The ``view`` URL value of a view (None for the first)."""
    return views[index]["key"] if 0 < index < len(views) else None


def step(index, action, count):
    """The view index after a move: ``next``, ``prev``, ``first`` or ``last``."""
    target = {
        "next": index + 1,
        "prev": index - 1,
        "first": 0,
        "last": count - 1,
    }.get(action, index)
    return max(0, min(count - 1, target))


def toggle_area(chosen, area, include):
    """Add an area at the end of the tour, or take it out (at least one stays)."""
    chosen = [a for a in chosen if a in AREA_IDS]
    if include and area in AREA_IDS and area not in chosen:
        return [*chosen, area]
    if not include and area in chosen and len(chosen) > 1:
        return [a for a in chosen if a != area]
    return chosen


def move_area(chosen, area, direction):
    """Move an area one place ``up`` (earlier) or ``down`` in the tour."""
    chosen = list(chosen)
    if area not in chosen:
        return chosen
    i = chosen.index(area)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(chosen):
        chosen[i], chosen[j] = chosen[j], chosen[i]
    return chosen


def setup_order(chosen):
    """The rows of the setup list: the chosen areas in order, then the others."""
    return [*chosen, *(a for a in AREA_IDS if a not in chosen)]


def _mercator_y(lat):
    lat = max(-85.0, min(85.0, lat))
    return (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2


def _mercator_lat(y):
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


def camera(bounds, size=MAP_SIZE, padding=MAP_PADDING):
    """Centre and zoom that fit ``bounds`` (west, south, east, north) in a map.

    The same fit as MapLibre's ``cameraForBounds`` (512-pixel tiles, Web Mercator),
    used for the first frame; the browser refits to the map's real size.

    Returns
    -------
    tuple
        ``({"lat": ..., "lon": ...}, zoom)``
    """
    west, south, east, north = bounds
    width = max(1.0, size[0] - 2 * padding)
    height = max(1.0, size[1] - 2 * padding)
    dx = max((east - west) / 360, 1e-9)
    y0, y1 = _mercator_y(north), _mercator_y(south)
    dy = max(y1 - y0, 1e-9)
    zoom = min(math.log2(width / (512 * dx)), math.log2(height / (512 * dy)), 17.0)
    centre = {
        "lat": round(_mercator_lat((y0 + y1) / 2), 5),
        "lon": round((west + east) / 2, 5),
    }
    return centre, round(zoom, 2)


def view_styles(area):
    """Fill opacity and outline width of each of the six areas (``AREA_IDS`` order).

    The overview shows all six alike; an area's view brings it forward.
    """
    if area not in AREA_IDS:
        return [0.5] * len(AREA_IDS), [2.0] * len(AREA_IDS)
    opacity = [0.6 if a == area else 0.15 for a in AREA_IDS]
    width = [5.0 if a == area else 1.0 for a in AREA_IDS]
    return opacity, width


def with_cameras(views, area_bounds, overview_bounds):
    """Add each view's ``bounds``, first-frame ``center``/``zoom`` and map styles."""
    out = []
    for view in views:
        bounds = area_bounds.get(view["area"], overview_bounds)
        centre, zoom = camera(bounds)
        opacity, width = view_styles(view["area"])
        out.append(
            {
                **view,
                "bounds": [round(b, 5) for b in bounds],
                "center": centre,
                "zoom": zoom,
                "opacity": opacity,
                "line_width": width,
                # Premises are marked on an area's view only: on the overview
                # they would hide the small areas.
                "points": view["kind"] == "area",
            }
        )
    return out


# --- figures -------------------------------------------------------------------------


def presentation_map_figure(ctx, view, premises, names, lang):
    """The tour's map: our own offline layers, the six areas and available premises.

    Nothing is shown on hover only: the area colours are named in the text beside
    the map, and hover is off.

    Parameters
    ----------
    ctx : components.figures.MapContext
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
        geojson=ctx.areas_geojson,
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
        template=figures.TEMPLATE,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        hovermode=False,
        dragmode=False,
        map={
            "style": "white-bg",
            "center": view["center"],
            "zoom": view["zoom"],
            "layers": figures.base_layers(ctx, "offline", lang, online_allowed=False),
        },
    )
    return fig


def closing_bars(rows, names, lang):
    """The bars of the comparison: jobs in each area and the rest.

    Returns
    -------
    list of dict
        ``area_id``, ``label``, ``value``, ``text`` and ``share`` (percent of the
        largest value, the bar's length), in ``AREA_IDS`` order, then the rest.
    """
    by_id = {r["area_id"]: r for r in rows}
    order = [*AREA_IDS, REST_ID]
    values = [int(by_id.get(a, {}).get("jobs") or 0) for a in order]
    top = max(values) or 1
    return [
        {
            "area_id": a,
            "label": names.get(a, a) if a != REST_ID else t("present_rest", lang),
            "value": v,
            "text": fmt_int(v, lang),
            "share": round(100 * v / top, 1),
        }
        for a, v in zip(order, values, strict=True)
    ]


def closing_chart(rows, names, lang):
    """Horizontal bars in HTML: they scale with the screen, values written out."""
    items = []
    for bar in closing_bars(rows, names, lang):
        swatch = (
            "swatch-rest" if bar["area_id"] == REST_ID else f"swatch-{bar['area_id']}"
        )
        items.append(
            html.Li(
                [
                    html.Span(bar["label"], className="present-bar-label"),
                    html.Span(
                        [
                            html.Span(
                                className=f"present-bar-fill {swatch}",
                                # The bar's length is data, so it is set here.
                                style={"width": f"{bar['share']}%"},
                                **{"aria-hidden": "true"},
                            ),
                            html.Span(bar["text"], className="present-bar-value"),
                        ],
                        className="present-bar-track",
                    ),
                ],
                className="present-bar-row",
            )
        )
    return html.Ul(items, className="present-bars")


# --- the views' content --------------------------------------------------------------


def _name(area_id, lang):
    return exports.area_name(area_id, lang)


def _names(lang):
    return {a: _name(a, lang) for a in AREA_IDS}


def _swatch(area_id):
    return html.Span(
        className=f"present-swatch swatch-{area_id}", **{"aria-hidden": "true"}
    )


def _figure(value, label, detail=None, unit=None):
    if unit:
        value = [value, html.Span(f"\u00a0{unit}", className="present-figure-unit")]
    return html.Div(
        [
            html.P(value, className="present-figure-value"),
            html.P(label, className="present-figure-label"),
            html.P(detail, className="present-figure-detail") if detail else None,
        ],
        className="present-figure",
    )


def _demo_tag(lang):
    return html.Span(t("present_demo", lang), className="present-demo-tag")


def _sources_line(rows, lang):
    entries = exports.source_entries(rows)
    as_of = t("as_of", lang)
    text = "; ".join(
        f"{e['source']} {as_of} {exports.fmt_date(e['as_of'], lang)}"
        if e.get("as_of")
        else e["source"]
        for e in entries
    )
    return t("present_figures_source", lang, sources=text) if text else ""


AS_OF_GROUPS = (
    ("establishments", "present_asof_firms"),
    ("premises_available", "present_asof_premises"),
    ("stops", "present_asof_transit"),
)


def as_of_line(row, lang):
    """When each group of an area's figures was measured, in one short line.

    Demonstration data is named by its tag beside the line; a real source is
    named here.
    """
    parts = []
    for figure, key in AS_OF_GROUPS:
        src = (row.get("sources") or {}).get(figure) or {}
        text = t(key, lang)
        if src.get("source") and not src.get("demonstration"):
            text += f" ({src['source']})"
        if src.get("as_of"):
            text += f" {t('as_of', lang)} {exports.fmt_date(src['as_of'], lang)}"
        parts.append(text)
    return " · ".join(parts)


def area_figures_block(row, lang):
    """The strip of an area's key figures in large type (``layers.stats`` row)."""
    rent = row.get("median_rent_nok_m2")
    items = [
        _figure(
            fmt_int(row.get("establishments"), lang), t("present_establishments", lang)
        ),
        _figure(fmt_int(row.get("jobs"), lang), t("present_jobs", lang)),
        _figure(
            fmt_int(row.get("premises_m2"), lang),
            t("present_premises_m2", lang),
            t(
                "present_premises_detail",
                lang,
                n=fmt_int(row.get("premises_available"), lang),
                rent=fmt_nok(rent, lang) if rent is not None else "–",
            ),
            unit="m²",
        ),
        _figure(
            fmt_int(row.get("stops"), lang),
            t("present_stops", lang),
            t(
                "present_transit_detail",
                lang,
                lines=fmt_int(row.get("lines"), lang),
                deps=fmt_int(row.get("departures_peak_hour"), lang),
            ),
        ),
    ]
    head = [html.H3(t("present_figures", lang), className="present-block-title")]
    if row.get("demonstration"):
        head.append(_demo_tag(lang))
    head.append(html.P(as_of_line(row, lang)))
    return html.Div(
        [
            html.Div(head, className="present-strip-head"),
            html.Div(items, className="present-figures"),
        ],
        className="present-strip",
    )


def top_premises(premises, area_id, n=TOP_PREMISES):
    """The ``n`` largest available premises of an area (ties by title)."""
    sel = aggregates.in_area(premises, area_id)
    return sel.sort_values(["size_m2", "title"], ascending=[False, True]).head(n)


def premises_block(premises, area_id, lang):
    """The area's largest available premises as a short list."""
    top = top_premises(premises, area_id)
    if len(top) == 0:
        body = html.P(t("present_no_premises", lang), className="present-body")
    else:
        items = [
            html.Li(
                [
                    html.Strong(fmt_m2(rec.get("size_m2"), lang)),
                    " ",
                    premises_type_name(rec.get("type"), lang),
                    html.Span(
                        f", {rec['address']}" if rec.get("address") else "",
                        className="premises-address",
                    ),
                ]
            )
            for rec in top.to_dict("records")
        ]
        body = html.Ol(items, className="present-premises")
    return html.Section(
        [
            html.H3(
                [
                    html.Span(className="present-dot", **{"aria-hidden": "true"}),
                    t("present_top_premises", lang),
                ],
                className="present-block-title",
            ),
            body,
        ],
        className="present-premises-block",
    )


def _view_id(index):
    return {"type": ids.PRESENT_VIEW, "index": index}


def _view_class(index, current, extra=""):
    cls = f"present-view {extra}".strip()
    return cls + (" is-current" if index == current else "")


def area_view(index, current, area_id, position, count, row, premises, lang):
    """One area's view: name, ambition, character, premises and key figures."""
    info = AREA_INFO[area_id]
    suffix = "en" if lang == "en" else "nb"
    return html.Section(
        [
            html.Div(
                [
                    html.P(
                        [
                            _swatch(area_id),
                            t("present_area_kicker", lang, k=position, n=count),
                        ],
                        className="present-kicker",
                    ),
                    html.H2(_name(area_id, lang), className="present-title"),
                    html.P(info[f"ambition_{suffix}"], className="present-lead"),
                    html.Section(
                        [
                            html.H3(
                                t("present_character", lang),
                                className="present-block-title",
                            ),
                            html.P(
                                info[f"description_{suffix}"], className="present-body"
                            ),
                        ]
                    ),
                    premises_block(premises, area_id, lang),
                    html.Footer(
                        f"{t('present_text_source', lang)} · "
                        f"{t('indicative_note', lang)}",
                        className="present-sources",
                    ),
                ],
                className="present-text",
            ),
            area_figures_block(row, lang),
        ],
        id=_view_id(index),
        className=_view_class(index, current, "present-area"),
        **{"aria-label": _name(area_id, lang), "data-area": area_id},
    )


def closing_table(rows, lang):
    """The six areas, the rest and the total: a small table in large type."""
    by_id = {r["area_id"]: r for r in rows}
    cols = ("establishments", "jobs", "premises_m2", "stops")
    labels = (
        "present_col_establishments",
        "present_col_jobs",
        "present_col_premises_m2",
        "present_col_stops",
    )
    fmts = (fmt_int, fmt_int, fmt_m2, fmt_int)
    head = html.Thead(
        html.Tr(
            [html.Th(t("present_col_area", lang), scope="col")]
            + [html.Th(t(k, lang), scope="col", className="num") for k in labels]
        )
    )
    body = []
    for area_id in (*AREA_IDS, REST_ID, TOTAL_ID):
        row = by_id.get(area_id)
        if row is None:
            continue
        if area_id in AREA_IDS:
            name = [_swatch(area_id), _name(area_id, lang)]
        else:
            name = t("present_rest" if area_id == REST_ID else "present_total", lang)
        cells = [
            html.Td(fn(row.get(c), lang), className="num")
            for c, fn in zip(cols, fmts, strict=True)
        ]
        body.append(
            html.Tr(
                [html.Th(name, scope="row"), *cells],
                className="total-row" if area_id == TOTAL_ID else None,
            )
        )
    return html.Table([head, html.Tbody(body)], className="present-table")


def closing_view(index, current, rows, chosen, lang):
    """The closing comparison: jobs per area, a small table and the downloads."""
    demo = any(r.get("demonstration") for r in rows)
    title = [t("present_closing_title", lang)]
    if demo:
        title += [" ", _demo_tag(lang)]
    return html.Section(
        [
            html.H2(title, className="present-title"),
            html.Div(
                [
                    html.Figure(
                        [
                            html.Figcaption(
                                t("present_closing_chart", lang),
                                className="present-block-title",
                            ),
                            closing_chart(rows, _names(lang), lang),
                        ],
                        className="present-closing-figure",
                    ),
                    html.Div(
                        [
                            closing_table(rows, lang),
                            html.Div(
                                [
                                    html.H3(
                                        t("present_take_away", lang),
                                        className="present-block-title",
                                    ),
                                    exports_panel.export_buttons(
                                        EXPORT_PREFIX, lang, areas=chosen
                                    ),
                                ],
                                className="present-take-away",
                            ),
                        ],
                        className="present-closing-table",
                    ),
                ],
                className="present-closing-body",
            ),
            html.Footer(
                [
                    html.P(_sources_line(rows, lang)),
                    html.P(t("present_demo_note", lang)) if demo else None,
                ],
                className="present-sources",
            ),
        ],
        id=_view_id(index),
        className=_view_class(index, current, "present-closing"),
        **{"aria-label": t("present_closing_title", lang)},
    )


def tour_list(chosen, lang):
    """The areas of the tour, in order, with their map colours (the map's legend)."""
    return [
        html.Li([_swatch(a), _name(a, lang)], className="present-tour-item")
        for a in chosen
    ]


def setup_rows(chosen, lang):
    """The setup list: one row per area with a checkbox and move buttons."""
    rows = []
    for area in setup_order(chosen):
        name = _name(area, lang)
        included = area in chosen
        pos = chosen.index(area) if included else None
        rows.append(
            html.Li(
                [
                    dcc.Checklist(
                        id={"type": ids.PRESENT_INCLUDE, "area": area},
                        options=[
                            {
                                "label": html.Span([_swatch(area), name]),
                                "value": area,
                                # The last area cannot be taken out: a tour needs one.
                                "disabled": included and len(chosen) == 1,
                            }
                        ],
                        value=[area] if included else [],
                        className="present-include",
                        labelClassName="present-include-label",
                    ),
                    html.Span(
                        str(pos + 1) if included else t("present_not_shown", lang),
                        className="present-position",
                    ),
                    html.Button(
                        "↑",
                        id={"type": ids.PRESENT_MOVE, "area": area, "dir": "up"},
                        type="button",
                        disabled=not included or pos == 0,
                        className="present-move",
                        title=t("present_move_up", lang, name=name),
                        **{"aria-label": t("present_move_up", lang, name=name)},
                    ),
                    html.Button(
                        "↓",
                        id={"type": ids.PRESENT_MOVE, "area": area, "dir": "down"},
                        type="button",
                        disabled=not included or pos == len(chosen) - 1,
                        className="present-move",
                        title=t("present_move_down", lang, name=name),
                        **{"aria-label": t("present_move_down", lang, name=name)},
                    ),
                ],
                className="present-setup-row" + ("" if included else " is-off"),
            )
        )
    return rows


def overview_view(current, chosen, lang):
    """The first view: the municipality, the areas of the tour, and its setup."""
    return html.Section(
        [
            html.Div(
                [
                    html.P(t("present_brand", lang), className="present-kicker"),
                    html.H2(
                        t("present_overview_title", lang), className="present-title"
                    ),
                    html.P(t("present_overview_lead", lang), className="present-lead"),
                    html.H3(
                        t("present_tour_heading", lang),
                        className="present-block-title present-tour-heading",
                    ),
                    html.Ol(
                        tour_list(chosen, lang),
                        id=ids.PRESENT_TOUR,
                        className="present-tour",
                    ),
                    html.Details(
                        [
                            html.Summary(t("present_setup_summary", lang)),
                            html.P(
                                t("present_setup_help", lang),
                                className="present-setup-help",
                            ),
                            html.Ul(
                                setup_rows(chosen, lang),
                                id=ids.PRESENT_SETUP,
                                className="present-setup-list",
                                **{"aria-label": t("present_setup_label", lang)},
                            ),
                        ],
                        className="present-setup",
                    ),
                    html.P(t("indicative_note", lang), className="present-sources"),
                ],
                className="present-text",
            ),
            html.Div(
                [
                    html.P(
                        t("present_strategy_source", lang),
                        className="present-strip-head",
                    ),
                    html.Div(
                        [
                            _figure(
                                "≈\u00a0" + fmt_int(INHABITANTS, lang),
                                t("present_inhabitants", lang),
                            ),
                            _figure(
                                fmt_int(PUBLISHED_JOBS, lang),
                                t("present_muni_jobs", lang),
                            ),
                            _figure(
                                fmt_int(PUBLISHED_ENTERPRISES, lang),
                                t("present_muni_enterprises", lang),
                            ),
                        ],
                        className="present-figures present-figures-3",
                    ),
                ],
                className="present-strip",
            ),
        ],
        id=_view_id(0),
        className=_view_class(0, current, "present-overview"),
        **{"aria-label": t("present_overview_title", lang)},
    )


# --- data and layout -----------------------------------------------------------------


def _frames():
    # The map page's frames and drawing data: computed once per store version.
    return map_panel.frames(), map_panel.context()


def _bounds():
    fr, _ctx = _frames()
    areas = fr.areas
    area_bounds = {
        a: tuple(float(v) for v in geom.bounds)
        for a, geom in zip(areas["area_id"], areas.geometry.values, strict=True)
    }
    overview = tuple(float(v) for v in data.layer("boundary").total_bounds)
    return area_bounds, overview


def build_views(chosen):
    """The views of a tour with their cameras, from the store's geometry."""
    area_bounds, overview = _bounds()
    return with_cameras(view_list(chosen), area_bounds, overview)


def later_views(chosen, current, lang):
    """The area views and the closing view (re-rendered when the choice changes)."""
    fr, _ctx = _frames()
    rows = data.figures()
    by_id = exports.figures_by_id(rows)
    out = [
        area_view(
            k,
            current,
            a,
            k,
            len(chosen),
            by_id.get(a, {"area_id": a}),
            fr.premises,
            lang,
        )
        for k, a in enumerate(chosen, start=1)
    ]
    out.append(closing_view(len(chosen) + 1, current, rows, chosen, lang))
    return out


def exit_href(lang):
    """The dashboard's address in the same language."""
    return "/" + with_params("", lang=lang if lang != "nb" else None)


def layout(state, lang):
    """The presentation for the URL ``state`` (``parse_search``) in ``lang``."""
    lang = lang_or_default(lang)
    chosen = parse_areas(state.get("areas"))
    views = build_views(chosen)
    index = view_index(views, state.get("view"))
    fr, ctx = _frames()
    fig = presentation_map_figure(ctx, views[index], fr.premises, _names(lang), lang)
    bar = html.Nav(
        [
            html.P(t("present_brand", lang), className="present-bar-brand"),
            html.P(t("present_keys_hint", lang), className="present-bar-hint"),
            html.Div(
                [
                    html.Button(
                        ["‹ ", t("present_prev", lang)],
                        id=ids.PRESENT_PREV,
                        type="button",
                        disabled=index == 0,
                        className="present-btn",
                    ),
                    html.P(
                        [
                            html.Span(
                                t("present_progress_label", lang) + " ",
                                className="visually-hidden",
                            ),
                            html.Span(
                                f"{index + 1} / {len(views)}", id=ids.PRESENT_PROGRESS
                            ),
                        ],
                        className="present-progress",
                        **{"aria-live": "polite", "aria-atomic": "true"},
                    ),
                    html.Button(
                        [t("present_next", lang), " ›"],
                        id=ids.PRESENT_NEXT,
                        type="button",
                        disabled=index == len(views) - 1,
                        className="present-btn present-btn-primary",
                    ),
                    dcc.Link(
                        t("present_exit", lang),
                        id=ids.PRESENT_EXIT,
                        href=exit_href(lang),
                        className="present-btn present-exit",
                        title=t("present_exit_label", lang),
                    ),
                ],
                className="present-bar-controls",
            ),
        ],
        className="present-bar",
        **{"aria-label": t("present_nav_label", lang)},
    )
    return html.Div(
        [
            dcc.Store(id=ids.PRESENT_VIEWS, data=views),
            dcc.Store(id=ids.PRESENT_INDEX, data=index),
            dcc.Store(id=ids.PRESENT_KEY),
            dcc.Store(id=ids.PRESENT_ORDER, data=chosen),
            dcc.Store(id=ids.PRESENT_FOCUS),
            dcc.Store(id=ids.PRESENT_LANG, data=lang),
            html.Div(
                [
                    html.Div(
                        dcc.Graph(
                            id=ids.PRESENT_MAP,
                            figure=fig,
                            config=GRAPH_CONFIG,
                            className="present-map",
                        ),
                        className="present-map-col",
                        role="img",
                        **{"aria-label": t("present_map_label", lang)},
                    ),
                    html.Div(
                        [
                            overview_view(index, chosen, lang),
                            html.Div(
                                later_views(chosen, index, lang),
                                id=ids.PRESENT_AREA_VIEWS,
                                className="present-later",
                            ),
                        ],
                        className="present-views-col",
                    ),
                ],
                className="present-stage",
            ),
            bar,
        ],
        id=ids.PRESENT_DECK,
        className="present-page",
        lang=lang,
    )


def validation_components():
    """Every component a callback of this panel names, for the validation layout."""
    return [
        dcc.Store(id=ids.PRESENT_VIEWS),
        dcc.Store(id=ids.PRESENT_INDEX),
        dcc.Store(id=ids.PRESENT_KEY),
        dcc.Store(id=ids.PRESENT_ORDER),
        dcc.Store(id=ids.PRESENT_FOCUS),
        dcc.Store(id=ids.PRESENT_LANG),
        dcc.Graph(id=ids.PRESENT_MAP),
        html.Div(id=ids.PRESENT_AREA_VIEWS),
        html.Ol(id=ids.PRESENT_TOUR),
        html.Ul(id=ids.PRESENT_SETUP),
        html.Span(id=ids.PRESENT_PROGRESS),
        html.Button(id=ids.PRESENT_PREV),
        html.Button(id=ids.PRESENT_NEXT),
        dcc.Link(id=ids.PRESENT_EXIT, href="/"),
        html.Section(id=_view_id(0)),
        dcc.Checklist(id={"type": ids.PRESENT_INCLUDE, "area": AREA_IDS[0]}),
        html.Button(id={"type": ids.PRESENT_MOVE, "area": AREA_IDS[0], "dir": "up"}),
        *exports_panel.validation_components(EXPORT_PREFIX),
    ]


# --- callbacks -------------------------------------------------------------------------

# Keys, buttons and the back button move the current view (all in the browser).
clientside_callback(
    ClientsideFunction("presentation", "step"),
    Output(ids.PRESENT_INDEX, "data"),
    Input(ids.PRESENT_KEY, "data"),
    Input(ids.PRESENT_PREV, "n_clicks"),
    Input(ids.PRESENT_NEXT, "n_clicks"),
    State(ids.PRESENT_INDEX, "data"),
    State(ids.PRESENT_VIEWS, "data"),
    prevent_initial_call=True,
)

# Show the current view, update progress and buttons, and fly the map there.
clientside_callback(
    ClientsideFunction("presentation", "show"),
    Output(_view_id(ALL), "className"),
    Output(ids.PRESENT_PROGRESS, "children"),
    Output(ids.PRESENT_PREV, "disabled"),
    Output(ids.PRESENT_NEXT, "disabled"),
    Input(ids.PRESENT_INDEX, "data"),
    Input(ids.PRESENT_VIEWS, "data"),
)

# Keep the current view in the link.
clientside_callback(
    ClientsideFunction("presentation", "url"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input(ids.PRESENT_INDEX, "data"),
    State(ids.PRESENT_VIEWS, "data"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)

# Give focus back to the control that re-rendered the setup list.
clientside_callback(
    ClientsideFunction("presentation", "focus"),
    Input(ids.PRESENT_FOCUS, "data"),
    prevent_initial_call=True,
)


def selection_change(chosen, trigger, value):
    """The new choice and the control to focus after a setup control was used.

    Parameters
    ----------
    chosen : list of str
        The areas of the tour, in order.
    trigger : dict
        The id of the checkbox or move button used.
    value : list or int
        The checkbox's value or the button's ``n_clicks``.

    Returns
    -------
    tuple
        ``(new choice, id to focus)``; the choice is unchanged when nothing applies.
    """
    area = (trigger or {}).get("area")
    if trigger.get("type") == ids.PRESENT_INCLUDE:
        return toggle_area(chosen, area, area in (value or [])), trigger
    if trigger.get("type") == ids.PRESENT_MOVE and value:
        new = move_area(chosen, area, trigger.get("dir"))
        pos = new.index(area) if area in new else 0
        direction = trigger.get("dir")
        # At an end the pressed button is disabled: focus its twin instead.
        if direction == "up" and pos == 0:
            direction = "down"
        elif direction == "down" and pos == len(new) - 1:
            direction = "up"
        return new, {"type": ids.PRESENT_MOVE, "area": area, "dir": direction}
    return chosen, None


@callback(
    Output(ids.PRESENT_TOUR, "children"),
    Output(ids.PRESENT_SETUP, "children"),
    Output(ids.PRESENT_AREA_VIEWS, "children"),
    Output(ids.PRESENT_VIEWS, "data"),
    Output(ids.PRESENT_ORDER, "data"),
    Output(ids.PRESENT_FOCUS, "data"),
    Output(ids.PAGE_URL, "search", allow_duplicate=True),
    Input({"type": ids.PRESENT_INCLUDE, "area": ALL}, "value"),
    Input({"type": ids.PRESENT_MOVE, "area": ALL, "dir": ALL}, "n_clicks"),
    State(ids.PRESENT_ORDER, "data"),
    State(ids.PRESENT_LANG, "data"),
    State(ids.PAGE_URL, "search"),
    prevent_initial_call=True,
)
def update_selection(_include, _moves, chosen, lang, search):
    """Apply the setup list: re-render the tour for the new areas and keep it in the link."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not ctx.triggered:
        raise PreventUpdate
    chosen = parse_areas(",".join(chosen or []))
    new, focus = selection_change(chosen, trigger, ctx.triggered[0].get("value"))
    if new == chosen:
        raise PreventUpdate
    lang = lang_or_default(lang)
    try:
        views = build_views(new)
        later = later_views(new, 0, lang)
    except StoreError as exc:  # the store went away under us: leave the page as it is
        raise PreventUpdate from exc
    search = with_params(search, areas=areas_param(new), view=None)
    return (
        tour_list(new, lang),
        setup_rows(new, lang),
        later,
        views,
        new,
        {"id": focus},
        search,
    )
